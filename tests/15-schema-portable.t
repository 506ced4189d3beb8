#!/usr/bin/perl
# schema/10-tables.sql is the release's schema.sql: importable by an
# account that owns one database only, on MySQL 8.0.13+ and MariaDB 10.3+.
#  - nothing in it that such an account may not run;
#  - MySQL's own grammar (MySQL Workbench's, tests/mysql-grammar) accepts it
#    for several server versions, and refuses the MariaDB-only form it had;
#  - imported for real into the private MariaDB by a customer-style account
#    (ALL on its database only, the database created latin1 as a host might),
#    twice, it gives utf8mb4_bin tables, the keyset key, enforced CHECKs and
#    a created_at default in UTC.
# schema/30-filter-indexes.sql (the release's upgrade-filter-indexes.sql)
# likewise: nothing such an account may not run, MySQL's grammar accepts it
# and the ALTER TABLE it builds, and the customer imports it twice into a
# database made by the earlier release (tests/fixtures): the six filter
# indexes and the unique one-call key come, the rows stay, the second
# import alters nothing. The responder (run as a CGI program) on that
# database: before the upgrade a single call is a 500 (its statement
# forces calls_by_call_sid); after it, another organisation's call costs
# the database the work of a missing one (its row is not read, though the
# table keeps the earlier release's calls_call_sid).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use File::Temp qw(tempdir);
use JSON::PP;
use POSIX ();
use Test::More;
use Stack;

plan skip_all => 'no responder C code here (the schema files); run by the '
    . 'plain build' if $ENV{SANITIZE};

my $top = Stack::top();
my $file = "$top/schema/10-tables.sql";
my $sql = do { local (@ARGV, $/) = $file; <> };
(my $code = $sql) =~ s/--[^\n]*//g;

# 1. Only CREATE TABLE IF NOT EXISTS, with its charset spelled out.
for my $bad ('CREATE\s+USER', 'GRANT', 'DEFINER', 'SUPER',
    'CREATE\s+(DATABASE|SCHEMA)', 'USE\s', 'SET\s+(GLOBAL|@@)', 'DROP',
    'TRIGGER', 'PROCEDURE', 'FUNCTION', 'EVENT', 'ALTER', 'INSERT') {
	unlike($code, qr/\b$bad/i, "no $bad");
}
my @statements = grep { /\S/ } split /;/, $code;
my @tables = grep { /^\s*CREATE TABLE IF NOT EXISTS \w+ \(/ } @statements;
is(scalar @tables, scalar @statements,
    'every statement is a CREATE TABLE IF NOT EXISTS');
is(scalar(grep { /ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin\s*$/ }
    @tables), 3, '  three tables, each InnoDB utf8mb4 / utf8mb4_bin');

# The upgrade file: SET, PREPARE, EXECUTE and DEALLOCATE only; the one
# statement it may prepare is the ALTER TABLE of its literals.
my $upgrade = "$top/schema/30-filter-indexes.sql";
my $up_sql = do { local (@ARGV, $/) = $upgrade; <> };
(my $up_code = $up_sql) =~ s/--[^\n]*//g;
for my $bad ('CREATE\s', 'GRANT', 'DEFINER', 'SUPER', 'USE\s',
    'SET\s+(GLOBAL|@@)', 'DROP', 'TRIGGER', 'PROCEDURE', 'FUNCTION',
    'EVENT', 'INSERT', 'UPDATE', 'DELETE') {
	unlike($up_code, qr/\b$bad/i, "upgrade file: no $bad");
}
my @clauses = $up_code =~ /'(ADD (?:UNIQUE )?INDEX [^']+)'/g;
is(join(' ', map { /^ADD INDEX (\w+) \(client_id, (\w+), created_at, call_sid\)$/
    && $1 eq "calls_by_$2" ? $2 : "bad:$_" } @clauses[0 .. 5]),
    'status call_type agent_id to_number from_number end_reason',
    '  six indexes calls_by_<filter> (client_id, <filter>, created_at, call_sid)');
