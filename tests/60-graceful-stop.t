#!/usr/bin/perl
# SIGTERM to the responders while one of them is in the middle of a
# request: that response still completes, then every process exits.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Time::HiRes qw(sleep time);
use Stack;

my $st = Stack->new;
my $key = $st->demo_keys->{org_acme};
# A long database budget, so that a loaded machine (one mariadb client
# spawned per poll below) still sees the request waiting before its 503.
open my $cnf, '>>', $st->dir . '/calls-api.cnf' or die $!;
print $cnf "db-budget-ms=10000\n";
close $cnf;
$st->start_web('lighttpd');
is($st->get('lighttpd', '/api/calls?limit=1', $key)->{status}, 200,
    'responders up');

sub responders {
	my $bin = $st->dir . '/calls-api';
	return grep { (readlink("/proc/$_/exe") // '') eq $bin }
	    map { m{/proc/(\d+)$} ? $1 : () } glob '/proc/[0-9]*';
}
my @pids = responders();
ok(@pids >= 1, 'responder processes: ' . join(' ', @pids));

# Hold a write lock on calls so that the next page query waits for it.
open my $locker, '|-', Stack::top() . '/scripts/db.sh', 'sql', $st->dir,
    'calls' or die $!;
select((select($locker), $| = 1)[0]);
print $locker "LOCK TABLES calls WRITE;\n";
# Held before the request starts (a client started under load may take
# longer than any fixed pause; the request would then not wait at all).
my $locked = 0;
for (1 .. 300) {
	$locked = $st->sql("SHOW OPEN TABLES FROM calls WHERE `Table` = 'calls'"
	    . " AND In_use > 0") ne '' and last;
	sleep 0.05;
}
ok($locked, 'the write lock on calls is held');

# The request, in a child: it blocks on the lock.
my $out = $st->dir . '/slow-response';
my $child = fork // die "fork: $!";
if ($child == 0) {
	my $r = $st->get('lighttpd', '/api/calls?limit=3', $key);
	open my $fh, '>', $out or die $!;
	print $fh "$r->{status}\n$r->{body}";
	close $fh;
	require POSIX;
	POSIX::_exit(0);
}
# Waiting on the lock, as the database sees it. Kept well inside the
# responder's database budget (10 s, above): a longer wait is a 503.
my $waiting = 0;
for (1 .. 150) {
	$waiting = $st->sql("SELECT COUNT(*) FROM information_schema.processlist"
	    . " WHERE user = 'calls_api' AND state LIKE 'Waiting for table%'");
	last if $waiting || -e $out;	# waiting, or answered already
	sleep 0.02;
}
ok($waiting && !-e $out, 'the request is waiting on the lock');

my $t0 = time;
kill 'TERM', @pids;
sleep 0.3;
print $locker "UNLOCK TABLES;\n";
close $locker;
waitpid $child, 0;

open my $fh, '<', $out or die "no response: $!";
my ($status, $body) = split /\n/, do { local $/; <$fh> }, 2;
is($status, 200, 'the request in progress got its 200 after SIGTERM');
like($body, qr/^\{"success":true,"data":\[\{.*"page_size":3\}\}$/,
    '  with its whole body');

my @left;
for (1 .. 50) {
	@left = grep { my $p = $_; grep { $_ == $p } @pids } responders();
	last unless @left;
	sleep 0.1;
}
is("@left", '', sprintf('every signalled responder exited (%.1f s)',
    time - $t0));
is($st->crashes('lighttpd'), '', 'no crash');
done_testing;
