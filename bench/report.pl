#!/usr/bin/perl
# bench/report.pl RAW.jsonl OUT.json OUT.md DEPTH.dat
#
# Turns bench/run.sh's raw measurements (one JSON object a line) into
# run/bench.json (everything, machine-readable), bench/results.md (the
# tables and the targets, also printed) and the data for bench/depth.gp.
# Repeated measurements are reduced to their median; their spread is
# reported as the noise.
use strict;
use warnings;
use JSON::PP;
use POSIX qw(floor);

@ARGV == 4 or die "usage: report.pl RAW.jsonl OUT.json OUT.md DEPTH.dat\n";
my ($raw_file, $json_file, $md_file, $dat_file) = @ARGV;

my (@wrk, @query, @depth, @memory, $meta);
open my $in, '<', $raw_file or die "report: $raw_file: $!\n";
while (<$in>) {
	next unless /\S/;
	my $r = decode_json($_);
	my $k = $r->{kind};
	if ($k eq 'wrk') { push @wrk, $r }
	elsif ($k eq 'query') { push @query, $r }
	elsif ($k eq 'depth') { push @depth, $r }
	elsif ($k eq 'memory') { push @memory, $r }
	elsif ($k eq 'meta') { $meta = $r }
}
die "report: no meta record in $raw_file\n" unless $meta;

