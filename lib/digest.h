/*
 * SHA-256 and HMAC-SHA256 through OpenSSL 3 with the per-call costs paid
 * once per process: the algorithm fetch (EVP_MD_fetch / EVP_MAC_fetch) and,
 * for HMAC, the key schedule of the last key used (a responder has one
 * cursor secret). Measured under load: the one-shot SHA256() and HMAC()
 * spent most of their time fetching, about 13 % of the responder's CPU.
 */
#ifndef CALLS_API_DIGEST_H
#define CALLS_API_DIGEST_H

#include <stddef.h>

#define DIGEST_SHA256_LEN	32

/* Each returns 0, or -1 when OpenSSL fails (out of memory). */
int	digest_sha256(const void *data, size_t len,
	    unsigned char out[DIGEST_SHA256_LEN]);
int	digest_hmac_sha256(const unsigned char *key, size_t keylen,
	    const void *data, size_t len, unsigned char out[DIGEST_SHA256_LEN]);

#endif
