#!/usr/bin/env bash
# A private web server on 127.0.0.1:PORT serving /api with the calls-api
# responder, from RUN_DIR/SERVER (generated config, pid, logs, sockets).
# The system's configs (/etc/apache2, /etc/lighttpd) are never read.
#   scripts/web.sh start SERVER RUN_DIR PORT BINARY
#   scripts/web.sh stop SERVER RUN_DIR
# SERVER is one of
#   apache     Apache 2.4, mpm_event + mod_fcgid, with apache/calls-api.conf
#   cgi        Apache 2.4, mpm_prefork + mod_cgi, the shared-hosting way:
#              BINARY copied to calls-api.cgi, apache/htaccess.example
#   cgid       the same with mpm_event + mod_cgid (Debian's default pair:
#              a threaded MPM runs CGI through mod_cgid's daemon)
#   lighttpd   lighttpd + mod_fastcgi, with lighttpd/calls-api.conf
#   proxy-fcgi Apache 2.4, mpm_event + mod_proxy_fcgi, in front of a pool
#              of POOL_SIZE (default 8) responders, `calls-api serve` on a
#              Unix socket (POOL_RUNNER=spawn-fcgi: started by spawn-fcgi
#              instead); their stderr: RUN_DIR/proxy-fcgi/responder.log
#   nginx      nginx, fastcgi_pass to such a pool, with nginx/calls-api.conf
#              (RUN_DIR/nginx/responder.log)
#   lighttpd-pool  lighttpd + mod_fastcgi to such a pool, with
#              lighttpd/calls-api-external.conf
# BINARY (absolute path) reads its config from CALLS_API_CONF, which is
# RUN_DIR/calls-api.cnf (written by scripts/db.sh start).
# APACHE_DROPIN=FILE (apache only): include that installed drop-in as it is
# (its own binary and config paths) instead of apache/calls-api.conf.
# APACHE_EXTRA=TEXT (apache only): httpd.conf lines after the drop-in, e.g.
# a bench's short FcgidIdleTimeout or "LogLevel warn fcgid:info".
set -euo pipefail
# The servers live in /usr/sbin, which a user's PATH on Debian lacks.
case ":$PATH:" in
*:/usr/sbin:*) ;;
*) PATH=$PATH:/usr/sbin:/sbin ;;
esac

top=$(cd "$(dirname "$0")/.." && pwd)

usage() {
	echo "usage:" >&2
	sed -n '5,6s/^#  //p' "$0" >&2
	exit 2
}

die() {
	echo "web: $*" >&2
	exit 1
}

[ $# -ge 3 ] || usage
cmd=$1
server=$2
case "$server" in
apache | cgi | cgid | proxy-fcgi) pidname=httpd.pid comm=apache2 ;;
lighttpd | lighttpd-pool) pidname=lighttpd.pid comm=lighttpd ;;
nginx) pidname=nginx.pid comm=nginx ;;
*) usage ;;
esac
if [ "$cmd" = stop ] && [ ! -d "$3" ]; then
	exit 0
fi
run=$(realpath -e -- "$3")
dir=$run/$server
pidfile=$dir/$pidname

# True while process $1 exists and is not a zombie (an exited daemon stays
# one until init reaps it).
alive() {
	local state
	state=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
	[[ $state != Z* ]]
}

# The pid of our server's main process if it is running, else nothing.
server_pid() {
	local pid
	[ -r "$pidfile" ] || return 0
	pid=$(cat "$pidfile")
	if [ -n "$pid" ] && [ "$(ps -o comm= -p "$pid" 2>/dev/null)" = "$comm" ] &&
	    alive "$pid"; then
		echo "$pid"
	fi
}

# All descendants of a process: workers, FastCGI and CGI children.
descendants() {
	ps -e -o pid=,ppid= | awk -v root="$1" '
		{ parent[$1] = $2 }
		END {
			for (p in parent) {
				for (q = parent[p]; q > 1; q = parent[q])
					if (q == root) { print p; break }
			}
		}'
}

