/*
 * API key authentication: "Authorization: Bearer <key>", the key hashed
 * with SHA-256 and looked up in the store; a small per-process cache of
 * positive answers lives for key-cache-seconds (so a revoked key stops
 * working at most that long after revocation).
 */
#ifndef CALLS_API_AUTH_H
#define CALLS_API_AUTH_H

#include <stddef.h>
#include <time.h>

#include "call.h"
#include "error.h"
#include "store.h"

#define AUTH_KEY_MAX		256	/* longer tokens are malformed */
#define AUTH_CACHE_SLOTS	64
#define KEY_HASH_HEX_SIZE	65

struct auth_cache_entry {
	char	 key_hash[KEY_HASH_HEX_SIZE];
	char	 client_id[ID_SIZE];
	time_t	 expires;
};

struct auth_cache {
	struct auth_cache_entry	 slot[AUTH_CACHE_SLOTS];
};

/*
 * The key in an Authorization header value: CA_OK with key and len set, or
 * CA_ERR_AUTH_MISSING / CA_ERR_AUTH_MALFORMED.
 */
enum ca_err	auth_parse_bearer(const char *header, const char **key,
		    size_t *len);

/* Lowercase hex SHA-256 of the key: 0, or -1 when OpenSSL fails. */
int		auth_key_hash(const char *key, size_t len,
		    char hex[KEY_HASH_HEX_SIZE]);

/* The whole step: header to organisation. */
enum ca_err	auth_authenticate(struct auth_cache *, const struct store *,
		    int ttl, time_t now, const char *header,
		    char client_id[ID_SIZE]);

#endif
