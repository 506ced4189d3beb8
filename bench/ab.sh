#!/usr/bin/env bash
# Alternating A/B of two responder binaries behind the same web server:
# round after round, each binary in a freshly started server, a 1 s
# warm-up, then wrk for SECONDS at CLIENTS connections (limit=10 pages of
# the sample data). Per run: requests, non-2xx answers, req/s and the
# responders' CPU per request (utime + stime from /proc/PID/stat of every
# process running that binary); at the end the medians and the per-pair
# ratio B/A. Machine load drifts: only pairs run back to back compare.
#   bench/ab.sh SERVER ROUNDS SECONDS CLIENTS BINARY_A BINARY_B
# SERVER: a scripts/web.sh kind (lighttpd, apache, proxy-fcgi, nginx).
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=ab
. bench/lib.sh

[ $# -eq 6 ] || { sed -n '9,10s/^#  //p' "$0" >&2; exit 2; }
server=$1 rounds=$2 secs=$3 clients=$4
for n in "$rounds" "$secs" "$clients"; do
	case "$n" in '' | *[!0-9]* | 0) die "ROUNDS, SECONDS, CLIENTS: numbers" ;; esac
done

run=$(mktemp -d /tmp/calls-api-ab.XXXXXX)
chmod 0755 "$run"
cleanup() {
	scripts/web.sh stop "$server" "$run" >/dev/null 2>&1 || true
	scripts/db.sh stop "$run" >/dev/null 2>&1 || true
	rm -rf "$run"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
# Copies in the run dir (reachable by www-data), named a and b.
install -m 0755 "$5" "$run/a"
install -m 0755 "$6" "$run/b"
say "database and sample data in $run"
scripts/db.sh start "$run" >/dev/null
scripts/sample-data.sh "$run" >/dev/null
key=$(awk '$1 == "org_acme" { print $2 }' "$run/demo-keys.txt")
port=$(perl -MIO::Socket::INET -e 'print IO::Socket::INET->new(Listen => 1,
    LocalAddr => "127.0.0.1", LocalPort => 0)->sockport')
url="http://127.0.0.1:$port/api/calls?limit=10"

# CPU ticks (1/100 s) of every process running binary $1.
ticks() {
	local sum=0 pid
	local -a f
	for pid in $(pgrep -xf "$1" || true); do
		read -r -a f < <(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null) ||
		    continue
		sum=$((sum + f[11] + f[12]))
	done
	echo "$sum"
}

results=$run/results
for r in $(seq 1 "$rounds"); do
	for which in a b; do
		scripts/web.sh stop "$server" "$run"
		scripts/web.sh start "$server" "$run" "$port" "$run/$which"
		wrk -t 2 -c "$clients" -d 1s -H "Authorization: Bearer $key" \
		    "$url" >/dev/null
		t0=$(ticks "$run/$which")
		out=$(wrk -t 2 -c "$clients" -d "${secs}s" \
		    -H "Authorization: Bearer $key" "$url")
		t1=$(ticks "$run/$which")
		echo "$out" | awk -v r="$r" -v w="$which" -v t="$((t1 - t0))" '
			/requests in/ { n = $1 }
			/Non-2xx/ { bad = $NF }
			/Requests\/sec/ { rps = $2 }
			END {
				printf "%s %s n=%d bad=%d rps=%.0f us_per_req=%.1f\n",
				    r, w, n, bad, rps, n ? t * 10000 / n : 0
			}' | tee -a "$results"
	done
done
A=$5 B=$6 perl -ne '
	my ($r, $w) = split; my ($rps) = /rps=(\S+)/; my ($us) = /us_per_req=(\S+)/;
	push @{ $us{$w} }, $us; push @{ $rps{$w} }, $rps;
	END {
		sub med { my @s = sort { $a <=> $b } @_;
			@s % 2 ? $s[$#s / 2] : ($s[@s / 2 - 1] + $s[@s / 2]) / 2 }
		printf "%s (%s): median %.1f us/request, %.0f req/s\n", $_,
		    $_ eq "a" ? $ENV{A} : $ENV{B}, med(@{ $us{$_} }),
		    med(@{ $rps{$_} }) for qw(a b);
		my @q = map { $us{b}[$_] / $us{a}[$_] } 0 .. $#{ $us{b} };
		printf "CPU per request b/a: median %.3f over %d pairs (%s)\n",
		    med(@q), scalar @q, join " ", map { sprintf "%.2f", $_ } @q;
	}' "$results"
