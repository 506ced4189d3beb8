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
	SQL_GET_CALL,		/* one call of an organisation by call_sid */
	SQL_GTID_BINLOG_POS,	/* a primary's position (lib/db_pool.c) */
	SQL_GTID_WAIT,		/* has a replica applied it? (db_pool.c) */
	SQL__COUNT
};

extern const char *const	 sql_text[SQL__COUNT];

/*
 * The listing's statements are assembled from constant fragments, chosen
 * by the request's shape (which filters are present, the scan direction,
 * the seek and the floor), and prepared once per shape (db_stmt_keyed).
 * A shape is these bits; the eq bits are 1 << LIST_EQ_*.
 */
#define SQL_SHAPE_EQ(i)		(1ul << (i))	/* c.<filter> = ? */
#define SQL_SHAPE_AFTER		(1ul << 6)	/* created_at >= ? */
#define SQL_SHAPE_BEFORE	(1ul << 7)	/* created_at < ? */
#define SQL_SHAPE_DESC		(1ul << 8)	/* newest first, else oldest */
#define SQL_SHAPE_SEEK		(1ul << 9)	/* past a position */
#define SQL_SHAPE_SEEK_INCL	(1ul << 10)	/* ... or at it */
#define SQL_SHAPE_FLOORED	(1ul << 11)	/* not past the floor */
#define SQL_SHAPE_FLOOR		(1ul << 12)	/* the floor query itself */
#define SQL_SHAPE_BARE		(1ul << 13)	/* no join: agent_name NULL */
/* The names of up to n agents of an organisation (n one of SQL_NAMES_*):
 * the statement keyed SQL_NAMES_KEY | n, text sql_names_text. */
#define SQL_NAMES_KEY		(1ul << 20)
#define SQL_NAMES_MAX		128	/* the most ids of one lookup */

/*
 * The SQL text of a shape into buf (a db_text_fn; arg unused): the page
 * query (the call fields; with SQL_SHAPE_BARE without the join on agents,
 * agent_name NULL), or with SQL_SHAPE_FLOOR the query for the
 * position of the scan-limit-th row (no filters, no floor). 0, or -1 when
 * it does not fit cap.
 */
int	sql_shape_text(unsigned long shape, const void *arg, char *buf,
	    size_t cap);
int	sql_names_text(unsigned long key, const void *arg, char *buf,
	    size_t cap);
extern const struct store_ops	 sql_store_ops;	/* ctx: struct db * */

/*
 * Agent names for list_calls from this cache (lib/agent_cache.h), NULL:
 * from the join, as get_call always does. With a cache, a page runs
 * without the join (SQL_SHAPE_BARE), its rows buffered; the agents not
 * cached are looked up in one statement (their ids padded to 4, 16, 64 or
 * 128 so that few statements are prepared) and cached, then the page is
 * served from the buffer with the cached names. Should a name still be
 * missing (out of memory) the page runs again with the join. One cache per process, whichever server (primary or replica) a
 * page runs on.
 */
struct agent_cache;
void	sql_set_agent_cache(struct agent_cache *);

#endif
