# Shell helpers shared by the bench scripts (bench/run.sh, cgi.sh, rows.sh,
# pool.sh, agents.sh, soak.sh, ab.sh); sourced, from the top of the
# checkout.

# say MESSAGE: progress on stderr, "[bench  12s] ..." ($prefix, bash's SECONDS).
say() {
	printf '[%s %3ds] %s\n' "${prefix:-bench}" "$SECONDS" "$*" >&2
}

die() {
	echo "${prefix:-bench}: $*" >&2
	exit 1
}

# The shipped process limits (what "rated concurrency" is derived from).
apache_max_processes() {
	awk '$1 == "FcgidMaxProcessesPerClass" { print $2 }' apache/calls-api.conf
}

lighttpd_max_processes() {
	sed -nE 's/.*"max-procs" *=> *([0-9]+).*/\1/p' lighttpd/calls-api.conf
}

# web_pid SERVER RUN_DIR: the pid of a server's main process (scripts/web.sh).
web_pid() {
	case "$1" in
	apache) cat "$2/apache/httpd.pid" ;;
	lighttpd) cat "$2/lighttpd/lighttpd.pid" ;;
	esac
}

# pids_below PID COMM: the processes named COMM below PID (the FastCGI
# responders, which are named after their binary), one a line, sorted.
pids_below() {
	ps -e -o pid=,ppid=,comm= | awk -v root="$1" -v comm="$2" '
		{ parent[$1] = $2; name[$1] = $3 }
		END {
			for (p in parent) {
				if (name[p] != comm) continue
				for (q = parent[p]; q > 1; q = parent[q])
					if (q == root) { print p; break }
			}
		}' | sort -n
}

# count_below PID COMM: how many pids_below.
count_below() {
	pids_below "$1" "$2" | wc -l
}

# rss_kib PID: VmRSS in KiB; fails when the process is gone.
rss_kib() {
	awk '$1 == "VmRSS:" { print $2; found = 1 } END { exit !found }' \
	    "/proc/$1/status" 2>/dev/null
}

# Run a measurement in its own process group (so the caller's exit trap
# can stop it and everything it forked: the pid is in $child while it
# runs) and wait for it; the caller redirects its output.
measure() {
	local rc=0
	setsid "$@" &
	child=$!
	wait "$child" || rc=$?
	child=""
	return "$rc"
}

# bench_wrk OUT DB_PID WEB_PID COMM -- WRK_ARGS...: one wrk run (by
# measure, its output in OUT) between two CPU snapshots (bench/cpu.pl;
# its files in $run). Sets res, the JSON of the BENCH line that
# bench/follow.lua prints, and cpu, cpu.pl diff's JSON of CPU seconds
# (MariaDB DB_PID, the web server WEB_PID apart from the responders named
# COMM below it, those responders, wrk, the rest). Dies, showing OUT, when
# wrk printed no BENCH line.
bench_wrk() {
	local out=$1 db=$2 web=$3 comm=$4
	shift 4
	[ "${1:-}" = -- ] || die "bench_wrk OUT DB_PID WEB_PID COMM -- WRK_ARGS"
	shift
	perl bench/cpu.pl snap >"$run/cpu.before"
	times >"$run/times.before"
	measure wrk "$@" >"$out" 2>&1
	times >"$run/times.after"
	perl bench/cpu.pl snap >"$run/cpu.after"
	res=$(sed -n 's/^BENCH //p' "$out")
	[ -n "$res" ] || { cat "$out" >&2; die "wrk failed"; }
	cpu=$(perl bench/cpu.pl diff "$run/cpu.before" "$run/cpu.after" \
	    "$run/times.before" "$run/times.after" "$db" "$web" "$comm")
}

# The common parts of a bench's cleanup() (which stops its own web
# servers in between): the load generator's process group ($child) ...
bench_stop_child() {
	if [ -n "${child:-}" ]; then
		kill -TERM -- "-$child" 2>/dev/null || true
		wait "$child" 2>/dev/null || true
	fi
}

# ... and the end: MariaDB of $run stopped, $run removed unless the bench
# failed or KEEP_RUN_DIR is set, exit with status rc.
bench_end() {
	local rc=$1
	scripts/db.sh stop "$run" >/dev/null 2>&1 || true
	if [ "$rc" -ne 0 ] || [ -n "${KEEP_RUN_DIR:-}" ]; then
		say "run directory kept: $run"
	else
		rm -rf "$run"
	fi
	exit "$rc"
}

# cleanup() on exit; INT and TERM exit with their usual statuses.
bench_traps() {
	trap cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}
