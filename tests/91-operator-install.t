#!/usr/bin/perl
# The operator's path on a server of their own, as the README's "Installing
# on a Debian server" says: make install into a clean prefix, then
# calls-api-setup against a MariaDB that knows nothing of calls-api (a
# private one standing in for the system's), then Apache including the
# installed drop-in as a2enconf would, and a key made with the README's
# openssl recipe. Checks each friction of issue 10 section 5: the database
# and its charset, the account's password, the config file's group and
# mode, and a real page through the installed binary.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Stack;

# Its one page through the installed binary (Apache mod_fcgid, an option
# file 0640 root:www-data) takes the same C path as 20-contract and
# 55-keys, which the sanitizer build runs; the rest is packaging.
plan skip_all => 'packaging (make install, calls-api-setup); run by the '
    . 'plain build' if $ENV{SANITIZE};

my $top = Stack::top();
my $root = $> == 0;
# As root the web server's children run as www-data; else as us.
my $group = $root ? 'www-data' : scalar getgrgid($) + 0);
my $admin_user = getpwuid($<);

my $st = Stack->new(empty_db => 1);
my $dir = $st->dir;
my $prefix = "$dir/prefix";
my $sock = "$dir/mysql.sock";

sub admin {
	my ($q, $db) = @_;
	return $st->run_script("$top/scripts/db.sh", 'sql', $dir, '-N', '-B',
	    '-e', $q, defined $db ? ($db) : ());
}
sub slurp { local (@ARGV, $/) = @_; <> }

# 1. make install into a clean prefix (real paths, no DESTDIR).
my $out = `make -s -C '$top' install PREFIX='$prefix' 2>&1`;
is($?, 0, 'make install PREFIX=<clean prefix>') or diag($out);
my $setup = "$prefix/sbin/calls-api-setup";
ok(-x $setup, 'calls-api-setup installed in sbin');
unlike(slurp($setup), qr/\@(DATADIR|SYSCONFDIR|LIBEXECDIR)\@/,
    '  with the installed paths filled in');
is((stat "$prefix/etc/calls-api.cnf.example")[2] & 07777, 0644,
    'the example config is 0644 (it holds no secret)');

# 2. The account file loaded as it is fails loudly and creates nothing.
# (Into a database that has the tables: the password is all it lacks.)
admin('CREATE DATABASE scratch');
$st->run_script('sh', '-c', "'$top/scripts/db.sh' sql '$dir' scratch"
    . " < '$prefix/share/calls-api/schema/10-tables.sql'");
$out = `'$top/scripts/db.sh' sql '$dir' scratch < '$prefix/share/calls-api/schema/20-responder-user.sql' 2>&1`;
isnt($?, 0, '20-responder-user.sql without a password fails');
like($out, qr/SET \@calls_api_password first/, '  saying what to do')
    or diag($out);
is(admin("SELECT COUNT(*) FROM mysql.user WHERE User = 'calls_api'"), 0,
    '  and creates no account');
admin('DROP DATABASE scratch');

# 3. calls-api-setup: database, schema, account, config file. The server's
# own default charset is not ours: what setup creates must say utf8mb4.
is(admin('SELECT @@character_set_server'), 'latin1',
    "the stand-in server's default charset is latin1");
my @setup = ($setup, '--socket', $sock, '--group', $group, '--',
    '--no-defaults', "--user=$admin_user");
my $cmd = join ' ', map { Stack::quote($_) } @setup;
$out = `$cmd 2>&1`;
is($?, 0, 'calls-api-setup succeeds') or diag($out);
like($out, qr/systemctl reload apache2/, '  and says to reload the web server')
    or diag($out);

