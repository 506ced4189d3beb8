#!/usr/bin/perl
# Hostile and broken input through every real server: each answer is a
# 4xx (a JSON error when it reaches the responder), never a 5xx, never a
# crash, and no secret ever shows in a body or a log line.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Digest::SHA qw(hmac_sha256);
use MIME::Base64 qw(encode_base64url encode_base64);
use Test::More;
use Stack;

my $st = Stack->new;
my $keys = $st->demo_keys;
my $key = $keys->{org_acme};
my ($secret) = do {
	open my $fh, '<', $st->dir . '/calls-api.cnf' or die $!;
	map { /^cursor-secret=(.*)$/ ? $1 : () } <$fh>;
};
my ($password) = do {
	open my $fh, '<', $st->dir . '/calls-api.cnf' or die $!;
	map { /^password=(.*)$/ ? $1 : () } <$fh>;
};

# A cursor as the responder mints it, with any secret and organisation.
sub mint {
	my (%c) = @_;
	my $when = $c{created_at} // '2025-06-30T17:00:00.000000Z';
	my $sid = $c{call_sid} // 'call_x';
	my $mac = hmac_sha256(join("\0", 'calls-api/cursor/v1',
	    $c{org} // 'org_acme', '', $when, $sid) . "\0",
	    $c{secret} // $secret);
	return encode_base64url(sprintf('{"v":1,"created_at":"%s",'
	    . '"call_sid":"%s","sig":"%s"}', $when, $sid,
	    encode_base64url($mac)));
}
sub b64 { encode_base64url($_[0]) }

# A minted cursor with the right secret is accepted: the test's minting
# matches the responder's format, so the forgeries below are meaningful.
my $good = mint();

# [ name, target, expected status, expected code, { headers }, method ]
my @cases = (
	# Apache and lighttpd as configured by the shipped drop-ins.
	[ 'query over 8 KiB', '/api/calls?limit=5&x=' . ('a' x 9000), 414,
	    'query_too_long', undef, undef, 'host-defaults' ],
	[ 'bad escape', '/api/calls?limit=%zz', 400, 'invalid_query_string',
	    undef, undef, 'lighttpd-normalises' ],
	[ 'NUL', '/api/calls?limit=%00', 400, 'invalid_query_string',
	    undef, undef, 'server-may-reject' ],
	[ 'invalid UTF-8', '/api/calls?limit=%ff%fe', 400,
	    'invalid_query_string', undef, undef, 'server-may-reject' ],
	[ 'overlong UTF-8', '/api/calls?cursor=%c0%af', 400,
	    'invalid_query_string', undef, undef, 'server-may-reject' ],
	[ 'limit=1e2', '/api/calls?limit=1e2', 400, 'invalid_parameter' ],
	[ 'huge limit', '/api/calls?limit=99999999999999999999', 400,
	    'invalid_parameter' ],
	[ 'duplicate', '/api/calls?cursor=a&cursor=a', 400,
	    'duplicate_parameter' ],
	[ 'unknown', '/api/calls?client_id=org_globex', 400,
	    'unknown_parameter' ],
	[ 'empty cursor', '/api/calls?cursor=', 400, 'invalid_cursor' ],
	[ '1-byte cursor', '/api/calls?cursor=e', 400, 'invalid_cursor' ],
	[ 'not base64', '/api/calls?cursor=%3C%3E%21', 400, 'invalid_cursor' ],
	[ 'base64 of non-JSON', '/api/calls?cursor=' . b64('hello world'),
	    400, 'invalid_cursor' ],
	[ 'JSON of the wrong types', '/api/calls?cursor=' . b64(
	    '{"v":"1","created_at":5,"call_sid":null,"sig":[]}'), 400,
	    'invalid_cursor' ],
	[ 'JSON with a bad signature', '/api/calls?cursor=' . b64(
	    '{"v":1,"created_at":"2025-06-30T17:00:00.000000Z","call_sid":'
	    . '"call_x","sig":"' . ('A' x 43) . '"}'), 400, 'invalid_cursor' ],
	[ 'signed with another secret', '/api/calls?cursor='
	    . mint(secret => 'x' x 64), 400, 'invalid_cursor' ],
	[ 'signed for another organisation', '/api/calls?cursor='
	    . mint(org => 'org_globex'), 400, 'invalid_cursor' ],
	[ 'signed, impossible date', '/api/calls?cursor='
	    . mint(created_at => '2025-02-30T00:00:00.000000Z'), 400,
	    'invalid_cursor' ],
	[ 'signed, SQL in call_sid', '/api/calls?cursor='
	    . mint(call_sid => "x' OR '1'='1"), 400, 'invalid_cursor' ],
	[ 'huge cursor', '/api/calls?cursor=' . ('A' x 4096), 400,
	    'invalid_cursor' ],
	[ 'SQL in limit', "/api/calls?limit=1%20OR%201%3D1", 400,
	    'invalid_parameter' ],
	[ 'SQL in cursor', "/api/calls?cursor=%27%20OR%20%271%27%3D%271", 400,
	    'invalid_cursor' ],
	[ 'SQL in a name', "/api/calls?limit%3B%20DROP%20TABLE%20calls=1", 400,
	    'unknown_parameter' ],
	[ 'SQL in the key', '/api/calls', 401, 'invalid_api_key',
	    { Authorization => "Bearer ' OR '1'='1" } ],
	[ 'SQL-looking token', '/api/calls', 401, 'invalid_api_key',
	    { Authorization => "Bearer x'--" } ],
	[ '12 KiB Authorization', '/api/calls', 401, 'invalid_api_key',
	    { Authorization => 'Bearer ' . ('k' x 12288) }, undef,
	    'host-defaults' ],
	# Over what any of the servers passes on (mod_fcgid: a FastCGI record).
	[ '64 KiB Authorization', '/api/calls', 401, 'invalid_api_key',
	    { Authorization => 'Bearer ' . ('k' x 65536) }, undef,
	    'server-may-reject' ],
	[ 'path traversal', '/api/calls/../../etc/passwd', 404, 'not_found',
	    undef, undef, 'server-may-reject' ],
	# One segment: a call_sid "../../etc/passwd", looked up and not found.
	[ 'encoded traversal', '/api/calls/..%2f..%2fetc%2fpasswd', 404,
	    'call_not_found', undef, undef, 'server-may-reject' ],
	[ 'trailing junk', '/api/calls;x=1', 404, 'not_found' ],
	[ 'trailing slash', '/api/calls/', 404, 'not_found' ],
	[ 'extension', '/api/calls.json', 404, 'not_found' ],
	[ 'double slash', '/api//calls', 404, 'not_found',
	    undef, undef, 'server-may-reject' ],
	# The filters, order and time window (README "Filters, order and
	# paging both ways"): each bad value is a 400 naming the parameter.
	map({ [ "bad $_->[0]", "/api/calls?$_->[0]=$_->[1]", 400,
	    'invalid_parameter', undef, undef, undef, $_->[2] // $_->[0] ] } (
	    [ 'order', 'sideways' ], [ 'order', 'DESC' ], [ 'order', '' ],
	    [ 'status', '' ], [ 'status', 'x' x 33 ],
	    [ 'call_type', 'voicemail' ], [ 'call_type', 'INBOUND' ],
	    [ 'agent_id', '' ], [ 'agent_id', 'a' x 65 ],
	    [ 'end_reason', '%C3%A9' x 65 ],
	    [ 'to_number', '15551234567' ], [ 'to_number', '%2B0555' ],
	    [ 'to_number', '%2B1234567890123456' ], [ 'to_number', '%2B1-555' ],
	    [ 'from_number', '%2B' ], [ 'from_number', "%2B1555'--" ],
	    [ 'created_after', 'yesterday' ],
	    [ 'created_after', '2026-03-09T10:00:00' ],
	    [ 'created_after', '2026-03-09' ],
	    [ 'created_after', '2026-02-30T10:00:00Z' ],
	    [ 'created_before', '2026-03-09T10:00:60Z' ],
	    [ 'created_before', '2026-03-09T10:00:00%2B2400' ],
	    [ 'created_before', '2026-03-09T10:00:00Z&created_after='
	      . '2026-03-09T12:00:00%2B02:00', 'created_before' ],
	)),
	[ 'duplicate filter', '/api/calls?status=a&status=b', 400,
	    'duplicate_parameter', undef, undef, undef, 'status' ],
	map({ [ "method $_", '/api/calls', 405, 'method_not_allowed',
	    { 'Content-Length' => 0 }, $_ ] } qw(POST PUT DELETE PATCH OPTIONS)),
);

for my $server (qw(apache cgi lighttpd)) {
	$st->start_web($server);
	my $ok = $st->get($server, "/api/calls?limit=2&cursor=$good", $key);
	is($ok->{status}, 200, "$server: a cursor minted like the responder's "
	    . 'is accepted (so the forgeries are real forgeries)');
	for my $c (@cases) {
		my ($name, $target, $status, $code, $hdr, $method, $note,
		    $param) = @$c;
		my %h = (Authorization => "Bearer $key", %{ $hdr // {} });
		my $r = $st->request($server, $method // 'GET', $target, %h);
		my $json = ($r->{headers}{'content-type'} // '')
		    =~ m{^application/json};
		my $got = $json && $r->{json} ? $r->{json}{error}{code} : '';
		my $what = "$server: $name";
		# The web server may refuse a request before it reaches the
		# responder: its own 4xx page, never a 5xx. 'host-defaults':
		# the shared host (cgi) keeps Apache's default limits.
		my $server_may = ($note // '') eq 'server-may-reject'
		    || (($note // '') eq 'host-defaults' && $server eq 'cgi');
		if ($server_may && !$json) {
			ok($r->{status} >= 400 && $r->{status} < 500,
			    "$what: refused by the server itself ($r->{status})");
			$st->not_ours($r, "$name: $server refused it itself");
			next;
		}
		if (($note // '') eq 'lighttpd-normalises' && $server eq 'lighttpd') {
			$code = 'invalid_parameter';
		}
		ok($r->{status} == $status && $got eq $code,
		    "$what: $status $code")
		    or diag("got $r->{status} $got: " . substr($r->{body}, 0, 300));
		unlike($r->{body}, qr/\Q$secret\E|\Q$password\E/,
		    "$what: no secret in the body");
		next unless defined $param && $json && $r->{json};
		is($r->{json}{error}{param}, $param, "$what: names $param");
		next unless $code eq 'invalid_parameter';
		like($r->{json}{error}{message}, qr/\Q$param\E must /,
		    "$what: the message says what $param must be");
	}
	my $crash = $st->crashes($server);
	is($crash, '', "$server: no crash in the error log");
	my $log = join '', map { local (@ARGV, $/) = $_; <> }
	    glob($st->dir . "/$server/*.log");
	unlike($log, qr/\Q$secret\E|\Q$password\E|\Q$key\E/,
	    "$server: no secret or key in its logs");
}

# A '+' sent as is decodes to a space (application/x-www-form-urlencoded):
# in a number or an offset it is read as the '+' it was. The literal and
# the %2B spelling select the same calls, and the cursor of one serves the
# other (the same filter).
my ($number, $org_calls) = split /\t/, $st->sql("SELECT to_number, "
    . "COUNT(*) FROM calls WHERE client_id = 'org_acme' GROUP BY to_number "
    . "ORDER BY COUNT(*) DESC, to_number LIMIT 1");
(my $digits = $number) =~ s/^\+//;
my $want = $st->sql("SELECT COUNT(*) FROM calls WHERE client_id = "
    . "'org_acme' AND to_number = '$number'");
for my $server (qw(apache cgi lighttpd)) {
	my $lit = $st->get($server, "/api/calls?limit=100&to_number=+$digits",
	    $key);
	my $enc = $st->get($server, "/api/calls?limit=100&to_number=%2B$digits",
	    $key);
	is($lit->{status}, 200, "$server: to_number with a literal +: 200");
	is($lit->{body}, $enc->{body}, "$server: ... the same page as %2B");
	my @n = map { $_->{to_number} } @{ $lit->{json}{data} // [] };
	is(scalar(grep { $_ eq $number } @n), scalar(@n),
	    "$server: ... only calls to $number");
	is(scalar(@n), $want > 100 ? 100 : $want, "$server: ... all of them");
	my $off = $st->get($server, '/api/calls?limit=3&created_after='
	    . '2000-01-01T02:00:00+02:00', $key);
	is($off->{status}, 200, "$server: an offset with a literal +: 200");
}
done_testing;
