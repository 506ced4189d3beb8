#!/usr/bin/perl
# make demo from a checkout nobody else can enter (a root user's /root is
# 0700): a fresh clone of the committed HEAD in a 0700 directory, then
# `make demo` under each server, a real request, `make stop`. The first
# start runs without /etc/hosts (an empty file bind-mounted over it in a
# private mount namespace) when unshare(1) can make one. A failed start
# (port in use; a web server that does not start) leaves nothing running.
# Root only: that is when the web server's children and mariadbd switch
# users. DEMO_TEST_REF=<commit> tests another commit (e.g. to show the
# test failing on the code before the fix). Output of every command goes
# to build/tests/95-demo-anywhere.log.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use File::Path qw(make_path remove_tree);
use File::Temp qw(tempdir);
use HTTP::Tiny;
use IO::Socket::INET;
use JSON::PP;
use Test::More;
use Stack;

plan skip_all => 'needs root (www-data and mysql are switched to as root)'
    if $> != 0;
plan skip_all => 'the demo is built plain; covered by the non-SANITIZE run'
    if $ENV{SANITIZE};
my $top = Stack::top();
my $ref = $ENV{DEMO_TEST_REF} // 'HEAD';
chomp(my $commit = `git -C '$top' rev-parse --verify -q '$ref^{commit}' 2>/dev/null`);
plan skip_all => "not a git checkout (or no $ref)" unless $commit;

make_path("$top/build/tests");
my $logfile = "$top/build/tests/95-demo-anywhere.log";
open my $log, '>', $logfile or die "$logfile: $!";
$log->autoflush(1);

# Run a shell command with a time limit; its output goes to the log.
# Returns (exit status, output).
sub run {
	my ($what, $cmd, $limit) = @_;
	$limit //= 300;
	print $log "\n### $what\n\$ $cmd\n";
	open my $p, '-|', 'timeout', $limit, 'sh', '-c', "exec 2>&1; $cmd"
	    or die "sh: $!";
	my $out = do { local $/; <$p> } // '';
	close $p;
	my $rc = $? >> 8;
	print $log $out, "### exit $rc\n";
	return ($rc, $out);
}

sub fail_log { diag("command output: $logfile") }

# The checkout: in a directory only root can enter, as /root is.
my $home = tempdir('/tmp/calls-api-demo-test.XXXXXX');
chmod 0700, $home or die "chmod $home: $!";
my $co = "$home/calls-api";
my $state;
END {
	my $rc = $?;
	if (defined $co && -d $co) {
		run('clean-up: make stop', "cd '$co' && make -s stop", 120);
	}
	remove_tree($state) if $state && -d $state && $state =~ m{^/var/tmp/};
	remove_tree($home) if defined $home;
	$? = $rc;
}

my ($rc, $out) = run('clone', "git clone -q --no-checkout '$top' '$co' && "
    . "git -C '$co' checkout -q '$commit'", 120);
is($rc, 0, "clone of $ref (" . substr($commit, 0, 12) . ") in a 0700 directory")
    or BAIL_OUT("cannot clone: $out");
($rc) = run('premise', "runuser -u www-data -- test -x '$co'", 10);
isnt($rc, 0, '  which www-data cannot enter');

sub free_port {
	my $s = IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1',
	    LocalPort => 0, Proto => 'tcp') or die "no free port: $!";
	return $s->sockport;
}

