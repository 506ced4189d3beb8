#!/usr/bin/env bash
# The CGI benchmark (issue 10, section 4): calls-api as plain CGI, one
# process and one database connection per request, through Apache
# mpm_event + mod_cgid and the shipped .htaccess (scripts/web.sh cgid),
# against a trivial CGI program (bench/trivial_cgi.c: a fixed page-sized
# JSON body, libc only) on the same server setup, in the same run.
#
#   bench/cgi.sh                     make bench-cgi: its own MariaDB and
#                                    data; writes bench/results-cgi.md
#   bench/cgi.sh RUN_DIR KEY OUT_MD  inside make bench (bench/run.sh): the
#                                    MariaDB and config of RUN_DIR, KEY of
#                                    its organisation; writes OUT_MD
#
# Variants, each behind its own Apache (mpm_event + mod_cgid) on its own
# port, measured round after round in turn so that the machine's drift
# falls on all alike:
#   trivial  build/bench/trivial_cgi
#   dynamic  build/calls-api
#   static   $CALLS_API_STATIC_BIN, else build/static/calls-api (make
#            static), when it exists
#   more from BENCH_CGI_EXTRA="name=/abs/binary ..." (e.g. an older build,
#            for a before/after in one run)
# 1. wrk, GET /api/calls?limit=50 following cursors (bench/follow.lua),
#    BENCH_CGI_CONC connections (4), BENCH_CGI_REPEATS runs (5) of
#    BENCH_CGI_SECONDS (8) per variant: req/s (median), p50, p99;
# 2. start-up without a web server: bench/exec_time runs each binary
#    BENCH_CGI_EXECS times (200) in turn with one request's CGI variables:
#    wall and CPU time per run (median).
# BENCH_CGI_QUICK=1: 3 runs of 3 s, 50 execs (to iterate, not to publish).
# Standalone: BENCH_CGI_ROWS (50000) calls in one organisation.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
prefix=cgi
. bench/lib.sh
build=${BUILD:-build}

if [ -n "${BENCH_CGI_QUICK:-}" ]; then
	d_seconds=3 d_repeats=3 d_execs=50
else
	d_seconds=8 d_repeats=5 d_execs=200
fi
seconds=${BENCH_CGI_SECONDS:-$d_seconds}
repeats=${BENCH_CGI_REPEATS:-$d_repeats}
execs=${BENCH_CGI_EXECS:-$d_execs}
conc=${BENCH_CGI_CONC:-4}
rows=${BENCH_CGI_ROWS:-50000}
limit=50
org=org_cgi

for tool in wrk curl perl; do
	command -v "$tool" >/dev/null || die "$tool is missing (make deps)"
done
for tool in trivial_cgi exec_time; do
	[ -x "$build/bench/$tool" ] || die "$build/bench/$tool missing (make bench-cgi)"
done
[ -x "$build/calls-api" ] || die "$build/calls-api missing (make)"

# The variants: names and binaries, in measuring order.
names=(trivial dynamic) bins=("$top/$build/bench/trivial_cgi" "$top/$build/calls-api")
static=${CALLS_API_STATIC_BIN:-$top/build/static/calls-api}
if [ -x "$static" ]; then
	names+=(static) bins+=("$static")
else
	say "no static binary ($static): dynamic only (make static)"
