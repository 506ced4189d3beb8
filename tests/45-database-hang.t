#!/usr/bin/perl
# A hung database (mariadbd stopped with SIGSTOP: what a stuck server or a
# dead network path looks like) is a JSON 503 with Retry-After within 3 s,
# for sequential requests and for as many concurrent clients as the server
# runs responder processes; after SIGCONT the answers are 200 again without
# a web server restart.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Time::HiRes qw(time);
use POSIX ();
use Stack;

my $LIMIT = 3;		# seconds: the issue's bound for every answer
# Responder processes: apache/calls-api.conf FcgidMaxProcessesPerClass,
# lighttpd/calls-api.conf max-procs.
my %procs = (apache => 8, lighttpd => 4);
my @servers = sort keys %procs;

my %answered;		# 503s given while the database hung, by server
my $st = Stack->new;
my $key = $st->demo_keys->{org_acme};
my $pidfile = $st->dir . '/mariadb.pid';
my $dbpid;

# A stopped mariadbd would make Stack's clean-up wait for it: always resume
# it first, on every way out (this END runs before Stack's).
sub resume { kill 'CONT', $dbpid if $dbpid }
END { resume() }
$SIG{INT} = $SIG{TERM} = sub { resume(); $_->cleanup for ($st); exit 1 };

$st->start_web($_) for @servers;

# N requests at once (one child each); returns [ { status, secs, code,
# retry } ... ] in no particular order.
sub concurrent {
	my ($server, $n) = @_;
	my @kids;
	for my $i (1 .. $n) {
		pipe my $r, my $w or die "pipe: $!";
		my $pid = fork // die "fork: $!";
		if ($pid == 0) {
			close $r;
			my $t0 = time;
			my $res = eval { $st->get($server, '/api/calls?limit=1',
			    $key) } // { status => 0 };
			printf $w "%d %.3f %s %s\n", $res->{status}, time - $t0,
			    ($res->{json} && $res->{json}{error}
			    ? $res->{json}{error}{code} : '-'),
			    $res->{headers}{'retry-after'} // '-';
			close $w;
			POSIX::_exit(0);
		}
		close $w;
		push @kids, [ $pid, $r ];
	}
	my @out;
	for (@kids) {
		my ($pid, $r) = @$_;
		my $line = <$r> // '0 0 - -';
		waitpid $pid, 0;
		my ($status, $secs, $code, $retry) = split ' ', $line;
		push @out, { status => $status, secs => $secs, code => $code,
		    retry => $retry };
	}
	return @out;
}

sub summary {
	return join ', ', map { "$_->{status} in $_->{secs} s" }
	    sort { $a->{secs} <=> $b->{secs} } @_;
}

# Connections of the responder processes, as the database counts them.
sub connected {
	return $st->sql("SELECT COUNT(*) FROM information_schema.processlist"
	    . " WHERE user = 'calls_api'");
}

# Every responder process started and connected. Fast requests would all
# go to one process, so the warm-up makes them slow: an admin session holds
# a write lock on the tables for 1.5 s (well inside the responder's
# budget) while as many clients as processes ask at once; the servers
# start processes for the waiting requests. Repeated until all are
# connected (the count is cumulative: apache's stay connected).
my $want = 0;
for my $server (@servers) {
	$want += $procs{$server};
	my $have = 0;
	for my $round (1 .. 10) {
		my $lock = fork // die "fork: $!";
		if ($lock == 0) {
			{ exec('sh', '-c', "echo 'LOCK TABLES calls WRITE, agents"
			    . " WRITE; DO SLEEP(1.5); UNLOCK TABLES;' | "
			    . Stack::quote(Stack::top() . '/scripts/db.sh')
			    . ' sql ' . Stack::quote($st->dir) . ' calls') };
			POSIX::_exit(127);
		}
		select undef, undef, undef, 0.3;
		concurrent($server, $procs{$server});
		waitpid $lock, 0;
		last if ($have = connected()) >= $want;
	}
	# How far the warm-up got is information, not the test's claim.
	($have >= $want ? \&note : \&diag)->("$server: warm-up: $have of "
	    . "$want responder connections");
}
is(scalar(grep { $_->{status} == 200 } concurrent($_, $procs{$_})),
    $procs{$_}, "$_: $procs{$_} concurrent requests, all 200 before")
    for @servers;

open my $fh, '<', $pidfile or die "$pidfile: $!";
chomp($dbpid = <$fh>);
close $fh;
ok(kill('STOP', $dbpid), "mariadbd $dbpid stopped (SIGSTOP)");

