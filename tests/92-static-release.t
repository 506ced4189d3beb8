#!/usr/bin/perl
# The static release binary (make static; CALLS_API_STATIC_BIN): linked
# statically, its --version, the release tarball's contents, and, as root,
# one CGI request served inside an EMPTY root (a chroot holding only the
# binary, its config and, where the test needs one, /etc/hosts) against
# the private MariaDB: over TCP by IP address, by a host name from the
# chroot's /etc/hosts, over the server's Unix socket bind-mounted into the
# chroot, and as a user that logs in with ed25519; an unresolvable host
# name answers a JSON 5xx and one log line saying what to do.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use File::Temp qw(tempdir);
use JSON::PP;
use Test::More;
use Time::HiRes qw(time);
use Stack;

# The socket bind-mounted into the empty root, unmounted on every exit
# (this END runs before Stack's, which stops the database).
my $mounted;
sub unmount {
	return unless $mounted;
	system('umount', $mounted) == 0 or warn "umount $mounted failed\n";
	$mounted = undef;
}
END { my $rc = $?; unmount(); $? = $rc }

my $static = $ENV{CALLS_API_STATIC_BIN};
plan skip_all => 'CALLS_API_STATIC_BIN is unset (make static; make check '
    . 'sets it when build/static/calls-api exists, not on the sanitizer build)'
    unless $static;
die "CALLS_API_STATIC_BIN=$static is not an executable\n" unless -x $static;

my $top = "$FindBin::Bin/..";
my $tmp = tempdir('/tmp/calls-api-static.XXXXXX', CLEANUP => 1);

sub slurp_cmd {
	my $out = `$_[0] 2>&1`;
	return ($out, $? >> 8);
}

# --- the binary itself -------------------------------------------------
my ($file) = slurp_cmd("file -b '$static'");
like($file, qr/\bstatically linked\b/, 'file: statically linked');
my ($ldd) = slurp_cmd("ldd '$static'");
like($ldd, qr/not a dynamic executable/, 'ldd: not a dynamic executable');

my ($version, $vrc) = slurp_cmd("'$static' --version");
is($vrc, 0, '--version exits 0');
my ($builtin) = $version =~ /^\s*built in: (.*)$/m;
$builtin //= '';
for my $p (qw(caching_sha2_password client_ed25519 sha256_password
    mysql_native_password)) {
	like(" $builtin ", qr/ \Q$p\E /, "--version: $p built in");
}
like($version, qr/^\s*MariaDB Connector\/C \d+\.\d+\.\d+/m,
    '--version: Connector/C version');
like($version, qr/^\s*OpenSSL \d/m, '--version: OpenSSL version');
like($version, qr/^\s*zlib \d/m, '--version: zlib version');
like($version, qr/^\s*libfcgi \S/m, '--version: libfcgi version');
my ($vline) = $version =~ /^(calls-api \S+)/;
ok(defined $vline, "--version first line names the version")
    or diag($version);
my $help = `'$static' --bogus 2>&1 >/dev/null`;
my $hrc = $? >> 8;
ok($hrc == 2 && $help =~ /^usage: calls-api/m,
    'an unknown argument: usage on stderr, exit 2');