fi
for spec in ${BENCH_CGI_EXTRA:-}; do
	case "$spec" in
	[a-z]*=/*) ;;
	*) die "BENCH_CGI_EXTRA: name=/absolute/path, got $spec" ;;
	esac
	[ -x "${spec#*=}" ] || die "${spec#*=} is not executable"
	names+=("${spec%%=*}") bins+=("${spec#*=}")
done

standalone=1
if [ $# -eq 3 ]; then
	standalone="" run=$1 key=$2 out_md=$3
elif [ $# -eq 0 ]; then
	run=$(mktemp -d /tmp/calls-api-bench-cgi.XXXXXX)
	chmod 0755 "$run"
	out_md=$top/bench/results-cgi.md
else
	sed -n '8,13s/^#  //p' "$0" >&2
	exit 2
fi
conf=$run/calls-api.cnf
raw=$run/cgi.jsonl
: >"$raw"
webs=()		# the variants' directories with a running Apache
child=""	# the measurement running now (its own process group)

cleanup() {
	local rc=$? d
	set +e
	trap - EXIT INT TERM
	bench_stop_child
	for d in "${webs[@]}"; do
		scripts/web.sh stop cgid "$d" >/dev/null 2>&1
	done
	[ -z "$standalone" ] || bench_end "$rc"
	exit "$rc"
}
bench_traps

record() {
	printf '%s\n' "$1" >>"$raw"
}

loadavg_start=$(cut -d' ' -f1-3 /proc/loadavg)
say "$(nproc) CPUs; load average $loadavg_start; variants: ${names[*]}"

if [ -n "$standalone" ]; then
	say "MariaDB in $run; seeding $rows calls for $org"
	scripts/db.sh start "$run" >/dev/null
	scripts/seed.sh "$run" "$rows" "$org" 2>/dev/null
	key=$(scripts/db.sh key "$run" "$org" bench-cgi)
fi
[ -r "$conf" ] || die "no $conf"

# Each variant: its directory (config copy, binary copy: www-data must
# reach them) and an Apache with the shipped .htaccess on a free port.
declare -A port
for i in "${!names[@]}"; do
	name=${names[$i]} dir=$run/cgi-${names[$i]}
	mkdir -p "$dir"
	chmod 0755 "$dir"
	install -m 0644 "$conf" "$dir/calls-api.cnf"
	install -m 0755 "${bins[$i]}" "$dir/$name"
	port[$name]=$(scripts/free-port.sh)
	webs+=("$dir")
	scripts/web.sh start cgid "$dir" "${port[$name]}" "$dir/$name" >&2
done

url() { echo "http://127.0.0.1:${port[$1]}/api/calls"; }

# Every variant answers, the real ones a real page.
for i in "${!names[@]}"; do
	name=${names[$i]}
	code=$(curl -s -o "$run/page.json" -w '%{http_code}' \
	    -H "Authorization: Bearer $key" "$(url "$name")?limit=$limit")
	[ "$code" = 200 ] || { cat "$run/page.json" >&2; die "$name answered $code"; }
	bytes=$(wc -c <"$run/page.json")
	linked=dynamic
	if ! ldd "${bins[$i]}" >/dev/null 2>&1; then
		linked=static
	fi
	say "$name: 200, body $bytes bytes; $linked ${bins[$i]}"
	record "{\"kind\":\"cgi_variant\",\"what\":\"$name\",\"binary\":\"${bins[$i]}\",\"linked\":\"$linked\",\"body_bytes\":$bytes}"
done

wrk_run() {
	local name=$1 rep=$2 s=$3 res
	measure wrk -t"$conc" -c"$conc" -d"${s}s" --timeout 10s --latency \
	    -s bench/follow.lua -H "Authorization: Bearer $key" \
	    "$(url "$name")" -- "$limit" >"$run/wrk.out" 2>&1
	res=$(sed -n 's/^BENCH //p' "$run/wrk.out")
	[ -n "$res" ] || { cat "$run/wrk.out" >&2; die "wrk failed"; }
	[ "$rep" -gt 0 ] || return 0
	record "{\"kind\":\"cgi_wrk\",\"what\":\"$name\",\"c\":$conc,\"rep\":$rep,\"res\":$res}"
	say "$(printf '%-8s rep %s: ' "$name" "$rep")$(perl -MJSON::PP -e '
		my $r = decode_json($ARGV[0]);
		printf "%.0f req/s, p50 %.1f ms, p99 %.1f ms, non-2xx %d",
		    $r->{rps}, $r->{p50_us} / 1e3, $r->{p99_us} / 1e3,
		    $r->{non2xx}' "$res")"
}

say "warm-up: 2 s each"
for name in "${names[@]}"; do
	wrk_run "$name" 0 2
done
for rep in $(seq 1 "$repeats"); do
	say "round $rep of $repeats: ${seconds} s each, $conc connections"
	for name in "${names[@]}"; do
		wrk_run "$name" "$rep" "$seconds"
	done
done

# Start-up alone: the same request's CGI environment, no web server.
say "start-up: each binary $execs times in turn, no web server"
args=()
for i in "${!names[@]}"; do
	[ "$i" -eq 0 ] || args+=(:::)
	args+=("$run/cgi-${names[$i]}/${names[$i]}")
done
env -i PATH=/usr/bin:/bin GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET \
    SERVER_PROTOCOL=HTTP/1.1 SCRIPT_NAME=/calls-api.cgi \
    REQUEST_URI="/api/calls?limit=$limit" QUERY_STRING="limit=$limit" \
    HTTP_AUTHORIZATION="Bearer $key" CALLS_API_CONF="$conf" \
    "$build/bench/exec_time" "$execs" "${args[@]}" >"$run/exec.out"
i=0
while read -r line; do
	perl -e '
		my ($name, $line) = @ARGV;
		$line =~ /wall median\s+(\d+) us p90\s+(\d+) us\s+cpu median\s+(\d+) us/
		    or die "exec_time: cannot read: $line\n";
		print qq({"kind":"cgi_exec","what":"$name","wall_us":$1,"wall_p90_us":$2,"cpu_us":$3}\n);
	' "${names[$i]}" "$line" >>"$raw"
	say "${names[$i]}: $line"
	i=$((i + 1))
done <"$run/exec.out"

record "{\"kind\":\"cgi_meta\",\"seconds\":$seconds,\"repeats\":$repeats,\"conc\":$conc,\"execs\":$execs,\"limit\":$limit,\"nproc\":$(nproc),\"loadavg_start\":\"$loadavg_start\",\"loadavg_end\":\"$(cut -d' ' -f1-3 /proc/loadavg)\",\"elapsed_s\":$SECONDS,\"standalone\":$([ -n "$standalone" ] && echo 1 || echo 0),\"date\":\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\"}"
mkdir -p "$top/run"
perl bench/report_cgi.pl "$raw" "$out_md" "$top/run/bench-cgi.json"
say "done in ${SECONDS}s: $out_md, run/bench-cgi.json"