# Wait up to $1 tenths of a second until none of the other arguments lives.
wait_gone() {
	local tenths=$1 pid
	shift
	for _ in $(seq 1 "$tenths"); do
		for pid in "$@"; do
			if alive "$pid"; then
				sleep 0.1
				continue 2
			fi
		done
		return 0
	done
	return 1
}

stop() {
	local pid pids
	pid=$(server_pid)
	[ -n "$pid" ] || return 0
	mapfile -t pids < <(echo "$pid"; descendants "$pid")
	# Graceful stop: Apache (WINCH) and lighttpd (INT) finish the requests
	# in progress (both configured to give up after 5 s) and end their
	# children, FastCGI processes included.
	if [ "$comm" = apache2 ]; then
		kill -WINCH "$pid"
	else
		kill -INT "$pid"
	fi
	wait_gone 150 "${pids[@]}" && return 0
	echo "web: $server did not stop in time; terminating" >&2
	kill -TERM "${pids[@]}" 2>/dev/null || true
	wait_gone 50 "${pids[@]}" && return 0
	kill -KILL "${pids[@]}" 2>/dev/null || true
}

# The first directory on the way to $2 (or $2 itself) that user $1 cannot
# get through.
first_blocked() {
	local user=$1 path=$2 prefix="" part
	local -a parts
	IFS=/ read -r -a parts <<<"${path#/}"
	for part in "${parts[@]}"; do
		prefix=$prefix/$part
		if [ -d "$prefix" ] && ! runuser -u "$user" -- test -x "$prefix"
		then
			echo "$prefix"
			return
		fi
	done
	echo "$path"
}

# Apache and lighttpd started as root run their children as www-data: they
# need the binary, the run directory, the config file and the MariaDB socket.
check_www_data() {
	local what
	for what in "$@"; do
		if ! runuser -u www-data -- test -x "$what"; then
			die "user www-data (the web server's children) cannot reach $what;" \
			    "open $(first_blocked www-data "$what") (chmod o+x)"
		fi
	done
	if [ -e "$run/calls-api.cnf" ] &&
	    ! runuser -u www-data -- test -r "$run/calls-api.cnf"; then
		die "user www-data cannot read $run/calls-api.cnf (chmod o+r)"
	fi
}

# ---- What the web servers around the responder must not leak ------------
# (issue 9 section 3; kept together here so that the generated configs
# carry the safe defaults of Debian's own packages.)

# Debian's security.conf and reqtimeout.conf, which a generated config does
# not read: no TRACE (it echoes the request, Authorization included), no
# version in headers or error pages, and request-read timeouts so that slow
# clients cannot hold workers for ever.
apache_safe_defaults() {
	cat <<-'CONF'

	# As Debian's conf-available/security.conf (Prod/Off: its suggested
	# production values).
	TraceEnable Off
	ServerTokens Prod
	ServerSignature Off

	# As Debian's mods-available/reqtimeout.conf: the headers within 20 s,
	# extended by 1 s per 500 bytes up to 40 s; the body within 10 s, then
	# at least 500 bytes/s. A slower client gets a 408 and is closed.
	LoadModule reqtimeout_module modules/mod_reqtimeout.so
	RequestReadTimeout header=20-40,MinRate=500
	RequestReadTimeout body=10,MinRate=500
	CONF
}

# mpm_event: a worker thread reads a request's headers, so every slow client
# holds one until mod_reqtimeout closes it (20-40 s). The compiled-in limit
# (400 workers) let 600 slow clients block every other request; 1,024 idle
# threads cost little memory, start 4 x 64 and grow on demand.
apache_event_workers() {
	cat <<-'CONF'
	StartServers 4
	ServerLimit 16
	ThreadLimit 64
	ThreadsPerChild 64
	MaxRequestWorkers 1024
	MinSpareThreads 64
	MaxSpareThreads 512
	CONF
}

# lighttpd keeps the user it was started as: as root, make it drop to
# www-data like Apache's children (server.username), and give www-data what
# it needs: the binary and the config, the directory for the FastCGI
# sockets, and its logs (lighttpd 1.4.69 opens them after switching user).
lighttpd_prepare_user() {
	local log
	if [ "$(id -u)" -eq 0 ]; then
		check_www_data "$bin" "$run"
		chown www-data:www-data "$dir/run"
		for log in "$dir/error.log" "$dir/access.log" \
		    "$dir/responder-error.log"; do
			touch "$log"
			chown www-data:www-data "$log"
		done
	fi
}

