#!/usr/bin/perl
# A primary and a GTID replica (two private MariaDB servers): pages are
# read from the replica while its lag is within replica-max-lag, from the
# primary when it is down or behind, and from the replica again once it
# is back; keys are always checked on the primary.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Time::HiRes qw(sleep time);
use Stack;

my $t0 = time;
my $st = do {
	local $ENV{DB_SERVER_ID} = 1;
	local $ENV{DB_TCP_PORT} = Stack::free_port();
	Stack->new(data => 'none');
};
# 300 calls of org_r, on 150 instants (ties broken by call_sid).
$st->sql(<<'SQL');
INSERT INTO calls (call_sid, client_id, to_number, agent_id, created_at)
SELECT CONCAT('call_r', LPAD(seq, 4, '0')), 'org_r', '+15550000000',
       'agent_r', TIMESTAMP('2026-01-01 00:00:00') + INTERVAL (seq DIV 2) SECOND
FROM seq_1_to_300;
SQL
my $key = $st->new_key('org_r');
$st->replica_start;
my $cnf = $st->dir . '/calls-api.cnf';
open my $fh, '>>', $cnf or die $!;
# First a replica that is not there (nothing listens on its port): it is
# skipped for the next one.
my $closed = Stack::free_port();
my $sock = $st->replica_dir . '/mysql.sock';
print $fh "replica=127.0.0.1:$closed\nreplica-socket=$sock\n"
    . "replica-max-lag=1\n";
close $fh;
my $server = 'lighttpd';		# four FastCGI processes
$st->start_web($server);
my $log = $st->dir . "/$server/responder-error.log";

# Index reads so far on the primary and on the replica: the server that
# served a page read its rows (and the agents joined to them) by index;
# a key lookup is one read, a lag check none.
sub rows_read {
	my ($sql) = @_;
	my ($n, $out) = (0);
	$out = $sql->("SHOW GLOBAL STATUS WHERE Variable_name IN "
	    . "('Handler_read_key', 'Handler_read_next', 'Handler_read_prev')");
	$n += $1 while $out =~ /(\d+)\s*$/mg;
	return $n;
}
sub counters {
	return [ rows_read(sub { $st->sql(@_) }),
	    rows_read(sub { $st->replica_sql(@_) }) ];
}
sub moved {
	my ($before) = @_;
	my $now = counters();
	return ($now->[0] - $before->[0], $now->[1] - $before->[1]);
}

