#!/bin/sh
# Deliberate-bug check: apply each mutation of a list to the source, one at
# a time, build into build/mutate, run the unit tests and then, only if
# they all pass, the integration tests named for it; put the file back.
# A mutation is killed when a test fails (or crashes, or times out).
#
#   tests/mutate.sh [-i] [LIST]      (default tests/mutants.txt)
#
# -i: the integration tests only (how strong they are on their own).
#
# LIST: one mutation a line, four fields separated by " :: ":
#   file :: perl substitution (perl -0p, the whole file at once)
#        :: integration tests to run if the unit tests pass, or -
#        :: what the bug is
# A substitution that changes nothing is an error (the list is stale).
# Logs: build/mutate/logs/<n>.log. Exit status 0 when every mutation
# was killed.
set -u
cd "$(dirname "$0")/.." || exit 2
only_integration=0
if [ "${1:-}" = -i ]; then
	only_integration=1
	shift
fi
list=${1:-tests/mutants.txt}
build=build/mutate
logs=$build/logs
mkdir -p "$logs" || exit 2
backup=
restore() {
	if [ -n "$backup" ]; then
		cp "$backup" "$mfile" && rm -f "$backup"
		backup=
	fi
}
trap 'restore' EXIT
trap 'restore; exit 130' INT TERM

units=$(ls tests/unit/test_*.c | sed "s|tests/unit/|$build/tests/|; s|\.c\$||")

# One test run: 0 passed, else failed. $1 is a log, the rest the command.
run() {
	log=$1
	shift
	timeout -k 10 900 "$@" >>"$log" 2>&1 </dev/null
}

n=0 killed=0 survived=0
while IFS= read -r line; do
	case $line in '' | '#'*) continue ;; esac
	n=$((n + 1))
	mfile=$(printf '%s\n' "$line" | awk -F ' :: ' '{ print $1 }')
	expr=$(printf '%s\n' "$line" | awk -F ' :: ' '{ print $2 }')
	itests=$(printf '%s\n' "$line" | awk -F ' :: ' '{ print $3 }')
	what=$(printf '%s\n' "$line" | awk -F ' :: ' '{ print $4 }')
	log=$logs/$n.log
	printf '# %s\n# %s: %s\n' "$what" "$mfile" "$expr" >"$log"

	backup=$(mktemp) && cp "$mfile" "$backup" || exit 2
	if ! perl -0pi -e "$expr" "$mfile" || cmp -s "$mfile" "$backup"; then
		restore
		echo "$n NOT APPLIED  $what ($mfile)"
		exit 2
	fi
	diff -u "$backup" "$mfile" >>"$log"
	verdict=SURVIVED
	if ! make -s WERROR=1 BUILD=$build $build/calls-api $units \
	    >>"$log" 2>&1 </dev/null; then
		verdict="DOES NOT BUILD"
	else
		for t in $units; do
			[ $only_integration = 1 ] && break
			echo "## $t" >>"$log"
			if ! run "$log" "$t"; then
				verdict="KILLED by ${t##*/}"
				break
			fi
		done
		if [ "$verdict" = SURVIVED ] && [ "$itests" != - ]; then
			for t in $itests; do
				echo "## $t" >>"$log"
				if ! CALLS_API_BIN=$PWD/$build/calls-api \
				    run "$log" perl "$t"; then
					verdict="KILLED by ${t##*/}"
					break
				fi
			done
		fi
	fi
	restore
	case $verdict in
	KILLED*) killed=$((killed + 1)) ;;
	*) survived=$((survived + 1)) ;;
	esac
	printf '%2d %-30s %s (%s)\n' "$n" "$verdict" "$what" "$log"
done <"$list"

# Leave build/mutate matching the source again.
make -s WERROR=1 BUILD=$build $build/calls-api $units >/dev/null 2>&1
echo "killed $killed of $n, survived $survived"
[ "$survived" -eq 0 ]
