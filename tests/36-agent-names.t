#!/usr/bin/perl
# Agent names from the per-process cache (agent-cache-seconds, lib/
# agent_cache.c): one `calls-api serve --workers 1` with the cache at 2 s,
# one with it off (0: the join, as before), over their FastCGI sockets.
# A whole walk gives, call by call, the names the SQL join gives (a
# missing agents row and a NULL name: null; an agent_id with a trailing
# space: the padded match the join makes), warm or cold; two organisations
# with the same agent_ids and different names never see each other's; a
# rename (and a new agents row for a missing agent) shows after the bound
# and not before with the cache, at once without it. A process runs the
# join while the cache would miss, and the cache while it would hit.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use JSON::PP;
use POSIX qw(WNOHANG);
use Time::HiRes qw(sleep time);
use Test::More;
use Fcgi;
use Stack;

my $st = Stack->new(data => 'none');
my $dir = $st->dir;
my $bin = $st->{bin};
my $TTL = 2;

# Two organisations, the same 35 agent_ids: A names 30 of them (ag_31's
# name is NULL, ag_32..ag_35 have no row), B names all 35 differently.
$st->sql(<<'SQL');
INSERT INTO agents (client_id, agent_id, agent_name)
SELECT 'org_a', CONCAT('ag_', LPAD(seq, 2, '0')),
       IF(seq = 31, NULL, CONCAT('A name ', seq)) FROM seq_1_to_31;
INSERT INTO agents (client_id, agent_id, agent_name)
SELECT 'org_b', CONCAT('ag_', LPAD(seq, 2, '0')), CONCAT('B name ', seq)
FROM seq_1_to_35;
INSERT INTO calls (call_sid, client_id, to_number, agent_id, created_at)
SELECT CONCAT('ca_', LPAD(seq, 4, '0')), 'org_a', '+15550000001',
       CONCAT('ag_', LPAD(seq % 35 + 1, 2, '0')),
       TIMESTAMP('2026-03-01 00:00:00') + INTERVAL seq MINUTE
FROM seq_1_to_240;
INSERT INTO calls (call_sid, client_id, to_number, agent_id, created_at)
VALUES ('ca_pad', 'org_a', '+15550000001', 'ag_02 ', '2026-02-01 00:00:00');
INSERT INTO calls (call_sid, client_id, to_number, agent_id, created_at)
SELECT CONCAT('cb_', LPAD(seq, 4, '0')), 'org_b', '+15550000002',
       CONCAT('ag_', LPAD(seq % 35 + 1, 2, '0')),
       TIMESTAMP('2026-03-01 00:00:00') + INTERVAL seq MINUTE
FROM seq_1_to_80;
INSERT INTO agents (client_id, agent_id, agent_name)
SELECT 'org_c', CONCAT('ac_', seq), CONCAT('C name ', seq) FROM seq_1_to_400;
INSERT INTO calls (call_sid, client_id, to_number, agent_id, created_at)
SELECT CONCAT('cc_', LPAD(seq, 4, '0')), 'org_c', '+15550000003',
       CONCAT('ac_', seq),
       TIMESTAMP('2026-03-01 00:00:00') + INTERVAL seq MINUTE
FROM seq_1_to_400;
SQL
my %key = map { $_ => $st->new_key($_) } qw(org_a org_b org_c);

# Option files: the test's own, with the cache on (2 s) and off.
my $base = do { local (@ARGV, $/) = "$dir/calls-api.cnf"; <> };
$base =~ s/^agent-cache-seconds=.*\n//mg;
for my $c ([on => $TTL], [off => 0], [long => 600]) {
	open my $fh, '>', "$dir/$c->[0].cnf" or die $!;
	# [calls-api] comes last in the file (the admin group first).
	print $fh $base, "agent-cache-seconds=$c->[1]\n";
	close $fh;
}

my %pid;
sub start_pool {
	my ($name) = @_;
	my $sock = "$dir/$name.sock";
	my $pid = fork // die "fork: $!";
	if ($pid == 0) {
		open STDIN, '<', '/dev/null';
		open STDERR, '>>', "$dir/$name.log";
		exec $bin, 'serve', '--workers', 1, '--listen', "unix:$sock",
		    '--conf', "$dir/$name.cnf" or POSIX::_exit(127);
	}
	for (1 .. 100) {
		last if -S $sock && IO::Socket::UNIX->new(Peer => $sock);
		sleep 0.05;
	}
	$pid{$name} = $pid;
}
END {
	for my $p (values %pid) {
		kill 'TERM', $p;
		for (1 .. 100) { last if waitpid($p, WNOHANG) == $p; sleep 0.05 }
	}
}
start_pool($_) for qw(on off long);

# A whole walk of org's calls on a pool: { call_sid => agent_name | undef }.
sub walk {
	my ($pool, $org, $limit) = @_;
	my (%names, $cursor);
	for (1 .. 100) {
		my $t = "/api/calls?limit=$limit" . ($cursor ? "&cursor=$cursor"
		    : '');
		my $r = Fcgi::get("$dir/$pool.sock", $t, $key{$org});
		die "$pool $t: $r->{status} $r->{error} $r->{body}\n"
		    unless $r->{status} == 200;
		my $j = decode_json($r->{body});
		$names{ $_->{call_sid} } = $_->{agent_name} for @{ $j->{data} };
		$cursor = $j->{pagination}{next_cursor} or last;
		$cursor =~ s/=/%3D/g;
	}
	return \%names;
}

