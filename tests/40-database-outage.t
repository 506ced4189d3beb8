#!/usr/bin/perl
# Database down: JSON 503 with Retry-After, quickly; back up: 200 again
# without restarting the web server. Also a killed session is recovered.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Time::HiRes qw(time);
use Stack;

my $st = Stack->new;
my $key = $st->demo_keys->{org_acme};
my @servers = qw(apache lighttpd cgi);

# Keys stay cached for the whole test (the stack's default is 1 s), so the
# first statement to meet a lost connection is the page query itself, not
# the key lookup before it: its reconnect-and-retry is what is tested.
my $cnf = $st->dir . '/calls-api.cnf';
{
	local @ARGV = ($cnf);
	local $^I = '';
	while (<>) {
		s/^key-cache-seconds=.*/key-cache-seconds=600/;
		print;
	}
}
$st->start_web($_) for @servers;

is($st->get($_, '/api/calls?limit=1', $key)->{status}, 200, "$_: 200 before")
    for @servers;

$st->db_stop;
for my $server (@servers) {
	for my $try (1 .. 3) {
		my $t0 = time;
		my $r = $st->get($server, '/api/calls?limit=1', $key);
		my $dt = time - $t0;
		is($r->{status}, 503, "$server: database down, try $try: 503");
		is($r->{json} && $r->{json}{error}{code}, 'service_unavailable',
		    "  service_unavailable");
		like($r->{headers}{'retry-after'} // '', qr/^\d+$/, '  Retry-After');
		ok($dt < 3, sprintf('  answered in %.2f s', $dt));
	}
}

$st->db_start;
for my $server (@servers) {
	my $status = 0;
	for (1 .. 20) {		# the responder waits 1 s between connects
		$status = $st->get($server, '/api/calls?limit=1', $key)->{status};
		last if $status == 200;
		select undef, undef, undef, 0.25;
	}
	is($status, 200, "$server: 200 again after the database returns");
}

# Kill every responder session: the next requests reconnect and succeed
# (the page query, with the key cached, retried on a fresh connection).
for my $server (qw(apache lighttpd)) {
	my $ids = $st->sql("SELECT id FROM information_schema.processlist "
	    . "WHERE user = 'calls_api'");
	eval { $st->sql("KILL $_") } for split /\n/, $ids;
	ok(length $ids, "$server: killed responder sessions ($ids)");
	for my $try (1 .. 3) {
		my $r = $st->get($server, '/api/calls?limit=1', $key);
		is($r->{status}, 200, "$server: request $try after KILL is a 200");
	}
}

is($st->crashes($_), '', "$_: no crash") for @servers;
done_testing;
