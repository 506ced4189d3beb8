#!/usr/bin/perl
# Filters, order and paging both ways through real servers, against rows
# picked and sorted by MariaDB itself: each single filter, the created_at
# window (bounds exactly on row times), a combination of filters with
# pages cut by a small scan-limit (40), both orders, several limits. A walk
# forward to the end, one step back from every page, and a walk back from
# the last page: every row exactly once, strictly ordered, ties included,
# no row of another organisation. Cursors are bound to the filters and
# order; a version 2 cursor still works without filters. The cost of a
# page is read from the server's Handler_read counters.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Digest::SHA qw(hmac_sha256);
use MIME::Base64 qw(encode_base64url);
use Stack;

my $SCAN = 40;
my $st = Stack->new(data => 'none');
my $conf = $st->dir . '/calls-api.cnf';
open my $fh, '>>', $conf or die "$conf: $!";
print $fh "scan-limit=$SCAN\n";
close $fh;
my ($secret) = do { local @ARGV = $conf; map { /^cursor-secret=(\S+)/ ? $1 : () } <> };

# org_f: 400 calls, 5 per instant (ties), call_sids in no particular
# order; NULLs in every nullable filter column; values with odd bytes.
# org_g: the same filter values at the same times (its rows must never
# show). org_big: 20,000 calls for the cost counters.
$st->sql(<<'SQL');
INSERT INTO calls (call_sid, client_id, to_number, from_number, agent_id,
    call_type, status, end_reason, created_at)
SELECT CONCAT(o.pfx, LPAD(CONV((s.seq * 7919) % 100000, 10, 36), 4, '0')),
       o.org,
       IF(s.seq % 4 = 0, '+15550001111', CONCAT('+1555000', s.seq % 7)),
       IF(s.seq % 6 = 0, NULL, CONCAT('+4420', s.seq % 5)),
       ELT(1 + s.seq % 3, 'agent-ü', 'agent_2', 'agent 3'),
       IF(s.seq % 9 = 0, NULL, ELT(1 + (s.seq DIV 2) % 3, 'inbound',
           'outbound', 'preview')),
       IF(s.seq % 7 = 0, NULL, ELT(1 + (s.seq * 5) % 3, 'completed',
           'failed', 'réussi')),
       IF(s.seq % 5 = 0, NULL, ELT(1 + s.seq % 2, 'hung up "early"',
           'caller''s line')),
       TIMESTAMP('2026-01-01 00:00:00') + INTERVAL (s.seq DIV 5) MINUTE
         + INTERVAL IF((s.seq DIV 5) % 3 = 1, 250000, 0) MICROSECOND
FROM seq_1_to_400 s
JOIN (SELECT 'org_f' AS org, 'f' AS pfx UNION ALL
      SELECT 'org_g', 'g') o;
INSERT INTO calls (call_sid, client_id, to_number, agent_id, status,
    call_type, created_at)
SELECT CONCAT('big', LPAD(seq, 6, '0')), 'org_big', '+15550000000',
       'agent_b', ELT(1 + seq % 4, 'completed', 'failed', 'busy', 'gone'),
       ELT(1 + seq % 3, 'inbound', 'outbound', 'preview'),
       TIMESTAMP('2025-01-01 00:00:00') + INTERVAL seq SECOND
FROM seq_1_to_20000;
-- Values that differ from filter values only by a trailing space, which
-- utf8mb4_bin's = ignores (PAD SPACE): a filter must not match them.
INSERT INTO calls (call_sid, client_id, to_number, agent_id, status,
    end_reason, created_at)
SELECT CONCAT('fpad', seq), 'org_f', '+15550001111', 'agent-ü ',
       'réussi ', 'hung up "early" ',
       TIMESTAMP('2026-01-01 01:00:00') + INTERVAL (seq * 7) MINUTE
FROM seq_1_to_6;
SQL
my $key = $st->new_key('org_f');
my $big_key = $st->new_key('org_big');
$st->start_web($_) for qw(lighttpd apache);

# Percent-encoding of a query value (UTF-8 bytes).
sub enc {
	my ($v) = @_;
	utf8::encode($v) if utf8::is_utf8($v);
	$v =~ s/([^A-Za-z0-9_.~-])/sprintf('%%%02X', ord $1)/ge;
	return $v;
}