# Concurrently, as many clients as processes: first every process finds
# its established connection hung; then, after the sequential requests,
# processes that reconnect (at most once a second) or back off.
sub concurrent_503 {
	my ($server, $what) = @_;
	my @r = concurrent($server, $procs{$server});
	$answered{$server} += grep { $_->{status} == 503 } @r;
	my @bad = grep { $_->{status} != 503 || $_->{secs} >= $LIMIT
	    || $_->{code} ne 'service_unavailable'
	    || $_->{retry} !~ /^\d+$/ } @r;
	ok(!@bad, "$server: $procs{$server} concurrent clients, $what: all "
	    . "JSON 503 + Retry-After within $LIMIT s") or diag(summary(@r));
	note(summary(@r));
}

for my $server (@servers) {
	concurrent_503($server, 'established connections');
	# Sequentially: reconnects (at most once a second) that meet the hung
	# server, or an answer at once while backing off.
	for my $try (1 .. 4) {
		my $t0 = time;
		my $r = $st->get($server, '/api/calls?limit=1', $key);
		my $dt = time - $t0;
		$answered{$server}++ if $r->{status} == 503;
		is($r->{status}, 503, "$server: hung database, try $try: 503");
		is($r->{json} && $r->{json}{error}{code}, 'service_unavailable',
		    '  service_unavailable');
		like($r->{headers}{'retry-after'} // '', qr/^\d+$/,
		    '  Retry-After');
		ok($dt < $LIMIT, sprintf('  answered in %.2f s (< %d s)', $dt,
		    $LIMIT));
	}
	concurrent_503($server, 'reconnecting');
}

# The responder said why, in the server's error log (Apache's; lighttpd
# drops a FastCGI child's stderr unless server.breakagelog is set).
my $log = do {
	local $/;
	open my $lf, '<', $st->dir . '/apache/error.log' or die $!;
	<$lf>;
};
like($log, qr/database: .*Lost connection.*no answer within the request's time budget/,
    'apache: the error log names the database failure');
# One line per 5xx: status, code, method, path, stage, then the reason.
my $lines = () = $log =~
    /calls-api\[\d+\]: 503 service_unavailable GET \S+: [^\n]*database: /g;
ok($lines >= $answered{apache}, "apache: a database line in the log for "
    . "each of its $answered{apache} 503s ($lines lines)");

ok(kill('CONT', $dbpid), 'mariadbd resumed (SIGCONT)');
$dbpid = undef;
for my $server (@servers) {
	my ($status, $t0) = (0, time);
	while (time - $t0 < 10) {
		$status = $st->get($server, '/api/calls?limit=1', $key)->{status};
		last if $status == 200;
		select undef, undef, undef, 0.2;
	}
	is($status, 200, sprintf('%s: 200 again %.1f s after SIGCONT',
	    $server, time - $t0));
	# Every process: a process that gave up its connection reconnects
	# within its one-second back-off.
	my @r;
	for (1 .. 10) {
		@r = concurrent($server, $procs{$server});
		last unless grep { $_->{status} != 200 } @r;
		select undef, undef, undef, 0.3;
	}
	is(scalar(grep { $_->{status} == 200 } @r), $procs{$server},
	    "$server: $procs{$server} concurrent requests all 200 again")
	    or diag(summary(@r));
}

# db-budget-ms in the option file replaces the 1.5 s budget: with 3000, a
# request on a connection that then hangs waits about 3 s for its 503 (a
# process without a connection yet gives up after its 1 s connect: the
# slowest of one request per process is the one that had a connection).
{
	my $conf = $st->dir . '/calls-api.cnf';
	open my $fh, '>>', $conf or die "$conf: $!";
	print $fh "db-budget-ms=3000\n";
	close $fh;
	$st->stop_web('lighttpd');	# its responders read the file anew
	$st->start_web('lighttpd');
	my $warm = $st->get('lighttpd', '/api/calls?limit=1', $key);
	is($warm->{status}, 200, 'lighttpd with db-budget-ms=3000: 200');
	$dbpid = $st->run_script('cat', $pidfile);
	kill 'STOP', $dbpid;
	my @r = concurrent('lighttpd', $procs{lighttpd});
	resume();
	$dbpid = undef;
	my ($slowest) = sort { $b <=> $a } map { $_->{secs} } @r;
	is(scalar(grep { $_->{status} == 503 } @r), $procs{lighttpd},
	    "database hung: $procs{lighttpd} concurrent requests, all 503");
	ok($slowest > 2.5 && $slowest < 4.5, sprintf('  the slowest after '
	    . '%.2f s, the configured budget (by default about 1.5 s)',
	    $slowest)) or diag(summary(@r));
}

is($st->crashes($_), '', "$_: no crash") for @servers;
done_testing;
