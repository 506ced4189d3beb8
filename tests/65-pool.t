#!/usr/bin/perl
# calls-api serve, the pool the responder runs itself (lib/pool.c):
#  - behind nginx (scripts/web.sh nginx): kill -9 a worker and a new one
#    is there within a second while requests keep succeeding; a worker
#    that keeps dying young is restarted after a doubling back-off;
#    SIGHUP while a client loop runs fails no request and puts the new
#    option file in effect (a changed cursor-secret refuses the old
#    cursors); SIGTERM with a request in flight lets it finish, then the
#    pool exits and its socket file is gone;
#  - bad command lines: exit status 2 and a reason;
#  - the Unix socket: mode 0660 (or --socket-mode), --socket-group, and
#    a user outside owner and group cannot connect;
#  - the systemd units as `make install` puts them: systemd-analyze
#    verify, then the service's ExecStart line run for real with a
#    socket passed the way systemd passes it (systemd-socket-activate);
#  - spawn-fcgi handing it the socket as standard input.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use File::Temp qw(tempdir);
use POSIX qw(WNOHANG);
use Time::HiRes qw(sleep time);
use Fcgi;
use IO::Socket::INET;
use IO::Socket::UNIX;
use Stack;

my $WORKERS = 4;
my $st = Stack->new;
my $dir = $st->dir;
my $bin = $st->{bin};
my $key = $st->demo_keys->{org_acme};
# A long database budget: the SIGTERM test holds a request on a lock.
open my $cnf, '>>', "$dir/calls-api.cnf" or die $!;
print $cnf "db-budget-ms=10000\n";
close $cnf;

$ENV{POOL_SIZE} = $WORKERS;
$st->start_web('nginx');
my $pool = do { local (@ARGV, $/) = "$dir/nginx/pool.pid"; <> };
chomp $pool;
my $log = "$dir/nginx/responder.log";

# The pool's workers: its children, by /proc.
sub workers {
	my ($parent) = @_;
	my @kids;
	for my $stat (glob '/proc/[0-9]*/stat') {
		open my $fh, '<', $stat or next;
		my $line = <$fh> // next;
		# pid (comm) state ppid ...
		push @kids, $1 if $line =~ /^(\d+) \(.*\) \S+ (\d+) / &&
		    $2 == $parent;
	}
	@kids = sort { $a <=> $b } @kids;
	return @kids;		# in scalar context: how many
}

