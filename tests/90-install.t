#!/usr/bin/perl
# make install with PREFIX and DESTDIR: the binary, schema, configs, and
# drop-ins that point at the installed paths.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use File::Temp qw(tempdir);
use Test::More;
use Stack;

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
done_testing;
