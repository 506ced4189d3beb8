# Shell helpers shared by the bench scripts (bench/run.sh, cgi.sh, rows.sh,
# pool.sh, agents.sh, soak.sh, ab.sh); sourced, from the top of the
# checkout.

# A signal that stops a bench runs its traps inside whatever redirection
# is active then (`measure wrk ... >"$run/wrk.out" 2>&1`), and cleanup()
# must not write into that file: bench_traps points stdout and stderr
# back at what they were as the bench started. Not by keeping copies of
# them (every daemon the bench starts would inherit those: a pipe to the
# bench's reader held open by mariadbd) but by their /proc/PID/fd
# targets (a terminal, a file, pipe:[inode]), found again through the
# copy bash keeps while a redirection lasts.
bench_fd_target() {
	readlink "/proc/$$/fd/$1" 2>/dev/null || true
}
bench_stdout=$(bench_fd_target 1)
bench_stderr=$(bench_fd_target 2)

# bench_fd_writable N: whether our descriptor N is open for writing.
bench_fd_writable() {
	local flags
	flags=$(awk '$1 == "flags:" { print $2 }' "/proc/$$/fdinfo/$1" \
	    2>/dev/null) || return 1
	[ -n "$flags" ] && [ $((8#$flags & 3)) -ne 0 ]
}

# bench_fd_restore FD TARGET: FD (1 or 2) pointed at TARGET again when a
# redirection moved it, through another descriptor of ours that points
# there and is open for writing; left alone when there is none.
bench_fd_restore() {
	local fd=$1 target=$2 f
	[ -n "$target" ] || return 0
	[ "$(bench_fd_target "$fd")" != "$target" ] || return 0
	for f in "/proc/$$/fd/"*; do
		f=${f##*/}
		if [ "$f" = "$fd" ] ||
		    [ "$(bench_fd_target "$f")" != "$target" ] ||
		    ! bench_fd_writable "$f"; then
			continue
		fi
		case $fd in
		1) exec 1>&"$f" ;;
		2) exec 2>&"$f" ;;
		esac
		return 0
	done
}

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
	# shellcheck disable=SC2034 # the caller's
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

# The EXIT trap of bench_traps: the bench's own stdout and stderr back
# (a TERM during `measure ... >file` would send cleanup's messages, "run
# directory kept" among them, into that file), then cleanup() with the
# exit status in $?.
bench_exit() {
	local rc=$?
	set +e
	bench_fd_restore 1 "$bench_stdout"
	bench_fd_restore 2 "$bench_stderr"
	bench_status "$rc"
	cleanup
}

bench_status() {
	return "$1"
}

# cleanup() on exit; INT and TERM exit with their usual statuses.
bench_traps() {
	trap bench_exit EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}
