/*
 * The database connection: connect from the option file, prepare each
 * statement when it is first used on the connection (a CGI run, one
 * request per process, prepares only what its request runs), and run
 * operations within a per-request time budget, with one
 * reconnect-and-retry when the connection turns out to be lost and the
 * operation says it may be run again.
 */
#ifndef CALLS_API_DB_H
#define CALLS_API_DB_H

#include <stddef.h>

#include <mysql.h>

#include "error.h"

/*
 * Time limits (README, "Timeouts"). DB_BUDGET_MS bounds all database work
 * of one request: connect, key lookup, page query, reconnect and retry.
 * Every wait of the connector for the server ends at that deadline (see
 * db_io_wait), so a hung server costs a request at most this long before
 * its 503. The connector's own per-wait limits stay as a backstop.
 */
#ifndef DB_BUDGET_MS
#define DB_BUDGET_MS		1500
#endif
#ifndef DB_CONNECT_TIMEOUT
#define DB_CONNECT_TIMEOUT	1	/* seconds, MYSQL_OPT_CONNECT_TIMEOUT */
#endif
#ifndef DB_IO_TIMEOUT
#define DB_IO_TIMEOUT		2	/* seconds, MYSQL_OPT_{READ,WRITE}_TIMEOUT */
#endif
/* A connect is started only with this much of the budget left. */
#define DB_CONNECT_MIN_MS	(DB_CONNECT_TIMEOUT * 1000)
/* The range of db-budget-ms: room for one connect, below FcgidIOTimeout. */
#define DB_BUDGET_MIN_MS	DB_CONNECT_MIN_MS
#define DB_BUDGET_MAX_MS	30000
#if DB_CONNECT_MIN_MS > DB_BUDGET_MS
#error "DB_CONNECT_TIMEOUT must fit in DB_BUDGET_MS"
#endif
/* After a failed connect, none for this long (counted from its end). */
#define DB_RETRY_DELAY_MS	1000
#define DB_MAX_STMTS		8
/* Statements whose text depends on a request's shape (db_stmt_keyed):
 * this many stay prepared per connection, the least recently used goes. */
#define DB_MAX_KEYED		32

struct db_keyed {
	unsigned long	 key;		/* the shape the text was built for */
	unsigned long	 used;		/* db->keyed_tick at its last use */
	MYSQL_STMT	*stmt;		/* NULL: a free slot */
};

/*
 * What the option file asks of TLS to the database (config.c reads it;
 * the connector reads the same options itself). wanted: an ssl-* or
 * tls-* option asks for TLS. verify: ssl-verify-server-cert as written,
 * 0 or 1, or -1 when it is not written; with TLS wanted, -1 is taken as 1.
 */
struct db_tls {
	int		 wanted;
	int		 verify;
};

struct db {
	MYSQL		*conn;
	const char	*conf_path;
	const char	*const *stmt_text;	/* what to prepare, by index */
	size_t		 nstmt;
	MYSQL_STMT	*stmt[DB_MAX_STMTS];
	struct db_keyed	 keyed[DB_MAX_KEYED];
	unsigned long	 keyed_tick;
	long long	 budget_ms;	/* DB_BUDGET_MS or the option file's */
	long long	 deadline;	/* ms: end of this request's budget */
	long long	 next_connect;	/* ms: back-off after a failed connect */
	enum ca_err	 connect_err;	/* how the last connect failed */
	char		 connect_why[512];	/* and why, for the log */
	struct db_tls	 tls;		/* db_set_tls; none by default */
	/*
	 * The server (db_set_server): NULL host and socket, the option
	 * file's. name: how the log calls it ("database" when NULL). quiet:
	 * log nothing (the replica pool says once what happened instead).
	 */
	const char	*host;
	unsigned int	 port;
	const char	*socket;
	const char	*name;
	int		 quiet;
	long long	 connect_min_ms;	/* DB_CONNECT_MIN_MS by default */
	/* Set by db_init; unit tests substitute fakes. */
	enum ca_err	(*connect)(struct db *);
	long long	(*clock)(void);	/* ms, monotonic */
};

