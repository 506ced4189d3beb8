#!/usr/bin/env bash
# make bench: the whole benchmark in one run, on loopback, with a private
# MariaDB and private web servers that are all stopped at the end.
#
#   1. throughput: GET /api/calls?limit=50 following cursors (wrk +
#      bench/follow.lua) through Apache + mod_fcgid and lighttpd, at the
#      rated concurrency, at the configured process count and at twice it;
#   2. ceilings: the trivial responder (bench/trivial.c) through the same
#      servers, and the page query alone (bench/query_loop.c);
#   3. depth: first, 10 % ... 99 % and last page of a 1M-row organisation,
#      keyset (the API) against LIMIT/OFFSET (SQL only), with MariaDB's
#      Handler_read_* counters and a plot (bench/depth.png);
#   4. memory: VmRSS of one responder after 10,000 and 100,000 requests;
#   5. CGI: calls-api as plain CGI under Apache mpm_event + mod_cgid, the
#      dynamic and (when built) the static binary, against a trivial CGI
#      program (bench/cgi.sh; alone: make bench-cgi).
#   6. rows examined per page: for each query string of
#      bench/rows-queries.txt (filters, orders, the worst pair), the rows
#      MariaDB examined for pages 1, 100 and 20,000 and the pages before
#      them (prev_cursor), from its slow log (bench/rows.sh; alone: make
#      bench-rows). Run first, right after seeding: a query string the API
#      refuses stops the bench at once, with the API's answer.
#
# Results: run/bench.json (machine-readable), bench/results.md and the
# table on stdout (bench/report.pl), bench/depth.png (gnuplot).
#
# Knobs (environment): BENCH_SECONDS (one measurement, default 8),
# BENCH_REPEATS (5), BENCH_ROWS (1000000), BENCH_PERF=1 (also profile the
# responders with perf during one extra run), KEEP_RUN_DIR=1.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
. bench/lib.sh
build=${BUILD:-build}

seconds=${BENCH_SECONDS:-8}	# one wrk or query_loop measurement
repeats=${BENCH_REPEATS:-5}	# each throughput measurement, interleaved
warmup=${BENCH_WARMUP:-3}	# seconds of wrk before measuring a server
rows=${BENCH_ROWS:-1000000}	# the big organisation
small_rows=${BENCH_SMALL_ROWS:-50000}
depth_requests=${BENCH_DEPTH_REQUESTS:-200}	# API requests per depth
keyset_sql_runs=20		# the same page as SQL, timed by MariaDB
offset_runs=${BENCH_OFFSET_RUNS:-5}		# LIMIT/OFFSET is slow: fewer
mem_first=${BENCH_MEM_FIRST:-10000}	# memory: VmRSS after this many requests,
mem_total=${BENCH_MEM_TOTAL:-100000}	# and after this many
limit=50			# page size everywhere

big=org_bench small=org_small

# The shipped process limits: the rated concurrency is the configured
# process count (one request per responder), measured also at twice it.
apache_max=$(apache_max_processes)
lighttpd_max=$(lighttpd_max_processes)
apache_rated=${BENCH_APACHE_RATED:-$apache_max}
lighttpd_rated=$lighttpd_max

out_json=$top/run/bench.json
out_md=$top/bench/results.md
out_png=$top/bench/depth.png

for tool in wrk curl perl mariadb; do
	command -v "$tool" >/dev/null || die "$tool is missing (make deps)"
done
for tool in trivial query_loop mint_cursor; do
	[ -x "$build/bench/$tool" ] || die "$build/bench/$tool missing (make bench)"
done
[ -x "$build/calls-api" ] || die "$build/calls-api missing (make)"

# gnuplot draws bench/depth.png; installed here because only the bench
# needs it.
if ! command -v gnuplot >/dev/null; then
	if [ "$(id -u)" -eq 0 ]; then
		say "installing gnuplot-nox"
		export DEBIAN_FRONTEND=noninteractive
		apt-get install -y --no-install-recommends gnuplot-nox \
		    >/dev/null 2>&1 || {
			apt-get update >/dev/null
			apt-get install -y --no-install-recommends gnuplot-nox \
			    >/dev/null
		}
	else
		say "gnuplot is missing, so no plot; install it with:"
		say "  sudo apt-get install -y --no-install-recommends gnuplot-nox"
	fi
fi

