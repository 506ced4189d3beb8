#!/usr/bin/perl
# What the web servers around the responder must not leak, under each way it
# is deployed (Apache + mod_fcgid, Apache + mod_cgi, lighttpd + mod_fastcgi, and a
# spawn-fcgi pool behind Apache mod_proxy_fcgi and behind nginx):
#  - TRACE never echoes the request (the Authorization header with its key);
#  - a Range request gets the whole JSON document (200), never a slice;
#  - a database outage leaves a responder log line (calls-api[pid]: ...) in
#    the file the README names for that server;
#  - started as root, no responder (and no lighttpd) runs as root.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Time::HiRes qw(sleep time);
use Stack;

my $st = Stack->new;
my $key = $st->demo_keys->{org_acme};
my @servers = split / /, ($ENV{SERVERS} // 'apache cgi lighttpd proxy-fcgi nginx');
$st->start_web($_) for @servers;

# Where the README says each server puts the responder's log lines.
my %LOG = (apache => 'apache/error.log', cgi => 'cgi/error.log',
    lighttpd => 'lighttpd/responder-error.log',
    'proxy-fcgi' => 'proxy-fcgi/responder.log', nginx => 'nginx/responder.log');

sub show { my $s = shift; $s =~ s/\r//g; return length $s > 600
    ? substr($s, 0, 600) . '...' : $s }

# 1. TRACE: 405 (or 403/501), and the key nowhere in the answer.
for my $server (@servers) {
	for my $target ('/', '/api/calls', '/api/calls?limit=1') {
		my $r = $st->request($server, 'TRACE', $target,
		    Authorization => "Bearer $key", 'X-Probe' => "echo-$key");
		ok($r->{status} =~ /^(403|405|501)$/,
		    "$server: TRACE $target refused ($r->{status})")
		    or diag(show($r->{raw}));
		ok(index($r->{raw}, $key) < 0, '  and the key is not echoed')
		    or diag(show($r->{raw}));
		# Refused by the web server itself unless it passed TRACE on
		# (lighttpd, to the route): then the responder's JSON 405.
		$st->not_ours($r, "TRACE refused by $server itself")
		    unless ($r->{headers}{'content-type'} // '')
		    =~ m{^application/json};
	}
}
for my $server (grep { /^(apache|cgi|proxy-fcgi)$/ } @servers) {
	my $r = $st->get($server, '/nothing-here', undef,
	    -foreign => "$server\'s own page for a path outside the route");
	is($r->{headers}{server}, 'Apache',
	    "$server: Server header without version (ServerTokens Prod)");
	unlike($r->{body}, qr/Apache\/\d|Server at/,
	    '  and no signature on error pages');
}

# 2. Range: the whole document, as without Range.
for my $server (@servers) {
	my $whole = $st->get($server, '/api/calls?limit=5', $key);
	is($whole->{status}, 200, "$server: page without Range: 200");
	ok($whole->{json} && @{ $whole->{json}{data} } == 5,
	    sprintf('  %d bytes of JSON with 5 calls', length $whole->{body}));
	is($whole->{headers}{'accept-ranges'}, 'none', '  Accept-Ranges: none');
	for my $range ('bytes=0-30', 'bytes=-10', 'bytes=5-', 'bytes=0-1,4-9') {
		my $r = $st->get($server, '/api/calls?limit=5', $key,
		    Range => $range);
		ok($r->{status} == 200 && !defined $r->{headers}{'content-range'},
		    "$server: Range: $range answers 200, no Content-Range")
		    or diag(show($r->{raw}));
		ok($r->{body} eq $whole->{body} && $r->{json},
		    sprintf('  the whole JSON document (%d bytes)',
		    length $r->{body})) or diag(show($r->{raw}));
	}
}

# 3. A database outage: the responder's log line where the README says.
my %size;
for my $server (@servers) {
	$size{$server} = -s $st->dir . "/$LOG{$server}" // 0;
}
# The one line a 5xx writes: status, code, method, path, stage, reason.
my $LINE = qr/calls-api\[\d+\]: 503 service_unavailable GET \S+: [^\n]*database: /;
$st->db_stop;
for my $server (@servers) {
	# The front end passes X-Request-Id on (HTTP_X_REQUEST_ID): the line
	# carries it, so a client's report can be found in the log.
	my $rid = "probe-$server-" . int(rand(1e9));
	my $r = $st->get($server, '/api/calls?limit=1', $key,
	    'X-Request-Id' => $rid);
	is($r->{status}, 503, "$server: database stopped: 503");
	my $file = $st->dir . "/$LOG{$server}";
	my $new = '';
	for (1 .. 50) {		# the servers write their logs asynchronously
		if (open my $fh, '<', $file) {
			seek $fh, $size{$server}, 0;
			$new = do { local $/; <$fh> } // '';
		}
		last if $new =~ /$LINE/;
		sleep 0.1;
	}
	my ($line) = $new =~ /($LINE[^\n]*)/;
	ok($line, "$server: responder log line in $LOG{$server}")
	    or diag("new in $file: " . show($new));
	like($line // '', qr/ request_id=\Q$rid\E$/, '  with the request id');
	note("  $line") if $line;
}
$st->db_start;

# 4. Started as root: lighttpd and its responders run as www-data, like
# Apache's children. (As another user they run as that user.)
SKIP: {
	skip 'not run as root: the servers keep our user', 4 if $> != 0;
	my (%uid, %ppid, %exe, %cmd);
	for my $p (map { m{/proc/(\d+)$} ? $1 : () } glob '/proc/[0-9]*') {
		my @st = stat "/proc/$p" or next;
		open my $fh, '<', "/proc/$p/stat" or next;
		my $line = <$fh> // next;
		my ($pp) = $line =~ /\) \S+ (\d+)/ or next;
		$uid{$p} = $st[4];
		$ppid{$p} = $pp;
		$exe{$p} = readlink("/proc/$p/exe") // '';
		open my $c, '<', "/proc/$p/cmdline" or next;
		$cmd{$p} = do { local $/; <$c> } // '';
	}
	my $conf = $st->dir . '/lighttpd/lighttpd.conf';
	my @lighttpd = grep { index($cmd{$_} // '', $conf) >= 0 } keys %uid;
	my %is_l = map { $_ => 1 } @lighttpd;
	my $bin = $st->dir . '/calls-api';
	my @resp = grep { $exe{$_} eq $bin && $is_l{ $ppid{$_} } } keys %uid;
	ok(@lighttpd >= 1 && @resp >= 1, sprintf('lighttpd: %d server and '
	    . '%d responder processes', scalar @lighttpd, scalar @resp));
	is(join(' ', grep { $uid{$_} == 0 } @lighttpd, @resp), '',
	    '  none of them runs as root');
	my $www = getpwnam('www-data');
	is(join(' ', grep { $uid{$_} != $www } @resp), '',
	    '  the responders run as www-data');
	my @apache = grep { $exe{$_} eq $bin && !$is_l{ $ppid{$_} } } keys %uid;
	is(join(' ', grep { $uid{$_} == 0 } @apache), '',
	    sprintf('apache: none of its %d responders runs as root',
	    scalar @apache));
}

is($st->crashes($_), '', "$_: no crash") for @servers;
done_testing;
