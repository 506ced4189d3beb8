#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "base64.h"
#include "cursor.h"
#include "digest.h"

#define MAC_LEN		32
#define MAC_TEXT_LEN	43	/* base64url of 32 bytes, unpadded */
#define MAC_DOMAIN	"calls-api/cursor/v1"
#define MAC_INPUT_MAX	1024
#define URL_ALPHABET \
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

int
call_sid_valid(const char *s)
{
	size_t	 n;

	for (n = 0; s[n] != '\0'; n++)
		if (!((s[n] >= 'a' && s[n] <= 'z') ||
		    (s[n] >= 'A' && s[n] <= 'Z') ||
		    (s[n] >= '0' && s[n] <= '9') || s[n] == '_'))
			return 0;
	return n >= 1 && n <= CALL_SID_MAX;
}

/* A character of base64 (either alphabet), its padding, or a space (a '+'
 * that a query string decoded). */
static int
cursor_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '-' ||
	    c == '_' || c == '=' || c == ' ';
}

int
cursor_text_plausible(const char *s)
{
	size_t	 n;

	for (n = 0; s[n] != '\0'; n++)
		if (n >= CURSOR_TEXT_MAX || !cursor_char((unsigned char)s[n]))
			return 0;
	return n > 0;
}

/* HMAC over domain, organisation, filters and position, NUL-separated. */
static int
mac_compute(const struct cursor_binding *b, const char *created_at,
    const char *call_sid, unsigned char mac[MAC_LEN])
{
	const char	*parts[5];
	unsigned char	 input[MAC_INPUT_MAX];
	size_t		 i, len, n = 0;

	parts[0] = MAC_DOMAIN;
	parts[1] = b->client_id;
	parts[2] = b->filters != NULL ? b->filters : "";
	parts[3] = created_at;
	parts[4] = call_sid;
	for (i = 0; i < 5; i++) {
		len = strlen(parts[i]);
		if (len + 1 > sizeof(input) - n)
			return -1;
		memcpy(input + n, parts[i], len + 1);	/* with its NUL */
		n += len + 1;
	}
	if (b->secret == NULL || b->secret_len == 0)
		return -1;
	return digest_hmac_sha256(b->secret, b->secret_len, input, n, mac);
}

_Static_assert(CURSOR_VERSION == 1, "cursor_encode writes \"v\":1");

/* Append s to the text at *at when it fits; -1 otherwise. */
static int
put(char *text, size_t cap, size_t *at, const char *s)
{
	size_t	 n = strlen(s);

	if (n >= cap - *at)
		return -1;
	memcpy(text + *at, s, n + 1);
	*at += n;
	return 0;
}

int
cursor_encode(const struct cursor_pos *pos, const struct cursor_binding *b,
    char *out, size_t outcap)
{
	char		 when[TS_TEXT_SIZE], sig[B64_ENCODED_SIZE(MAC_LEN)];
	char		 text[CURSOR_TEXT_MAX];
	unsigned char	 mac[MAC_LEN];
	size_t		 len = 0;
	int		 rc = -1;

	if (!ts_valid(&pos->created_at) || !call_sid_valid(pos->call_sid))
		goto out;
	ts_format(&pos->created_at, 1, when);
	if (mac_compute(b, when, pos->call_sid, mac) == -1)
		goto out;
	b64url_encode(mac, sizeof(mac), sig);
	/* Every value is in a JSON-safe alphabet: checked above or ours. */
	if (put(text, sizeof(text), &len, "{\"v\":1,\"created_at\":\"") ||
	    put(text, sizeof(text), &len, when) ||
	    put(text, sizeof(text), &len, "\",\"call_sid\":\"") ||
	    put(text, sizeof(text), &len, pos->call_sid) ||
	    put(text, sizeof(text), &len, "\",\"sig\":\"") ||
	    put(text, sizeof(text), &len, sig) ||
	    put(text, sizeof(text), &len, "\"}"))
		goto out;
	if (B64_ENCODED_SIZE(len) > outcap ||
	    B64_ENCODED_SIZE(len) > CURSOR_TEXT_MAX + 1)
		goto out;
	b64url_encode((const unsigned char *)text, len, out);
	rc = 0;
out:
	OPENSSL_cleanse(mac, sizeof(mac));
	return rc;
}