# Everything lives in RUN (MariaDB datadir and socket, server configs and
# logs, binaries www-data must reach). The trap stops what we started.
run=$(mktemp -d /tmp/calls-api-bench.XXXXXX)
chmod 0755 "$run"
child=""		# the measurement running now (its own process group)
webs=()			# "web.sh SERVER DIR" of every server started
declare -A port		# port[SERVER/RESPONDER]

cleanup() {
	local rc=$? w
	set +e
	trap - EXIT INT TERM
	bench_stop_child
	for w in "${webs[@]}"; do
		# shellcheck disable=SC2086 # "script server dir", no spaces
		set -- $w
		"$1" stop "$2" "$3" >/dev/null 2>&1
	done
	bench_end "$rc"
}
bench_traps

raw=$run/raw.jsonl	# one JSON object per measurement, for report.pl
: >"$raw"
record() {
	printf '%s\n' "$1" >>"$raw"
}

sql() {
	scripts/db.sh sql "$run" -N -B calls "$@"
}

# Start SERVER from DIR serving BINARY on a free port, recorded as
# port[NAME] (not in a subshell: webs must remember it for the trap).
web_start() {
	local name=$1 script=$2 server=$3 dir=$4 bin=$5
	port[$name]=$(scripts/free-port.sh)
	webs+=("$script $server $dir")
	"$script" start "$server" "$dir" "${port[$name]}" "$bin" >&2
}

say "run dir $run; $(nproc) CPUs; load average $(cut -d' ' -f1-3 /proc/loadavg)"
loadavg_start=$(cut -d' ' -f1-3 /proc/loadavg)

# --- Data: one organisation of $rows calls and a smaller one ------------
say "MariaDB; seeding $rows calls for $big and $small_rows for $small"
# A buffer pool that holds the whole table (about 300 MB): the query loop
# walks far deeper than the endpoint and must not measure disk reads.
DB_BUFFER_POOL=1G scripts/db.sh start "$run" >/dev/null
scripts/seed.sh "$run" "$rows" "$big" 2>/dev/null
scripts/seed.sh "$run" "$small_rows" "$small" 2>/dev/null
sql -e "ANALYZE TABLE calls, agents" >/dev/null
key_big=$(scripts/db.sh key "$run" "$big" bench)
key_small=$(scripts/db.sh key "$run" "$small" bench)
conf=$run/calls-api.cnf
db_pid=$(cat "$run/mariadb.pid")

# --- 6. Rows examined per page (its own lighttpd; the server's slow-log
# settings put back when it ends) -----------------------------------------
say "rows examined per page (bench/rows.sh, $(grep -c '^[^#[:space:]]' \
    bench/rows-queries.txt) query strings)"
measure bench/rows.sh "$run" "$key_big" "$run/rows.md" >"$run/rows.out"

# --- Servers: calls-api from RUN, the trivial responder from RUN/trivial --
# Copies inside the run dir: Apache's children (www-data) must reach them.
install -m 0755 "$build/calls-api" "$run/calls-api"
mkdir -p "$run/trivial"
chmod 0755 "$run/trivial"
install -m 0755 "$build/bench/trivial" "$run/trivial/trivial"

say "starting Apache + mod_fcgid and lighttpd, each with calls-api and trivial"
web_start apache/calls-api scripts/web.sh apache "$run" "$run/calls-api"
web_start lighttpd/calls-api scripts/web.sh lighttpd "$run" "$run/calls-api"
web_start apache/trivial scripts/web.sh apache "$run/trivial" \
    "$run/trivial/trivial"
web_start lighttpd/trivial scripts/web.sh lighttpd "$run/trivial" \
    "$run/trivial/trivial"

url() {
	echo "http://127.0.0.1:${port[$1/$2]}/api/calls"
}

# The trivial body should be as large as a real page.
page_bytes=$(curl -s -o /dev/null -w '%{size_download}' \
    -H "Authorization: Bearer $key_big" "$(url apache calls-api)?limit=$limit")
trivial_bytes=$(curl -s -o /dev/null -w '%{size_download}' \
    "$(url apache trivial)")
say "page body $page_bytes bytes; trivial body $trivial_bytes bytes"

