#!/usr/bin/perl
# mod_fcgid with the shipped drop-in (apache/calls-api.conf) keeps its
# processes through an idle spell: FcgidMinProcessesPerClass equals
# FcgidMaxProcessesPerClass, so FcgidIdleTimeout cannot shrink the pool
# (with a lower minimum, mod_fcgid 2.3.9 ends every process that timed
# out in the same scan, below the minimum too). Apache gets the bench's
# short FcgidIdleTimeout so that the spell lasts seconds; then a burst of
# as many clients as processes is answered 200 throughout (no 503). No
# latency is asserted here: bench/pool.sh measures it.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use POSIX ();
use Time::HiRes qw(time);
use Stack;

plan skip_all => 'no responder C path of its own (mod_fcgid\'s process '
    . 'settings); run by the plain build' if $ENV{SANITIZE};

my $t0 = time;
sub elapsed { sprintf '%.1f s', time - $t0 }

my $top = Stack::top();

# The value of a server-wide directive in the drop-in (the last one wins).
sub setting {
	my ($name, $default) = @_;
	open my $fh, '<', "$top/apache/calls-api.conf" or die $!;
	my $value = $default;
	while (<$fh>) {
		$value = $1 if /^\s*\Q$name\E\s+(\S+)\s*$/;
	}
	return $value;
}

my $max = setting('FcgidMaxProcessesPerClass', 100);
my $min = setting('FcgidMinProcessesPerClass', 3);
my $uplimit = setting('FcgidSpawnScoreUpLimit', 10);
my $spawn = setting('FcgidSpawnScore', 1);
is($min, $max, "drop-in: FcgidMinProcessesPerClass = "
    . "FcgidMaxProcessesPerClass ($min = $max): the pool never shrinks");
cmp_ok($uplimit, '>', $max * $spawn, "drop-in: FcgidSpawnScoreUpLimit "
    . "$uplimit above $max spawns x FcgidSpawnScore $spawn: all "
    . "processes may start within a second");

my $st = Stack->new;
my $key = $st->demo_keys->{org_acme};
my $adir = $st->dir . '/apache';
{
	# The drop-in as shipped (Stack starts Apache with it: apache2 -t
	# would refuse a bad one), then the bench's short idle spell.
	local $ENV{APACHE_EXTRA} = join "\n", 'FcgidIdleTimeout 1',
	    'FcgidIdleScanInterval 1', 'FcgidErrorScanInterval 1',
	    'LogLevel warn fcgid:info';
	$st->start_web('apache');
}
note('stack up after ' . elapsed());
# One answer checked against the OpenAPI document (the children's are not).
is($st->get('apache', '/api/calls?limit=1', $key)->{status}, 200,
    'GET /api/calls through mod_fcgid: 200');

# The responder processes below Apache's main process.
sub processes {
	open my $fh, '<', "$adir/httpd.pid" or die "$adir/httpd.pid: $!";
	chomp(my $root = <$fh>);
	my (%parent, %name);
	for (`ps -e -o pid=,ppid=,comm=`) {
		my ($pid, $ppid, $comm) = split ' ';
		@parent{$pid} = $ppid;
		$name{$pid} = $comm;
	}
	my $n = 0;
	for my $pid (keys %parent) {
		next unless $name{$pid} eq 'calls-api';
		for (my $p = $parent{$pid}; $p && $p > 1; $p = $parent{$p}) {
			if ($p == $root) { $n++; last }
		}
	}
	return $n;
}

# N requests at once (one child each); their statuses.
sub concurrent {
	my ($n) = @_;
	my @kids;
	for (1 .. $n) {
		pipe my $r, my $w or die "pipe: $!";
		my $pid = fork // die "fork: $!";
		if ($pid == 0) {
			close $r;
			my $res = eval { $st->get('apache',
			    '/api/calls?limit=5', $key) } // { status => 0 };
			print $w "$res->{status}\n";
			close $w;
			POSIX::_exit(0);
		}
		close $w;
		push @kids, [ $pid, $r ];
	}
	my @status;
	for (@kids) {
		my ($pid, $r) = @$_;
		push @status, (<$r> // "0\n") =~ /(\d+)/;
		waitpid $pid, 0;
	}
	return @status;
}

# mod_fcgid starts a process only for a request that waited a second and
# still found none idle; fast requests all go to one. So requests are made
# slow: an admin session holds a write lock for 1.5 s while clients ask
# (as in 45-database-hang.t), until more processes run than the old
# drop-in's minimum of 2.
my $want = 3;
for my $round (1 .. 6) {
	last if processes() >= $want;
	my $lock = fork // die "fork: $!";
	if ($lock == 0) {
		{ exec('sh', '-c', "echo 'LOCK TABLES calls WRITE, agents"
		    . " WRITE; DO SLEEP(1.5); UNLOCK TABLES;' | "
		    . Stack::quote("$top/scripts/db.sh") . ' sql '
		    . Stack::quote($st->dir) . ' calls') };
		POSIX::_exit(127);
	}
	select undef, undef, undef, 0.3;
	concurrent($max);
	waitpid $lock, 0;
}
my $before = processes();
note('warm-up done after ' . elapsed());
cmp_ok($before, '>=', $want, "warm-up: $before responder processes");

# The idle spell: over FcgidIdleTimeout, with idle and error scans every
# 1-2 s; the old drop-in's pool was gone after it.
sleep 6;
my $after = processes();
is($after, $before, "after 6 s idle (FcgidIdleTimeout 1): still $after "
    . "processes");
my $log = do { local (@ARGV, $/) = "$adir/error.log"; <> } // '';
my $ended = () = $log =~ /exit\(idle timeout\)/g;
is($ended, 0, '  none ended for idle timeout (error.log)');

my @status = concurrent($max);
is(scalar(grep { $_ == 200 } @status), $max, "a burst of $max clients after "
    . "the idle spell: all 200") or diag("statuses: @status");
is(scalar(grep { $_ == 503 } @status), 0, '  no 503 (no slot refused)');
is($st->crashes('apache'), '', 'no crash in the error log');

done_testing;