# Pages of org_r (300 calls) from cursor on: the call_sids, the
# last next_cursor; at most $max pages (all when undef).
sub walk {
	my ($k, $cursor, $max, $limit) = @_;
	my @sids;
	for (my $n = 0; !defined $max || $n < $max; $n++) {
		my $q = "/api/calls?limit=" . ($limit // 20)
		    . (defined $cursor ? "&cursor=$cursor" : '');
		my $r = $st->get($server, $q, $k);
		if ($r->{status} != 200) {
			diag("page $n: $r->{status} $r->{body}");
			return (undef, undef);
		}
		push @sids, map { $_->{call_sid} } @{ $r->{json}{data} };
		$cursor = $r->{json}{pagination}{next_cursor};
		last unless defined $cursor;
	}
	return (\@sids, $cursor);
}

sub log_lines {
	my ($re) = @_;
	open my $lf, '<', $log or return 0;
	return scalar grep { /$re/ } <$lf>;
}

sub no_dups {
	my %seen;
	return !grep { $seen{$_}++ } @{ $_[0] };
}

# 1. A whole walk from the replica.
my $c = counters();
my ($from_replica) = walk($key);
my ($p, $r) = moved($c);
is(scalar @{ $from_replica // [] }, 300, 'walk from the replica: 300 calls');
ok(no_dups($from_replica // []), '  none twice');
cmp_ok($r, '>=', 300, "  the replica read them ($r rows)");
cmp_ok($p, '<', 30, "  the primary did not (it read $p rows: keys)");

# 2. The replica dies mid-walk (SIGKILL): the next page meets the dead
# server in its lag check or in its page query (which one depends on the
# time since the serving process last measured; tests/unit/test_db_pool.c
# covers each); the walk goes on on the primary.
my ($head, $cursor) = walk($key, undef, 7);
my $rpid = do {
	open my $pf, '<', $st->replica_dir . '/mariadb.pid' or die $!;
	local $/;
	<$pf> =~ /(\d+)/ ? $1 : die 'no replica pid';
};
kill 'KILL', $rpid;
for (1 .. 100) {
	last unless kill 0, $rpid;
	sleep 0.01;
}
my ($tail) = walk($key, $cursor);
is_deeply([ @{ $head // [] }, @{ $tail // [] } ], $from_replica,
    'replica killed after 7 pages: the walk ends on the primary, '
    . 'no call lost or repeated');
my $down = log_lines(qr/replica \Q$sock\E: down/);
ok($down >= 1 && $down <= 4, "  logged once per process ($down lines "
    . "for 8 pages)");


my $refused = log_lines(qr/replica 127\.0\.0\.1:$closed: down/);
ok($refused >= 1 && $refused <= 4, "the replica not there: skipped, logged "
    . "once per process ($refused lines for 30 pages)");

# 3. The primary alone gives the same walk.
my ($from_primary) = walk($key);
is_deeply($from_primary, $from_replica, 'the primary\'s walk equals the '
    . 'replica\'s');

# 4. Back: used again after the retry interval (5 s).
$st->replica_start;
my $again = 0;
for (1 .. 40) {
	$c = counters();
	walk($key, undef, 1, 10);
	($p, $r) = moved($c);
	if ($r >= 10 && $p < 10) {
		$again = 1;
		last;
	}
	sleep 0.25;
}
ok($again, 'replica back: pages from it again');

# 5. Lag: replication stopped while the primary takes writes.
$st->replica_sql('STOP SLAVE SQL_THREAD');
$st->sql(<<'SQL');
INSERT INTO calls (call_sid, client_id, to_number, agent_id, created_at)
VALUES ('call_lag1', 'org_r', '+15550000001', 'a', '2030-01-01 00:00:01'),
       ('call_lag2', 'org_r', '+15550000002', 'a', '2030-01-01 00:00:02');
SQL
sleep 2.2;		# replica-max-lag 1 s + a check interval
my $fresh = 0;
for (1 .. 8) {
	my ($sids) = walk($key, undef, 1, 10);
	$fresh++ if $sids && $sids->[0] eq 'call_lag2' && $sids->[1] eq 'call_lag1';
}
is($fresh, 8, 'replica behind by more than the bound: 8 of 8 pages from '
    . 'the primary (they have its new calls)');
cmp_ok(log_lines(qr/replica \Q$sock\E: behind the primary/), '>=', 1,
    '  logged');
my $pos = $st->sql('SELECT @@gtid_binlog_pos');
$st->replica_sql('START SLAVE SQL_THREAD');
is($st->replica_sql("SELECT MASTER_GTID_WAIT('$pos', 30)"), 0,
    'replication started again: caught up');
sleep 1.1;		# a check interval
$c = counters();
my $has_new = 0;
for (1 .. 8) {
	my ($sids) = walk($key, undef, 1, 10);
	$has_new++ if $sids && $sids->[0] eq 'call_lag2';
}
($p, $r) = moved($c);
is($has_new, 8, '  8 pages with the new calls');
cmp_ok($r, '>=', 80, "  from the replica ($r rows)");
cmp_ok($p, '<', 20, "  not from the primary ($p rows)");

# 6. Revocation: visible on the primary at once, even when the replica
# has not applied it (its key still live there).
my $k2 = $st->new_key('org_r');
$pos = $st->sql('SELECT @@gtid_binlog_pos');
$st->replica_sql("SELECT MASTER_GTID_WAIT('$pos', 30)");
$st->replica_sql('STOP SLAVE SQL_THREAD');
$st->revoke_key($k2);
my $hash = do {
	require Digest::SHA;
	Digest::SHA::sha256_hex($k2);
};
is($st->replica_sql("SELECT COUNT(*) FROM api_keys WHERE key_hash = "
    . "'$hash' AND revoked_at IS NULL"), 1,
    'key revoked on the primary, still live on the replica');
my $revoked = 0;
for (1 .. 4) {
	$revoked++ if $st->get($server, '/api/calls?limit=1', $k2)->{status}
	    == 401;
}
is($revoked, 4, '  and refused (401), 4 of 4');
$st->replica_sql('START SLAVE SQL_THREAD');

# 7. A hung replica (SIGSTOP): the page still comes, from the primary,
# within the request's budget (db-budget-ms, 1.5 s): the replica's
# attempt gets only half of it.
$pos = $st->sql('SELECT @@gtid_binlog_pos');
$st->replica_sql("SELECT MASTER_GTID_WAIT('$pos', 30)");
sleep 1.1;		# every process due for a lag check
my $hung = do {
	open my $pf, '<', $st->replica_dir . '/mariadb.pid' or die $!;
	local $/;
	<$pf> =~ /(\d+)/ ? $1 : die 'no replica pid';
};
kill 'STOP', $hung;
my @answers;
for (1 .. 4) {
	my $t = time;
	my $res = $st->get($server, '/api/calls?limit=5', $key);
	push @answers, sprintf('%d in %.2f s', $res->{status}, time - $t);
}
kill 'CONT', $hung;
is(scalar(grep { /^200 in (\S+)/ && $1 < 1.6 } @answers), 4,
    "replica hung: 4 of 4 pages within the budget (@answers)");

is($st->crashes($server), '', 'no crash');
diag(sprintf('took %.0f s', time - $t0)) if $ENV{TEST_VERBOSE};
done_testing;