sub log_text { local (@ARGV, $/) = $log; <> // '' }

# Running, not a zombie waiting for whoever reaps it.
sub alive {
	my ($pid) = @_;
	open my $fh, '<', "/proc/$pid/stat" or return 0;
	my $line = <$fh> // return 0;
	return $line =~ /^\d+ \(.*\) ([^Z]) /;
}

sub get { $st->get('nginx', @_) }

# A request straight to a pool's socket (no web server in between),
# recorded for the OpenAPI check like those through nginx.
sub fcgi_get {
	my ($server, $addr, $target) = @_;
	my $r = Fcgi::get($addr, $target, $key);
	Stack::openapi_record_cgi($server, 'GET', $target, $r->{out})
	    if $r->{status};
	return $r;
}
# The check must validate responses: none recorded is a failure.
Stack::openapi_required();

my @w = workers($pool);
is(scalar @w, $WORKERS, "serve --workers $WORKERS: $WORKERS workers under "
    . "pool $pool");
is(get('/api/calls?limit=1', $key)->{status}, 200, 'a page through nginx');

# --- kill -9 a worker -----------------------------------------------------
# One that has lived over a second (a younger one is restarted after a
# back-off, below).
sleep 1.2;
{
	my $victim = $w[0];
	my $t0 = time;
	kill 'KILL', $victim;
	my @now;
	for (1 .. 100) {
		@now = workers($pool);
		last if @now == $WORKERS && !grep { $_ == $victim } @now;
		sleep 0.01;
	}
	my $dt = time - $t0;
	ok(@now == $WORKERS && !grep({ $_ == $victim } @now) && $dt < 1,
	    sprintf('kill -9 %d: a new worker within a second (%.2f s)',
	    $victim, $dt)) or diag("workers now: @now");
	my @bad = grep { $_ != 200 } map { get('/api/calls?limit=2', $key)
	    ->{status} } 1 .. 20;
	is("@bad", '', '  20 requests after it: all 200');
	like(log_text(), qr/worker $victim killed by signal 9 .*starting another$/m,
	    '  the death is logged');
	@w = @now;
}

# --- a worker that keeps dying young: back-off 0.1, 0.2, 0.4 s ------------
{
	my %seen = map { $_ => 1 } @w;
	my $victim = $w[0];	# one of the first: it has lived a second
	my $from = length log_text();
	my @gaps;
	for my $round (1 .. 4) {
		my $t0 = time;
		kill 'KILL', $victim;
		my $new;
		for (1 .. 300) {
			($new) = grep { !$seen{$_} } workers($pool);
			last if $new;
			sleep 0.005;
		}
		last unless $new;
		push @gaps, time - $t0;
		$seen{$new} = 1;
		$victim = $new;
	}
	my $text = substr log_text(), $from;
	my @delays = $text =~ /after 0\.\d s; starting another in (\d+\.\d) s$/mg;
	is("@delays", '0.1 0.2 0.4', 'a worker dying within a second: '
	    . 'restarted after 0.1, 0.2, 0.4 s (logged)');
	ok(@gaps == 4 && $gaps[3] >= 0.35, sprintf('  measured: %s s',
	    join(' ', map { sprintf '%.2f', $_ } @gaps)));
	sleep 0.5;
	@w = workers($pool);
	is(scalar @w, $WORKERS, "  then $WORKERS workers again");
}

# --- SIGHUP under load ------------------------------------------------------
{
	my $first = get('/api/calls?limit=2', $key);
	my $cursor = $first->{json}{pagination}{next_cursor};
	ok($cursor, 'a cursor from the first page');
	# A client loop in a child: it counts answers that are not a 200.
	my $out = "$dir/hup-loop";
	my $child = fork // die "fork: $!";
	if ($child == 0) {
		my ($n, @bad) = (0);
		my $until = time + 3;
		while (time < $until) {
			my $r = $st->get('nginx', '/api/calls?limit=5', $key);
			$n++;
			push @bad, "$r->{status} $r->{body}" if $r->{status} != 200;
		}
		open my $fh, '>', $out or die $!;
		print $fh join("\n", $n, @bad);
		close $fh;
		POSIX::_exit(0);
	}
	sleep 0.8;
	# The new option file: another cursor secret.
	my $text = do { local (@ARGV, $/) = "$dir/calls-api.cnf"; <> };
	my $secret = unpack 'H*', join '', map { chr int rand 256 } 1 .. 32;
	$text =~ s/^cursor-secret=.*$/cursor-secret=$secret/m or die 'no secret';
	open my $fh, '>', "$dir/calls-api.cnf.new" or die $!;
	print $fh $text;
	close $fh;
	chmod 0644, "$dir/calls-api.cnf.new";
	rename "$dir/calls-api.cnf.new", "$dir/calls-api.cnf" or die $!;
	is(get('/api/calls?limit=2&cursor=' . $cursor, $key)->{status}, 200,
	    'before SIGHUP the workers still take the old cursor');
	kill 'HUP', $pool;
	waitpid $child, 0;
	my ($n, @bad) = split /\n/, do { local (@ARGV, $/) = $out; <> };
	ok($n > 20, "a client loop ran through SIGHUP ($n requests)");
	is(scalar @bad, 0, '  not one of them failed') or diag(join "\n",
	    @bad[0 .. ($#bad < 4 ? $#bad : 4)]);
	my @now = workers($pool);
	my %old = map { $_ => 1 } @w;
	ok(@now == $WORKERS && !grep({ $old{$_} } @now),
	    "  $WORKERS new workers, none of the old") or diag("@w / @now");
	my $r = get('/api/calls?limit=2&cursor=' . $cursor, $key);
	ok($r->{status} == 400 && ($r->{json}{error}{code} // '') eq
	    'invalid_cursor', '  the new cursor-secret is in effect: the old '
	    . 'cursor is refused') or diag("$r->{status} $r->{body}");
	like(log_text(), qr/pool: SIGHUP: $WORKERS new workers/,
	    '  the reload is logged');

	# An option file that does not load: the running workers stay.
	open $fh, '>>', "$dir/calls-api.cnf" or die $!;
	print $fh "key-cache-seconds=forever\n";
	close $fh;
	kill 'HUP', $pool;
	sleep 0.5;
	is(join(' ', workers($pool)), join(' ', @now),
	    'SIGHUP with a broken option file: the workers stay');
	like(log_text(), qr/pool: SIGHUP: .*key-cache-seconds.*the running workers stay/,
	    '  and the reason is logged');
	is(get('/api/calls?limit=1', $key)->{status}, 200, '  and serve');
	$text =~ s/\nkey-cache-seconds=forever\n/\n/;
	open $fh, '>', "$dir/calls-api.cnf" or die $!;
	print $fh $text;
	close $fh;
	@w = @now;
}

# --- SIGTERM with a request in flight -------------------------------------
{
	open my $locker, '|-', Stack::top() . '/scripts/db.sh', 'sql', $dir,
	    'calls' or die $!;
	select((select($locker), $| = 1)[0]);
	print $locker "LOCK TABLES calls WRITE;\n";
	my $locked;
	for (1 .. 100) {
		last if $locked = $st->sql('SHOW OPEN TABLES FROM calls WHERE '
		    . "`Table` = 'calls' AND In_use > 0");
		sleep 0.05;
	}
	ok($locked, 'the calls table is locked');
	my $out = "$dir/slow-response";
	my $child = fork // die "fork: $!";
	if ($child == 0) {
		my $r = $st->get('nginx', '/api/calls?limit=3', $key);
		open my $fh, '>', $out or die $!;
		print $fh "$r->{status}\n$r->{body}";
		close $fh;
		POSIX::_exit(0);
	}
	my $waiting = 0;
	for (1 .. 150) {
		$waiting = $st->sql('SELECT COUNT(*) FROM information_schema.'
		    . "processlist WHERE user = 'calls_api' AND state LIKE "
		    . "'Waiting for table%'");
		last if $waiting;
		sleep 0.02;
	}
	ok($waiting && !-e $out, 'a request waits on a table lock');
	my $sock = "$dir/nginx/run/pool.sock";
	ok(-S $sock, "the pool's socket is there");
	kill 'TERM', $pool;
	sleep 0.5;
	ok(alive($pool), 'SIGTERM: the pool waits for the request');
	print $locker "UNLOCK TABLES;\n";
	close $locker;
	waitpid $child, 0;
	my ($status, $body) = split /\n/, do { local (@ARGV, $/) = $out; <> }, 2;
	is($status, 200, '  which gets its 200');
	like($body // '', qr/^\{"success":true,"data":\[\{.*"page_size":3\}\}$/,
	    '  with its whole body');
	my $gone = 0;
	for (1 .. 100) {
		last if $gone = !alive($pool) && !workers($pool);
		sleep 0.05;
	}
	ok($gone, 'then the pool and its workers exit');
	ok(!-e $sock, '  and the socket file is gone');
	like(log_text(), qr/pool: stopped$/m, '  logged');
}
is($st->crashes('nginx'), '', 'no crash in the pool log');

# --- bad command lines --------------------------------------------------
# Each: exit status 2 and a reason on stderr naming what was wrong.
for my $case (
    [ [ '--listen', 'nowhere' ], qr/--listen 'nowhere': expected unix:\/PATH or HOST:PORT/ ],
    [ [ '--listen', '127.0.0.1:70000' ], qr/port must be a number from 1 to 65535/ ],
    [ [ '--listen', 'unix:relative.sock' ], qr/absolute path/ ],
    [ [ '--listen', "unix:$dir/x.sock", '--workers', '0' ], qr/--workers '0': expected a number from 1 to 256/ ],
    [ [ '--listen', "unix:$dir/x.sock", '--workers', 'many' ], qr/--workers 'many'/ ],
    [ [ '--listen', "unix:$dir/x.sock", '--socket-group', 'no-such-group-x' ], qr/no such group/ ],
    [ [ '--workers', '2' ], qr/no socket to listen on/ ],
    ) {
	my ($args, $says) = @$case;
	my $err = `'$bin' serve @{[ map { "'$_'" } @$args ]} 2>&1 </dev/null`;
	my $rc = $? >> 8;
	ok($rc == 2 && $err =~ $says, "serve @$args: exit 2, saying so")
	    or diag("exit $rc: $err");
}
ok(!-e "$dir/x.sock", '  and no socket file left behind');

# A pool started by hand; returns its pid once its socket accepts (its
# group and mode are set before listen(2)).
sub start_pool {
	my ($sock, @args) = @_;
	my $pid = fork // die "fork: $!";
	if ($pid == 0) {
		open STDIN, '<', '/dev/null';
		open STDERR, '>>', "$dir/hand.log";
		exec $bin, 'serve', @args or POSIX::_exit(127);
	}
	for (1 .. 100) {
		last if $sock =~ m{^/} ? IO::Socket::UNIX->new(Peer => $sock)
		    : IO::Socket::INET->new(PeerAddr => $sock);
		sleep 0.05;
	}
	return $pid;
}

sub stop_pool {
	my ($pid) = @_;
	kill 'TERM', $pid;
	my $t0 = time;
	while (time - $t0 < 10) {
		return $? if waitpid($pid, WNOHANG) == $pid;
		sleep 0.05;
	}
	kill 'KILL', $pid;
	waitpid $pid, 0;
	return -1;
}

# --- the Unix socket's permissions ------------------------------------------
{
	my $sock = "$dir/perm.sock";
	my $pid = start_pool($sock, '--listen', "unix:$sock", '--workers', 1,
	    '--conf', "$dir/calls-api.cnf");
	is(sprintf('%04o', (stat $sock)[2] & 07777), '0660',
	    'a Unix socket: mode 0660 by default');
	is(fcgi_get('serve-unix', $sock, '/api/calls?limit=1')->{status}, 200,
	    '  and served');
	is(stop_pool($pid), 0, '  SIGTERM: exit status 0');
	ok(!-e $sock, '  socket file removed');
	$pid = start_pool($sock, '--listen', "unix:$sock", '--workers', 1,
	    '--conf', "$dir/calls-api.cnf", '--socket-mode', '0600');
	is(sprintf('%04o', (stat $sock)[2] & 07777), '0600',
	    '--socket-mode 0600');
	stop_pool($pid);
	SKIP: {
		skip 'not root: no other user to try', 3 if $> != 0;
		$pid = start_pool($sock, '--listen', "unix:$sock",
		    '--workers', 1, '--conf', "$dir/calls-api.cnf",
		    '--socket-group', 'www-data');
		is(scalar getgrgid((stat $sock)[5]), 'www-data',
		    '--socket-group www-data: the socket\'s group');
		my $try = sub {
			my $u = shift;
			system('runuser', '-u', $u, '--', 'perl',
			    '-MIO::Socket::UNIX', '-e',
			    'exit(IO::Socket::UNIX->new(Peer => $ARGV[0]) ? 0 : 1)',
			    $sock);
			return $? == 0;
		};
		ok($try->('www-data'), '  www-data (the group) may connect');
		ok(!$try->('nobody'), '  nobody (neither owner nor group) may not');
		stop_pool($pid);
	}
}

# --- TCP ------------------------------------------------------------------
{
	my $addr = '127.0.0.1:' . Stack::free_port();
	my $pid = start_pool($addr, '--listen', $addr, '--workers', 2,
	    '--conf', "$dir/calls-api.cnf");
	is(fcgi_get('serve-tcp', $addr, '/api/calls?limit=1')->{status}, 200,
	    "--listen $addr: served over TCP");
	is(stop_pool($pid), 0, '  SIGTERM: exit status 0');
}

# --- the systemd units, as make install puts them -----------------------
my $prefix = tempdir("$dir/prefix.XXXXXX");
my $out = `make -s -C '@{[ Stack::top() ]}' install PREFIX='$prefix' 2>&1`;
is($?, 0, 'make install PREFIX=...') or diag($out);
my $units = "$prefix/lib/systemd/system";
ok(-f "$units/calls-api.service" && -f "$units/calls-api.socket",
    '  installs calls-api.service and calls-api.socket');
ok(-f "$prefix/share/calls-api/$_", "  installs $_") for qw(
    nginx/calls-api.conf apache/calls-api-proxy-fcgi.conf
    lighttpd/calls-api-external.conf);
SKIP: {
	skip 'no systemd-analyze', 1 unless -x '/usr/bin/systemd-analyze';
	# A warning (an unknown value, a missing binary) does not change its
	# exit status: nothing at all may be printed.
	my $said = `systemd-analyze verify '$units/calls-api.socket' '$units/calls-api.service' 2>&1`;
	ok($? == 0 && $said eq '', 'systemd-analyze verify: clean')
	    or diag($said);
}
my ($exec) = do { local (@ARGV, $/) = "$units/calls-api.service"; <> }
    =~ /^ExecStart=(.*)$/m;
like($exec, qr{^\Q$prefix\E/lib/calls-api/calls-api serve }, 'ExecStart runs '
    . 'the installed binary: ' . ($exec // ''));
my ($listen) = do { local (@ARGV, $/) = "$units/calls-api.socket"; <> }
    =~ /^ListenStream=(.*)$/m;
is($listen, '/run/calls-api/calls-api.sock', 'the socket unit listens on '
    . '/run/calls-api/calls-api.sock');
SKIP: {
	skip 'no systemd-socket-activate', 5
	    unless -x '/usr/bin/systemd-socket-activate';
	# The option file where the unit says, then the unit's command line
	# as it is, handed a listening socket as systemd hands it: fd 3,
	# LISTEN_FDS=1, LISTEN_PID (systemd-socket-activate execs the command
	# on the first connection, in its own process).
	my ($conf) = $exec =~ /--conf (\S+)/;
	system('cp', "$dir/calls-api.cnf", $conf) == 0 or die "cp: $?";
	my $sock = "$dir/activated.sock";
	my $pid = fork // die "fork: $!";
	if ($pid == 0) {
		open STDIN, '<', '/dev/null';
		open STDERR, '>>', "$dir/activated.log";
		exec 'systemd-socket-activate', '-l', $sock, split(' ', $exec)
		    or POSIX::_exit(127);
	}
	for (1 .. 100) { last if -S $sock; sleep 0.05 }
	my $r = fcgi_get('serve-systemd', $sock, '/api/calls?limit=2');
	is($r->{status}, 200, 'ExecStart under socket activation: the first '
	    . 'connection served') or diag($r->{error});
	my @bad = grep { $_ != 200 } map { fcgi_get('serve-systemd',
	    $sock, '/api/calls?limit=1')->{status} } 1 .. 20;
	is("@bad", '', '  and 20 more');
	my $alog = do { local (@ARGV, $/) = "$dir/activated.log"; <> } // '';
	like($alog, qr/pool: 8 workers on systemd socket/,
	    '  the pool says it took systemd\'s socket');
	is(scalar(workers($pid)), 8, '  8 workers (--workers 8 in the unit)');
	is(stop_pool($pid), 0, '  SIGTERM: exit status 0');
	# A stray socket file is systemd's to remove, not ours.
}

# --- spawn-fcgi hands the socket over as standard input ---------------------
SKIP: {
	skip 'no spawn-fcgi', 3 unless -x '/usr/bin/spawn-fcgi';
	my $sock = "$dir/spawned.sock";
	# -n: spawn-fcgi makes the socket, then execs the command in place.
	my $pid = fork // die "fork: $!";
	if ($pid == 0) {
		open STDERR, '>>', "$dir/spawned.log";
		exec 'spawn-fcgi', '-n', '-s', $sock, '-M', '0600', '--', $bin,
		    'serve', '--workers', 2, '--conf', "$dir/calls-api.cnf"
		    or POSIX::_exit(127);
	}
	for (1 .. 100) { last if -S $sock && workers($pid) == 2; sleep 0.05 }
	is(scalar(workers($pid)), 2, 'spawn-fcgi -n ... -- calls-api serve: 2 '
	    . 'workers on its socket');
	is(fcgi_get('serve-spawn-fcgi', $sock, '/api/calls?limit=1')->{status},
	    200, '  served');
	is(stop_pool($pid), 0, '  SIGTERM: exit status 0');
}
done_testing;
