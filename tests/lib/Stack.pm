# Test harness: a private MariaDB and real web servers on free loopback
# ports, started through the project's own scripts, stopped on every exit.
package Stack;

use strict;
use warnings;
use Cwd qw(abs_path);
use File::Basename qw(basename dirname);
use File::Copy ();
use File::Path qw(remove_tree);
use File::Temp qw(tempdir);
use File::Path qw(make_path);
use IO::Socket::INET;
use JSON::PP;
use MIME::Base64 qw(encode_base64);
use Time::HiRes ();
use Test2::API qw(context test2_add_callback_testing_done);

my $TOP = abs_path(dirname(__FILE__) . '/../..');
my @LIVE;    # stacks to stop at exit

sub top { $TOP }

sub run_script {
	my ($self, @cmd) = @_;
	my $out = `@{[ join ' ', map { quote($_) } @cmd ]} 2>&1`;
	die "command failed: @cmd\n$out" if $?;
	chomp $out;
	return $out;
}

sub quote { my $s = shift; $s =~ s/'/'\\''/g; return "'$s'" }

# Stack->new(data => 'sample'|'none', empty_db => 1): a fresh run dir and a
# started MariaDB; empty_db: the server alone (no database, schema, account
# or config file), as a system's server before calls-api is installed.
sub new {
	my ($class, %opt) = @_;
	my $bin = $ENV{CALLS_API_BIN} // "$TOP/build/calls-api";
	die "no responder binary at $bin (run make)\n" unless -x $bin;
	my $dir = tempdir('/tmp/calls-api-test.XXXXXX');
	chmod 0755, $dir;
	# A copy inside the run dir: Apache's children (www-data when we are
	# root) may not be able to reach the checkout, wherever it is.
	File::Copy::copy($bin, "$dir/calls-api") or die "copy $bin: $!";
	chmod 0755, "$dir/calls-api";
	my $self = bless { dir => $dir, bin => "$dir/calls-api", web => {},
	    owner => $$ }, $class;
	push @LIVE, $self;
	if ($opt{empty_db}) {
		local $ENV{DB_EMPTY} = 1;
		$self->run_script("$TOP/scripts/db.sh", 'start', $dir);
		return $self;
	}
	$self->run_script("$TOP/scripts/db.sh", 'start', $dir);
	$self->run_script("$TOP/scripts/sample-data.sh", $dir)
	    if ($opt{data} // 'sample') eq 'sample';
	return $self;
}

sub dir { $_[0]{dir} }

# $st->node(NAME): another web node on the same database, for tests of
# several nodes: its own run dir RUN_DIR/NAME with its own copy of
# calls-api.cnf (its options, the cursor secrets say, may differ from the
# other nodes') and the stack's binary. start_web, stop_web, get and
# request work on it as on the stack (the database calls do not); its
# web servers are stopped before the stack's.
sub node {
	my ($self, $name) = @_;
	my $dir = "$self->{dir}/$name";
	make_path($dir);
	chmod 0755, $dir;
	File::Copy::copy("$self->{dir}/calls-api.cnf", "$dir/calls-api.cnf")
	    or die "copy calls-api.cnf: $!";
	chmod((stat "$self->{dir}/calls-api.cnf")[2] & 07777,
	    "$dir/calls-api.cnf");
	my $node = bless { dir => $dir, bin => $self->{bin}, web => {},
	    owner => $$, node_of => $self }, ref $self;
	push @{ $self->{nodes} }, $node;
	return $node;
}

sub free_port {
	my $s = IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1',
	    LocalPort => 0, Proto => 'tcp') or die "no free port: $!";
	my $port = $s->sockport;
	close $s;
	return $port;
}

