#!/usr/bin/perl
# Rows that the schema allows but the platform's own conventions would not
# make: call_sids with hyphens, spaces, quotes, backslashes, non-ASCII,
# 64 multibyte characters, a NUL, the empty string; ties among them; a NUL
# inside from_number; zero dates and zero-part dates (what an import under
# a permissive sql_mode leaves); every string column at its maximum length
# in 4-byte characters and in characters that need escaping; decimals with
# every significant digit. Walked at limits 1, 2, 3 and 100 through
# lighttpd, Apache and CGI: every answer 200 and valid JSON, every row
# exactly once in keyset order, every value byte for byte what the
# database holds (read with HEX()), zero dates as null.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use JSON::PP;
use Test::More;
use Stack;

my $st = Stack->new;
my $org = 'org_odd';

# New zero dates cannot be written under the server's strict sql_mode (and
# the schema's CHECK): an import that bypassed both is simulated here.
my $strict = $st->sql("SELECT \@\@GLOBAL.sql_mode");
like($strict, qr/NO_ZERO_DATE/, "the private server's sql_mode: $strict");
my $refused = eval {
	$st->sql("INSERT INTO calls (call_sid, client_id, to_number, agent_id,"
	    . " created_at) VALUES ('zero_strict', '$org', '+1', 'a',"
	    . " '0000-00-00 00:00:00')");
	1;
};
ok(!$refused, 'a zero date is refused under the default session sql_mode');
$refused = eval {
	$st->sql("SET SESSION sql_mode = ''; INSERT INTO calls (call_sid,"
	    . " client_id, to_number, agent_id, created_at) VALUES"
	    . " ('zero_check', '$org', '+1', 'a', '2026-00-15 00:00:00')");
	1;
};
ok(!$refused, 'a zero-part date is refused by the CHECK constraint even '
    . 'under a permissive session sql_mode');

$st->sql(<<"SQL");
SET SESSION sql_mode = '';
SET SESSION check_constraint_checks = 0;
INSERT INTO agents (client_id, agent_id, agent_name) VALUES
  ('$org', 'agent_odd', 'Odd Agent'),
  ('$org', REPEAT(_utf8mb4 X'F09F9880', 64), REPEAT(_utf8mb4 X'F09F9880', 255)),
  ('$org', REPEAT(CHAR(1), 64), REPEAT(CHAR(1), 255));
INSERT INTO calls (call_sid, client_id, to_number, from_number, agent_id,
    total_cost, duration_seconds, turn_count, recording_enabled,
    created_at, updated_at) VALUES
  ('550e8400-e29b-41d4-a716-446655440000', '$org', '+1', NULL, 'agent_odd',
    12.3456, 120.001, 1, 1, '2026-05-01 10:00:00', NULL),
  ('with space', '$org', '+1', NULL, 'agent_odd', 0.0001, 0.001, 2, 0,
    '2026-05-01 10:00:00', NULL),
  ('quote"d', '$org', '+1', NULL, 'agent_odd', -0.0001, 1.100, 3, NULL,
    '2026-05-01 10:00:00', NULL),
  ('back\\\\slash', '$org', '+1', NULL, 'agent_odd', 9999999999.9999,
    999999999.999, 4294967295, 1, '2026-05-01 10:00:00', NULL),
  ('apos''trophe', '$org', '+1', NULL, 'agent_odd', 10.0000, 10.000, 0, 1,
    '2026-05-01 10:00:00', NULL),
  (_utf8mb4 X'4772C3BC54C39F655FC3B1', '$org', '+1', NULL, 'agent_odd',
    1.5000, 2.500, 5, 1, '2026-05-01 09:00:00.000001', NULL),
  (REPEAT(_utf8mb4 X'E282AC', 64), '$org', '+1', NULL, 'agent_odd', 2.0100,
    3.010, 6, 1, '2026-05-01 09:00:00.000001', NULL),
  ('%2B+/=&?#', '$org', '+1', NULL, 'agent_odd', 3, 4, 7, 1,
    '2026-05-01 09:00:00.000001', NULL),
  ('trailing space ', '$org', '+1', NULL, 'agent_odd', 4, 5, 8, 1,
    '2026-05-01 09:00:00.000001', NULL),
  (CONCAT('sid', CHAR(0), 'nul'), '$org', '+1', NULL, 'agent_odd', 5, 6, 9,
    1, '2026-05-01 08:00:00', NULL),
  ('', '$org', '+1', NULL, 'agent_odd', 6, 7, 10, 1,
    '2026-05-01 08:00:00', NULL),
  ('call_nul_number', '$org', '+1', CONCAT('+1', CHAR(0), '555'),
    'agent_odd', 7, 8, 11, 1, '2026-04-01 00:00:00', NULL),
  ('zero_date_a', '$org', '+1', NULL, 'agent_odd', 8, 9, 12, 1,
    '0000-00-00 00:00:00', '0000-00-00 00:00:00'),
  ('zero_date_b', '$org', '+1', NULL, 'agent_odd', 8, 9, 12, 1,
    '0000-00-00 00:00:00', NULL),
  ('zero_month', '$org', '+1', NULL, 'agent_odd', 9, 10, 13, 1,
    '2026-00-15 10:00:00', '2026-02-00 00:00:00'),
  ('zero_day', '$org', '+1', NULL, 'agent_odd', 9, 10, 13, 1,
    '2026-02-00 00:00:00', NULL),
  ('zero_day_b', '$org', '+1', NULL, 'agent_odd', 9, 10, 13, 1,
    '2026-02-00 00:00:00', NULL);
