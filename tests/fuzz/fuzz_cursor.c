/*
 * libFuzzer harness: the cursor codec (lib/cursor.c) and base64
 * (lib/base64.c), with a fixed binding: a 32-byte secret, client_id
 * "org_a", filters "".
 *
 * Every input, cut at its first NUL, is
 *  - decoded as cursor text: anything accepted must be a valid position,
 *    must be rejected under another organisation or secret, and must
 *    re-encode (cursor_encode) to a cursor that decodes to the same
 *    position;
 *  - decoded as base64 into exact-size heap buffers (so ASan sees any
 *    write past outcap), against a reference validity check and a
 *    round trip through b64url_encode.
 * An input starting with '!' is "!<created_at>\n<call_sid>": the harness
 * builds a version 1 cursor JSON itself and signs it with its own HMAC
 * (written from lib/cursor.h's description), so the fuzzer reaches the
 * checks that run after the signature; acceptance must then match a
 * reference check of the timestamp and call_sid (v1: real dates,
 * [A-Za-z0-9_]{1,64}). An input starting with '?' is "?<created_at>\n"
 * followed by the call_sid's raw bytes (NUL included, not cut): the same
 * for version 2 (zero date parts allowed, any bytes up to 256), and the
 * re-encoding must be identical to the harness's text.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "../../lib/base64.h"
#include "../../lib/cursor.h"
#include "../../lib/timestamp.h"
#include "fuzz_common.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(cond)	do { if (!(cond)) __builtin_trap(); } while (0)

/* Shared with gen_seeds.c: the seeds' real cursors use this secret. */
static const unsigned char	 secret[FUZZ_SECRET_LEN] = FUZZ_SECRET;
static const unsigned char	 other_secret[FUZZ_SECRET_LEN] =
    "fuzz-secret-0123456789abcdef-32c";

static struct cursor_binding
binding(const unsigned char *s, const char *org)
{
	struct cursor_binding	 b;

	b.secret = s;
	b.secret_len = FUZZ_SECRET_LEN;
	b.client_id = org;
	b.filters = "";
	return b;
}

static int
same_pos(const struct cursor_pos *a, const struct cursor_pos *b)
{
	return a->created_at.year == b->created_at.year &&
	    a->created_at.month == b->created_at.month &&
	    a->created_at.day == b->created_at.day &&
	    a->created_at.hour == b->created_at.hour &&
	    a->created_at.minute == b->created_at.minute &&
	    a->created_at.second == b->created_at.second &&
	    a->created_at.usec == b->created_at.usec &&
	    a->call_sid_len == b->call_sid_len &&
	    memcmp(a->call_sid, b->call_sid, a->call_sid_len) == 0 &&
	    a->dir == b->dir && a->inclusive == b->inclusive;
}

/* What must hold for any cursor text accepted for org_a. */
static void
check_accepted(const char *text, const struct cursor_pos *pos)
{
	struct cursor_binding	 a = binding(secret, "org_a");
	struct cursor_binding	 b = binding(secret, "org_b");
	struct cursor_binding	 s = binding(other_secret, "org_a");
	struct cursor_binding	 f = binding(secret, "org_a");
	struct cursor_pos	 again;
	char			 out[CURSOR_TEXT_MAX + 1];

	f.filters = "order=3:asc\n";
	CHECK(cursor_text_plausible(text));
	CHECK(pos->dir == CURSOR_NEXT || pos->dir == CURSOR_PREV);
	CHECK(pos->inclusive == 0 || pos->inclusive == 1);
	/* Bound to the listing's order and filters. */
	CHECK(cursor_decode(text, &f, &again) == -1);
	CHECK(ts_in_datetime(&pos->created_at));
	CHECK(pos->call_sid_len <= CALL_SID_BYTES);
	CHECK(pos->call_sid[pos->call_sid_len] == '\0');
	/* Bound to the organisation and to the secret. */
	CHECK(cursor_decode(text, &b, &again) == -1);
	CHECK(cursor_decode(text, &s, &again) == -1);
	/* Re-encodes to a cursor of the same position. */
	CHECK(cursor_encode(pos, &a, out, sizeof(out)) == 0);
	CHECK(cursor_text_plausible(out));
	memset(&again, 0x5a, sizeof(again));
	CHECK(cursor_decode(out, &a, &again) == 0);
	CHECK(same_pos(pos, &again));
}