lighttpd_user_conf() {
	if [ "$(id -u)" -eq 0 ]; then
		printf 'server.username = "www-data"\n'
		printf 'server.groupname = "www-data"\n'
	fi
}
# ---------------------------------------------------------------------------

# The parts of httpd.conf both Apache modes share.
apache_common_conf() {
	cat <<-CONF
	# Generated by scripts/web.sh ($server); the system's config is not used.
	ServerRoot /usr/lib/apache2
	ServerName 127.0.0.1
	Listen 127.0.0.1:$port
	PidFile "$pidfile"
	DefaultRuntimeDir "$dir/run"
	Mutex "file:$dir/run" default
	ErrorLog "$dir/error.log"
	LogLevel warn
	GracefulShutdownTimeout 5

	LoadModule authz_core_module modules/mod_authz_core.so
	LoadModule alias_module modules/mod_alias.so
	LoadModule mime_module modules/mod_mime.so
	LoadModule env_module modules/mod_env.so
	TypesConfig /etc/mime.types

	LogFormat "%h %l %u %t \"%r\" %>s %b %D" timed
	CustomLog "$dir/access.log" timed

	# Nothing is served outside the document root and the API, nor any
	# .ht* file (as in Debian's apache2.conf).
	<Directory />
	    AllowOverride None
	    Require all denied
	</Directory>
	<Files ".ht*">
	    Require all denied
	</Files>
	DocumentRoot "$dir/htdocs"
	CONF
	apache_safe_defaults
	# As root, Apache's children switch to www-data; else they stay us.
	if [ "$(id -u)" -eq 0 ]; then
		printf 'User www-data\nGroup www-data\n'
	fi
}

conf_apache() {
	local ipc=$dir/fcgid
	mkdir -p "$ipc"
	if [ "$(id -u)" -eq 0 ]; then
		check_www_data "$bin" "$run"
		chown www-data:www-data "$ipc"
	fi
	{
		apache_common_conf
		cat <<-CONF
		LoadModule mpm_event_module modules/mod_mpm_event.so
		CONF
		apache_event_workers
		cat <<-CONF
		LoadModule fcgid_module modules/mod_fcgid.so
		FcgidIPCDir "$ipc"
		FcgidProcessTableFile "$ipc/table"

		<Directory "$dir/htdocs">
		    Require all granted
		</Directory>

		CONF
		if [ -n "${APACHE_DROPIN:-}" ]; then
			# An installed drop-in, as a2enconf would include it:
			# its own paths.
			printf 'Include "%s"\n' "$APACHE_DROPIN"
		else
			# The shipped drop-in, with our paths.
			printf 'Define CALLS_API_BIN "%s"\n' "$bin"
			printf 'Define CALLS_API_CONF "%s"\n' "$run/calls-api.cnf"
			printf 'Include "%s"\n' "$top/apache/calls-api.conf"
		fi
		if [ -n "${APACHE_EXTRA:-}" ]; then
			# Directives after the drop-in (the last one wins):
			# bench/pool.sh's short idle timeout, a log level.
			printf '%s\n' "$APACHE_EXTRA"
		fi
	} >"$dir/httpd.conf"
}

# The shared-hosting layout: the binary renamed, the shipped .htaccess
# with the config path filled in.
cgi_htdocs() {
	local htdocs=$dir/htdocs
	if [ "$(id -u)" -eq 0 ]; then
		check_www_data "$run"
	fi
	install -m 0755 "$bin" "$htdocs/calls-api.cgi"
	sed "s|/home/USER/calls-api.cnf|$run/calls-api.cnf|" \
	    "$top/apache/htaccess.example" >"$htdocs/.htaccess"
	chmod 0644 "$htdocs/.htaccess"
}

# A shared host: the site's .htaccess configures everything.
cgi_directory() {
	cat <<-CONF
	LoadModule rewrite_module modules/mod_rewrite.so

	<Directory "$dir/htdocs">
	    AllowOverride All
	    Require all granted
	</Directory>
	CONF
}