# Start SERVER (apache | cgi | lighttpd | proxy-fcgi | nginx); returns its
# port. BINARY: another responder binary than the run dir's copy.
sub start_web {
	my ($self, $server, $bin) = @_;
	return $self->{web}{$server} if $self->{web}{$server};
	my $port = free_port();
	$self->run_script("$TOP/scripts/web.sh", 'start', $server, $self->{dir},
	    $port, $bin // $self->{bin});
	return $self->{web}{$server} = $port;
}

sub stop_web {
	my ($self, $server) = @_;
	return unless delete $self->{web}{$server};
	$self->run_script("$TOP/scripts/web.sh", 'stop', $server, $self->{dir});
}

sub db_stop  { $_[0]->run_script("$TOP/scripts/db.sh", 'stop', $_[0]{dir}) }

# A GTID replica of the stack's server (which must have been started with
# DB_SERVER_ID and DB_TCP_PORT) in RUN_DIR/replica, caught up; again after
# replica_stop: started again and caught up. Stopped at exit.
sub replica_dir { "$_[0]{dir}/replica" }
sub replica_start {
	my ($self) = @_;
	$self->{replica} = 1;
	$self->run_script("$TOP/scripts/db.sh", 'replica', $self->replica_dir,
	    $self->{dir});
}
sub replica_stop {
	$_[0]->run_script("$TOP/scripts/db.sh", 'stop', $_[0]->replica_dir);
}

# SQL as the replica's admin, like sql.
sub replica_sql {
	my ($self, $sql) = @_;
	my $file = "$self->{dir}/.replica.sql";
	open my $fh, '>', $file or die $!;
	print $fh $sql;
	close $fh;
	return $self->run_script('sh', '-c', "'$TOP/scripts/db.sh' sql "
	    . quote($self->replica_dir) . " -N -B calls < " . quote($file));
}
sub db_start { $_[0]->run_script("$TOP/scripts/db.sh", 'start', $_[0]{dir}) }

# SQL as the database admin; returns the output (tab-separated, no header).
sub sql {
	my ($self, $sql) = @_;
	my $file = "$self->{dir}/.sql";
	open my $fh, '>', $file or die $!;
	print $fh $sql;
	close $fh;
	return $self->run_script('sh', '-c', "'$TOP/scripts/db.sh' sql "
	    . quote($self->{dir}) . " -N -B calls < " . quote($file));
}

sub new_key {
	my ($self, $org) = @_;
	return $self->run_script("$TOP/scripts/db.sh", 'key', $self->{dir}, $org);
}

sub revoke_key {
	my ($self, $key) = @_;
	$self->run_script("$TOP/scripts/db.sh", 'revoke', $self->{dir}, $key);
}

# The demo keys the sample data made: { client_id => key }.
sub demo_keys {
	my ($self) = @_;
	open my $fh, '<', "$self->{dir}/demo-keys.txt" or die $!;
	my %k = map { chomp; split / /, $_, 2 } <$fh>;
	return \%k;
}

# One raw HTTP/1.1 request, so that tests control every byte sent.
# Returns { status, headers => { lc name => value }, body, json }.
# Every response is recorded for the OpenAPI check (below). A test that
# expects an answer that is not the responder's (the web server's own
# error page) says so, and why: -foreign => 'REASON' among the headers,
# or, once it has seen the answer, $st->not_ours($r, 'REASON').
sub request {
	my ($self, $server, $method, $target, %hdr) = @_;
	my $port = $self->{web}{$server} or die "$server not started";
	my $foreign = delete $hdr{-foreign};
	my $sock = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
	    PeerPort => $port, Proto => 'tcp', Timeout => 30)
	    or die "connect $server: $!";
	my $req = "$method $target HTTP/1.1\r\nHost: 127.0.0.1:$port\r\n"
	    . "Connection: close\r\n";
	$req .= "$_: $hdr{$_}\r\n" for sort keys %hdr;
	$req .= "\r\n";
	print $sock $req;
	local $/;
	my $raw = <$sock> // '';
	close $sock;
	my ($status, $h, $body) = parse_http($raw);
	my $json = eval { JSON::PP->new->decode($body) };
	my $id = openapi_record($server, $method, $target, $status, $h, $body,
	    $foreign);
	return { status => $status, headers => $h, body => $body,
	    json => $json, raw => $raw, openapi_id => $id };
}

