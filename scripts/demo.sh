#!/usr/bin/env bash
# make demo / make stop: a private MariaDB with sample data and one web
# server on 127.0.0.1:PORT serving the API, from a state directory that the
# web server's user (www-data) and mariadbd's (mysql) can reach wherever the
# checkout is (a root user's /root is 0700): /var/tmp/calls-api-demo.XXXXXX,
# made once per checkout, with run/ in the checkout a symlink to it.
#   scripts/demo.sh start SERVER PORT BINARY
#   scripts/demo.sh stop
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
link="$top/run"

die() {
	echo "demo: $*" >&2
	exit 1
}

# The state directory: run/'s target, made on first use (a run/ that is a
# real directory, from an older version, is used as it is).
state_dir() {
	local dir
	if [ -L "$link" ] && dir=$(realpath -e -- "$link" 2>/dev/null) &&
	    [ -d "$dir" ] && [ -O "$dir" ]; then
		echo "$dir"
		return
	fi
	if [ -d "$link" ] && [ ! -L "$link" ]; then
		if [ "$(id -u)" -eq 0 ] &&
		    ! runuser -u www-data -- test -x "$link"; then
			die "run/ is a directory from an older demo that" \
			    "www-data cannot reach; start afresh with:" \
			    "make stop && rm -rf run"
		fi
		echo "$link"
		return
	fi
	# None yet, or its target is gone (or not ours): a new one. mktemp
	# makes it ours and new, whatever else lives in /var/tmp.
	dir=$(mktemp -d /var/tmp/calls-api-demo.XXXXXX)
	chmod 0755 "$dir"
	ln -sfn "$dir" "$link"
	echo "$dir"
}

# True when nothing listens on 127.0.0.1:$1.
port_free() {
	perl -MIO::Socket::INET -e 'exit !IO::Socket::INET->new(
	    LocalAddr => "127.0.0.1", LocalPort => $ARGV[0], Listen => 1,
	    ReuseAddr => 1)' "$1"
}

stop_web() {
	local s
	for s in apache cgi lighttpd nginx proxy-fcgi lighttpd-pool; do
		"$top/scripts/web.sh" stop "$s" "$run"
	done
}

# On a failed start: stop what this run started (the web server, and the
# database unless it was running before), and say where the logs are.
cleanup_failed() {
	local rc=$?
	[ "$rc" -ne 0 ] || return 0
	trap - EXIT
	echo "demo: failed; stopping what it started (logs in $run/)" >&2
	stop_web || true
	if [ "$db_was_up" = no ]; then
		"$top/scripts/db.sh" stop "$run" || true
	fi
	exit "$rc"
}

case "${1:-}" in
start)
	server=${2:?server}
	port=${3:?port}
	bin=${4:?binary}
	case "$server" in
	apache|cgi|lighttpd|nginx|proxy-fcgi|lighttpd-pool) ;;
	*) die "SERVER must be apache, cgi, lighttpd, nginx, proxy-fcgi" \
	    "or lighttpd-pool" ;;
	esac
	case "$port" in
	'' | *[!0-9]*) die "PORT must be a number, e.g. make demo PORT=8081" ;;
	esac
	[ -x "$bin" ] || die "$bin is not executable"
	run=$(state_dir)
	if "$top/scripts/db.sh" running "$run"; then
		db_was_up=yes
	else
		db_was_up=no
	fi
	# Running twice restarts the server, so a rebuilt binary is served;
	# only then is the port checked, before anything starts.
	stop_web
	port_free "$port" ||
	    die "port $port is in use; choose another: make demo PORT=$((port + 1))"
	trap cleanup_failed EXIT
	# The binary, copied where the web server's user can run it.
	install -m 0755 "$bin" "$run/calls-api.tmp"
	mv -f "$run/calls-api.tmp" "$run/calls-api"
	"$top/scripts/db.sh" start "$run"
	"$top/scripts/sample-data.sh" "$run"
	"$top/scripts/web.sh" start "$server" "$run" "$port" "$run/calls-api"
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
	trap - EXIT
	cat <<MSG

calls-api demo: $server on 127.0.0.1:$port, MariaDB socket run/mysql.sock
State: run/ -> $run
Keys (client_id key): run/demo-keys.txt

  curl -s -H 'Authorization: Bearer $key' '$url'

Next page: pass pagination.next_cursor as &cursor=...   Stop: make stop
One call: http://127.0.0.1:$port/api/calls/<a data[].call_sid>
MSG
	case "$server" in
	nginx | proxy-fcgi | lighttpd-pool)
		cat <<MSG
The pool: calls-api serve, pid $(cat "$run/$server/pool.pid"), socket
run/$server/run/pool.sock, log run/$server/responder.log
(kill -HUP reloads run/calls-api.cnf; make stop stops it).
MSG
		;;
	esac
	;;
stop)
	if [ -d "$link" ]; then
		run=$(realpath -e -- "$link")
		stop_web
		"$top/scripts/db.sh" stop "$run"
	fi
	;;
*)
	echo "usage: $0 start SERVER PORT BINARY | stop" >&2
	exit 2
	;;
esac
