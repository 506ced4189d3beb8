#!/usr/bin/perl
# Security properties checked on the source and on the live database:
# no SQL text built at run time (the responder's statements and those of
# calls-api key each in one fixed table), the cursor MAC compared in constant time,
# and the responder's database account can only SELECT.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Stack;

my $top = Stack::top();
my %src = map { my $f = $_; local (@ARGV, $/) = $f; ($f =~ s{^\Q$top\E/}{}r, <>) }
    glob("$top/lib/*.[ch] $top/cgi/*.c");
ok(keys %src > 10, 'read ' . keys(%src) . ' source files');

# Only prepared statements: no text-protocol query calls at all.
my @text_query = grep { $src{$_} =~ /\bmysql_(real_)?query\s*\(|\bmysql_send_query\s*\(|\bmysql_real_escape_string/ } sort keys %src;
is("@text_query", '', 'no mysql_query / mysql_real_query / escaping anywhere');

# SQL lives in two fixed tables of string literals (no format strings):
# lib/sql.c, the responder's, and lib/key_db.c, calls-api key's (which
# runs with another account, from a shell).
my %sql_files = map { $_ => 1 } qw(lib/sql.c lib/key_db.c);
my @sql_elsewhere = grep { !$sql_files{$_}
    && $src{$_} =~ /"[^"\n]*\b(SELECT|INSERT|UPDATE|DELETE)\s[^"\n]*"/ }
    sort keys %src;
is("@sql_elsewhere", '', 'SQL text appears only in lib/sql.c and lib/key_db.c');
my ($table) = $src{'lib/sql.c'} =~ /(const char \*const sql_text.*?\n\};)/s;
ok($table, 'lib/sql.c has the statement table');
unlike($table // '', qr/%[sdu]/, '  with no format directives in it');
unlike($src{'lib/sql.c'}, qr/\b(s?n?printf|strcat|strcpy)\s*\(/,
    '  and lib/sql.c formats no strings');
my @prepares = $src{'lib/db.c'} =~ /mysql_stmt_prepare\(([^;]*)\)/gs;
is(scalar @prepares, 1, 'one call to mysql_stmt_prepare');
like($prepares[0] // '', qr/^st, text, strlen\(text\)/, '  in prepare()');
# prepare() gets the fixed table's text, or the listing's, which
# sql_shape_text() assembles from constant fragments of lib/sql.c (no
# format directives, no printf there: checked above).
my @callers = $src{'lib/db.c'} =~ /\bprepare\(db, ([^,]+), err\)/g;
is("@callers", 'sql db->stmt_text[i]',
    '  on the fixed table, or on a text db_stmt_keyed has built');
like($src{'lib/db.c'}, qr/text\(key, arg, sql, sizeof\(sql\)\)/,
    '  (built by the callback, from the shape key alone)');
my @fragments = $src{'lib/sql.c'} =~ /"((?:[^"\\\n]|\\.)*)"/g;
my @sql_fragments = grep { /\b(SELECT|FROM|WHERE|AND|ORDER BY|LIMIT)\b/ }
    @fragments;
ok(@sql_fragments >= 10 && !grep({ /%/ } @sql_fragments),
    '  lib/sql.c: ' . scalar(@sql_fragments) . ' SQL fragments, no % in any');
my ($key_table) = $src{'lib/key_db.c'}
    =~ /(static const char \*const key_sql\[.*?\n\};)/s;
ok($key_table, 'lib/key_db.c has the statement table of calls-api key');
unlike($key_table // '', qr/%[sdu]/, '  with no format directives in it');
my @key_prepares = $src{'lib/key_db.c'} =~ /mysql_stmt_prepare\(([^;]*)\)/gs;
is(scalar @key_prepares, 1, '  one call to mysql_stmt_prepare there');
like($key_prepares[0] // '',
    qr/^st, key_sql\[which\], strlen\(key_sql\[which\]\)\)/,
    '  on that fixed table only');
my @other = grep { !/^lib\/(key_)?db\.c$/ && $src{$_} =~ /mysql_stmt_prepare/ }
    keys %src;
is("@other", '', '  nowhere else');

# Secrets compared in constant time. The key cache's comparison is checked
# by behaviour in tests/unit/test_auth.c (a cache hit goes through
# CRYPTO_memcmp over the whole hash; a hash differing in any one character
# is no hit); the cursor MAC is still checked on the source text here.
like($src{'lib/cursor.c'}, qr/CRYPTO_memcmp\(mac, want/,
    'cursor MAC compared with CRYPTO_memcmp');
unlike($src{'lib/cursor.c'},
    qr/\b(memcmp|strcmp|strncmp)\s*\(\s*(mac|want)\b/,
    '  and never with memcmp/strcmp');

# Keys are only ever stored hashed.
my $schema = do { local (@ARGV, $/) = "$top/schema/10-tables.sql"; <> };
like($schema, qr/key_hash\s+CHAR\(64\)/, 'api_keys stores a SHA-256 hex');
unlike($schema, qr/api_keys[^;]*\b(key|api_key|secret)\s+(VAR)?CHAR/si,
    '  and no plain key column');

# The responder's account: SELECT on three tables, nothing more.
my $st = Stack->new(data => 'none');
my $grants = $st->sql("SHOW GRANTS FOR 'calls_api'\@'localhost'");
my @grants = grep { !/^GRANT USAGE ON \*\.\*/ } split /\n/, $grants;
is(scalar @grants, 3, 'three grants besides USAGE');
ok(!(grep { !/^GRANT SELECT ON `calls`\.`(calls|agents|api_keys)` TO/ }
    @grants), '  each SELECT on one table') or diag($grants);
done_testing;
