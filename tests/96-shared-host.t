#!/usr/bin/perl
# Issue 10 section 3: a shared host, set up as a hosting company would, and
# a customer who installs the release on it without root.
#
# The host (this test, as root; everything private to the test and removed
# at its end): two Unix users made for the test (the customer, and the user
# Apache runs as, in group www-data so that it may run suEXEC), Apache with
# mod_userdir, mod_rewrite, mod_cgid, mod_fcgid and suEXEC
# (apache2-suexec-custom, configured for that Apache user only by
# /etc/apache2/suexec/<that user>), AllowOverride All in ~/public_html, and
# MariaDB on 127.0.0.1 with one database and one password account for the
# customer (privileges on that database only).
#
# The customer (runuser, a PATH with no compiler and no package tool, every
# step checks its uid): uploads and unpacks the release tarball (made by
# scripts/release.sh from the static binary, CALLS_API_STATIC_BIN) into
# ~/public_html/api (URL http://HOST/~USER/api/calls), writes the config
# in ~ with mode 600, imports schema.sql with the mariadb client over TCP,
# creates a key with `calls-api key create`, inserts calls, and the API
# answers, every row once through next_cursor, under both .htaccess
# variants (plain CGI, mod_fcgid), its program running as the customer.
# Then what the guide's troubleshooting table says: 401 without
# CGIPassAuth, 500 with an unreadable config, 503 with the database down.
#
# Full logs: the file named on failure (kept, outside the removed run
# directory; CALLS_API_KEEP_LOG=1 keeps it on success too).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Cwd ();
use File::Temp qw(tempdir);
use File::Path qw(remove_tree);
use HTTP::Tiny;
use Time::HiRes ();
use JSON::PP;
use Stack;

my $TOP = Stack::top();
my $SUEXEC = '/usr/lib/apache2/suexec';
my $SUEXEC_CUSTOM = '/usr/lib/apache2/suexec-custom';
my $SUEXEC_LOG = '/var/log/apache2/suexec.log';	# compiled into suexec

my $STATIC = $ENV{CALLS_API_STATIC_BIN};
plan skip_all => 'CALLS_API_STATIC_BIN is unset (make static; make check '
    . 'sets it when build/static/calls-api exists, not on the sanitizer '
    . 'build)' unless $STATIC;
die "CALLS_API_STATIC_BIN=$STATIC is not an executable\n" unless -x $STATIC;
plan skip_all => 'needs root: creates users, runs Apache with suEXEC'
    if $> != 0;
plan skip_all => "needs apache2-suexec-custom ($SUEXEC_CUSTOM; "
    . 'scripts/deps.sh installs it)' unless -u $SUEXEC_CUSTOM;
