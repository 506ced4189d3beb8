#!/usr/bin/perl
# One request per process (plain CGI, Apache mpm_event + mod_cgid, the
# shared-hosting .htaccess): the start-up work a one-shot run does not need
# is not done. Counted on the database server, whose counters see every
# statement the responder prepares or closes:
#   - a first page prepares the key lookup and the first-page statement
#     only; a cursor page the key lookup and the seek statement only; a bad
#     key the key lookup only (statements are prepared at first use);
#   - no statement is closed one by one at exit (the connection's end frees
#     them on the server);
# and a statement that cannot be prepared (a missing table) is still a 500
# with one log line naming the prepare.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Stack;
use Test::More;

my $stack = Stack->new;
my $key = $stack->demo_keys->{org_acme};
$stack->start_web('cgid');

# The server's counters of one kind of command, summed over everyone (the
# test's own SQL prepares and closes nothing).
sub counters {
	my %c = map { split /\t/ } split /\n/, $stack->sql(
	    "SHOW GLOBAL STATUS WHERE Variable_name IN "
	    . "('Com_stmt_prepare', 'Com_stmt_close', 'Com_stmt_execute')");
	return \%c;
}

# Run a request; the counters' change during it.
sub counted {
	my (@get) = @_;
	my $before = counters();
	my $r = $stack->get('cgid', @get);
	my $after = counters();
	my %d = map { $_ => $after->{$_} - $before->{$_} } keys %$after;
	return ($r, \%d);
}

my ($r, $d) = counted('/api/calls?limit=5', $key);
is($r->{status}, 200, 'first page: 200') or diag($r->{raw});
is(scalar @{ $r->{json}{data} // [] }, 5, 'first page: 5 rows');
my $cursor = $r->{json}{pagination}{next_cursor};
ok(defined $cursor, 'first page: a next cursor');
is($d->{Com_stmt_prepare}, 2,
    'first page: 2 statements prepared (key lookup, first page)');
is($d->{Com_stmt_execute}, 2, 'first page: 2 executed');
is($d->{Com_stmt_close}, 0, 'first page: no statement closed one by one');

($r, $d) = counted("/api/calls?limit=5&cursor=$cursor", $key);
is($r->{status}, 200, 'cursor page: 200') or diag($r->{raw});
is(scalar @{ $r->{json}{data} // [] }, 5, 'cursor page: 5 rows');
is($d->{Com_stmt_prepare}, 2,
    'cursor page: 2 statements prepared (key lookup, seek)');
is($d->{Com_stmt_close}, 0, 'cursor page: no statement closed one by one');

($r, $d) = counted('/api/calls?limit=5', 'ck_' . ('A' x 40));
is($r->{status}, 401, 'unknown key: 401') or diag($r->{raw});
is($d->{Com_stmt_prepare}, 1, 'unknown key: only the key lookup prepared');

# A page statement that cannot be prepared: the key lookup still works,
# the page is a 500 and the log says why.
my $log = $stack->dir . '/cgid/error.log';
my $lines_before = () = do { open my $fh, '<', $log or die $!; <$fh> };
$stack->sql('RENAME TABLE calls TO calls_gone');
($r, $d) = counted('/api/calls?limit=5', $key);
$stack->sql('RENAME TABLE calls_gone TO calls');
is($r->{status}, 500, 'page statement not preparable: 500') or diag($r->{raw});
is($r->{json}{error}{code}, 'server_misconfigured',
    'page statement not preparable: server_misconfigured');
open my $fh, '<', $log or die $!;
my @new = (<$fh>)[$lines_before .. 1e6];
close $fh;
@new = grep { defined } @new;
is(scalar(grep { /database: prepare: 1146/ } @new), 1,
    'one log line names the failed prepare (1146: no such table)')
    or diag(@new);

($r, $d) = counted('/api/calls?limit=5', $key);
is($r->{status}, 200, 'table back: 200 again') or diag($r->{raw});
is($stack->crashes('cgid'), '', 'no crash in the error log');

done_testing;
