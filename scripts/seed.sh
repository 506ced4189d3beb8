#!/usr/bin/env bash
# Add ROWS synthetic calls for CLIENT_ID to the private MariaDB in RUN_DIR,
# generated inside the server (schema/generate-calls.sql), 100,000 per
# statement. Each run uses a new random salt in call_sid, so runs never
# collide; rows are spread back in time from an hour ago.
#   scripts/seed.sh RUN_DIR ROWS CLIENT_ID
# scripts/sample-data.sh makes it deterministic with SEED_SALT (may be
# empty) and SEED_ANCHOR (the newest created_at, 'YYYY-MM-DD hh:mm:ss').
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)

if [ $# -ne 3 ]; then
	echo "usage: $0 RUN_DIR ROWS CLIENT_ID" >&2
	exit 2
fi
run=$1
rows=$2
client=$3
case "$rows" in
'' | *[!0-9]*) echo "seed: ROWS must be a number" >&2; exit 2 ;;
esac
if [ -z "$client" ]; then
	echo "seed: CLIENT_ID must not be empty" >&2
	exit 2
fi

# A string as an SQL literal that needs no escaping (hex of its bytes).
sql_string() {
	printf "CONVERT(X'%s' USING utf8mb4)" \
	    "$(printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n')"
}

salt=${SEED_SALT-$(od -An -v -tx1 -N 8 /dev/urandom | tr -d ' \n')}
anchor=${SEED_ANCHOR:-$(date -u -d '1 hour ago' '+%Y-%m-%d %H:%M:%S')}
chunk=100000	# rows per statement: seq_0_to_99999 in the generator

# A large seed into an empty calls table (make bench, make bench-rows, a
# fresh make seed): the filter indexes of schema/30-filter-indexes.sql,
# kept up row by row, cost the server three times the CPU of the rows
# themselves (1,000,000 rows: 57 to 60 s against 19 to 20 s without them);
# dropped first and built once at the end by that file (a sort), the
# whole seed took 37 s. Not on a table with rows: a running demo's
# filtered requests would fail meanwhile. A trap builds them on any exit.
# The unique one-call key calls_by_call_sid, which the file adds to older
# tables too, stays: it keeps a duplicate call_sid out as rows come.
rebuild=""
sql() {
	"$top/scripts/db.sh" sql "$run" -N -B calls "$@"
}
rebuild_indexes() {
	sql <"$top/schema/30-filter-indexes.sql"
}
if [ "$rows" -ge 100000 ] &&
    [ "$(sql -e 'SELECT EXISTS (SELECT 1 FROM calls)')" = 0 ]; then
	names=$(grep -o "'calls_by_[a-z_]*'" "$top/schema/30-filter-indexes.sql" |
	    grep -vx "'calls_by_call_sid'" | sort -u | paste -sd,)
	present=$(sql -e "SELECT INDEX_NAME FROM information_schema.STATISTICS
	    WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'calls'
	    AND INDEX_NAME IN (${names:-''}) GROUP BY INDEX_NAME")
	if [ -n "$present" ]; then
		rebuild=1
		trap 'rebuild_indexes' EXIT
		trap 'exit 130' INT
		trap 'exit 143' TERM
		sql -e "ALTER TABLE calls $(printf '%s\n' "$present" |
		    sed 's/^/DROP INDEX /' | paste -sd,)"
	fi
fi

first=0
while [ "$first" -lt "$rows" ]; do
	n=$((rows - first < chunk ? rows - first : chunk))
	# One statement per chunk, so one transaction per chunk.
	{
		printf "SET @gen_client = %s, @gen_salt = %s,\n" \
		    "$(sql_string "$client")" "$(sql_string "$salt")"
		printf "    @gen_anchor = '%s', @gen_first = %d, @gen_rows = %d;\n" \
		    "$anchor" "$first" "$n"
		cat "$top/schema/generate-calls.sql"
	} | "$top/scripts/db.sh" sql "$run" calls
	first=$((first + n))
	echo "seed: $first/$rows rows" >&2
done
if [ -n "$rebuild" ]; then
	trap - EXIT
	echo "seed: building the filter indexes" >&2
	rebuild_indexes
fi
