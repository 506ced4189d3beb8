#include <sys/random.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "key_format.h"
#include "utf8.h"

static const char	 key_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
#define ALPHABET_LEN	(sizeof(key_alphabet) - 1)	/* 62 */
#define BYTE_LIMIT	(256 - 256 % ALPHABET_LEN)	/* 248 */

int
key_random_os(void *buf, size_t n)
{
	unsigned char	*p = buf;
	ssize_t		 got;

	while (n > 0) {
		if ((got = getrandom(p, n, 0)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += got;
		n -= (size_t)got;
	}
	return 0;
}

int
key_generate(key_random_fn *rnd, char key[KEY_SIZE])
{
	unsigned char	 bytes[64];
	size_t		 have = 0, i = 0;
	int		 rc = -1;

	memcpy(key, KEY_TAG, sizeof(KEY_TAG) - 1);
	while (have < KEY_RANDOM_CHARS) {
		if (i == 0 && rnd(bytes, sizeof(bytes)) == -1)
			goto out;
		if (bytes[i] < BYTE_LIMIT)
			key[sizeof(KEY_TAG) - 1 + have++] =
			    key_alphabet[bytes[i] % ALPHABET_LEN];
		i = (i + 1) % sizeof(bytes);
	}
	key[KEY_LEN] = '\0';
	rc = 0;
out:
	OPENSSL_cleanse(bytes, sizeof(bytes));
	if (rc == -1)
		OPENSSL_cleanse(key, KEY_SIZE);
	return rc;
}

static int
hex_digit(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

int
key_parse_prefix(const char *in, char out[KEY_HASH_HEX_SIZE], char *why,
    size_t whylen)
{
	size_t	 i, n = strlen(in);

	for (i = 0; i < n; i++)
		if (!hex_digit(in[i])) {
			snprintf(why, whylen, "'%.80s' is not a key prefix: "
			    "hex digits only (the prefix column of key list, "
			    "or a whole key hash)", in);
			return -1;
		}
	if (n < KEY_PREFIX_MIN || n >= KEY_HASH_HEX_SIZE) {
		snprintf(why, whylen, "a key prefix has %d to %d hex digits, "
		    "not %zu", KEY_PREFIX_MIN, KEY_HASH_HEX_SIZE - 1, n);
		return -1;
	}
	for (i = 0; i < n; i++)
		out[i] = (char)(in[i] >= 'A' && in[i] <= 'F' ?
		    in[i] - 'A' + 'a' : in[i]);
	out[n] = '\0';
	return 0;
}

size_t
key_distinct_len(const char *const *hashes, size_t n)
{
	size_t	 len = KEY_PREFIX_LEN, i, j, same;

	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++) {
			for (same = 0; same < KEY_HASH_HEX_SIZE - 1 &&
			    hashes[i][same] == hashes[j][same]; same++)
				;
			if (same + 1 > len)
				len = same + 1;
		}
	return len < KEY_HASH_HEX_SIZE - 1 ? len : KEY_HASH_HEX_SIZE - 1;
}

/* Bytes of the UTF-8 sequence at s (n left), or 0 when it is invalid. */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
	size_t	 len;

	len = s[0] < 0x80 ? 1 : s[0] >= 0xc2 && s[0] <= 0xdf ? 2 :
	    s[0] >= 0xe0 && s[0] <= 0xef ? 3 : s[0] >= 0xf0 && s[0] <= 0xf4 ?
	    4 : 0;
	if (len == 0 || len > n || !utf8_valid((const char *)s, len))
		return 0;
	return len;
}

/* A control character: C0, DEL, or C1 (U+0080..U+009F, C2 80..C2 9F). */
static int
control(const unsigned char *s, size_t len)
{
	return (len == 1 && (s[0] < 0x20 || s[0] == 0x7f)) ||
	    (len == 2 && s[0] == 0xc2 && s[1] < 0xa0);
}

int
key_check_text(const char *str, size_t max, const char *what, char *why,
    size_t whylen)
{
	const unsigned char	*s = (const unsigned char *)str;
	size_t			 n = strlen(str), i = 0, chars = 0, len;

	if (n == 0) {
		snprintf(why, whylen, "%s must not be empty", what);
		return -1;
	}
	while (i < n) {
		if ((len = utf8_seq(s + i, n - i)) == 0) {
			snprintf(why, whylen, "%s is not valid UTF-8", what);
			return -1;
		}
		if (control(s + i, len)) {
			snprintf(why, whylen, "%s must not hold control "
			    "characters", what);
			return -1;
		}
		i += len;
		chars++;
	}
	if (chars > max) {
		snprintf(why, whylen, "%s is too long: %zu characters, at "
		    "most %zu", what, chars, max);
		return -1;
	}
	return 0;
}

void
key_printable(const char *str, size_t n, char *out, size_t outsize)
{
	const unsigned char	*s = (const unsigned char *)str;
	size_t			 i = 0, o = 0, len;

	if (outsize == 0)
		return;
	while (i < n) {
		len = utf8_seq(s + i, n - i);
		if (len == 0 || control(s + i, len)) {
			if (o + 1 >= outsize)
				break;
			out[o++] = '?';
			i += len == 0 ? 1 : len;
			continue;
		}
		if (o + len >= outsize)
			break;
		memcpy(out + o, s + i, len);
		o += len;
		i += len;
	}
	out[o] = '\0';
}
