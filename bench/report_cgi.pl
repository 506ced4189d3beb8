#!/usr/bin/perl
# bench/report_cgi.pl RAW.jsonl OUT.md OUT.json
#
# Turns bench/cgi.sh's measurements into the CGI tables (markdown, also
# printed) and run/bench-cgi.json: per variant the median req/s of the
# interleaved wrk runs and its ratio to the trivial CGI program, the
# median and worst p99, and the start-up cost without a web server.
use strict;
use warnings;
use JSON::PP;

@ARGV == 3 or die "usage: report_cgi.pl RAW.jsonl OUT.md OUT.json\n";
my ($raw_file, $md_file, $json_file) = @ARGV;

my (@order, %variant, %runs, %exec, $meta);
open my $in, '<', $raw_file or die "report_cgi: $raw_file: $!\n";
while (my $line = <$in>) {
	my $r = decode_json($line);
	if ($r->{kind} eq 'cgi_variant') {
		push @order, $r->{what};
		$variant{$r->{what}} = $r;
	} elsif ($r->{kind} eq 'cgi_wrk') {
		push @{ $runs{$r->{what}} }, $r->{res};
	} elsif ($r->{kind} eq 'cgi_exec') {
		$exec{$r->{what}} = $r;
	} elsif ($r->{kind} eq 'cgi_meta') {
		$meta = $r;
	}
}
close $in;
die "report_cgi: no meta record\n" unless $meta;

