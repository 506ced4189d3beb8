#!/usr/bin/env bash
# A private MariaDB under RUN_DIR (socket only, never /etc/mysql), the calls
# schema, the responder's config file, and API keys.
#   scripts/db.sh start RUN_DIR            start (idempotent), load the schema
#   scripts/db.sh stop RUN_DIR             clean shutdown (no-op if stopped)
#   scripts/db.sh running RUN_DIR          exit 0 when its mariadbd runs
#   scripts/db.sh sql RUN_DIR [ARGS...]    mariadb client as admin (stdin, ARGS)
#   scripts/db.sh key RUN_DIR CLIENT_ID [LABEL]   new API key, printed once
#   scripts/db.sh revoke RUN_DIR KEY       revoke an API key
#   scripts/db.sh replica RUN_DIR PRIMARY_RUN_DIR
#                                          start (idempotent) a server in
#                                          RUN_DIR as a GTID replica of the
#                                          one in PRIMARY_RUN_DIR, caught up
# (key and revoke are plain SQL, for tests that need no binary; the
# product's way is calls-api key create|list|revoke, which the demo uses.)
# Environment at the first start (kept in RUN_DIR for later starts):
#   DB_TCP_PORT=N        also listen on 127.0.0.1:N (default: socket only)
#   DB_SERVER_ARGS='..'  more mariadbd options (e.g. --ssl-cert=...)
#   DB_SERVER_ID=N       a binary log with GTIDs and this server id, so
#                        that replicas can follow it (needs DB_TCP_PORT:
#                        replication connects over TCP)
# and at every start:
#   DB_EMPTY=1           start the server only: no database, schema,
#                        account or config file, and the server's own
#                        default charset (latin1) instead of utf8mb4_bin
#   DB_TEMPLATE=DIR      a new datadir is a copy of the one
#                        mariadb-install-db made once in DIR (made by the
#                        first start that needs it; make check gives its
#                        tests a fresh DIR): a copy takes well under a
#                        second, mariadb-install-db a few
set -euo pipefail
# The servers live in /usr/sbin, which a user's PATH on Debian lacks.
case ":$PATH:" in
*:/usr/sbin:*) ;;
*) PATH=$PATH:/usr/sbin:/sbin ;;
esac

top=$(cd "$(dirname "$0")/.." && pwd)

usage() {
	echo "usage:" >&2
	sed -n '4,13s/^#  //p' "$0" >&2
	exit 2
}

cmd=${1:-}
[ $# -ge 2 ] || usage
[ -n "$2" ] || usage
case "$cmd" in
start | replica) mkdir -p "$2" ;;
stop) [ -d "$2" ] || exit 0 ;;
running) [ -d "$2" ] || exit 1 ;;
esac
run=$(realpath -e -- "$2")
shift 2

# What mariadbd writes lives in RUN_DIR/mysqld (owned by the user it runs
# as); RUN_DIR/mysql.sock and RUN_DIR/mariadb.pid are symlinks to it, so
# the paths others use stay the same (a RUN_DIR from before has real files
# there, which work as well).
sock=$run/mysql.sock
pidfile=$run/mariadb.pid
mysqld_dir=$run/mysqld
log=$mysqld_dir/mariadb.log
# The admin account: mariadb-install-db gives root and the invoking user
# unix_socket authentication, so the OS user name is the login.
admin=$(id -un)
# mariadbd runs unprivileged: as root, as the system's mysql user (made by
# the mariadb-server package), else as the invoking user.
if [ "$(id -u)" -eq 0 ]; then
	dbuser=mysql
else
	dbuser=$admin
fi

# mariadb client as admin over the private socket; never reads /etc/mysql.
client() {
	mariadb --no-defaults --socket="$sock" --user="$admin" \
	    --default-character-set=utf8mb4 "$@"
}

# A string as an SQL literal that needs no escaping (hex of its bytes).
sql_string() {
	printf "CONVERT(X'%s' USING utf8mb4)" \
	    "$(printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n')"
}

# n random bytes as lowercase hex.
random_hex() {
	od -An -v -tx1 -N "$1" /dev/urandom | tr -d ' \n'
}

# The lowercase hex SHA-256 of an API key, as stored in api_keys.key_hash.
key_hash() {
	printf '%s' "$1" | sha256sum | cut -d' ' -f1
}

# True while process $1 exists and is not a zombie (an exited daemon stays
# one until init reaps it).
alive() {
	local state
	state=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
	[[ $state != Z* ]]
}

# The pid of our mariadbd if it is running, else nothing.
server_pid() {
	local pid
	[ -r "$pidfile" ] || return 0
	pid=$(cat "$pidfile")
	if [ -n "$pid" ] && [ "$(ps -o comm= -p "$pid" 2>/dev/null)" = mariadbd ] &&
	    alive "$pid"; then
		echo "$pid"
	fi
}

