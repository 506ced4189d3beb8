/*
 * Key authentication and its per-process cache against the in-memory
 * store: the clock is moved, never the cache zeroed; a cached entry that
 * differs from the presented key's hash in any one character must not
 * authenticate; the cached hash is compared in constant time over its
 * whole length.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "../../lib/auth.h"
#include "fake_store.h"
#include "tap.h"

#define T0	1000000		/* any clock; only differences matter */

static struct fake_key	 keys[] = {
	{ "ck_acme", "org_acme", 0 },
	{ "ck_globex", "org_globex", 0 },
};

static struct fake_store	 fs;
static struct store		 store = { &fake_store_ops, &fs };
static struct auth_cache	 cache;

/*
 * The test's own CRYPTO_memcmp: the linker takes this definition over
 * libcrypto's for lib/auth.o, so the test sees every call (how many, over
 * how many bytes). Same contract: 0 iff the len bytes are equal, and the
 * time does not depend on where they differ.
 */
static int	 ct_calls;
static size_t	 ct_len;

int
CRYPTO_memcmp(const void *a, const void *b, size_t len)
{
	const unsigned char	*x = a, *y = b;
	unsigned char		 d = 0;
	size_t			 i;

	ct_calls++;
	ct_len = len;
	for (i = 0; i < len; i++)
		d |= x[i] ^ y[i];
	return d != 0;
}

static void
reset(void)
{
	memset(&cache, 0, sizeof(cache));
	memset(&fs, 0, sizeof(fs));
	fs.keys = keys;
	fs.nkeys = sizeof(keys) / sizeof(keys[0]);
	keys[0].revoked = keys[1].revoked = 0;
}

/* One authentication of "Bearer <key>" at time now; the org in org. */
static enum ca_err
auth(const char *key, int ttl, time_t now, char org[ID_SIZE])
{
	char	 header[AUTH_KEY_MAX + 16];

	snprintf(header, sizeof(header), "Bearer %s", key);
	org[0] = '\0';
	return auth_authenticate(&cache, &store, ttl, now, header, org);
}

/* The cache entry holding key's hash, or NULL. */
static struct auth_cache_entry *
entry_of(const char *key)
{
	char	 hex[KEY_HASH_HEX_SIZE];
	size_t	 i;

	if (auth_key_hash(key, strlen(key), hex) == -1)
		return NULL;
	for (i = 0; i < AUTH_CACHE_SLOTS; i++)
		if (strcmp(cache.slot[i].key_hash, hex) == 0)
			return &cache.slot[i];
	return NULL;
}

