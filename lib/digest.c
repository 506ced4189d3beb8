#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "digest.h"

#define KEY_MAX	256	/* longer keys are not cached, only used */

int
digest_sha256(const void *data, size_t len,
    unsigned char out[DIGEST_SHA256_LEN])
{
	static EVP_MD		*md;
	static EVP_MD_CTX	*ctx;
	unsigned int		 n = 0;

	if (md == NULL && (md = EVP_MD_fetch(NULL, "SHA256", NULL)) == NULL)
		return -1;
	if (ctx == NULL && (ctx = EVP_MD_CTX_new()) == NULL)
		return -1;
	if (!EVP_DigestInit_ex2(ctx, md, NULL) ||
	    !EVP_DigestUpdate(ctx, data, len) ||
	    !EVP_DigestFinal_ex(ctx, out, &n) || n != DIGEST_SHA256_LEN)
		return -1;
	return 0;
}

/* The HMAC context keyed with the last key; rekeyed when the key changes. */
static EVP_MAC_CTX *
keyed_ctx(const unsigned char *key, size_t keylen)
{
	static EVP_MAC		*mac;
	static EVP_MAC_CTX	*ctx;
	static unsigned char	 cached[KEY_MAX];
	static size_t		 cached_len;
	OSSL_PARAM		 params[2];
	char			 digest[] = "SHA256";

	if (keylen == 0 || keylen > KEY_MAX)
		return NULL;
	if (mac == NULL && (mac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL)
		return NULL;
	if (ctx == NULL && (ctx = EVP_MAC_CTX_new(mac)) == NULL)
		return NULL;
	if (cached_len == keylen && memcmp(cached, key, keylen) == 0) {
		/* A NULL key restarts HMAC with the key schedule it has. */
		return EVP_MAC_init(ctx, NULL, 0, NULL) ? ctx : NULL;
	}
	cached_len = 0;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (!EVP_MAC_init(ctx, key, keylen, params))
		return NULL;
	memcpy(cached, key, keylen);
	cached_len = keylen;
	return ctx;
}

int
digest_hmac_sha256(const unsigned char *key, size_t keylen, const void *data,
    size_t len, unsigned char out[DIGEST_SHA256_LEN])
{
	EVP_MAC_CTX	*ctx;
	size_t		 n = 0;

	if ((ctx = keyed_ctx(key, keylen)) == NULL ||
	    !EVP_MAC_update(ctx, data, len) ||
	    !EVP_MAC_final(ctx, out, &n, DIGEST_SHA256_LEN) ||
	    n != DIGEST_SHA256_LEN)
		return -1;
	return 0;
}
