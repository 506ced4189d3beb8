#!/usr/bin/perl
# Keyset pagination through real servers: full walks at several limits
# (every row exactly once, in order, ties included), organisation
# isolation, cursors of other organisations, revoked keys.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Stack;

my $st = Stack->new;
my $keys = $st->demo_keys;

# A small organisation made of ties: 61 calls on 6 distinct instants,
# microseconds included, call_sids inserted in no particular order.
$st->sql(<<'SQL');
INSERT INTO calls (call_sid, client_id, to_number, agent_id, created_at)
SELECT CONCAT('call_tie', LPAD(CONV((seq * 7919) % 1000, 10, 36), 3, '0')),
       'org_ties', '+15550000000', 'agent_t',
       TIMESTAMP('2026-01-01 00:00:00') + INTERVAL (seq % 6) SECOND
         + INTERVAL IF(seq % 6 = 3, 250000, 0) MICROSECOND
FROM seq_1_to_61;
SQL
my $ties_key = $st->new_key('org_ties');

sub expected {
	my ($org) = @_;
	return [ split /\n/, $st->sql("SELECT call_sid FROM calls WHERE "
	    . "client_id = '$org' ORDER BY created_at DESC, call_sid DESC") ];
}

# Follow next_cursor to the end; returns the call_sids seen, or undef.
# At most total/limit + 2 pages: a cursor that leads back to rows already
# seen fails the walk instead of hanging it. No page may be empty (a page
# that ends on the last row says has_more false).
sub walk {
	my ($server, $key, $limit, $org, $total) = @_;
	my (@sids, $cursor);
	my ($bad, $pages) = ('', 0);
	my $cap = int($total / $limit) + 2;
	while (1) {
		if ($pages >= $cap) {
			diag("$org limit $limit: still has_more after $pages "
			    . "pages of $total rows");
			return undef;
		}
		my $t = "/api/calls?limit=$limit"
		    . (defined $cursor ? "&cursor=$cursor" : '');
		my $r = $st->get($server, $t, $key);
		if ($r->{status} != 200) {
			diag("page $pages: $r->{status} $r->{body}");
			return undef;
		}
		$pages++;
		my $p = $r->{json}{pagination};
		$bad .= "page_size " if $p->{page_size} != @{ $r->{json}{data} };
		$bad .= "empty page $pages " if !@{ $r->{json}{data} } && $total;
		$bad .= "short page " if $p->{has_more} && $p->{page_size} != $limit;
		$bad .= "foreign row " if grep { $_->{client_id} ne $org }
		    @{ $r->{json}{data} };
		push @sids, map { $_->{call_sid} } @{ $r->{json}{data} };
		last unless $p->{has_more};
		$cursor = $p->{next_cursor};
		return undef unless defined $cursor;
	}
	diag($bad) if $bad;
	return $bad ? undef : \@sids;
}

$st->start_web($_) for qw(lighttpd apache cgi);

my $ties = expected('org_ties');
is(scalar @$ties, 61, 'org_ties has 61 calls');
for my $limit (1, 2, 3, 5, 7, 60, 61, 100) {
	is_deeply(walk('lighttpd', $ties_key, $limit, 'org_ties',
	    scalar @$ties), $ties,
	    "ties walked at limit $limit: every row once, in keyset order");
}

my $acme = expected('org_acme');
ok(@$acme >= 10000, 'org_acme has at least 10,000 calls');
is_deeply(walk('apache', $keys->{org_acme}, 100, 'org_acme',
    scalar @$acme), $acme,
    'org_acme walked through Apache mod_fcgid at limit 100');
is_deeply(walk('lighttpd', $keys->{org_acme}, 37, 'org_acme',
    scalar @$acme), $acme,
    'org_acme walked through lighttpd at limit 37');
my $globex = expected('org_globex');
is_deeply(walk('cgi', $keys->{org_globex}, 50, 'org_globex',
    scalar @$globex), $globex,
    'org_globex walked through plain CGI at limit 50');

# Another organisation's cursor: 400, never its rows.
my $r = $st->get('apache', '/api/calls?limit=3', $keys->{org_acme});
my $cursor = $r->{json}{pagination}{next_cursor};
$r = $st->get('apache', "/api/calls?limit=3&cursor=$cursor",
    $keys->{org_globex});
is($r->{status}, 400, "acme's cursor with globex's key: 400");
is($r->{json}{error}{code}, 'invalid_cursor', '  invalid_cursor');
unlike($r->{body}, qr/org_acme/, "  and no trace of acme's rows");

# Tampering with any character of a cursor is caught.
my $tampered = 0;
for my $i (0 .. length($cursor) - 1) {
	my $c = $cursor;
	my $ch = substr($c, $i, 1);
	substr($c, $i, 1) = $ch eq 'A' ? 'B' : 'A';
	my $t = $st->get('lighttpd', "/api/calls?limit=3&cursor=$c",
	    $keys->{org_acme});
	$tampered++ if $t->{status} == 400;
}
is($tampered, length $cursor, 'every one-character change is a 400');

# A revoked key stops working once the key cache (1 s in tests) expires.
my $k = $st->new_key('org_globex');
is($st->get('lighttpd', '/api/calls?limit=1', $k)->{status}, 200,
    'new key works');
$st->revoke_key($k);
sleep 2;
$r = $st->get('lighttpd', '/api/calls?limit=1', $k);
is($r->{status}, 401, 'revoked key: 401 after key-cache-seconds');

is($st->crashes($_), '', "$_: no crash") for qw(lighttpd apache cgi);
done_testing;
