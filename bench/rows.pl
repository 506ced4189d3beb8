#!/usr/bin/perl
# bench/rows.pl: rows examined per page, for bench/rows.sh (make bench-rows).
#
#   rows.pl RUN_DIR SLOW_LOG BASE_URL KEY QUERIES OUT.jsonl
#
# For each line of QUERIES (bench/rows-queries.txt) walks the API from the
# first page along next_cursor, limit=$BENCH_ROWS_LIMIT (50), and measures
# the pages numbered in $BENCH_ROWS_PAGES ("1 100 20000") that the walk
# reaches (and its last page when it ends before the deepest of them), and
# for each measured page after the first the page before it through its
# prev_cursor. A measurement: MariaDB's slow log (SLOW_LOG,
# long_query_time=0 for the responder's sessions, set up by rows.sh) is
# switched on (SET GLOBAL slow_query_log = 1) for that one request only,
# then off; the entries it got from the responder's account are the
# page's statements: their Rows_examined (the server's own count: every
# row read, the agents lookups included), Query_time, and from the
# EXPLAIN the slow log carries (log_slow_verbosity=explain) the index the
# calls table was read by and its rows read (r_rows).
#
# BENCH_ROWS_BACK=0: no backward pages (for a build before prev_cursor).
# Any answer but 200 stops the bench with that answer (exit 1): a query
# string the API refuses has no figure. BENCH_ROWS_ONLY=REGEX measures only
# the queries whose name matches. One JSON object per measured page in
# OUT.jsonl; progress on stderr.
use strict;
use warnings;
use FindBin;
use HTTP::Tiny;
use JSON::PP;
use POSIX qw(strftime);
use Time::HiRes qw(sleep);

@ARGV == 6 or die "usage: rows.pl RUN_DIR SLOW_LOG BASE_URL KEY QUERIES OUT.jsonl\n";
my ($run, $slow_log, $base, $key, $queries, $out_file) = @ARGV;
my $top = "$FindBin::Bin/..";
my $limit = $ENV{BENCH_ROWS_LIMIT} // 50;
my @pages = split ' ', ($ENV{BENCH_ROWS_PAGES} // '1 100 20000');
my $only = $ENV{BENCH_ROWS_ONLY};
my $account = $ENV{BENCH_ROWS_ACCOUNT} // 'calls_api';
my $back = ($ENV{BENCH_ROWS_BACK} // 1) ne '0';
my $deepest = (sort { $b <=> $a } @pages)[0];
my %measure = map { $_ => 1 } @pages;
my $t0 = time;

sub say { printf STDERR "[rows %3ds] %s\n", time - $t0, "@_" }

# The queries: name, query string with {now-Nd} replaced.
my @q;
open my $qf, '<', $queries or die "rows: $queries: $!\n";
while (<$qf>) {
	next if /^\s*(#|$)/;
	my ($name, $qs) = /^(\S+)\s+(\S+)\s*$/
	    or die "rows: $queries:$.: want NAME QUERY_STRING, got: $_";
	$qs = '' if $qs eq '-';
	$qs =~ s/\{now-(\d+)d\}/strftime('%Y-%m-%dT%H:%M:%SZ',
	    gmtime($t0 - $1 * 86400))/ge;
	die "rows: $queries:$.: unknown placeholder in $qs\n" if $qs =~ /[{}]/;
	die "rows: $queries:$.: limit and cursor are the bench's\n"
	    if $qs =~ /(^|&)(limit|cursor)=/;
	push @q, [ $name, $qs ] if !defined $only || $name =~ /$only/;
}
close $qf;
die "rows: no query in $queries" . (defined $only ? " matches $only" : '')
    . "\n" unless @q;

my $http = HTTP::Tiny->new(keep_alive => 1, timeout => 60,
    default_headers => { Authorization => "Bearer $key" });

sub slow_log {
	my ($on) = @_;
	system("$top/scripts/db.sh", 'sql', $run, '-e',
	    "SET GLOBAL slow_query_log = $on") == 0
	    or die "rows: could not switch the slow log\n";
}

# One API request; dies on anything but 200. Returns the parsed page.
sub fetch {
	my ($name, $qs, $cursor) = @_;
	my $url = "$base?limit=$limit" . ($qs eq '' ? '' : "&$qs");
	if (defined $cursor) {
		(my $c = $cursor) =~ s/([^A-Za-z0-9._~-])/sprintf('%%%02X', ord $1)/ge;
		$url .= "&cursor=$c";
	}
	my $r = $http->get($url);
	if ($r->{status} != 200) {
		my $body = $r->{content} // '';
		$body = substr($body, 0, 500);
		die "rows: query '$name' ($qs): HTTP $r->{status}: $body\n"
		    . "rows: the API refuses this query string: no figure for it"
		    . " (a parameter the build does not know yet?)\n";
	}
	my $body = $r->{content};
	# The pagination object closes the body: read it there, not by
	# decoding 26 KB of JSON per page.
	my $tail = substr($body, -2048);
	my %p;
	for my $k (qw(next_cursor prev_cursor)) {
		$p{$k} = $tail =~ /"$k":"([^"]*)"/ ? $1 : undef;
	}
	($p{page_size}) = $tail =~ /"page_size":(\d+)/;
	($p{has_more}) = $tail =~ /"has_more":(true|false)/;
	defined $p{page_size} && defined $p{has_more}
	    or die "rows: query '$name': no pagination in the answer: "
	    . substr($body, 0, 300) . "\n";
	$p{has_more} = $p{has_more} eq 'true' ? 1 : 0;
	($p{first}) = $body =~ /"call_sid":"([^"]*)"/;
	return \%p;
}

