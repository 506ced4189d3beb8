#!/usr/bin/env bash
# Rows examined per page (issue 11): for each query string of
# bench/rows-queries.txt, the rows MariaDB examined for the first page,
# page 100 and page 20,000 (where the data has them; else the last) and
# for the page before each deep one (prev_cursor), read from the server's
# slow log (bench/rows.pl says how), through lighttpd + calls-api.
#
#   bench/rows.sh                     make bench-rows: its own MariaDB and
#                                     data (BENCH_ROWS, 1,000,000 calls);
#                                     writes bench/results-rows.md and
#                                     run/bench-rows.json
#   bench/rows.sh RUN_DIR KEY OUT_MD  inside make bench (bench/run.sh): the
#                                     MariaDB, data and config of RUN_DIR,
#                                     KEY of its big organisation
#
# Why the slow log and not performance_schema: performance_schema is off
# in MariaDB by default and can only be switched on at the server's start,
# where it would instrument every statement of the throughput runs that
# share the server in make bench. The slow log is switched at run time:
# long_query_time=0 for the sessions of this part's own responders (a
# session takes it when it connects), and slow_query_log on for one
# measured request at a time. MariaDB writes a prepared statement there
# with its values, its Rows_examined, and with log_slow_verbosity=explain
# the plan with the rows each table gave (r_rows).
#
# Knobs: BENCH_ROWS_QUERIES (file, default bench/rows-queries.txt),
# BENCH_ROWS_ONLY (regex on the names), BENCH_ROWS_PAGES ("1 100 20000"),
# BENCH_ROWS_BACK=0 (no prev_cursor pages), BENCH_ROWS (standalone rows),
# KEEP_RUN_DIR=1. Standalone it took 14 minutes at a load average of 12
# on the 2-CPU test machine, 4.5 of them seeding (BENCHMARKS.md).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
prefix=rows
. bench/lib.sh
build=${BUILD:-build}
queries=${BENCH_ROWS_QUERIES:-$top/bench/rows-queries.txt}
org=org_bench

# lighttpd lives in /usr/sbin, which a user's PATH on Debian lacks.
case ":$PATH:" in
*:/usr/sbin:*) ;;
*) PATH=$PATH:/usr/sbin:/sbin ;;
esac
for tool in perl mariadb lighttpd; do
	command -v "$tool" >/dev/null || die "$tool is missing (make deps)"
done
[ -x "$build/calls-api" ] || die "$build/calls-api missing (make)"
[ -r "$queries" ] || die "no query list $queries"

standalone=1
if [ $# -eq 3 ]; then
	standalone="" run=$1 key=$2 out_md=$3
	out_json=""
elif [ $# -eq 0 ]; then
	run=$(mktemp -d /tmp/calls-api-bench-rows.XXXXXX)
	chmod 0755 "$run"
	out_md=$top/bench/results-rows.md
	out_json=$top/run/bench-rows.json
else
	sed -n '8,14s/^#  //p' "$0" >&2
	exit 2
fi
dir=$run/rows		# this part's lighttpd, responder copy and config
web_started=""
child=""

sql() {
	scripts/db.sh sql "$run" -N -B calls "$@"
}

cleanup() {
	local rc=$?
	set +e
	trap - EXIT INT TERM
	bench_stop_child
	if [ -n "$web_started" ]; then
		scripts/web.sh stop lighttpd "$dir" >/dev/null 2>&1
	fi
	if scripts/db.sh running "$run"; then
		# What this part changed on the server, back to the defaults.
		sql -e "SET GLOBAL slow_query_log = 0, long_query_time = 10,
		    log_slow_verbosity = ''" >/dev/null 2>&1
	fi
	[ -z "$standalone" ] || bench_end "$rc"
	exit "$rc"
}
bench_traps

loadavg_start=$(cut -d' ' -f1-3 /proc/loadavg)
if [ -n "$standalone" ]; then
	rows=${BENCH_ROWS:-1000000}
	say "MariaDB in $run; seeding $rows calls for $org"
	DB_BUFFER_POOL=1G scripts/db.sh start "$run" >/dev/null
	scripts/seed.sh "$run" "$rows" "$org" 2>/dev/null
	sql -e "ANALYZE TABLE calls, agents" >/dev/null
	key=$(scripts/db.sh key "$run" "$org" bench-rows)
fi
conf=$run/calls-api.cnf
[ -r "$conf" ] || die "no $conf"
total=$(sql -e "SELECT COUNT(*) FROM calls WHERE client_id = '$org'")
say "$total calls in $org"

# The slow log: every statement of the sessions that connect from now on
# (long_query_time is taken at connect), written only while
# slow_query_log is on (rows.pl switches it around one request).
slow=$run/mysqld/rows-slow.log
sql -e "SET GLOBAL slow_query_log = 0, slow_query_log_file = '$slow',
    long_query_time = 0, log_slow_verbosity = 'query_plan,explain'"

# This part's lighttpd: its own responders (they connect after the
# settings above), a key cache that outlives the run (the measured
# requests hold page statements only).
mkdir -p "$dir"
chmod 0755 "$dir"
sed 's/^key-cache-seconds=.*/key-cache-seconds=3600/' "$conf" >"$dir/calls-api.cnf"
grep -q '^key-cache-seconds=3600$' "$dir/calls-api.cnf" ||
    echo 'key-cache-seconds=3600' >>"$dir/calls-api.cnf"
chmod 0644 "$dir/calls-api.cnf"
install -m 0755 "$build/calls-api" "$dir/calls-api"
port=$(scripts/free-port.sh)
web_started=1
scripts/web.sh start lighttpd "$dir" "$port" "$dir/calls-api" >&2
base=http://127.0.0.1:$port/api/calls

raw=$run/rows.jsonl
measure perl bench/rows.pl "$run" "$slow" "$base" "$key" "$queries" "$raw"
loadavg_end=$(cut -d' ' -f1-3 /proc/loadavg)
printf '{"meta":{"rows":%d,"org":"%s","limit":%d,"pages":"%s","queries":"%s","date":"%s","loadavg_start":"%s","loadavg_end":"%s","mariadb":"%s"}}\n' \
    "$total" "$org" "${BENCH_ROWS_LIMIT:-50}" "${BENCH_ROWS_PAGES:-1 100 20000}" \
    "${queries#"$top"/}" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$loadavg_start" \
    "$loadavg_end" "$(sql -e 'SELECT VERSION()')" >>"$raw"
if [ -n "$out_json" ]; then
	mkdir -p "$(dirname "$out_json")"
fi
perl bench/report_rows.pl "$raw" "$out_md" ${out_json:+"$out_json"}
say "done in ${SECONDS}s: $out_md"
