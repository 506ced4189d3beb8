#!/usr/bin/env bash
# calls-api-setup: after `make install`, on a server whose MariaDB (or
# MySQL) you administer, as root: creates the database (utf8mb4, binary
# collation), loads the schema, creates the responder's SELECT-only account
# with a random password, and writes the responder's config file readable
# by the web server's group. Safe to run again: an existing config file is
# kept (its password is set on the account again, its cursor secret kept).
# A calls table from an earlier release gets the indexes it lacks (the
# filters', the one-call key: 30-filter-indexes.sql, when one is missing).
#
#   calls-api-setup [--database NAME] [--socket PATH] [--conf FILE]
#                   [--group GROUP] [-- ADMIN_CLIENT_OPTION...]
#
#   --database  the database to create and use (default calls)
#   --socket    the server's Unix socket, for the responder and for the
#               admin connection (default /run/mysqld/mysqld.sock)
#   --conf      the config file to write (default @SYSCONFDIR@/calls-api.cnf)
#   --group     the group the web server's responders run as, which must read
#               the config file (default www-data)
#   after --    options for the admin's mariadb client, e.g. --user=admin
#               -p (default: none, i.e. root over the socket, as on Debian)
set -euo pipefail

schema_dir='@DATADIR@/schema'
database=calls
socket=/run/mysqld/mysqld.sock
conf='@SYSCONFDIR@/calls-api.cnf'
group=www-data
admin_opts=()

die() {
	echo "calls-api-setup: $*" >&2
	exit 1
}

usage() {
	echo "usage:" >&2
	sed -n '9,10s/^# //p' "$0" >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case "$1" in
	--database) [ $# -ge 2 ] || usage; database=$2; shift 2 ;;
	--socket) [ $# -ge 2 ] || usage; socket=$2; shift 2 ;;
	--conf) [ $# -ge 2 ] || usage; conf=$2; shift 2 ;;
	--group) [ $# -ge 2 ] || usage; group=$2; shift 2 ;;
	--) shift; admin_opts=("$@"); break ;;
	-h | --help) sed -n '2,19s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) usage ;;
	esac
done

# The database name goes into SQL and the config file as it is.
case "$database" in
'' | *[!A-Za-z0-9_]*) die "--database: letters, digits and _ only" ;;
esac
case "$socket$conf" in
*[[:space:]]*) die "paths with spaces are not supported" ;;
esac
getent group "$group" >/dev/null ||
    die "no group $group (--group: the web server's group)"
for f in 10-tables.sql 20-responder-user.sql 30-filter-indexes.sql; do
	[ -f "$schema_dir/$f" ] ||
	    die "no $f in $schema_dir (run make install first)"
done
if command -v mariadb >/dev/null; then
	client_bin=mariadb
elif command -v mysql >/dev/null; then
	client_bin=mysql
else
	die "no mariadb or mysql client (Debian: apt-get install mariadb-client)"
fi
[ -d "$(dirname "$conf")" ] || die "no directory $(dirname "$conf")"

# The admin's client; its own option files first, then ours.
admin() {
	"$client_bin" "${admin_opts[@]}" --socket="$socket" \
	    --default-character-set=utf8mb4 "$@"
}