# A raw HTTP/1.x response: (status or 0, { lc name => value }, body),
# a chunked body decoded.
sub parse_http {
	my ($raw) = @_;
	my ($head, $body) = split /\r\n\r\n/, $raw, 2;
	my ($status_line, @lines) = split /\r\n/, $head // '';
	my ($status) = ($status_line // '') =~ m{^HTTP/1\.\d (\d{3})};
	my %h;
	for (@lines) {
		my ($n, $v) = /^([^:]+):\s*(.*)$/ or next;
		$h{lc $n} = $v;
	}
	$body //= '';
	if (($h{'transfer-encoding'} // '') =~ /chunked/i) {
		my $plain = '';
		while ($body =~ s/^([0-9a-fA-F]+)\r\n//) {
			my $n = hex $1;
			last if $n == 0;
			$plain .= substr($body, 0, $n, '');
			$body =~ s/^\r\n//;
		}
		$body = $plain;
	}
	return ($status // 0, \%h, $body);
}

# $st->not_ours($r, REASON): the response $r, already received, turned out
# to be the web server's own (a test that accepts either answer decides
# after seeing it). Not validated; listed with the reason.
sub not_ours {
	my ($self, $r, $reason) = @_;
	die "not_ours: a response of request() and a reason\n"
	    unless $r->{openapi_id} && defined $reason && $reason ne '';
	openapi_append(JSON::PP->new->canonical->encode({
	    not_ours => $r->{openapi_id}, foreign => $reason }));
}

# The OpenAPI check. Each response request() returns is one JSON line in
# OPENAPI_DIR/<test>.jsonl (next to the binary under test: build/tests/
# openapi or build/sanitize/tests/openapi; forked children append too).
# When the test file calls done_testing, one node run of
# tests/openapi/validate.mjs checks them all against doc/openapi.yaml and
# adds one test; the full list of failures goes to <test>.log, which the
# failure names.
my $OPENAPI_DIR = dirname($ENV{CALLS_API_BIN} // "$TOP/build/calls-api")
    . '/tests/openapi';
(my $OPENAPI_NAME = basename($0)) =~ s/\.t\z//;
my $OPENAPI_RECORDS = "$OPENAPI_DIR/$OPENAPI_NAME.jsonl";
my $OPENAPI_PID = $$;
my $OPENAPI_SEQ = 0;
unlink $OPENAPI_RECORDS;

# An HTTP::Tiny response, recorded the same way (tests that talk to a
# server Stack did not start). route: when it is not /api/calls.
sub openapi_record_tiny {
	my ($server, $method, $url, $r, %opt) = @_;
	(my $target = $url) =~ s{^[a-z]+://[^/]+}{};
	my %h = map { my $v = $r->{headers}{$_};
	    ($_ => ref $v ? join(', ', @$v) : $v) } keys %{ $r->{headers} // {} };
	return openapi_record($server, $method, $target, $r->{status}, \%h,
	    $r->{content} // '', $opt{foreign}, $opt{route});
}

# A raw HTTP answer read by the test itself.
sub openapi_record_raw {
	my ($server, $method, $target, $raw, %opt) = @_;
	my ($status, $h, $body) = parse_http($raw);
	return openapi_record($server, $method, $target, $status, $h, $body,
	    $opt{foreign}, $opt{route});
}

# The responder's own CGI/FastCGI output (Status: and headers, a blank
# line, the body), read from its socket by the test.
sub openapi_record_cgi {
	my ($server, $method, $target, $out, %opt) = @_;
	my ($head, $body) = split /\r?\n\r?\n/, $out, 2;
	my %h;
	for (split /\r?\n/, $head // '') {
		my ($n, $v) = /^([^:]+):\s*(.*)$/ or next;
		$h{lc $n} = $v;
	}
	my ($status) = (delete $h{status} // '') =~ /^(\d{3})/;
	return openapi_record($server, $method, $target, $status // 0, \%h,
	    $body // '', $opt{foreign}, $opt{route});
}

sub openapi_record {
	my ($server, $method, $target, $status, $headers, $body, $foreign,
	    $route) = @_;
	my ($line, $i) = (0, 0);
	while (my @c = caller($i++)) {	# the test's line, not Stack's
		($line = "$c[1]:$c[2]") =~ s{.*/}{}, last
		    if $c[1] !~ m{(^|/)Stack\.pm\z};
	}
	my $id = "$$-" . ++$OPENAPI_SEQ;
	my $rec = JSON::PP->new->canonical->encode({ test => $OPENAPI_NAME,
	    id => $id, line => $line, server => $server, method => $method,
	    target => $target, status => $status + 0, headers => $headers,
	    body_b64 => encode_base64($body, ''), foreign => $foreign,
	    route => $route });
	openapi_append($rec);
	return $id;
}

# One line, appended (forked children share the file).
sub openapi_append {
	my ($line) = @_;
	make_path($OPENAPI_DIR) unless -d $OPENAPI_DIR;
	open my $fh, '>>', $OPENAPI_RECORDS or die "$OPENAPI_RECORDS: $!";
	print $fh "$line\n" or die "$OPENAPI_RECORDS: $!";
	close $fh or die "$OPENAPI_RECORDS: $!";
}

# Stack::openapi_required(): this test file's requests must be checked;
# recording none, or none the check validates, fails the check.
my $OPENAPI_REQUIRED = 0;
sub openapi_required { $OPENAPI_REQUIRED = 1 }

# The one test the check adds (none when the file recorded nothing, unless
# openapi_required). Validating no response at all is a failure.
sub openapi_check {
	my ($trace, $hub) = @_;
	return if $$ != $OPENAPI_PID;
	my $plan = $hub->plan;
	return if defined $plan && $plan eq 'SKIP';
	if (!-s $OPENAPI_RECORDS) {
		return unless $OPENAPI_REQUIRED;
		my $ctx = context();
		$ctx->ok(0, 'openapi: responses checked against doc/openapi.yaml',
		    [ "no response recorded in $OPENAPI_RECORDS (a test that "
		    . 'called Stack::openapi_required)' ]);
		$ctx->release;
		return;
	}
	my $ctx = context();
	my $log = "$OPENAPI_DIR/$OPENAPI_NAME.log";
	unlink $log;
	my $cmd = 'node ' . quote("$TOP/tests/openapi/validate.mjs") . ' --log '
	    . quote($log) . ' ' . quote($OPENAPI_RECORDS) . ' 2>&1';
	my $t0 = Time::HiRes::time();
	my (undef, undef, $cu0, $cs0) = times;
	my $out = `$cmd`;
	my (undef, undef, $cu1, $cs1) = times;
	my $took = Time::HiRes::time() - $t0;
	my $cpu = $cu1 + $cs1 - $cu0 - $cs0;
	my $res = eval { JSON::PP->new->decode($out) } // { error =>
	    "validate.mjs: " . ($out eq '' ? "exit status $?" : $out)
	    . " (node and tests/openapi/node_modules: scripts/deps.sh grammar)" };
	my ($n, $nf, $nfail) = map { $res->{$_} // 0 }
	    qw(checked nforeign nfailures);
	# validate.mjs wrote the list (unless it failed); the summary last.
	open my $fh, '>>', $log or die "$log: $!";
	print $fh "error: $res->{error}\n" if $res->{error};
	printf $fh "%d responses checked, %d not ours, %d do not match;"
	    . " validate.mjs took %.2f s (%.2f s CPU)\n", $n, $nf, $nfail,
	    $took, $cpu;
	close $fh;
	my $name = sprintf('openapi: %d responses checked against'
	    . ' doc/openapi.yaml (%d marked not ours)', $n, $nf);
	$res->{error} //= 'no response validated: every one recorded was '
	    . 'marked not ours' if $n == 0;
	if (!$res->{error} && !$nfail) {
		unlink $OPENAPI_RECORDS;	# kept only to look into a failure
		$ctx->ok(1, $name);
		$ctx->release;
		return;
	}
	# The first few failures here, each with its first reasons.
	my @diag = $res->{error} ? ("error: $res->{error}") : map {
	    my @r = @{ $_->{reasons} };
	    ("$_->{where}:", map { "  $_" } @r[0 .. ($#r < 2 ? $#r : 2)]) }
	    @{ $res->{failures} // [] };
	$ctx->ok(0, $name, [ sprintf('%d of %d responses do not match;'
	    . ' the full list: %s', $nfail, $n, $log), @diag ]);
	$ctx->release;
}
test2_add_callback_testing_done(\&openapi_check);

# The database's work for one request: its handler counters (SHOW GLOBAL
# STATUS, through $sql, which runs one statement and returns its rows
# tab-separated) read before and after $request, which makes the request
# and returns a label (e.g. its status). "LABEL Name=delta ..."; reading
# the counters itself adds the same to each delta.
my @DB_WORK_COUNTERS = qw(Com_stmt_execute Handler_read_first
    Handler_read_key Handler_read_last Handler_read_next Handler_read_prev
    Handler_read_rnd Handler_read_rnd_next Rows_read);
sub db_work {
	my ($sql, $request) = @_;
	my $counters = sub {
		return { map { split /\t/ } split /\n/,
		    $sql->('SHOW GLOBAL STATUS WHERE Variable_name IN ('
		    . join(', ', map { "'$_'" } @DB_WORK_COUNTERS) . ')') };
	};
	my $before = $counters->();
	my $label = $request->();
	my $after = $counters->();
	return join ' ', $label,
	    map { "$_=" . ($after->{$_} - $before->{$_}) } @DB_WORK_COUNTERS;
}

sub get {
	my ($self, $server, $target, $key, %hdr) = @_;
	$hdr{Authorization} = "Bearer $key" if defined $key;
	return $self->request($server, 'GET', $target, %hdr);
}

# Lines of the server's error log that look like a crash.
sub crashes {
	my ($self, $server) = @_;
	my $found = '';
	# responder.log: the stderr of a spawn-fcgi pool (proxy-fcgi, nginx).
	for my $log (glob "$self->{dir}/$server/{*error*,responder}.log") {
		open my $fh, '<', $log or next;
		while (my $line = <$fh>) {
			$found .= $line if $line =~ /Segmentation|Sanitizer|runtime error|
			    core dumped|exit\(signal|terminated by signal|
			    premature end of script|SIGSEGV|SIGABRT/xi;
		}
	}
	return $found;
}

sub cleanup {
	my ($self) = @_;
	return if $self->{owner} != $$;	# a forked child stops nothing
	return if $self->{done}++;
	$_->cleanup for @{ $self->{nodes} // [] };
	for my $server (keys %{ $self->{web} }) {
		eval { $self->stop_web($server) };
	}
	return if $self->{node_of};	# the stack stops the database
	eval { $self->replica_stop } if $self->{replica};
	eval { $self->db_stop };
	remove_tree($self->{dir}) unless $ENV{KEEP_RUN_DIR};
}

END { my $rc = $?; $_->cleanup for @LIVE; $? = $rc }
$SIG{INT} = $SIG{TERM} = sub { $_->cleanup for @LIVE; exit 1 };

1;
