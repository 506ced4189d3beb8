#!/usr/bin/perl
# X-Request-Id through each real deployment (Apache + mod_fcgid, Apache +
# mod_cgi, lighttpd + mod_fastcgi, nginx in front of a spawn-fcgi pool):
#  - a sane incoming X-Request-Id (1-128 of [A-Za-z0-9._:@+/=-]) is kept,
#    anything else is replaced by a made one (32 lowercase hex);
#  - every answer the responder gives (200 400 401 404 405 414 503) carries
#    exactly one X-Request-Id, and an error body the same as request_id;
#  - the responder's log line for a 5xx ends with request_id=<that id>.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Time::HiRes qw(sleep);
use Stack;

my $st = Stack->new;
my $key = $st->demo_keys->{org_acme};
my @servers = split / /, ($ENV{SERVERS} // 'apache cgi lighttpd nginx');
$st->start_web($_) for @servers;

# Where each server puts the responder's log lines (README).
my %LOG = (apache => 'apache/error.log', cgi => 'cgi/error.log',
    lighttpd => 'lighttpd/responder-error.log', nginx => 'nginx/responder.log');

my $MADE = qr/^[0-9a-f]{32}$/;

# The X-Request-Id values of a response's head (all of them).
sub ids_of {
	my ($r) = @_;
	my ($head) = split /\r\n\r\n/, $r->{raw}, 2;
	return $head =~ /^X-Request-Id: ([^\r\n]*)\r?$/mgi;
}

sub show { my $s = shift; $s =~ s/\r//g; length $s > 400
    ? substr($s, 0, 400) . '...' : $s }

# One request; checks that its head has exactly one id and that an error
# body carries the same. Returns (response, id).
sub ask {
	my ($server, $what, $method, $target, %hdr) = @_;
	my $r = $st->request($server, $method, $target, %hdr);
	my @ids = ids_of($r);
	my $id = $ids[0] // '';
	ok(@ids == 1, "$server: $what: one X-Request-Id ($r->{status} $id)")
	    or diag(show($r->{raw}));
	if ($r->{status} != 200 && $method ne 'HEAD') {
		is($r->{json} && $r->{json}{error}{request_id}, $id,
		    "  the error body's request_id is the same")
		    or diag(show($r->{raw}));
		my @members = $r->{body} =~ /"(\w+)":/g;
		is("@members[-5 .. -1]", 'error code message param request_id',
		    '  request_id is the last member of error');
	}
	return ($r, $id);
}

my %auth = (Authorization => "Bearer $key");
my $long_ok = join '', map { ('a' .. 'z', 0 .. 9)[$_ % 36] } 1 .. 128;

for my $server (@servers) {
	note("--- $server ---");

	# Kept when sane.
	for my $sent ('req-7f3a_9.b:c@d+e/f=', $long_ok, 'A', '0123-ABCD') {
		my ($r, $id) = ask($server, 'sane id (' . length($sent)
		    . ' chars)', 'GET', '/api/calls?limit=1', %auth,
		    'X-Request-Id' => $sent);
		is($r->{status}, 200, '  status 200');
		is($id, $sent, '  kept as sent');
	}
	my ($r, $id) = ask($server, 'sane id on a 401', 'GET', '/api/calls',
	    'X-Request-Id' => 'abc:401');
	is($id, 'abc:401', '  kept on an error too');

	# Replaced when not sane (the server passes these bytes on as sent).
	my %insane = ('129 characters' => $long_ok . 'x',
	    'a space' => 'two words', 'a quote' => 'quo"te',
	    'percent-escaped CR LF' => 'a%0d%0aSet-Cookie:x',
	    'a semicolon' => 'a;b', 'angle brackets' => '<script>',
	    'UTF-8' => "caf\xc3\xa9", 'a comma' => 'a,b');
	for my $what (sort keys %insane) {
		my $sent = $insane{$what};
		($r, $id) = ask($server, "id with $what", 'GET', '/api/calls',
		    'X-Request-Id' => $sent);
		is($r->{status}, 401, '  status 401 (no key)');
		like($id, $MADE, '  replaced by a made id');
		unlike($r->{raw}, qr/\Q$sent\E/, '  the value sent is nowhere '
		    . 'in the answer');
	}
	# Two headers: Apache and lighttpd join them ("a, b": not sane, so
	# replaced), nginx passes both params and libfcgi finds the first.
	($r, $id) = ask($server, 'two X-Request-Id headers', 'GET',
	    '/api/calls', 'X-Request-Id' => "first-id\r\nX-Request-Id: second-id");
	if ($server eq 'nginx') {
		is($id, 'first-id', '  the first one');
	} else {
		like($id, $MADE, '  joined, so replaced');
	}

	# Present on every status the responder answers, made when none came.
	my @cases = (
	    [ 200, 'GET', '/api/calls?limit=2', %auth ],
	    [ 200, 'HEAD', '/api/calls?limit=2', %auth ],
	    [ 400, 'GET', '/api/calls?limit=0', %auth ],
	    [ 401, 'GET', '/api/calls' ],
	    [ 404, 'GET', '/api/other', %auth ],
	    [ 405, 'POST', '/api/calls', %auth, 'Content-Length' => 0 ],
	);
	# The shared host keeps Apache's default LimitRequestLine: its own
	# 414 page, the responder never sees the request.
	push @cases, [ 414, 'GET', '/api/calls?limit=5&x=' . ('a' x 9000),
	    %auth ] if $server ne 'cgi';
	my %seen;
	for my $c (@cases) {
		my ($status, $method, $target, %h) = @$c;
		($r, $id) = ask($server, "$method $status without an id",
		    $method, $target, %h);
		is($r->{status}, $status, "  status $status");
		like($id, $MADE, '  a made id');
		ok(!$seen{$id}++, '  not seen before');
		($r, $id) = ask($server, "$method $status with an id", $method,
		    $target, %h, 'X-Request-Id' => "id-$status-$method");
		is($id, "id-$status-$method", '  kept');
	}
}

# 503 with the database stopped; the log line carries the id, the given
# one or the made one.
my %size = map { $_ => (-s $st->dir . "/$LOG{$_}" // 0) } @servers;
my $LINE = qr/calls-api\[\d+\]: 503 service_unavailable GET [^\n]*/;
$st->db_stop;
for my $server (@servers) {
	my @ids;
	for my $sent ("probe-$server-" . int(rand(1e9)), undef) {
		my ($r, $id) = ask($server, '503 ' . ($sent ? 'with' : 'without')
		    . ' an id', 'GET', '/api/calls?limit=1', %auth,
		    defined $sent ? ('X-Request-Id' => $sent) : ());
		is($r->{status}, 503, '  status 503');
		defined $sent ? is($id, $sent, '  kept')
		    : like($id, $MADE, '  made');
		push @ids, $id;
	}
	my $file = $st->dir . "/$LOG{$server}";
	my $new = '';
	for (1 .. 50) {		# the servers write their logs asynchronously
		if (open my $fh, '<', $file) {
			seek $fh, $size{$server}, 0;
			$new = do { local $/; <$fh> } // '';
		}
		last if 2 == grep { $new =~ /$LINE request_id=\Q$_\E$/m } @ids;
		sleep 0.1;
	}
	for my $id (@ids) {
		like($new, qr/$LINE request_id=\Q$id\E$/m,
		    "$server: the 503's log line in $LOG{$server} ends with "
		    . "request_id=$id") or diag(show($new));
	}
}
$st->db_start;

is($st->crashes($_), '', "$_: no crash") for @servers;
done_testing;
