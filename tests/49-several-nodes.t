#!/usr/bin/perl
# Several web nodes on one database (README, "Scaling"): node A is Apache
# with mod_fcgid, node B nginx in front of `calls-api serve`, each with
# its own copy of the option file (Stack::node).
#  a. The same cursor-secret: a walk whose pages alternate between the
#     nodes (each page asked with the other node's cursor) gives exactly,
#     byte for byte, the pages one node gives, forward and back
#     (prev_cursor), default order and a filter with order=asc.
#  b. Cursor secret rotation (cursor-secret-previous): changed on one
#     node only (current S2, previous S1) mid-walk, that node continues
#     the walk from S1 cursors with the same pages, and the S2 cursors it
#     now mints are refused by the node still at S1 alone: the reason
#     for the documented order. Then S2 -> S3 in that order, one node at
#     a time with a page of a walk in flight between any two reloads
#     (1: S3 as previous everywhere; 2: S3 current, S2 previous; 3:
#     previous removed): not one request fails and every page is the
#     one a single node gives.
#  c. With the previous secret removed, a cursor signed with it alone
#     is 400 invalid_cursor (all versions: 1, 2 and 3).
# Each node's secrets are checked after each reload with cursors made
# here (every version, signed with each secret) until every process of
# the node answers as its option file says.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Digest::SHA qw(hmac_sha256);
use JSON::PP;
use MIME::Base64 qw(encode_base64url);
use Time::HiRes qw(sleep time);
use Stack;

Stack::openapi_required();

my $st = Stack->new(data => 'none');
# 60 calls of org_n on 30 instants (ties broken by call_sid), every other
# one completed.
$st->sql(<<'SQL');
INSERT INTO calls (call_sid, client_id, to_number, agent_id, status,
                   created_at)
SELECT CONCAT('call_n', LPAD(seq, 3, '0')), 'org_n', '+15550000000',
       'agent_n', IF(seq % 2 = 0, 'completed', 'failed'),
       TIMESTAMP('2026-01-01 00:00:00') + INTERVAL (seq DIV 2) SECOND
FROM seq_1_to_60;
SQL
my $key = $st->new_key('org_n');
my %S = map { $_ => unpack('H*', join '', map { chr int rand 256 } 1 .. 32) }
    qw(S1 S2 S3);

# The option file of a node: its cursor-secret and cursor-secret-previous
# (undef: none), written whole and renamed into place.
sub set_secrets {
	my ($node, $current, $previous) = @_;
	my $cnf = $node->dir . '/calls-api.cnf';
	my $text = do { local (@ARGV, $/) = $cnf; <> };
	$text =~ s/^cursor-secret-previous=.*\n//mg;
	$text =~ s/^cursor-secret=.*$/cursor-secret=$S{$current}/m
	    or die "no cursor-secret in $cnf";
	$text =~ s/^(cursor-secret=.*\n)/$1cursor-secret-previous=$S{$previous}\n/m
	    if defined $previous;
	open my $fh, '>', "$cnf.new" or die $!;
	print $fh $text;
	close $fh;
	chmod((stat $cnf)[2] & 07777, "$cnf.new");
	rename "$cnf.new", $cnf or die $!;
}

my $A = $st->node('a');
my $B = $st->node('b');
set_secrets($_, 'S1') for $A, $B;
{
	local $ENV{POOL_SIZE} = 2;
	$A->start_web('apache');
	$B->start_web('nginx');
}
my %front = ($A => 'apache', $B => 'nginx');
my %name = ($A => 'A', $B => 'B');

# Reload a node's option file as an operator would: Apache's graceful
# restart (mod_fcgid starts new processes), SIGHUP to calls-api serve.
sub reload {
	my ($node) = @_;
	my $d = $node->dir;
	if ($front{$node} eq 'apache') {
		$st->run_script('/usr/sbin/apache2', '-d', '/usr/lib/apache2', '-f',
		    "$d/apache/httpd.conf", '-k', 'graceful');
	} else {
		my $pid = do { local (@ARGV, $/) = "$d/nginx/pool.pid"; <> };
		chomp $pid;
		kill 'HUP', $pid or die "kill -HUP $pid: $!";
	}
}