# --- the release tarball -----------------------------------------------
{
	my ($out, $rc) = slurp_cmd("'$top/scripts/release.sh' '$static' "
	    . "'$tmp/dist'");
	is($rc, 0, 'release.sh builds the tarball') or diag($out);
	my @tgz = glob("$tmp/dist/calls-api-*-linux-x86_64.tar.gz");
	is(scalar @tgz, 1, 'one tarball, named calls-api-VERSION-linux-x86_64');
	my ($ver) = ($vline // '') =~ /^calls-api (\S+)/;
	my $name = "calls-api-" . ($ver // '?');
	is($tgz[0] // '', "$tmp/dist/$name-linux-x86_64.tar.gz",
	    'the tarball is named after the binary\'s version');
	my ($list) = slurp_cmd("tar -tzf '$tgz[0]'");
	my @files = sort grep { !m{/$} } split /\n/, $list;
	is_deeply(\@files, [ map { "$name/$_" } sort qw(calls-api htaccess-cgi
	    htaccess-fcgid calls-api.cnf.example schema.sql
	    upgrade-filter-indexes.sql openapi.yaml
	    SHARED-HOSTING.md) ], 'the tarball holds exactly the release files');
	system('tar', '-xzf', $tgz[0], '-C', $tmp) == 0 or die 'untar';
	my ($tv) = slurp_cmd("'$tmp/$name/calls-api' --version");
	is($tv, $version, "the tarball's binary: the same --version");
	my ($tf) = slurp_cmd("file -b '$tmp/$name/calls-api'");
	like($tf, qr/\bstatically linked\b/, "the tarball's binary: static");
	open my $g, '<', "$tmp/$name/SHARED-HOSTING.md" or die $!;
	my $guide = do { local $/; <$g> };
	like($guide, qr/\A## Shared hosting in five minutes\n/,
	    'SHARED-HOSTING.md is the README section');
	unlike($guide, qr/^## (?!Shared hosting in five minutes)/m,
	    '  and stops at the next section');
	my ($schema_diff, $sdrc) = slurp_cmd("cmp '$tmp/$name/schema.sql' "
	    . "'$top/schema/10-tables.sql'");
	is($sdrc, 0, 'schema.sql is schema/10-tables.sql');
	(undef, $sdrc) = slurp_cmd("cmp '$tmp/$name/upgrade-filter-indexes.sql' "
	    . "'$top/schema/30-filter-indexes.sql'");
	is($sdrc, 0, 'upgrade-filter-indexes.sql is schema/30-filter-indexes.sql');
	my (undef, $odrc) = slurp_cmd("cmp '$tmp/$name/openapi.yaml' "
	    . "'$top/doc/openapi.yaml'");
	is($odrc, 0, 'openapi.yaml is doc/openapi.yaml');

	# No README section: a loud failure, no tarball.
	open my $r, '>', "$tmp/README.md" or die $!;
	print $r "# calls-api\n\n## Release\ntext\n";
	close $r;
	($out, $rc) = slurp_cmd("CALLS_API_README='$tmp/README.md' "
	    . "'$top/scripts/release.sh' '$static' '$tmp/dist2'");
	ok($rc != 0 && $out =~ /no line '## Shared hosting in five minutes'/
	    && !glob("$tmp/dist2/*.tar.gz"),
	    'README without the section: release.sh fails, saying why')
	    or diag($out);
}

# --- an empty root -----------------------------------------------------
SKIP: {
	skip 'the empty-root requests need root (chroot, mount --bind)', 1
	    if $> != 0;
	$ENV{DB_TCP_PORT} = Stack::free_port();
	my $st = Stack->new(data => 'none');
	my $dir = $st->dir;
	$st->run_script("$top/scripts/seed.sh", $dir, 30, 'org_acme');
	my $key = $st->new_key('org_acme');
	my $port = $ENV{DB_TCP_PORT};

	# The responder's settings from the stack's config, the connection
	# given per case.
	open my $c, '<', "$dir/calls-api.cnf" or die $!;
	my %cnf = map { /^([\w-]+)=(.*)$/ ? ($1, $2) : () } <$c>;
	close $c;
	# Accounts for TCP (the stack's is @localhost, which TCP with
	# skip-name-resolve does not match): a password one and an ed25519 one.
	my $grant = sub {
		my $u = shift;
		join '', map { "GRANT SELECT ON calls.$_ TO $u;\n" }
		    qw(calls agents api_keys);
	};
	$st->sql("INSTALL SONAME 'auth_ed25519';\n"
	    . "CREATE USER 'calls_tcp'\@'127.0.0.1' IDENTIFIED BY 'tcp-pw-1';\n"
	    . "CREATE USER 'calls_ed'\@'127.0.0.1' IDENTIFIED VIA ed25519 "
	    . "USING PASSWORD('ed-pw-2');\n"
	    . $grant->("'calls_tcp'\@'127.0.0.1'")
	    . $grant->("'calls_ed'\@'127.0.0.1'"));
	is($st->sql("SELECT JSON_VALUE(Priv, '\$.plugin') FROM "
	    . "mysql.global_priv WHERE User = 'calls_ed'"), 'ed25519',
	    'the ed25519 account really uses ed25519');

	my $root = "$tmp/root";
	# A fresh empty root per case: the binary, its config, and what the
	# case adds (/etc/hosts, the socket's mount point).
	my $chroot = sub {
		my (%o) = @_;
		system('rm', '-rf', $root) == 0 or die;
		mkdir $root or die;
		system('cp', $static, "$root/calls-api") == 0 or die;
		open my $f, '>', "$root/calls-api.cnf" or die $!;
		print $f "[calls-api]\n$o{conn}"
		    . "database=calls\ncursor-secret=$cnf{'cursor-secret'}\n";
		close $f;
		chmod 0600, "$root/calls-api.cnf";
		if (defined $o{hosts}) {
			mkdir "$root/etc" or die;
			open my $h, '>', "$root/etc/hosts" or die $!;
			print $h $o{hosts};
			close $h;
		}
		if ($o{socket}) {
			mkdir "$root/run" or die;
			open my $s, '>', "$root/run/mysql.sock" or die $!;
			close $s;
			my $real = readlink("$dir/mysql.sock") =~ m{^/}
			    ? readlink("$dir/mysql.sock")
			    : "$dir/" . readlink("$dir/mysql.sock");
			system('mount', '--bind', $real, "$root/run/mysql.sock")
			    == 0 or die 'mount --bind of the socket failed';
			$mounted = "$root/run/mysql.sock";
		}
	};

	# One CGI request in the chroot: (status, json, stderr, seconds, rc).
	my $cgi = sub {
		my $q = 'limit=2';
		my $t0 = time;
		my $pid = open my $out, '-|';
		die "fork: $!" unless defined $pid;
		if (!$pid) {
			open STDERR, '>', "$tmp/stderr" or die $!;
			%ENV = (GATEWAY_INTERFACE => 'CGI/1.1',
			    REQUEST_METHOD => 'GET', SCRIPT_NAME => '/api',
			    PATH_INFO => '/calls', QUERY_STRING => $q,
			    REQUEST_URI => "/api/calls?$q",
			    SERVER_PROTOCOL => 'HTTP/1.1',
			    HTTP_AUTHORIZATION => "Bearer $key",
			    CALLS_API_CONF => '/calls-api.cnf');
			exec '/usr/sbin/chroot', $root, '/calls-api';
			die "exec: $!";
		}
		my $resp = do { local $/; <$out> };
		close $out;
		my $rc = $?;
		Stack::openapi_record_cgi('cgi-chroot', 'GET', "/api/calls?$q",
		    $resp // '');
		my $secs = time - $t0;
		open my $e, '<', "$tmp/stderr" or die $!;
		my $err = do { local $/; <$e> };
		my ($head, $body) = split /\r?\n\r?\n/, $resp // '', 2;
		my ($status) = ($head // '') =~ /^Status: (\d+)/m;
		my $json = eval { decode_json($body // '') };
		return ($status // 0, $json, $err, $secs, $rc);
	};
	my $page_ok = sub {
		my ($what) = @_;
		my ($status, $json, $err, undef, $rc) = $cgi->();
		ok($status == 200 && $rc == 0 && $json && $json->{success}
		    && ref $json->{data} eq 'ARRAY' && @{ $json->{data} } == 2
		    && $json->{data}[0]{client_id} eq 'org_acme'
		    && $json->{pagination}{next_cursor},
		    "empty root, $what: 200 with a real page")
		    or diag("status $status rc $rc stderr: $err");
	};

	$chroot->(conn => "host=127.0.0.1\nport=$port\nuser=calls_tcp\n"
	    . "password=tcp-pw-1\n");
	$page_ok->('TCP to 127.0.0.1');

	$chroot->(conn => "host=db.example.internal\nport=$port\n"
	    . "user=calls_tcp\npassword=tcp-pw-1\n",
	    hosts => "127.0.0.1 localhost\n127.0.0.1 db.example.internal\n");
	$page_ok->('TCP to a host name from /etc/hosts');

	$chroot->(conn => "socket=/run/mysql.sock\nuser=calls_api\n"
	    . "password=$cnf{password}\n", socket => 1);
	$page_ok->('the server\'s Unix socket, bind-mounted');
	unmount();

	$chroot->(conn => "host=127.0.0.1\nport=$port\nuser=calls_ed\n"
	    . "password=ed-pw-2\n");
	$page_ok->('a user authenticated via ed25519');

	# A name nothing resolves: /etc/hosts without it and no DNS server.
	$chroot->(conn => "host=db.nowhere.invalid\nport=$port\n"
	    . "user=calls_tcp\npassword=tcp-pw-1\n",
	    hosts => "127.0.0.1 localhost\n");
	my ($status, $json, $err, $secs, $rc) = $cgi->();
	ok($status >= 500 && $status <= 599 && $json && !$json->{success}
	    && $json->{error}{code}, 'unresolvable host name: a JSON 5xx')
	    or diag("status $status: $err");
	ok($rc == 0 && $secs < 10, sprintf('  no crash, no hang (exit %d, '
	    . '%.1f s)', $rc >> 8, $secs));
	my @lines = grep { length } split /\n/, $err // '';
	ok(@lines == 1 && $lines[0] =~ /db\.nowhere\.invalid/
	    && $lines[0] =~ /\/etc\/hosts/ && $lines[0] =~ /IP address/,
	    '  one log line naming the host and what to do')
	    or diag($err);
}

done_testing;