/* Cursor text as a client might send it. */
static void
check_decode(const char *text)
{
	struct cursor_binding	 a = binding(secret, "org_a");
	struct cursor_pos	 pos;

	memset(&pos, 0x5a, sizeof(pos));
	if (cursor_decode(text, &a, &pos) == 0)
		check_accepted(text, &pos);
}

/* Reference base64: 0..63, or -1 (standard, URL-safe, ' ' for '+'). */
static int
ref_sextet(char c)
{
	static const char	 std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	const char		*p;

	if (c == '-' || c == ' ')
		return 62;
	if (c == '_')
		return 63;
	if (c == '\0' || (p = strchr(std, c)) == NULL)
		return -1;
	return (int)(p - std);
}

/*
 * Whether in[0..n) is acceptable base64 per lib/base64.h; *len gets the
 * decoded length and canon the URL-safe unpadded spelling (n+1 bytes).
 */
static int
ref_b64(const char *in, size_t n, size_t *len, char *canon)
{
	static const char	 url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t			 pad = 0, m, i;
	int			 s = 0;

	while (pad < n && in[n - 1 - pad] == '=')
		pad++;
	m = n - pad;
	*len = m / 4 * 3 + (m % 4 == 2 ? 1 : m % 4 == 3 ? 2 : 0);
	for (i = 0; i < m; i++) {
		if ((s = ref_sextet(in[i])) < 0)
			return 0;
		canon[i] = url[s];
	}
	canon[m] = '\0';
	if (m % 4 == 1)
		return 0;
	if (pad > 0 && (m % 4 == 0 || m % 4 + pad != 4))
		return 0;
	/* The unused low bits of the last character are zero. */
	if (m % 4 == 2 && (s & 0x0f) != 0)
		return 0;
	if (m % 4 == 3 && (s & 0x03) != 0)
		return 0;
	return 1;
}

static void
check_b64(const char *in, size_t n)
{
	unsigned char	*base, *out;
	char		*canon, *enc;
	size_t		 len, caps[4], i;
	long		 got;
	int		 valid;

	canon = malloc(n + 1);
	CHECK(canon != NULL);
	valid = ref_b64(in, n, &len, canon);
	caps[0] = len;
	caps[1] = len > 0 ? len - 1 : 0;
	caps[2] = 0;
	caps[3] = len + 3;
	for (i = 0; i < 4; i++) {
		/*
		 * Exactly caps[i] bytes: ASan reports any write past them. For
		 * 0 (ASan gives malloc(0) one byte) out is the end of a 1-byte
		 * block.
		 */
		base = malloc(caps[i] > 0 ? caps[i] : 1);
		CHECK(base != NULL);
		out = caps[i] > 0 ? base : base + 1;
		got = b64_decode(in, n, out, caps[i]);
		if (valid && len <= caps[i]) {
			CHECK(got == (long)len);
			enc = malloc(B64_ENCODED_SIZE(len));
			CHECK(enc != NULL);
			CHECK(b64url_encode(out, len, enc) == strlen(canon));
			CHECK(strcmp(enc, canon) == 0);
			free(enc);
		} else
			CHECK(got == -1);
		free(base);
	}
	free(canon);
}

/* Reference for ts_parse_exact: YYYY-MM-DDTHH:MM:SS.ffffffZ, real date. */
static int
ref_ts(const char *s)
{
	static const char	 shape[] = "dddd-dd-ddTdd:dd:dd.ddddddZ";
	static const int	 mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31,
				     30, 31, 30, 31 };
	int			 y, mo, d, leap;
	size_t			 i;

	if (strlen(s) != sizeof(shape) - 1)
		return 0;
	for (i = 0; shape[i] != '\0'; i++)
		if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') :
		    s[i] != shape[i])
			return 0;
#define NUM2(p)	((s[p] - '0') * 10 + (s[(p) + 1] - '0'))
	y = NUM2(0) * 100 + NUM2(2);
	mo = NUM2(5);
	d = NUM2(8);
	if (y < 1 || mo < 1 || mo > 12 || d < 1)
		return 0;
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (d > mdays[mo - 1] + (mo == 2 && leap))
		return 0;
	return NUM2(11) <= 23 && NUM2(14) <= 59 && NUM2(17) <= 59;