plan skip_all => "$SUEXEC is not suexec-custom (update-alternatives "
    . '--config suexec)' unless (Cwd::realpath($SUEXEC) // '') eq $SUEXEC_CUSTOM;

# ---- Log file, kept on failure --------------------------------------------
my $LOG = "/tmp/calls-api-96-shared-host.$$.log";
open my $logfh, '>', $LOG or die "$LOG: $!";
$logfh->autoflush(1);
sub logit { print $logfh @_, ($_[-1] =~ /\n\z/ ? '' : "\n") }

# ---- The host's parts, removed at the end ---------------------------------
my $tmp = tempdir('/tmp/calls-api-shost.XXXXXX');
chmod 0755, $tmp or die;
my ($cust, $httpd_user);		# Unix users made here
my $suexec_conf;			# /etc/apache2/suexec/<httpd_user>
my $suexec_log_existed = -e $SUEXEC_LOG;
my $suexec_log_start = -s $SUEXEC_LOG // 0;
my $apache_pidfile = "$tmp/apache/httpd.pid";
my $st;					# the MariaDB
my $host_made = 1;			# from here on, END cleans up

sub sh_quote { my $s = shift; $s =~ s/'/'\\''/g; return "'$s'" }

# Run a command (list); its output goes to the log. Returns the exit code.
sub run_logged {
	my (@cmd) = @_;
	logit('$ ' . join(' ', map { sh_quote($_) } @cmd));
	my $out = `@{[ join ' ', map { sh_quote($_) } @cmd ]} 2>&1`;
	my $rc = $? >> 8;
	logit($out) if length $out;
	logit("(exit $rc)") if $rc;
	return wantarray ? ($rc, $out) : $rc;
}

sub must { my $rc = run_logged(@_); die "failed: @_ (see $LOG)\n" if $rc }

sub pids_of_uid {
	my ($uid) = @_;
	my @pids = grep { /^\d+$/ } map { s/\s+//gr }
	    `ps -e -o pid=,uid= | awk -v u=$uid '\$2 == u { print \$1 }'`;
	return @pids;
}

sub stop_apache {
	return unless -r $apache_pidfile;
	open my $fh, '<', $apache_pidfile or return;
	my $pid = <$fh>;
	close $fh;
	return unless $pid && $pid =~ /^(\d+)/;
	$pid = $1;
	kill 'TERM', $pid;
	for (1 .. 100) {
		last unless kill 0, $pid;
		select undef, undef, undef, 0.1;
	}
	kill 'KILL', $pid if kill 0, $pid;
	unlink $apache_pidfile;
}

sub host_cleanup {
	stop_apache();
	for my $f ("$tmp/apache/error.log", "$tmp/apache/access.log") {
		logit("--- $f:\n" . slurp($f)) if -e $f;
	}
	for my $user (grep { defined } $cust, $httpd_user) {
		my $uid = getpwnam($user);
		next unless defined $uid;
		# The customer's FastCGI processes, if Apache left any: by pid.
		my @pids = pids_of_uid($uid);
		if (@pids) {
			logit("leftover processes of $user: @pids");
			kill 'TERM', @pids;
			select undef, undef, undef, 0.5;
			kill 'KILL', grep { kill 0, $_ } @pids;
		}
		run_logged('userdel', $user);
		run_logged('groupdel', $user) if getgrnam($user);
	}
	unlink $suexec_conf if $suexec_conf;
	# suEXEC logs every run to a fixed file; remove it if it was ours.
	unlink $SUEXEC_LOG if !$suexec_log_existed;
	remove_tree($tmp);
}

# A skip ends the test before anything was made: nothing to undo then.
END {
	my $rc = $?;
	if ($host_made) {
		host_cleanup();
		if ($rc || !Test::More->builder->is_passing ||
		    $ENV{CALLS_API_KEEP_LOG}) {
			print STDERR "# full log: $LOG\n";
		} else {
			unlink $LOG;
		}
	}
	$? = $rc;
}

# Names that cannot clash with a real account: a prefix and random hex,
# checked free.
sub new_name {
	my ($prefix) = @_;
	for (1 .. 20) {
		my $n = sprintf('%s%06x', $prefix, int(rand(0xffffff)));
		return $n unless defined getpwnam($n) || defined getgrnam($n);
	}
	die "no free user name with prefix $prefix\n";
}

# ---- The host: users ------------------------------------------------------
$cust = new_name('cah');
$httpd_user = new_name('caw');
my $homes = "$tmp/home";
mkdir $homes, 0755 or die;
my $home = "$homes/$cust";
must('useradd', '-m', '-d', $home, '-s', '/bin/sh', '-K', 'UMASK=022',
    '-c', 'calls-api shared-host test customer', $cust);
# Apache's user: no login, no home; in group www-data, the group that may
# run the suEXEC binary (mode 4754 root:www-data).
must('useradd', '-M', '-d', '/nonexistent', '-s', '/usr/sbin/nologin',
    '-G', 'www-data', '-c', 'calls-api shared-host test httpd', $httpd_user);
my (undef, undef, $cust_uid, $cust_gid) = getpwnam($cust);
# A hosting company's homes: others may pass through, not list.
chmod 0711, $home or die;
ok($cust_uid >= 1000, "customer $cust (uid $cust_uid) and Apache user "
    . "$httpd_user created");

# ---- The host: MariaDB over TCP with a password ---------------------------
my $db_port = Stack::free_port();
{
	local $ENV{DB_TCP_PORT} = $db_port;
	$st = Stack->new(data => 'none');
}
my $cust_db = "${cust}_db";
my $cust_db_user = $cust;
my $cust_db_pw = join '', map { ('a' .. 'z', 0 .. 9)[rand 36] } 1 .. 24;

sub admin_sql {
	my ($sql, $db) = @_;
	return $st->run_script("$TOP/scripts/db.sh", 'sql', $st->dir, '-N',
	    '-B', (defined $db ? ($db) : ()), '-e', $sql);
}
admin_sql("CREATE DATABASE `$cust_db` CHARACTER SET utf8mb4 "
    . "COLLATE utf8mb4_bin");
admin_sql("CREATE USER '$cust_db_user'\@'127.0.0.1' IDENTIFIED BY "
    . "'$cust_db_pw'");
admin_sql("GRANT ALL ON `$cust_db`.* TO '$cust_db_user'\@'127.0.0.1'");
my $grants = admin_sql("SHOW GRANTS FOR '$cust_db_user'\@'127.0.0.1'");
logit("grants:\n$grants");
my @grants = split /\n/, $grants;
is(scalar(grep { /ON \*\.\*/ && !/GRANT USAGE ON \*\.\*/ } @grants), 0,
    'the customer account has no global privileges')
    or diag($grants);
ok((grep { /GRANT ALL PRIVILEGES ON `\Q$cust_db\E`\.\*/ } @grants),
    "and all privileges on $cust_db");

# ---- The host: Apache with userdir, suEXEC, mod_cgid, mod_fcgid ----------
my $web_port = Stack::free_port();
my $adir = "$tmp/apache";
mkdir $_, 0755 or die for $adir, "$adir/htdocs", "$adir/run", "$adir/fcgid";
must('chown', "$httpd_user:", "$adir/fcgid");
# suEXEC for this Apache user only: document root, userdir suffix.
$suexec_conf = "/etc/apache2/suexec/$httpd_user";
open my $sfh, '>', $suexec_conf or die "$suexec_conf: $!";
print $sfh "$adir/htdocs\npublic_html\n";
close $sfh;
chmod 0644, $suexec_conf;

# CALLS_API_SHOST_OVERRIDE: another AllowOverride, to check what the guide
# says the .htaccess files need.
my $override = $ENV{CALLS_API_SHOST_OVERRIDE} // 'All';
open my $cfh, '>', "$adir/httpd.conf" or die;
print $cfh <<"CONF";
# A shared host's Apache, generated by tests/96-shared-host.t.
ServerRoot /usr/lib/apache2
ServerName 127.0.0.1
Listen 127.0.0.1:$web_port
PidFile "$apache_pidfile"
DefaultRuntimeDir "$adir/run"
Mutex "file:$adir/run" default
ErrorLog "$adir/error.log"
LogLevel info
User $httpd_user
Group $httpd_user
TraceEnable Off
ServerTokens Prod
ServerSignature Off

LoadModule mpm_event_module modules/mod_mpm_event.so
LoadModule authz_core_module modules/mod_authz_core.so
LoadModule mime_module modules/mod_mime.so
LoadModule env_module modules/mod_env.so
LoadModule dir_module modules/mod_dir.so
LoadModule rewrite_module modules/mod_rewrite.so
LoadModule userdir_module modules/mod_userdir.so
LoadModule suexec_module modules/mod_suexec.so
LoadModule cgid_module modules/mod_cgid.so
LoadModule fcgid_module modules/mod_fcgid.so
LoadModule reqtimeout_module modules/mod_reqtimeout.so
TypesConfig /etc/mime.types
RequestReadTimeout header=20-40,MinRate=500 body=10,MinRate=500

LogFormat "%h %u %t \\"%r\\" %>s %b %D" timed
CustomLog "$adir/access.log" timed

ScriptSock "$adir/run/cgid.sock"
FcgidIPCDir "$adir/fcgid"
FcgidProcessTableFile "$adir/fcgid/table"
FcgidMaxProcessesPerClass 2
FcgidMinProcessesPerClass 0
FcgidConnectTimeout 5
FcgidIOTimeout 40

<Directory />
    AllowOverride None
    Require all denied
</Directory>
<Files ".ht*">
    Require all denied
</Files>
DocumentRoot "$adir/htdocs"
<Directory "$adir/htdocs">
    Require all granted
</Directory>

# Every user's ~/public_html at /~user/, configured by its .htaccess.
UserDir public_html
UserDir disabled root
<Directory "$homes/*/public_html">
    AllowOverride $override
    Options SymLinksIfOwnerMatch
    Require all granted
</Directory>
CONF
close $cfh;
{
	my ($rc) = run_logged('sh', '-c', 'apache2 -d /usr/lib/apache2 -f '
	    . sh_quote("$adir/httpd.conf") . ' -k start </dev/null');
	die "Apache did not start (see $LOG)\n" if $rc;
}
my $http = HTTP::Tiny->new(timeout => 30);
for (1 .. 100) {
	my $r = $http->get("http://127.0.0.1:$web_port/");
	last if $r->{status} != 599;
	select undef, undef, undef, 0.1;
}
like(slurp("$adir/error.log"), qr/suEXEC mechanism enabled/,
    'Apache started with suEXEC enabled');

sub slurp {
	my ($f) = @_;
	open my $fh, '<', $f or return '';
	local $/;
	return <$fh> // '';
}

# ---- The release tarball ---------------------------------------------------
# The release tarball, made by scripts/release.sh (what `make release`
# runs) from the static binary, into our own directory.
my $tarball;
{
	my ($rc, $out) = run_logged("$TOP/scripts/release.sh", $STATIC,
	    "$tmp/dist");
	my @tgz = glob("$tmp/dist/calls-api-*-linux-x86_64.tar.gz");
	ok($rc == 0 && @tgz == 1, 'release.sh made the release tarball')
	    or die "no release tarball (see $LOG)\n";
	$tarball = $tgz[0];
}
my ($tarname) = $tarball =~ m{([^/]+)\z};
my ($topdir) = $tarname =~ /^(calls-api-.*)-linux-x86_64\.tar\.gz\z/;
# "Upload": the file where the customer can fetch it (their FTP client).
mkdir "$tmp/upload", 0755 or die;
must('install', '-m', '0644', $tarball, "$tmp/upload/$tarname");

# ---- The customer ----------------------------------------------------------
# Their PATH: a directory of the plain tools a hosting shell has; no cc,
# no make, no package manager in it.
my $cbin = "$tmp/custbin";
mkdir $cbin, 0755 or die;
for my $tool (qw(sh tar gzip mkdir mv cp rm chmod cat sed od tr head id ls
    stat mariadb)) {
	my $path = `sh -c "command -v $tool"`;
	chomp $path;
	die "no $tool on this machine\n" unless $path;
	symlink $path, "$cbin/$tool" or die "symlink $tool: $!";
}

# One step as the customer: a login-less shell as their uid with a clean
# environment. Returns (exit code, output).
sub as_customer {
	my ($what, $script) = @_;
	logit("--- customer: $what");
	return run_logged('runuser', '-u', $cust, '--', 'env', '-i',
	    "HOME=$home", "USER=$cust", "PATH=$cbin", 'LC_ALL=C', 'sh', '-ec',
	    "[ \"\$(id -u)\" = $cust_uid ] || { echo not the customer; exit 99; }\n"
	    . "cd\n$script");
}

sub customer_ok {
	my ($what, $script) = @_;
	my ($rc, $out) = as_customer($what, $script);
	is($rc, 0, "customer: $what") or diag("exit $rc: $out");
	return $out;
}

{
	my ($rc, $out) = as_customer('has no compiler or package tool',
	    'for t in cc gcc clang make apt-get apt dpkg; do '
	    . 'if command -v $t; then exit 1; fi; done; id -un');
	is($rc, 0, "customer's shell: uid $cust_uid, no cc/gcc/make/apt/dpkg "
	    . 'on its PATH') or diag($out);
}

my $api = "$home/public_html/api";
customer_ok('unpacks the release into ~/public_html/api', <<"SH");
cp '$tmp/upload/$tarname' ~/
mkdir -p -m 0755 ~/public_html
cd ~/public_html
tar -xzf ~/'$tarname'
mv '$topdir' api
ls -l api
SH

my $secret = join '', map { sprintf '%02x', int rand 256 } 1 .. 32;
my $route = "/~$cust/api/calls";
customer_ok('writes ~/calls-api.cnf, mode 600', <<"SH");
umask 077
cat > ~/calls-api.cnf <<'CNF'
[calls-api]
host=127.0.0.1
port=$db_port
user=$cust_db_user
password=$cust_db_pw
database=$cust_db
cursor-secret=$secret
key-cache-seconds=1
route=$route
CNF
stat -c '%a %U' ~/calls-api.cnf
SH
is(sprintf('%o', (stat "$home/calls-api.cnf")[2] & 07777), '600',
    'the config is mode 600');
isnt(system('runuser', '-u', $httpd_user, '--', 'test', '-r',
    "$home/calls-api.cnf"), 0, "Apache's user cannot read it");

sub mariadb_cmd {
	return "mariadb -h 127.0.0.1 -P $db_port -u $cust_db_user "
	    . "-p'$cust_db_pw' $cust_db";
}

customer_ok('imports schema.sql with the mariadb client over TCP',
    mariadb_cmd() . ' < ~/public_html/api/schema.sql');
# The upgrade file, as an upgrading customer would import it (on tables
# schema.sql just made it has nothing to add): no error.
customer_ok('imports upgrade-filter-indexes.sql the same way',
    mariadb_cmd() . ' < ~/public_html/api/upgrade-filter-indexes.sql');

# The customer's calls: 120 for their organisation (ties included: 40
# distinct instants), 5 for another one that must never show.
customer_ok('inserts calls with SQL', mariadb_cmd() . " <<'SQL'\n" . <<'SQL' . "SQL\n");
INSERT INTO agents (client_id, agent_id, agent_name)
VALUES ('org_cust', 'agent_a', 'Agent A'), ('org_other', 'agent_b', 'B');
INSERT INTO calls (call_sid, client_id, to_number, agent_id, status,
    total_cost, created_at)
WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 120)
SELECT CONCAT('call_c', LPAD(i, 4, '0')), 'org_cust', '+15550000001',
    'agent_a', 'completed', i / 100,
    TIMESTAMP('2026-02-01 00:00:00') + INTERVAL (i % 40) MINUTE
FROM n;
INSERT INTO calls (call_sid, client_id, to_number, agent_id, created_at)
WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5)
SELECT CONCAT('call_o', i), 'org_other', '+15550000002', 'agent_b',
    TIMESTAMP('2026-02-01 00:00:00') + INTERVAL i MINUTE
