/*
 * API keys on the command line (calls-api key ...): making a key, the
 * prefix that names it in listings, and the checks on what a person types.
 * No I/O here but the random source of key_generate.
 *
 * A key is "ck_" and 40 characters of [A-Za-z0-9] (about 238 random bits),
 * the format scripts/db.sh made; only its lowercase hex SHA-256 is stored
 * (auth_key_hash), so keys made before keep working. A key's prefix is the
 * first KEY_PREFIX_LEN hex digits of that hash: not secret, and enough to
 * tell keys apart; revoke takes KEY_PREFIX_MIN to 64 of them.
 */
#ifndef CALLS_API_KEY_FORMAT_H
#define CALLS_API_KEY_FORMAT_H

#include <stddef.h>

#include "auth.h"

#define KEY_TAG			"ck_"
#define KEY_RANDOM_CHARS	40
#define KEY_LEN			(sizeof(KEY_TAG) - 1 + KEY_RANDOM_CHARS)
#define KEY_SIZE		(KEY_LEN + 1)
#define KEY_PREFIX_LEN		12	/* shown by key list */
#define KEY_PREFIX_MIN		8	/* the shortest prefix revoke takes */
#define KEY_CLIENT_ID_MAX	64	/* characters: api_keys.client_id */
#define KEY_LABEL_MAX		100	/* characters: api_keys.label */

/* Fills buf with n random bytes: 0, or -1 (errno set). */
typedef int	key_random_fn(void *buf, size_t n);

/* n bytes from the kernel's random source (getrandom(2)). */
int		key_random_os(void *buf, size_t n);

/*
 * A new key in key (NUL-terminated), from random bytes that rnd gives:
 * each byte under 248 picks one of the 62 characters (248 = 4 * 62, so
 * every character is equally likely), the others are drawn again.
 * 0, or -1 when rnd fails. The random bytes are wiped after use.
 */
int		key_generate(key_random_fn *rnd, char key[KEY_SIZE]);

/*
 * A prefix or hash typed for revoke, lowercased into out: KEY_PREFIX_MIN
 * to 64 hex digits. 0, or -1 with the reason in why.
 */
int		key_parse_prefix(const char *in, char out[KEY_HASH_HEX_SIZE],
		    char *why, size_t whylen);

/*
 * The digits that tell each of n hashes (64 hex digits each) from the
 * others: KEY_PREFIX_LEN, or more when two of them share that many.
 */
size_t		key_distinct_len(const char *const *hashes, size_t n);

/*
 * A CLIENT_ID or label as the schema stores it: valid UTF-8 of 1 to max
 * characters, no control characters (C0, DEL, C1). 0, or -1 with the
 * reason in why (what names the argument: "CLIENT_ID", "label").
 */
int		key_check_text(const char *s, size_t max, const char *what,
		    char *why, size_t whylen);

/*
 * s as it may go to a terminal: control characters and invalid UTF-8
 * bytes each shown as '?'. Writes at most outsize - 1 bytes and a NUL.
 */
void		key_printable(const char *s, size_t len, char *out,
		    size_t outsize);

#endif