#undef NUM2
}

static int
ref_sid(const char *s)
{
	size_t	 n = strlen(s);

	return n >= 1 && n <= 64 && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789_") == n;
}

/* "!created_at\nsid": a cursor signed by the harness itself. */
static void
check_signed(const char *rest, size_t n)
{
	struct cursor_binding	 a = binding(secret, "org_a");
	struct cursor_pos	 pos;
	const char		*nl, *sid;
	char			*when = NULL, *json = NULL, *text = NULL,
				*mactext, out[CURSOR_TEXT_MAX + 1];
	unsigned char		 input[2048], mac[32];
	unsigned int		 maclen = 0;
	size_t			 wlen, slen, k = 0, tlen;
	json_t			*obj;
	int			 ok, want;

	if ((nl = memchr(rest, '\n', n)) == NULL)
		return;
	wlen = (size_t)(nl - rest);
	sid = nl + 1;
	slen = strlen(sid);
	if (wlen + slen + 64 > sizeof(input))
		return;
	when = strndup(rest, wlen);
	CHECK(when != NULL);

	/* HMAC-SHA256 over domain, org, filters, created_at, call_sid. */
	memcpy(input + k, "calls-api/cursor/v1", 20); k += 20;
	memcpy(input + k, "org_a", 6); k += 6;
	input[k++] = '\0';
	memcpy(input + k, when, wlen + 1); k += wlen + 1;
	memcpy(input + k, sid, slen + 1); k += slen + 1;
	CHECK(HMAC(EVP_sha256(), secret, FUZZ_SECRET_LEN, input, k, mac, &maclen) != NULL);
	mactext = malloc(B64_ENCODED_SIZE(32));
	CHECK(mactext != NULL);
	b64url_encode(mac, 32, mactext);

	obj = json_object();
	CHECK(obj != NULL);
	if (json_object_set_new(obj, "v", json_integer(1)) == -1 ||
	    json_object_set_new(obj, "created_at", json_string(when)) == -1 ||
	    json_object_set_new(obj, "call_sid", json_string(sid)) == -1 ||
	    json_object_set_new(obj, "sig", json_string(mactext)) == -1)
		goto out;	/* not UTF-8: jansson refuses the string */
	json = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
	CHECK(json != NULL);
	tlen = strlen(json);
	text = malloc(B64_ENCODED_SIZE(tlen));
	CHECK(text != NULL);
	b64url_encode((const unsigned char *)json, tlen, text);

	want = ref_ts(when) && ref_sid(sid) && strlen(text) <= CURSOR_TEXT_MAX;
	memset(&pos, 0x5a, sizeof(pos));
	ok = cursor_decode(text, &a, &pos) == 0;
	CHECK(ok == want);
	if (ok) {
		char	 f[TS_TEXT_SIZE];

		check_accepted(text, &pos);
		CHECK(strcmp(pos.call_sid, sid) == 0);
		ts_format(&pos.created_at, 1, f);
		CHECK(strcmp(f, when) == 0);
		/* Re-issued as version 3 (check_accepted decoded it). */
		CHECK(pos.dir == CURSOR_NEXT && pos.inclusive == 0);
		CHECK(cursor_encode(&pos, &a, out, sizeof(out)) == 0);
		CHECK(strncmp(out, "eyJ2IjozL", 9) == 0);	/* {"v":3, */
	}
out:
	free(text);
	free(json);
	json_decref(obj);
	free(mactext);
	free(when);
}

/* Reference for ts_parse_datetime: the same layout, zero parts allowed. */
static int
ref_dt(const char *s, size_t n)
{
	static const char	 shape[] = "dddd-dd-ddTdd:dd:dd.ddddddZ";
	size_t			 i;

	if (n != sizeof(shape) - 1)
		return 0;
	for (i = 0; shape[i] != '\0'; i++)
		if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') :
		    s[i] != shape[i])
			return 0;
#define NUM2(p)	((s[p] - '0') * 10 + (s[(p) + 1] - '0'))
	return NUM2(5) <= 12 && NUM2(8) <= 31 && NUM2(11) <= 23 &&
	    NUM2(14) <= 59 && NUM2(17) <= 59;