is(admin("SELECT CONCAT(DEFAULT_CHARACTER_SET_NAME, ' ', DEFAULT_COLLATION_NAME)
    FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = 'calls'"),
    'utf8mb4 utf8mb4_bin', 'database calls created utf8mb4 / utf8mb4_bin');
is(admin("SELECT GROUP_CONCAT(TABLE_NAME ORDER BY TABLE_NAME)
    FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'calls'"),
    'agents,api_keys,calls', '  with the three tables');
my @grants = grep { !/^GRANT USAGE ON \*\.\*/ }
    split /\n/, admin("SHOW GRANTS FOR 'calls_api'\@'localhost'");
is(scalar(grep { /^GRANT SELECT ON `calls`\.`(calls|agents|api_keys)` TO/ }
    @grants), 3, 'account calls_api: SELECT on the three tables')
    or diag(join "\n", @grants);
is(scalar @grants, 3, '  and nothing else');

my $conf = "$prefix/etc/calls-api.cnf";
my @st = stat $conf;
is($st[2] & 07777, 0640, 'config file written 0640');
is($st[5], scalar getgrnam($group), "  group $group");
is($st[4], $<, '  owned by the user who ran setup (root on a server)');
SKIP: {
	skip 'not root: the web server runs as us', 1 unless $root;
	is(system('runuser', '-u', 'www-data', '--', 'test', '-r', $conf), 0,
	    '  readable by www-data');
}
my $text = slurp($conf);
my ($password) = $text =~ /^password=(.*)$/m;
like($password // '', qr/^[0-9a-f]{32}$/, 'a random password');
like($text, qr/^cursor-secret=[0-9a-f]{64}$/m, 'a random cursor secret');
like($text, qr/^socket=\Q$sock\E$/m, 'the socket given');
like($text, qr/^database=calls$/m, 'the database');

# The account takes that password and no placeholder.
my $login = "mariadb --no-defaults --socket='$sock' --user=calls_api -N -B calls"
    . " -e 'SELECT COUNT(*) FROM api_keys'";
is(`$login --password='$password' 2>&1`, "0\n",
    'calls_api logs in with the password of the config file');
`$login --password='\@\@RESPONDER_PASSWORD\@\@' 2>&1`;
isnt($?, 0, '  and not with the literal @@RESPONDER_PASSWORD@@');

# 4. A key by the README's recipe (openssl), and three calls.
my $key = 'ck_' . `openssl rand -hex 20`;
chomp $key;
like($key, qr/^ck_[0-9a-f]{40}$/, 'openssl makes a key');
admin("INSERT INTO api_keys (key_hash, client_id, label)
    VALUES (SHA2('$key', 256), 'org_ops', 'ops');
    INSERT INTO calls (call_sid, client_id, to_number, agent_id, created_at)
    VALUES ('call_a', 'org_ops', '+15550001', 'agent_1', '2026-01-01 10:00:01'),
           ('call_b', 'org_ops', '+15550002', 'agent_1', '2026-01-01 10:00:02'),
           ('call_c', 'org_ops', '+15550003', 'agent_1', '2026-01-01 10:00:03')",
    'calls');

# 5. Apache with the installed drop-in, as a2enconf would include it.
{
	local $ENV{APACHE_DROPIN} = "$prefix/share/calls-api/apache/calls-api.conf";
	$st->start_web('apache', "$prefix/lib/calls-api/calls-api");
}
my $r = $st->get('apache', '/api/calls?limit=2', $key);
is($r->{status}, 200, 'GET /api/calls through the installed drop-in: 200')
    or diag($r->{raw});
is(join(',', map { $_->{call_sid} } @{ $r->{json}{data} // [] }),
    'call_c,call_b', '  the newest two calls');
my $cursor = $r->{json}{pagination}{next_cursor} // '';
$r = $st->get('apache', "/api/calls?limit=2&cursor=$cursor", $key);
is(join(',', map { $_->{call_sid} } @{ $r->{json}{data} // [] }), 'call_a',
    '  next_cursor: the last one');
ok(defined $r->{json} && !$r->{json}{pagination}{has_more}, '  and no more');
is($st->get('apache', '/api/calls', 'ck_wrong')->{status}, 401,
    'a wrong key: 401');

# 6. Running setup again keeps the config (and so the cursors) and serves.
$out = `$cmd 2>&1`;
is($?, 0, 'calls-api-setup again') or diag($out);
is(slurp($conf), $text, '  keeps the config file as it was');
is(`$login --password='$password' 2>&1`, "1\n",
    '  whose password the account still takes (it sees the one key)');
is($st->get('apache', '/api/calls?limit=1', $key)->{status}, 200,
    '  and the responder still answers 200');

# A copy of the example in place of a config: refused, not overwritten.
my $copy = "$dir/copied.cnf";
system('cp', "$prefix/etc/calls-api.cnf.example", $copy) == 0 or die;
my $before = slurp($copy);
$out = `@{[ join ' ', map { Stack::quote($_) } $setup, '--socket', $sock,
    '--group', $group, '--conf', $copy, '--', '--no-defaults',
    "--user=$admin_user" ]} 2>&1`;
isnt($?, 0, 'setup with a copy of the example as config: refused');
like($out, qr/holds no password/, '  saying why') or diag($out);
is(slurp($copy), $before, '  and the file is left alone');

# 7. An upgrade: a database made by an earlier release (its calls table
# has no filter indexes and no calls_by_call_sid, and CREATE TABLE IF NOT
# EXISTS does not add them), with rows. Setup adds the six filter indexes
# and the unique one-call key and keeps the rows; run again, it alters
# nothing; with one index dropped, it adds that one only; with two calls of
# one organisation sharing a call_sid (the old key dropped), it adds none
# and says what to do. (Its own config file: a second database. The
# account's password changes, which the Apache above no longer needs.)
my @want = map { "calls_by_$_" }
    qw(agent_id call_sid call_type end_reason from_number status to_number);
my $fixture = "$top/tests/fixtures/10-tables-929fa63.sql";
admin('CREATE DATABASE legacy CHARACTER SET utf8mb4 COLLATE utf8mb4_bin');
$st->run_script('sh', '-c', "'$top/scripts/db.sh' sql '$dir' legacy"
    . " < '$fixture'");
admin("INSERT INTO calls (call_sid, client_id, to_number, from_number,
    agent_id, call_type, status, created_at, end_reason)
    SELECT CONCAT('call_', seq), 'org_old', CONCAT('+1555', seq % 7),
        IF(seq % 5 = 0, NULL, '+15550000'), CONCAT('agent_', seq % 3),
        'inbound', IF(seq % 4 = 0, NULL, 'completed'),
        '2025-01-01' + INTERVAL seq SECOND, 'user_hangup'
    FROM seq_1_to_2000", 'legacy');
sub legacy_indexes {
	return admin("SELECT GROUP_CONCAT(INDEX_NAME, '(', cols, ')'
	    ORDER BY INDEX_NAME SEPARATOR ' ') FROM (SELECT INDEX_NAME,
	    GROUP_CONCAT(COLUMN_NAME ORDER BY SEQ_IN_INDEX) AS cols
	    FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = 'legacy'
	    AND TABLE_NAME = 'calls' AND INDEX_NAME LIKE 'calls\\_by\\_%'
	    GROUP BY INDEX_NAME) AS i");
}
sub legacy_rows {
	return admin('CHECKSUM TABLE legacy.calls') =~ s/^\S+\s+//r;
}
sub alters { admin("SHOW GLOBAL STATUS LIKE 'Com_alter_table'") =~ s/^\S+\s+//r }
is(legacy_indexes(), 'NULL', 'a database of the earlier release: no filter'
    . ' indexes, no calls_by_call_sid');
my $rows = legacy_rows();
my $legacy_conf = "$dir/legacy.cnf";
my $legacy_cmd = join ' ', map { Stack::quote($_) } $setup, '--socket',
    $sock, '--database', 'legacy', '--conf', $legacy_conf, '--group', $group,
    '--', '--no-defaults', "--user=$admin_user";
$out = `$legacy_cmd 2>&1`;
is($?, 0, 'calls-api-setup on it succeeds') or diag($out);
like($out, qr/adding indexes to calls: \Q@want\E/,
    '  saying which indexes it adds') or diag($out);
is(legacy_indexes(), join(' ', map {
    my $c = s/^calls_by_//r; $c eq 'call_sid' ? "$_(client_id,call_sid)"
    : "$_(client_id,$c,created_at,call_sid)" } @want),
    '  the six, each (client_id, <filter>, created_at, call_sid), and'
    . ' calls_by_call_sid (client_id, call_sid)');
is(admin("SELECT GROUP_CONCAT(INDEX_NAME ORDER BY INDEX_NAME) FROM
    information_schema.STATISTICS WHERE TABLE_SCHEMA = 'legacy' AND
    TABLE_NAME = 'calls' AND NON_UNIQUE = 0 AND SEQ_IN_INDEX = 1"),
    'calls_by_call_sid,calls_call_sid,PRIMARY',
    '  calls_by_call_sid unique; the old calls_call_sid kept');
is(legacy_rows(), $rows, '  the rows as they were (CHECKSUM TABLE)');
is(admin('SELECT COUNT(*) FROM legacy.calls'), 2000, '  all 2000 of them');
my $indexes = legacy_indexes();
my $alters = alters();
my $create = admin('SHOW CREATE TABLE legacy.calls');
$out = `$legacy_cmd 2>&1`;
is($?, 0, 'calls-api-setup again') or diag($out);
like($out, qr/calls has the filter indexes and calls_by_call_sid/,
    '  finds them there') or diag($out);
is(alters(), $alters, '  and alters no table (Com_alter_table)');
is(admin('SHOW CREATE TABLE legacy.calls'), $create, '  the table unchanged');
admin('ALTER TABLE legacy.calls DROP INDEX calls_by_agent_id');
$out = `$legacy_cmd 2>&1`;
is($?, 0, 'with calls_by_agent_id dropped, setup again') or diag($out);
like($out, qr/adding indexes to calls: calls_by_agent_id\n/,
    '  adds that one only') or diag($out);
is(legacy_indexes(), $indexes, '  the seven indexes again');
is(legacy_rows(), $rows, '  the rows still as they were');
admin('ALTER TABLE legacy.calls DROP INDEX calls_call_sid,
    DROP INDEX calls_by_call_sid, DROP INDEX calls_by_status');
admin("INSERT INTO calls (call_sid, client_id, to_number, agent_id,
    created_at) VALUES ('call_7', 'org_old', '+1555', 'agent_1',
    '2024-06-01')", 'legacy');
$out = `$legacy_cmd 2>&1`;
isnt($?, 0, 'with call_7 of org_old twice, setup fails') or diag($out);
like($out, qr/Duplicate entry 'org_old-call_7' for key 'calls_by_call_sid'/,
    "  with MariaDB's error") or diag($out);
my $find = 'GROUP BY client_id, call_sid HAVING COUNT(*) > 1;';
like($out, qr/share a call_sid.*no index was added.*\Q$find\E/,
    '  saying what to do') or diag($out);
unlike(legacy_indexes(), qr/calls_by_status/, '  and adding no index');
admin("DELETE FROM calls WHERE call_sid = 'call_7' AND created_at =
    '2024-06-01'", 'legacy');
$out = `$legacy_cmd 2>&1`;
is($?, 0, 'the duplicate deleted, setup again') or diag($out);
like($out, qr/adding indexes to calls: calls_by_call_sid calls_by_status\n/,
    '  adds the two') or diag($out);
is(legacy_indexes(), $indexes, '  the seven indexes again');

is($st->crashes('apache'), '', 'no crash in the error log');
done_testing;