conf_cgi() {
	cgi_htdocs
	{
		apache_common_conf
		cat <<-CONF
		LoadModule mpm_prefork_module modules/mod_mpm_prefork.so
		LoadModule cgi_module modules/mod_cgi.so
		CONF
		cgi_directory
	} >"$dir/httpd.conf"
}

# mod_cgid: a daemon (forked at start, as User) forks each CGI process
# and hands its pipes to the worker thread over ScriptSock.
conf_cgid() {
	cgi_htdocs
	{
		apache_common_conf
		cat <<-CONF
		LoadModule mpm_event_module modules/mod_mpm_event.so
		CONF
		apache_event_workers
		cat <<-CONF
		LoadModule cgid_module modules/mod_cgid.so
		ScriptSock "$dir/run/cgid.sock"
		CONF
		cgi_directory
	} >"$dir/httpd.conf"
}

# The parts of lighttpd.conf both lighttpd modes share.
lighttpd_base_conf() {
	cat <<-CONF
	# Generated by scripts/web.sh; the system's config is not used.
	server.document-root = "$dir/htdocs"
	server.bind = "127.0.0.1"
	server.port = $port
	server.pid-file = "$pidfile"
	server.errorlog = "$dir/error.log"
	server.upload-dirs = ( "$dir/run" )
	server.feature-flags = ( "server.graceful-shutdown-timeout" => 5 )
	server.modules = ( "mod_accesslog" )
	accesslog.filename = "$dir/access.log"
	CONF
}

conf_lighttpd() {
	lighttpd_prepare_user
	{
	lighttpd_base_conf
	cat <<-CONF

	# The shipped drop-in, with our paths.
	var.calls_api_bin = "$bin"
	var.calls_api_conf = "$run/calls-api.cnf"
	var.calls_api_socket = "$dir/run/calls-api.sock"
	var.calls_api_log = "$dir/responder-error.log"
	include "$top/lighttpd/calls-api.conf"
	CONF
	lighttpd_user_conf
	} >"$dir/lighttpd.conf"
}

# The responder pool of proxy-fcgi and nginx on a Unix socket: by default
# `calls-api serve` with POOL_SIZE (default 8) workers, its pid in
# pool.pid; POOL_RUNNER=spawn-fcgi: POOL_SIZE processes forked by Debian's
# spawn-fcgi instead (the classic way, kept working), their pids in
# pool.pid. Their stderr (the responder's log lines) goes to
# responder.log. As root the pool runs as www-data and the socket belongs
# to www-data (the front's user), mode 0660; else everything stays ours,
# mode 0600.
pool_socket() { echo "$dir/run/pool.sock"; }

pool_runner() {
	case "${POOL_RUNNER:-serve}" in
	serve | spawn-fcgi) echo "${POOL_RUNNER:-serve}" ;;
	*) die "POOL_RUNNER must be serve or spawn-fcgi" ;;
	esac
}

start_pool() {
	local size=${POOL_SIZE:-8} runner
	runner=$(pool_runner)
	case "$size" in
	'' | *[!0-9]* | 0) die "POOL_SIZE must be a positive number" ;;
	esac
	if [ "$(id -u)" -eq 0 ]; then
		check_www_data "$bin" "$run"
	fi
	stop_pool
	realpath -e -- "$bin" >"$dir/pool.bin"
	echo "$runner" >"$dir/pool.runner"
	touch "$dir/responder.log"
	if [ "$(id -u)" -eq 0 ]; then
		chown www-data:www-data "$dir/responder.log"
	fi
	"start_pool_$runner" "$size"
}

