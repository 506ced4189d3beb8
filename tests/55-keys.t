#!/usr/bin/perl
# Key administration with the responder binary itself (calls-api key
# create|list|revoke) against the private MariaDB: a created key works on
# GET /api/calls, list shows it without the key, revoke makes it a 401
# (key-cache-seconds=0); every misuse gives its message and exit status;
# the SELECT-only responder account gets "no write permission"; and under
# a web server argv never selects a command (mod_cgi's "?key+list").
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Digest::SHA qw(sha256_hex);
use Test::More;
use Stack;

my $st = Stack->new;
my $dir = $st->dir;
my $bin = $st->{bin};
my $conf = "$dir/calls-api.cnf";

sub slurp {
	my ($f) = @_;
	open my $fh, '<', $f or return '';
	local $/;
	return <$fh> // '';
}

sub spew {
	my ($f, $text) = @_;
	open my $fh, '>', $f or die "$f: $!";
	print $fh $text;
	close $fh or die "$f: $!";
}

# calls-api key ARGS: (exit status, stdout, stderr).
sub key {
	my (@args) = @_;
	my $cmd = join ' ', map { Stack::quote($_) } $bin, 'key', @args;
	system("$cmd >'$dir/.key-out' 2>'$dir/.key-err' </dev/null");
	return ($? >> 8, slurp("$dir/.key-out"), slurp("$dir/.key-err"));
}

# The config: no key cache (a revoked key fails at once); the admin group
# that db.sh writes (the OS user over the socket) stays.
my $text = slurp($conf);
like($text, qr/^\[calls-api-admin\]\nuser=\S+$/m,
    'db.sh gives the run dir an admin group');