-- Every string column at its maximum length: 4-byte characters, then
-- characters that need escaping (\\u0001, six bytes of JSON each).
INSERT INTO calls (call_sid, client_id, to_number, from_number, agent_id,
    call_type, status, end_reason, billing_status, created_at) VALUES
  (REPEAT(_utf8mb4 X'F09F9880', 64), '$org', REPEAT(_utf8mb4 X'F09F9880', 32),
    REPEAT(_utf8mb4 X'F09F9880', 32), REPEAT(_utf8mb4 X'F09F9880', 64),
    REPEAT(_utf8mb4 X'F09F9880', 16), REPEAT(_utf8mb4 X'F09F9880', 32),
    REPEAT(_utf8mb4 X'F09F9880', 64), REPEAT(_utf8mb4 X'F09F9880', 32),
    '2026-03-01 00:00:00'),
  (REPEAT(CHAR(1), 64), '$org', REPEAT(CHAR(1), 32), REPEAT('"', 32),
    REPEAT(CHAR(1), 64), REPEAT(CHAR(1), 16), REPEAT('\\\\', 32),
    REPEAT(CHAR(31), 64), REPEAT(CHAR(0), 32), '2026-03-01 00:00:00');
SQL
my $key = $st->new_key($org);

my @str = qw(call_sid to_number from_number agent_id agent_name client_id
    call_type status end_reason billing_status);
my %is_str = map { $_ => 1 } @str;
my @ts = qw(created_at updated_at start_time end_time);

# The rows as the database holds them, in keyset order.
sub expected {
	my $cols = join ', ', (map { "HEX(x.$_)" } @str),
	    (map { "DATE_FORMAT(x.$_, '%Y-%m-%dT%H:%i:%s.%f')" } @ts),
	    map { "x.$_" } qw(total_cost duration_seconds turn_count
	    recording_enabled);
	my $out = $st->sql("SELECT $cols FROM (SELECT c.*, a.agent_name FROM "
	    . "calls c LEFT JOIN agents a ON a.client_id = c.client_id AND "
	    . "a.agent_id = c.agent_id WHERE c.client_id = '$org') x "
	    . "ORDER BY x.created_at DESC, x.call_sid DESC");
	my @rows;
	for my $line (split /\n/, $out) {
		my @v = split /\t/, $line, -1;
		my %r;
		for my $c (@str) {
			my $h = shift @v;
			$r{$c} = $h eq 'NULL' ? undef : pack('H*', $h);
		}
		for my $c (@ts) {
			my $t = shift @v;
			$r{$c} = iso($t);
		}
		for my $c (qw(total_cost duration_seconds)) {
			my $d = shift @v;
			$r{$c} = $d eq 'NULL' ? undef : trim_decimal($d);
		}
		for my $c (qw(turn_count recording_enabled)) {
			my $n = shift @v;
			$r{$c} = $n eq 'NULL' ? undef : $n;
		}
		push @rows, \%r;
	}
	return \@rows;
}

# DATE_FORMAT's text as the API writes it: null when it has no ISO 8601
# form (zero date or zero month/day), the fraction only when non-zero.
sub iso {
	my ($t) = @_;
	return undef if $t eq 'NULL';
	my ($y, $m, $d, $rest, $f) =
	    $t =~ /^(\d{4})-(\d\d)-(\d\d)(T\d\d:\d\d:\d\d)\.(\d{6})$/ or
	    return "unparsed:$t";
	return undef if $y == 0 || $m == 0 || $d == 0;
	return "$y-$m-$d$rest" . ($f eq '000000' ? '' : ".$f") . 'Z';
}

