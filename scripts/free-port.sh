#!/usr/bin/env bash
# Print a TCP port that is free on 127.0.0.1 (the kernel picks it).
#   scripts/free-port.sh
set -euo pipefail

exec perl -MIO::Socket::INET -e '
	my $s = IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1",
	    LocalPort => 0, Proto => "tcp") or die "free-port: $!\n";
	print $s->sockport, "\n";'