# calls-api serve in the background (it does not daemonize: a supervisor
# such as systemd or this script keeps its pid). As root, setpriv(1)
# becomes www-data and then runs it (exec: the same pid), in a socket
# directory that www-data may write.
start_pool_serve() {
	local size=$1 pid
	local -a as=() mode=(--socket-mode 0600)
	if [ "$(id -u)" -eq 0 ]; then
		chown www-data:www-data "$dir/run"
		as=(setpriv --reuid=www-data --regid=www-data --init-groups --)
		mode=(--socket-mode 0660)
	fi
	CALLS_API_CONF=$run/calls-api.cnf "${as[@]}" "$bin" serve \
	    --listen "unix:$(pool_socket)" --workers "$size" "${mode[@]}" \
	    --stop-timeout 5 </dev/null >/dev/null 2>>"$dir/responder.log" &
	pid=$!
	echo "$pid" >"$dir/pool.pid"
	for _ in $(seq 1 50); do
		if [ -S "$(pool_socket)" ]; then
			return 0
		fi
		alive "$pid" || break
		sleep 0.1
	done
	stop_pool
	die "calls-api serve did not start; see $dir/responder.log"
}

start_pool_spawn-fcgi() {
	local size=$1
	local -a opts
	opts=(-s "$(pool_socket)" -F "$size" -P "$dir/pool.pid")
	if [ "$(id -u)" -eq 0 ]; then
		opts+=(-u www-data -g www-data -U www-data -G www-data -M 0660)
	else
		opts+=(-M 0600)
	fi
	# spawn-fcgi gives its children /dev/null as stderr: a shell in front
	# sends the responder's log lines to a file, then becomes it (exec).
	CALLS_API_CONF=$run/calls-api.cnf spawn-fcgi "${opts[@]}" -- \
	    /bin/sh -c 'exec "$0" 2>>"$1"' "$bin" "$dir/responder.log" \
	    </dev/null >>"$dir/spawn-fcgi.log" 2>&1 || {
		stop_pool
		die "spawn-fcgi failed; see $dir/spawn-fcgi.log"
	}
}

# The pool's processes that still run our binary (serve: the parent).
pool_pids() {
	local pid
	[ -r "$dir/pool.pid" ] || return 0
	# spawn-fcgi ends the last pid without a newline.
	while read -r pid || [ -n "$pid" ]; do
		case "$pid" in '' | *[!0-9]*) continue ;; esac
		if alive "$pid" &&
		    [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$(pool_bin)" ]
		then
			echo "$pid"
		fi
	done <"$dir/pool.pid"
}

# The binary the pool was started from (recorded next to the pids).
pool_bin() { cat "$dir/pool.bin" 2>/dev/null || true; }

