#!/usr/bin/perl
# Slow clients: N connections that send their request headers one line every
# 5 s must not keep a real request out, and Apache must close them
# (mod_reqtimeout, header=20-40,MinRate=500 as Debian ships it). Bounded:
# about 30 s in all; every socket is closed at the end.
#   SLOW_CLIENTS=600 (the number that blocked the old Apache config; its
#   mpm_event had 400 workers and no request-read timeout)
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use IO::Select;
use IO::Socket::INET;
use Test::More;
use Time::HiRes qw(time);
use Stack;

my $N = $ENV{SLOW_CLIENTS} // 600;
my $LINE_EVERY = 5;		# seconds between two header lines
my $REAL_WITHIN = 10;		# the real request's bound, generous
my $CLOSED_WITHIN = 45;		# reqtimeout: 20 s, at most 40 s with data

# It tests the web servers' configs, not the responder (one request): the
# sanitizer build would only repeat it.
plan skip_all => 'web server configs only: run by the plain build'
    if $ENV{SANITIZE};

$SIG{PIPE} = 'IGNORE';
my $st = Stack->new(data => 'none');	# the real request needs a key only
my $key = $st->new_key('org_slow');

# Open $N slow clients and one real request, keep the slow ones dribbling;
# returns { real => seconds or undef, status, closed => [seconds...] }.
# Stops when the real request is answered and, if $wait_closed, when the
# server has closed every slow client; or at $CLOSED_WITHIN + 5 s.
sub siege {
	my ($server, $wait_closed) = @_;
	my $port = $st->start_web($server);
	my (@slow, %start);
	my $t0 = time;
	for my $i (1 .. $N) {
		my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
		    PeerPort => $port, Proto => 'tcp', Timeout => 5) or last;
		$s->blocking(0);
		syswrite $s, "GET /api/calls?limit=1 HTTP/1.1\r\n"
		    . "Host: 127.0.0.1:$port\r\n";
		push @slow, $s;
		$start{fileno $s} = time;
	}
	my %out = (opened => scalar @slow, open_s => time - $t0, closed => []);
	select undef, undef, undef, 1;	# let the server take them in
	my $real = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
	    PeerPort => $port, Proto => 'tcp', Timeout => 5)
	    or die "real request: connect: $!";
	$real->blocking(0);
	my $t_real = time;
	syswrite $real, "GET /api/calls?limit=1 HTTP/1.1\r\n"
	    . "Host: 127.0.0.1:$port\r\nAuthorization: Bearer $key\r\n"
	    . "Connection: close\r\n\r\n";
	my $answer = '';
	my $sel = IO::Select->new($real, @slow);
	my $next_line = time + $LINE_EVERY;
	my $line = 0;
	my $deadline = $t0 + $CLOSED_WITHIN + 5;
	while (time < $deadline) {
		my $real_done = !$sel->exists($real);
		last if $real_done && (!$wait_closed || $sel->count == 0);
		last if !$real_done && time - $t_real > $REAL_WITHIN;
		my $wait = $next_line - time;
		for my $s ($sel->can_read($wait > 0 ? $wait : 0)) {
			my $n = sysread $s, my $buf, 65536;
			if ($s == $real) {
				$answer .= $buf if $n;
				next if $n || (!defined $n && $!{EAGAIN});
				$out{real} = time - $t_real;
				$sel->remove($real);
				next;
			}
			next if !defined $n && $!{EAGAIN};
			# Data (a 408) or the end: the server gave up on it.
			push @{ $out{closed} }, time - $start{fileno $s};
			$sel->remove($s);
			close $s;
		}
		if (time >= $next_line) {
			$line++;
			for my $s (grep { $_ != $real } $sel->handles) {
				syswrite $s, "X-Slow-$line: x\r\n";
			}
			$next_line += $LINE_EVERY;
		}
	}
	($out{status}) = $answer =~ m{^HTTP/1\.\d (\d{3})};
	Stack::openapi_record_raw($server, 'GET', '/api/calls?limit=1', $answer)
	    if $out{status};
	$out{still_open} = scalar grep { $_ != $real } $sel->handles;
	close $_ for $sel->handles;
	$st->stop_web($server);
	return \%out;
}

sub median {
	my @s = sort { $a <=> $b } @_;
	return @s ? $s[$#s / 2] : -1;
}

# lighttpd: one event loop, no worker to take; slow clients are cheap.
my $lt = siege('lighttpd', 0);
is($lt->{opened}, $N, sprintf('lighttpd: %d slow clients connected (%.1f s)',
    $N, $lt->{open_s}));
ok(defined $lt->{real} && ($lt->{status} // 0) == 200, sprintf(
    'lighttpd: a real request among them: %s in %s s (bound %d s)',
    $lt->{status} // 'no answer', defined $lt->{real}
    ? sprintf('%.3f', $lt->{real}) : '>' . $REAL_WITHIN, $REAL_WITHIN));

# Apache + mod_fcgid (mpm_event): enough workers that N slow clients leave
# some free, and mod_reqtimeout closes the slow ones.
my $ap = siege('apache', 1);
is($ap->{opened}, $N, sprintf('apache: %d slow clients connected (%.1f s)',
    $N, $ap->{open_s}));
ok(defined $ap->{real} && ($ap->{status} // 0) == 200, sprintf(
    'apache: a real request among them: %s in %s s (bound %d s)',
    $ap->{status} // 'no answer', defined $ap->{real}
    ? sprintf('%.3f', $ap->{real}) : '>' . $REAL_WITHIN, $REAL_WITHIN));
my @c = @{ $ap->{closed} };
is($ap->{still_open}, 0, sprintf('apache: the server closed every slow '
    . 'client within %d s (%d of %d; first %.1f s, median %.1f s, last '
    . '%.1f s)', $CLOSED_WITHIN, scalar @c, $N,
    @c ? (sort { $a <=> $b } @c)[0] : -1, median(@c),
    @c ? (sort { $b <=> $a } @c)[0] : -1));
ok(@c && median(@c) >= 15, '  not before the header timeout (20 s)')
    if @c;

is($st->crashes($_), '', "$_: no crash") for qw(apache lighttpd);
done_testing;