# SQL string literal.
sub lit { my $v = shift; $v =~ s/'/''/g; return "'$v'" }

# The rows MariaDB picks: [ call_sid ... ] in display order.
sub expected {
	my (%f) = @_;
	my $order = ($f{order} // 'desc') eq 'asc' ? 'ASC' : 'DESC';
	my @w = ("client_id = 'org_f'");
	for my $c (qw(status call_type agent_id to_number from_number
	    end_reason)) {
		# Exactly: = alone pads with spaces ('x' = 'x ').
		push @w, "$c = " . lit($f{$c}) . " AND OCTET_LENGTH($c) = "
		    . "OCTET_LENGTH(" . lit($f{$c}) . ")" if defined $f{$c};
	}
	push @w, "created_at >= " . lit($f{sql_after}) if $f{sql_after};
	push @w, "created_at < " . lit($f{sql_before}) if $f{sql_before};
	my $out = $st->sql("SELECT call_sid FROM calls WHERE "
	    . join(' AND ', @w) . " ORDER BY created_at $order, "
	    . "call_sid $order");
	return [ split /\n/, $out ];
}

sub page {
	my ($server, $query, $limit, $cursor) = @_;
	my $t = "/api/calls?limit=$limit" . ($query ne '' ? "&$query" : '')
	    . (defined $cursor ? "&cursor=$cursor" : '');
	my $r = $st->get($server, $t, $key);
	die "GET $t: $r->{status} $r->{body}\n" if $r->{status} != 200;
	my $p = $r->{json}{pagination};
	my @sids = map { $_->{call_sid} } @{ $r->{json}{data} };
	die "GET $t: page_size\n" if $p->{page_size} != @sids;
	die "GET $t: has_more is not next_cursor\n"
	    if !!$p->{has_more} != defined $p->{next_cursor};
	die "GET $t: foreign row\n"
	    if grep { $_->{client_id} ne 'org_f' } @{ $r->{json}{data} };
	die "GET $t: over limit\n" if @sids > $limit;
	return { sids => \@sids, next => $p->{next_cursor},
	    prev => $p->{prev_cursor} };
}

# Walk forward, step back from each page, walk back from the end.
# Returns a list of problems ('' when none) and the count of short pages.
sub walks {
	my ($server, $query, $limit, $want, $cut) = @_;
	my (@fwd, $bad);
	$bad = '';
	my $cap = @$want + 50;
	my $p = page($server, $query, $limit);
	$bad .= "first page has a prev_cursor; " if defined $p->{prev};
	push @fwd, $p;
	while (defined $p->{next} && @fwd < $cap) {
		$p = page($server, $query, $limit, $p->{next});
		push @fwd, $p;
	}
	my @got = map { @{ $_->{sids} } } @fwd;
	$bad .= "forward: not the rows in order; " if "@got" ne "@$want";
	my $short = grep { defined $_->{next} && @{ $_->{sids} } < $limit }
	    @fwd;
	$bad .= "short pages without a scan limit; " if $short && !$cut;
	for my $i (1 .. $#fwd) {
		my $b = page($server, $query, $limit, $fwd[$i]{prev});
		$bad .= "back from page $i is not page " . ($i - 1) . "; "
		    if "@{ $b->{sids} }" ne "@{ $fwd[$i - 1]{sids} }";
	}
	my @back = ($fwd[-1]);
	while (defined $back[0]{prev} && @back < $cap) {
		unshift @back, page($server, $query, $limit, $back[0]{prev});
	}
	@got = map { @{ $_->{sids} } } @back;
	$bad .= "backward: not the rows in order; " if "@got" ne "@$want";
	$bad .= "backward: first page has a prev_cursor; "
	    if defined $back[0]{prev};
	my $same = @back == @fwd && !grep { "@{ $back[$_]{sids} }" ne
	    "@{ $fwd[$_]{sids} }" } 0 .. $#fwd;
	$bad .= "backward: other pages; " if !$same && !$cut;
	return ($bad, $short, scalar @fwd);
}

sub check_walks {
	my ($server, $name, $query, $f, $limits, $cut) = @_;
	for my $order (qw(desc asc)) {
		my $want = expected(%$f, order => $order);
		my $q = $query . ($order eq 'asc' ? '&order=asc' : '');
		$q =~ s/^&//;
		for my $limit (@$limits) {
			my ($bad, $short, $pages) = walks($server, $q, $limit,
			    $want, $cut);
			is($bad, '', "$name $order limit $limit: "
			    . scalar(@$want) . " rows in $pages pages"
			    . ($cut ? ", $short cut short" : '')
			    . ', forward, back a step, back from the end');
		}
	}
}

# Each single filter: its index serves it, so full pages.
my %single = (
	status => 'réussi', call_type => 'inbound', agent_id => 'agent-ü',
	to_number => '+15550001111', from_number => '+44203',
	end_reason => 'hung up "early"',
);
for my $name (sort keys %single) {
	my $v = $single{$name};	# UTF-8 bytes
	my $want = expected($name => $v);
	ok(@$want >= 20 && @$want < 300, "$name=$single{$name}: "
	    . scalar(@$want) . " rows of org_f");
	check_walks('lighttpd', $name, "$name=" . enc($v), { $name => $v },
	    [$name eq 'status' ? (4, 50) : 9], 0);
}
# A value with a trailing space is its own value.
{
	my $want = expected(status => 'réussi ');
	is(scalar @$want, 6, 'status with a trailing space: 6 rows of org_f');
	check_walks('lighttpd', 'status-trailing-space', 'status='
	    . enc('réussi '), { status => 'réussi ' }, [4], 0);
}
# E.164 with its + sent literally (a space once decoded) and as %2B: one
# filter, one cursor binding.
{
	my $a = page('lighttpd', 'to_number=+15550001111', 5);
	my $b = page('lighttpd', 'to_number=%2B15550001111', 5,
	    $a->{next});
	ok(@{ $b->{sids} } == 5, 'to_number: + and %2B are one filter '
	    . '(the cursor of one works with the other)');
}

# The window, bounds exactly on row times: created_after inclusive,
# created_before exclusive; an offset means the same instant in Z.
{
	my %f = (sql_after => '2026-01-01 00:10:00.250000',
	    sql_before => '2026-01-01 01:00:00');
	my $q = 'created_after=2026-01-01T00:10:00.25Z'
	    . '&created_before=2026-01-01T02:00:00%2B01:00';
	my $want = expected(%f);
	my $n_at = $st->sql("SELECT COUNT(*) FROM calls WHERE client_id = "
	    . "'org_f' AND created_at IN ('2026-01-01 00:10:00.250000', "
	    . "'2026-01-01 01:00:00')");
	is($n_at, 10, 'window bounds are row times (5 rows each)');
	is(scalar @$want, 250, 'window: 250 rows, the first bound\'s in, '
	    . 'the second\'s out');
	check_walks('lighttpd', 'window', $q, \%f, [11], 0);
	check_walks('apache', 'status+window', "status=failed&$q",
	    { %f, status => 'failed' }, [9], 0);
}

# Two filters (no index serves both): pages cut at scan-limit rows.
{
	my %f = (status => 'completed', call_type => 'outbound');
	my $q = 'status=completed&call_type=outbound';
	check_walks('lighttpd', 'status+call_type', $q, \%f, [3, 100], 1);
	check_walks('apache', 'status+call_type+window',
	    "$q&created_after=2026-01-01T00:20:00Z",
	    { %f, sql_after => '2026-01-01 00:20:00' }, [6], 1);
	my $p = page('lighttpd', "$q&agent_id=agent_2&end_reason=none", 10);
	ok(@{ $p->{sids} } == 0 && defined $p->{next},
	    'nothing in the first 40 rows: an empty page with has_more');
}

# Cursors are bound to the order and filters (limit may change).
{
	my $p = page('lighttpd', 'status=failed', 4);
	my $c = $p->{next};
	for my $other ('', 'status=completed', 'status=failed&order=asc',
	    'status=failed&call_type=inbound',
	    'status=failed&created_after=2026-01-01T00:00:00Z') {
		my $r = $st->get('lighttpd', "/api/calls?cursor=$c"
		    . ($other ne '' ? "&$other" : ''), $key);
		ok($r->{status} == 400 && $r->{json}{error}{code} eq
		    'invalid_cursor' && $r->{json}{error}{param} eq 'cursor',
		    "cursor of status=failed with '$other': 400 invalid_cursor");
	}
	my $r = $st->get('lighttpd', "/api/calls?status=failed&limit=9"
	    . "&cursor=$c", $key);
	is($r->{status}, 200, 'the same filters, another limit: 200');
	$p = page('lighttpd', '', 4);
	$r = $st->get('lighttpd', "/api/calls?order=asc&cursor=$p->{next}",
	    $key);
	is($r->{status}, 400, 'a cursor of the default order with order=asc');
}

# A version 2 cursor (as issued before this release) still works, for
# the listing it could have been issued for only.
sub part { my $s = shift; return pack('N', length $s) . $s }
{
	my $all = expected();
	my ($when, $sid) = split /\t/, $st->sql("SELECT DATE_FORMAT("
	    . "created_at, '%Y-%m-%dT%H:%i:%s.%fZ'), call_sid FROM calls WHERE "
	    . "call_sid = " . lit($all->[9]));
	my $mac = hmac_sha256(join('', map { part($_) }
	    'calls-api/cursor/v2', 'org_f', '', $when, $sid), $secret);
	my $json = qq({"v":2,"created_at":"$when","call_sid_b64":")
	    . encode_base64url($sid) . qq(","sig":")
	    . encode_base64url($mac) . qq("});
	my $v2 = encode_base64url($json);
	my $r = $st->get('lighttpd', "/api/calls?limit=5&cursor=$v2", $key);
	is_deeply([ map { $_->{call_sid} } @{ $r->{json}{data} || [] } ],
	    [ @$all[10 .. 14] ], 'a v2 cursor: the page after its row');
	ok(defined $r->{json}{pagination}{prev_cursor},
	    '  with a prev_cursor (v3)');
	my $back = page('lighttpd', '', 10, $r->{json}{pagination}{prev_cursor});
	is_deeply($back->{sids}, [ @$all[0 .. 9] ], '  which goes back to the '
	    . 'rows up to it');
	$r = $st->get('lighttpd', "/api/calls?status=failed&cursor=$v2", $key);
	is($r->{status}, 400, 'a v2 cursor with a filter: 400');
}

# Cost, from the server's counters around one request (deterministic:
# nothing else runs on this private server). A v3 cursor deep in org_big,
# made here as the responder makes them. Each row returned costs two
# reads (its calls row and its agents lookup); the key is cached.
sub v3 {
	my ($org, $filters, $dir, $incl, $when, $sid) = @_;
	my $mac = hmac_sha256(join('', map { part($_) } 'calls-api/cursor/v3',
	    $org, $filters, $dir, $incl, $when, $sid), $secret);
	return encode_base64url(qq({"v":3,"dir":"$dir","incl":"$incl",)
	    . qq("created_at":"$when","call_sid_b64":")
	    . encode_base64url($sid) . qq(","sig":")
	    . encode_base64url($mac) . qq("}));
}

sub reads {
	my %s = map { split /\t/ } split /\n/,
	    $st->sql("SHOW GLOBAL STATUS LIKE 'Handler_read%'");
	my $n = 0;
	$n += $s{$_} for grep { $_ ne 'Handler_read_rnd_deleted' } keys %s;
	return $n;
}

# What reading the counters costs by itself (SHOW reads a temporary table).
my $SHOW = do { my $a = reads(); reads() - $a };

sub cost {
	my ($query) = @_;
	my $t = "/api/calls?$query";
	$st->get('lighttpd', $t, $big_key);	# prepared, key cached
	my $before = reads();
	my $r = $st->get('lighttpd', $t, $big_key);
	my $n = reads() - $before - $SHOW;
	die "GET $t: $r->{status} $r->{body}\n" if $r->{status} != 200;
	return ($n, $r);
}

{
	# Row 10,000 of 20,000 (newest first), 2025-01-01 + 10000 s.
	my $when = '2025-01-01T02:46:40.000000Z';
	my $sid = 'big010000';
	for my $order ('desc', 'asc') {
		my $o = $order eq 'asc' ? "order=3:asc\n" : '';
		my $oq = $order eq 'asc' ? '&order=asc' : '';
		for my $dir ('next', 'prev') {
			my $c = v3('org_big', "${o}status=6:failed\n", $dir, '0',
			    $when, $sid);
			my ($n, $r) = cost("limit=50&status=failed$oq&cursor=$c");
			ok($n <= 2 * 51 + 4 && $r->{json}{pagination}{page_size} == 50,
			    "status=failed, $order, $dir, at depth 10,000: "
			    . "$n row reads for 50 rows");
			$c = v3('org_big', "${o}status=6:failed\n"
			    . "created_after=27:2025-01-01T00:00:00.000000Z\n",
			    $dir, '0', $when, $sid);
			($n, $r) = cost("limit=50&status=failed$oq"
			    . "&created_after=2025-01-01T00:00:00Z&cursor=$c");
			ok($n <= 2 * 51 + 4, "  with a window: $n row reads");
		}
	}
	my $c = v3('org_big', "status=6:failed\ncall_type=7:inbound\n", 'next',
	    '0', $when, $sid);
	my ($n, $r) = cost("limit=50&status=failed&call_type=inbound"
	    . "&cursor=$c");
	my $rows = $r->{json}{pagination}{page_size};
	ok($n <= 2 * $SCAN + $rows + 4, "status+call_type at depth 10,000: "
	    . "$n row reads for $rows rows (scan-limit $SCAN: the floor's "
	    . "$SCAN + at most $SCAN + the rows' agents)");
	($n, $r) = cost("limit=50");
	ok($n <= 2 * 51 + 4, "no filter, first page: $n row reads");
}

diag("counters: reading them costs $SHOW row reads, subtracted");
is($st->crashes($_), '', "$_: no crash") for qw(lighttpd apache);
done_testing;