# The demo's mariadbd, if one runs: [pid, user].
sub demo_db {
	my $pidfile = "$co/run/mariadb.pid";
	open my $fh, '<', $pidfile or return;
	chomp(my $pid = <$fh> // '');
	return unless $pid =~ /^\d+$/;
	chomp(my $ps = `ps -o comm=,user= -p $pid 2>/dev/null`);
	my ($comm, $user) = split ' ', $ps;
	return unless ($comm // '') eq 'mariadbd';
	return [$pid, $user];
}

# Processes whose command line names the demo's state directory (or the
# checkout's run/, where an older version keeps it).
sub demo_processes {
	my $where = $state // "$co/run";
	return grep { index($_, $where) >= 0 && !/\bps -e/ }
	    split /\n/, `ps -e -o pid=,user=,args=`;
}

# Without /etc/hosts, if a private mount namespace is possible here.
my $no_hosts = '';
my $empty = "$home/empty-hosts";
open my $e, '>', $empty or die $!;
close $e;
($rc) = run('can we hide /etc/hosts?', "unshare -m sh -c \"mount --bind "
    . "$empty /etc/hosts && ! getent hosts localhost\"", 20);
if ($rc == 0) {
	$no_hosts = "unshare -m sh -c \"mount --bind $empty /etc/hosts && exec make -s demo SERVER=%s PORT=%d\"";
} else {
	diag('unshare -m is not possible here: the first start keeps /etc/hosts');
}

my $http = HTTP::Tiny->new(timeout => 20);
my $user_path = '/usr/local/bin:/usr/bin:/bin';
my $first = 1;
for my $server (qw(apache lighttpd cgi)) {
	my $port = free_port();
	my $cmd = $first && $no_hosts
	    ? sprintf($no_hosts, $server, $port)
	    : "make -s demo SERVER=$server PORT=$port";
	my $label = "SERVER=$server PORT=$port"
	    . ($first && $no_hosts ? ' (without /etc/hosts)' : '');
	$first = 0;
	# With a Debian user's PATH (no /usr/sbin, where the servers are).
	($rc, $out) = run("demo $server", "cd '$co' && PATH=$user_path $cmd",
	    300);
	is($rc, 0, "make demo $label") or fail_log();
	$state //= readlink "$co/run";
	my ($key) = $out =~ /Bearer (ck_\w+)/;
	ok($key, '  prints a curl line with a key') or next;
	my $r = $http->get("http://127.0.0.1:$port/api/calls?limit=2",
	    { headers => { Authorization => "Bearer $key" } });
	Stack::openapi_record_tiny("demo-$server", 'GET',
	    "http://127.0.0.1:$port/api/calls?limit=2", $r);
	my $json = eval { decode_json($r->{content}) };
	is($r->{status}, 200, '  the API answers 200');
	is($json && scalar @{ $json->{data} }, 2, '  with 2 calls');
	my $db = demo_db();
	ok($db, '  mariadbd runs') and
	    isnt($db->[1], 'root', "  as an unprivileged user ($db->[1])");
}
ok($state && $state =~ m{^/var/tmp/calls-api-demo\.}, "state outside the checkout: run/ -> "
    . ($state // 'not a symlink'));

($rc, $out) = run('git status', "git -C '$co' status --porcelain", 30);
is($out, '', '  the checkout stays clean (git status: nothing new)');

($rc) = run('stop', "cd '$co' && make -s stop", 120);
is($rc, 0, 'make stop');
my @left;
is(scalar(@left = demo_processes()), 0, '  leaves nothing running')
    or diag(join "\n", @left);

# Port in use: a clear message, and nothing left running.
my $busy = IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1',
    LocalPort => 0, Proto => 'tcp') or die "listen: $!";
my $bport = $busy->sockport;
($rc, $out) = run('port in use', "cd '$co' && make -s demo PORT=$bport", 120);
isnt($rc, 0, "make demo on a port in use ($bport) fails");
like($out, qr/port $bport is in use.*make demo PORT=\d+/, '  and suggests PORT=')
    or diag($out);
ok(!demo_db(), '  MariaDB is not left running');
close $busy;

# A web server that does not start, after the database was started.
rename "$co/scripts/web.sh", "$co/scripts/web-real.sh" or die $!;
open my $w, '>', "$co/scripts/web.sh" or die $!;
print $w "#!/bin/sh\n[ \"\$1\" = start ] && { echo 'web: simulated failure' >&2; exit 1; }\n"
    . "exec \"\$(dirname \"\$0\")/web-real.sh\" \"\$@\"\n";
close $w;
chmod 0755, "$co/scripts/web.sh";
($rc, $out) = run('web server fails', "cd '$co' && make -s demo PORT="
    . free_port(), 120);
isnt($rc, 0, 'make demo whose web server does not start fails');
like($out, qr/simulated failure/, '  (the simulated failure)');
ok(!demo_db(), '  MariaDB is not left running') or fail_log();
is(scalar(@left = demo_processes()), 0, '  nor anything else')
    or diag(join "\n", @left);
rename "$co/scripts/web-real.sh", "$co/scripts/web.sh";

done_testing;