fail_with_log() {
	echo "db: $1; its errors and last lines ($2):" >&2
	grep -m 5 'ERROR' "$2" >&2 || true
	tail -n 20 "$2" >&2 || true
	exit 1
}

# A new datadir DATADIR with the system tables, quietly, its log in LOG.
# --force skips the host name check that fails without /etc/hosts
# (minimal containers, chroots); --skip-name-resolve does not skip it.
install_db() {
	mariadb-install-db --no-defaults --datadir="$1" --user="$dbuser" \
	    --auth-root-authentication-method=socket --skip-test-db \
	    --skip-name-resolve --force --tmpdir="$2" >"$3" 2>&1 ||
	    fail_with_log "mariadb-install-db failed" "$3"
}

# RUN_DIR/db as a copy of TEMPLATE_DIR/db, which install_db makes first if
# it is not there (under a lock: tests run in parallel). Sparse: most of
# the redo log is zeros. The template is only ever copied, never started.
copy_template() {
	local tdir=$1
	mkdir -p "$tdir"
	chmod 0755 "$tdir"
	(
		flock 9
		if [ ! -d "$tdir/db/mysql" ]; then
			rm -rf "$tdir/new"
			install -d -m 0755 "$tdir/new"
			install -d -m 0700 "$tdir/new/tmp"
			if [ "$(id -u)" -eq 0 ]; then
				chown -R "$dbuser:" "$tdir/new"
			fi
			install_db "$tdir/new/db" "$tdir/new/tmp" \
			    "$tdir/mariadb-install.log"
			mv "$tdir/new/db" "$tdir/db"
			rm -rf "$tdir/new"
		fi
	) 9>"$tdir/lock"
	cp -a --sparse=always "$tdir/db" "$run/db"
	echo "copied from $tdir/db (DB_TEMPLATE)" >"$run/mariadb-install.log"
}

