/*
 * Every SQL statement of the responder, and the store operations built on
 * them (struct store_ops over a struct db). Prepared statements only: no
 * SQL text is ever built from request data.
 */
#ifndef CALLS_API_SQL_H
#define CALLS_API_SQL_H

#include <stddef.h>

#include "db.h"
#include "store.h"

enum sql_stmt {
	SQL_KEY_LOOKUP,		/* key hash -> client_id of a live key */
	SQL_PAGE_FIRST,		/* first page of an organisation */
	SQL_PAGE_AFTER,		/* the page after a keyset position */
	SQL_GTID_BINLOG_POS,	/* a primary's position (lib/db_pool.c) */
	SQL_GTID_WAIT,		/* has a replica applied it? (db_pool.c) */
	SQL__COUNT
};

extern const char *const	 sql_text[SQL__COUNT];
extern const struct store_ops	 sql_store_ops;	/* ctx: struct db * */

#endif
