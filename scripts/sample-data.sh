#!/usr/bin/env bash
# The demo data set, loaded once into the private MariaDB in RUN_DIR:
# org_acme with 12,000 calls and org_globex with 3,000, the same rows on
# every run (no salt, fixed anchor). Then one new API key per organisation,
# made with calls-api key create, written to RUN_DIR/demo-keys.txt as
# "client_id key" lines (kept if the file exists already).
#   scripts/sample-data.sh RUN_DIR
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)

if [ $# -ne 1 ]; then
	echo "usage: $0 RUN_DIR" >&2
	exit 2
fi
run=$1
orgs=(org_acme:12000 org_globex:3000)

# The calls: only into an empty table, so running it again changes nothing.
has_calls=$("$top/scripts/db.sh" sql "$run" -N -B calls \
    -e 'SELECT EXISTS (SELECT 1 FROM calls)')
if [ "$has_calls" = 0 ]; then
	for org in "${orgs[@]}"; do
		SEED_SALT='' SEED_ANCHOR='2025-06-30 18:00:00' \
		    "$top/scripts/seed.sh" "$run" "${org#*:}" "${org%%:*}" \
		    2>/dev/null
	done
fi

# The keys: made by the responder binary itself (calls-api key create, as
# the admin of RUN_DIR/calls-api.cnf's [calls-api-admin]), stored hashed,
# so they are only known from this file. The binary: CALLS_API_KEY_BIN,
# else RUN_DIR/calls-api (the demo's and the tests' copy), else build/.
keys=$run/demo-keys.txt
if [ ! -e "$keys" ]; then
	bin=${CALLS_API_KEY_BIN:-$run/calls-api}
	[ -x "$bin" ] || bin=$top/build/calls-api
	if [ ! -x "$bin" ]; then
		echo "sample-data: no calls-api binary to make keys with" \
		    "(make, or set CALLS_API_KEY_BIN)" >&2
		exit 1
	fi
	(
		umask 077
		for org in "${orgs[@]}"; do
			client=${org%%:*}
			key=$("$bin" key create "$client" --label demo \
			    --conf "$run/calls-api.cnf" 2>"$keys.log") || {
				cat "$keys.log" >&2
				exit 1
			}
			# A binary from before calls-api key answers as CGI.
			if ! [[ $key =~ ^ck_[A-Za-z0-9]{40}$ ]]; then
				echo "sample-data: $bin key create gave no key" \
				    "(a calls-api without key commands?)" >&2
				exit 1
			fi
			echo "$client $key"
		done >"$keys.tmp"
	)
	rm -f "$keys.log"
	mv "$keys.tmp" "$keys"
fi
