#!/usr/bin/env bash
# make bench-pool: tail latency of each FastCGI front at 1x, 2x and 4x its
# process count, and in the first second after an idle spell.
#
# Fronts (scripts/web.sh): apache (mod_fcgid, the shipped drop-in:
# FcgidMaxProcessesPerClass processes), proxy-fcgi, nginx and
# lighttpd-pool (Apache mod_proxy_fcgi, nginx, lighttpd + mod_fastcgi in
# front of `calls-api serve` with BENCH_POOL_WORKERS workers), lighttpd
# (mod_fastcgi starting its own "max-procs" responders).
#
# For each front, in each repeat (fronts interleaved, so drift in the
# machine's load spreads over all of them):
#   cold   the front is started afresh (mod_fcgid then has no process, as
#          after an idle spell that its FcgidIdleTimeout shrank the pool),
#          left idle BENCH_POOL_IDLE seconds, then 1x clients burst for one
#          second, a new connection per request (bench/burst.pl: every
#          request of that second is timed to its end);
#   1x 2x 4x  after a warm-up (for mod_fcgid: until it has spawned all
#          its processes), wrk (bench/follow.lua: pages followed by
#          cursor, one connection per thread, keep-alive) for
#          BENCH_POOL_SECONDS at that many connections.
# The medians over BENCH_POOL_REPEATS go to bench/results-pool.md, with
# the target of issue 12 for the pool fronts: p99 at 2x <= 3 x p99 at 1x.
#
# Knobs: BENCH_POOL_SECONDS (10), BENCH_POOL_REPEATS (3), BENCH_POOL_IDLE
# (5), BENCH_POOL_WORKERS (8), BENCH_POOL_FRONTS (all five),
# BENCH_POOL_QUICK=1 (3 s, 1 repeat, 2 s idle: a check that it works).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
prefix=bench-pool
. bench/lib.sh
build=${BUILD:-build}

if [ "${BENCH_POOL_QUICK:-0}" = 1 ]; then
	: "${BENCH_POOL_SECONDS:=3}" "${BENCH_POOL_REPEATS:=1}"
	: "${BENCH_POOL_IDLE:=2}"
fi
seconds=${BENCH_POOL_SECONDS:-10}
repeats=${BENCH_POOL_REPEATS:-3}
idle=${BENCH_POOL_IDLE:-5}
workers=${BENCH_POOL_WORKERS:-8}
fronts=${BENCH_POOL_FRONTS:-apache proxy-fcgi nginx lighttpd lighttpd-pool}
warmup=2
limit=50
out_md=$top/bench/results-pool.md

for tool in wrk curl perl; do
	command -v "$tool" >/dev/null || die "$tool is missing (make deps)"
done
[ -x "$build/calls-api" ] || die "$build/calls-api missing (make)"

# The process count each front is rated for.
procs_of() {
	case "$1" in
	apache) apache_max_processes ;;
	lighttpd) lighttpd_max_processes ;;
	*) echo "$workers" ;;
	esac
}

