#!/usr/bin/perl
# The API contract through each real deployment: Apache + mod_fcgid,
# Apache + mod_cgi (shared-hosting .htaccess), lighttpd + mod_fastcgi, and
# the pool of `calls-api serve` behind nginx (nginx/calls-api.conf) and
# Apache mod_proxy_fcgi (apache/calls-api-proxy-fcgi.conf).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Stack;

my $st = Stack->new;
my $keys = $st->demo_keys;
my $acme = $keys->{org_acme} or die 'no org_acme key';

my @servers = split / /,
    ($ENV{SERVERS} // 'apache cgi lighttpd nginx proxy-fcgi');

my %FIELDS = (
	call_sid => 'string', to_number => 'string', from_number => 'string?',
	agent_id => 'string', agent_name => 'string?', client_id => 'string',
	call_type => 'string?', status => 'string?',
	recording_enabled => 'bool?', total_cost => 'number?',
	duration_seconds => 'number?', turn_count => 'integer?',
	created_at => 'time', updated_at => 'time?', start_time => 'time?',
	end_time => 'time?', end_reason => 'string?',
	billing_status => 'string?',
);
my @ORDER = qw(call_sid to_number from_number agent_id agent_name client_id
    call_type status recording_enabled total_cost duration_seconds
    turn_count created_at updated_at start_time end_time end_reason
    billing_status);

sub type_ok {
	my ($v, $type) = @_;
	my $opt = $type =~ s/\?$//;
	return $opt if !defined $v;
	return JSON::PP::is_bool($v) if $type eq 'bool';
	return 0 if ref $v;
	my $flags = B::svref_2object(\$v)->FLAGS;
	my $is_num = $flags & (B::SVp_IOK() | B::SVp_NOK());
	return $is_num && $v =~ /^-?\d+(\.\d+)?$/ if $type eq 'number';
	return $is_num && $v =~ /^\d+$/ if $type eq 'integer';
	return !$is_num && $v =~ /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z$/
	    if $type eq 'time';
	return !$is_num;
}
use B;

sub error_is {
	my ($r, $status, $code, $param, $what) = @_;
	my $e = $r->{json} && $r->{json}{error};
	ok($r->{status} == $status && $e && $e->{code} =~ /^(?:$code)$/
	    && JSON::PP::is_bool($r->{json}{success}) && !$r->{json}{success}
	    && (defined $param ? ($e->{param} // '') eq $param
	    : !defined $e->{param}) && length($e->{message} // ''),
	    "$what: $status $code" . (defined $param ? " ($param)" : ''))
	    or diag("got $r->{status}: $r->{body}");
	like($r->{headers}{'content-type'} // '', qr{^application/json; charset=utf-8$},
	    "  $what: JSON content type");
}

# Money and durations: rows whose decimals end in significant digits.
$st->sql(<<'SQL');
INSERT INTO calls (call_sid, client_id, to_number, agent_id, created_at,
    total_cost, duration_seconds) VALUES
  ('call_dec01', 'org_decimals', '+1555', 'a', '2026-01-01 00:00:01', 12.3456, 120.005),
  ('call_dec02', 'org_decimals', '+1555', 'a', '2026-01-01 00:00:02', 0.0001, 0.001),
  ('call_dec03', 'org_decimals', '+1555', 'a', '2026-01-01 00:00:03', 10, 10),
  ('call_dec04', 'org_decimals', '+1555', 'a', '2026-01-01 00:00:04', 100.5, 100.5),
  ('call_dec05', 'org_decimals', '+1555', 'a', '2026-01-01 00:00:05', -0.5, -0.5),
  ('call_dec06', 'org_decimals', '+1555', 'a', '2026-01-01 00:00:06', 0, 0),
  ('call_dec07', 'org_decimals', '+1555', 'a', '2026-01-01 00:00:07', 9999999999.9999, 999999999.999),
  ('call_dec08', 'org_decimals', '+1555', 'a', '2026-01-01 00:00:08', -12.34, 60.1),
  ('call_dec09', 'org_decimals', '+1555', 'a', '2026-01-01 00:00:09', NULL, NULL),
  ('call_dec10', 'org_decimals', '+1555', 'a', '2026-01-01 00:00:10', 1000, 1000.01);
SQL
my $decimals_key = $st->new_key('org_decimals');

# A DECIMAL's text as the API must print it: the fraction's trailing zeros,
# then a bare point, go; every other digit stays.
sub api_decimal {
	my ($v) = @_;
	return 'null' if $v eq 'NULL';
	if ($v =~ /\./) {
		$v =~ s/0+$//;
		$v =~ s/\.$//;
	}
	return $v;
}

# { call_sid => "total_cost duration_seconds" } as the database has them.
sub db_decimals {
	my ($org) = @_;
	my %d;
	for (split /\n/, $st->sql("SELECT call_sid, total_cost, "
	    . "duration_seconds FROM calls WHERE client_id = '$org'")) {
		my ($sid, $cost, $dur) = split /\t/;
		$d{$sid} = api_decimal($cost) . ' ' . api_decimal($dur);
	}
	return \%d;
}

# The same from a page's raw text (a JSON decoder would make floats).
sub page_decimals {
	my ($body) = @_;
	my %d;
	$d{$1} = "$2 $3" while $body =~ /\{"call_sid":"([^"\\]*)".*?
	    "total_cost":([^,]*),"duration_seconds":([^,]*),/gx;
	return \%d;
}

my %db_dec = (%{ db_decimals('org_decimals') }, %{ db_decimals('org_acme') });

for my $server (@servers) {
	$st->start_web($server);
	note("--- $server ---");

	# total_cost and duration_seconds exactly as the database has them.
	my $dp = $st->get($server, '/api/calls?limit=100', $decimals_key);
	is_deeply(page_decimals($dp->{body}), db_decimals('org_decimals'),
	    "$server: 10 calls' decimals as in the database, digit for digit");
	my $page = page_decimals($st->get($server, '/api/calls?limit=100',
	    $acme)->{body});
	my @differ = grep { $page->{$_} ne ($db_dec{$_} // '') } sort keys %$page;
	ok(keys %$page == 100 && !@differ, "$server: org_acme's first "
	    . keys(%$page) . " calls' decimals as in the database")
	    or diag(join "\n", map { "$_: api $page->{$_}, db "
	    . ($db_dec{$_} // 'none') } @differ[0 .. ($#differ < 9 ? $#differ : 9)]);

	# The envelope and each field's JSON type.
	my $r = $st->get($server, '/api/calls?limit=5', $acme);
	is($r->{status}, 200, "$server: 200");
	is($r->{headers}{'content-type'}, 'application/json; charset=utf-8',
	    "$server: content type");
	is($r->{headers}{'cache-control'}, 'no-store', "$server: no-store");
	like($r->{body}, qr/^\{"success":true,"data":\[.*\],"pagination":\{"next_cursor":"[A-Za-z0-9_-]+","prev_cursor":null,"has_more":true,"page_size":5\}\}$/s,
	    "$server: envelope in the spec's order");
	my $items = $r->{json}{data};
	is(scalar @$items, 5, "$server: limit honoured");
	my ($types_ok, $order_ok) = (1, 1);
	for my $it (@$items) {
		my @keys = $r->{body} =~ /"(\w+)":/g;
		for my $f (keys %FIELDS) {
			next if type_ok($it->{$f}, $FIELDS{$f}) && exists $it->{$f};
			$types_ok = 0;
			diag("$f: " . ($it->{$f} // 'null'));
		}
		$types_ok = 0 if keys %$it != keys %FIELDS;
	}
	my ($first) = $r->{body} =~ /"data":\[\{(.*?)\}/;
	my @got = $first =~ /"(\w+)":/g;
	is("@got", "@ORDER", "$server: item fields in the spec's order");
	ok($types_ok, "$server: every field present with its JSON type");
	is($items->[0]{client_id}, 'org_acme', "$server: organisation from the key");

	# Default limit and the last page.
	$r = $st->get($server, '/api/calls', $acme);
	is($r->{json}{pagination}{page_size}, 50, "$server: default limit 50");
	my $gl = $st->get($server, '/api/calls?limit=100', $keys->{org_globex});
	is($gl->{status}, 200, "$server: globex first page");

	# HEAD: headers only.
	$r = $st->request($server, 'HEAD', '/api/calls?limit=2',
	    Authorization => "Bearer $acme");
	is($r->{status}, 200, "$server: HEAD 200");
	is($r->{body}, '', "$server: HEAD has no body");

	# 401s.
	$r = $st->get($server, '/api/calls', undef);
	error_is($r, 401, 'missing_api_key', undef, "$server: no key");
	like($r->{headers}{'www-authenticate'} // '', qr/^Bearer/,
	    "$server: WWW-Authenticate");
	error_is($st->get($server, '/api/calls', 'ck_wrong'), 401,
	    'invalid_api_key', undef, "$server: unknown key");
	error_is($st->request($server, 'GET', '/api/calls',
	    Authorization => "Basic Zm9vOmJhcg=="), 401, 'invalid_api_key',
	    undef, "$server: Basic auth");

	# 404 and 405. <route>/<segment> is the one-call route
	# (tests/33-one-call.t): no such call there.
	for my $path ('/api/other', '/api/calls/x/y', '/api/callsx?limit=5',
	    '/api/calls/') {
		error_is($st->get($server, $path, $acme), 404, 'not_found',
		    undef, "$server: $path");
	}
	for my $path ('/api/calls/x') {
		error_is($st->get($server, $path, $acme), 404, 'call_not_found',
		    undef, "$server: $path");
	}
	for my $m (qw(POST PUT DELETE PATCH OPTIONS)) {
		$r = $st->request($server, $m, '/api/calls',
		    Authorization => "Bearer $acme", 'Content-Length' => 0);
		error_is($r, 405, 'method_not_allowed', undef, "$server: $m");
		is($r->{headers}{allow}, 'GET, HEAD', "$server: $m Allow");
	}

	# 400s: every invalid limit, repeated and unknown parameters.
	for my $v ('0', '101', '-1', '1.5', 'abc', '', '+5', '%205', '%2B5',
	    '1e2', '99999999999999999999') {
		error_is($st->get($server, "/api/calls?limit=$v", $acme), 400,
		    'invalid_parameter', 'limit', "$server: limit=$v");
	}
	error_is($st->get($server, '/api/calls?limit=5&limit=5', $acme), 400,
	    'duplicate_parameter', 'limit', "$server: repeated limit");
	error_is($st->get($server, '/api/calls?offset=10', $acme), 400,
	    'unknown_parameter', 'offset', "$server: unknown parameter");
	# lighttpd normalises the URL first: a stray '%' arrives as %25.
	error_is($st->get($server, '/api/calls?limit=%zz', $acme), 400,
	    $server eq 'lighttpd' ? 'invalid_parameter' : 'invalid_query_string',
	    'limit', "$server: bad escape");
	for my $c ('', 'x', 'not-a-cursor!', 'eyJjYWxsX3NpZCI6ICJjYWxsX2FiYzEyMyJ9',
	    "%27%20OR%201%3D1--") {
		error_is($st->get($server, "/api/calls?cursor=$c", $acme), 400,
		    'invalid_cursor', 'cursor', "$server: cursor=$c");
	}

	is($st->crashes($server), '', "$server: no crash in the error log");
}

done_testing;
