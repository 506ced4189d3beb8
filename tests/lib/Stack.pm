# Test harness: a private MariaDB and real web servers on free loopback
# ports, started through the project's own scripts, stopped on every exit.
package Stack;

use strict;
use warnings;
use Cwd qw(abs_path);
use File::Basename qw(dirname);
use File::Copy ();
use File::Path qw(remove_tree);
use File::Temp qw(tempdir);
use IO::Socket::INET;
use JSON::PP;

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
sub request {
	my ($self, $server, $method, $target, %hdr) = @_;
	my $port = $self->{web}{$server} or die "$server not started";
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
	my $json = eval { JSON::PP->new->decode($body) };
	return { status => $status // 0, headers => \%h, body => $body,
	    json => $json, raw => $raw };
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
	for my $server (keys %{ $self->{web} }) {
		eval { $self->stop_web($server) };
	}
	eval { $self->replica_stop } if $self->{replica};
	eval { $self->db_stop };
	remove_tree($self->{dir}) unless $ENV{KEEP_RUN_DIR};
}

END { my $rc = $?; $_->cleanup for @LIVE; $? = $rc }
$SIG{INT} = $SIG{TERM} = sub { $_->cleanup for @LIVE; exit 1 };

1;
