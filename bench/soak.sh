#!/usr/bin/env bash
# make soak: wrk at the rated concurrency through Apache + mod_fcgid (the
# shipped apache/calls-api.conf) for SOAK_SECONDS (default 60), every
# connection following cursors through an organisation of SOAK_ROWS calls
# (default 200,000). Private MariaDB and Apache on loopback, all stopped at
# the end.
#
# Passes (exit 0) when, over the measured run:
#   - zero non-2xx responses and zero socket errors (wrk + bench/follow.lua);
#   - every responder present after the warm-up is still alive at the end
#     (none died or was replaced), nothing in the error log that looks
#     like a crash;
#   - every responder's resident size is flat: VmRSS at the end at most
#     SOAK_RSS_SLACK_KIB (default 64) above its value after the warm-up.
# Figures: a table on stdout and run/soak.json.
#
# Knobs: SOAK_SECONDS, SOAK_ROWS, SOAK_CONCURRENCY (default: the rated
# concurrency: FcgidMaxProcessesPerClass, as in make bench),
# SOAK_SAMPLE_SECONDS (10), SOAK_RSS_SLACK_KIB.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
. bench/lib.sh

build=${BUILD:-build}
seconds=${SOAK_SECONDS:-60}
rows=${SOAK_ROWS:-200000}
sample=${SOAK_SAMPLE_SECONDS:-10}
slack=${SOAK_RSS_SLACK_KIB:-64}
apache_max=$(apache_max_processes)
conc=${SOAK_CONCURRENCY:-$apache_max}
org=org_soak
prefix=soak

for tool in wrk curl perl mariadb; do
	command -v "$tool" >/dev/null || die "$tool is missing (make deps)"
done
[ -x "$build/calls-api" ] || die "$build/calls-api missing (make)"

