#!/usr/bin/perl
# GET /api/calls/{call_sid} through each real deployment (Apache +
# mod_fcgid, Apache + mod_cgi's .htaccess, lighttpd, nginx, Apache +
# mod_proxy_fcgi): the key's own call is the list's object byte for byte;
# call_sids with a space, '+', '%', multibyte UTF-8, a '/' and a trailing
# space are found from their percent-encoded form, exactly; another
# organisation's call_sid and a missing one get the same 404 (body apart
# from request_id, header set) from the same single statement, shown by the
# database's own counters; authentication comes before the lookup; 405 for
# POST; any query parameter is a 400; HEAD.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use JSON::PP;
use Test::More;
use Stack;

my $st = Stack->new;
my $keys = $st->demo_keys;
my $acme = $keys->{org_acme} or die 'no org_acme key';
my $globex = $keys->{org_globex} or die 'no org_globex key';

my @servers = split / /, ($ENV{SERVERS} // 'apache cgi lighttpd nginx '
    . 'proxy-fcgi');

# Odd call_sids of org_acme (UTF-8 bytes, as the JSON bodies are read),
# newer than the sample data: on the first page.
my %odd = (
	odd   => "odd sid+100%\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80",
	slash => 'a/b',
	trail => 'trail ',
);
my $sql = "INSERT INTO calls (call_sid, client_id, to_number, agent_id, "
    . "created_at) VALUES ";
$sql .= join ', ', map {
	my $hex = unpack 'H*', $odd{$_};
	"(_utf8mb4 X'$hex', 'org_acme', '+15550001111', 'agent_1', "
	    . "'2030-01-01 00:00:0" . (length $_) . "')"
} sort keys %odd;
$st->sql("$sql;");

# Percent-encode every byte but unreserved ones (RFC 3986).
sub enc {
	my $b = shift;
	$b =~ s/([^A-Za-z0-9._~-])/sprintf '%%%02X', ord $1/ge;
	return $b;
}

# The JSON text of each object of a page's data array, by call_sid.
sub items {
	my ($body) = @_;
	my %by;
	$body =~ /^\{"success":true,"data":\[/g or return {};
	while ($body =~ /\G,?(\{)/gc) {
		my $start = pos($body) - 1;
		# Inside an object: strings (with escapes) and other text.
		$body =~ /\G(?:"(?:[^"\\]|\\.)*"|[^"{}])*\}/gc or last;
		my $text = substr $body, $start, pos($body) - $start;
		my $obj = JSON::PP->new->decode($text);
		$by{ $obj->{call_sid} } = $text;
	}
	return \%by;
}

# An error body without its request_id member (helper "reqid" adds it).
sub without_id {
	my ($r) = @_;
	my $j = $r->{json} or return $r->{body};
	delete $j->{error}{request_id} if ref $j->{error} eq 'HASH';
	return JSON::PP->new->canonical->encode($j);
}

# The header set of a response, as "name: value" lines; Date and
# X-Request-Id are per request. Framing aside: Apache's mod_cgi sends the
# same answer with Content-Length or chunked as it happens to read the
# program's output (any route, any status: measured 2 to 9 of 20 with a
# length); where a length is sent it must be the body's.
sub header_set {
	my ($r) = @_;
	my $h = $r->{headers};
	return 'Content-Length is not the body length'
	    if defined $h->{'content-length'} &&
	    $h->{'content-length'} != length $r->{body};
	return join "\n", map { "$_: $h->{$_}" } grep {
	    !/^(?:date|x-request-id|content-length|transfer-encoding)$/ }
	    sort keys %$h;
}

