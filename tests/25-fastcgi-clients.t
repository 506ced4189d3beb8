#!/usr/bin/perl
# Any FastCGI client: the responder as a pool on a Unix socket, started by
# Debian's spawn-fcgi behind Apache mod_proxy_fcgi (which sends the empty
# STDIN record after the params), and by `calls-api serve` behind nginx
# (fastcgi_pass).
# Contract checks through each, then concurrent clients (wrk): every
# answer a 2xx and nothing in the front's error log (AH01075 "Broken pipe
# ... sending empty stdin" was 350 of 20,149 requests at 8 clients under
# mod_proxy_fcgi before the responder read the whole request). Last, the
# protocol itself on the pool's socket: a kept connection (FCGI_KEEP_CONN)
# carries a second request after one with a body; after
# FCGI_ABORT_REQUEST, a body over the responder's limit or one that never
# comes, the answer arrives and the connection is closed in bounded time.
# Last, scripts/web.sh stop leaves no pool process behind.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use IO::Socket::UNIX;
use POSIX ();
use Time::HiRes qw(time);
use Stack;
use Fcgi;

my $CLIENTS = 8;		# the pool's size (scripts/web.sh POOL_SIZE)
my $LOAD_SECONDS = 5;		# of wrk per front

my $st = Stack->new;
my $key = $st->demo_keys->{org_acme};
my @servers = qw(proxy-fcgi nginx);
{
	local $ENV{POOL_RUNNER} = 'spawn-fcgi';
	$st->start_web('proxy-fcgi');
}
$st->start_web('nginx');

my @want = split /\n/, $st->sql("SELECT call_sid FROM calls WHERE "
    . "client_id = 'org_acme' ORDER BY created_at DESC, call_sid DESC");
ok(@want > 6, scalar(@want) . ' calls of org_acme in the sample data');

# --- the contract through each front ------------------------------------
for my $s (@servers) {
	my $r = $st->get($s, '/api/calls?limit=2', $key);
	is($r->{status}, 200, "$s: a page is a 200");
	ok($r->{json} && $r->{json}{success} && @{ $r->{json}{data} } == 2,
	    "  with two calls") or diag $r->{raw};
	like($r->{headers}{'content-type'} // '', qr{^application/json},
	    '  as JSON');

	$r = $st->get($s, '/api/calls?limit=2');
	is($r->{status}, 401, "$s: no key is a 401");
	is($r->{json} && $r->{json}{error}{code}, 'missing_api_key',
	    '  missing_api_key');
	# A wrong key is rejected as invalid, not missing: the header reached
	# the responder.
	$r = $st->get($s, '/api/calls?limit=2', 'ck_' . ('0' x 40));
	is($r->{json} && $r->{json}{error}{code}, 'invalid_api_key',
	    "$s: Authorization reaches the responder");

	$r = $st->get($s, '/api/other', $key);
	is($r->{status}, 404, "$s: another path under /api is a 404");
	is($r->{json} && $r->{json}{error}{code}, 'not_found', '  not_found');

	# Walk every page at limit 100; a page cap so that a loop fails.
	my ($cursor, $pages, @got) = (undef, 0);
	my $cap = int(@want / 100) + 2;
	while ($pages++ < $cap) {
		my $t = '/api/calls?limit=100'
		    . (defined $cursor ? "&cursor=$cursor" : '');
		$r = $st->get($s, $t, $key);
		last unless $r->{status} == 200 && $r->{json};
		push @got, map { $_->{call_sid} } @{ $r->{json}{data} };
		$cursor = $r->{json}{pagination}{next_cursor};
		last unless defined $cursor;
	}
	is($r->{status}, 200, "$s: paging answers 200 ($pages pages)");
	is_deeply(\@got, \@want, '  every call once, in order');
}