run=$(mktemp -d /tmp/calls-api-bench-pool.XXXXXX)
chmod 0755 "$run"
results=$run/results.jsonl
started=()
child=""
cleanup() {
	local rc=$? s
	trap - EXIT INT TERM
	[ -z "$child" ] || kill -- -"$child" 2>/dev/null || true
	for s in "${started[@]}"; do
		scripts/web.sh stop "$s" "$run" >/dev/null 2>&1 || true
	done
	scripts/db.sh stop "$run" >/dev/null 2>&1 || true
	if [ "$rc" -ne 0 ] || [ -n "${KEEP_RUN_DIR:-}" ]; then
		echo "bench-pool: run directory kept: $run" >&2
	else
		rm -rf "$run"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say "database and sample data in $run"
scripts/db.sh start "$run" >/dev/null
scripts/sample-data.sh "$run" >/dev/null
install -m 0755 "$build/calls-api" "$run/calls-api"
key=$(awk '$1 == "org_acme" { print $2 }' "$run/demo-keys.txt")

port=$(scripts/free-port.sh)

start_front() {
	POOL_SIZE=$workers scripts/web.sh start "$1" "$run" "$port" \
	    "$run/calls-api" >/dev/null
	started+=("$1")
}

stop_front() {
	scripts/web.sh stop "$1" "$run" >/dev/null
}

url="http://127.0.0.1:$port/api/calls?limit=$limit"

record() { echo "$1" >>"$results"; }

wrk_at() {
	local front=$1 mult=$2 rep=$3 c res
	c=$(( $(procs_of "$front") * mult ))
	measure wrk -t"$c" -c"$c" -d"${seconds}s" --timeout 10s --latency \
	    -s bench/follow.lua -H "Authorization: Bearer $key" \
	    "http://127.0.0.1:$port/api/calls" -- "$limit" >"$run/wrk.out" 2>&1
	res=$(sed -n 's/^BENCH //p' "$run/wrk.out")
	[ -n "$res" ] || { cat "$run/wrk.out" >&2; die "wrk failed"; }
	record "{\"front\":\"$front\",\"what\":\"${mult}x\",\"c\":$c,\"rep\":$rep,\"res\":$res}"
	say "$(printf '%-13s %sx c=%-2s: ' "$front" "$mult" "$c")$(perl -MJSON::PP \
	    -e '$r = decode_json($ARGV[0]); printf "%.0f req/s, p99 %.1f ms, non-2xx %d",
	    $r->{rps}, $r->{p99_us} / 1e3, $r->{non2xx}' "$res")"
}

for rep in $(seq 1 "$repeats"); do
	for front in $fronts; do
		n=$(procs_of "$front")
		start_front "$front"
		sleep "$idle"
		measure perl bench/burst.pl "$url" "$key" "$n" 1 >"$run/burst.out"
		res=$(sed -n 's/^BURST //p' "$run/burst.out")
		[ -n "$res" ] || die "burst failed"
		record "{\"front\":\"$front\",\"what\":\"cold\",\"c\":$n,\"rep\":$rep,\"res\":$res}"
		say "$(printf '%-13s cold c=%-2s: ' "$front" "$n")$(perl -MJSON::PP \
		    -e '$r = decode_json($ARGV[0]); printf "%d requests, p99 %.1f ms, failed %d",
		    $r->{requests}, $r->{p99_us} / 1e3, $r->{failed}' "$res")"
		# Warm-up at 2x; mod_fcgid spawns its processes one by one:
		# again until it has them all (as bench/run.sh does), so that
		# 1x-4x measure a warm pool, not start-up.
		for _ in 1 2 3 4 5; do
			measure wrk -t$((2 * n)) -c$((2 * n)) -d${warmup}s \
			    -s bench/follow.lua -H "Authorization: Bearer $key" \
			    "http://127.0.0.1:$port/api/calls" -- "$limit" \
			    >/dev/null 2>&1
			[ "$front" = apache ] || break
			have=$(count_below "$(web_pid apache "$run")" calls-api)
			[ "$have" -lt "$n" ] || break
		done
		for mult in 1 2 4; do
			wrk_at "$front" "$mult" "$rep"
		done
		stop_front "$front"
	done
done

perl -MJSON::PP -e '
	my ($file, $seconds, $repeats, $idle, $workers) = @ARGV;
	my (%v, %c, @order);
	open my $fh, "<", $file or die $!;
	while (<$fh>) {
		my $r = decode_json($_);
		push @order, $r->{front} unless grep { $_ eq $r->{front} } @order;
		push @{ $v{$r->{front}}{$r->{what}}{p99} }, $r->{res}{p99_us} / 1e3;
		push @{ $v{$r->{front}}{$r->{what}}{rps} }, $r->{res}{rps} // 0;
		push @{ $v{$r->{front}}{$r->{what}}{max} }, $r->{res}{max_us} / 1e3;
		push @{ $v{$r->{front}}{$r->{what}}{bad} },
		    ($r->{res}{non2xx} // 0) + ($r->{res}{failed} // 0);
		$c{$r->{front}}{$r->{what}} = $r->{c};
	}
	sub med { my @s = sort { $a <=> $b } @_; $s[$#s / 2] }
	my %name = (apache => "Apache + mod_fcgid", "proxy-fcgi" =>
	    "Apache mod_proxy_fcgi + pool", nginx => "nginx + pool",
	    lighttpd => "lighttpd (its own responders)", "lighttpd-pool" =>
	    "lighttpd + pool");
	print "# FastCGI fronts: p99 at 1x, 2x, 4x the process count\n\n";
	print "Written by `make bench-pool` (bench/pool.sh). Medians of $repeats",
	    " repeat(s); each wrk run $seconds s (pages of 50 followed by",
	    " cursor, keep-alive); cold: the first second of a burst at 1x",
	    " after a fresh start and ${idle} s idle, a new connection per",
	    " request. Pool: calls-api serve --workers $workers. Loopback,",
	    " load generator on the same 2 cores.\n\n";
	print "| front | processes | cold p99 ms | cold max ms | 1x p99 ms | 2x p99 ms |",
	    " 4x p99 ms | 1x req/s | 2x req/s | 4x req/s | 2x/1x p99 |",
	    " not 2xx |\n";
	print "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
	for my $f (@order) {
		my $x = $v{$f};
		my $bad = 0;
		$bad += $_ for map { @{ $x->{$_}{bad} } } keys %$x;
		my $ratio = med(@{ $x->{"2x"}{p99} }) / med(@{ $x->{"1x"}{p99} });
		my $target = $f =~ /pool|proxy-fcgi|nginx/ ?
		    ($ratio <= 3 ? " (target met)" : " (target missed)") : "";
		printf "| %s | %d | %.1f | %.1f | %.1f | %.1f | %.1f | %.0f |"
		    . " %.0f | %.0f | %.2f%s | %d |\n", $name{$f} // $f,
		    $c{$f}{"1x"}, med(@{ $x->{cold}{p99} }),
		    med(@{ $x->{cold}{max} }),
		    med(@{ $x->{"1x"}{p99} }), med(@{ $x->{"2x"}{p99} }),
		    med(@{ $x->{"4x"}{p99} }), med(@{ $x->{"1x"}{rps} }),
		    med(@{ $x->{"2x"}{rps} }), med(@{ $x->{"4x"}{rps} }),
		    $ratio, $target, $bad;
	}
' "$results" "$seconds" "$repeats" "$idle" "$workers" >"$out_md"
cat "$out_md"
say "written to bench/results-pool.md"