sub trim_decimal {
	my ($d) = @_;
	$d =~ s/0+$// if $d =~ /\./;
	$d =~ s/\.$//;
	return $d;
}

# What one JSON row says, in the same shape (strings as UTF-8 bytes,
# numbers as their exact text).
sub got_row {
	my ($j) = @_;
	my %r;
	for my $c (@str) {
		my $v = $j->{$c};
		if (defined $v) {
			$v = "$v";
			utf8::encode($v);
		}
		$r{$c} = $v;
	}
	$r{$_} = $j->{$_} for @ts;
	for my $c (qw(total_cost duration_seconds turn_count)) {
		$r{$c} = defined $j->{$c} ? "$j->{$c}" : undef;
	}
	$r{recording_enabled} = !defined $j->{recording_enabled} ? undef :
	    $j->{recording_enabled} ? 1 : 0;
	return \%r;
}

sub hexed { my $s = shift; defined $s ? unpack('H*', $s) : 'NULL' }

my $json = JSON::PP->new->utf8->allow_bignum;

# Follow next_cursor to the end, at most total/limit + 2 pages (a seek that
# returns a page again fails here instead of hanging). Returns the rows.
sub walk {
	my ($server, $limit, $total) = @_;
	my ($cursor, @rows);
	my $cap = int($total / $limit) + 2;
	for my $page (1 .. $cap) {
		my $t = "/api/calls?limit=$limit"
		    . (defined $cursor ? "&cursor=$cursor" : '');
		my $r = $st->get($server, $t, $key);
		if ($r->{status} != 200) {
			diag("$server limit $limit page $page: $r->{status} "
			    . $r->{body});
			return undef;
		}
		my $doc = eval { $json->decode($r->{body}) };
		if (!$doc) {
			diag("$server limit $limit page $page: not JSON: $@");
			return undef;
		}
		my $p = $doc->{pagination};
		my $n = @{ $doc->{data} };
		if ($p->{page_size} != $n || $n > $limit ||
		    ($p->{has_more} && $n != $limit) ||
		    ($page > 1 && $n == 0) ||
		    ($p->{has_more} ? !defined $p->{next_cursor} :
		    defined $p->{next_cursor})) {
			diag("$server limit $limit page $page: bad pagination: "
			    . "$n rows, " . JSON::PP->new->canonical->encode($p));
			return undef;
		}
		push @rows, map { got_row($_) } @{ $doc->{data} };
		return \@rows unless $p->{has_more};
		$cursor = $p->{next_cursor};
		$cursor =~ s/([^A-Za-z0-9_-])/sprintf('%%%02X', ord $1)/ge;
	}
	diag("$server limit $limit: more than $cap pages");
	return undef;
}

my $want = expected();
my $total = @$want;
is($total, 19, "org_odd holds $total odd rows");

$st->start_web($_) for qw(lighttpd apache cgi);
my %limits = (lighttpd => [1, 2, 3, 100], apache => [1, 2, 3, 100],
    cgi => [3]);
for my $server (qw(lighttpd apache cgi)) {
	for my $limit (@{ $limits{$server} }) {
		my $got = walk($server, $limit, $total);
		ok($got, "$server limit $limit: every page 200, valid JSON, "
		    . "consistent pagination") or next;
		my @g = map { hexed($_->{call_sid}) } @$got;
		my @w = map { hexed($_->{call_sid}) } @$want;
		my ($i) = grep { ($g[$_] // '-') ne ($w[$_] // '-') }
		    0 .. ($#g > $#w ? $#g : $#w);
		ok(!defined $i, "  every row exactly once, in keyset order")
		    or diag("first difference at row $i: got call_sid "
		    . ($g[$i] // 'none') . ", want " . ($w[$i] // 'none')
		    . " (hex; " . @g . " rows, want " . @w . ")");
		my @bad;
		for my $i (0 .. $#$want) {
			my ($g, $w) = ($got->[$i], $want->[$i]);
			last unless $g;
			for my $c (sort keys %$w) {
				my ($a, $b) = map { defined $_ ?
				    ($is_str{$c} ? hexed($_) : $_) : 'null' }
				    $g->{$c}, $w->{$c};
				push @bad, "row $i $c: got $a, want $b"
				    if $a ne $b;
			}
		}
		ok(!@bad, "  every value byte for byte as the database holds "
		    . "it") or diag(join "\n", @bad[0 .. ($#bad > 9 ? 9 : $#bad)]);
	}
}

is($st->crashes($_), '', "$_: no crash") for qw(lighttpd apache cgi);
done_testing;
