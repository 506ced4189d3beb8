#!/usr/bin/env bash
# make demo / make stop: a private MariaDB with sample data under run/ and
# one web server on 127.0.0.1:PORT serving the API.
#   scripts/demo.sh start SERVER PORT BINARY
#   scripts/demo.sh stop
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
run="$top/run"

case "${1:-}" in
start)
	server=${2:?server}
	port=${3:?port}
	bin=${4:?binary}
	case "$server" in
	apache|cgi|lighttpd) ;;
	*) echo "demo: SERVER must be apache, cgi or lighttpd" >&2; exit 2 ;;
	esac
	mkdir -p "$run"
	chmod 0755 "$run"
	"$top/scripts/db.sh" start "$run"
	"$top/scripts/sample-data.sh" "$run"
	# Running twice restarts the server, so a rebuilt binary is served.
	for s in apache cgi lighttpd; do
		"$top/scripts/web.sh" stop "$s" "$run"
	done
	"$top/scripts/web.sh" start "$server" "$run" "$port" "$bin"
	key=$(awk '$1 == "org_acme" { print $2 }' "$run/demo-keys.txt")
	url="http://127.0.0.1:$port/api/calls?limit=2"
	# Return only once the API answers with data.
	for _ in $(seq 1 50); do
		if curl -fsS -o /dev/null -H "Authorization: Bearer $key" "$url"
		then
			break
		fi
		sleep 0.2
	done
	curl -fsS -o /dev/null -H "Authorization: Bearer $key" "$url" || {
		echo "demo: the API does not answer; see $run/$server/" >&2
		exit 1
	}
	cat <<MSG

calls-api demo: $server on 127.0.0.1:$port, MariaDB socket $run/mysql.sock
Keys (client_id key): $run/demo-keys.txt

  curl -s -H 'Authorization: Bearer $key' '$url'

Next page: pass pagination.next_cursor as &cursor=...   Stop: make stop
MSG
	;;
stop)
	if [ -d "$run" ]; then
		for s in apache cgi lighttpd; do
			"$top/scripts/web.sh" stop "$s" "$run"
		done
		"$top/scripts/db.sh" stop "$run"
	fi
	;;
*)
	echo "usage: $0 start SERVER PORT BINARY | stop" >&2
	exit 2
	;;
esac
