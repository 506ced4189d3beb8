/*
 * What key administration needs from the database: lib/key_db.c does it
 * on MariaDB; the unit tests use an in-memory fake. Each operation
 * returns CA_OK or an error with a one-line explanation in ks->why:
 * CA_ERR_DB_DENIED (the account lacks a privilege: the why names the
 * account and the grant), CA_ERR_DB_UNAVAILABLE, CA_ERR_CONFIG,
 * CA_ERR_INTERNAL.
 */
#ifndef CALLS_API_KEY_STORE_H
#define CALLS_API_KEY_STORE_H

#include <stddef.h>

#include "auth.h"
#include "call.h"
#include "error.h"
#include "key_format.h"

#define KEY_LABEL_SIZE	(KEY_LABEL_MAX * 4 + 1)
#define KEY_TIME_SIZE	32	/* "2026-03-09T10:00:00Z" */

struct key_row {
	char	 hash[KEY_HASH_HEX_SIZE];
	char	 client_id[ID_SIZE];
	size_t	 client_id_len;
	char	 label[KEY_LABEL_SIZE];	/* "" when none */
	size_t	 label_len;
	char	 created[KEY_TIME_SIZE];	/* ISO 8601 UTC */
	char	 revoked[KEY_TIME_SIZE];	/* "" while live */
};

/* At most this many keys are fetched for a prefix: enough to list. */
#define KEY_FIND_MAX	10

struct key_store;

struct key_store_ops {
	/* *known: 1 when client_id has a call, an agent or a key. */
	enum ca_err	(*client_known)(struct key_store *,
			    const char *client_id, int *known);
	/* A new live key: its hash, organisation and label (NULL: none). */
	enum ca_err	(*insert)(struct key_store *, const char *hash,
			    const char *client_id, const char *label);
	/* Each key (of client_id, or all when NULL) in client_id, created
	 * order; each() returning -1 stops with CA_ERR_INTERNAL. */
	enum ca_err	(*list)(struct key_store *, const char *client_id,
			    int (*each)(void *arg, const struct key_row *),
			    void *arg);
	/* Up to max keys whose hash starts with prefix, in *n. */
	enum ca_err	(*find)(struct key_store *, const char *prefix,
			    struct key_row *rows, size_t max, size_t *n);
	/* Revoke the key with this hash: *changed 0 when it was already. */
	enum ca_err	(*revoke)(struct key_store *, const char *hash,
			    int *changed);
};

struct key_store {
	const struct key_store_ops	*ops;
	void				*ctx;
	char				 why[4096];
};

#endif
