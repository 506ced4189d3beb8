#!/usr/bin/perl
# make install with PREFIX and DESTDIR: the binary, schema, configs,
# drop-ins that point at the installed paths, and the man pages, which
# name those paths and render without a warning from groff.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use File::Temp qw(tempdir);
use Test::More;
use Stack;

plan skip_all => 'no responder C code here (make install); run by the '
    . 'plain build' if $ENV{SANITIZE};

my $top = Stack::top();
my $dest = tempdir(CLEANUP => 1);
my $out = `make -s -C '$top' install DESTDIR='$dest' PREFIX=/opt/calls 2>&1`;
is($?, 0, 'make install succeeds') or diag($out);
for my $f (qw(lib/calls-api/calls-api sbin/calls-api-setup
    etc/calls-api.cnf.example
    share/calls-api/schema/10-tables.sql
    share/calls-api/schema/20-responder-user.sql
    share/calls-api/openapi.yaml
    share/calls-api/apache/calls-api.conf
    share/calls-api/apache/htaccess.example
    share/calls-api/lighttpd/calls-api.conf)) {
	ok(-f "$dest/opt/calls/$f", "installed $f");
}
ok(-x "$dest/opt/calls/lib/calls-api/calls-api", 'binary is executable');
is(system('cmp', '-s', "$dest/opt/calls/share/calls-api/openapi.yaml",
    "$top/doc/openapi.yaml"), 0, 'the OpenAPI document, as it is in doc/');
my $setup = do { local (@ARGV, $/) = "$dest/opt/calls/sbin/calls-api-setup"; <> } // '';
like($setup, qr{^schema_dir='/opt/calls/share/calls-api/schema'$}m,
    'calls-api-setup finds the installed schema');
like($setup, qr{^conf='/opt/calls/etc/calls-api.cnf'$}m,
    '  and writes the installed config path');
my $conf = do { local (@ARGV, $/) = "$dest/opt/calls/share/calls-api/apache/calls-api.conf"; <> } // '';
like($conf, qr{Define CALLS_API_BIN /opt/calls/lib/calls-api/calls-api},
    'Apache drop-in points at the installed binary');
like($conf, qr{Define CALLS_API_CONF /opt/calls/etc/calls-api.cnf},
    '  and at the installed config');
unlike($conf, qr{/usr/local}, '  with no /usr/local left');

# The man pages: installed under MANDIR (default PREFIX/share/man), and
# rendered by man(1) with every groff warning on, without one. The source
# pages too (they hold the /usr/local defaults).
sub render {
	my ($file, $warnings) = @_;
	my $text = `MANWIDTH=80 man --warnings=$warnings -E UTF-8 -l '$file' 2>/dev/null`;
	my $err = `MANWIDTH=80 man --warnings=$warnings -E UTF-8 -l '$file' 2>&1 >/dev/null`;
	return ($text, $err);
}
my %page;
for my $name (qw(calls-api calls-api-key)) {
	my $f = "$dest/opt/calls/share/man/man8/$name.8";
	ok(-f $f, "installed share/man/man8/$name.8");
	is((stat $f)[2] & 07777, 0644, '  mode 0644');
	for my $file ($f, "$top/doc/$name.8") {
		for my $w ('mac', 'w') {
			my ($text, $err) = render($file, $w);
			is($err, '', "  man --warnings=$w -l "
			    . ($file eq $f ? 'installed' : 'source')
			    . " $name.8: no warning");
			ok(length $text > 2000, sprintf('  renders %d bytes',
			    length $text));
			$page{$name} = $text if $file eq $f;
		}
	}
}
my ($main, $key) = @page{qw(calls-api calls-api-key)};
like($main // '', qr{/opt/calls/lib/calls-api/calls-api}, 'calls-api(8) '
    . 'names the installed binary');
like($main // '', qr{/opt/calls/etc/calls-api\.cnf}, '  the installed '
    . 'config path');
like($main // '', qr{/opt/calls/share/calls-api/openapi\.yaml},
    '  and the installed OpenAPI document');
unlike(($main // '') . ($key // ''), qr{/usr/local}, '  no /usr/local left '
    . 'in either page');

# Every option the config reader knows (lib/config.c is the truth) and
# every signal cgi/main.c sets a disposition for is in calls-api(8).
my $config_c = do { local (@ARGV, $/) = "$top/lib/config.c"; <> } // '';
my @options = ($config_c =~ /strcmp\(key, "([a-z-]+)"\)/g,
    $config_c =~ /\{ "([a-z-]+)", [^}]*\}/g);
ok(@options >= 20, scalar(@options) . ' option names read from lib/config.c');
my @missing = grep { ($main // '') !~ /(?<![\w-])\Q$_\E(?![\w-])/ } @options;
is("@missing", '', '  each of them in calls-api(8)');
my $main_c = do { local (@ARGV, $/) = "$top/cgi/main.c"; <> } // '';
my @signals = $main_c =~ /sigaction\((SIG[A-Z0-9]+)/g;
ok(@signals >= 2, "signals of cgi/main.c: @signals");
@missing = grep { ($main // '') !~ /\b$_\b/ } @signals;
is("@missing", '', '  each in calls-api(8)');
# The key commands' exit statuses 0-9 (lib/error.c ca_exit_status).
my $error_c = do { local (@ARGV, $/) = "$top/lib/error.c"; <> } // '';
my ($exits) = $error_c =~ /ca_exit_status\(enum ca_err err\)\n\{(.*?)\n\}/s;
my %codes = map { $_ => 1 } ($exits // '') =~ /return (\d+);/g;
is(join(' ', sort { $a <=> $b } keys %codes), '0 1 2 3 4 5 6 7 8 9',
    'ca_exit_status gives 0 to 9');
my ($exit_section) = ($key // '') =~ /^EXIT STATUS\n(.*?)^\S/ms;
@missing = grep { ($exit_section // '') !~ /^ {7}$_ {2,}\S/m } sort keys %codes;
is("@missing", '', '  each described in calls-api-key(8) EXIT STATUS');

# MANDIR moves them.
my $dest2 = tempdir(CLEANUP => 1);
$out = `make -s -C '$top' install DESTDIR='$dest2' PREFIX=/opt/calls MANDIR=/opt/man 2>&1`;
is($?, 0, 'make install MANDIR=/opt/man') or diag($out);
ok(-f "$dest2/opt/man/man8/calls-api.8" && -f "$dest2/opt/man/man8/calls-api-key.8",
    '  puts both pages in /opt/man/man8');
done_testing;