# --- 1 and 2: throughput and ceilings -----------------------------------
# One wrk run: one thread per connection (follow.lua keeps a cursor per
# thread), keep-alive, latency percentiles, CPU accounting around it.
wrk_run() {
	local what=$1 server=$2 c=$3 rep=$4 key=$5 res cpu dir=$run
	local hdr=()
	[ -n "$key" ] && hdr=(-H "Authorization: Bearer $key")
	[ "$what" = trivial ] && dir=$run/trivial
	bench_wrk "$run/wrk.out" "$db_pid" "$(web_pid "$server" "$dir")" \
	    "$what" -- -t"$c" -c"$c" -d"${seconds}s" --timeout 10s --latency \
	    -s bench/follow.lua "${hdr[@]}" "$(url "$server" "$what")" \
	    -- "$limit"
	record "{\"kind\":\"wrk\",\"what\":\"$what\",\"server\":\"$server\",\"c\":$c,\"rep\":$rep,\"res\":$res,\"cpu\":$cpu}"
	say "$(printf '%-9s %-8s c=%-2s rep %s: %s' "$what" "$server" "$c" "$rep" \
	    "$(perl -MJSON::PP -e '$r = decode_json($ARGV[0]);
		printf "%.0f req/s, p50 %.1f ms, p99 %.1f ms, non-2xx %d",
		$r->{rps}, $r->{p50_us} / 1e3, $r->{p99_us} / 1e3, $r->{non2xx}' "$res")")"
}

query_run() {
	local procs=$1 rep=$2 qps
	measure "$build/bench/query_loop" "$conf" "$big" "$seconds" "$procs" \
	    >"$run/query.out"
	qps=$(cat "$run/query.out")
	record "{\"kind\":\"query\",\"c\":$procs,\"rep\":$rep,\"qps\":$qps}"
	say "$(printf '%-9s %-8s c=%-2s rep %s: %.0f queries/s' query - "$procs" "$rep" "$qps")"
}

# Warm up: wrk at twice the process count until mod_fcgid has spawned all
# its processes (it spawns them one by one), so that no measurement pays
# for process start-up.
warm() {
	local what=$1 server=$2 key=$3 c=$4 want=$5 dir=$6 n=0
	local hdr=()
	[ -n "$key" ] && hdr=(-H "Authorization: Bearer $key")
	for _ in 1 2 3 4 5; do
		measure wrk -t"$c" -c"$c" -d"${warmup}s" -s bench/follow.lua \
		    "${hdr[@]}" "$(url "$server" "$what")" -- "$limit" \
		    >/dev/null 2>&1
		# The responder processes are named after their binary.
		n=$(count_below "$(web_pid "$server" "$dir")" "$what")
		[ "$n" -ge "$want" ] && break
	done
	say "warm-up $what via $server: $n processes"
}

warm calls-api apache "$key_big" $((2 * apache_max)) "$apache_max" "$run"
warm trivial apache "" $((2 * apache_max)) "$apache_max" "$run/trivial"
warm calls-api lighttpd "$key_big" $((2 * lighttpd_max)) "$lighttpd_max" "$run"
warm trivial lighttpd "" $((2 * lighttpd_max)) "$lighttpd_max" "$run/trivial"

# The query loop at each concurrency a ceiling is computed for.
query_procs=$(printf '%s\n' "$apache_rated" "$apache_max" "$lighttpd_rated" |
    sort -nu | xargs)

# Repeats interleave every configuration, so drift in the machine's
# background load spreads over all of them instead of biasing one.
for rep in $(seq 1 "$repeats"); do
	say "throughput round $rep of $repeats"
	for c in $query_procs; do
		query_run "$c" "$rep"
	done
	for c in $(printf '%s\n' "$apache_rated" "$apache_max" | sort -nu); do
		wrk_run trivial apache "$c" "$rep" ""
	done
	wrk_run trivial lighttpd "$lighttpd_rated" "$rep" ""
	for c in $(printf '%s\n' "$apache_rated" "$apache_max" \
	    $((2 * apache_max)) | sort -nu); do
		wrk_run calls-api apache "$c" "$rep" "$key_big"
	done
	for c in $(printf '%s\n' "$lighttpd_rated" $((2 * lighttpd_max)) |
	    sort -nu); do
		wrk_run calls-api lighttpd "$c" "$rep" "$key_big"
	done
done

# Optional: where the responder's CPU goes, from perf samples of every
# responder process during one more lighttpd run at rated concurrency.
if [ -n "${BENCH_PERF:-}" ] && command -v perf >/dev/null; then
	say "perf: profiling the lighttpd responders for $seconds s"
	pids=$(pgrep -P "$(web_pid lighttpd "$run")" | paste -sd,)
	setsid wrk -t"$lighttpd_rated" -c"$lighttpd_rated" \
	    -d"$((seconds + 2))s" -s bench/follow.lua \
	    -H "Authorization: Bearer $key_big" "$(url lighttpd calls-api)" \
	    -- "$limit" >/dev/null 2>&1 &
	child=$!
	sleep 1
	perf record -q -F 999 -g -o "$run/perf.data" -p "$pids" \
	    -- sleep "$seconds" >/dev/null 2>&1 || true
	wait "$child" || true
	child=""
	perf report -i "$run/perf.data" --no-children --sort dso,sym \
	    --stdio -g none 2>/dev/null | grep -v '^#' | grep -v '^$' |
	    head -40 >"$top/run/bench-profile.txt" || true
	say "perf: top symbols in run/bench-profile.txt"
fi

# The trivial servers are done.
scripts/web.sh stop apache "$run/trivial"
scripts/web.sh stop lighttpd "$run/trivial"

# --- 5. CGI: one process and one connection per request -----------------
# Here, while only MariaDB runs: bench/cgi.sh starts and stops its own
# Apaches (mod_cgid), on the small organisation.
say "CGI: calls-api under mod_cgid against a trivial CGI (bench/cgi.sh)"
measure bench/cgi.sh "$run" "$key_small" "$run/cgi.md" >"$run/cgi.out"

# --- 3. Depth: keyset (the API) against OFFSET (SQL only) ---------------
page_first=$("$build/bench/mint_cursor" --sql first)
page_after=$("$build/bench/mint_cursor" --sql after)

# The responder's statement with literal values for its placeholders, in
# order (a placeholder never occurs inside these literals).
bind_sql() {
	local text=$1
	shift
	perl -e 'my ($t, @v) = @ARGV; $t =~ s/\?/shift @v/ge; print $t' \
	    "$text" "$@"
}

# Run one statement N times in one session: Handler_read_* of the first
# execution, then the duration of each execution (SHOW PROFILES). Prints
# a JSON object.
sql_profile() {
	local stmt=$1 n=$2
	{
		echo "SET profiling = 1, profiling_history_size = 100;"
		echo "FLUSH STATUS;"
		echo "$stmt;"
		echo "SHOW SESSION STATUS LIKE 'Handler_read%';"
		for _ in $(seq 2 "$n"); do
			echo "$stmt;"
		done
		echo "SHOW PROFILES;"
	} | sql >"$run/sql.out"
	perl -MJSON::PP -e '
		my (%h, @ms, $first);
		while (<STDIN>) {
			chomp;
			my @f = split /\t/;
			if ($f[0] =~ /^Handler_read_(\w+)$/) { $h{$1} = $f[1] + 0 }
			elsif (@f == 3 && $f[0] =~ /^\d+$/ &&
			    $f[2] =~ /^SELECT c\.call_sid/) { push @ms, $f[1] * 1e3 }
			elsif ($f[0] =~ /^call_/) { $first //= $f[0] }
		}
		my @s = sort { $a <=> $b } @ms;
		my $med = @s ? (@s % 2 ? $s[$#s / 2] :
		    ($s[@s / 2 - 1] + $s[@s / 2]) / 2) : undef;
		print JSON::PP->new->canonical->encode({ handler => \%h,
		    runs => scalar @s, median_ms => $med, ms => \@ms,
		    first_call_sid => $first }), "\n";
	' <"$run/sql.out"
}

# created_at and call_sid of the row at OFFSET n in keyset order.
row_at() {
	sql -e "SELECT created_at, call_sid FROM calls WHERE client_id = '$big'
	    ORDER BY created_at DESC, call_sid DESC LIMIT 1 OFFSET $1"
}

# The API side of every depth in one curl run over one keep-alive
# connection (curl -K): the pages in turn, round after round, so that the
# machine's drift during the run (its noise is large) falls on every depth
# alike instead of on whichever depth came last. Arguments: the page URLs.
# Writes $run/http.N.json (N from 0, in argument order): the median of
# $depth_requests requests per page after 3 unmeasured rounds, with the
# page's row count, first call_sid and has_more.
http_pages() {
	local i=0 url
	{
		echo "header = \"Authorization: Bearer $key_big\""
		# curl expands the \n itself.
		# shellcheck disable=SC2028
		echo 'write-out = "%{http_code} %{time_total} %{url_effective}\n"'
		for _ in $(seq 1 $((depth_requests + 3))); do
			for url in "$@"; do
				echo "url = \"$url\""
				echo 'output = "/dev/null"'
			done
		done
	} >"$run/curl.cfg"
	measure curl -s -K "$run/curl.cfg" >"$run/curl.out"
	for url in "$@"; do
		curl -s -H "Authorization: Bearer $key_big" "$url" \
		    >"$run/page.json"
		perl -MJSON::PP -e '
			my ($url, $skip) = @ARGV;
			my (@ms, $bad, %seen);
			while (<STDIN>) {
				my ($code, $t, $u) = split;
				next unless $u eq $url;
				next if ++$seen{$u} <= $skip;
				$bad++ if $code ne "200";
				push @ms, $t * 1e3;
			}
			my @s = sort { $a <=> $b } @ms;
			my $page = decode_json(do { local $/;
			    open my $f, "<", "$ENV{RUN}/page.json"; <$f> });
			print JSON::PP->new->canonical->encode({
			    n => scalar @s, non200 => $bad // 0,
			    median_ms => $s[$#s / 2],
			    p90_ms => $s[int(0.9 * $#s)],
			    rows => scalar @{ $page->{data} },
			    first_call_sid => $page->{data}[0]{call_sid},
			    has_more => $page->{pagination}{has_more} ? 1 : 0 }),
			    "\n";
		' "$url" 3 <"$run/curl.out" >"$run/http.$i.json"
		i=$((i + 1))
	done
}

say "depth: keyset API pages and LIMIT/OFFSET, $big ($rows rows)"
labels=() depths=() apis=() keysets=() offsets=()
for spec in first:0 10%:$((rows / 10)) 25%:$((rows / 4)) 50%:$((rows / 2)) \
    75%:$((rows * 3 / 4)) 99%:$((rows * 99 / 100)) last:$((rows - limit)); do
	label=${spec%%:*}
	depth=${spec#*:}
	api="$(url apache calls-api)?limit=$limit"
	if [ "$depth" -eq 0 ]; then
		keyset=$(bind_sql "$page_first" "'$big'" $((limit + 1)))
	else
		# The cursor the API would have issued after row depth-1.
		IFS=$'\t' read -r created sid < <(row_at $((depth - 1)))
		cursor=$("$build/bench/mint_cursor" "$conf" "$big" "$created" "$sid")
		api="$api&cursor=$cursor"
		keyset=$(bind_sql "$page_after" "'$big'" "'$created'" \
		    "'$created'" "'$sid'" $((limit + 1)))
	fi
	offset=$(bind_sql "${page_first/LIMIT \?/LIMIT ? OFFSET $depth}" \
	    "'$big'" $((limit + 1)))
	labels+=("$label") depths+=("$depth") apis+=("$api")
	keysets+=("$(sql_profile "$keyset" "$keyset_sql_runs")")
	offsets+=("$(sql_profile "$offset" "$offset_runs")")
done
say "depth: the API pages of every depth in turn, $depth_requests rounds"
RUN=$run http_pages "${apis[@]}"
for i in "${!labels[@]}"; do
	label=${labels[$i]} http=$(cat "$run/http.$i.json")
	ks=${keysets[$i]} off=${offsets[$i]}
	record "{\"kind\":\"depth\",\"label\":\"$label\",\"depth\":${depths[$i]},\"rows\":$rows,\"http\":$http,\"keyset\":$ks,\"offset\":$off}"
	say "$(perl -MJSON::PP -e '
		my $l = shift;
		my ($h, $k, $o) = map { decode_json($_) } @ARGV;
		printf "%-5s API %.2f ms (%d rows)  keyset SQL %.2f ms, %d entries"
		    . "  OFFSET SQL %.1f ms, %d entries", $l,
		    $h->{median_ms}, $h->{rows}, $k->{median_ms},
		    $k->{handler}{prev} + $k->{handler}{next},
		    $o->{median_ms}, $o->{handler}{prev} + $o->{handler}{next}' \
	    "$label" "$http" "$ks" "$off")"
done

# --- 4. Memory: one responder process, exact request counts -------------
# A dedicated lighttpd with max-procs 1, so one process serves every
# request and the access log counts them. It is started by an unchanged
# copy of scripts/web.sh next to a copy of the shipped lighttpd snippet
# with only max-procs changed.
say "memory: lighttpd with max-procs 1, $mem_total requests following cursors ($small)"
memtop=$run/memtop
mem=$run/mem
mkdir -p "$memtop/scripts" "$memtop/lighttpd" "$mem"
chmod 0755 "$mem"
install -m 0755 scripts/web.sh "$memtop/scripts/web.sh"
sed -E 's/("max-procs" *=> *)[0-9]+/\11/' lighttpd/calls-api.conf \
    >"$memtop/lighttpd/calls-api.conf"
grep -q '"max-procs" *=> *1,' "$memtop/lighttpd/calls-api.conf" ||
    die "could not set max-procs 1"
install -m 0644 "$conf" "$mem/calls-api.cnf"
install -m 0755 "$build/calls-api" "$mem/calls-api"
web_start mem/calls-api "$memtop/scripts/web.sh" lighttpd "$mem" \
    "$mem/calls-api"
mem_log=$mem/lighttpd/access.log

served() {
	grep -c ' /api/calls' "$mem_log" || true
}

rss() {	# both sizes as JSON
	awk '$1 == "VmRSS:" { r = $2 } $1 == "VmHWM:" { h = $2 }
	    END { printf "{\"vmrss_kib\":%d,\"vmhwm_kib\":%d}", r, h }' \
	    "/proc/$1/status"
}

# Send requests until the responder has served $1 in all: two
# connections, each stopping itself after its share (follow.lua), and
# wrk stopped once the access log shows the total.
serve_until() {
	local total=$1 share
	share=$(( (total - $(served) + 1) / 2 ))
	setsid wrk -t2 -c2 -d600s -s bench/follow.lua \
	    -H "Authorization: Bearer $key_small" "$(url mem calls-api)" \
	    -- "$limit" "$share" >"$run/mem-wrk.out" 2>&1 &
	child=$!
	while [ "$(served)" -lt "$total" ] && kill -0 "$child" 2>/dev/null; do
		sleep 0.2
	done
	kill -INT "$child" 2>/dev/null || true
	wait "$child" || true
	child=""
	grep -q '"non2xx":0,' "$run/mem-wrk.out" || die "non-2xx in the memory run"
}

curl -s -o /dev/null -H "Authorization: Bearer $key_small" "$(url mem calls-api)?limit=$limit"
# lighttpd writes its access log about once a second.
for _ in $(seq 1 50); do
	[ "$(served)" -ge 1 ] && break
	sleep 0.1
done
mem_pid=$(pgrep -P "$(web_pid lighttpd "$mem")")
[ "$(wc -w <<<"$mem_pid")" -eq 1 ] || die "expected one responder, got: $mem_pid"
record "{\"kind\":\"memory\",\"requests\":$(served),\"pid\":$mem_pid,\"status\":$(rss "$mem_pid")}"
for n in "$mem_first" "$mem_total"; do
	serve_until "$n"
	record "{\"kind\":\"memory\",\"requests\":$(served),\"pid\":$mem_pid,\"status\":$(rss "$mem_pid")}"
	say "memory: after $(served) requests: $(rss "$mem_pid")"
done
[ "$(pgrep -P "$(web_pid lighttpd "$mem")")" = "$mem_pid" ] ||
    die "the responder was replaced during the memory run"

# --- Report --------------------------------------------------------------
loadavg_end=$(cut -d' ' -f1-3 /proc/loadavg)
record "{\"kind\":\"meta\",\"seconds\":$seconds,\"repeats\":$repeats,\"warmup\":$warmup,\"rows\":$rows,\"small_rows\":$small_rows,\"limit\":$limit,\"mem_first\":$mem_first,\"mem_total\":$mem_total,\"apache_max\":$apache_max,\"apache_rated\":$apache_rated,\"lighttpd_max\":$lighttpd_max,\"lighttpd_rated\":$lighttpd_rated,\"page_body_bytes\":$page_bytes,\"trivial_body_bytes\":$trivial_bytes,\"depth_requests\":$depth_requests,\"keyset_sql_runs\":$keyset_sql_runs,\"offset_runs\":$offset_runs,\"loadavg_start\":\"$loadavg_start\",\"loadavg_end\":\"$loadavg_end\",\"elapsed_s\":$SECONDS,\"date\":\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\"}"

mkdir -p "$top/run"
perl bench/report.pl "$raw" "$out_json" "$out_md" "$run/depth.dat"
{
	printf '\n### CGI (Apache mpm_event + mod_cgid)\n\n'
	sed '1,2{/^<!--/d; /^$/d}' "$run/cgi.md"
} | tee -a "$out_md"
{
	printf '\n### Rows examined per page\n\n'
	sed '1,2{/^<!--/d; /^$/d}' "$run/rows.md"
} | tee -a "$out_md"
if command -v gnuplot >/dev/null; then
	gnuplot -e "data='$run/depth.dat'; out='$out_png'; rows=$rows" \
	    bench/depth.gp
	say "plot: $out_png"
fi
say "done in ${SECONDS}s: $out_json, $out_md"