static void
test_ttl(void)
{
	char	 org[ID_SIZE];
	int	 ttl = 30, n;

	reset();
	is_int(auth("ck_acme", ttl, T0, org), CA_OK, "ttl %d: known key", ttl);
	is_str(org, "org_acme", "  its organisation");
	is_int(fs.lookups, 1, "  looked up in the store");

	keys[0].revoked = 1;	/* revoked in the database from now on */
	is_int(auth("ck_acme", ttl, T0 + 1, org), CA_OK,
	    "revoked, 1 s later: still trusted from the cache");
	is_str(org, "org_acme", "  organisation from the cache");
	is_int(auth("ck_acme", ttl, T0 + ttl - 1, org), CA_OK,
	    "revoked, ttl - 1 s later: still cached");
	is_int(fs.lookups, 1, "  no store lookup while cached");

	is_int(auth("ck_acme", ttl, T0 + ttl, org), CA_ERR_AUTH_INVALID,
	    "revoked, exactly ttl s later: 401");
	is_int(fs.lookups, 2, "  the expired entry went back to the store");
	is_int(auth("ck_acme", ttl, T0 + ttl + 1, org), CA_ERR_AUTH_INVALID,
	    "  and stays refused");
	is_int(fs.lookups, 3, "  a refusal is not cached");

	/* A live key's entry is renewed from its last lookup, not the first. */
	reset();
	auth("ck_globex", ttl, T0, org);
	auth("ck_globex", ttl, T0 + ttl, org);		/* expired: lookup 2 */
	keys[1].revoked = 1;
	is_int(auth("ck_globex", ttl, T0 + 2 * ttl - 1, org), CA_OK,
	    "re-looked-up entry lives ttl from its new lookup");
	is_int(auth("ck_globex", ttl, T0 + 2 * ttl, org), CA_ERR_AUTH_INVALID,
	    "  and expires ttl after it");
	is_int(fs.lookups, 3, "  three store lookups in all");

	/* ttl = 0: every request goes to the store, nothing is kept. */
	reset();
	for (n = 0; n < 5; n++)
		auth("ck_acme", 0, T0 + n, org);
	is_int(fs.lookups, 5, "ttl 0: five requests, five store lookups");
	ok(entry_of("ck_acme") == NULL, "  nothing in the cache");
	keys[0].revoked = 1;
	is_int(auth("ck_acme", 0, T0 + 5, org), CA_ERR_AUTH_INVALID,
	    "  a revoked key is refused at once");

	/* A key unknown at first and issued later works at once. */
	reset();
	fs.nkeys = 1;
	is_int(auth("ck_globex", ttl, T0, org), CA_ERR_AUTH_INVALID,
	    "key not yet issued: 401");
	fs.nkeys = 2;
	is_int(auth("ck_globex", ttl, T0 + 1, org), CA_OK,
	    "  issued a second later: accepted (no negative caching)");

	/* A store failure is not cached either. */
	reset();
	fs.fail_with = CA_ERR_DB_UNAVAILABLE;
	is_int(auth("ck_acme", ttl, T0, org), CA_ERR_DB_UNAVAILABLE,
	    "store down during lookup: its error");
	ok(entry_of("ck_acme") == NULL, "  nothing cached");
	fs.fail_with = CA_OK;
	is_int(auth("ck_acme", ttl, T0 + 1, org), CA_OK,
	    "  store back: accepted");
	is_int(fs.lookups, 2, "  after a fresh lookup");
}

/*
 * A cache entry in the presented key's slot whose hash differs from the
 * key's in one character, at each position in turn, and names another
 * organisation: it must never answer for the key.
 */
static void
test_near_miss(void)
{
	struct auth_cache_entry	*e;
	char			 org[ID_SIZE];
	char			 hex[KEY_HASH_HEX_SIZE];
	int			 pos, wrong_org = 0, no_lookup = 0, accepted = 0;

	for (pos = 0; pos < KEY_HASH_HEX_SIZE - 1; pos++) {
		reset();
		if (auth("ck_acme", 30, T0, org) != CA_OK ||
		    (e = entry_of("ck_acme")) == NULL) {
			ok(0, "ck_acme cached");
			return;
		}
		memcpy(hex, e->key_hash, sizeof(hex));
		e->key_hash[pos] = e->key_hash[pos] == '0' ? '1' : '0';
		strcpy(e->client_id, "org_intruder");

		/* The real key: must not take the neighbour's organisation. */
		if (auth("ck_acme", 30, T0 + 1, org) != CA_OK ||
		    strcmp(org, "org_acme") != 0)
			wrong_org++;
		if (fs.lookups != 2)
			no_lookup++;

		/* The same, for a key the store does not know. */
		reset();
		fs.nkeys = 0;
		if (auth_key_hash("ck_acme", 7, hex) == -1)
			break;
		e = &cache.slot[0];
		while (e < cache.slot + AUTH_CACHE_SLOTS) {
			/* Fill every slot: the key's own is among them. */
			memcpy(e->key_hash, hex, sizeof(hex));
			e->key_hash[pos] = hex[pos] == '0' ? '1' : '0';
			strcpy(e->client_id, "org_intruder");
			e->expires = T0 + 30;
			e++;
		}
		if (auth("ck_acme", 30, T0, org) != CA_ERR_AUTH_INVALID)
			accepted++;
	}
	is_int(wrong_org, 0, "hash differing in 1 of 64 characters (each "
	    "position): never the cached organisation");
	is_int(no_lookup, 0, "  the key went to the store every time");
	is_int(accepted, 0, "  an unknown key is refused, whatever is cached");
}

