# A FastCGI client of a few lines, for tests that talk to a responder's
# socket directly (no web server in between): one GET per connection.
package Fcgi;

use strict;
use warnings;
use IO::Socket::INET;
use IO::Socket::UNIX;

sub record {
	my ($type, $id, $content) = @_;
	my $pad = (8 - length($content) % 8) % 8;
	return pack('CCnnCx', 1, $type, $id, length $content, $pad)
	    . $content . ("\0" x $pad);
}

sub nv_len { my $n = shift; $n < 128 ? pack('C', $n) : pack('N', $n | 1 << 31) }

# get(ADDRESS, TARGET, KEY): ADDRESS a socket path or HOST:PORT. Returns
# { status, body, error, out } (status 0 and error set when it failed);
# out: the responder's whole output, head and body (for
# Stack::openapi_record_cgi).
sub get {
	my ($addr, $target, $key) = @_;
	my ($path, $query) = split /\?/, $target, 2;
	my $sock = $addr =~ m{^/} ? IO::Socket::UNIX->new(Peer => $addr)
	    : IO::Socket::INET->new(PeerAddr => $addr, Timeout => 10);
	return { status => 0, body => '', error => "connect $addr: $!" }
	    unless $sock;
	my %p = (REQUEST_METHOD => 'GET', REQUEST_URI => $target,
	    SCRIPT_NAME => $path, QUERY_STRING => $query // '',
	    GATEWAY_INTERFACE => 'CGI/1.1');
	$p{HTTP_AUTHORIZATION} = "Bearer $key" if defined $key;
	my $params = join '', map { nv_len(length $_) . nv_len(length $p{$_})
	    . $_ . $p{$_} } sort keys %p;
	print {$sock} record(1, 1, pack('nCx5', 1, 0)) . record(4, 1, $params)
	    . record(4, 1, '') . record(5, 1, '');
	my ($buf, $out, $ended) = ('', '', 0);
	local $SIG{ALRM} = sub { die "timeout\n" };
	my $ok = eval {
		alarm 20;
		READ: for (;;) {
			while (length $buf >= 8) {
				my (undef, $type, undef, $len, $pad) =
				    unpack 'CCnnC', $buf;
				last if length $buf < 8 + $len + $pad;
				my $c = substr $buf, 8, $len;
				substr($buf, 0, 8 + $len + $pad) = '';
				$out .= $c if $type == 6;
				if ($type == 3) { $ended = 1; last READ }
			}
			last unless sysread $sock, $buf, 65536, length $buf;
		}
		alarm 0;
		1;
	};
	close $sock;
	return { status => 0, body => $out, error => $@ || 'no end record' }
	    unless $ok && $ended;
	my ($head, $body) = split /\r\n\r\n/, $out, 2;
	my ($status) = ($head // '') =~ /^Status: (\d{3})/m;
	return { status => $status // 200, body => $body // '', error => '',
	    out => $out };
}

1;