sub error_is {
	my ($r, $status, $code, $param, $what) = @_;
	my $e = $r->{json} && $r->{json}{error};
	ok($r->{status} == $status && $e && $e->{code} eq $code &&
	    (defined $param ? ($e->{param} // '') eq $param : !defined $e->{param}),
	    "$what: $status $code" . (defined $param ? " ($param)" : ''))
	    or diag("got $r->{status}: " . substr($r->{body}, 0, 300));
}

my ($globex_sid) = split /\n/, $st->sql("SELECT call_sid FROM calls WHERE "
    . "client_id = 'org_globex' ORDER BY created_at DESC LIMIT 1");
my $missing = 'call_does_not_exist_0000';

for my $server (@servers) {
	$st->start_web($server);
	my $page = $st->get($server, '/api/calls?limit=100', $acme);
	is($page->{status}, 200, "$server: first page of org_acme");
	my $items = items($page->{body});
	my ($plain) = grep { /^call_/ } sort keys %$items;

	# The key's own calls: the list's object, byte for byte.
	for my $sid ($plain, $odd{odd}, $odd{trail},
	    ($server eq 'cgi' ? () : $odd{slash})) {
		my $r = $st->get($server, '/api/calls/' . enc($sid), $acme);
		is($r->{status}, 200, "$server: GET /api/calls/" . enc($sid));
		is($r->{body}, '{"success":true,"data":'
		    . ($items->{$sid} // 'missing from the list') . '}',
		    "$server:   the list's object, byte for byte");
		is($r->{headers}{'content-type'},
		    'application/json; charset=utf-8', "$server:   JSON");
	}
	# '+' is a '+' in a path (%2B the same); the '/' sent literally is
	# another path.
	(my $literal = enc($odd{odd})) =~ s/%2B/+/;
	my $r = $st->get($server, "/api/calls/$literal", $acme);
	is($r->{json} && $r->{json}{data}{call_sid}, $odd{odd},
	    "$server: a literal '+' stays '+'");
	error_is($st->get($server, '/api/calls/a/b', $acme), 404, 'not_found',
	    undef, "$server: a literal '/' is a deeper path");
	if ($server eq 'cgi') {
		# The shared host's .htaccess cannot set AllowEncodedSlashes.
		$r = $st->get($server, '/api/calls/a%2Fb', $acme,
		    -foreign => "Apache's own 404 for an encoded slash");
		is($r->{status}, 404, "cgi: %2F gets Apache's own 404 "
		    . '(AllowEncodedSlashes is server config)');
	}
	# Exact match: utf8mb4_bin would let 'trail' find 'trail '.
	error_is($st->get($server, '/api/calls/trail', $acme), 404,
	    'call_not_found', undef, "$server: 'trail' is not 'trail '");

	# HEAD: as on the list route, 200 and no body. Content-Length, when
	# the front end keeps it (Apache's mod_cgi drops it on HEAD), is the
	# GET's.
	my $get = $st->get($server, "/api/calls/$plain", $acme);
	my $head = $st->request($server, 'HEAD', "/api/calls/$plain",
	    Authorization => "Bearer $acme");
	ok($head->{status} == 200 && $head->{body} eq '' &&
	    ($head->{headers}{'content-length'} // length $get->{body}) eq
	    length($get->{body}) && ($head->{headers}{'content-type'} // '')
	    eq $get->{headers}{'content-type'},
	    "$server: HEAD 200, no body, GET's headers") or diag("HEAD: "
	    . "$head->{raw}");

	# Another organisation's call and none at all: one answer.
	my $other = $st->get($server, '/api/calls/' . enc($globex_sid), $acme);
	my $none = $st->get($server, "/api/calls/$missing", $acme);
	error_is($other, 404, 'call_not_found', undef,
	    "$server: org_globex's call with org_acme's key");
	error_is($none, 404, 'call_not_found', undef, "$server: a missing call");
	is($other->{json} && $other->{json}{error}{message},
	    'No call with this call_sid.', "$server:   the message");
	is(without_id($other), without_id($none),
	    "$server:   the same body (request_id aside)");
	is(header_set($other), header_set($none),
	    "$server:   the same headers");
	is($st->get($server, '/api/calls/' . enc($globex_sid), $globex)
	    ->{status}, 200, "$server:   org_globex's key gets it");
	error_is($st->get($server, '/api/calls/' . ('x' x 65), $acme), 404,
	    'call_not_found', undef, "$server: 65 characters");

	# Authentication before anything is looked up.
	error_is($st->get($server, '/api/calls/' . enc($globex_sid)), 401,
	    'missing_api_key', undef, "$server: no key, another org's call");
	error_is($st->get($server, '/api/calls/' . enc($globex_sid),
	    'ck_wrong'), 401, 'invalid_api_key', undef,
	    "$server: a bad key, another org's call");
	error_is($st->get($server, "/api/calls/$missing", 'ck_wrong'), 401,
	    'invalid_api_key', undef, "$server: a bad key, a missing call");

	$r = $st->request($server, 'POST', "/api/calls/$plain",
	    Authorization => "Bearer $acme", 'Content-Length' => 0);
	error_is($r, 405, 'method_not_allowed', undef, "$server: POST");
	is($r->{headers}{allow}, 'GET, HEAD', "$server:   Allow");
	error_is($st->get($server, "/api/calls/$plain?limit=1", $acme), 400,
	    'unknown_parameter', 'limit', "$server: a query parameter");

	is($st->crashes($server), '', "$server: no crash in the error log");
	$st->stop_web($server) unless $server eq 'cgi';
}

# The same work for both 404s: the database's handler counters around one
# request each, under CGI (a fresh process per request: connect, key
# lookup, call lookup, nothing cached), three times each. The found call
# reads more (its agent's row): the counters do tell lookups apart.
sub work_of {
	my ($target) = @_;
	# SHOW GLOBAL STATUS itself is counted the same each time.
	return Stack::db_work(sub { $st->sql(@_) },
	    sub { $st->get('cgi', $target, $acme)->{status} });
}
my (%work);
for my $round (1 .. 3) {
	push @{ $work{other} }, work_of('/api/calls/' . enc($globex_sid));
	push @{ $work{none} }, work_of("/api/calls/$missing");
	push @{ $work{own} }, work_of('/api/calls/' . enc($odd{odd}));
}
diag("database work per request: another org's call: $work{other}[0]; "
    . "none: $work{none}[0]; own call: $work{own}[0]");
is_deeply($work{other}, [ ($work{other}[0]) x 3 ],
    'the counters are deterministic per request');
is_deeply($work{other}, $work{none},
    "another org's call and a missing one: the same database work");
isnt($work{own}[0], $work{none}[0],
    '  (a found call reads more: the measure tells lookups apart)');
done_testing;