static void
test_constant_time(void)
{
	char	 org[ID_SIZE];

	reset();
	auth("ck_acme", 30, T0, org);
	ct_calls = 0;
	ct_len = 0;
	is_int(auth("ck_acme", 30, T0 + 1, org), CA_OK, "cache hit");
	is_int(fs.lookups, 1, "  from the cache");
	ok(ct_calls >= 1, "  cached hash compared with CRYPTO_memcmp "
	    "(%d calls)", ct_calls);
	ok(ct_len >= KEY_HASH_HEX_SIZE - 1, "  over the whole hash "
	    "(%zu bytes)", ct_len);
}

static void
test_bearer(void)
{
	static const struct {
		const char	*header;
		enum ca_err	 err;
		const char	*key;
	} cases[] = {
		{ NULL, CA_ERR_AUTH_MISSING, NULL },
		{ "", CA_ERR_AUTH_MISSING, NULL },
		{ "Bearer abc", CA_OK, "abc" },
		{ "BEARER\tabc", CA_OK, "abc" },
		{ "Bearer  a-b.c_d~e+f/g==  ", CA_OK, "a-b.c_d~e+f/g==" },
		{ "Bearer a=b", CA_ERR_AUTH_MALFORMED, NULL },
		{ "Bearer =", CA_ERR_AUTH_MALFORMED, NULL },
		{ "Bearer abc,", CA_ERR_AUTH_MALFORMED, NULL },
		{ "Bearer\nabc", CA_ERR_AUTH_MALFORMED, NULL },
		{ "Bearers abc", CA_ERR_AUTH_MALFORMED, NULL },
		{ "Token abc", CA_ERR_AUTH_MALFORMED, NULL },
	};
	char		 header[AUTH_KEY_MAX + 16], got[AUTH_KEY_MAX + 16];
	const char	*key;
	size_t		 i, j, len;
	enum ca_err	 err;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err = auth_parse_bearer(cases[i].header, &key, &len);
		/* Shown with control characters as '?': one TAP line. */
		snprintf(got, sizeof(got), "%s", cases[i].header ?
		    cases[i].header : "(none)");
		for (j = 0; got[j] != '\0'; j++)
			if ((unsigned char)got[j] < 0x20)
				got[j] = '?';
		is_int(err, cases[i].err, "'%s'", got);
		if (cases[i].key != NULL && err == CA_OK) {
			snprintf(got, sizeof(got), "%.*s", (int)len, key);
			is_str(got, cases[i].key, "  key");
		}
	}
	/* The length limit counts the padding too. */
	memcpy(header, "Bearer ", 7);
	memset(header + 7, 'k', AUTH_KEY_MAX);
	header[7 + AUTH_KEY_MAX] = '\0';
	err = auth_parse_bearer(header, &key, &len);
	ok(err == CA_OK && len == AUTH_KEY_MAX, "%d-character key accepted",
	    AUTH_KEY_MAX);
	header[7 + AUTH_KEY_MAX - 1] = '=';
	err = auth_parse_bearer(header, &key, &len);
	ok(err == CA_OK && len == AUTH_KEY_MAX, "  ending in '=' too");
	strcpy(header + 7 + AUTH_KEY_MAX - 1, "k=");
	is_int(auth_parse_bearer(header, &key, &len), CA_ERR_AUTH_MALFORMED,
	    "%d characters: malformed", AUTH_KEY_MAX + 1);
}

int
main(void)
{
	test_ttl();
	test_near_miss();
	test_constant_time();
	test_bearer();
	return done_testing();
}