run=$(mktemp -d /tmp/calls-api-soak.XXXXXX)
chmod 0755 "$run"
wrk_pid=""
cleanup() {
	local rc=$?
	set +e
	trap - EXIT INT TERM
	[ -n "$wrk_pid" ] && kill -TERM -- "-$wrk_pid" 2>/dev/null
	scripts/web.sh stop apache "$run" >/dev/null 2>&1
	scripts/db.sh stop "$run" >/dev/null 2>&1
	rm -rf "$run"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say "MariaDB; seeding $rows calls for $org"
scripts/db.sh start "$run" >/dev/null
scripts/seed.sh "$run" "$rows" "$org" 2>/dev/null
key=$(scripts/db.sh key "$run" "$org" soak)
install -m 0755 "$build/calls-api" "$run/calls-api"
port=$(scripts/free-port.sh)
scripts/web.sh start apache "$run" "$port" "$run/calls-api" >&2
url="http://127.0.0.1:$port/api/calls"
apache_pid=$(web_pid apache "$run")

follow() {	# follow SECONDS OUTPUT: wrk in its own process group
	setsid wrk -t"$conc" -c"$conc" -d"$1s" --timeout 10s --latency \
	    -s bench/follow.lua -H "Authorization: Bearer $key" "$url" \
	    -- 50 >"$2" 2>&1 &
	wrk_pid=$!
}

# Warm-up: mod_fcgid spawns responders on demand, one at a time; let it
# reach the number this concurrency needs (up to three rounds of 10 s),
# then take the responders and their sizes as the baseline.
want=$((conc < apache_max ? conc : apache_max))
for round in 1 2 3; do
	say "warm-up round $round: 10 s at concurrency $conc"
	follow 10 "$run/warm.out"
	wait "$wrk_pid" || die "wrk failed in the warm-up: $(cat "$run/warm.out")"
	wrk_pid=""
	[ "$(count_below "$apache_pid" calls-api)" -ge "$want" ] && break
done
pids=$(pids_below "$apache_pid" calls-api | xargs)
[ -n "$pids" ] || die "no responder processes under Apache"
declare -A rss0
for p in $pids; do
	rss0[$p]=$(rss_kib "$p")
done
say "responders after warm-up: $(for p in $pids; do printf '%s=%sKiB ' "$p" "${rss0[$p]}"; done)"

say "soak: $seconds s at concurrency $conc through Apache + mod_fcgid"
follow "$seconds" "$run/soak.out"
samples="[]"
start=$SECONDS
while kill -0 "$wrk_pid" 2>/dev/null; do
	sleep "$sample"
	kill -0 "$wrk_pid" 2>/dev/null || break
	line=""
	for p in $pids; do
		line="$line $p=$(rss_kib "$p" 2>/dev/null || echo gone)"
	done
	say "t+$((SECONDS - start))s VmRSS KiB:$line"
	samples=$(perl -MJSON::PP -e '
		my ($s, $t, @kv) = @ARGV;
		my $a = decode_json($s);
		push @$a, { t => $t + 0, rss_kib => { map { split /=/ } @kv } };
		print JSON::PP->new->canonical->encode($a)' \
	    "$samples" "$((SECONDS - start))" $line)
done
wait "$wrk_pid" || die "wrk failed: $(cat "$run/soak.out")"
wrk_pid=""
res=$(sed -n 's/^BENCH //p' "$run/soak.out")
[ -n "$res" ] || die "no result from wrk: $(cat "$run/soak.out")"

# Verdict.
fail=0
now_pids=$(pids_below "$apache_pid" calls-api | xargs)
rss_json="{"
for p in $pids; do
	if ! r=$(rss_kib "$p" 2>/dev/null); then
		say "FAIL: responder $p is gone"
		fail=1
		continue
	fi
	grow=$((r - ${rss0[$p]}))
	rss_json="$rss_json\"$p\":{\"after_warmup_kib\":${rss0[$p]},\"end_kib\":$r,\"growth_kib\":$grow},"
	if [ "$grow" -gt "$slack" ]; then
		say "FAIL: responder $p grew by $grow KiB (${rss0[$p]} -> $r)"
		fail=1
	fi
done
rss_json="${rss_json%,}}"
# A baseline responder that is gone has already failed above; one that
# mod_fcgid spawned during the run is not a failure, only noted.
new_pids=$(comm -13 <(tr ' ' '\n' <<<"$pids" | sort) \
    <(tr ' ' '\n' <<<"$now_pids" | sort) | xargs)
[ -z "$new_pids" ] || say "note: responders spawned during the run: $new_pids"
if grep -Eq 'Sanitizer|Segmentation|signal 11|signal 6|exit\(communication error\)' \
    "$run/apache/error.log"; then
	say "FAIL: the error log shows a crash:"
	grep -E 'Sanitizer|Segmentation|signal|communication error' \
	    "$run/apache/error.log" | head -5 >&2
	fail=1
fi
read -r non2xx sockerr rps p50 p99 requests < <(perl -MJSON::PP -e '
	my $r = decode_json($ARGV[0]); my $e = $r->{socket_errors};
	printf "%d %d %.0f %.2f %.2f %d\n", $r->{non2xx},
	    $e->{connect} + $e->{read} + $e->{write} + $e->{timeout},
	    $r->{rps}, $r->{p50_us} / 1e3, $r->{p99_us} / 1e3, $r->{requests}' \
    "$res")
[ "$non2xx" -eq 0 ] || { say "FAIL: $non2xx non-2xx responses"; fail=1; }
[ "$sockerr" -eq 0 ] || { say "FAIL: $sockerr socket errors"; fail=1; }

mkdir -p run
cat >run/soak.json <<JSON
{"date":"$(date -u +%Y-%m-%dT%H:%M:%SZ)","seconds":$seconds,"concurrency":$conc,"rows":$rows,"rss_slack_kib":$slack,"wrk":$res,"responders":$rss_json,"samples":$samples,"passed":$((1 - fail))}
JSON
printf '\nsoak: %s s, concurrency %s, Apache + mod_fcgid (%s responders)\n' \
    "$seconds" "$conc" "$(wc -w <<<"$pids")"
printf '  requests %s, %s req/s, p50 %s ms, p99 %s ms\n' "$requests" "$rps" \
    "$p50" "$p99"
printf '  non-2xx %s, socket errors %s\n' "$non2xx" "$sockerr"
for p in $pids; do
	printf '  responder %s: VmRSS %s KiB after warm-up, %s KiB at the end\n' \
	    "$p" "${rss0[$p]}" "$(rss_kib "$p" 2>/dev/null || echo gone)"
done
printf '  result: %s (run/soak.json)\n' "$([ "$fail" -eq 0 ] && echo PASS || echo FAIL)"
exit "$fail"