start() {
	local pid
	# Unix socket paths are limited to 107 bytes.
	if [ ${#mysqld_dir} -gt 90 ]; then
		echo "db: socket path too long: $mysqld_dir/mysql.sock" >&2
		exit 1
	fi
	# Apache's children (www-data) must reach the socket inside RUN_DIR.
	chmod 0755 "$run"
	if [ "$(id -u)" -eq 0 ]; then
		id -u "$dbuser" >/dev/null 2>&1 || {
			echo "db: no user $dbuser to run mariadbd as" \
			    "(it comes with mariadb-server)" >&2
			exit 1
		}
		if ! runuser -u "$dbuser" -- test -x "$run"; then
			echo "db: user $dbuser (mariadbd) cannot reach $run;" \
			    "use a run directory outside private homes" >&2
			exit 1
		fi
	fi

	pid=$(server_pid)
	local started=""
	if [ -z "$pid" ]; then
		# Its own tmpdir: bootstraps sharing /tmp failed now and then when
		# several ran at once ("Could not remove temporary table:
		# '/tmp/#sql-temptable-...', error: 2"; 1 in 12 with 4 in parallel).
		install -d -m 0755 "$mysqld_dir"
		install -d -m 0700 "$mysqld_dir/tmp"
		if [ "$(id -u)" -eq 0 ]; then
			chown -R "$dbuser:" "$mysqld_dir"
		fi
		# First start: create the system tables (or copy them).
		if [ ! -d "$run/db/mysql" ]; then
			if [ -n "${DB_TEMPLATE:-}" ]; then
				copy_template "$DB_TEMPLATE"
			else
				install_db "$run/db" "$mysqld_dir/tmp" \
				    "$run/mariadb-install.log"
			fi
		fi
		if [ "$(id -u)" -eq 0 ]; then
			# Also a datadir made by an older version as root.
			chown -R "$dbuser:" "$run/db"
		fi
		ln -sfn mysqld/mysql.sock "$sock"
		ln -sfn mysqld/mariadb.pid "$pidfile"
		ln -sfn mysqld/mariadb.log "$run/mariadb.log"
		local as_user=()
		if [ "$(id -u)" -eq 0 ]; then
			as_user=(--user="$dbuser")
		fi
		# Networking: socket only unless DB_TCP_PORT asks for loopback
		# TCP; both settings are kept for the next start of RUN_DIR.
		if [ -n "${DB_TCP_PORT:-}" ]; then
			echo "$DB_TCP_PORT" >"$run/db-tcp-port"
		fi
		if [ -n "${DB_SERVER_ARGS:-}" ]; then
			echo "$DB_SERVER_ARGS" >"$run/db-server-args"
		fi
		if [ -n "${DB_SERVER_ID:-}" ]; then
			echo "$DB_SERVER_ID" >"$run/db-server-id"
		fi
		local net=(--skip-networking) extra=()
		# Our charset, unless DB_EMPTY asks for a server as it comes
		# (MariaDB's compiled-in latin1): then only what calls-api
		# creates itself is utf8mb4.
		local charset=(--character-set-server=utf8mb4
		    --collation-server=utf8mb4_bin)
		if [ "${DB_EMPTY:-}" = 1 ]; then
			charset=()
		fi
		if [ -s "$run/db-tcp-port" ]; then
			net=(--bind-address=127.0.0.1 --port="$(cat "$run/db-tcp-port")"
			    --skip-name-resolve)
		fi
		if [ -s "$run/db-server-args" ]; then
			read -r -a extra <"$run/db-server-args"
		fi
		# A primary (DB_SERVER_ID) or a replica (db.sh replica) logs
		# with GTIDs; any other server keeps no binary log.
		local binlog=(--skip-log-bin)
		if [ -s "$run/db-server-id" ]; then
			binlog=(--server-id="$(cat "$run/db-server-id")"
			    --log-bin="$mysqld_dir/binlog" --binlog-format=ROW
			    --gtid-strict-mode=1)
		fi
		if [ -e "$run/replica-of" ]; then
			binlog+=(--read-only=1 --relay-log="$mysqld_dir/relay")
		fi
		# A small, fast, throw-away server: no binary log, lazy flushes.
		# DB_BUFFER_POOL: make bench sets 1G to hold its 1M-row table.
		# Strict sql_mode: no zero dates or zero month/day, no silent
		# truncation (MariaDB 10.11's default lets zero dates in).
		setsid mariadbd --no-defaults "${as_user[@]}" \
		    --datadir="$run/db" --socket="$mysqld_dir/mysql.sock" \
		    --pid-file="$mysqld_dir/mariadb.pid" --tmpdir="$mysqld_dir/tmp" \
		    --log-error="$log" "${net[@]}" "${extra[@]}" \
		    "${binlog[@]}" "${charset[@]}" \
		    --sql-mode=STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION \
		    --innodb-buffer-pool-size="${DB_BUFFER_POOL:-256M}" \
		    --innodb-flush-log-at-trx-commit=2 --innodb-doublewrite=0 \
		    --innodb-buffer-pool-dump-at-shutdown=0 \
		    --innodb-buffer-pool-load-at-startup=0 \
		    </dev/null >/dev/null 2>&1 &
		started=$!
	fi

	# Wait until it answers (ping succeeds even before authentication).
	local i
	for i in $(seq 1 300); do
		if mariadb-admin --no-defaults --socket="$sock" --user="$admin" \
		    --connect-timeout=1 ping >/dev/null 2>&1; then
			break
		fi
		if [ "$i" -eq 300 ]; then
			fail_with_log "MariaDB did not answer within 30 s" "$log"
		fi
		if [ -n "$started" ] && ! alive "$started"; then
			fail_with_log "mariadbd exited" "$log"
		fi
		sleep 0.1
	done

	# DB_EMPTY=1: the server alone, as a system's MariaDB would be before
	# calls-api is installed (tests/91-operator-install.t).
	if [ "${DB_EMPTY:-}" != 1 ] && [ ! -e "$run/replica-of" ]; then
		setup
	fi
}

# RUN_DIR as a GTID replica of PRIMARY_RUN_DIR (a server started with
# DB_SERVER_ID and DB_TCP_PORT): everything, schema and accounts included,
# comes from the primary's binary log; no setup of its own. Its socket is
# RUN_DIR/mysql.sock; the responder's account and password are the
# primary's. Returns once the replica has applied all the primary has.
replica() {
	local primary port pwfile password pos caught
	primary=$(realpath -e -- "${1:?PRIMARY_RUN_DIR}")
	if [ ! -s "$primary/db-server-id" ] || [ ! -s "$primary/db-tcp-port" ]; then
		echo "db: $primary was not started with DB_SERVER_ID and" \
		    "DB_TCP_PORT: no binary log to replicate over TCP" >&2
		exit 1
	fi
	port=$(cat "$primary/db-tcp-port")
	echo "$primary" >"$run/replica-of"
	[ -s "$run/db-server-id" ] ||
	    echo $(($(cat "$primary/db-server-id") + 1)) >"$run/db-server-id"
	# The replication account, on the primary (it replicates too).
	pwfile=$primary/replication-password
	if [ ! -s "$pwfile" ]; then
		(umask 077 && random_hex 16 >"$pwfile")
	fi
	password=$(cat "$pwfile")
	mariadb --no-defaults --socket="$primary/mysql.sock" --user="$admin" -e "
	    CREATE USER IF NOT EXISTS 'replication'@'127.0.0.1'
	        IDENTIFIED BY '$password';
	    GRANT REPLICATION SLAVE ON *.* TO 'replication'@'127.0.0.1'"
	DB_TCP_PORT='' start
	if [ ! -e "$run/replica-configured" ]; then
		client -e "CHANGE MASTER TO MASTER_HOST='127.0.0.1',
		    MASTER_PORT=$port, MASTER_USER='replication',
		    MASTER_PASSWORD='$password', MASTER_USE_GTID=slave_pos,
		    MASTER_CONNECT_RETRY=1; START SLAVE"
		touch "$run/replica-configured"
	fi
	# Caught up: the primary's position applied here (30 s at most).
	pos=$(mariadb --no-defaults --socket="$primary/mysql.sock" \
	    --user="$admin" -N -B -e 'SELECT @@gtid_binlog_pos')
	caught=$(client -N -B -e "SELECT MASTER_GTID_WAIT('$pos', 30)")
	if [ "$caught" != 0 ]; then
		client -e 'SHOW SLAVE STATUS\G' >&2 || true
		fail_with_log "replica did not reach $pos within 30 s" "$log"
	fi
}

# The database, the schema and the responder's account and config file.
setup() {
	local pwfile=$run/responder-password conf=$run/calls-api.cnf f password
	# The responder's password: generated once, readable by us only.
	if [ ! -s "$pwfile" ]; then
		(umask 077 && random_hex 16 >"$pwfile")
	fi
	password=$(cat "$pwfile")

	client -e "CREATE DATABASE IF NOT EXISTS calls
	    CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
	# Numbered files only: schema/generate-calls.sql is the data generator.
	# 20-responder-user.sql takes the account's password from
	# @calls_api_password, set first in the same session.
	for f in "$top"/schema/[0-9]*.sql; do
		{
			printf 'SET @calls_api_password = %s;\n' \
			    "$(sql_string "$password")"
			cat "$f"
		} | client calls ||
		    { echo "db: loading $f failed" >&2; exit 1; }
	done

	# The responder's option file (read by www-data under Apache).
	if [ ! -s "$conf" ]; then
		cat >"$conf.tmp" <<-CNF
		[calls-api]
		socket=$sock
		user=calls_api
		password=$password
		database=calls
		cursor-secret=$(random_hex 32)
		key-cache-seconds=1
		CNF
		chmod 0644 "$conf.tmp"
		mv "$conf.tmp" "$conf"
	fi
	# Key administration (calls-api key ...) as the admin: the OS user
	# over the socket (unix_socket authentication, no password here);
	# also added to a config made before there was such a group. First
	# in the file, so that lines appended to it stay in [calls-api].
	if ! grep -q '^\[calls-api-admin\]' "$conf"; then
		{
			printf '[calls-api-admin]\nuser=%s\n\n' "$admin"
			cat "$conf"
		} >"$conf.tmp"
		chmod 0644 "$conf.tmp"
		mv "$conf.tmp" "$conf"
	fi
}

stop() {
	local pid
	pid=$(server_pid)
	[ -n "$pid" ] || return 0
	# SIGTERM is mariadbd's clean shutdown; wait up to 60 s for it.
	kill -TERM "$pid"
	for _ in $(seq 1 600); do
		alive "$pid" || return 0
		sleep 0.1
	done
	fail_with_log "mariadbd $pid did not stop within 60 s" "$log"
}

# A new key for an organisation: stored as a hash, printed once.
new_key() {
	local client_id=${1:?client_id} label=${2:-} chars="" key label_sql=NULL
	# 40 characters [A-Za-z0-9]: tr keeps only those bytes, so every
	# character is equally likely.
	while [ ${#chars} -lt 40 ]; do
		chars+=$(head -c 512 /dev/urandom | LC_ALL=C tr -dc 'A-Za-z0-9')
	done
	key=ck_${chars:0:40}
	if [ -n "$label" ]; then
		label_sql=$(sql_string "$label")
	fi
	client calls -e "INSERT INTO api_keys (key_hash, client_id, label)
	    VALUES ('$(key_hash "$key")', $(sql_string "$client_id"), $label_sql)"
	echo "$key"
}

revoke() {
	local hash found
	hash=$(key_hash "${1:?key}")
	found=$(client -N -B calls -e \
	    "SELECT COUNT(*) FROM api_keys WHERE key_hash = '$hash'")
	if [ "$found" -eq 0 ]; then
		echo "db: no such key" >&2
		exit 1
	fi
	# Revoked once: a second revoke keeps the first time.
	client calls -e "UPDATE api_keys SET revoked_at = UTC_TIMESTAMP(6)
	    WHERE key_hash = '$hash' AND revoked_at IS NULL"
}

case "$cmd" in
start) start ;;
stop) stop ;;
running) [ -n "$(server_pid)" ] ;;
sql) client "$@" ;;
key) new_key "$@" ;;
revoke) revoke "$@" ;;
replica) replica "$@" ;;
*) usage ;;
esac