# A cursor as the responder makes it (lib/cursor.h), signed with secret
# name, for the default listing (no filters: every version may carry it),
# at call_n010's position: next, exclusive.
sub part { my $s = shift; return pack('N', length $s) . $s }
sub mint {
	my ($version, $secret) = @_;
	my ($when, $sid) = ('2026-01-01T00:00:05.000000Z', 'call_n010');
	my $k = $S{$secret};
	if ($version == 1) {
		my $mac = hmac_sha256(join("\0", 'calls-api/cursor/v1', 'org_n',
		    '', $when, $sid) . "\0", $k);
		return encode_base64url(qq({"v":1,"created_at":"$when",)
		    . qq("call_sid":"$sid","sig":") . encode_base64url($mac)
		    . '"}');
	}
	my @split = $version == 3 ? ('next', '0') : ();
	my $mac = hmac_sha256(join('', map { part($_) }
	    "calls-api/cursor/v$version", 'org_n', '', @split, $when, $sid), $k);
	my $head = $version == 3 ? '{"v":3,"dir":"next","incl":"0",'
	    : '{"v":2,';
	return encode_base64url($head . qq("created_at":"$when",)
	    . qq("call_sid_b64":") . encode_base64url($sid) . qq(","sig":")
	    . encode_base64url($mac) . '"}');
}

# After a reload: wait (up to 20 s) until the node, three rounds running,
# takes the cursors of every version signed with its secrets and refuses
# those of the other; one test.
sub secrets_in_effect {
	my ($node, $current, $previous) = @_;
	my %good = map { $_ => 1 } grep { defined } $current, $previous;
	my ($rounds, $last) = (0, '');
	my $t0 = time;
	while (time - $t0 < 20) {
		my @wrong;
		for my $secret (sort keys %S) {
			for my $v (1 .. 3) {
				my $r = $node->get($front{$node},
				    '/api/calls?limit=1&cursor=' . mint($v, $secret),
				    $key);
				my $want = $good{$secret} ? 200 : 400;
				my $code = $r->{json}{error}{code} // '';
				push @wrong, "v$v $secret: $r->{status} $code"
				    if $r->{status} != $want || ($want == 400 &&
				    $code ne 'invalid_cursor');
			}
		}
		$last = join ', ', @wrong;
		$rounds = @wrong ? 0 : $rounds + 1;
		last if $rounds == 3;
		sleep 0.1;
	}
	my $what = "current $current" . (defined $previous ?
	    ", previous $previous" : ', no previous');
	ok($rounds == 3, sprintf('node %s (%s): %s; v1, v2 and v3 cursors of '
	    . 'those taken, of the other%s refused (%.1f s)', $name{$node},
	    $front{$node}, $what, keys(%good) == 1 ? 's' : '', time - $t0))
	    or diag("still wrong: $last");
}

sub reload_to {
	my ($node, $current, $previous) = @_;
	set_secrets($node, $current, $previous);
	reload($node);
	secrets_in_effect($node, $current, $previous);
}

# One page from node: the response (dies on anything but a 200).
sub page {
	my ($node, $list, $cursor) = @_;
	my $q = "/api/calls?$list" . (defined $cursor ? "&cursor=$cursor" : '');
	my $r = $node->get($front{$node}, $q, $key);
	die "node $name{$node} $q: $r->{status} $r->{body}\n"
	    if $r->{status} != 200;
	return $r;
}

# A whole walk from the first page: forward to the last, then back by
# prev_cursor to the first. The nth page (either way) from nodes->[n %
# nodes], the cursor the previous node gave. Returns the bodies.
sub walk {
	my ($list, @nodes) = @_;
	my (@fwd, @back, $r);
	my $n = 0;
	my $cursor;
	do {
		$r = page($nodes[$n++ % @nodes], $list, $cursor);
		push @fwd, $r->{body};
	} while (defined($cursor = $r->{json}{pagination}{next_cursor}));
	while (defined($cursor = $r->{json}{pagination}{prev_cursor})) {
		$r = page($nodes[$n++ % @nodes], $list, $cursor);
		push @back, $r->{body};
	}
	return (\@fwd, \@back);
}

# The rows of a page and what its pagination says, but not its cursors
# (re-signed by a rotation): data, has_more, page_size, which cursors.
sub rows {
	my ($r) = @_;
	my $p = $r->{json}{pagination};
	return JSON::PP->new->canonical->encode([ $r->{json}{data},
	    $p->{has_more}, $p->{page_size}, defined $p->{next_cursor},
	    defined $p->{prev_cursor} ]);
}

# --- a. alternate pages, the same secret ------------------------------------
my %ref;
for my $list ('limit=7', 'limit=2&status=completed&order=asc') {
	my ($fwd, $back) = walk($list, $A);
	$ref{$list} = [ map { JSON::PP->new->decode($_) } @$fwd ];
	my $rows = 0;
	$rows += @{ $_->{data} } for @{ $ref{$list} };
	my $want = $list =~ /status/ ? 30 : 60;
	ok($rows == $want && @$back == @$fwd - 1, "$list: node A alone: "
	    . scalar(@$fwd) . " pages, $rows rows, and back");
	my ($bf, $bb) = walk($list, $B);
	ok("@$bf" eq "@$fwd" && "@$bb" eq "@$back",
	    '  node B alone: the same pages, byte for byte');
	for my $order ([ $A, $B ], [ $B, $A ]) {
		my ($f, $b) = walk($list, @$order);
		my $seq = join '', map { $name{$_} } @$order;
		ok("@$f" eq "@$fwd", "  alternating $seq...: the same pages "
		    . 'forward');
		ok("@$b" eq "@$back", '  and back by prev_cursor');
	}
}

# --- b. one node rotated alone, mid-walk -----------------------------------
secrets_in_effect($_, 'S1') for $A, $B;
my $list = 'limit=7';
my @want = map { JSON::PP->new->canonical->encode([ $_->{data},
    $_->{pagination}{has_more}, $_->{pagination}{page_size},
    defined $_->{pagination}{next_cursor},
    defined $_->{pagination}{prev_cursor} ]) } @{ $ref{$list} };
my @got;
my $r = page($A, $list);
push @got, rows($r);
$r = page($B, $list, $r->{json}{pagination}{next_cursor});
push @got, rows($r);
my $s1_cursor = $r->{json}{pagination}{next_cursor};
reload_to($A, 'S2', 'S1');
$r = page($A, $list, $s1_cursor);
push @got, rows($r);
is_deeply(\@got, [ @want[0 .. 2] ], 'pages 1 (A), 2 (B) with S1; A '
    . 'rotated to S2 + previous S1 takes page 2\'s S1 cursor: page 3');
my $s2_cursor = $r->{json}{pagination}{next_cursor};
my $refused = $B->get('nginx', "/api/calls?$list&cursor=$s2_cursor", $key);
ok($refused->{status} == 400 && ($refused->{json}{error}{code} // '') eq
    'invalid_cursor', '  the S2 cursor A mints now: 400 invalid_cursor on '
    . 'B, still at S1 alone (why one node may not go first)')
    or diag("$refused->{status} $refused->{body}");
$r = page($A, $list, $s2_cursor);
push @got, rows($r);
is($got[3], $want[3], '  on A (S2): page 4');
reload_to($B, 'S2', 'S1');
# The rest of the walk alternating, from B.
my $n = 0;
while (defined(my $c = $r->{json}{pagination}{next_cursor})) {
	$r = page($n++ % 2 ? $A : $B, $list, $c);
	push @got, rows($r);
}
is_deeply(\@got, \@want, '  then B at S2 + previous S1 too: the walk '
    . 'ends alternating, every page as node A alone gave it');

# --- c. previous removed -------------------------------------------------
reload_to($_, 'S2') for $A, $B;
for my $node ($A, $B) {
	my $x = $node->get($front{$node}, "/api/calls?$list&cursor=$s1_cursor",
	    $key);
	ok($x->{status} == 400 && ($x->{json}{error}{code} // '') eq
	    'invalid_cursor', "previous S1 removed: page 2's S1 cursor is 400 "
	    . "invalid_cursor on $name{$node}") or diag("$x->{status} $x->{body}");
}

# --- b. the documented order, S2 -> S3, a walk in flight -----------------
# A page between any two reloads, each from the node the last reload was
# not on where that makes a cursor cross a rotation step.
{
	my $list = 'limit=2&status=completed&order=asc';
	my @want = map { JSON::PP->new->canonical->encode([ $_->{data},
	    $_->{pagination}{has_more}, $_->{pagination}{page_size},
	    defined $_->{pagination}{next_cursor},
	    defined $_->{pagination}{prev_cursor} ]) } @{ $ref{$list} };
	my (@got, @log, $r, $old_cursor);
	my $step = sub {
		my ($node) = @_;
		my $c = defined $r ? $r->{json}{pagination}{next_cursor} : undef;
		$r = page($node, $list, $c);
		push @got, rows($r);
		push @log, $name{$node};
	};
	$step->($A);
	$step->($B);
	reload_to($A, 'S2', 'S3');		# 1: the new secret as previous
	$step->($B);
	$step->($A);
	reload_to($B, 'S2', 'S3');
	$old_cursor = $r->{json}{pagination}{next_cursor};	# S2
	$step->($A);
	reload_to($A, 'S3', 'S2');		# 2: swap, node by node
	$step->($A);			# minted with S3 ...
	# ... back one page on B (S2, previous S3), then on again.
	my $back = page($B, $list, $r->{json}{pagination}{prev_cursor});
	is(rows($back), $got[-2], 'S3 on A, S2 + previous S3 on B: back '
	    . 'from A\'s S3 page on B gives the page before');
	$step->($B);			# S3 cursor taken by B ...
	$step->($A);			# ... B's S2 cursor by A
	reload_to($B, 'S3', 'S2');
	$step->($B);
	reload_to($A, 'S3');			# 3: previous removed
	$step->($A);
	reload_to($B, 'S3');
	$step->($B) while defined $r->{json}{pagination}{next_cursor};
	is_deeply(\@got, \@want, 'rotation S2 -> S3 in the documented order, '
	    . 'pages ' . join(',', @log) . ': no request failed, every page '
	    . 'as one node gave it');
	for my $node ($A, $B) {
		my $x = $node->get($front{$node},
		    "/api/calls?$list&cursor=$old_cursor", $key);
		ok($x->{status} == 400 && ($x->{json}{error}{code} // '') eq
		    'invalid_cursor', "  after step 3 an S2 cursor is 400 "
		    . "invalid_cursor on $name{$node}");
	}
}

is($A->crashes('apache') . $B->crashes('nginx'), '', 'no crash logged');
done_testing;
