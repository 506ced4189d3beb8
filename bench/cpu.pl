#!/usr/bin/perl
# CPU accounting for bench/run.sh: where the CPU time of a wrk run went.
#
#   cpu.pl snap                      prints a snapshot: the machine's busy
#                                    time, then "pid ppid comm ticks" for
#                                    every process
#   cpu.pl diff BEFORE AFTER TIMES_BEFORE TIMES_AFTER DB_PID WEB_PID APP_COMM
#                                    prints a JSON object of CPU seconds
#                                    spent between the two snapshots by
#     db       the mariadbd process
#     web      the web server: WEB_PID and its descendants, except
#     app      the descendants named APP_COMM (the FastCGI responders)
#     client   bench/run.sh's children (wrk), from bash's `times`
#     other    the rest of the machine's busy time (other users' load,
#              the kernel's unattributed work)
#     machine  all busy time (every CPU; 2 CPUs give 2 s per second)
use strict;
use warnings;

my $HZ = 100;	# USER_HZ: /proc reports clock ticks of 1/100 s on Linux

sub machine_busy {
	open my $fh, '<', '/proc/stat' or die "cpu.pl: /proc/stat: $!\n";
	while (<$fh>) {
		next unless /^cpu\s/;
		my (undef, $user, $nice, $sys, $idle, $iowait, $irq, $softirq,
		    $steal) = split;
		return $user + $nice + $sys + $irq + $softirq + ($steal // 0);
	}
	die "cpu.pl: no cpu line in /proc/stat\n";
}

sub snap {
	print "machine ", machine_busy(), "\n";
	opendir my $d, '/proc' or die "cpu.pl: /proc: $!\n";
	for my $pid (grep { /^\d+$/ } readdir $d) {
		open my $fh, '<', "/proc/$pid/stat" or next;	# gone meanwhile
		my $stat = <$fh>;
		close $fh;
		next unless defined $stat;
		# comm is in parentheses and may hold spaces: split after it.
		my ($comm, $rest) = $stat =~ /^\d+ \((.*)\) (.*)$/s or next;
		my @f = split ' ', $rest;	# f[0] is field 3 (state)
		$comm =~ s/\s/_/g;
		print join(' ', $pid, $f[1], $comm, $f[11] + $f[12]), "\n";
	}
}

sub load_snap {
	my ($file) = @_;
	my (%proc, $machine);
	open my $fh, '<', $file or die "cpu.pl: $file: $!\n";
	while (<$fh>) {
		my @f = split;
		if ($f[0] eq 'machine') {
			$machine = $f[1];
			next;
		}
		$proc{$f[0]} = { ppid => $f[1], comm => $f[2], ticks => $f[3] };
	}
	return (\%proc, $machine);
}

# Children's user+system seconds from the second line of bash's `times`.
sub children_seconds {
	my ($file) = @_;
	open my $fh, '<', $file or die "cpu.pl: $file: $!\n";
	my @lines = <$fh>;
	my $s = 0;
	$s += $1 * 60 + $2 while ($lines[1] // '') =~ /(\d+)m([\d.]+)s/g;
	return $s;
}

sub diff {
	my ($bfile, $afile, $tbefore, $tafter, $db_pid, $web_pid, $app_comm)
	    = @_;
	my ($before, $mb) = load_snap($bfile);
	my ($after, $ma) = load_snap($afile);
	my %delta = map {
		my $b = $before->{$_};
		# A process that is new, or a pid reused, counts from zero.
		my $base = ($b && $b->{comm} eq $after->{$_}{comm}) ?
		    $b->{ticks} : 0;
		($_ => $after->{$_}{ticks} - $base);
	} keys %$after;

	my %sum = (db => $delta{$db_pid} // 0, web => 0, app => 0);
	for my $pid (keys %$after) {
		# Is $pid the web server or below it?
		my ($p, $hops) = ($pid, 0);
		$p = $after->{$p}{ppid} while $p != $web_pid && $p > 1 &&
		    $after->{$p} && ++$hops < 64;
		next unless $p == $web_pid;
		$sum{ $after->{$pid}{comm} eq $app_comm ? 'app' : 'web' } +=
		    $delta{$pid};
	}
	my %s = map { $_ => $sum{$_} / $HZ } keys %sum;
	$s{machine} = ($ma - $mb) / $HZ;
	$s{client} = children_seconds($tafter) - children_seconds($tbefore);
	$s{other} = $s{machine} - $s{db} - $s{web} - $s{app} - $s{client};
	$s{other} = 0 if $s{other} < 0;
	printf "{%s}\n", join ',', map { sprintf '"%s":%.2f', $_, $s{$_} }
	    qw(db web app client other machine);
}

my $cmd = shift // '';
if ($cmd eq 'snap') {
	snap();
} elsif ($cmd eq 'diff' && @ARGV == 7) {
	diff(@ARGV);
} else {
	die "usage: cpu.pl snap | cpu.pl diff BEFORE AFTER TIMES_BEFORE "
	    . "TIMES_AFTER DB_PID WEB_PID APP_COMM\n";
}
