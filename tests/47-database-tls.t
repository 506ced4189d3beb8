#!/usr/bin/perl
# TLS to the database, and host names, for every binary at hand (the
# dynamic build, and the static one when CALLS_API_STATIC_BIN names it):
# the option file's ssl-ca / ssl-verify-server-cert / ssl-cert / ssl-key /
# tls-version against a private MariaDB that requires TLS (certificates
# made here with openssl: a CA, a server certificate for IP 127.0.0.1 and
# the name db.calls-api.test, an unrelated CA, a client certificate), and
# against one without TLS. Each case is one plain CGI run of the binary
# (its stderr: the log lines it leaves); the good case also through
# lighttpd (and a wrong user there: 500 on every request). A right CA is a 200 on a session that is TLS (the server
# refuses any other); a wrong CA, a wrong host name, or a server without
# TLS is a 503 with one log line naming what to check, never a plaintext
# session. Host names (as root, in a mount namespace with its own
# /etc/hosts, nsswitch.conf and resolv.conf): a name in /etc/hosts works,
# an unknown one is a 500 server_misconfigured, a DNS server that does
# not answer (in a network namespace of its own: port 53 is the only one
# resolv.conf can name) a 503 within 3 s.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use File::Temp qw(tempdir);
use IO::Socket::INET;
use JSON::PP;
use POSIX ();
use Test::More;
use Time::HiRes qw(time);
use Stack;

