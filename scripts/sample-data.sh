#!/usr/bin/env bash
# The demo data set, loaded once into the private MariaDB in RUN_DIR:
# org_acme with 12,000 calls and org_globex with 3,000, the same rows on
# every run (no salt, fixed anchor). Then one new API key per organisation,
# written to RUN_DIR/demo-keys.txt as "client_id key" lines (kept if the
# file exists already).
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

# The keys: random, stored hashed, so they are only known from this file.
keys=$run/demo-keys.txt
if [ ! -e "$keys" ]; then
	(
		umask 077
		for org in "${orgs[@]}"; do
			client=${org%%:*}
			echo "$client $("$top/scripts/db.sh" key "$run" "$client" demo)"
		done >"$keys.tmp"
	)
	mv "$keys.tmp" "$keys"
fi