FROM n;
SQL

# The key: the release's own binary, from the customer's shell. No --conf
# and no CALLS_API_CONF: it finds ~/calls-api.cnf (HOME).
my $key;
{
	my $out = customer_ok('creates an API key with calls-api key create',
	    "~/public_html/api/calls-api key create org_cust "
	    . "--label 'shared-host test' > ~/key.txt\nhead -1 ~/key.txt");
	($key) = $out =~ /^(ck_[A-Za-z0-9]+)\s*$/m;
	ok(defined $key, 'the key is the first line of its output')
	    or diag($out);
	my $list = customer_ok('lists it with calls-api key list',
	    '~/public_html/api/calls-api key list org_cust');
	like($list, qr/shared-host test/, '... by its label');
	unlike($list, qr/\Q$key\E/, '... never the key') if defined $key;
	$key //= 'none';
}

my @expected = split /\n/, admin_sql("SELECT call_sid FROM calls WHERE "
    . "client_id = 'org_cust' ORDER BY created_at DESC, call_sid DESC",
    $cust_db);
is(scalar @expected, 120, 'org_cust has 120 calls');

my $base = "http://127.0.0.1:$web_port/~$cust/api";

sub get {
	my ($target, $with_key) = @_;
	my %h = $with_key ? (headers => { Authorization => "Bearer $key" }) : ();
	my $r = $http->get("$base$target", \%h);
	$r->{openapi_id} = Stack::openapi_record_tiny('shared-host', 'GET',
	    "$base$target", $r, route => "/~$cust/api/calls");
	$r->{json} = eval { JSON::PP->new->decode($r->{content} // '') };
	logit("GET $target -> $r->{status} "
	    . substr($r->{content} // '', 0, 300));
	return $r;
}

# Follow next_cursor to the end; the call_sids in order, or undef.
sub walk {
	my ($limit) = @_;
	my (@sids, $cursor);
	for my $page (1 .. int(@expected / $limit) + 2) {
		my $r = get("/calls?limit=$limit"
		    . (defined $cursor ? "&cursor=$cursor" : ''), 1);
		if ($r->{status} != 200 || !$r->{json}) {
			diag("page $page: $r->{status} "
			    . substr($r->{content} // '', 0, 300));
			return undef;
		}
		my $d = $r->{json}{data};
		if (grep { $_->{client_id} ne 'org_cust' } @$d) {
			diag('a row of another organisation');
			return undef;
		}
		push @sids, map { $_->{call_sid} } @$d;
		my $p = $r->{json}{pagination};
		return \@sids unless $p->{has_more};
		$cursor = $p->{next_cursor};
	}
	diag('still has_more after the last page');
	return undef;
}

sub htaccess {
	my ($variant, $edit) = @_;
	$edit //= '';
	customer_ok("installs .htaccess from htaccess-$variant", <<"SH");
cd ~/public_html/api
sed -e "s|/home/USER/calls-api.cnf|\$HOME/calls-api.cnf|" $edit htaccess-$variant > .htaccess
chmod 644 .htaccess
SH
}

sub log_since {
	my ($file, $offset) = @_;
	my $all = slurp($file);
	return substr($all, $offset);
}

# The processes running the customer's calls-api (mod_fcgid's), as
# "pid user"; other tests' responders elsewhere on the machine are not ours.
sub responder_procs {
	my @p;
	for my $line (`ps -e -o pid=,user:32=`) {
		my ($pid, $user) = $line =~ /^\s*(\d+)\s+(\S+)/ or next;
		my $exe = readlink "/proc/$pid/exe" // next;
		push @p, "$pid $user" if $exe eq "$api/calls-api";
	}
	return @p;
}

for my $variant (qw(cgi fcgid)) {
	htaccess($variant);
	my $first = get('/calls', 1);
	is($first->{status}, 200, "$variant: GET /~$cust/api/calls answers 200")
	    or diag(substr($first->{content} // '', 0, 500));
	my $data = $first->{json} ? $first->{json}{data} : [];
	is(scalar @$data, 50, "$variant: a page of 50 calls");
	is($data->[0]{call_sid}, $expected[0], "$variant: newest first")
	    if @$data;
	is_deeply(walk(7), \@expected,
	    "$variant: next_cursor walk at limit 7: every row once, in order");
	# Latency of a first page, sequential requests (logged, not judged).
	{
		my @ms;
		for (1 .. 40) {
			my $t0 = Time::HiRes::time();
			my $r = $http->get("$base/calls",
			    { headers => { Authorization => "Bearer $key" } });
			Stack::openapi_record_tiny("shared-$variant", 'GET',
			    "$base/calls", $r, route => "/~$cust/api/calls");
			push @ms, (Time::HiRes::time() - $t0) * 1000;
		}
		@ms = sort { $a <=> $b } @ms;
		logit(sprintf("timing %s: 40 sequential first pages, median "
		    . "%.1f ms, max %.1f ms", $variant, $ms[20], $ms[-1]));
	}
	# One call, through the same .htaccess rule (calls(/.*)?).
	my $one = get("/calls/$expected[0]", 1);
	is($one->{status}, 200, "$variant: GET /~$cust/api/calls/<call_sid>");
	is($one->{json} && $one->{json}{data}{call_sid}, $expected[0],
	    "$variant: ... that call");
	my $nokey = get('/calls', 0);
	is($nokey->{status}, 401, "$variant: no key, 401");
	# A path that is not the config's route reaches the program: 404.
	my $other = get('/calls-api', 1);
	is($other->{status}, 404, "$variant: /~$cust/api/calls-api (not the "
	    . 'route): 404');
	is($other->{json} && $other->{json}{error}{code}, 'not_found',
	    "$variant: ... not_found");
	for my $f ('schema.sql', 'upgrade-filter-indexes.sql',
	    'calls-api.cnf.example', "htaccess-$variant",
	    '.htaccess') {
		my $r = $http->get("$base/$f");
		Stack::openapi_record_tiny("shared-$variant", 'GET', "$base/$f",
		    $r, foreign => "Apache's own 403 for a file the .htaccess hides");
		is($r->{status}, 403, "$variant: $f is not served");
	}
	if ($variant eq 'fcgid') {
		my @procs = responder_procs();
		logit("calls-api processes: @procs");
		ok((@procs && !grep { !/ \Q$cust\E$/ } @procs),
		    "fcgid: the calls-api processes run as $cust")
		    or diag("processes: @procs");
	}
	# The Authorization header stops at Apache without CGIPassAuth.
	htaccess($variant, "-e '/^CGIPassAuth/d'");
	my $off = length slurp("$adir/error.log");
	my $r = get('/calls', 1);
	is($r->{status}, 401, "$variant: without CGIPassAuth: 401");
	is($r->{json} && $r->{json}{error}{code}, 'missing_api_key',
	    "$variant: ... missing_api_key")
	    or diag($r->{content});
	unlike(log_since("$adir/error.log", $off), qr/calls-api\[/,
	    "$variant: ... and no log line from calls-api");
}

# suEXEC ran the CGI program as the customer (its log names uid and
# command for each run).
my $suexec_log = log_since($SUEXEC_LOG, $suexec_log_start);
logit("suexec.log since start:\n$suexec_log");
like($suexec_log, qr/uid: \(\d+\/\Q$cust\E\) gid: \(\d+\/\Q$cust\E\) cmd: calls-api/,
    "suexec.log: calls-api ran as $cust");

# Config unreadable by the program's user: 500 and a log line (plain CGI:
# each request reads the config anew).
htaccess('cgi');
{
	customer_ok('chmod 000 ~/calls-api.cnf', 'chmod 000 ~/calls-api.cnf');
	my $off = length slurp("$adir/error.log");
	my $r = get('/calls', 1);
	is($r->{status}, 500, 'unreadable config: 500');
	is($r->{json} && $r->{json}{error}{code}, 'server_misconfigured',
	    '... server_misconfigured') or diag($r->{content});
	my $log = log_since("$adir/error.log", $off);
	logit("error.log:\n$log");
	like($log, qr/config: .*calls-api\.cnf/, '... and the error log '
	    . 'names the config file');
	customer_ok('chmod 600 ~/calls-api.cnf', 'chmod 600 ~/calls-api.cnf');
}

# suEXEC refuses a program in a directory others (or the group) may
# write: Apache's own 500 page, the reason in suexec.log only.
{
	customer_ok('chmod 775 ~/public_html/api', 'chmod 775 ~/public_html/api');
	my $off = -s $SUEXEC_LOG // 0;
	my $r = get('/calls', 1);
	is($r->{status}, 500, 'group-writable directory: 500');
	ok(!$r->{json}, "... Apache's page, not JSON");
	Stack->not_ours($r, "suEXEC refused to run the program: Apache's own 500");
	like(log_since($SUEXEC_LOG, $off), qr/directory is writable by others/,
	    '... suexec.log: directory is writable by others');
	like(log_since("$adir/error.log", 0), qr/(?:Premature end of script headers|End of script output before headers)/,
	    '... error log: end of script output before headers');
	customer_ok('chmod 755 ~/public_html/api', 'chmod 755 ~/public_html/api');
	is(get('/calls', 1)->{status}, 200, '... and 200 again after chmod 755');
}

# Database down: 503 and a log line.
{
	$st->db_stop;
	my $off = length slurp("$adir/error.log");
	my $r = get('/calls', 1);
	is($r->{status}, 503, 'database down: 503');
	is($r->{headers}{'retry-after'}, '2', '... Retry-After: 2');
	is($r->{json} && $r->{json}{error}{code}, 'service_unavailable',
	    '... service_unavailable') or diag($r->{content});
	my $log = log_since("$adir/error.log", $off);
	logit("error.log:\n$log");
	like($log, qr/calls-api/, '... and a log line') or diag($log);
}

done_testing;
