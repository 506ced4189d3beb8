#!/usr/bin/perl
# doc/openapi.yaml and its validator (tests/openapi/validate.mjs): the
# document is valid OpenAPI 3.1; answers as the API gives them pass; answers
# that drift from it (an extra member, a wrong type, a missing header, an
# undocumented status, ...) are each reported, with the reason; and the
# check every integration test gets through tests/lib/Stack.pm turns a
# drifting response into a failing test that names its log.
use strict;
use warnings;
use Cwd qw(abs_path);
use File::Basename qw(dirname);
use File::Temp qw(tempdir);
use JSON::PP;
use MIME::Base64 qw(encode_base64);
use Test::More;

plan skip_all => 'no responder C code here (the OpenAPI document and its '
    . 'validator); run by the plain build' if $ENV{SANITIZE};

my $top = abs_path(dirname(__FILE__) . '/..');
my $js = "$top/tests/openapi/validate.mjs";
plan skip_all => 'no node or tests/openapi/node_modules (scripts/deps.sh grammar)'
    unless -d "$top/tests/openapi/node_modules/ajv" &&
    system('node --version >/dev/null 2>&1') == 0;
my $tmp = tempdir('/tmp/calls-api-openapi.XXXXXX', CLEANUP => 1);

sub run_validator {
	my (@args) = @_;
	my $out = `node '$js' @args 2>&1`;
	my $res = eval { JSON::PP->new->decode($out) };
	return ($res, $? >> 8, $out);
}