is(join(' | ', @clauses[6 .. $#clauses]),
    'ADD UNIQUE INDEX calls_by_call_sid (client_id, call_sid)',
    '  and the unique one-call key, as in 10-tables.sql');
like($code, qr/\bUNIQUE KEY calls_by_call_sid \(client_id, call_sid\),/,
    '  (which has it)');
my $alter_all = 'ALTER TABLE calls ' . join(', ', @clauses)
    . ', ALGORITHM=INPLACE, LOCK=NONE;';
like($up_code, qr/'ALTER TABLE calls ', \@calls_api_missing,\s*', ALGORITHM=INPLACE, LOCK=NONE'/,
    '  built into ALTER TABLE calls <clauses>, ALGORITHM=INPLACE, LOCK=NONE');

# 2. MySQL's grammar, per server version.
my $grammar = "$top/tests/mysql-grammar";
SKIP: {
	skip 'no node or tests/mysql-grammar/node_modules (scripts/deps.sh' .
	    ' installs them)', 9
	    unless -d "$grammar/node_modules/ts-mysql-parser" &&
	    system('node --version >/dev/null 2>&1') == 0;
	# With each version: the upgrade file, and the statement it prepares
	# when every index is missing (a string inside the file).
	my $tmp = tempdir(CLEANUP => 1);
	open my $fh, '>', "$tmp/alter.sql" or die $!;
	print $fh "$alter_all\n";
	close $fh;
	for my $v (qw(8.0.13 8.0.16 8.0.40 8.4.0)) {
		my $out = `node '$grammar/check.js' $v '$file' '$upgrade' '$tmp/alter.sql' 2>&1`;
		is($?, 0, "MySQL $v grammar accepts schema/10-tables.sql,"
		    . ' 30-filter-indexes.sql and the ALTER TABLE it builds')
		    or diag($out);
	}
	my $users = "$top/schema/20-responder-user.sql";
	my $out = `node '$grammar/check.js' 8.0.13 '$users' 2>&1`;
	is($?, 0, '  and schema/20-responder-user.sql') or diag($out);
	# The checker is no rubber stamp: MariaDB's unparenthesised
	# expression default, which the file had, is refused; so is MariaDB's
	# ADD INDEX IF NOT EXISTS, which would have made the upgrade file a
	# single statement.
	(my $old = $sql) =~ s/DEFAULT \(UTC_TIMESTAMP\(6\)\)/DEFAULT UTC_TIMESTAMP(6)/;
	open $fh, '>', "$tmp/old.sql" or die $!;
	print $fh $old;
	close $fh;
	(my $if = $alter_all) =~ s/ADD INDEX /ADD INDEX IF NOT EXISTS /;
	open $fh, '>', "$tmp/if.sql" or die $!;
	print $fh "$if\n";
	close $fh;
	$out = `node '$grammar/check.js' 8.4.0 '$tmp/old.sql' '$tmp/if.sql' 2>&1`;
	isnt($?, 0, 'MySQL 8.4 grammar refuses DEFAULT UTC_TIMESTAMP(6)'
	    . ' and ADD INDEX IF NOT EXISTS');
	like($out, qr/old\.sql:\d+: "6" is not valid/, '  naming the line')
	    or diag($out);
	like($out, qr/if\.sql:1: "IF" is not valid/, '  and the word')
	    or diag($out);
}

# 3. MariaDB for real, as a hosting customer.
my $st = Stack->new(data => 'none');
my $dir = $st->dir;
sub admin {
	my ($q) = @_;
	return $st->run_script("$top/scripts/db.sh", 'sql', $dir, '-N', '-B',
	    '-e', $q);
}
my $pw = 'cust-' . join '', map { ('a'..'z')[rand 26] } 1 .. 16;
admin("CREATE DATABASE shop CHARACTER SET latin1 COLLATE latin1_swedish_ci;
    CREATE USER 'cust'\@'localhost' IDENTIFIED BY '$pw';
    GRANT ALL PRIVILEGES ON shop.* TO 'cust'\@'localhost'");
my $client = "mariadb --no-defaults --socket='$dir/mysql.sock' --user=cust"
    . " --password='$pw' --default-character-set=utf8mb4";
sub as_cust {
	my ($q) = @_;
	my $out = `$client -N -B shop -e "$q" 2>&1`;
	return ($? == 0, $out);
}
my ($ok, $out) = as_cust('CREATE DATABASE elsewhere');
ok(!$ok, 'the customer account may not create a database')
    or diag($out);

my $version = admin('SELECT VERSION()');
for my $round (1, 2) {
	$out = `$client shop < '$file' 2>&1`;
	is($?, 0, "imported by the customer into its database ($round of 2,"
	    . " MariaDB $version)") or diag($out);
}
# What stays out of schema.sql: creating an account, which a customer may
# not do.
$out = `{ echo "SET \@calls_api_password = 'long-enough-password';";
    cat '$top/schema/20-responder-user.sql'; } | $client shop 2>&1`;
isnt($?, 0, 'the customer may not run 20-responder-user.sql');
like($out, qr/denied/i, '  (access denied)') or diag($out);

is(admin("SELECT GROUP_CONCAT(TABLE_NAME, ':', TABLE_COLLATION
    ORDER BY TABLE_NAME) FROM information_schema.TABLES
    WHERE TABLE_SCHEMA = 'shop'"),
    'agents:utf8mb4_bin,api_keys:utf8mb4_bin,calls:utf8mb4_bin',
    'three tables, utf8mb4_bin in a latin1 database');
is(admin("SELECT COUNT(*) FROM information_schema.COLUMNS
    WHERE TABLE_SCHEMA = 'shop' AND COLLATION_NAME IS NOT NULL
    AND COLLATION_NAME <> 'utf8mb4_bin'"), 0,
    '  every text column utf8mb4_bin');
is(admin("SELECT GROUP_CONCAT(COLUMN_NAME ORDER BY ORDINAL_POSITION)
    FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = 'shop'
    AND TABLE_NAME = 'calls' AND CONSTRAINT_NAME = 'PRIMARY'"),
    'client_id,created_at,call_sid', 'calls keyed by the keyset order');
is(admin("SELECT COUNT(*) FROM information_schema.CHECK_CONSTRAINTS
    WHERE CONSTRAINT_SCHEMA = 'shop' AND TABLE_NAME = 'calls'"), 4,
    'four CHECK constraints on calls');

# The CHECKs hold under a permissive sql_mode.
($ok, $out) = as_cust("SET SESSION sql_mode = '';
    INSERT INTO calls (call_sid, client_id, to_number, agent_id, created_at)
    VALUES ('c1', 'org', '+1', 'a1', '2026-00-10 10:00:00')");
ok(!$ok, 'a zero month refused with sql_mode empty');
like($out, qr/calls_created_at_real/, '  by its CHECK') or diag($out);

# The upgrade, as the customer: a database the earlier release made
# (tests/fixtures), with rows, imported into twice.
admin("CREATE DATABASE oldshop CHARACTER SET latin1 COLLATE latin1_swedish_ci;
    GRANT ALL PRIVILEGES ON oldshop.* TO 'cust'\@'localhost'");
$out = `$client oldshop < '$top/tests/fixtures/10-tables-929fa63.sql' 2>&1`;
is($?, 0, 'the earlier release\'s schema imported into another database')
    or diag($out);
admin("INSERT INTO oldshop.calls (call_sid, client_id, to_number, agent_id,
    status, created_at) SELECT CONCAT('c', seq), IF(seq % 10 = 0, 'other',
    'org'), '+1555', 'a1', IF(seq % 3 = 0, NULL, 'completed'),
    '2026-01-01' + INTERVAL seq SECOND FROM oldshop.seq_1_to_500");
sub new_indexes {
	return admin("SELECT COUNT(DISTINCT INDEX_NAME) FROM
	    information_schema.STATISTICS WHERE TABLE_SCHEMA = 'oldshop' AND
	    TABLE_NAME = 'calls' AND INDEX_NAME LIKE 'calls\\_by\\_%'");
}
sub unique_keys {
	return admin("SELECT GROUP_CONCAT(INDEX_NAME, '(', cols, ')'
	    ORDER BY INDEX_NAME SEPARATOR ' ') FROM (SELECT INDEX_NAME,
	    GROUP_CONCAT(COLUMN_NAME ORDER BY SEQ_IN_INDEX) AS cols
	    FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = 'oldshop'
	    AND TABLE_NAME = 'calls' AND NON_UNIQUE = 0
	    GROUP BY INDEX_NAME) AS i");
}
sub alters { admin("SHOW GLOBAL STATUS LIKE 'Com_alter_table'") =~ s/^\S+\s+//r }
is(new_indexes(), 0, '  it has no filter index and no calls_by_call_sid');

# The responder on it, run as a CGI program with its own config file (the
# stack's, database oldshop) and a key of org.
admin("GRANT SELECT ON oldshop.* TO 'calls_api'\@'localhost'");
my $key = $st->new_key('org');
admin('INSERT INTO oldshop.api_keys SELECT * FROM calls.api_keys');
my $old_conf = "$dir/oldshop.cnf";
{
	open my $in, '<', "$dir/calls-api.cnf" or die $!;
	open my $o, '>', $old_conf or die $!;
	print $o s/^database=calls$/database=oldshop/mr while <$in>;
	close $o;
	chmod 0600, $old_conf;
}
sub cgi_get {
	my ($sid) = @_;
	my $target = "/api/calls/$sid";
	local %ENV = (PATH => $ENV{PATH}, CALLS_API_CONF => $old_conf,
	    GATEWAY_INTERFACE => 'CGI/1.1', REQUEST_METHOD => 'GET',
	    REQUEST_URI => $target, SCRIPT_NAME => $target,
	    SERVER_PROTOCOL => 'HTTP/1.1', HTTP_AUTHORIZATION => "Bearer $key");
	my $pid = open(my $o, '-|') // die "fork: $!";
	if ($pid == 0) {
		open STDIN, '<', '/dev/null' or POSIX::_exit(126);
		open STDERR, '>', "$dir/oldshop-cgi.err" or POSIX::_exit(126);
		exec $st->{bin} or POSIX::_exit(127);
	}
	my $raw = do { local $/; <$o> } // '';
	close $o;
	Stack::openapi_record_cgi('cgi-exec', 'GET', $target, $raw);
	my ($head, $body) = split /\r?\n\r?\n/, $raw, 2;
	my ($status) = ($head // '') =~ /^Status: (\d{3})/m;
	my $json = eval { JSON::PP->new->decode($body // '') };
	return { status => $status // 200, json => $json,
	    code => $json && ref $json->{error} ? $json->{error}{code} : '',
	    log => scalar do { local (@ARGV, $/) = "$dir/oldshop-cgi.err";
	    <> } // '' };
}
my $r = cgi_get('c1');
is("$r->{status} $r->{code}", '500 server_misconfigured',
    'before the upgrade the responder answers a single call 500');
like($r->{log}, qr/Key 'calls_by_call_sid' doesn't exist/,
    '  logging the missing key') or diag($r->{log});

my $sum = admin('CHECKSUM TABLE oldshop.calls');
$out = `$client oldshop < '$upgrade' 2>&1`;
is($?, 0, 'the customer imports the upgrade file') or diag($out);
is(new_indexes(), 7, '  six filter indexes and calls_by_call_sid');
is(unique_keys(), 'calls_by_call_sid(client_id,call_sid) '
    . 'calls_call_sid(call_sid) PRIMARY(client_id,created_at,call_sid)',
    '  calls_by_call_sid unique on (client_id, call_sid); calls_call_sid kept');
is(admin('CHECKSUM TABLE oldshop.calls'), $sum, '  the rows unchanged');
my $alters = alters();
$out = `$client oldshop < '$upgrade' 2>&1`;
is($?, 0, '  imported again') or diag($out);
is(alters(), $alters, '  which alters nothing (Com_alter_table)');
is(new_indexes(), 7, '  seven indexes still');

# One call of another organisation: the database work of a missing one
# (the handler counters around one request each, as in 33-one-call.t);
# without the forced key it reads the other row by calls_call_sid.
$r = cgi_get('c1');
is($r->{status}, 200, 'after it, org\'s own call: 200') or diag($r->{log});
is($r->{json} && $r->{json}{data}{call_sid}, 'c1', '  the call');
sub work_of {
	my ($sid) = @_;
	return Stack::db_work(\&admin, sub {
		my $got = cgi_get($sid);
		return "$got->{status}$got->{code}";
	});
}
my %work = (other => work_of('c10'), none => work_of('c0'),
    own => work_of('c1'));
is($work{other}, $work{none}, "another org's call and a missing one: the"
    . ' same database work') or diag("other: $work{other}\nnone: $work{none}");
like($work{other}, qr/^404call_not_found /, '  both 404 call_not_found');
isnt($work{own}, $work{none}, '  (a found call reads more: the measure'
    . ' tells lookups apart)');

# created_at defaults to UTC, whatever the session's time zone.
($ok, $out) = as_cust("SET time_zone = '+05:00';
    INSERT INTO api_keys (key_hash, client_id) VALUES (REPEAT('a', 64), 'org');
    SELECT ABS(TIMESTAMPDIFF(SECOND, created_at, UTC_TIMESTAMP(6)))
    FROM api_keys");
ok($ok, 'a key inserted without created_at') or diag($out);
chomp $out;
ok($ok && $out =~ /^\d+$/ && $out <= 5,
    "  gets the UTC time (off by $out s) with the session at +05:00");

done_testing;
