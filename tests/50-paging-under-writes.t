#!/usr/bin/perl
# Walk every page of an organisation while another process inserts calls
# (newest, in the middle, and with created_at equal to existing rows) and
# updates others: every row that existed at the start is seen exactly
# once, and the order is strictly decreasing.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Stack;

my $st = Stack->new;
my $key = $st->demo_keys->{org_acme};
my %before = map { $_ => 0 } split /\n/,
    $st->sql("SELECT call_sid FROM calls WHERE client_id = 'org_acme'");
my $n_before = keys %before;
ok($n_before >= 10000, "org_acme starts with $n_before calls");

# The writer: one admin client fed statements until we stop it.
my $stop = $st->dir . '/stop-writer';
my $pid = fork // die "fork: $!";
if ($pid == 0) {
	open my $sql, '|-', Stack::top() . '/scripts/db.sh', 'sql', $st->dir,
	    'calls' or die $!;
	select $sql;
	$| = 1;
	my $i = 0;
	until (-e $stop || $i > 20000) {
		$i++;
		my $off = int rand $n_before;
		my $src = "(SELECT created_at FROM calls WHERE client_id = "
		    . "'org_acme' ORDER BY created_at DESC, call_sid DESC "
		    . "LIMIT 1 OFFSET $off)";
		my $when = $i % 3 == 0 ? 'UTC_TIMESTAMP(6)'
		    : $i % 3 == 1 ? $src
		    : "$src - INTERVAL 1 MICROSECOND";
		print $sql "INSERT INTO calls (call_sid, client_id, to_number, "
		    . "agent_id, status, created_at) SELECT 'call_w${i}x$$', "
		    . "'org_acme', '+15550000001', 'agent_001', 'ringing', $when;\n";
		print $sql "UPDATE calls SET status = 'completed', updated_at = "
		    . "UTC_TIMESTAMP(6) WHERE client_id = 'org_acme' AND "
		    . "call_sid = (SELECT call_sid FROM (SELECT call_sid FROM "
		    . "calls WHERE client_id = 'org_acme' LIMIT 1 OFFSET $off) x);\n";
		print $sql "DO SLEEP(0.002);\n";
	}
	close $sql;
	exit 0;
}

# ISO 8601 from the API, made comparable as text: always six fraction digits.
sub key_of {
	my ($c) = @_;
	(my $t = $c->{created_at}) =~ s/Z$//;
	$t .= '.000000' unless $t =~ /\./;
	return "$t $c->{call_sid}";
}

sub count_now {
	return $st->sql("SELECT COUNT(*) FROM calls WHERE client_id = "
	    . "'org_acme'");
}

# The walk stops after count/limit + 2 pages (count taken again when it is
# reached: the writer adds rows meanwhile), so a cursor that leads back to
# rows already seen fails instead of hanging. No page may be empty.
sub walk_during_writes {
	my ($server, $limit) = @_;
	$st->start_web($server);
	my (%seen, $prev, $cursor);
	my ($dups, $disorder, $errors, $pages, $empty) = (0, 0, 0, 0, 0);
	my $cap = int(count_now() / $limit) + 2;
	while (1) {
		if ($pages >= $cap && $pages >= ($cap = int(count_now() / $limit)
		    + 2)) {
			$errors++;
			diag("still has_more after $pages pages");
			last;
		}
		my $r = $st->get($server, "/api/calls?limit=$limit"
		    . (defined $cursor ? "&cursor=$cursor" : ''), $key);
		if ($r->{status} != 200) {
			$errors++;
			diag("$r->{status} $r->{body}");
			last;
		}
		$pages++;
		$empty++ unless @{ $r->{json}{data} };
		for my $c (@{ $r->{json}{data} }) {
			my $k = key_of($c);
			$disorder++ if defined $prev && ($k cmp $prev) >= 0;
			$prev = $k;
			$dups++ if $seen{ $c->{call_sid} }++;
		}
		last unless $r->{json}{pagination}{has_more};
		$cursor = $r->{json}{pagination}{next_cursor};
	}
	my $missing = grep { !$seen{$_} } keys %before;
	is($errors, 0, "$server limit $limit: every page a 200 ($pages pages)");
	is($missing, 0, "  every row that existed at the start was seen");
	is($dups, 0, '  no row twice');
	is($empty, 0, '  no empty page');
	is($disorder, 0, '  strictly decreasing (created_at, call_sid)');
}

walk_during_writes('lighttpd', 50);
walk_during_writes('apache', 100);

open my $fh, '>', $stop or die $!;
close $fh;
waitpid $pid, 0;
is($?, 0, 'writer finished cleanly');
my $added = $st->sql("SELECT COUNT(*) FROM calls WHERE client_id = "
    . "'org_acme'") - $n_before;
ok($added > 50, "the writer inserted $added calls meanwhile");
is($st->crashes($_), '', "$_: no crash") for qw(lighttpd apache);
done_testing;