# 1. The document itself, against the OpenAPI 3.1 schema.
my ($res, $rc, $out) = run_validator('--doc-only');
ok($rc == 0 && $res && ($res->{document} // '') eq 'valid',
    'doc/openapi.yaml is valid OpenAPI 3.1 and its schemas compile')
    or diag($out);
# ... and a broken document is refused (the check can fail).
(my $broken = do { local (@ARGV, $/) = "$top/doc/openapi.yaml"; <> })
    =~ s/^openapi: 3\.1\.0$/openapi: 3.1.0\nbogus_member: 1/m;
open my $fh, '>', "$tmp/broken.yaml" or die $!;
print $fh $broken;
close $fh;
($res, $rc, $out) = run_validator('--doc-only', '--doc', "$tmp/broken.yaml");
ok($rc == 2 && ($res->{error} // '') =~ /not valid OpenAPI/,
    '  a document with an unknown top-level member is refused') or diag($out);

# 2. Responses. Each case: [name, method, target, status, headers, body].
my $RID = 'f00dfeedf00dfeedf00dfeedf00dfeed';
my %json = ('content-type' => 'application/json; charset=utf-8',
    'cache-control' => 'no-store', 'x-content-type-options' => 'nosniff',
    'accept-ranges' => 'none', 'x-request-id' => $RID);
my $call = { call_sid => 'call_abc123def456', to_number => '+15559876543',
    from_number => '+15551234567', agent_id => 'agent_xyz789',
    agent_name => 'Sales Rep', client_id => 'org_123', call_type => 'outbound',
    status => 'completed', recording_enabled => JSON::PP::true,
    total_cost => 12.35, duration_seconds => 120.5, turn_count => 7,
    created_at => '2026-03-09T10:00:00Z',
    updated_at => '2026-03-09T10:02:30.000001Z', start_time => undef,
    end_time => '2026-03-09T10:02:25Z', end_reason => 'tool_end_call',
    billing_status => 'billed' };
my $zero = { %$call, call_sid => "a \x{e9}\x{0}b", created_at => undef,
    from_number => undef, agent_name => undef, call_type => undef,
    status => undef, recording_enabled => undef, total_cost => undef,
    duration_seconds => undef, turn_count => undef, updated_at => undef,
    end_time => undef, end_reason => undef, billing_status => undef };
my $cursor = 'eyJ2IjoyLCJrIjoiYWJjIn0';
sub page {
	my ($data, $next, $prev, %over) = @_;
	return { success => JSON::PP::true, data => $data, pagination => {
	    next_cursor => $next, prev_cursor => $prev,
	    has_more => $next ? JSON::PP::true : JSON::PP::false,
	    page_size => scalar @$data, %over } };
}
sub error {
	my ($code, $param, $msg) = @_;
	return { success => JSON::PP::false, error => { code => $code,
	    message => $msg // 'Something.', param => $param,
	    request_id => $RID } };
}
my @good = (
    ['list', 'GET', '/api/calls?limit=2', 200, \%json,
	page([$call, $zero], $cursor, undef)],
    ['last page, filtered', 'GET', "/api/calls?status=completed&cursor=$cursor",
	200, \%json, page([$call], undef, $cursor)],
    ['empty scan page', 'GET', '/api/calls?status=a&agent_id=b', 200, \%json,
	page([], $cursor, undef)],
    ['HEAD list', 'HEAD', '/api/calls', 200, \%json, undef],
    ['one call', 'GET', '/api/calls/call_abc123def456', 200, \%json,
	{ success => JSON::PP::true, data => $call }],
    ['400', 'GET', '/api/calls?limit=0', 400, \%json,
	error('invalid_parameter', 'limit')],
    ['400 bad query string', 'GET', '/api/calls?limit=%zz', 400, \%json,
	error('invalid_query_string', undef)],
    ['401', 'GET', '/api/calls', 401, { %json,
	'www-authenticate' => 'Bearer realm="calls-api"' },
	error('missing_api_key', undef)],
    ['404 call', 'GET', '/api/calls/nope', 404, \%json,
	error('call_not_found', undef, 'No call with this call_sid.')],
    ['404 other path', 'DELETE', '/api/other', 404, \%json,
	error('not_found', undef)],
    ['405', 'POST', '/api/calls', 405, { %json, allow => 'GET, HEAD' },
	error('method_not_allowed', undef)],
    ['414', 'GET', '/api/calls?x=' . ('a' x 9000), 414, \%json,
	error('query_too_long', undef)],
    ['500', 'GET', '/api/calls', 500, \%json,
	error('server_misconfigured', undef)],
    ['503', 'GET', '/api/calls/x', 503, { %json, 'retry-after' => '2' },
	error('service_unavailable', undef)],
);
# Drift: each is one change to a good answer, and the reason it must give.
my %no_rid = %json;
delete $no_rid{'x-request-id'};
my @drift = (
    ['extra member in a call', qr{body/data/0: must NOT have additional properties},
	'GET', '/api/calls', 200, \%json, page([{ %$call, extra => 1 }], undef, undef)],
    ['missing member in a call', qr{body/data/0: must have required property 'turn_count'},
	'GET', '/api/calls', 200, \%json,
	page([{ map { $_ => $call->{$_} } grep { $_ ne 'turn_count' } keys %$call }],
	undef, undef)],
    ['decimal as a string', qr{body/data/0/total_cost: must be number,null},
	'GET', '/api/calls', 200, \%json, page([{ %$call, total_cost => '12.35' }],
	undef, undef)],
    ['timestamp with an offset', qr{body/data/0/created_at: must match pattern},
	'GET', '/api/calls', 200, \%json,
	page([{ %$call, created_at => '2026-03-09T10:00:00+00:00' }], undef, undef)],
    ['X-Request-Id missing', qr{^header X-Request-Id missing$},
	'GET', '/api/calls', 200, \%no_rid, page([], undef, undef)],
    ['prev_cursor missing', qr{body/pagination: must have required property 'prev_cursor'},
	'GET', '/api/calls', 200, \%json, do { my $p = page([], undef, undef);
	delete $p->{pagination}{prev_cursor}; $p }],
    ['has_more without next_cursor', qr{body/pagination/has_more: must be equal to constant},
	'GET', '/api/calls', 200, \%json, page([], undef, undef,
	has_more => JSON::PP::true)],
    ['page_size not the count', qr{page_size 3 but data has 1 items},
	'GET', '/api/calls', 200, \%json, page([$call], undef, undef, page_size => 3)],
    ['a 206', qr{status 206 is not documented for GET /api/calls},
	'GET', '/api/calls', 206, \%json, page([], undef, undef)],
    ['HTML page', qr{Content-Type "text/html; charset=iso-8859-1" is not one of},
	'GET', '/api/other', 404, { 'content-type' => 'text/html; charset=iso-8859-1',
	'x-request-id' => $RID }, undef, '<html>Not Found</html>'],
    ['Cache-Control changed', qr{header Cache-Control "no-cache": must be equal to constant},
	'GET', '/api/calls', 200, { %json, 'cache-control' => 'no-cache' },
	page([], undef, undef)],
    ['401 without WWW-Authenticate', qr{^header WWW-Authenticate missing$},
	'GET', '/api/calls', 401, \%json, error('invalid_api_key', undef)],
    ['405 with another Allow', qr{header Allow "GET": must be equal to constant},
	'PUT', '/api/calls', 405, { %json, allow => 'GET' },
	error('method_not_allowed', undef)],
    ['a code of another status', qr{body/error/code: must be equal to one of the allowed values},
	'GET', '/api/calls', 400, \%json, error('not_found', 'limit')],
    ['request_id not the header', qr{request_id "other" is not the X-Request-Id header},
	'GET', '/api/calls', 400, \%json, do { my $e = error('invalid_cursor',
	'cursor'); $e->{error}{request_id} = 'other'; $e }],
    ['404 for a call told apart', qr{body/error/code: must be equal to constant},
	'GET', '/api/calls/x', 404, \%json, error('not_found', undef)],
    ['HEAD with a body', qr{HEAD answered with a body of 2 bytes},
	'HEAD', '/api/calls', 200, \%json, undef, '{}'],
    ['body not JSON', qr{body is not UTF-8 JSON},
	'GET', '/api/calls', 200, \%json, undef, '{"success":tru'],
);

sub record {
	my ($name, $method, $target, $status, $headers, $body, $raw, $foreign) = @_;
	$raw //= defined $body ? JSON::PP->new->canonical->encode($body) : '';
	utf8::encode($raw) if utf8::is_utf8($raw);
	return JSON::PP->new->canonical->encode({ test => '12-openapi',
	    line => $name, server => 'fixture', method => $method,
	    target => $target, status => $status, headers => $headers,
	    body_b64 => encode_base64($raw, ''), foreign => $foreign }) . "\n";
}
sub validate_records {
	my ($file, @lines) = @_;
	open my $fh, '>', $file or die $!;
	print $fh @lines;
	close $fh;
	return run_validator("'$file'");
}

($res, $rc, $out) = validate_records("$tmp/good.jsonl",
    (map { record(@$_) } @good),
    record('Apache 400', 'GET', '/api/calls', 400,
    { 'content-type' => 'text/html' }, undef, '<html>', 'a test of Apache'));
ok($res && $rc == 0 && $res->{checked} == @good && !@{ $res->{failures} },
    sprintf('%d answers as the API gives them: all valid', scalar @good))
    or diag($out);
is_deeply($res->{foreign}, ['Apache 400 fixture: GET /api/calls -> 400: not ours:'
    . ' a test of Apache'], '  a response marked not ours is listed, unchecked');

($res, $rc, $out) = validate_records("$tmp/drift.jsonl",
    map { my ($name, $re, @r) = @$_; record($name, @r) } @drift);
is($rc, 1, 'drifting answers: the validator exits 1') or diag($out);
for my $d (@drift) {
	my ($name, $re) = @$d;
	my ($f) = grep { $_->{where} =~ /^\Q$name\E fixture:/ }
	    @{ $res->{failures} // [] };
	my @got = $f ? @{ $f->{reasons} } : ();
	ok(scalar(grep { /$re/ } @got), "drift caught: $name")
	    or diag(explain(\@got));
}

# 3. The hook every integration test gets: a drifting response recorded
# through Stack fails the file's added test, which names the full list.
my $bin = "$tmp/build/calls-api";
mkdir "$tmp/build";
open $fh, '>', "$tmp/hook.t" or die $!;
print $fh <<'EOF';
use strict;
use warnings;
use Test::More;
use Stack;
Stack::openapi_record('apache', 'GET', '/api/calls', 200,
    { 'content-type' => 'application/json; charset=utf-8' }, '{"success":true}');
Stack::openapi_record('apache', 'TRACE', '/', 405, {}, '<html>', 'Apache itself');
my $id = Stack::openapi_record('apache', 'GET', '/x', 403, {}, '<html>');
Stack->not_ours({ openapi_id => $id }, 'marked after');
ok(1, 'the file\'s own test');
done_testing;
EOF
close $fh;
my $tap = `CALLS_API_BIN='$bin' perl -I'$top/tests/lib' '$tmp/hook.t' 2>&1`;
like($tap, qr/^not ok 2 - openapi: 1 responses checked against doc\/openapi\.yaml \(2 marked not ours\)$/m,
    'Stack: a drifting response fails the test file') or diag($tap);
like($tap, qr{the full list: \Q$tmp\E/build/tests/openapi/hook\.log}, '  naming the log')
    or diag($tap);
like($tap, qr/^1\.\.2$/m, '  one test added, the plan counts it') or diag($tap);
my $log = do { local (@ARGV, $/) = "$tmp/build/tests/openapi/hook.log"; <> } // '';
like($log, qr/header X-Request-Id missing/, '  the log gives the reasons')
    or diag($log);
like($log, qr/not ours: Apache itself/, '  and the responses marked not ours')
    or diag($log);
like($log, qr{GET /x -> 403: not ours: marked after},
    '  before or after they were received') or diag($log);

done_testing;
