#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "base64.h"
#include "cursor.h"
#include "digest.h"
#include "params.h"

#define MAC_LEN		32
#define MAC_TEXT_LEN	43	/* base64url of 32 bytes, unpadded */
#define MAC_DOMAIN_V1	"calls-api/cursor/v1"
#define MAC_DOMAIN_V2	"calls-api/cursor/v2"
#define MAC_DOMAIN_V3	"calls-api/cursor/v3"
/* Room for every part: the filters text (up to PARAMS_CANONICAL_MAX)
 * and the rest (domain, organisation, split, position: under 1 KiB). */
#define MAC_INPUT_MAX	(PARAMS_CANONICAL_MAX + 1024)
#define SID_TEXT_MAX	(B64_ENCODED_SIZE(CALL_SID_BYTES) - 1)
#define WHEN_LEN	27	/* "YYYY-MM-DDTHH:MM:SS.ffffffZ" */
#define URL_ALPHABET \
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

/* The exact JSON text of a version 3 cursor, around its five values. */
#define V3_HEAD		"{\"v\":3,\"dir\":\""
#define V3_INCL		"\",\"incl\":\""
#define V3_WHEN		"\",\"created_at\":\""
#define DIR_LEN		4	/* "next" or "prev" */
/* Version 2 (decoded only): the same without dir and incl. */
#define V2_HEAD		"{\"v\":2,\"created_at\":\""
#define V2_SID		"\",\"call_sid_b64\":\""
#define V2_SIG		"\",\"sig\":\""
#define V2_TAIL		"\"}"
/* Version 1 (decoded only). */
#define V1_HEAD		"{\"v\":1,\"created_at\":\""
#define V1_SID		"\",\"call_sid\":\""

#define V3_JSON_MAX	(sizeof(V3_HEAD) - 1 + DIR_LEN + sizeof(V3_INCL) - 1 + \
			 1 + sizeof(V3_WHEN) - 1 + WHEN_LEN + \
			 sizeof(V2_SID) - 1 + SID_TEXT_MAX + sizeof(V2_SIG) - 1 + \
			 MAC_TEXT_LEN + sizeof(V2_TAIL) - 1)
/* The longest v3 cursor (the longest of all versions), even in padded
 * standard base64, fits the limit. */
_Static_assert((V3_JSON_MAX + 2) / 3 * 4 <= CURSOR_TEXT_MAX,
    "CURSOR_TEXT_MAX admits every version 3 cursor");
_Static_assert(CURSOR_VERSION == 3, "cursor_encode writes \"v\":3");

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

/* One MAC input part: v1 NUL-terminated, v2 and v3 a 4-byte big-endian
 * length first. -1 when it does not fit. */
static int
mac_part(unsigned char *input, size_t *at, int version, const void *p,
    size_t len)
{
	size_t	 room = MAC_INPUT_MAX - *at;

	if (len > UINT32_MAX || len + 4 > room)
		return -1;
	if (version != 1) {
		input[(*at)++] = (unsigned char)(len >> 24);
		input[(*at)++] = (unsigned char)(len >> 16);
		input[(*at)++] = (unsigned char)(len >> 8);
		input[(*at)++] = (unsigned char)len;
	}
	memcpy(input + *at, p, len);
	*at += len;
	if (version == 1)
		input[(*at)++] = '\0';
	return 0;
}

/* The text of a split's direction and inclusiveness, as cursors carry
 * them (and their MAC covers them). */
static const char *
dir_text(enum cursor_dir d)
{
	return d == CURSOR_PREV ? "prev" : "next";
}

static const char *
incl_text(int inclusive)
{
	return inclusive ? "1" : "0";
}

/*
 * HMAC over domain, organisation, filters, (version 3:) direction and
 * inclusiveness, and position.
 */
static int
mac_compute(int version, const struct cursor_binding *b,
    const struct cursor_pos *split, const char *when, const char *sid,
    size_t sidlen, unsigned char mac[MAC_LEN])
{
	unsigned char	 input[MAC_INPUT_MAX];
	const char	*domain = version == 1 ? MAC_DOMAIN_V1 :
			    version == 2 ? MAC_DOMAIN_V2 : MAC_DOMAIN_V3;
	const char	*filters = b->filters != NULL ? b->filters : "";
	const char	*dir = dir_text(split->dir);
	const char	*incl = incl_text(split->inclusive);
	size_t		 n = 0;
	int		 rc = -1;

	if (b->secret == NULL || b->secret_len == 0 || b->client_id == NULL)
		return -1;
	if (mac_part(input, &n, version, domain, strlen(domain)) == 0 &&
	    mac_part(input, &n, version, b->client_id,
	    strlen(b->client_id)) == 0 &&
	    mac_part(input, &n, version, filters, strlen(filters)) == 0 &&
	    (version < 3 || (mac_part(input, &n, version, dir,
	    strlen(dir)) == 0 && mac_part(input, &n, version, incl,
	    strlen(incl)) == 0)) &&
	    mac_part(input, &n, version, when, strlen(when)) == 0 &&
	    mac_part(input, &n, version, sid, sidlen) == 0)
		rc = digest_hmac_sha256(b->secret, b->secret_len, input, n,
		    mac);
	OPENSSL_cleanse(input, n);
	return rc;
}

