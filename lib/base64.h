/* Base64: encode URL-safe without padding; decode either alphabet. */
#ifndef CALLS_API_BASE64_H
#define CALLS_API_BASE64_H

#include <stddef.h>

/* Bytes needed to encode n bytes, including the terminating NUL. */
#define B64_ENCODED_SIZE(n)	(((n) + 2) / 3 * 4 + 1)

/* URL-safe alphabet, no padding, NUL-terminated; returns strlen(out). */
size_t	b64url_encode(const unsigned char *in, size_t n, char *out);

/*
 * Decode standard or URL-safe base64 (alphabets may mix), with or without
 * '=' padding; a space is read as '+' (what '+' becomes in a query string).
 * Rejects other characters, bad padding, impossible lengths and non-zero
 * trailing bits. Returns the decoded length, or -1 (also when it would not
 * fit in outcap).
 */
long	b64_decode(const char *in, size_t n, unsigned char *out,
	    size_t outcap);

#endif