# The slow log's entries from byte OFF on: [{user, rows_examined, ...}].
sub entries_since {
	my ($off) = @_;
	open my $fh, '<', $slow_log or die "rows: $slow_log: $!\n";
	seek $fh, $off, 0 or die "rows: seek $slow_log: $!\n";
	my (@e, $cur);
	while (my $l = <$fh>) {
		chomp $l;
		if ($l =~ /^# User\@Host: (\w+)\[/) {
			$cur = { user => $1, text => '', explain => [] };
			push @e, $cur;
		} elsif (!$cur || $l =~ /^# Time:/) {
			next;
		} elsif ($l =~ /Query_time: ([\d.]+).*Rows_examined: (\d+)/) {
			$cur->{query_ms} = $1 * 1e3;
			$cur->{rows_examined} = $2 + 0;
		} elsif ($l =~ /^# explain: (.*)/) {
			push @{ $cur->{explain} }, [ split /\t/, $1 ];
		} elsif ($l !~ /^#/ && $l !~ /^(SET timestamp=\d+;|use `\w+`;)$/) {
			$cur->{text} .= "$l\n";
		}
	}
	close $fh;
	return \@e;
}

# From an entry's EXPLAIN: "key (r_rows)" of the calls table (alias c or
# calls), and its r_rows as a number.
sub calls_access {
	my ($e) = @_;
	my @rows = @{ $e->{explain} };
	my $head = shift @rows or return ('-', undef);
	my %col;
	@col{@$head} = 0 .. $#$head;
	for my $r (@rows) {
		my $t = $r->[ $col{table} // 2 ] // '';
		next unless $t eq 'c' || $t eq 'calls';
		my $k = $r->[ $col{key} // 5 ] // 'NULL';
		my $rr = defined $col{r_rows} ? $r->[ $col{r_rows} ] : undef;
		return ($k, $rr eq 'NULL' ? undef : $rr + 0) if defined $rr;
		return ($k, undef);
	}
	return ('-', undef);
}

open my $out, '>', $out_file or die "rows: $out_file: $!\n";
$out->autoflush(1);

# One measured request: the slow log on for it alone.
sub measured {
	my ($name, $qs, $cursor, $page, $dir, $want_first) = @_;
	my $off = -s $slow_log // 0;
	slow_log(1);
	my $p = fetch($name, $qs, $cursor);
	# The server writes a statement's entry just after sending its
	# result: give it that moment before switching the log off.
	sleep 0.05;
	slow_log(0);
	my @mine = grep { $_->{user} eq $account } @{ entries_since($off) };
	my @page = grep { $_->{text} =~ /\bFROM\s+calls\b/i } @mine;
	die "rows: query '$name' page $page ($dir): no statement on calls in"
	    . " the slow log ($slow_log)\n" unless @page;
	my ($rows, $ms, $read) = (0, 0, 0);
	my @keys;
	for my $e (@page) {
		$rows += $e->{rows_examined} // 0;
		$ms += $e->{query_ms} // 0;
		my ($k, $rr) = calls_access($e);
		push @keys, $k;
		$read = defined $rr && defined $read ? $read + $rr : undef;
	}
	my $rec = {
		query => $name, query_string => $qs, page => $page,
		direction => $dir, limit => 0 + $limit,
		page_size => 0 + $p->{page_size}, has_more => $p->{has_more},
		statements => scalar @page, other_statements => @mine - @page,
		rows_examined => $rows, calls_rows_read => $read,
		calls_index => join(',', @keys), query_ms => $ms,
	};
	if (defined $want_first) {
		$rec->{same_as_forward} =
		    ($p->{first} // '') eq $want_first ? JSON::PP::true
		    : JSON::PP::false;
	}
	print $out JSON::PP->new->canonical->encode($rec), "\n";
	say(sprintf('%-16s page %5d %-4s %2d rows, has_more %d: %5d rows'
	    . ' examined, calls by %s', $name, $page, $dir, $p->{page_size},
	    $p->{has_more}, $rows, $rec->{calls_index}));
	return $p;
}

# A measured page, then (after the first) the page its prev_cursor gives.
sub measured_pair {
	my ($name, $qs, $cursor, $page, $prev_first) = @_;
	my $p = measured($name, $qs, $cursor, $page, 'next');
	if ($page > 1 && $back) {
		defined $p->{prev_cursor} or die "rows: query '$name' page"
		    . " $page: no prev_cursor\n";
		measured($name, $qs, $p->{prev_cursor}, $page - 1, 'back',
		    $prev_first);
	}
	return $p;
}

for my $qq (@q) {
	my ($name, $qs) = @$qq;
	my ($cursor, $page, $prev_first) = (undef, 0);
	while (1) {
		$page++;
		my $p = $measure{$page}
		    ? measured_pair($name, $qs, $cursor, $page, $prev_first)
		    : fetch($name, $qs, $cursor);
		last if $page >= $deepest || !defined $p->{next_cursor};
		$prev_first = $p->{first};
		$cursor = $p->{next_cursor};
	}
	# A walk that ended before the deepest page: its last page too, asked
	# again with the same cursor.
	measured_pair($name, $qs, $cursor, $page, $prev_first)
	    if !$measure{$page};
	my @missing = grep { $_ > $page } @pages;
	say("$name: $page pages walked" . (@missing ?
	    ", none numbered @missing" : ''));
	print $out JSON::PP->new->canonical->encode({ query => $name,
	    query_string => $qs, walked => $page }), "\n";
}
close $out;
