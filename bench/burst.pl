#!/usr/bin/perl
# The first second of a burst: CLIENTS connections (one process each, a
# new HTTP/1.1 connection per request) send GET URL back to back for
# SECONDS; every request started in that time is timed to its end, however
# long it takes (wrk, stopping at its duration, would drop the slow ones).
#   bench/burst.pl URL KEY CLIENTS SECONDS [AGENT]
# AGENT (optional): the User-Agent header, to find these requests in a
# server's log.
# Prints one line: BURST {"requests":N,"failed":N,"p50_us":N,"p99_us":N,"max_us":N}
use strict;
use warnings;
use IO::Socket::INET;
use Time::HiRes qw(time);

my ($url, $key, $clients, $seconds, $agent) = @ARGV;
die "usage: bench/burst.pl URL KEY CLIENTS SECONDS [AGENT]\n" unless $seconds;
my $agent_header = defined $agent ? "User-Agent: $agent\r\n" : '';
my ($host, $port, $target) = $url =~ m{^http://([^:/]+):(\d+)(/.*)$}
    or die "bad URL $url\n";

# One request on a new connection: (microseconds, status).
sub one {
	my $t0 = time;
	my $s = IO::Socket::INET->new(PeerAddr => $host, PeerPort => $port,
	    Timeout => 30) or return (1e6 * (time - $t0), 0);
	print $s "GET $target HTTP/1.1\r\nHost: $host:$port\r\n"
	    . "Authorization: Bearer $key\r\n$agent_header"
	    . "Connection: close\r\n\r\n";
	local $/;
	my $raw = <$s> // '';
	close $s;
	my ($status) = $raw =~ m{^HTTP/1\.\d (\d{3})};
	return (1e6 * (time - $t0), $status // 0);
}

my @pipes;
my $start = time + 0.2;		# every client starts at once
for (1 .. $clients) {
	pipe my $r, my $w or die "pipe: $!";
	my $pid = fork // die "fork: $!";
	if ($pid == 0) {
		close $r;
		Time::HiRes::sleep($start - time) if $start > time;
		my @out;
		while (time < $start + $seconds) {
			my ($us, $st) = one();
			push @out, sprintf '%d %d', $us, $st;
		}
		print $w join("\n", @out), "\n";
		close $w;
		require POSIX;
		POSIX::_exit(0);
	}
	close $w;
	push @pipes, $r;
}
my (@us, $failed);
$failed = 0;
for my $r (@pipes) {
	while (my $line = <$r>) {
		my ($t, $st) = split ' ', $line;
		push @us, $t;
		$failed++ if $st != 200;
	}
}
1 while wait != -1;
@us = sort { $a <=> $b } @us;
my $pct = sub { @us ? $us[int($_[0] * $#us + 0.5)] : 0 };
printf "BURST {\"requests\":%d,\"failed\":%d,\"p50_us\":%d,\"p99_us\":%d,"
    . "\"max_us\":%d}\n", scalar @us, $failed, $pct->(0.5), $pct->(0.99),
    @us ? $us[-1] : 0;
