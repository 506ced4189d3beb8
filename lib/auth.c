#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "auth.h"
#include "digest.h"

/* RFC 6750 b64token: 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=" */
static int
token_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	    c == '~' || c == '+' || c == '/';
}

enum ca_err
auth_parse_bearer(const char *h, const char **key, size_t *len)
{
	size_t	 n = 0, end;

	if (h == NULL || *h == '\0')
		return CA_ERR_AUTH_MISSING;
	if (strncasecmp(h, "Bearer", 6) != 0 || (h[6] != ' ' && h[6] != '\t'))
		return CA_ERR_AUTH_MALFORMED;
	h += 6;
	while (*h == ' ' || *h == '\t')
		h++;
	while (token_char((unsigned char)h[n]))
		n++;
	end = n;
	while (h[end] == '=')
		end++;
	if (n == 0 || end > AUTH_KEY_MAX)
		return CA_ERR_AUTH_MALFORMED;
	while (h[end] == ' ' || h[end] == '\t')
		end++;
	if (h[end] != '\0')
		return CA_ERR_AUTH_MALFORMED;
	*key = h;
	*len = n;
	while (h[*len] == '=')
		(*len)++;
	return CA_OK;
}

int
auth_key_hash(const char *key, size_t len, char hex[KEY_HASH_HEX_SIZE])
{
	static const char	 digits[] = "0123456789abcdef";
	unsigned char		 md[DIGEST_SHA256_LEN];
	size_t			 i;

	if (digest_sha256(key, len, md) == -1)
		return -1;
	for (i = 0; i < sizeof(md); i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[2 * sizeof(md)] = '\0';
	OPENSSL_cleanse(md, sizeof(md));
	return 0;
}

/* Slot chosen by the hash itself: it is uniformly distributed. */
static struct auth_cache_entry *
cache_slot(struct auth_cache *c, const char *hex)
{
	unsigned int	 i, h = 0;

	for (i = 0; i < 8; i++)
		h = h << 4 | (unsigned int)(hex[i] <= '9' ? hex[i] - '0' :
		    hex[i] - 'a' + 10);
	return &c->slot[h % AUTH_CACHE_SLOTS];
}

enum ca_err
auth_authenticate(struct auth_cache *cache, const struct store *store,
    int ttl, time_t now, const char *header, char client_id[ID_SIZE])
{
	struct auth_cache_entry	*e;
	const char		*key;
	char			 hex[KEY_HASH_HEX_SIZE];
	size_t			 len;
	enum ca_err		 err;

	if ((err = auth_parse_bearer(header, &key, &len)) != CA_OK)
		return err;
	if (auth_key_hash(key, len, hex) == -1)
		return CA_ERR_INTERNAL;

	e = cache_slot(cache, hex);
	if (ttl > 0 && e->expires > now &&
	    CRYPTO_memcmp(e->key_hash, hex, sizeof(hex)) == 0) {
		memcpy(client_id, e->client_id, ID_SIZE);
		return CA_OK;
	}
	if ((err = store->ops->key_lookup(store->ctx, hex, client_id)) !=
	    CA_OK)
		return err;
	if (ttl > 0) {
		memcpy(e->key_hash, hex, sizeof(hex));
		memcpy(e->client_id, client_id, ID_SIZE);
		e->expires = now + ttl;
	}
	return CA_OK;
}