sub median {
	my @s = sort { $a <=> $b } grep { defined } @_;
	return undef unless @s;
	return @s % 2 ? $s[$#s / 2] : ($s[@s / 2 - 1] + $s[@s / 2]) / 2;
}

sub min_ { my $m; for (@_) { $m = $_ if !defined $m || $_ < $m } $m }
sub max_ { my $m; for (@_) { $m = $_ if !defined $m || $_ > $m } $m }
sub sum_ { my $s = 0; $s += $_ for @_; $s }

sub first_line {
	my ($cmd) = @_;
	my $out = `$cmd 2>&1` // '';
	$out =~ s/\n.*//s;
	return $out;
}

# --- The machine ---------------------------------------------------------
sub slurp {
	open my $fh, '<', $_[0] or return '';
	local $/;
	return <$fh>;
}
my ($cpu_model) = slurp('/proc/cpuinfo') =~ /^model name\s*:\s*(.*)$/m;
my ($mem_kib) = slurp('/proc/meminfo') =~ /^MemTotal:\s*(\d+)/m;
my ($fcgid) = first_line("dpkg-query -W -f='\${Version}' libapache2-mod-fcgid");
my $machine = {
	nproc => 0 + first_line('nproc'),
	cpu_model => $cpu_model // 'unknown',
	memory_gib => sprintf('%.1f', ($mem_kib // 0) / 1024 / 1024),
	debian => first_line('cat /etc/debian_version'),
	kernel => first_line('uname -r'),
	mariadb => first_line('mariadbd --version'),
	apache => first_line('apache2 -v') =~ s/^Server version:\s*//r,
	mod_fcgid => $fcgid,
	lighttpd => first_line('lighttpd -v'),
	wrk => first_line('wrk -v') =~ s/ Copyright.*//r,
	cc => first_line('cc --version'),
};

# --- Throughput ----------------------------------------------------------
my %groups;	# "what server c" => [runs]
push @{ $groups{"$_->{what} $_->{server} $_->{c}"} }, $_ for @wrk;

my @throughput;
for my $key (sort {
	my @a = split ' ', $a;
	my @b = split ' ', $b;
	$a[0] cmp $b[0] || $a[1] cmp $b[1] || $a[2] <=> $b[2]
} keys %groups) {
	my ($what, $server, $c) = split ' ', $key;
	my @runs = @{ $groups{$key} };
	my @rps = map { $_->{res}{rps} } @runs;
	my $n = sum_(map { $_->{res}{requests} } @runs);
	my %cpu;	# CPU µs per request, summed over the runs
	for my $part (qw(db web app client other machine)) {
		$cpu{$part} = $n ? 1e6 * sum_(map { $_->{cpu}{$part} } @runs)
		    / $n : undef;
	}
	my $errors = sum_(map { my $e = $_->{res}{socket_errors};
	    $e->{connect} + $e->{read} + $e->{write} + $e->{timeout} } @runs);
	my $med = median(@rps);
	push @throughput, {
		what => $what, server => $server, c => 0 + $c,
		runs => scalar @runs,
		rps => $med,
		rps_min => min_(@rps), rps_max => max_(@rps),
		spread_pct => $med ? 100 * (max_(@rps) - min_(@rps)) / $med : 0,
		p50_ms => median(map { $_->{res}{p50_us} / 1e3 } @runs),
		p90_ms => median(map { $_->{res}{p90_us} / 1e3 } @runs),
		p99_ms => median(map { $_->{res}{p99_us} / 1e3 } @runs),
		p99_ms_max => max_(map { $_->{res}{p99_us} / 1e3 } @runs),
		max_ms => max_(map { $_->{res}{max_us} / 1e3 } @runs),
		non2xx => sum_(map { $_->{res}{non2xx} } @runs),
		socket_errors => $errors,
		requests => $n,
		avg_body_bytes => median(map { $_->{res}{avg_body_bytes} } @runs),
		cpu_us_per_request => \%cpu,
		reps => [ map { { %{ $_->{res} }, cpu_s => $_->{cpu} } } @runs ],
	};
}

sub tp {
	my ($what, $server, $c) = @_;
	my ($t) = grep { $_->{what} eq $what && $_->{server} eq $server &&
	    $_->{c} == $c } @throughput;
	return $t;
}

my %qgroups;
push @{ $qgroups{ $_->{c} } }, $_->{qps} for @query;
my @queries = map { {
	procs => 0 + $_, qps => median(@{ $qgroups{$_} }),
	qps_min => min_(@{ $qgroups{$_} }), qps_max => max_(@{ $qgroups{$_} }),
	reps => $qgroups{$_},
} } sort { $a <=> $b } keys %qgroups;
my %qps = map { $_->{procs} => $_->{qps} } @queries;

# --- Ceilings: 1 / (1/trivial + 1/query) at the same concurrency ---------
my @ceilings;
for my $t (grep { $_->{what} eq 'trivial' } @throughput) {
	my $q = $qps{ $t->{c} } or next;
	my $end = tp('calls-api', $t->{server}, $t->{c});
	my $ceiling = 1 / (1 / $t->{rps} + 1 / $q);
	push @ceilings, {
		server => $t->{server}, c => $t->{c},
		trivial_rps => $t->{rps}, query_qps => $q,
		ceiling_rps => $ceiling,
		endpoint_rps => $end ? $end->{rps} : undef,
		ratio => $end ? $end->{rps} / $ceiling : undef,
	};
}

sub ceiling {
	my ($server, $c) = @_;
	my ($x) = grep { $_->{server} eq $server && $_->{c} == $c } @ceilings;
	return $x;
}

# --- Depth ---------------------------------------------------------------
sub entries {	# index entries of calls read: the range scan itself
	my $h = shift;
	return sum_(map { $h->{$_} // 0 } qw(prev next first last));
}
my @depths = map { {
	label => $_->{label}, depth => $_->{depth},
	pct => 100 * $_->{depth} / $_->{rows},
	api_median_ms => $_->{http}{median_ms},
	api_p90_ms => $_->{http}{p90_ms},
	api_requests => $_->{http}{n},
	api_non200 => $_->{http}{non200},
	api_rows => $_->{http}{rows},
	keyset_sql_median_ms => $_->{keyset}{median_ms},
	keyset_sql_runs => $_->{keyset}{runs},
	keyset_index_entries => entries($_->{keyset}{handler}),
	keyset_key_reads => $_->{keyset}{handler}{key},
	keyset_handler => $_->{keyset}{handler},
	offset_sql_median_ms => $_->{offset}{median_ms},
	offset_sql_runs => $_->{offset}{runs},
	offset_sql_ms => $_->{offset}{ms},
	offset_index_entries => entries($_->{offset}{handler}),
	offset_key_reads => $_->{offset}{handler}{key},
	offset_handler => $_->{offset}{handler},
	# The minted cursor gives the page LIMIT/OFFSET gives.
	same_first_row => ($_->{http}{first_call_sid} // '') eq
	    ($_->{offset}{first_call_sid} // '-') ? JSON::PP::true :
	    JSON::PP::false,
} } @depth;

open my $dat, '>', $dat_file or die "report: $dat_file: $!\n";
print $dat "# depth_rows pct api_ms keyset_sql_ms offset_sql_ms label\n";
printf $dat "%d %.3f %.4f %.4f %.4f %s\n", $_->{depth}, $_->{pct},
    $_->{api_median_ms}, $_->{keyset_sql_median_ms},
    $_->{offset_sql_median_ms}, $_->{label} for @depths;
close $dat;

# --- Memory --------------------------------------------------------------
my @mem = map { {
	requests => $_->{requests}, vmrss_kib => $_->{status}{vmrss_kib},
	vmhwm_kib => $_->{status}{vmhwm_kib}, pid => $_->{pid},
} } @memory;

# --- Targets -------------------------------------------------------------
my @targets;
sub target {
	my ($name, $measured, $pass) = @_;
	push @targets, { target => $name, measured => $measured,
	    result => !defined $pass ? 'n/a' : $pass ? 'PASS' : 'FAIL' };
}
my ($ar, $lr) = ($meta->{apache_rated}, $meta->{lighttpd_rated});
for my $s ([apache => 'Apache + mod_fcgid', $ar], [lighttpd => 'lighttpd', $lr]) {
	my ($server, $name, $c) = @$s;
	my $x = ceiling($server, $c);
	target("$name, c=$c: endpoint >= 75 % of combined ceiling",
	    $x && defined $x->{ratio} ? sprintf('%.0f req/s of %.0f = %.0f %%',
	    $x->{endpoint_rps}, $x->{ceiling_rps}, 100 * $x->{ratio}) : 'missing',
	    $x && defined $x->{ratio} ? $x->{ratio} >= 0.75 : 0);
}
for my $s ([apache => 'Apache + mod_fcgid', $ar], [lighttpd => 'lighttpd', $lr]) {
	my ($server, $name, $c) = @$s;
	my $t = tp('calls-api', $server, $c);
	target("$name, c=$c: p99 <= 20 ms",
	    $t ? sprintf('p99 %.1f ms (median of %d runs; worst %.1f ms)',
	    $t->{p99_ms}, $t->{runs}, $t->{p99_ms_max}) : 'missing',
	    $t ? $t->{p99_ms} <= 20 : 0);
}
{
	my ($first) = grep { $_->{label} eq 'first' } @depths;
	my ($last) = grep { $_->{label} eq 'last' } @depths;
	target('last page median latency <= 1.2x first page',
	    $first && $last ? sprintf('%.2f ms vs %.2f ms = %.2fx',
	    $last->{api_median_ms}, $first->{api_median_ms},
	    $last->{api_median_ms} / $first->{api_median_ms}) : 'missing',
	    $first && $last ?
	    $last->{api_median_ms} <= 1.2 * $first->{api_median_ms} : 0);
	my $lim = $meta->{limit} + 5;
	my $worst = max_(map { $_->{keyset_index_entries} } @depths);
	target("index entries read per page <= limit + 5 ($lim) at every depth",
	    sprintf('at most %d (Handler_read_prev+next+first+last); '
	    . 'join + positioning lookups (Handler_read_key) %d-%d',
	    $worst, min_(map { $_->{keyset_key_reads} } @depths),
	    max_(map { $_->{keyset_key_reads} } @depths)),
	    @depths ? $worst <= $lim : 0);
	my ($deep) = grep { $_->{label} eq '99%' } @depths;
	my $f = $deep ? $deep->{offset_sql_median_ms} /
	    $deep->{keyset_sql_median_ms} : 0;
	target('OFFSET at 99 % orders of magnitude (>= 100x) slower than keyset',
	    $deep ? sprintf('%.0f ms vs %.2f ms (SQL) = %.0fx; vs the whole '
	    . 'API request %.2f ms = %.0fx', $deep->{offset_sql_median_ms},
	    $deep->{keyset_sql_median_ms}, $f, $deep->{api_median_ms},
	    $deep->{offset_sql_median_ms} / $deep->{api_median_ms}) : 'missing',
	    $deep ? $f >= 100 : 0);
	my $same = grep { !$_->{same_first_row} } @depths;
	target('minted cursor pages equal LIMIT/OFFSET pages (check)',
	    $same ? "$same depths differ" : 'first rows equal at every depth',
	    !$same);
}
{
	my ($m1) = grep { $_->{requests} >= $meta->{mem_first} } @mem;
	my $m2 = $mem[-1];
	my $grow = $m1 && $m2 ? $m2->{vmrss_kib} - $m1->{vmrss_kib} : undef;
	target('responder VmRSS <= 8 MiB',
	    $m2 ? sprintf('%d KiB after %d requests (peak VmHWM %d KiB)',
	    $m2->{vmrss_kib}, $m2->{requests}, $m2->{vmhwm_kib}) : 'missing',
	    $m2 ? max_(map { $_->{vmrss_kib} } @mem) <= 8192 : 0);
	target("no VmRSS growth from $meta->{mem_first} to $meta->{mem_total} "
	    . 'requests (<= 4 KiB, one page)',
	    defined $grow ? sprintf('%d KiB -> %d KiB (%+d KiB)',
	    $m1->{vmrss_kib}, $m2->{vmrss_kib}, $grow) : 'missing',
	    defined $grow ? $grow <= 4 : 0);
}
{
	my @end = grep { $_->{what} eq 'calls-api' } @throughput;
	my $bad = sum_(map { $_->{non2xx} } @end);
	my $err = sum_(map { $_->{socket_errors} } @throughput);
	my $depth_bad = sum_(map { $_->{api_non200} } @depths);
	target('zero non-2xx in every endpoint run',
	    sprintf('%d non-2xx in %d endpoint responses, %d in depth '
	    . 'requests; socket errors (all runs) %d', $bad,
	    sum_(map { $_->{requests} } @end), $depth_bad, $err),
	    $bad == 0 && $depth_bad == 0);
}

# --- Noise ---------------------------------------------------------------
my @spreads = map { $_->{spread_pct} } @throughput;
my $machine_s = sum_(map { $_->{cpu}{machine} } @wrk);
my $other_s = sum_(map { $_->{cpu}{other} } @wrk);
my $noise = {
	runs_per_configuration => $meta->{repeats},
	rps_spread_pct_median => median(@spreads),
	rps_spread_pct_max => max_(@spreads),
	background_cpu_pct => $machine_s ? 100 * $other_s / $machine_s : undef,
	loadavg_start => $meta->{loadavg_start},
	loadavg_end => $meta->{loadavg_end},
};

my $result = {
	meta => $meta, machine => $machine, throughput => \@throughput,
	query => \@queries, ceilings => \@ceilings, depth => \@depths,
	memory => \@mem, targets => \@targets, noise => $noise,
};
open my $jf, '>', $json_file or die "report: $json_file: $!\n";
print $jf JSON::PP->new->canonical->pretty->encode($result);
close $jf;

# --- The readable tables ---------------------------------------------------
my @md;
sub row { push @md, '| ' . join(' | ', @_) . ' |' }
sub f0 { defined $_[0] ? sprintf('%.0f', $_[0]) : '-' }
sub f1 { defined $_[0] ? sprintf('%.1f', $_[0]) : '-' }
sub f2 { defined $_[0] ? sprintf('%.2f', $_[0]) : '-' }

push @md, "Run of $meta->{date}: $machine->{nproc} CPUs ($machine->{cpu_model}), "
    . "$meta->{elapsed_s} s in all. Throughput: median of $meta->{repeats} "
    . "interleaved wrk runs of $meta->{seconds} s each, one connection per "
    . "wrk thread, keep-alive, following cursors through the "
    . "$meta->{rows}-row organisation; page body $meta->{page_body_bytes} "
    . "bytes, trivial body $meta->{trivial_body_bytes} bytes.", '';
push @md, '### Throughput and latency', '';
row('server', 'responder', 'conc.', 'req/s (min-max)', 'p50 ms', 'p99 ms',
    'max ms', 'non-2xx', 'sock. err', 'CPU µs/req: db / web / app / wrk / other');
row(('---') x 10);
for my $t (@throughput) {
	my $c = $t->{cpu_us_per_request};
	row($t->{server}, $t->{what}, $t->{c},
	    sprintf('%s (%s-%s)', f0($t->{rps}), f0($t->{rps_min}),
	    f0($t->{rps_max})), f2($t->{p50_ms}), f1($t->{p99_ms}),
	    f0($t->{max_ms}), $t->{non2xx}, $t->{socket_errors},
	    join(' / ', map { f0($c->{$_}) } qw(db web app client other)));
}
for my $q (@queries) {
	row('-', 'query_loop', $q->{procs},
	    sprintf('%s (%s-%s) queries/s', f0($q->{qps}), f0($q->{qps_min}),
	    f0($q->{qps_max})), '', '', '', '', '', '');
}
push @md, '', '### Ceilings', '';
row('server', 'conc.', 'trivial req/s', 'query q/s', 'combined ceiling',
    'endpoint req/s', 'endpoint / ceiling');
row(('---') x 7);
for my $x (@ceilings) {
	row($x->{server}, $x->{c}, f0($x->{trivial_rps}), f0($x->{query_qps}),
	    f0($x->{ceiling_rps}), f0($x->{endpoint_rps}),
	    defined $x->{ratio} ? sprintf('%.0f %%', 100 * $x->{ratio}) : '-');
}
push @md, '', "### Depth ($meta->{rows} rows, limit $meta->{limit})", '';
row('page', 'offset', 'API median ms', 'keyset SQL ms', 'keyset entries',
    'keyset key reads', 'OFFSET SQL ms', 'OFFSET entries', 'OFFSET key reads');
row(('---') x 9);
for my $d (@depths) {
	row($d->{label}, $d->{depth}, f2($d->{api_median_ms}),
	    f2($d->{keyset_sql_median_ms}), $d->{keyset_index_entries},
	    $d->{keyset_key_reads}, f1($d->{offset_sql_median_ms}),
	    $d->{offset_index_entries}, $d->{offset_key_reads});
}
push @md, '', "API: median of $meta->{depth_requests} requests per page through "
    . "Apache over one keep-alive connection (curl), the pages of every depth "
    . "in turn, round after round, so that drift falls on all alike. SQL: MariaDB's own duration "
    . "(SHOW PROFILES), median of $meta->{keyset_sql_runs} (keyset) and "
    . "$meta->{offset_runs} (OFFSET) runs. Entries: Handler_read_prev+next"
    . "+first+last (calls index entries); key reads: Handler_read_key "
    . "(positioning + agents lookups).";
push @md, '', '### Memory (one responder, lighttpd max-procs 1)', '';
row('requests served', 'VmRSS KiB', 'VmHWM KiB');
row(('---') x 3);
row($_->{requests}, $_->{vmrss_kib}, $_->{vmhwm_kib}) for @mem;
push @md, '', '### Targets', '';
row('target', 'measured', 'result');
row(('---') x 3);
row($_->{target}, $_->{measured}, $_->{result}) for @targets;
push @md, '', sprintf('Noise: req/s spread (max-min)/median across the '
    . '%d runs of a configuration: median %.0f %%, worst %.0f %%. CPU used '
    . 'by other processes during the wrk runs: %.0f %% of the machine\'s '
    . 'busy time. Load average %s at the start, %s at the end.',
    $meta->{repeats}, $noise->{rps_spread_pct_median} // 0,
    $noise->{rps_spread_pct_max} // 0, $noise->{background_cpu_pct} // 0,
    $meta->{loadavg_start}, $meta->{loadavg_end});

open my $mf, '>', $md_file or die "report: $md_file: $!\n";
print $mf "<!-- Generated by bench/report.pl (make bench). -->\n\n",
    join("\n", @md), "\n";
close $mf;
print join("\n", @md), "\n";