/* Append n bytes of s to the text at *at when they fit; -1 otherwise. */
static int
put(char *text, size_t cap, size_t *at, const char *s, size_t n)
{
	if (n >= cap - *at)
		return -1;
	memcpy(text + *at, s, n);
	*at += n;
	return 0;
}

#define PUTS(lit)	put(text, sizeof(text), &len, lit, sizeof(lit) - 1)

int
cursor_encode(const struct cursor_pos *pos, const struct cursor_binding *b,
    char *out, size_t outcap)
{
	char		 when[TS_TEXT_SIZE], sig[B64_ENCODED_SIZE(MAC_LEN)];
	char		 sid[SID_TEXT_MAX + 1], text[V3_JSON_MAX + 1];
	unsigned char	 mac[MAC_LEN];
	size_t		 len = 0, wlen, slen;
	int		 rc = -1;

	if (!ts_in_datetime(&pos->created_at) ||
	    pos->call_sid_len > CALL_SID_BYTES ||
	    (pos->dir != CURSOR_NEXT && pos->dir != CURSOR_PREV) ||
	    (pos->inclusive != 0 && pos->inclusive != 1))
		goto out;
	wlen = ts_format(&pos->created_at, 1, when);
	if (mac_compute(3, b, pos, when, pos->call_sid, pos->call_sid_len,
	    mac) == -1)
		goto out;
	b64url_encode(mac, sizeof(mac), sig);
	slen = b64url_encode((const unsigned char *)pos->call_sid,
	    pos->call_sid_len, sid);
	/* Every value is in a JSON-safe alphabet: digits or base64url. */
	if (PUTS(V3_HEAD) ||
	    put(text, sizeof(text), &len, dir_text(pos->dir), DIR_LEN) ||
	    PUTS(V3_INCL) || put(text, sizeof(text), &len,
	    incl_text(pos->inclusive), 1) ||
	    PUTS(V3_WHEN) || put(text, sizeof(text), &len, when, wlen) ||
	    PUTS(V2_SID) || put(text, sizeof(text), &len, sid, slen) ||
	    PUTS(V2_SIG) || put(text, sizeof(text), &len, sig, MAC_TEXT_LEN) ||
	    PUTS(V2_TAIL))
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
 * The JSON text inside a cursor is only ever cursor_encode()'s (or, for
 * version 1, its predecessor's), byte for byte, so it is read as exactly
 * that layout: any other spelling (spaces, another member order, escapes,
 * extra members) is not one of ours. A general JSON parser here cost more
 * than the rest of the decode. Returns the version, or -1.
 */
static int
parse_text(const char *p, const char *end, struct cursor_pos *split,
    char when[TS_TEXT_SIZE], char sid[SID_TEXT_MAX + 1],
    char sig[MAC_TEXT_LEN + 1])
{
	char	 dir[DIR_LEN + 1], incl[2];
	int	 version;

	split->dir = CURSOR_NEXT;
	split->inclusive = 0;
	if (take_member(&p, end, V3_HEAD, dir, DIR_LEN) == 0) {
		version = 3;
		if (strcmp(dir, "next") == 0)
			split->dir = CURSOR_NEXT;
		else if (strcmp(dir, "prev") == 0)
			split->dir = CURSOR_PREV;
		else
			return -1;
		if (take_member(&p, end, V3_INCL, incl, 1) == -1 ||
		    (strcmp(incl, "0") != 0 && strcmp(incl, "1") != 0))
			return -1;
		split->inclusive = incl[0] == '1';
		if (take_member(&p, end, V3_WHEN, when, WHEN_LEN) == -1 ||
		    take_member(&p, end, V2_SID, sid, SID_TEXT_MAX) == -1)
			return -1;
	} else if (take_member(&p, end, V2_HEAD, when, WHEN_LEN) == 0) {
		version = 2;
		if (take_member(&p, end, V2_SID, sid, SID_TEXT_MAX) == -1)
			return -1;
	} else if (take_member(&p, end, V1_HEAD, when, WHEN_LEN) == 0) {
		version = 1;
		if (take_member(&p, end, V1_SID, sid, CALL_SID_MAX) == -1)
			return -1;
	} else
		return -1;
	if (take_member(&p, end, V2_SIG, sig, MAC_TEXT_LEN) == -1)
		return -1;
	return end - p == 2 && memcmp(p, V2_TAIL, 2) == 0 ? version : -1;
}

/*
 * The signature text as bytes: exactly MAC_TEXT_LEN characters of the URL
 * alphabet (no other spelling of the same MAC, no shortened one). The
 * length is checked here, so the comparison below is always over MAC_LEN.
 */
static int
take_mac(const char *sig, unsigned char mac[MAC_LEN])
{
	return strlen(sig) == MAC_TEXT_LEN &&
	    strspn(sig, URL_ALPHABET) == MAC_TEXT_LEN &&
	    b64_decode(sig, MAC_TEXT_LEN, mac, MAC_LEN) == MAC_LEN ? 0 : -1;
}

/* The version 2 call_sid text as its bytes: base64url without padding,
 * one spelling only (b64_decode rejects non-zero trailing bits). */
static long
take_sid(const char *text, char out[CALL_SID_BYTES + 1])
{
	size_t	 n = strlen(text);
	long	 len;

	if (strspn(text, URL_ALPHABET) != n ||
	    (len = b64_decode(text, n, (unsigned char *)out,
	    CALL_SID_BYTES)) < 0)
		return -1;
	out[len] = '\0';
	return len;
}

/*
 * 0 when mac is the MAC of the position under b's secret or, failing
 * that, under previous (when there is one); -1 otherwise. Each comparison
 * takes constant time.
 */
static int
mac_verify(int version, const struct cursor_binding *b,
    const unsigned char *previous, size_t previous_len,
    const struct cursor_pos *split, const char *when, const char *sid,
    size_t sidlen, const unsigned char mac[MAC_LEN])
{
	struct cursor_binding	 old;
	unsigned char		 want[MAC_LEN];
	int			 rc = -1;

	if (mac_compute(version, b, split, when, sid, sidlen, want) == 0 &&
	    CRYPTO_memcmp(mac, want, MAC_LEN) == 0)
		rc = 0;
	else if (previous != NULL && previous_len > 0) {
		old = *b;
		old.secret = previous;
		old.secret_len = previous_len;
		if (mac_compute(version, &old, split, when, sid, sidlen,
		    want) == 0 && CRYPTO_memcmp(mac, want, MAC_LEN) == 0)
			rc = 0;
	}
	OPENSSL_cleanse(want, sizeof(want));
	return rc;
}

int
cursor_decode(const char *text, const struct cursor_binding *b,
    struct cursor_pos *pos)
{
	return cursor_decode_rotated(text, b, NULL, 0, pos);
}

int
cursor_decode_rotated(const char *text, const struct cursor_binding *b,
    const unsigned char *previous, size_t previous_len,
    struct cursor_pos *pos)
{
	unsigned char	 raw[CURSOR_TEXT_MAX], mac[MAC_LEN];
	char		 when[TS_TEXT_SIZE], sidtext[SID_TEXT_MAX + 1];
	char		 sid[CALL_SID_BYTES + 1], sig[MAC_TEXT_LEN + 1];
	struct cursor_pos	 split;
	struct ts	 at;
	long		 n, sidlen;
	int		 version, rc = -1;

	if (!cursor_text_plausible(text))
		goto out;
	if ((n = b64_decode(text, strlen(text), raw, sizeof(raw))) <= 0)
		goto out;
	if ((version = parse_text((const char *)raw, (const char *)raw + n,
	    &split, when, sidtext, sig)) == -1)
		goto out;
	/* Versions 1 and 2 were issued only without filters. */
	if (version < 3 && b->filters != NULL && b->filters[0] != '\0')
		goto out;
	if (take_mac(sig, mac) == -1)
		goto out;
	if (version != 1)
		sidlen = take_sid(sidtext, sid);
	else {
		sidlen = (long)strlen(sidtext);
		memcpy(sid, sidtext, (size_t)sidlen + 1);
	}
	if (sidlen < 0 || mac_verify(version, b, previous, previous_len,
	    &split, when, sid, (size_t)sidlen, mac) == -1)
		goto out;
	/* Authentic; still check the shape before it reaches SQL. Version 1
	 * carried only real dates and [A-Za-z0-9_] call_sids. */
	if (version == 1 ? ts_parse_exact(when, &at) == -1 ||
	    !call_sid_valid(sid) : ts_parse_datetime(when, &at) == -1)
		goto out;
	pos->created_at = at;
	pos->call_sid_len = (size_t)sidlen;
	memcpy(pos->call_sid, sid, (size_t)sidlen + 1);
	pos->dir = split.dir;
	pos->inclusive = split.inclusive;
	rc = 0;
out:
	return rc;
}