# --- concurrent clients --------------------------------------------------
# wrk, $CLIENTS connections for $LOAD_SECONDS s, keep-alive to the front;
# the front opens a new FastCGI connection per request (mod_proxy_fcgi's
# default, nginx without fastcgi_keep_conn).
sub load {
	my ($s) = @_;
	my $port = $st->{web}{$s};
	my $out = $st->dir . "/wrk-$s.txt";
	system("wrk -t 2 -c $CLIENTS -d ${LOAD_SECONDS}s --timeout 10s "
	    . "-H 'Authorization: Bearer $key' "
	    . "'http://127.0.0.1:$port/api/calls?limit=5' >'$out' 2>&1") == 0
	    or die "wrk failed: " . `cat '$out'`;
	open my $fh, '<', $out or die "$out: $!";
	my $text = do { local $/; <$fh> };
	my ($n) = $text =~ /(\d+) requests in/ or die "no count in $out:\n$text";
	my ($bad) = $text =~ /Non-2xx or 3xx responses: (\d+)/;
	my ($errors) = $text =~ /Socket errors: (.*)/;
	return ($n, $bad // 0, $errors // 'none', $text);
}

# The front's error log from byte $from on, lines that tell of failed
# requests.
sub log_failures {
	my ($s, $from) = @_;
	open my $fh, '<', $st->dir . "/$s/error.log" or return "no log: $!";
	seek $fh, $from, 0;
	return join '', grep { /AH01075|proxy_fcgi:error|\[error\]|\[crit\]|
	    Broken pipe|prematurely|reset by peer/x } <$fh>;
}

for my $s (@servers) {
	my $log = $st->dir . "/$s/error.log";
	my $from = -s $log // 0;
	my ($n, $bad, $errors, $wrk) = load($s);
	diag "$s: $n requests from $CLIENTS clients in $LOAD_SECONDS s, "
	    . "$bad not 2xx, socket errors: $errors";
	ok($n >= 1000, "$s: at least 1000 requests ($n)") or diag $wrk;
	is($bad, 0, "$s: every answer a 2xx") or diag $wrk;
	is($errors, 'none', "$s: no socket error");
	my $failed = log_failures($s, $from);
	is($failed, '', "$s: no failed request in $log")
	    or diag 'first lines: ' . join '', grep { defined }
	    (split /^/, $failed)[0 .. 4];
}

# --- the protocol on the pool's socket -----------------------------------
# FastCGI records by hand (tests/lib/Fcgi.pm's record and nv_len): begin
# (responder, flags), params, stdin.
*record = \&Fcgi::record;
*nv_len = \&Fcgi::nv_len;

# Begin (responder, FCGI_KEEP_CONN if $keep) and params, for a body of
# $length bytes.
sub head_records {
	my ($id, $keep, $length) = @_;
	my %p = (REQUEST_METHOD => 'GET', REQUEST_URI => '/api/calls?limit=1',
	    SCRIPT_NAME => '/api/calls', QUERY_STRING => 'limit=1',
	    HTTP_AUTHORIZATION => "Bearer $key", CONTENT_LENGTH => $length);
	my $params = join '', map { nv_len(length $_) . nv_len(length $p{$_})
	    . $_ . $p{$_} } sort keys %p;
	return record(1, $id, pack('nCx5', 1, $keep ? 1 : 0))
	    . record(4, $id, $params) . record(4, $id, '');
}

# A whole request: the head, the body as STDIN records, the end record.
sub request_records {
	my ($id, $keep, $body) = @_;
	my $out = head_records($id, $keep, length $body);
	for (my $at = 0; $at < length $body; $at += 32768) {
		$out .= record(5, $id, substr($body, $at, 32768));
	}
	return $out . record(5, $id, '');
}

# Read records until FCGI_END_REQUEST for $id: (stdout text, ended?).
sub read_response {
	my ($sock, $id) = @_;
	my ($buf, $stdout) = ('', '');
	local $SIG{ALRM} = sub { die "timeout\n" };
	alarm 10;
	my $ended = eval {
		for (;;) {
			while (length $buf >= 8) {
				my ($v, $type, $rid, $len, $pad) =
				    unpack 'CCnnC', $buf;
				last if length $buf < 8 + $len + $pad;
				my $c = substr $buf, 8, $len;
				substr($buf, 0, 8 + $len + $pad) = '';
				next if $rid != $id;
				$stdout .= $c if $type == 6;
				return 1 if $type == 3;
			}
			my $got = sysread $sock, $buf, 65536, length $buf;
			return 0 unless $got;
		}
	};
	alarm 0;
	Stack::openapi_record_cgi('fastcgi', 'GET', '/api/calls?limit=1', $stdout)
	    if $ended;
	return ($stdout, $ended // 0);
}

sub status_of { ($_[0] =~ /^Status: (\d{3})/m)[0] // 'none' }

my $sock_path = $st->dir . '/proxy-fcgi/run/pool.sock';
my $sock = IO::Socket::UNIX->new(Peer => $sock_path)
    or die "connect $sock_path: $!";
# Written by a child: the responder answers before reading the body, and
# both directions must flow at once, as in a real server.
sub send_async {
	my ($fh, $bytes) = @_;
	my $pid = fork // die "fork: $!";
	if ($pid == 0) {
		my $ok = print {$fh} $bytes;
		POSIX::_exit($ok ? 0 : 1);
	}
	return $pid;
}

# Seconds until the responder closes the connection, undef after $max.
sub seconds_to_eof {
	my ($sock, $max) = @_;
	my $t0 = time;
	my $eof = eval {
		local $SIG{ALRM} = sub { die "timeout\n" };
		alarm $max;
		1 while sysread $sock, my $junk, 65536;
		alarm 0;
		1;
	};
	return $eof ? time - $t0 : undef;
}

sub fmt { defined $_[0] ? sprintf('%.1f s', $_[0]) : 'never' }

# A kept connection carries a request with a 200 KB body, then, after a
# pause longer than the drain's read timeout (2 s), the next request.
my $pid = send_async($sock, request_records(1, 1, 'x' x 200_000));
my ($out, $ended) = read_response($sock, 1);
waitpid $pid, 0;
is($?, 0, 'kept connection: a 200 KB request body is read to its end');
ok($ended && status_of($out) == 200, '  and the request answered 200')
    or diag "ended $ended, status " . status_of($out);
select undef, undef, undef, 2.5;
$pid = send_async($sock, request_records(2, 1, ''));
($out, $ended) = read_response($sock, 2);
waitpid $pid, 0;
ok($ended && status_of($out) == 200,
    'kept connection: the next request, 2.5 s later, is answered 200')
    or diag "ended $ended, status " . status_of($out);
close $sock;

# FCGI_ABORT_REQUEST instead of the STDIN stream on a kept connection: the
# answer (already written) comes, then the connection is closed.
$sock = IO::Socket::UNIX->new(Peer => $sock_path) or die "connect: $!";
print {$sock} head_records(1, 1, 0) . record(2, 1, '');
($out, $ended) = read_response($sock, 1);
ok($ended && status_of($out) == 200, 'FCGI_ABORT_REQUEST: answered');
my $dt = seconds_to_eof($sock, 10);
ok(defined $dt && $dt < 1, '  then the connection is closed (after '
    . fmt($dt) . ')');
close $sock;

# A body over the responder's limit (1 MiB): the answer comes, then the
# connection is closed (the rest of the body is not read).
$sock = IO::Socket::UNIX->new(Peer => $sock_path) or die "connect: $!";
$pid = send_async($sock, request_records(1, 1, 'y' x (3 << 20)));
($out, $ended) = read_response($sock, 1);
ok($ended && status_of($out) == 200, 'a 3 MiB body: the request is answered');
$dt = seconds_to_eof($sock, 10);
ok(defined $dt, '  then the connection is closed (after ' . fmt($dt) . ')');
close $sock;
waitpid $pid, 0;

# A STDIN stream that never comes (a stalled client body): the answer
# comes, and the process is free again within the drain's bound (2 s).
$sock = IO::Socket::UNIX->new(Peer => $sock_path) or die "connect: $!";
print {$sock} head_records(1, 0, 100);
($out, $ended) = read_response($sock, 1);
ok($ended && status_of($out) == 200, 'a stalled body: answered');
$dt = seconds_to_eof($sock, 10);
ok(defined $dt && $dt < 4, '  then the connection is closed (after '
    . fmt($dt) . ')');
close $sock;

is($st->crashes($_), '', "$_: no crash") for @servers;

# scripts/web.sh stop ends the pool with the front: no process is left
# running the binary, and SIGTERM was enough (no KILL after 5 s).
sub running_bin {
	my @pids;
	for my $exe (glob '/proc/[0-9]*/exe') {
		my $target = readlink $exe // next;
		push @pids, $exe =~ m{/proc/(\d+)/} if $target eq $st->{bin};
	}
	return @pids;
}
# spawn-fcgi restarts nothing: a responder that died is missing here
# (serve's: $CLIENTS workers and their parent).
is(scalar(running_bin()), 2 * $CLIENTS + 1, 'every pool process still runs');
my $t0 = time;
my $said = join '', map { $st->stop_web($_) // '' } @servers;
my $stop = time - $t0;
is(join(' ', running_bin()), '', 'none after scripts/web.sh stop');
unlike($said, qr/did not stop|killing|terminating/,
    sprintf('  by SIGTERM, in %.1f s', $stop));
done_testing;
