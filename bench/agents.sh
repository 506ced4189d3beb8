#!/usr/bin/env bash
# make bench-agents: the list endpoint before and after issue 12, part 2
# (fewer database trips per page), three sides:
#   T  today's: the responder as it was before part 2 (git commit
#      BENCH_AGENTS_BASE, default aee58ec, built into the run directory):
#      the page query joins agents and leaves the index to the optimizer;
#   A  this binary, agent-cache-seconds=0: the join, PRIMARY forced;
#   B  this binary, agent-cache-seconds=30 (the default): names from the
#      per-process cache, PRIMARY forced.
# B/T is the part's figure (target 1.2), B/A what the cache adds and A/T
# what the index hint adds. Without git or that commit (a release
# tarball, a shallow clone) T is left out and said so.
# through lighttpd (the shipped drop-in, "max-procs" responders), wrk
# following cursors (bench/follow.lua, pages of 50, one connection per
# thread) at the rated concurrency (one connection per process).
#
# Rounds alternate T A B T A B ... (BENCH_AGENTS_PAIRS sets): each round
# writes its option file, starts lighttpd afresh (so every round starts
# with cold caches), warms up, then measures two walks of
# BENCH_AGENTS_SECONDS each, with MariaDB's and the responders' CPU
# (bench/cpu.pl):
#   hit   org_acme of the sample data (12,000 calls, 50 agents): after the
#         first pages every agent is cached;
#   miss  org_wide (12,000 calls, every call its own agent, all named),
#         one connection: more agents than a process keeps (4,096), and
#         no two requests in flight on the same page (at several
#         connections the walks run in step and the second request for a
#         page finds the first's names), so the cache would miss every
#         page: after a few pages each process runs the join instead
#         (lib/agent_cache.h), filling the cache from it; the figure says
#         what that choice costs against the join alone.
# bench/results-agents.md: per side and walk the medians of req/s, p99
# and CPU per request; B/T, B/A and A/T as the median of the per-set
# ratios (and the ratio of the medians). Target: hit B/T >= 1.2.
#
# Knobs: BENCH_AGENTS_SECONDS (10), BENCH_AGENTS_PAIRS (5 sets),
# BENCH_AGENTS_QUICK=1 (3 s, 3 sets: a check that it works, or a short
# run on a busy machine), BENCH_AGENTS_BASE (the commit of side T).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
prefix=bench-agents
. bench/lib.sh
build=${BUILD:-build}

if [ "${BENCH_AGENTS_QUICK:-0}" = 1 ]; then
	: "${BENCH_AGENTS_SECONDS:=3}" "${BENCH_AGENTS_PAIRS:=3}"
fi
seconds=${BENCH_AGENTS_SECONDS:-10}
pairs=${BENCH_AGENTS_PAIRS:-5}
ttl_on=30
base_ref=${BENCH_AGENTS_BASE:-aee58ec}
warmup=2
limit=50
out_md=$top/bench/results-agents.md

for tool in wrk curl perl; do
	command -v "$tool" >/dev/null || die "$tool is missing (make deps)"
done
[ -x "$build/calls-api" ] || die "$build/calls-api missing (make)"

run=$(mktemp -d /tmp/calls-api-bench-agents.XXXXXX)
chmod 0755 "$run"
results=$run/results.jsonl
started=0
child=""
cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	bench_stop_child
	[ "$started" = 0 ] || scripts/web.sh stop lighttpd "$run" \
	    >/dev/null 2>&1 || true
	bench_end "$rc"
}
bench_traps

say "database and sample data in $run"
scripts/db.sh start "$run" >/dev/null
scripts/sample-data.sh "$run" >/dev/null
install -m 0755 "$build/calls-api" "$run/calls-api"
# Side T: today's responder, built from git the way make builds this one.
sides="A B"
if git -C "$top" rev-parse -q --verify "$base_ref^{commit}" >/dev/null \
    2>&1; then
	say "side T: building $base_ref (log: $run/base-build.log)"
	mkdir "$run/base"
	git -C "$top" archive "$base_ref" | tar -x -C "$run/base"
	make -C "$run/base" build/calls-api >"$run/base-build.log" 2>&1 ||
	    die "building $base_ref failed: $run/base-build.log"
	# Its own directory: the same name, for bench/cpu.pl to count it.
	install -d -m 0755 "$run/today"
	install -m 0755 "$run/base/build/calls-api" "$run/today/calls-api"
	sides="T A B"