/*
 * Take the literal lit at *p (within end), then a string member's value
 * up to the closing quote: plain printable ASCII, no escapes, at most max
 * bytes, copied NUL-terminated into out. 0, or -1 when the text differs.
 */
static int
take_member(const char **p, const char *end, const char *lit, char *out,
    size_t max)
{
	size_t	 n = strlen(lit), i;

	if ((size_t)(end - *p) < n || memcmp(*p, lit, n) != 0)
		return -1;
	*p += n;
	for (i = 0; *p + i < end && (*p)[i] != '"'; i++)
		if (i >= max || (unsigned char)(*p)[i] < 0x20 ||
		    (unsigned char)(*p)[i] >= 0x7f || (*p)[i] == '\\')
			return -1;
	if (*p + i == end)
		return -1;	/* no closing quote */
	memcpy(out, *p, i);
	out[i] = '\0';
	*p += i;
	return 0;
}

/*
 * The JSON text inside a cursor is only ever cursor_encode()'s, byte for
 * byte, so it is read as exactly that layout: any other spelling (spaces,
 * another member order, escapes, extra members) is not one of ours. A
 * general JSON parser here cost more than the rest of the decode.
 */
static int
parse_text(const char *p, const char *end, char when[TS_TEXT_SIZE],
    char sid[CALL_SID_MAX + 1], char sig[MAC_TEXT_LEN + 1])
{
	if (take_member(&p, end, "{\"v\":1,\"created_at\":\"", when,
	    TS_TEXT_SIZE - 1) == -1 ||
	    take_member(&p, end, "\",\"call_sid\":\"", sid, CALL_SID_MAX) == -1 ||
	    take_member(&p, end, "\",\"sig\":\"", sig, MAC_TEXT_LEN) == -1)
		return -1;
	return end - p == 2 && memcmp(p, "\"}", 2) == 0 ? 0 : -1;
}

int
cursor_decode(const char *text, const struct cursor_binding *b,
    struct cursor_pos *pos)
{
	unsigned char	 raw[CURSOR_TEXT_MAX], mac[MAC_LEN], want[MAC_LEN];
	char		 when[TS_TEXT_SIZE], sid[CALL_SID_MAX + 1];
	char		 sig[MAC_TEXT_LEN + 1];
	long		 n;
	int		 rc = -1;

	if (!cursor_text_plausible(text))
		goto out;
	if ((n = b64_decode(text, strlen(text), raw, sizeof(raw))) <= 0)
		goto out;
	if (parse_text((const char *)raw, (const char *)raw + n, when, sid,
	    sig) == -1)
		goto out;
	/* The signature is ours byte for byte: URL alphabet only, so that no
	 * other spelling of the same MAC passes. */
	if (strlen(sig) != MAC_TEXT_LEN ||
	    strspn(sig, URL_ALPHABET) != MAC_TEXT_LEN ||
	    b64_decode(sig, MAC_TEXT_LEN, mac, sizeof(mac)) != MAC_LEN)
		goto out;
	if (mac_compute(b, when, sid, want) == -1 ||
	    CRYPTO_memcmp(mac, want, MAC_LEN) != 0)
		goto out;
	/* Authentic; still check the shape before it reaches SQL. */
	if (ts_parse_exact(when, &pos->created_at) == -1 ||
	    !call_sid_valid(sid))
		goto out;
	memcpy(pos->call_sid, sid, strlen(sid) + 1);
	rc = 0;
out:
	OPENSSL_cleanse(want, sizeof(want));
	return rc;
}