# A value of group [calls-api] in the existing config file.
conf_value() {
	awk -F= -v key="$1" '
		/^[[:space:]]*\[/ { group = $0; gsub(/[][[:space:]]/, "", group) }
		group == "calls-api" && $1 ~ "^[[:space:]]*" key "[[:space:]]*$" {
			sub(/^[^=]*=[[:space:]]*/, ""); sub(/[[:space:]]+$/, "")
			print; exit
		}' "$conf"
}

random_hex() {
	od -An -v -tx1 -N "$1" /dev/urandom | tr -d ' \n'
}

version=$(admin -N -B -e 'SELECT VERSION()' 2>&1) ||
    die "cannot connect as the database admin over $socket: $version
  (is the server running? as root on Debian the admin is root over the
  socket; elsewhere add the admin's options after --, e.g. -- --user=admin -p)"
echo "calls-api-setup: database server $version"

# 1. The database, utf8mb4 with the binary collation (the tables say so
# themselves too).
admin -e "CREATE DATABASE IF NOT EXISTS \`$database\`
    CHARACTER SET utf8mb4 COLLATE utf8mb4_bin" ||
    die "cannot create database $database"
echo "calls-api-setup: database $database (utf8mb4, utf8mb4_bin)"

# 2. The tables (CREATE TABLE IF NOT EXISTS: existing data stays).
admin "$database" <"$schema_dir/10-tables.sql" ||
    die "loading $schema_dir/10-tables.sql failed"
echo "calls-api-setup: tables calls, agents, api_keys"

# 2b. The filter indexes and the one-call key calls_by_call_sid, for a
# calls table that an earlier release created without them (the responder
# forces them: until they are there, filtered pages and single calls are
# a 500): 30-filter-indexes.sql adds the missing ones in one online ALTER
# TABLE (on a large table that takes a while; reads and writes go on). Run
# only when information_schema says one is missing, so a run on an
# up-to-date database alters nothing. The names come from the file.
missing_indexes() {
	local wanted
	# "SELECT 'calls_by_a' AS name UNION ALL SELECT 'calls_by_b' ...":
	# quoted names of [a-z_] only, taken from the file.
	wanted=$(grep -o "'calls_by_[a-z_]*'" "$schema_dir/30-filter-indexes.sql" |
	    sort -u | awk 'NR > 1 { printf " UNION ALL " }
		{ printf "SELECT %s AS name", $0 }')
	[ -n "$wanted" ] ||
	    die "no index names in $schema_dir/30-filter-indexes.sql"
	admin -N -B "$database" -e "SELECT wanted.name FROM ($wanted) AS wanted
	    WHERE NOT EXISTS (SELECT 1 FROM information_schema.STATISTICS AS s
	    WHERE s.TABLE_SCHEMA = DATABASE() AND s.TABLE_NAME = 'calls'
	    AND s.INDEX_NAME = wanted.name) ORDER BY wanted.name" | paste -sd' '
}
missing=$(missing_indexes) || die "cannot read the indexes of $database.calls"
if [ -n "$missing" ]; then
	echo "calls-api-setup: adding indexes to calls: $missing"
	if ! err=$(admin "$database" <"$schema_dir/30-filter-indexes.sql" 2>&1)
	then
		printf '%s\n' "$err" >&2
		case "$err" in
		*"Duplicate entry"*calls_by_call_sid*)
			die "two calls of one organisation share a call_sid, so" \
			    "the unique key calls_by_call_sid cannot be built (no" \
			    "index was added). Keep one row of each, e.g. find them" \
			    "with: SELECT client_id, call_sid, COUNT(*) FROM calls" \
			    "GROUP BY client_id, call_sid HAVING COUNT(*) > 1;" \
			    "then run calls-api-setup again" ;;
		esac
		die "loading $schema_dir/30-filter-indexes.sql failed"
	fi
	still=$(missing_indexes) || die "cannot read the indexes of $database.calls"
	[ -z "$still" ] || die "indexes still missing after the upgrade: $still"
	echo "calls-api-setup: indexes added"
else
	echo "calls-api-setup: calls has the filter indexes and calls_by_call_sid"
fi

# 3. The responder's account: the existing config's password, else a new one.
password=""
if [ -f "$conf" ]; then
	password=$(conf_value password)
	[ "$(conf_value user)" = calls_api ] ||
	    die "$conf exists with another user than calls_api; move it away" \
	    "or edit it yourself"
	[ "$(conf_value database)" = "$database" ] ||
	    die "$conf names another database than $database"
fi
new_conf=0
if [ ! -f "$conf" ]; then
	new_conf=1
	password=$(random_hex 16)
elif [ -z "$password" ] || [ "$password" = change-me ]; then
	die "$conf exists but holds no password (a copy of the example?);" \
	    "move it away and run again: this writes a complete one"
fi
case "$password" in
*[\'\\]*) die "the password in $conf contains a quote or backslash" ;;
esac
{
	printf "SET @calls_api_password = '%s';\n" "$password"
	cat "$schema_dir/20-responder-user.sql"
} | admin "$database" ||
    die "creating the account calls_api failed"
echo "calls-api-setup: account 'calls_api'@'localhost', SELECT on the three tables"

# 4. The config file: root-owned, readable by the web server's group only
# (it holds the account's password and the cursor secret).
if [ "$new_conf" = 1 ]; then
	tmp=$(mktemp "$conf.XXXXXX")
	trap 'rm -f "$tmp"' EXIT
	cat >"$tmp" <<-CNF
	# Written by calls-api-setup. See calls-api.cnf.example for every key.
	[calls-api]
	socket=$socket
	user=calls_api
	password=$password
	database=$database
	cursor-secret=$(random_hex 32)
	key-cache-seconds=30
	CNF
	chgrp "$group" "$tmp"
	chmod 0640 "$tmp"
	mv "$tmp" "$conf"
	trap - EXIT
	echo "calls-api-setup: wrote $conf (0640 root:$group)"
else
	chgrp "$group" "$conf"
	chmod 0640 "$conf"
	echo "calls-api-setup: kept $conf (now 0640, group $group)"
fi

# 5. Check what the responder will do: read the file as the group, connect.
if [ "$(id -u)" -eq 0 ] && id -u "$group" >/dev/null 2>&1 &&
    ! runuser -u "$group" -- test -r "$conf"; then
	die "user $group cannot read $conf: open the directories above it (o+x)"
fi
"$client_bin" --no-defaults --socket="$socket" --user=calls_api \
    --password="$password" -N -B "$database" \
    -e 'SELECT COUNT(*) FROM api_keys' >/dev/null ||
    die "the account calls_api cannot read $database.api_keys"
echo "calls-api-setup: the responder's account reads $database"

cat <<-EOF

	Next:
	  - Reload the web server so that responders already running read the
	    new config (they read it once, at their start):
	      systemctl reload apache2     (or: systemctl reload lighttpd)
	    First time with Apache: cp @DATADIR@/apache/calls-api.conf
	    /etc/apache2/conf-available/ && a2enmod fcgid && a2enconf calls-api
	  - Create an API key: @LIBEXECDIR@/calls-api key create CLIENT_ID
	    (or the SQL in the README, "Database").
	EOF