$text =~ s/^key-cache-seconds=\d+$/key-cache-seconds=0/m or die;
spew($conf, $text);
(my $responder_only = $text) =~ s/^\[calls-api-admin\]\n[^\[]*//m or die;
like($responder_only, qr/^\[calls-api\]\n/, 'the responder\'s group alone');
spew("$dir/responder.cnf", $responder_only);

$st->start_web('apache');
$st->start_web('cgi');

# The demo keys came from key create too.
my $demo = $st->demo_keys;
like($demo->{org_acme}, qr/^ck_[A-Za-z0-9]{40}$/, 'demo key: the key format');
is($st->get('apache', '/api/calls?limit=1', $demo->{org_acme})->{status},
    200, 'demo key (made by key create in sample-data.sh) works');

# create
my ($rc, $out, $err) = key('create', 'org_acme', '--label', 'ops team',
    '--conf', $conf);
is($rc, 0, 'key create: exit 0') or diag $err;
like($out, qr/^ck_[A-Za-z0-9]{40}\n\z/, 'stdout: the key alone on one line');
my ($key) = $out =~ /^(\S+)/;
my $hash = sha256_hex($key);
my $prefix = substr($hash, 0, 12);
like($err, qr/created key $prefix for 'org_acme'/, 'stderr: its prefix');
unlike($err, qr/\Q$key\E|$hash/, 'stderr: neither the key nor its hash');
is($st->sql("SELECT client_id, label FROM api_keys WHERE key_hash = '$hash'"),
    "org_acme\tops team", 'stored: the SHA-256 hex, client, label');
is($st->sql("SELECT COUNT(*) FROM api_keys WHERE key_hash LIKE '%$key%'"
    . " OR label LIKE '%$key%'"), 0, 'the key itself is stored nowhere');

my $r = $st->get('apache', '/api/calls?limit=2', $key);
is($r->{status}, 200, 'the new key works on GET /api/calls');
is($r->{json}{data}[0]{client_id}, 'org_acme', 'for its organisation');

# CALLS_API_CONF when there is no --conf.
{
	local $ENV{CALLS_API_CONF} = $conf;
	($rc, $out) = key('list');
}
is($rc, 0, 'key list with CALLS_API_CONF');
like($out, qr/^prefix\tclient_id\tcreated\trevoked\tlabel\n/,
    'list: a header line');
like($out, qr/^$prefix\torg_acme\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\t-\tops team$/m,
    'list: prefix, client, created, not revoked, label');
unlike($out, qr/\Q$key\E|$hash/, 'list: never the key or its whole hash');
($rc, $out) = key('list', 'org_globex', "--conf=$conf");
unlike($out, qr/$prefix/, 'list CLIENT_ID: only that client\'s keys');
like($out, qr/\torg_globex\t/, 'list CLIENT_ID: its demo key');

# revoke
($rc, $out, $err) = key('revoke', substr($hash, 0, 10), '--conf', $conf);
is($rc, 0, 'key revoke PREFIX: exit 0') or diag $err;
like($out, qr/^revoked $prefix of 'org_acme'$/m, 'says which key');
is($st->get('apache', '/api/calls?limit=2', $key)->{status}, 401,
    'a revoked key: 401 (FastCGI process, key-cache-seconds=0)');
is($st->get('cgi', '/api/calls?limit=2', $key)->{status}, 401,
    'a revoked key: 401 (CGI)');
($rc, $out) = key('list', 'org_acme', '--conf', $conf);
like($out, qr/^$prefix\torg_acme\t\S+\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\tops team$/m,
    'list shows when it was revoked');

# Every misuse: exit status and message.
my @misuse = (
    [ [ 'revoke', $hash ], 9, qr/key $prefix of 'org_acme' is already revoked/,
      'revoke again: already revoked' ],
    [ [ 'revoke', '00000000' ], 7, qr/no such key: no key hash starts with 00000000/,
      'unknown prefix: no such key' ],
    [ [ 'create', 'org_nobody' ], 6,
      qr/unknown client 'org_nobody'.*--new-client/, 'unknown client' ],
    [ [ 'create', 'x' x 65 ], 2, qr/CLIENT_ID is too long: 65 characters/,
      'CLIENT_ID of 65 characters' ],
    [ [ 'create', "org\tx" ], 2, qr/CLIENT_ID must not hold control/,
      'CLIENT_ID with a tab' ],
    [ [ 'create', 'org_acme', '--label', 'l' x 101 ], 2,
      qr/label is too long: 101 characters, at most 100/, 'label too long' ],
    [ [ 'revoke', 'abc' ], 2, qr/8 to 64 hex digits/, 'prefix too short' ],
    [ [ 'revoke', "ck_$key" ], 2, qr/not a key prefix/, 'a key is no prefix' ],
    [ [ 'rotate' ], 2, qr/unknown key command 'rotate'/, 'unknown command' ],
    [ [ 'create', 'org_acme', '--force' ], 2, qr/unknown option '--force'/,
      'unknown option' ],
);
for my $m (@misuse) {
	my ($args, $want_rc, $want_err, $name) = @$m;
	($rc, $out, $err) = key(@$args, '--conf', $conf);
	is($rc, $want_rc, "$name: exit $want_rc");
	like($err, $want_err, "$name: says so") or diag $err;
	is($out, '', "$name: nothing on stdout");
}
is($st->sql("SELECT COUNT(*) FROM api_keys WHERE client_id = 'org_nobody'"),
    0, 'unknown client: no key stored');

# A new client: --new-client; its key works (no calls yet: an empty page).
($rc, $out, $err) = key('create', 'org_new', '--new-client', '--conf', $conf);
is($rc, 0, 'create --new-client: exit 0') or diag $err;
($key) = $out =~ /^(ck_\S+)$/m;
$r = $st->get('cgi', '/api/calls?limit=2', $key);
is($r->{status}, 200, 'its key works (CGI)');
is_deeply($r->{json}{data}, [], 'an empty page');

# Ambiguous prefix: two keys whose hashes share 14 digits.
my $h1 = 'abcdef01234567' . ('1' x 50);
my $h2 = 'abcdef01234567' . ('2' x 50);
$st->sql("INSERT INTO api_keys (key_hash, client_id, created_at) VALUES"
    . " ('$h1', 'org_acme', UTC_TIMESTAMP(6)),"
    . " ('$h2', 'org_globex', UTC_TIMESTAMP(6))");
($rc, $out, $err) = key('revoke', 'abcdef01', '--conf', $conf);
is($rc, 8, 'ambiguous prefix: exit 8');
like($err, qr/ambiguous prefix abcdef01: it matches 2 keys/, 'says so');
like($err, qr/^  abcdef012345671\torg_acme\t/m, 'lists one candidate');
like($err, qr/^  abcdef012345672\torg_globex\t/m,
    'and the other, with the digits that tell them apart');
is($st->sql("SELECT COUNT(*) FROM api_keys WHERE key_hash IN ('$h1', '$h2')"
    . " AND revoked_at IS NULL"), 2, 'neither revoked');
($rc) = key('revoke', 'abcdef012345672', '--conf', $conf);
is($rc, 0, 'a longer prefix revokes');

# The responder's SELECT-only account: no write permission, named.
($rc, $out, $err) = key('create', 'org_acme', '--conf', "$dir/responder.cnf");
is($rc, 5, 'SELECT-only account: exit 5');
like($err, qr/no write permission: the database account 'calls_api'\@'localhost'/,
    'names the account');
like($err, qr/GRANT SELECT, INSERT, UPDATE ON `calls`.`api_keys` TO 'calls_api'\@'localhost'/,
    'and the grant it needs');
like($err, qr/\[calls-api-admin\]/, 'and the admin group');
is($out, '', 'no key printed');
($rc, $out, $err) = key('revoke', substr($h1, 0, 16), '--conf',
    "$dir/responder.cnf");
is($rc, 5, 'SELECT-only account revoking: exit 5');
like($err, qr/no write permission.*may not UPDATE api_keys/, 'says so');
($rc, $out) = key('list', '--conf', "$dir/responder.cnf");
is($rc, 0, 'SELECT-only account may list');

# Login refused, unreachable server, no config file.
spew("$dir/badpw.cnf", "$responder_only\n[calls-api-admin]\nuser=calls_api\n"
    . "password=wrong\n");
($rc, $out, $err) = key('list', '--conf', "$dir/badpw.cnf");
is($rc, 3, 'wrong admin password: exit 3');
like($err, qr/cannot connect to the database with \[calls-api-admin\] .*1045/,
    'says which group and why');
(my $nosock = $responder_only) =~ s/^socket=.*$/socket=$dir\/nothing.sock/m;
spew("$dir/nosock.cnf", $nosock);
($rc, $out, $err) = key('list', '--conf', "$dir/nosock.cnf");
is($rc, 4, 'no database server: exit 4');
like($err, qr/cannot connect .*2002/, 'says so');
spew("$dir/badadmin.cnf", "$responder_only\n[calls-api-admin]\nssl-ca=/x\n");
($rc, $out, $err) = key('list', '--conf', "$dir/badadmin.cnf");
is($rc, 3, 'an option [calls-api-admin] does not take: exit 3');
like($err, qr/'ssl-ca' is not read there/, 'names it');
($rc, $out, $err) = key('list', '--conf', "$dir/none.cnf");
is($rc, 3, 'no option file: exit 3');
like($err, qr/cannot open .*none\.cnf/, 'says so');

($rc, $out) = key('--help');
is($rc, 0, 'key --help: exit 0');
like($out, qr/Exit status: 0 done/, 'usage documents the exit statuses');

# Under a web server, argv never selects a command: mod_cgi passes a query
# string without '=' as argv ("calls-api.cgi key list").
my $keys_before = $st->sql('SELECT COUNT(*) FROM api_keys');
for my $q ('key+list', 'key+create+org_acme+--new-client') {
	$r = $st->get('cgi', "/api/calls?$q", $demo->{org_acme});
	is($r->{status}, 400, "CGI ?$q: answered as a request (400)");
	is($r->{json}{success}, JSON::PP::false(), "CGI ?$q: a JSON error");
	unlike($r->{body}, qr/prefix\tclient_id|ck_/, "CGI ?$q: no key listing"
	    . ' or key');
}
is($st->sql('SELECT COUNT(*) FROM api_keys'), $keys_before,
    'no key made through the web');

is($st->crashes($_), '', "$_: no crash") for qw(apache cgi);
done_testing;