else
	say "side T left out: no commit $base_ref here (not a git clone," \
	    "or a shallow one)"
fi
key_hit=$(awk '$1 == "org_acme" { print $2 }' "$run/demo-keys.txt")
# org_wide: the sample's shape, every call its own (named) agent.
SEED_SALT=w SEED_ANCHOR='2025-06-30 18:00:00' \
    scripts/seed.sh "$run" 12000 org_wide >/dev/null 2>&1
scripts/db.sh sql "$run" calls -e "
    UPDATE calls SET agent_id = CONCAT('w_', LEFT(MD5(call_sid), 24))
    WHERE client_id = 'org_wide';
    INSERT INTO agents (client_id, agent_id, agent_name)
    SELECT DISTINCT client_id, agent_id, CONCAT('Agent ', agent_id)
    FROM calls WHERE client_id = 'org_wide';"
key_miss=$(scripts/db.sh key "$run" org_wide)
db_pid=$(cat "$run/mariadb.pid")
procs=$(lighttpd_max_processes)
port=$(scripts/free-port.sh)
base_conf=$(grep -v '^agent-cache-seconds=' "$run/calls-api.cnf")

record() { echo "$1" >>"$results"; }

# side T|A|B: lighttpd afresh with that side's responder and option
# file (T's knows no agent-cache-seconds).
start_side() {
	local bin=$run/calls-api
	case $1 in
	T)	bin=$run/today/calls-api
		printf '%s\n' "$base_conf" >"$run/calls-api.cnf" ;;
	A)	printf '%s\nagent-cache-seconds=0\n' "$base_conf" \
		    >"$run/calls-api.cnf" ;;
	B)	printf '%s\nagent-cache-seconds=%s\n' "$base_conf" "$ttl_on" \
		    >"$run/calls-api.cnf" ;;
	esac
	scripts/web.sh start lighttpd "$run" "$port" "$bin" >/dev/null
	started=1
}

stop_side() {
	scripts/web.sh stop lighttpd "$run" >/dev/null
	started=0
}

walk() {
	local side=$1 what=$2 key=$3 pair=$4 c=$5 res cpu
	bench_wrk "$run/wrk.out" "$db_pid" "$(web_pid lighttpd "$run")" \
	    calls-api -- -t"$c" -c"$c" -d"${seconds}s" --timeout 10s \
	    --latency -s bench/follow.lua -H "Authorization: Bearer $key" \
	    "http://127.0.0.1:$port/api/calls" -- "$limit"
	record "{\"side\":\"$side\",\"what\":\"$what\",\"pair\":$pair,\"res\":$res,\"cpu\":$cpu}"
	say "$(printf 'pair %s %s %-4s: ' "$pair" "$side" "$what")$(perl -MJSON::PP -e '
	    $r = decode_json($ARGV[0]); $c = decode_json($ARGV[1]);
	    printf "%.0f req/s, p99 %.1f ms, MariaDB %.0f us/req, non-2xx %d",
	    $r->{rps}, $r->{p99_us} / 1e3,
	    $c->{db} * 1e6 / ($r->{requests} || 1), $r->{non2xx}' "$res" "$cpu")"
}

for pair in $(seq 1 "$pairs"); do
	for side in $sides; do
		start_side "$side"
		measure wrk -t"$procs" -c"$procs" -d${warmup}s \
		    -s bench/follow.lua -H "Authorization: Bearer $key_hit" \
		    "http://127.0.0.1:$port/api/calls" -- "$limit" \
		    >/dev/null 2>&1
		walk "$side" hit "$key_hit" "$pair" "$procs"
		walk "$side" miss "$key_miss" "$pair" 1
		stop_side
	done
done