#undef NUM2
}

static void
put4(unsigned char *p, size_t n)
{
	p[0] = (unsigned char)(n >> 24);
	p[1] = (unsigned char)(n >> 16);
	p[2] = (unsigned char)(n >> 8);
	p[3] = (unsigned char)n;
}

/* "?created_at\n" + raw call_sid bytes: a version 2 cursor signed here. */
static void
check_signed_v2(const char *rest, size_t n)
{
	struct cursor_binding	 a = binding(secret, "org_a");
	struct cursor_pos	 pos;
	const char		*nl, *sid;
	char			 mactext[B64_ENCODED_SIZE(32)], *sidtext,
				*json, *text, out[CURSOR_TEXT_MAX + 1];
	unsigned char		 input[2048], mac[32];
	unsigned int		 maclen = 0;
	size_t			 wlen, slen, k = 0, jlen;
	int			 ok, want;

	if ((nl = memchr(rest, '\n', n)) == NULL)
		return;
	wlen = (size_t)(nl - rest);
	sid = nl + 1;
	slen = n - wlen - 1;
	if (wlen + slen + 64 > sizeof(input))
		return;
	/* HMAC over length-prefixed domain, org, filters, created_at, sid. */
	put4(input + k, 19); k += 4;
	memcpy(input + k, "calls-api/cursor/v2", 19); k += 19;
	put4(input + k, 5); k += 4;
	memcpy(input + k, "org_a", 5); k += 5;
	put4(input + k, 0); k += 4;
	put4(input + k, wlen); k += 4;
	memcpy(input + k, rest, wlen); k += wlen;
	put4(input + k, slen); k += 4;
	memcpy(input + k, sid, slen); k += slen;
	CHECK(HMAC(EVP_sha256(), secret, FUZZ_SECRET_LEN, input, k, mac,
	    &maclen) != NULL);
	b64url_encode(mac, 32, mactext);
	sidtext = malloc(B64_ENCODED_SIZE(slen));
	CHECK(sidtext != NULL);
	b64url_encode((const unsigned char *)sid, slen, sidtext);
	jlen = wlen + strlen(sidtext) + 128;
	json = malloc(jlen);
	CHECK(json != NULL);
	jlen = (size_t)snprintf(json, jlen, "{\"v\":2,\"created_at\":\"%.*s\","
	    "\"call_sid_b64\":\"%s\",\"sig\":\"%s\"}", (int)wlen, rest,
	    sidtext, mactext);
	text = malloc(B64_ENCODED_SIZE(jlen));
	CHECK(text != NULL);
	b64url_encode((const unsigned char *)json, jlen, text);

	want = ref_dt(rest, wlen) && memchr(rest, '\0', wlen) == NULL &&
	    slen <= CALL_SID_BYTES && strlen(text) <= CURSOR_TEXT_MAX;
	memset(&pos, 0x5a, sizeof(pos));
	ok = cursor_decode(text, &a, &pos) == 0;
	CHECK(ok == want);
	if (ok) {
		char	 f[TS_TEXT_SIZE];

		check_accepted(text, &pos);
		CHECK(pos.call_sid_len == slen &&
		    memcmp(pos.call_sid, sid, slen) == 0);
		ts_format(&pos.created_at, 1, f);
		CHECK(strlen(f) == wlen && memcmp(f, rest, wlen) == 0);
		/* Read as "next, exclusive"; re-issued as version 3. */
		CHECK(pos.dir == CURSOR_NEXT && pos.inclusive == 0);
		CHECK(cursor_encode(&pos, &a, out, sizeof(out)) == 0);
		CHECK(strncmp(out, "eyJ2IjozL", 9) == 0);	/* {"v":3, */
	}
	free(text);
	free(json);
	free(sidtext);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*s;
	size_t	 n;

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	n = strlen(s);

	check_decode(s);
	check_b64(s, n);
	if (n > 0 && s[0] == '!')
		check_signed(s + 1, n - 1);
	if (size > 0 && data[0] == '?')
		check_signed_v2((const char *)data + 1, size - 1);
	free(s);
	return 0;
}