sub median {
	my @s = sort { $a <=> $b } grep { defined } @_;
	return undef unless @s;
	return @s % 2 ? $s[$#s / 2] : ($s[@s / 2 - 1] + $s[@s / 2]) / 2;
}
sub max_ { my $m; for (@_) { $m = $_ if !defined $m || $_ > $m } $m }
sub min_ { my $m; for (@_) { $m = $_ if !defined $m || $_ < $m } $m }
sub sum_ { my $s = 0; $s += $_ for @_; $s }

my (@rows, %by);
for my $name (@order) {
	my @r = @{ $runs{$name} // [] };
	my $t = {
		what => $name, binary => $variant{$name}{binary},
		linked => $variant{$name}{linked},
		body_bytes => $variant{$name}{body_bytes},
		runs => scalar @r,
		rps => median(map { $_->{rps} } @r),
		rps_min => min_(map { $_->{rps} } @r),
		rps_max => max_(map { $_->{rps} } @r),
		p50_ms => median(map { $_->{p50_us} / 1e3 } @r),
		p99_ms => median(map { $_->{p99_us} / 1e3 } @r),
		p99_worst_ms => max_(map { $_->{p99_us} / 1e3 } @r),
		requests => sum_(map { $_->{requests} } @r),
		non2xx => sum_(map { $_->{non2xx} } @r),
		socket_errors => sum_(map { my $e = $_->{socket_errors};
		    $e->{connect} + $e->{read} + $e->{write} + $e->{timeout} } @r),
		exec => $exec{$name},
	};
	$t->{spread_pct} = $t->{rps} ? 100 * ($t->{rps_max} - $t->{rps_min})
	    / $t->{rps} : undef;
	push @rows, $t;
	$by{$name} = $t;
}
my $trivial = $by{trivial} or die "report_cgi: no trivial variant\n";
for my $t (@rows) {
	$t->{ratio} = $trivial->{rps} ? $t->{rps} / $trivial->{rps} : undef;
	# Ratios within each round (same moment of the machine's drift).
	my @pair;
	for my $i (0 .. $#{ $runs{$t->{what}} // [] }) {
		my $a = $runs{trivial}[$i] or next;
		push @pair, $runs{$t->{what}}[$i]{rps} / $a->{rps} if $a->{rps};
	}
	$t->{ratio_per_round} = \@pair;
	$t->{ratio_round_median} = median(@pair);
}

my @targets;
for my $name (grep { $_ eq 'dynamic' || $_ eq 'static' } @order) {
	my $t = $by{$name};
	push @targets, {
		target => "calls-api CGI ($name) req/s >= 60 % of the trivial CGI's",
		measured => sprintf('%.0f of %.0f req/s = %.0f %% (per round: %s)',
		    $t->{rps}, $trivial->{rps}, 100 * $t->{ratio},
		    join(', ', map { sprintf '%.0f', 100 * $_ }
		    @{ $t->{ratio_per_round} })),
		result => $t->{ratio} >= 0.60 ? 'PASS' : 'FAIL',
	};
}
{
	my @real = grep { $_->{what} ne 'trivial' } @rows;
	push @targets, {
		target => 'zero non-2xx and socket errors in every CGI run',
		measured => sprintf('%d non-2xx in %d responses, %d socket errors',
		    sum_(map { $_->{non2xx} } @rows),
		    sum_(map { $_->{requests} } @rows),
		    sum_(map { $_->{socket_errors} } @rows)),
		result => (sum_(map { $_->{non2xx} + $_->{socket_errors} } @rows)
		    == 0) ? 'PASS' : 'FAIL',
	};
}
my @spreads = grep { defined } map { $_->{spread_pct} } @rows;

open my $jf, '>', $json_file or die "report_cgi: $json_file: $!\n";
print $jf JSON::PP->new->canonical->pretty->encode({ meta => $meta,
    variants => \@rows, targets => \@targets });
close $jf;

my @md;
sub row { push @md, '| ' . join(' | ', @_) . ' |' }
sub f0 { defined $_[0] ? sprintf('%.0f', $_[0]) : '-' }
sub f1 { defined $_[0] ? sprintf('%.1f', $_[0]) : '-' }

push @md, "CGI run of $meta->{date}: $meta->{nproc} CPUs, $meta->{elapsed_s} s"
    . ($meta->{standalone} ? ' (make bench-cgi)' : ' (within make bench)')
    . ". Apache 2.4 mpm_event + mod_cgid, the shipped .htaccess, one Apache "
    . "per variant; wrk with $meta->{conc} connections (keep-alive) for "
    . "$meta->{seconds} s, GET /api/calls?limit=$meta->{limit} following "
    . "cursors; the variants in turn, $meta->{repeats} rounds; medians.", '';
push @md, '| variant | binary | req/s median (min-max) | ratio to trivial '
    . '(per-round median) | p50 ms | p99 ms (worst) | non-2xx | body bytes |';
push @md, '| --- | --- | --- | --- | --- | --- | --- | --- |';
for my $t (@rows) {
	row($t->{what}, $t->{linked},
	    sprintf('%s (%s-%s)', f0($t->{rps}), f0($t->{rps_min}),
	    f0($t->{rps_max})),
	    sprintf('%.0f %% (%.0f %%)', 100 * ($t->{ratio} // 0),
	    100 * ($t->{ratio_round_median} // 0)),
	    f1($t->{p50_ms}), sprintf('%s (%s)', f1($t->{p99_ms}),
	    f1($t->{p99_worst_ms})), $t->{non2xx}, $t->{body_bytes});
}
push @md, '', "Start-up without a web server (bench/exec_time: each binary "
    . "$meta->{execs} times in turn, one request's CGI environment, stdout "
    . "to /dev/null):", '';
row('variant', 'wall median µs', 'wall p90 µs', 'CPU median µs (user+sys)',
    'CPU over trivial µs');
row(('---') x 5);
for my $t (@rows) {
	my $e = $t->{exec} or next;
	row($t->{what}, $e->{wall_us}, $e->{wall_p90_us}, $e->{cpu_us},
	    $t->{what} eq 'trivial' ? '-' : $e->{cpu_us} -
	    ($trivial->{exec}{cpu_us} // 0));
}
push @md, '', '| target | measured | result |', '| --- | --- | --- |';
row($_->{target}, $_->{measured}, $_->{result}) for @targets;
push @md, '', sprintf('Noise: req/s spread (max-min)/median across the runs '
    . 'of a variant: median %.0f %%, worst %.0f %%. Load average %s at the '
    . 'start, %s at the end.', median(@spreads) // 0, max_(@spreads) // 0,
    $meta->{loadavg_start}, $meta->{loadavg_end});

open my $mf, '>', $md_file or die "report_cgi: $md_file: $!\n";
print $mf "<!-- Generated by bench/report_cgi.pl (make bench-cgi or make "
    . "bench). -->\n\n", join("\n", @md), "\n";
close $mf;
print join("\n", @md), "\n";
