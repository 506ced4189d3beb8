/*
 * What the request handler needs from the database, as three operations.
 * lib/sql.c implements them on MariaDB; tests and fuzzers may supply a
 * fake, so the handler never depends on a live server.
 */
#ifndef CALLS_API_STORE_H
#define CALLS_API_STORE_H

#include "call.h"
#include "cursor.h"
#include "error.h"
#include "params.h"

/* What one listing asks of the store (see list_calls). */
struct list_query {
	const char			*client_id;
	const struct list_params	*params;	/* filters, window */
	int				 desc;		/* scan direction */
	const struct cursor_pos		*seek;		/* or NULL */
	int				 fetch;
	int				 scan_limit;	/* 0: unbounded */
};

struct store_ops {
	/*
	 * The organisation of a live (unrevoked) key, by the key's hex
	 * SHA-256. CA_OK, CA_ERR_AUTH_INVALID when there is none, or a
	 * database error (CA_ERR_DB_UNAVAILABLE, CA_ERR_CONFIG, ...).
	 */
	enum ca_err	(*key_lookup)(void *ctx, const char *key_hash_hex,
			    char client_id[ID_SIZE]);
	/*
	 * Up to q->fetch calls of q->client_id matching q->params' filters
	 * and time window (its order is the handler's business: q->desc
	 * gives the scan direction), in keyset order (created_at, call_sid)
	 * descending when q->desc, else ascending, starting past q->seek
	 * (at it too when q->seek->inclusive; dir is ignored) or, without
	 * one, at the first row. Handed to each() one by one as they arrive
	 * (the row is valid during the call only). each() returning -1
	 * stops the listing with CA_ERR_INTERNAL. On an error, rows already
	 * handed over are void.
	 *
	 * Bounded cost: with q->scan_limit > 0 the listing looks at no more
	 * than the first scan_limit rows of the organisation from the
	 * seek in that order and window (the "floor" is the last of them),
	 * whatever the filters: when there are that many, *floor_found is
	 * 1, *floor its position, and no row past it is handed over.
	 * Otherwise *floor_found is 0.
	 *
	 * Replay: all operations are read-only. The store runs one again
	 * after a lost connection (reconnected, within the request's time
	 * budget) only while it has handed nothing on: a listing that loses
	 * its connection after its first row fails with
	 * CA_ERR_DB_UNAVAILABLE and is not retried.
	 */
	enum ca_err	(*list_calls)(void *ctx, const struct list_query *q,
			    int (*each)(void *arg, const struct call *),
			    void *arg, int *floor_found,
			    struct cursor_pos *floor);
	/*
	 * The call of client_id whose call_sid is exactly the sid_len
	 * bytes at call_sid, into *out: CA_OK, CA_ERR_CALL_NOT_FOUND when
	 * there is none (no such call_sid, or another organisation's: the
	 * same single statement answers both), or a database error. It
	 * hands nothing on before it returns, so it is always replayed
	 * after a lost connection (within the budget).
	 */
	enum ca_err	(*get_call)(void *ctx, const char *client_id,
			    const char *call_sid, size_t sid_len,
			    struct call *out);
};

struct store {
	const struct store_ops	*ops;
	void			*ctx;
};

#endif