load=$(cut -d' ' -f1-3 /proc/loadavg)
perl -MJSON::PP -e '
	my ($file, $seconds, $pairs, $procs, $ttl, $load, $base) = @ARGV;
	my (%v, %set);
	open my $fh, "<", $file or die $!;
	while (<$fh>) {
		my $r = decode_json($_);
		my $n = $r->{res}{requests} || 1;
		my $x = $v{$r->{what}}{$r->{side}} //= {};
		push @{ $x->{rps} }, $r->{res}{rps};
		push @{ $x->{p99} }, $r->{res}{p99_us} / 1e3;
		push @{ $x->{db} }, $r->{cpu}{db} * 1e6 / $n;
		push @{ $x->{app} }, $r->{cpu}{app} * 1e6 / $n;
		push @{ $x->{bad} }, $r->{res}{non2xx};
		$set{$r->{what}}{$r->{pair}}{$r->{side}} = $r->{res}{rps};
	}
	sub med { my @s = sort { $a <=> $b } @_; $s[$#s / 2] }
	my %name = (T => "T today ($base)", A => "A join", B => "B cache");
	my $has_t = exists $v{hit}{T};
	print "# Agent names and the page query: before and after (A/B)\n\n";
	print "Written by `make bench-agents` (bench/agents.sh). lighttpd,",
	    " $procs responders, wrk at $procs connections following cursors",
	    " (pages of 50; the miss walk at 1 connection); $pairs sets of",
	    " rounds ", $has_t ? "T A B" : "A B", ", each walk $seconds s,",
	    " lighttpd restarted every round. ",
	    $has_t ? "T: the responder before the change (commit $base,".
	    " built here): the join, the index left to the optimizer. " :
	    "T left out (no git commit $base here). ",
	    "A: this responder, agent-cache-seconds=0 (the join, PRIMARY",
	    " forced); B: agent-cache-seconds=$ttl (names from the cache).",
	    " hit: org_acme, 50 agents; miss: org_wide, every call its own",
	    " agent (the cache would miss every page: B runs the join and",
	    " fills it). Medians; CPU per request from bench/cpu.pl. Load",
	    " average at the end: $load (2 CPUs, load generator included).\n\n";
	print "| walk | side | req/s | p99 ms | MariaDB us/req |",
	    " responder us/req | not 2xx |\n";
	print "|---|---|---:|---:|---:|---:|---:|\n";
	for my $w (qw(hit miss)) {
		for my $s (qw(T A B)) {
			my $x = $v{$w}{$s} or next;
			my $bad = 0;
			$bad += $_ for @{ $x->{bad} };
			printf "| %s | %s | %.0f | %.1f | %.0f | %.0f | %d |\n",
			    $w, $name{$s}, med(@{ $x->{rps} }),
			    med(@{ $x->{p99} }), med(@{ $x->{db} }),
			    med(@{ $x->{app} }), $bad;
		}
	}
	print "\n| walk | ratio of req/s | median of sets | each set |",
	    " of the medians |\n|---|---|---:|---|---:|\n";
	my @ratios = (["B", "T", "the change (target: hit >= 1.2)"],
	    ["B", "A", "the cache alone"], ["A", "T", "the index hint alone"]);
	for my $w (qw(hit miss)) {
		for my $q (@ratios) {
			my ($top, $bot, $what) = @$q;
			next unless $v{$w}{$top} && $v{$w}{$bot};
			my @r = map { $set{$w}{$_}{$top} / $set{$w}{$_}{$bot} }
			    grep { $set{$w}{$_}{$top} && $set{$w}{$_}{$bot} }
			    sort { $a <=> $b } keys %{ $set{$w} };
			$what =~ s/ \(target.*// if $w ne "hit";
			printf "| %s | %s/%s, %s | %.2f | %s | %.2f |\n", $w,
			    $top, $bot, $what, med(@r),
			    join(" ", map { sprintf "%.2f", $_ } @r),
			    med(@{ $v{$w}{$top}{rps} }) /
			    med(@{ $v{$w}{$bot}{rps} });
		}
	}
' "$results" "$seconds" "$pairs" "$procs" "$ttl_on" "$load" "$base_ref" \
    >"$out_md"
cat "$out_md"
say "written to bench/results-agents.md"
