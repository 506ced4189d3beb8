#!/usr/bin/perl
# bench/lib.sh: a TERM that stops a bench during `measure ... >file` (a
# wrk run writing wrk.out) runs the bench's cleanup() with the bench's
# own stdout and stderr, not inside the measurement's redirection
# (bench/cgi.sh used to write "run directory kept" into wrk.out), with
# exit status 143, and the measurement's process group stopped; and
# without handing a copy of the bench's stdout or stderr to what it
# starts (daemons would hold a pipe to the bench's reader open). No
# database, no web server: a bash that sources bench/lib.sh and measures
# a sleep.
use strict;
use warnings;

use File::Temp qw(tempdir);
use FindBin;
use POSIX qw(WNOHANG);
use Test::More;
use Time::HiRes qw(sleep);

chdir "$FindBin::Bin/.." or die "chdir: $!";
my $dir = tempdir('calls-api-bench-signals.XXXXXX', TMPDIR => 1,
    CLEANUP => 1);

# A bench in miniature: bench_traps, a cleanup() that says where it runs,
# and one measurement that says it started.
my $bench = <<'EOS';
set -euo pipefail
. bench/lib.sh
prefix=mini
dir=$1
child=""
cleanup() {
	local rc=$?
	set +e
	trap - EXIT INT TERM
	bench_stop_child
	say "cleanup on stderr, exit $rc"
	echo "cleanup on stdout"
	exit "$rc"
}
bench_traps
echo "bench on stdout"
measure sh -c 'for f in /proc/$$/fd/*; do
	echo "${f##*/} $(readlink "$f")"; done >"$1/fds"
	echo $$ >"$1/sleep.pid"; echo measuring; exec sleep 30' \
    sh "$dir" >"$dir/measure.out" 2>&1
echo "not reached"
EOS

sub slurp {
	my ($file) = @_;
	open my $fh, '<', $file or return '';
	local $/;
	return scalar <$fh>;
}

sub alive {
	my ($pid) = @_;
	return kill(0, $pid) && slurp("/proc/$pid/stat") !~ /^\d+ \(.*\) Z /;
}

my $pid = fork // die "fork: $!";
if ($pid == 0) {
	open STDOUT, '>', "$dir/stdout" or die;
	open STDERR, '>', "$dir/stderr" or die;
	exec 'bash', '-c', $bench, 'mini', $dir or die "bash: $!";
}

# Wait until the measurement runs (the shell then waits inside measure,
# with its stdout and stderr redirected to measure.out).
my $waited = 0;
until (slurp("$dir/measure.out") =~ /measuring/ && -s "$dir/sleep.pid") {
	if ($waited > 20 || waitpid($pid, WNOHANG) == $pid) {
		kill 'KILL', $pid;
		BAIL_OUT("the mini bench did not start measuring; stderr: " .
		    slurp("$dir/stderr"));
	}
	sleep 0.1;
	$waited += 0.1;
}
chomp(my $sleep_pid = slurp("$dir/sleep.pid"));
sleep 0.2;	# the shell is in wait(1) by now
kill 'TERM', $pid or die "kill: $!";
my $rc = -1;
for (1 .. 100) {
	if (waitpid($pid, WNOHANG) == $pid) {
		$rc = $?;
		last;
	}
	sleep 0.1;
}
if ($rc == -1) {
	kill 'KILL', $pid;
	waitpid($pid, 0);
}

is($rc >> 8, 143, 'TERM during a measurement: exit status 143');
like(slurp("$dir/stderr"), qr/^\[mini +\d+s\] cleanup on stderr, exit 143$/m,
    "cleanup's say() on the bench's stderr");
is(slurp("$dir/stdout"), "bench on stdout\ncleanup on stdout\n",
    "cleanup's stdout on the bench's stdout");
is(slurp("$dir/measure.out"), "measuring\n",
    'nothing of cleanup in the measurement\'s output file');
my @copies = grep { m{ \Q$dir\E/std(?:out|err)$} } split /\n/,
    slurp("$dir/fds");
ok(@copies == 0, 'what the bench starts holds no copy of its stdout or '.
    'stderr') or diag(join "\n", @copies);
my $gone = 0;
for (1 .. 50) {
	last if ($gone = !alive($sleep_pid));
	sleep 0.1;
}
ok($gone, 'the measurement stopped with the bench') or
    kill 'KILL', $sleep_pid;

done_testing();
