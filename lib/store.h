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

struct store_ops {
	/*
	 * The organisation of a live (unrevoked) key, by the key's hex
	 * SHA-256. CA_OK, CA_ERR_AUTH_INVALID when there is none, or a
	 * database error (CA_ERR_DB_UNAVAILABLE, CA_ERR_CONFIG, ...).
	 */
	enum ca_err	(*key_lookup)(void *ctx, const char *key_hash_hex,
			    char client_id[ID_SIZE]);
	/*
	 * Up to fetch calls of client_id in keyset order (created_at DESC,
	 * call_sid DESC), strictly after *after when it is not NULL, handed
	 * to each() one by one as they arrive (the row is valid during the
	 * call only). each() returning -1 stops the listing with
	 * CA_ERR_INTERNAL. On an error, rows already handed over are void.
	 *
	 * Replay: all operations are read-only. The store runs one again
	 * after a lost connection (reconnected, within the request's time
	 * budget) only while it has handed nothing on: a listing that loses
	 * its connection after its first row fails with
	 * CA_ERR_DB_UNAVAILABLE and is not retried.
	 */
	enum ca_err	(*list_calls)(void *ctx, const char *client_id,
			    const struct cursor_pos *after, int fetch,
			    int (*each)(void *arg, const struct call *),
			    void *arg);
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