# What the join gives, by SQL.
sub joined {
	my ($org) = @_;
	my %names;
	for (split /\n/, $st->sql("SELECT c.call_sid, IFNULL(a.agent_name,"
	    . " '<null>') FROM calls c LEFT JOIN agents a ON a.client_id ="
	    . " c.client_id AND a.agent_id = c.agent_id WHERE c.client_id ="
	    . " '$org'")) {
		my ($sid, $name) = split /\t/;
		$names{$sid} = $name eq '<null>' ? undef : $name;
	}
	return \%names;
}

my $want_a = joined('org_a');
is(scalar keys %$want_a, 241, 'org_a: 241 calls');
is($want_a->{ca_pad}, 'A name 2', 'the join matches agent_id "ag_02 " '
    . 'to ag_02 (PAD SPACE)');
is(scalar(grep { !defined } values %$want_a), 31, 'org_a: 31 calls with '
    . 'a null name (NULL name or no agents row)');
is_deeply(walk('on', 'org_a', 37), $want_a, 'cache on, cold: the walk\'s '
    . 'names are the join\'s');
is_deeply(walk('on', 'org_a', 50), $want_a, 'cache on, warm: the same');
is_deeply(walk('off', 'org_a', 50), $want_a, 'cache off: the same');
my $want_b = joined('org_b');
is_deeply(walk('on', 'org_b', 50), $want_b, 'org_b after org_a warmed the '
    . 'cache: its own names (no name crosses organisations)');
is_deeply(walk('on', 'org_a', 50), $want_a, 'org_a again after org_b: its '
    . 'own names');

# The first page of org_a: { agent_id => agent_name } of its calls.
sub first_page {
	my ($pool) = @_;
	my $r = Fcgi::get("$dir/$pool.sock", '/api/calls?limit=100',
	    $key{org_a});
	die "$pool: $r->{status} $r->{error}\n" unless $r->{status} == 200;
	return { map { $_->{agent_id} => $_->{agent_name} }
	    @{ decode_json($r->{body})->{data} } };
}

# Rename ag_01 and give the missing ag_33 a row, just after a page put
# both in the cache (pages enough for the process to serve them from it).
first_page('on') for 1 .. 5;
my $t0 = time;
$st->sql("UPDATE agents SET agent_name = 'Renamed' WHERE client_id ="
    . " 'org_a' AND agent_id = 'ag_01'; INSERT INTO agents VALUES ('org_a',"
    . " 'ag_33', 'New agent');");
my $on = first_page('on');
my $early = time - $t0;
SKIP: {
	skip "the machine took ${early} s for an update and a page", 2
	    if $early >= $TTL - 0.3;
	is($on->{ag_01}, 'A name 1', 'cache on: within the bound, the old '
	    . 'name');
	is($on->{ag_33}, undef, 'cache on: within the bound, still null for '
	    . 'an agent that got a row');
}
my $off = first_page('off');
is($off->{ag_01}, 'Renamed', 'cache off: the new name at once');
is($off->{ag_33}, 'New agent', 'cache off: the new row at once');
sleep($TTL + 0.2 - (time - $t0)) if time - $t0 < $TTL + 0.2;
$on = first_page('on');
is($on->{ag_01}, 'Renamed', "cache on: the new name after $TTL s");
is($on->{ag_33}, 'New agent', "cache on: the new row after $TTL s");
is_deeply(walk('on', 'org_a', 50), joined('org_a'), 'and the whole walk '
    . 'is the join\'s again');

# Cache or join (lib/agent_cache.h), on a process of its own that trusts a
# name for 10 minutes: a rename shows at once on the join, not from the
# cache. org_c: 400 calls, each its own agent (8 pages of 50).
my $first_c;	# the agent_id of org_c's first call on page 1
sub page_c {
	my ($cursor) = @_;
	my $t = '/api/calls?limit=50' . ($cursor ? "&cursor=$cursor" : '');
	my $r = Fcgi::get("$dir/long.sock", $t, $key{org_c});
	die "long $t: $r->{status} $r->{error}\n" unless $r->{status} == 200;
	my $j = decode_json($r->{body});
	($cursor = $j->{pagination}{next_cursor} // '') =~ s/=/%3D/g;
	return ({ map { $_->{agent_id} => $_->{agent_name} } @{ $j->{data} } },
	    $cursor, $j->{data}[0]{agent_id});
}
sub rename_c {
	my ($name) = @_;
	$st->sql("UPDATE agents SET agent_name = '$name' WHERE client_id ="
	    . " 'org_c' AND agent_id = '$first_c'");
}
(undef, undef, $first_c) = page_c();
rename_c('C renamed 1');
is((page_c())[0]{$first_c}, 'C renamed 1', 'a new process runs the join '
    . '(and fills the cache): a rename shows at once');
page_c() for 1 .. 3;
rename_c('C renamed 2');
is((page_c())[0]{$first_c}, 'C renamed 1', 'after pages the cache would '
    . 'have served: the cache (the old name, within the bound)');
my ($names, $cursor) = page_c();
my $pages = 1;
while ($cursor) {
	($names, $cursor) = page_c($cursor);
	$pages++;
}
is($pages, 8, 'org_c: 8 pages, each with 50 agents not cached');
is((page_c())[0]{$first_c}, 'C renamed 2', 'after pages the cache '
    . 'missed: the join again (the rename shows at once)');

for my $name (qw(on off long)) {
	my $log = do { local (@ARGV, $/) = "$dir/$name.log"; <> } // '';
	unlike($log, qr/error|Sanitizer|runtime error/i, "$name: nothing "
	    . "logged as an error") or diag($log);
}

done_testing;
