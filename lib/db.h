/*
 * The database connection: connect from the option file, prepare every
 * statement, and run an operation with one reconnect-and-retry when the
 * connection turns out to be lost (the operations are read-only).
 */
#ifndef CALLS_API_DB_H
#define CALLS_API_DB_H

#include <stddef.h>
#include <time.h>

#include <mysql.h>

#include "error.h"

#define DB_CONNECT_TIMEOUT	2	/* seconds */
#define DB_IO_TIMEOUT		5	/* seconds; well below FcgidIOTimeout */
#define DB_RETRY_DELAY		1	/* seconds between failed connects */
#define DB_MAX_STMTS		8

struct db {
	MYSQL		*conn;
	const char	*conf_path;
	const char	*const *stmt_text;	/* what to prepare, by index */
	size_t		 nstmt;
	MYSQL_STMT	*stmt[DB_MAX_STMTS];
	time_t		 next_connect;		/* backoff after a failure */
};

void		db_init(struct db *, const char *conf_path,
		    const char *const *stmt_text, size_t nstmt);
void		db_close(struct db *);

/*
 * Run op(db, arg) on a connected db. op returns CA_ERR_DB_UNAVAILABLE only
 * when the connection was lost (see db_classify); then db_run reconnects,
 * re-prepares and runs op once more before answering 503.
 */
enum ca_err	db_run(struct db *, enum ca_err (*op)(struct db *, void *),
		    void *arg);

/* Map a statement error to CA_ERR_DB_UNAVAILABLE or CA_ERR_INTERNAL, logging it. */
enum ca_err	db_stmt_error(struct db *, MYSQL_STMT *, const char *what);

#endif
