#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "db_error.h"
#include "log.h"

/*
 * glibc's resolver waits 5 s per try and tries twice: a DNS server that
 * does not answer held a connect to host=NAME for 10 s (measured), out of
 * reach of db_io_wait. One second and one try (2 s measured, A and AAAA)
 * keep the answer within the request's 3 s; RES_OPTIONS set by the
 * operator wins.
 */
#define DNS_RES_OPTIONS	"timeout:1 attempts:1"

/*
 * The deadline of the db_run in progress (ms, db_clock_ms), 0 when none.
 * File-wide because the connector's wait hook has no context argument;
 * a process has one connection and serves one request at a time.
 */
static long long	io_deadline;

static enum ca_err	connect_db(struct db *);

/* log_error with the server's name first, unless the db is quiet. */
static void	db_log(const struct db *, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));

static void
db_log(const struct db *db, const char *fmt, ...)
{
	char	 line[1024];
	va_list	 ap;

	if (db->quiet)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	log_error("%s: %s", db->name != NULL ? db->name : "database", line);
}

long long
db_clock_ms(void)
{
	struct timespec	 ts;

	/* CLOCK_MONOTONIC cannot fail on Linux; 0 would mean "no deadline". */
	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		return 1;
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
db_io_wait(my_socket fd, my_bool is_read, int timeout)
{
	struct pollfd	 p;
	long long	 left;
	int		 rc;

	memset(&p, 0, sizeof(p));
	p.fd = (int)fd;
	p.events = is_read ? POLLIN : POLLOUT;
	do {
		if (io_deadline != 0) {
			left = io_deadline - db_clock_ms();
			if (left <= 0) {
				errno = ETIMEDOUT;
				return 0;
			}
			if (timeout <= 0 || left < timeout)
				timeout = (int)left;
		}
		rc = poll(&p, 1, timeout > 0 ? timeout : -1);
	} while (rc == -1 && errno == EINTR);
	if (rc == 0)
		errno = ETIMEDOUT;
	return rc;
}

void
db_init(struct db *db, const char *conf_path, const char *const *stmt_text,
    size_t nstmt)
{
	memset(db, 0, sizeof(*db));
	db->conf_path = conf_path;
	db->stmt_text = stmt_text;
	db->nstmt = nstmt < DB_MAX_STMTS ? nstmt : DB_MAX_STMTS;
	db->connect = connect_db;
	db->clock = db_clock_ms;
	db->budget_ms = DB_BUDGET_MS;
	db->connect_err = CA_ERR_DB_UNAVAILABLE;
	db->tls.verify = -1;
	db->connect_min_ms = DB_CONNECT_MIN_MS;
}

void
db_set_server(struct db *db, const char *host, unsigned int port,
    const char *socket, const char *name)
{
	db->host = host;
	db->port = port;
	db->socket = socket;
	db->name = name;
}

void
db_set_tls(struct db *db, const struct db_tls *tls)
{
	db->tls = *tls;
}

void
db_set_budget(struct db *db, long long ms)
{
	db->budget_ms = ms < DB_BUDGET_MIN_MS ? DB_BUDGET_MIN_MS :
	    ms > DB_BUDGET_MAX_MS ? DB_BUDGET_MAX_MS : ms;
}

void
db_begin(struct db *db)
{
	db->deadline = db->clock() + db->budget_ms;
}

/*
 * The connection first: mysql_close sends COM_QUIT and detaches the
 * statements (the server frees them with the connection), so closing them
 * afterwards only frees memory. In the other order each statement costs a
 * COM_STMT_CLOSE packet and a wake-up of the server's thread: three per
 * CGI run, for nothing.
 */
void
db_close(struct db *db)
{
	size_t	 i;

	if (db->conn != NULL)
		mysql_close(db->conn);
	db->conn = NULL;
	for (i = 0; i < DB_MAX_STMTS; i++) {
		if (db->stmt[i] != NULL)
			(void)mysql_stmt_close(db->stmt[i]);
		db->stmt[i] = NULL;
	}
	for (i = 0; i < DB_MAX_KEYED; i++) {
		if (db->keyed[i].stmt != NULL)
			(void)mysql_stmt_close(db->keyed[i].stmt);
		db->keyed[i].stmt = NULL;
	}
}

/* True when the deadline of the db_run in progress has passed. */
static int
spent(const struct db *db)
{
	return io_deadline != 0 && db->clock() >= io_deadline;
}

enum ca_err
db_stmt_error(struct db *db, MYSQL_STMT *stmt, const char *what)
{
	unsigned int	 e = mysql_stmt_errno(stmt);

	db_log(db, "%s: %u %s%s", what, e, mysql_stmt_error(stmt),
	    spent(db) ? " (no answer within the request's time budget)" : "");
	return db_error_lost(e) ? CA_ERR_DB_UNAVAILABLE : CA_ERR_INTERNAL;
}

/*
 * With TLS wanted and ssl-verify-server-cert not written, verify the
 * server (Connector/C 3.4's default): the connector then refuses, before
 * it authenticates, a server that offers no TLS. An option file line
 * would override this, so config.c refuses the forms the connector reads
 * as "off" by mistake (a bare ssl-verify-server-cert).
 */
int
db_tls_options(MYSQL *conn, const struct db_tls *tls)
{
	my_bool	 verify = 1;

	if (!tls->wanted || tls->verify != -1)
		return 0;
	return mysql_options(conn, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &verify);
}

const char *
db_tls_refusal(MYSQL *conn, const struct db_tls *tls)
{
	if (tls->wanted && mysql_get_ssl_cipher(conn) == NULL)
		return "the server did not start TLS, which the ssl-* options "
		    "ask for: refused (no plaintext fallback); turn TLS on at "
		    "the server, or remove the ssl-* options";
	return NULL;
}

/* Why a connect failed: logged, and kept for the back-off's lines. */
static void
connect_why(struct db *db, const char *why)
{
	snprintf(db->connect_why, sizeof(db->connect_why), "%s", why);
	db_log(db, "connect: %s", why);
}

/* The reason a connect failed, with what to check. */
static enum ca_err
connect_failed(struct db *db)
{
	unsigned int	 e = mysql_errno(db->conn);
	const char	*msg = mysql_error(db->conn), *hint;
	char		 why[sizeof(db->connect_why)];
	enum ca_err	 err;

	err = db_error_connect(e, msg, &hint);
	snprintf(why, sizeof(why), "%u %s%s%s%s", e, msg, spent(db) ?
	    " (no answer within the request's time budget)" : "",
	    hint != NULL ? ": " : "", hint != NULL ? hint : "");
	connect_why(db, why);
	return err;
}

static enum ca_err
connect_db(struct db *db)
{
	unsigned int	 connect_timeout = DB_CONNECT_TIMEOUT;
	unsigned int	 io_timeout = DB_IO_TIMEOUT;
	my_bool		 reconnect = 0;
	const char	*refusal;
	unsigned int	 protocol_tcp = MYSQL_PROTOCOL_TCP;
	unsigned int	 protocol_socket = MYSQL_PROTOCOL_SOCKET;

	/* The connector's own limit per wait is a backstop: never below the
	 * budget, which a longer db-budget-ms would otherwise not reach. */
	if (db->budget_ms / 1000 + 1 > io_timeout)
		io_timeout = (unsigned int)(db->budget_ms / 1000 + 1);
	if ((db->conn = mysql_init(NULL)) == NULL)
		return CA_ERR_INTERNAL;
	/*
	 * Our timeouts first; the option file may still override the connect
	 * timeout. Every wait ends at the request's deadline (db_io_wait).
	 */
	if (mysql_optionsv(db->conn, MARIADB_OPT_IO_WAIT, db_io_wait) ||
	    mysql_options(db->conn, MYSQL_OPT_CONNECT_TIMEOUT,
	    &connect_timeout) || mysql_options(db->conn,
	    MYSQL_OPT_READ_TIMEOUT, &io_timeout) || mysql_options(db->conn,
	    MYSQL_OPT_WRITE_TIMEOUT, &io_timeout) || mysql_options(db->conn,
	    MYSQL_OPT_RECONNECT, &reconnect) || mysql_options(db->conn,
	    MYSQL_READ_DEFAULT_FILE, db->conf_path) || mysql_options(db->conn,
	    MYSQL_READ_DEFAULT_GROUP, "calls-api") || mysql_options(db->conn,
	    MYSQL_SET_CHARSET_NAME, "utf8mb4") || db_tls_options(db->conn, &db->tls) ||
	    setenv("RES_OPTIONS", DNS_RES_OPTIONS, 0) == -1) {
		db_log(db, "cannot set connection options");
		return CA_ERR_INTERNAL;
	}
	/*
	 * Another server than the option file's: its host and port, or its
	 * socket, passed here win over the file's lines, and the protocol
	 * says which (with host "localhost" the connector would otherwise
	 * take the file's socket).
	 */
	if ((db->host != NULL || db->socket != NULL) && mysql_options(db->conn,
	    MYSQL_OPT_PROTOCOL, db->host != NULL ? &protocol_tcp :
	    &protocol_socket)) {
		db_log(db, "cannot set the protocol");
		return CA_ERR_INTERNAL;
	}
	if (mysql_real_connect(db->conn, db->host != NULL ? db->host :
	    db->socket != NULL ? "localhost" : NULL, NULL, NULL, NULL,
	    db->host != NULL ? db->port : 0, db->socket, 0) == NULL)
		return connect_failed(db);
	/*
	 * Verified or not, TLS that was asked for is in use: with
	 * ssl-verify-server-cert=0 the connector would go on in plaintext.
	 */
	if ((refusal = db_tls_refusal(db->conn, &db->tls)) != NULL) {
		connect_why(db, refusal);
		return CA_ERR_DB_UNAVAILABLE;
	}
	/* The option file's charset line could differ: insist on utf8mb4. */
	if (mysql_set_character_set(db->conn, "utf8mb4") != 0) {
		db_log(db, "utf8mb4: %s", mysql_error(db->conn));
		return CA_ERR_INTERNAL;
	}
	return CA_OK;
}

/* A new statement for text, prepared; NULL with *err set (logged). */
static MYSQL_STMT *
prepare(struct db *db, const char *text, enum ca_err *err)
{
	MYSQL_STMT	*st;

	if ((st = mysql_stmt_init(db->conn)) == NULL) {
		log_error("database: no memory for a statement");
		*err = CA_ERR_INTERNAL;
		return NULL;
	}
	if (mysql_stmt_prepare(st, text, strlen(text)) != 0) {
		*err = db_stmt_error(db, st, "prepare");
		/* A missing table, index or grant is a deployment problem. */
		if (*err == CA_ERR_INTERNAL)
			*err = CA_ERR_CONFIG;
		(void)mysql_stmt_close(st);
		return NULL;
	}
	return st;
}

MYSQL_STMT *
db_stmt_keyed(struct db *db, unsigned long key, db_text_fn *text,
    const void *arg, enum ca_err *err)
{
	static char	 sql[8192];
	struct db_keyed	*k, *slot = &db->keyed[0];
	size_t		 i;

	if (db->conn == NULL) {
		log_error("database: statement %lx without a connection", key);
		*err = CA_ERR_INTERNAL;
		return NULL;
	}
	db->keyed_tick++;
	for (i = 0; i < DB_MAX_KEYED; i++) {
		k = &db->keyed[i];
		if (k->stmt != NULL && k->key == key) {
			k->used = db->keyed_tick;
			return k->stmt;
		}
		/* A free slot, else the least recently used. */
		if (slot->stmt != NULL && (k->stmt == NULL ||
		    k->used < slot->used))
			slot = k;
	}
	if (text(key, arg, sql, sizeof(sql)) == -1) {
		log_error("database: statement %lx does not fit %zu bytes",
		    key, sizeof(sql));
		*err = CA_ERR_INTERNAL;
		return NULL;
	}
	if (slot->stmt != NULL) {
		(void)mysql_stmt_close(slot->stmt);
		slot->stmt = NULL;
	}
	if ((slot->stmt = prepare(db, sql, err)) == NULL)
		return NULL;
	slot->key = key;
	slot->used = db->keyed_tick;
	return slot->stmt;
}

MYSQL_STMT *
db_stmt(struct db *db, size_t i, enum ca_err *err)
{
	MYSQL_STMT	*st;

	if (i >= db->nstmt || db->conn == NULL) {
		db_log(db, "statement %zu of %zu without a connection",
		    i, db->nstmt);
		*err = CA_ERR_INTERNAL;
		return NULL;
	}
	if (db->stmt[i] != NULL)
		return db->stmt[i];
	if ((st = prepare(db, db->stmt_text[i], err)) == NULL)
		return NULL;
	return db->stmt[i] = st;
}

/* A connection, or CA_ERR_DB_UNAVAILABLE at once while backing off. */
static enum ca_err
db_ensure(struct db *db, long long deadline)
{
	enum ca_err	 err;
	long long	 now;

	if (db->conn != NULL)
		return CA_OK;
	now = db->clock();
	if (now < db->next_connect) {		/* answer fast while down */
		db_log(db, "unavailable, next connect in %lld ms "
		    "(the last one failed%s%s)", db->next_connect - now,
		    db->connect_why[0] != '\0' ? ": " : "", db->connect_why);
		/* A configuration error stays one (500) while backing off. */
		return db->connect_err;
	}
	if (deadline - now < db->connect_min_ms)
		return CA_ERR_DB_UNAVAILABLE;	/* no time left to connect */
	db->connect_why[0] = '\0';
	if ((err = db->connect(db)) != CA_OK) {
		db_close(db);
		/* From the end of the attempt: it may have taken seconds. */
		db->next_connect = db->clock() + DB_RETRY_DELAY_MS;
		db->connect_err = err == CA_ERR_CONFIG ? CA_ERR_CONFIG :
		    CA_ERR_DB_UNAVAILABLE;
	}
	return err;
}

enum ca_err
db_run(struct db *db, db_op *op, void *arg)
{
	long long	 deadline;
	enum ca_err	 err;
	int		 attempt, may_retry;

	deadline = db->deadline != 0 ? db->deadline :
	    db->clock() + db->budget_ms;
	io_deadline = deadline;
	for (attempt = 0; attempt < 2; attempt++) {
		if ((err = db_ensure(db, deadline)) != CA_OK)
			break;
		may_retry = 1;
		if ((err = op(db, arg, &may_retry)) != CA_ERR_DB_UNAVAILABLE)
			break;
		db_close(db);	/* lost: reconnect and re-prepare, once */
		if (!may_retry)
			break;
	}
	io_deadline = 0;
	return err;
}