my %bins = (dynamic => $ENV{CALLS_API_BIN} // Stack->top . '/build/calls-api');
SKIP: {
	skip 'the static binary: CALLS_API_STATIC_BIN is not set (make static '
	    . 'builds it; make check sets it then)', 1
	    unless $ENV{CALLS_API_STATIC_BIN};
	$bins{static} = $ENV{CALLS_API_STATIC_BIN};
	ok(-x $bins{static}, "static binary at $bins{static}")
	    or BAIL_OUT("no static binary at $bins{static}");
}

# Certificates, readable by mariadbd (user mysql) and www-data (lighttpd).
my $pki = tempdir('/tmp/calls-api-pki.XXXXXX', CLEANUP => 1);
chmod 0755, $pki;
sub openssl {
	my $out = `openssl @_ 2>&1`;
	die "openssl @_:\n$out" if $?;
}
sub ca {
	my ($name, $cn) = @_;
	openssl("req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=$cn",
	    "-keyout $pki/$name.key -out $pki/$name.pem");
}
sub cert {
	my ($name, $cn, $ext) = @_;
	openssl("req -newkey rsa:2048 -nodes -subj /CN=$cn",
	    "-keyout $pki/$name.key -out $pki/$name.csr");
	open my $fh, '>', "$pki/$name.ext" or die $!;
	print $fh "$ext\n";
	close $fh;
	openssl("x509 -req -days 2 -in $pki/$name.csr -CA $pki/ca.pem",
	    "-CAkey $pki/ca.key -CAcreateserial -out $pki/$name.pem",
	    "-extfile $pki/$name.ext");
}
ca('ca', 'calls-api-test-CA');
ca('other-ca', 'unrelated-CA');
cert('server', 'db.calls-api.test',
    'subjectAltName=IP:127.0.0.1,DNS:db.calls-api.test');
cert('client', 'calls-api-client', 'extendedKeyUsage=clientAuth');
chmod 0644, glob "$pki/*";

# The server with TLS: TLS 1.3 only, and no session without TLS.
my %port = (tls => Stack::free_port());
local $ENV{DB_TCP_PORT} = $port{tls};
local $ENV{DB_SERVER_ARGS} = "--ssl-ca=$pki/ca.pem --ssl-cert=$pki/server.pem "
    . "--ssl-key=$pki/server.key --require-secure-transport=ON "
    . "--tls-version=TLSv1.3";
my %st = (tls => Stack->new(data => 'none'));
# And one without.
$ENV{DB_TCP_PORT} = $port{plain} = Stack::free_port();
delete $ENV{DB_SERVER_ARGS};
$st{plain} = Stack->new(data => 'none');

my $dir = $st{tls}->dir;
my $key = $st{tls}->new_key('org_acme');
my $password = do {
	open my $fh, '<', "$dir/responder-password" or die $!;
	local $/;
	<$fh>;
};
chomp $password;
for my $s (values %st) {
	$s->sql("CREATE USER calls_tls\@'127.0.0.1' IDENTIFIED BY '$password';
	    GRANT SELECT ON calls.* TO calls_tls\@'127.0.0.1';
	    CREATE USER calls_x509\@'127.0.0.1' IDENTIFIED BY '$password'
	        REQUIRE SUBJECT '/CN=calls-api-client';
	    GRANT SELECT ON calls.* TO calls_x509\@'127.0.0.1';");
}
$st{plain}->sql("INSERT INTO api_keys (key_hash, client_id)
    VALUES (SHA2('$key', 256), 'org_acme')");

is($st{tls}->sql('SELECT @@require_secure_transport, @@have_ssl'),
    "1\tYES", 'the TLS server refuses sessions without TLS');

my $n = 0;
# An option file for a server (tls | plain) with more lines; its path.
sub conf {
	my ($server, @lines) = @_;
	my %o = (host => '127.0.0.1', port => $port{$server},
	    user => 'calls_tls');
	my @rest;
	for (@lines) {
		if (/^(host|port|user)=(.*)$/) { $o{$1} = $2 } else { push @rest, $_ }
	}
	my $path = "$dir/tls-" . ++$n . '.cnf';
	open my $fh, '>', $path or die $!;
	print $fh join("\n", '[calls-api]', (map { "$_=$o{$_}" } sort keys %o),
	    "password=$password", 'database=calls',
	    'cursor-secret=' . ('s' x 64), @rest), "\n";
	close $fh;
	chmod 0644, $path;
	return $path;
}

# One CGI request: { status, json, log => [ lines ], secs }. @wrap runs
# the binary (e.g. in a mount namespace).
sub cgi {
	my ($bin, $conf, @wrap) = @_;
	my $err = "$dir/cgi.err";
	local %ENV = (PATH => $ENV{PATH}, CALLS_API_CONF => $conf,
	    GATEWAY_INTERFACE => 'CGI/1.1', REQUEST_METHOD => 'GET',
	    REQUEST_URI => '/api/calls?limit=1', SCRIPT_NAME => '/api/calls',
	    QUERY_STRING => 'limit=1', SERVER_PROTOCOL => 'HTTP/1.1',
	    HTTP_AUTHORIZATION => "Bearer $key");
	my $t0 = time;
	my $pid = open(my $out, '-|') // die "fork: $!";
	if ($pid == 0) {
		open STDIN, '<', '/dev/null' or POSIX::_exit(126);
		open STDERR, '>', $err or POSIX::_exit(126);
		exec @wrap, $bin or POSIX::_exit(127);
	}
	my $raw = do { local $/; <$out> } // '';
	close $out;
	my $secs = time - $t0;
	Stack::openapi_record_cgi('cgi-exec', 'GET', '/api/calls?limit=1', $raw);
	my ($head, $body) = split /\r?\n\r?\n/, $raw, 2;
	my ($status) = ($head // '') =~ /^Status: (\d{3})/m;
	open my $fh, '<', $err or die $!;
	my @log = <$fh>;
	chomp @log;
	return { status => $status // 200, json => eval {
	    JSON::PP->new->decode($body // '') }, log => \@log,
	    secs => $secs };
}

# A request that must fail: STATUS, the JSON code, and exactly one log
# line matching each of @like.
sub refused {
	my ($r, $status, $name, @like) = @_;
	my $code = $status == 503 ? 'service_unavailable' : 'server_misconfigured';
	is($r->{status}, $status, "$name: $status");
	is($r->{json} && $r->{json}{error}{code}, $code, "  $code JSON");
	my @lines = grep { !/^calls-api\[\d+\]: config: / } @{ $r->{log} };
	is(scalar @lines, 1, '  one log line') or diag(join "\n", @{ $r->{log} });
	like($lines[0] // '', $_, "  saying $_") for @like;
}

sub served {
	my ($r, $name) = @_;
	is($r->{status}, 200, "$name: 200") or diag(join "\n", @{ $r->{log} });
	ok($r->{json} && $r->{json}{success}, '  success JSON');
	is(scalar @{ $r->{log} }, 0, '  no log line')
	    or diag(join "\n", @{ $r->{log} });
}

my $ca = "ssl-ca=$pki/ca.pem";
my $other = "ssl-ca=$pki/other-ca.pem";
my $tls_secs;
for my $which (sort keys %bins) {
	my $bin = $bins{$which};
	note("$which binary: $bin");
	my @times;
	for (1 .. 5) {
		my $r = cgi($bin, conf('tls', $ca, 'ssl-verify-server-cert=1'));
		push @times, $r->{secs};
		next if $_ > 1;
		served($r, "$which: right CA, ssl-verify-server-cert=1");
	}
	@times = sort { $a <=> $b } @times;
	my $median = $times[2];
	$tls_secs = $median if $which eq 'dynamic';
	ok($median < 0.75, sprintf('  a whole CGI request over TLS in %.0f ms '
	    . '(median of 5), well within the 1500 ms budget', $median * 1000));
	served(cgi($bin, conf('tls', $ca)),
	    "$which: right CA, verification not written (on)");
	# The server refuses sessions without TLS (MariaDB 10.11 says
	# "Access denied"): the 200s were TLS.
	refused(cgi($bin, conf('tls')), 500,
	    "$which: no ssl-* options, server requires TLS",
	    qr/Access denied/, qr/requires TLS: ssl-ca/);

	refused(cgi($bin, conf('tls', $other, 'ssl-verify-server-cert=1')), 503,
	    "$which: wrong CA, verify", qr/TLS certificate verification failed/,
	    qr/check ssl-ca/);
	refused(cgi($bin, conf('tls', $other, 'ssl-verify-server-cert=0')), 503,
	    "$which: wrong CA, ssl-verify-server-cert=0",
	    qr/TLS certificate verification failed/, qr/check ssl-ca/);

	# The server without TLS: never a plaintext session.
	served(cgi($bin, conf('plain')), "$which: server without TLS, "
	    . "no ssl-* options (the account and key work there)");
	refused(cgi($bin, conf('plain', $ca)), 503,
	    "$which: ssl-ca, server without TLS", qr/does not offer TLS/,
	    qr/turn TLS on at the server/);
	refused(cgi($bin, conf('plain', $ca, 'ssl-verify-server-cert=1')), 503,
	    "$which: ssl-ca and verify, server without TLS",
	    qr/does not offer TLS/);
	refused(cgi($bin, conf('plain', $ca, 'ssl-verify-server-cert=0')), 503,
	    "$which: ssl-ca, ssl-verify-server-cert=0, server without TLS",
	    qr/did not start TLS/, qr/no plaintext fallback/);

	# Host name mismatch: localhost (over TCP) is not in the certificate.
	my @localhost = ('host=localhost', 'protocol=1');
	refused(cgi($bin, conf('tls', @localhost, $ca,
	    'ssl-verify-server-cert=1')), 503, "$which: host name mismatch",
	    qr/TLS certificate verification failed/,
	    qr/does not hold the name or address in host=/);
	refused(cgi($bin, conf('tls', @localhost, $ca)), 503,
	    "$which: host name mismatch, verification not written (on)",
	    qr/does not hold the name or address in host=/);
	served(cgi($bin, conf('tls', @localhost, $ca,
	    'ssl-verify-server-cert=0')), "$which: host name mismatch, "
	    . 'ssl-verify-server-cert=0 (the CA only)');

	# The connector reads a bare switch as "off": refused, not ignored.
	refused(cgi($bin, conf('tls', $ca, 'ssl-verify-server-cert')), 500,
	    "$which: bare ssl-verify-server-cert",
	    qr/write ssl-verify-server-cert=1/);
	refused(cgi($bin, conf('tls', "ssl-ca=$pki/missing.pem")), 500,
	    "$which: ssl-ca that does not exist",
	    qr{ssl-ca=\Q$pki\E/missing\.pem: No such file});

	# A client certificate, for an account that requires one.
	served(cgi($bin, conf('tls', 'user=calls_x509', $ca,
	    "ssl-cert=$pki/client.pem", "ssl-key=$pki/client.key")),
	    "$which: ssl-cert and ssl-key");
	refused(cgi($bin, conf('tls', 'user=calls_x509', $ca)), 500,
	    "$which: no client certificate for an account requiring one",
	    qr/Access denied/, qr/check user= and password=/);

	# tls-version: the server speaks TLS 1.3 only.
	served(cgi($bin, conf('tls', $ca, 'tls-version=TLSv1.3')),
	    "$which: tls-version=TLSv1.3");
	refused(cgi($bin, conf('tls', $ca, 'tls-version=TLSv1.2')), 503,
	    "$which: tls-version=TLSv1.2, server with TLS 1.3 only",
	    qr/TLS handshake .*failed/, qr/tls-version/);
}

# Host names, in a mount namespace with files of our own in /etc.
SKIP: {
	skip 'host names: needs root, unshare(1) for a private /etc and '
	    . 'network, and ip(8)', 1 unless $> == 0
	    && system('unshare -m -n ip link set lo up 2>/dev/null') == 0;
	my $etc = "$dir/etc";
	mkdir $etc or die $!;
	my %file = (hosts => "127.0.0.1 db.calls-api.test other.calls-api.test\n",
	    'nsswitch.conf' => "hosts: files dns\n",
	    'resolv.conf' => "nameserver 127.0.0.83\noptions timeout:5\n");
	for (keys %file) {
		open my $fh, '>', "$etc/$_" or die $!;
		print $fh $file{$_};
		close $fh;
	}
	my @ns = ('unshare', '-m', 'sh', '-c', 'for f in hosts nsswitch.conf '
	    . 'resolv.conf; do mount --bind "$0/$f" /etc/$f || exit 125; done; '
	    . 'exec "$@"', $etc);
	# A DNS server that never answers: a UDP socket nobody reads, on port
	# 53 (resolv.conf has no way to name another port) of 127.0.0.83 in a
	# network namespace of its own, so that two runs at once do not
	# collide, nor meet a resolver of the host's. The socket is made there
	# and stays open (not close-on-exec) in the responder, which never
	# reads it; the lookup needs nothing else from the network.
	my @dns = ('unshare', '-m', '-n', 'sh', '-c', 'ip link set lo up '
	    . '|| exit 125; for f in hosts nsswitch.conf resolv.conf; do '
	    . 'mount --bind "$0/$f" /etc/$f || exit 125; done; exec "$@"', $etc,
	    'perl', '-MIO::Socket::INET', '-e', '$^F = 1000; '
	    . 'my $s = IO::Socket::INET->new(LocalAddr => "127.0.0.83", '
	    . 'LocalPort => 53, Proto => "udp") or die "udp 127.0.0.83:53: $!\n";'
	    . ' exec @ARGV or die "exec $ARGV[0]: $!\n"');
	for my $which (sort keys %bins) {
		my $bin = $bins{$which};
		served(cgi($bin, conf('tls', 'host=db.calls-api.test', $ca,
		    'ssl-verify-server-cert=1'), @ns), "$which: host name from "
		    . '/etc/hosts, in the certificate');
		refused(cgi($bin, conf('tls', 'host=other.calls-api.test', $ca,
		    'ssl-verify-server-cert=1'), @ns), 503,
		    "$which: host name from /etc/hosts, not in the certificate",
		    qr/does not hold the name or address in host=/);
		# "files" only: a name not in /etc/hosts does not exist.
		open my $fh, '>', "$etc/nsswitch.conf" or die $!;
		print $fh "hosts: files\n";
		close $fh;
		refused(cgi($bin, conf('tls', 'host=nowhere.calls-api.test'), @ns),
		    500, "$which: unknown host name",
		    qr/Unknown server host 'nowhere\.calls-api\.test' \(-2\)/,
		    qr{/etc/hosts}, qr/IP address/);
		open $fh, '>', "$etc/nsswitch.conf" or die $!;
		print $fh "hosts: files dns\n";
		close $fh;
		my $r = cgi($bin, conf('tls', 'host=nowhere.calls-api.test'), @dns);
		refused($r, 503, "$which: DNS server not answering",
		    qr/Unknown server host .* \(-3\)/, qr/resolv\.conf/);
		ok($r->{secs} < 3, sprintf('  answered in %.2f s', $r->{secs}));
	}
}

# Through a web server: lighttpd's FastCGI responders, over TLS.
{
	my $cnf = conf('tls', $ca, 'ssl-verify-server-cert=1');
	rename $cnf, "$dir/calls-api.cnf" or die $!;
	$st{tls}->start_web('lighttpd');
	for my $try (1 .. 3) {
		my $r = $st{tls}->get('lighttpd', '/api/calls?limit=1', $key);
		is($r->{status}, 200, "lighttpd over TLS, request $try: 200");
	}
	$st{tls}->stop_web('lighttpd');
	# A wrong option file stays a 500 in a long-running responder, also
	# while it waits a second before its next connect: 8 requests at
	# once to its 4 processes (max-procs), so that some meet the wait.
	$cnf = conf('tls', $ca, 'user=nobody_here');
	rename $cnf, "$dir/calls-api.cnf" or die $!;
	$st{tls}->start_web('lighttpd');
	my @status = map { $st{tls}->get('lighttpd', '/api/calls?limit=1',
	    $key)->{status} } 1 .. 8;
	is("@status", join(' ', (500) x 8), 'lighttpd, unknown user: 500 on '
	    . 'each of 8 quick requests');
	is($st{tls}->crashes('lighttpd'), '', 'lighttpd: no crash');
}
done_testing;