# SIGTERM: each responder (serve: the parent, which passes it on to its
# workers) finishes its request and leaves.
stop_pool() {
	local -a pids
	mapfile -t pids < <(pool_pids)
	if [ ${#pids[@]} -gt 0 ]; then
		kill -TERM "${pids[@]}" 2>/dev/null || true
		# serve's workers: waited for too.
		mapfile -t -O ${#pids[@]} pids < <(for p in "${pids[@]}"; do
			descendants "$p"; done)
		if ! wait_gone 80 "${pids[@]}"; then
			echo "web: responder pool did not stop in time; killing" >&2
			kill -KILL "${pids[@]}" 2>/dev/null || true
		fi
	fi
	rm -f "$dir/pool.pid" "$dir/pool.bin" "$dir/pool.runner" \
	    "$(pool_socket)"
}

# The shipped apache/calls-api-proxy-fcgi.conf, with our socket.
conf_proxy-fcgi() {
	start_pool
	{
		apache_common_conf
		apache_event_workers
		cat <<-CONF
		LoadModule mpm_event_module modules/mod_mpm_event.so
		LoadModule proxy_module modules/mod_proxy.so
		LoadModule proxy_fcgi_module modules/mod_proxy_fcgi.so

		Define CALLS_API_SOCKET "$(pool_socket)"
		Include "$top/apache/calls-api-proxy-fcgi.conf"
		CONF
	} >"$dir/httpd.conf"
}

# The shipped nginx/calls-api.conf (a location block), with our socket.
conf_nginx() {
	local user=""
	start_pool
	if [ "$(id -u)" -eq 0 ]; then
		user="user www-data www-data;"
	fi
	mkdir -p "$dir/run/tmp"
	chmod 0700 "$dir/run/tmp"
	[ -z "$user" ] || chown www-data:www-data "$dir/run/tmp"
	sed "s|unix:/run/calls-api/calls-api.sock;|unix:$(pool_socket);|" \
	    "$top/nginx/calls-api.conf" >"$dir/calls-api.conf"
	grep -q "unix:$(pool_socket);" "$dir/calls-api.conf" ||
	    die "nginx/calls-api.conf: no fastcgi_pass to replace"
	cat >"$dir/nginx.conf" <<-CONF
	# Generated by scripts/web.sh; the system's config is not used.
	$user
	daemon on;
	pid "$pidfile";
	error_log "$dir/error.log" warn;
	worker_processes 1;
	events {
	    worker_connections 1024;
	}
	http {
	    access_log "$dir/access.log";
	    client_body_temp_path "$dir/run/tmp/body";
	    fastcgi_temp_path "$dir/run/tmp/fastcgi";
	    proxy_temp_path "$dir/run/tmp/proxy";
	    uwsgi_temp_path "$dir/run/tmp/uwsgi";
	    scgi_temp_path "$dir/run/tmp/scgi";
	    server_tokens off;
	    large_client_header_buffers 4 16k;
	    server {
	        listen 127.0.0.1:$port;
	        root "$dir/htdocs";
	        include "$dir/calls-api.conf";
	    }
	}
	CONF
}

# lighttpd in front of such a pool: the shipped
# lighttpd/calls-api-external.conf, with our socket.
conf_lighttpd-pool() {
	start_pool
	if [ "$(id -u)" -eq 0 ]; then
		for log in "$dir/error.log" "$dir/access.log"; do
			touch "$log"
			chown www-data:www-data "$log"
		done
	fi
	{
	lighttpd_base_conf
	cat <<-CONF

	var.calls_api_socket = "$(pool_socket)"
	include "$top/lighttpd/calls-api-external.conf"
	CONF
	lighttpd_user_conf
	} >"$dir/lighttpd.conf"
}

start() {
	local url rc
	[ $# -eq 2 ] || usage
	port=$1
	bin=$2
	case "$port" in
	'' | *[!0-9]*) die "PORT must be a number" ;;
	esac
	case "$bin" in
	/*) ;;
	*) die "BINARY must be an absolute path" ;;
	esac
	[ -x "$bin" ] || die "$bin is not executable"
	# The configs quote paths with double quotes.
	case "$run$bin" in
	*[\"\\]*) die "paths must not contain quotes or backslashes" ;;
	esac
	if [ -n "$(server_pid)" ]; then
		die "$server is already running from $dir; stop it first"
	fi
	# curl's exit status 7: nothing listens there.
	url=http://127.0.0.1:$port/
	rc=0
	curl -s -o /dev/null --max-time 2 "$url" || rc=$?
	[ "$rc" -eq 7 ] || die "port $port is in use"

	# Open to Apache's children (www-data) whatever our umask.
	mkdir -p "$dir/htdocs" "$dir/run"
	chmod 0755 "$dir" "$dir/htdocs" "$dir/run"
	"conf_$server"
	# Both daemonize. They must not keep our stdout (a caller may be
	# reading it through a pipe): what they print goes to start.log.
	if [ "$server" = lighttpd ] || [ "$server" = lighttpd-pool ]; then
		lighttpd -f "$dir/lighttpd.conf"
	elif [ "$server" = nginx ]; then
		nginx -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf"
	else
		apache2 -d /usr/lib/apache2 -f "$dir/httpd.conf" -k start
	fi </dev/null >"$dir/start.log" 2>&1 || {
		cat "$dir/start.log" >&2
		fail_with_log "$server did not start"
	}
	# Up when it answers on the port (any HTTP status) and still runs.
	for _ in $(seq 1 100); do
		if curl -s -o /dev/null --max-time 1 "$url" &&
		    [ -n "$(server_pid)" ]; then
			return 0
		fi
		sleep 0.1
	done
	cat "$dir/start.log" >&2
	fail_with_log "$server does not answer on 127.0.0.1:$port"
}

fail_with_log() {
	echo "web: $1; last lines of $dir/error.log:" >&2
	tail -n 20 "$dir/error.log" >&2 2>/dev/null || true
	stop_pool
	exit 1
}

case "$cmd" in
start) shift 3; start "$@" ;;
stop) [ $# -eq 3 ] || usage; stop; stop_pool ;;
*) usage ;;
esac