void		db_init(struct db *, const char *conf_path,
		    const char *const *stmt_text, size_t nstmt);
void		db_close(struct db *);

/* A request starts: its database budget (budget_ms) runs from now. */
void		db_begin(struct db *);

/* The budget of each request from now on: DB_BUDGET_MIN_MS to
 * DB_BUDGET_MAX_MS (db-budget-ms in the option file). */
void		db_set_budget(struct db *, long long ms);

/*
 * TLS as the option file asks for it (struct db_tls): when wanted, the
 * server's certificate is verified (unless ssl-verify-server-cert=0) and
 * a session without TLS is refused, never used in plaintext.
 */
void		db_set_tls(struct db *, const struct db_tls *);

/*
 * Another server than the option file's host/port/socket, with the same
 * account, database and TLS options: over TCP to host:port, or over the
 * Unix socket at socket (host NULL). name is what the log calls it.
 */
void		db_set_server(struct db *, const char *host, unsigned int port,
		    const char *socket, const char *name);

/* That policy for any connection: db_tls_options before connecting (0 or
 * the connector's error), db_tls_refusal after it (NULL, or why the
 * session may not be used). */
int		db_tls_options(MYSQL *, const struct db_tls *);
const char	*db_tls_refusal(MYSQL *, const struct db_tls *);

/*
 * One operation on a connected db. It returns CA_ERR_DB_UNAVAILABLE only
 * when the connection was lost (see db_stmt_error). *may_retry is 1 when
 * it is called; the operation sets it to 0 once running it again would
 * repeat an effect (e.g. rows already handed to the caller).
 */
typedef enum ca_err	db_op(struct db *, void *arg, int *may_retry);

/*
 * Run op(db, arg, ...) within the current request's budget (a budget of
 * its own when db_begin was not called). When op loses the connection,
 * db_run closes it and, only if op may be retried and at least
 * DB_CONNECT_MIN_MS of the budget is left, reconnects, re-prepares and
 * runs op once more; otherwise it answers CA_ERR_DB_UNAVAILABLE (503).
 */
enum ca_err	db_run(struct db *, db_op *op, void *arg);

/*
 * Statement i of the db's stmt_text, prepared on this connection at its
 * first use; for an operation inside db_run (the connection is there).
 * NULL with *err set when it cannot be prepared (logged):
 * CA_ERR_DB_UNAVAILABLE when the connection was lost (db_run may retry),
 * CA_ERR_CONFIG when the server refuses it (a missing table or grant),
 * CA_ERR_INTERNAL otherwise.
 */
MYSQL_STMT	*db_stmt(struct db *, size_t i, enum ca_err *err);

/*
 * The statement of shape key, prepared on this connection at its first
 * use: on a miss text(key, arg, buf, cap) writes its SQL into buf (0, or
 * -1 when it does not fit: CA_ERR_INTERNAL). At most DB_MAX_KEYED stay
 * prepared; the least recently used one is closed to make room. Errors as
 * db_stmt.
 */
typedef int	db_text_fn(unsigned long key, const void *arg, char *buf,
		    size_t cap);
MYSQL_STMT	*db_stmt_keyed(struct db *, unsigned long key,
		    db_text_fn *text, const void *arg, enum ca_err *err);

/* Map a statement error to CA_ERR_DB_UNAVAILABLE or CA_ERR_INTERNAL, logging it. */
enum ca_err	db_stmt_error(struct db *, MYSQL_STMT *, const char *what);

/*
 * The connector's wait for its socket (MARIADB_OPT_IO_WAIT): poll() for at
 * most timeout ms (the connector's limit, <= 0: none) and never past the
 * deadline of the db_run in progress. Returns as poll() does.
 */
int		db_io_wait(my_socket, my_bool is_read, int timeout);

/* Milliseconds on the monotonic clock. */
long long	db_clock_ms(void);

#endif
