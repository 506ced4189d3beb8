/* Base64, timestamps and the cursor codec: round trips and rejections. */
#include <stdlib.h>
#include <string.h>

#include "../../lib/base64.h"
#include "../../lib/cursor.h"
#include "../../lib/digest.h"
#include "../../lib/timestamp.h"
#include "tap.h"

static const unsigned char	 secret[] = "0123456789abcdef0123456789abcdef";
static const unsigned char	 other_secret[] =
    "fedcba9876543210fedcba9876543210";

static struct cursor_binding
binding(const unsigned char *s, const char *org)
{
	struct cursor_binding	 b;

	b.secret = s;
	b.secret_len = strlen((const char *)s);
	b.client_id = org;
	b.filters = "";
	return b;
}

static void
test_base64(void)
{
	static const struct {
		const char	*in;
		const char	*raw;	/* NULL: must be rejected */
	} dec[] = {
		{ "", "" }, { "Zg", "f" }, { "Zg==", "f" }, { "Zm8", "fo" },
		{ "Zm8=", "fo" }, { "Zm9v", "foo" }, { "Pz8_", "???" },
		{ "Pz8/", "???" }, { "Pz8+", "?\x3f>" }, { "Pz8-", "?\x3f>" },
		{ "Pz8 ", "?\x3f>" },
		{ "Z", NULL }, { "Zg=", NULL }, { "Zg===", NULL },
		{ "Z===", NULL }, { "Zm9v=", NULL }, { "Zh", NULL },
		{ "Zg=a", NULL }, { "Zm!v", NULL }, { "=Zg=", NULL },
	};
	unsigned char	 out[64];
	char		 enc[B64_ENCODED_SIZE(5)];
	long		 n;
	size_t		 i;

	for (i = 0; i < sizeof(dec) / sizeof(dec[0]); i++) {
		n = b64_decode(dec[i].in, strlen(dec[i].in), out, sizeof(out));
		if (dec[i].raw == NULL)
			is_int(n, -1, "base64 rejects '%s'", dec[i].in);
		else
			ok(n == (long)strlen(dec[i].raw) &&
			    memcmp(out, dec[i].raw, (size_t)n) == 0,
			    "base64 decodes '%s'", dec[i].in);
	}
	is_int(b64_decode("Zm9vYmFy", 8, out, 5), -1, "base64 output bound");
	b64url_encode((const unsigned char *)"\xfb\xff\xbf", 3, enc);
	is_str(enc, "-_-_", "base64url alphabet");
	b64url_encode((const unsigned char *)"hello", 5, enc);
	is_str(enc, "aGVsbG8", "base64url without padding");
}

static void
test_timestamp(void)
{
	struct ts	 t = { 2026, 3, 9, 10, 0, 0, 0 };
	char		 text[TS_TEXT_SIZE];

	ts_format(&t, 0, text);
	is_str(text, "2026-03-09T10:00:00Z", "whole seconds: no fraction");
	t.usec = 120;
	ts_format(&t, 0, text);
	is_str(text, "2026-03-09T10:00:00.000120Z", "microseconds shown");
	is_int((int)ts_format(&t, 1, text), 27, "length returned");
	t = (struct ts){ 1, 1, 1, 0, 0, 0, 0 };
	ts_format(&t, 1, text);
	is_str(text, "0001-01-01T00:00:00.000000Z", "earliest, zero padded");
	t = (struct ts){ 9999, 12, 31, 23, 59, 59, 999999 };
	is_int((int)ts_format(&t, 0, text), 27, "latest: length");
	is_str(text, "9999-12-31T23:59:59.999999Z", "latest");
	t = (struct ts){ 2026, 11, 5, 7, 8, 9, 1 };
	ts_format(&t, 0, text);
	is_str(text, "2026-11-05T07:08:09.000001Z", "one microsecond");
	ok(ts_parse_exact(text, &t) == 0 && t.usec == 1 && t.second == 9,
	    "format and parse round-trip");
	ok(ts_parse_exact("2024-02-29T23:59:59.999999Z", &t) == 0 &&
	    t.year == 2024 && t.usec == 999999, "parse leap day");
	ok(ts_parse_exact("2023-02-29T00:00:00.000000Z", &t) == -1,
	    "reject 29 Feb 2023");
	ok(ts_parse_exact("2026-13-01T00:00:00.000000Z", &t) == -1,
	    "reject month 13");
	ok(ts_parse_exact("2026-01-01T24:00:00.000000Z", &t) == -1,
	    "reject hour 24");
	ok(ts_parse_exact("2026-01-01T00:00:00Z", &t) == -1,
	    "reject missing fraction");
	ok(ts_parse_exact("2026-01-01 00:00:00.000000Z", &t) == -1,
	    "reject space separator");
	ok(ts_parse_exact("2026-01-01T00:00:00.000000+00", &t) == -1,
	    "reject offset");
}

/* Build a cursor text from arbitrary JSON, for the forgery cases. */
static void
wrap(const char *json, char *out)
{
	b64url_encode((const unsigned char *)json, strlen(json), out);
}

/* The JSON text inside a cursor, NUL-terminated. */
static void
unwrap(const char *text, char *json, size_t cap)
{
	long	 n = b64_decode(text, strlen(text), (unsigned char *)json,
		    cap - 1);

	json[n < 0 ? 0 : n] = '\0';
}

/* A MAC input part, as cursor.h documents them: v2 length-prefixed. */
static size_t
part(unsigned char *in, size_t at, int version, const void *p, size_t n)
{
	if (version != 1) {
		in[at++] = (unsigned char)(n >> 24);
		in[at++] = (unsigned char)(n >> 16);
		in[at++] = (unsigned char)(n >> 8);
		in[at++] = (unsigned char)n;
	}
	memcpy(in + at, p, n);
	at += n;
	if (version == 1)
		in[at++] = '\0';
	return at;
}

/* The signature text over a position, computed here independently. */
static void
sign(int version, const char *org, const char *when, const char *sid,
    size_t sidlen, char sig[B64_ENCODED_SIZE(32)])
{
	unsigned char	 in[2048], mac[32];
	const char	*dom = version == 1 ? "calls-api/cursor/v1" :
			    "calls-api/cursor/v2";
	size_t		 n = 0;

	n = part(in, n, version, dom, strlen(dom));
	n = part(in, n, version, org, strlen(org));
	n = part(in, n, version, "", 0);
	n = part(in, n, version, when, strlen(when));
	n = part(in, n, version, sid, sidlen);
	if (digest_hmac_sha256(secret, strlen((const char *)secret), in, n,
	    mac) == -1)
		memset(mac, 0, sizeof(mac));
	b64url_encode(mac, sizeof(mac), sig);
}

/* A version 2 cursor text with the given version digit and signature. */
static void
v2_text(const char *v, const char *when, const char *sid, size_t sidlen,
    const char *sig, char *out)
{
	char	 json[1024], sidtext[B64_ENCODED_SIZE(CALL_SID_BYTES)];

	b64url_encode((const unsigned char *)sid, sidlen, sidtext);
	snprintf(json, sizeof(json), "{\"v\":%s,\"created_at\":\"%s\","
	    "\"call_sid_b64\":\"%s\",\"sig\":\"%s\"}", v, when, sidtext, sig);
	wrap(json, out);
}

static int
same_pos(const struct cursor_pos *a, const struct cursor_pos *b)
{
	return memcmp(&a->created_at, &b->created_at, sizeof(struct ts)) ==
	    0 && a->call_sid_len == b->call_sid_len &&
	    memcmp(a->call_sid, b->call_sid, a->call_sid_len) == 0;
}

/* Any value the key columns can hold goes through a cursor byte for byte. */
static void
test_positions(void)
{
	static const struct {
		const char	*name;
		struct ts	 at;
		const char	*sid;
		size_t		 len;	/* 0: strlen(sid) */
	} cases[] = {
		{ "plain", { 2026, 3, 9, 10, 0, 5, 250 }, "call_abc123", 0 },
		{ "UUID with hyphens", { 2026, 3, 9, 10, 0, 5, 0 },
		    "550e8400-e29b-41d4-a716-446655440000", 0 },
		{ "space and quote", { 2026, 1, 1, 0, 0, 0, 0 },
		    "call \"x\" 'y'", 0 },
		{ "backslash", { 2026, 1, 1, 0, 0, 0, 1 }, "a\\b\\", 0 },
		{ "non-ASCII letters", { 2026, 1, 1, 0, 0, 0, 1 },
		    "caf\xc3\xa9_\xc3\xbc\xc3\x9f", 0 },
		{ "% + / =", { 2026, 1, 1, 0, 0, 0, 1 }, "%2B+/=", 0 },
		{ "NUL inside", { 2026, 1, 1, 0, 0, 0, 1 }, "ab\0cd", 5 },
		{ "only NUL", { 2026, 1, 1, 0, 0, 0, 1 }, "\0", 1 },
		{ "empty", { 2026, 1, 1, 0, 0, 0, 1 }, "", 0 },
		{ "trailing space", { 2026, 1, 1, 0, 0, 0, 1 }, "x ", 0 },
		{ "zero date", { 0, 0, 0, 0, 0, 0, 0 }, "z", 0 },
		{ "zero month and day", { 2026, 0, 0, 10, 0, 0, 0 }, "z", 0 },
		{ "zero day", { 2026, 2, 0, 0, 0, 0, 0 }, "z", 0 },
		{ "31 February (ALLOW_INVALID_DATES)", { 2026, 2, 31, 0, 0, 0,
		    0 }, "z", 0 },
		{ "latest", { 9999, 12, 31, 23, 59, 59, 999999 }, "z", 0 },
	};
	struct cursor_binding	 acme = binding(secret, "org_acme");
	struct cursor_pos	 pos, got;
	char			 text[CURSOR_TEXT_MAX + 1];
	size_t			 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&pos, 0, sizeof(pos));
		pos.created_at = cases[i].at;
		pos.call_sid_len = cases[i].len ? cases[i].len :
		    strlen(cases[i].sid);
		memcpy(pos.call_sid, cases[i].sid, pos.call_sid_len);
		memset(&got, 0x5a, sizeof(got));
		ok(cursor_encode(&pos, &acme, text, sizeof(text)) == 0 &&
		    cursor_decode(text, &acme, &got) == 0 &&
		    same_pos(&pos, &got) && got.call_sid[got.call_sid_len] ==
		    '\0', "round trip, byte for byte: %s", cases[i].name);
	}

	/* The longest call_sids: 64 characters of 3 and 4 bytes. */
	memset(&pos, 0, sizeof(pos));
	pos.created_at = (struct ts){ 2026, 3, 9, 10, 0, 5, 250 };
	for (i = 0; i < 64; i++)
		memcpy(pos.call_sid + 3 * i, "\xe2\x82\xac", 3);	/* euro */
	pos.call_sid_len = 192;
	ok(cursor_encode(&pos, &acme, text, sizeof(text)) == 0 &&
	    cursor_decode(text, &acme, &got) == 0 && same_pos(&pos, &got),
	    "64 x U+20AC (192 bytes)");
	for (i = 0; i < 64; i++)
		memcpy(pos.call_sid + 4 * i, "\xf0\x9f\x93\x9e", 4);
	pos.call_sid_len = CALL_SID_BYTES;
	ok(cursor_encode(&pos, &acme, text, sizeof(text)) == 0 &&
	    cursor_decode(text, &acme, &got) == 0 && same_pos(&pos, &got),
	    "64 x U+1F4DE (256 bytes): %zu characters of cursor",
	    strlen(text));
	ok(strlen(text) <= CURSOR_TEXT_MAX && cursor_text_plausible(text),
	    "the longest cursor passes the parameter check");

	/* Nothing a column cannot hold. */
	pos.call_sid_len = CALL_SID_BYTES + 1;
	ok(cursor_encode(&pos, &acme, text, sizeof(text)) == -1,
	    "encode refuses a call_sid of 257 bytes");
	pos.call_sid_len = 1;
	pos.created_at.month = 13;
	ok(cursor_encode(&pos, &acme, text, sizeof(text)) == -1,
	    "encode refuses month 13");
	pos.created_at = (struct ts){ 2026, 1, 1, 24, 0, 0, 0 };
	ok(cursor_encode(&pos, &acme, text, sizeof(text)) == -1,
	    "encode refuses hour 24");
	pos.created_at = (struct ts){ 2026, 1, 32, 0, 0, 0, 0 };
	ok(cursor_encode(&pos, &acme, text, sizeof(text)) == -1,
	    "encode refuses day 32");
	ok(cursor_encode(&pos, &acme, text, 100) == -1,
	    "encode refuses a short output buffer");
}

/* Signed by this test's own HMAC: what decode accepts after the MAC. */
static void
test_signed(void)
{
	static const struct {
		const char	*name;
		const char	*when;
		const char	*sid;
		int		 version;
		int		 accept;
	} cases[] = {
		{ "v2 plain", "2026-03-09T10:00:05.000250Z", "call_1", 2, 1 },
		{ "v2 zero date", "0000-00-00T00:00:00.000000Z", "x", 2, 1 },
		{ "v2 month 13", "2026-13-01T00:00:00.000000Z", "x", 2, 0 },
		{ "v2 day 32", "2026-01-32T00:00:00.000000Z", "x", 2, 0 },
		{ "v2 hour 24", "2026-01-01T24:00:00.000000Z", "x", 2, 0 },
		{ "v2 second 60", "2026-01-01T00:00:60.000000Z", "x", 2, 0 },
		{ "v2 no fraction", "2026-01-01T00:00:00Z", "x", 2, 0 },
		{ "v2 letters in date", "2026-0a-01T00:00:00.000000Z", "x", 2,
		    0 },
		{ "v2 empty call_sid", "2026-03-09T10:00:05.000250Z", "", 2,
		    1 },
		{ "v1 issued before the upgrade", "2026-03-09T10:00:05.000250Z",
		    "call_abc123", 1, 1 },
		{ "v1 zero date (v1 never carried one)",
		    "0000-00-00T00:00:00.000000Z", "call_x", 1, 0 },
		{ "v1 hyphen (v1 never carried one)",
		    "2026-03-09T10:00:05.000250Z", "call-x", 1, 0 },
		{ "v1 empty call_sid", "2026-03-09T10:00:05.000250Z", "", 1,
		    0 },
	};
	struct cursor_binding	 acme = binding(secret, "org_acme");
	struct cursor_binding	 globex = binding(secret, "org_globex");
	struct cursor_pos	 got;
	char			 sig[B64_ENCODED_SIZE(32)], json[1024];
	char			 text[2048];
	size_t			 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		sign(cases[i].version, "org_acme", cases[i].when,
		    cases[i].sid, strlen(cases[i].sid), sig);
		if (cases[i].version == 2)
			v2_text("2", cases[i].when, cases[i].sid,
			    strlen(cases[i].sid), sig, text);
		else {
			snprintf(json, sizeof(json), "{\"v\":1,\"created_at\":"
			    "\"%s\",\"call_sid\":\"%s\",\"sig\":\"%s\"}",
			    cases[i].when, cases[i].sid, sig);
			wrap(json, text);
		}
		memset(&got, 0x5a, sizeof(got));
		is_int(cursor_decode(text, &acme, &got), cases[i].accept ? 0 :
		    -1, "%s: %s", cases[i].accept ? "accepted" : "rejected",
		    cases[i].name);
		if (cases[i].accept) {
			ok(got.call_sid_len == strlen(cases[i].sid) &&
			    memcmp(got.call_sid, cases[i].sid,
			    got.call_sid_len) == 0, "  its call_sid");
			is_int(cursor_decode(text, &globex, &got), -1,
			    "  and not for another organisation");
		}
	}

	/* A version other than 1 and 2, correctly signed in the v2 way. */
	sign(2, "org_acme", "2026-03-09T10:00:05.000250Z", "call_1", 6, sig);
	v2_text("3", "2026-03-09T10:00:05.000250Z", "call_1", 6, sig, text);
	is_int(cursor_decode(text, &acme, &got), -1, "version 3 is rejected");
	v2_text("1", "2026-03-09T10:00:05.000250Z", "call_1", 6, sig, text);
	is_int(cursor_decode(text, &acme, &got), -1,
	    "a v2 layout labelled version 1 is rejected");
	v2_text("2", "2026-03-09T10:00:05.000250Z", "call_1", 6, sig, text);
	is_int(cursor_decode(text, &acme, &got), 0, "(the same as version 2)");
	/* The v2 MAC is over length-prefixed parts: the v1 one is not it. */
	sign(1, "org_acme", "2026-03-09T10:00:05.000250Z", "call_1", 6, sig);
	v2_text("2", "2026-03-09T10:00:05.000250Z", "call_1", 6, sig, text);
	is_int(cursor_decode(text, &acme, &got), -1,
	    "a v2 cursor with a v1-style MAC is rejected");
}

/* The signature: all of it, exactly, or nothing. */
static void
test_signature(void)
{
	static const char	 when[] = "2026-03-09T10:00:05.000250Z";
	struct cursor_binding	 acme = binding(secret, "org_acme");
	struct cursor_pos	 got;
	unsigned char		 mac[40];
	char			 sig[B64_ENCODED_SIZE(40)], text[2048];
	size_t			 n;

	sign(2, "org_acme", when, "call_1", 6, sig);
	v2_text("2", when, "call_1", 6, sig, text);
	is_int(cursor_decode(text, &acme, &got), 0, "the real signature");
	if (b64_decode(sig, strlen(sig), mac, sizeof(mac)) != 32)
		memset(mac, 0, sizeof(mac));

	mac[31] ^= 0x01;
	b64url_encode(mac, 32, sig);
	v2_text("2", when, "call_1", 6, sig, text);
	is_int(cursor_decode(text, &acme, &got), -1,
	    "a MAC differing in its last byte only");
	mac[31] ^= 0x01;
	mac[0] ^= 0x80;
	b64url_encode(mac, 32, sig);
	v2_text("2", when, "call_1", 6, sig, text);
	is_int(cursor_decode(text, &acme, &got), -1,
	    "a MAC differing in its first byte only");
	mac[0] ^= 0x80;

	v2_text("2", when, "call_1", 6, "", text);
	is_int(cursor_decode(text, &acme, &got), -1, "an empty signature");
	/* The real MAC's first bytes, correctly encoded: a prefix. */
	for (n = 1; n < 32; n += 10) {
		b64url_encode(mac, n, sig);
		v2_text("2", when, "call_1", 6, sig, text);
		is_int(cursor_decode(text, &acme, &got), -1,
		    "the real MAC shortened to %zu bytes", n);
	}
	b64url_encode(mac, 31, sig);
	v2_text("2", when, "call_1", 6, sig, text);
	is_int(cursor_decode(text, &acme, &got), -1,
	    "the real MAC without its last byte");
	/* 43 characters, one dropped: no longer the signature. */
	b64url_encode(mac, 32, sig);
	sig[42] = '\0';
	v2_text("2", when, "call_1", 6, sig, text);
	is_int(cursor_decode(text, &acme, &got), -1,
	    "the real signature text without its last character");
	/* The real MAC and more. */
	memset(mac + 32, 0, 8);
	b64url_encode(mac, 33, sig);
	v2_text("2", when, "call_1", 6, sig, text);
	is_int(cursor_decode(text, &acme, &got), -1,
	    "the real MAC with a byte appended");
}

static void
test_cursor(void)
{
	struct cursor_binding	 acme = binding(secret, "org_acme");
	struct cursor_binding	 globex = binding(secret, "org_globex");
	struct cursor_binding	 resigned = binding(other_secret, "org_acme");
	struct cursor_binding	 filtered = acme;
	struct cursor_pos	 pos, got;
	char			 text[CURSOR_TEXT_MAX + 1], bad[2048];
	char			 json[1200], raw[1100], *p;
	size_t			 len, respelled;

	memset(&pos, 0, sizeof(pos));
	pos.created_at = (struct ts){ 2026, 3, 9, 10, 0, 5, 250 };
	strcpy(pos.call_sid, "call_abc123");
	pos.call_sid_len = strlen(pos.call_sid);
	ok(cursor_encode(&pos, &acme, text, sizeof(text)) == 0, "encode");
	ok(strspn(text, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-_") == strlen(text), "cursor is base64url text");
	ok(cursor_decode(text, &acme, &got) == 0 && same_pos(&pos, &got),
	    "round trip");

	unwrap(text, raw, sizeof(raw));
#define PAYLOAD_HEAD	"{\"v\":3,\"dir\":\"next\",\"incl\":\"0\"," \
	"\"created_at\":\"2026-03-09T10:00:" \
	"05.000250Z\",\"call_sid_b64\":\"Y2FsbF9hYmMxMjM\",\"sig\":\""
	ok(strncmp(raw, PAYLOAD_HEAD, strlen(PAYLOAD_HEAD)) == 0 &&
	    strlen(raw) == strlen(PAYLOAD_HEAD) + 43 + 2,
	    "payload is the documented JSON: %s", raw);

	/* Other alphabets and padding decode too. */
	strcpy(bad, text);
	for (p = bad; *p; p++)
		*p = *p == '-' ? '+' : *p == '_' ? '/' : *p;
	len = strlen(bad);
	while (len % 4)
		bad[len++] = '=';
	bad[len] = '\0';
	ok(cursor_decode(bad, &acme, &got) == 0, "standard alphabet, padded");

	ok(cursor_decode(text, &globex, &got) == -1,
	    "another organisation's cursor is rejected");
	ok(cursor_decode(text, &resigned, &got) == -1,
	    "a cursor under another secret is rejected");
	filtered.filters = "status=completed";
	ok(cursor_decode(text, &filtered, &got) == -1,
	    "a cursor for other filters is rejected");

	strcpy(bad, text);
	bad[strlen(bad) - 5] = '\0';
	ok(cursor_decode(bad, &acme, &got) == -1, "truncated");
	strcpy(bad, text);
	bad[10] = bad[10] == 'A' ? 'B' : 'A';
	ok(cursor_decode(bad, &acme, &got) == -1, "one character changed");
	ok(cursor_decode("", &acme, &got) == -1, "empty");
	ok(cursor_decode("e", &acme, &got) == -1, "one byte");
	ok(cursor_decode("not base64!", &acme, &got) == -1, "not base64");
	wrap("hello world", bad);
	ok(cursor_decode(bad, &acme, &got) == -1, "base64 of non-JSON");
	wrap("[1,2,3]", bad);
	ok(cursor_decode(bad, &acme, &got) == -1, "JSON array");
	wrap("{\"v\":\"2\",\"created_at\":1,\"call_sid_b64\":[],\"sig\":null}",
	    bad);
	ok(cursor_decode(bad, &acme, &got) == -1, "JSON of the wrong types");
	wrap("{\"call_sid\": \"call_abc123\"}", bad);
	ok(cursor_decode(bad, &acme, &got) == -1, "the spec's example cursor");

	/* Valid shape, forged signature. */
	v2_text("2", "2026-03-09T10:00:05.000250Z", "call_abc123", 11,
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", bad);
	ok(cursor_decode(bad, &acme, &got) == -1, "forged signature");

	/* The real signature over a changed position. */
	unwrap(text, raw, sizeof(raw));
	p = strstr(raw, "Y2FsbF9hYmMxMjM");	/* call_abc123 */
	p[14] = 'Q';				/* call_abc124 */
	wrap(raw, bad);
	ok(cursor_decode(bad, &acme, &got) == -1, "moved call_sid");
	unwrap(text, raw, sizeof(raw));
	p = strstr(raw, "05.000250Z");
	p[1] = '6';
	wrap(raw, bad);
	ok(cursor_decode(bad, &acme, &got) == -1, "moved created_at");

	/* The same MAC and call_sid spelled with '+', '/' or ' ' inside the
	 * JSON, or with padding: not our spelling. Positions are searched
	 * until one has a URL-only character to respell. */
	respelled = 0;
	for (pos.call_sid_len = 1; pos.call_sid_len < 60 && respelled == 0;
	    pos.call_sid_len++) {
		memset(pos.call_sid, '?', pos.call_sid_len);	/* '?' = 0x3f */
		if (cursor_encode(&pos, &acme, text, sizeof(text)) == -1)
			break;
		unwrap(text, raw, sizeof(raw));
		p = strstr(raw, "\"sig\":\"") + 7;
		len = strcspn(p, "-_");
		if (len < 43) {
			p[len] = p[len] == '-' ? ' ' : '/';
			wrap(raw, bad);
			respelled |= cursor_decode(bad, &acme, &got) == -1;
		}
	}
	ok(respelled, "signature respelled in another alphabet");
	memcpy(pos.call_sid, "???", 3);		/* base64url "Pz8_" */
	pos.call_sid_len = 3;
	ok(cursor_encode(&pos, &acme, text, sizeof(text)) == 0, "(encode three question marks)");
	unwrap(text, raw, sizeof(raw));
	p = strstr(raw, "\"call_sid_b64\":\"") + 16;
	len = strcspn(p, "-_");
	p[len] = p[len] == '-' ? '+' : '/';
	wrap(raw, bad);
	ok(len < strcspn(p, "\"") && cursor_decode(bad, &acme, &got) == -1,
	    "call_sid respelled in another alphabet");
	unwrap(text, raw, sizeof(raw));
	p = strstr(raw, "\",\"sig\"");
	snprintf(json, sizeof(json), "%.*s=%s", (int)(p - raw), raw, p);
	wrap(json, bad);
	ok(cursor_decode(bad, &acme, &got) == -1, "call_sid padded");
	ok(cursor_decode(text, &acme, &got) == 0, "(unchanged: decodes)");

	/* Duplicate keys and an extra key. */
	unwrap(text, raw, sizeof(raw));
	raw[strlen(raw) - 1] = '\0';
	snprintf(json, sizeof(json), "%s,\"v\":2}", raw);
	wrap(json, bad);
	ok(cursor_decode(bad, &acme, &got) == -1, "duplicate key");
	snprintf(json, sizeof(json), "%s,\"x\":1}", raw);
	wrap(json, bad);
	ok(cursor_decode(bad, &acme, &got) == -1, "extra key");

	/* Only cursor_encode()'s exact text: the same members, signature
	 * and all, spelled any other way are not one of ours. */
	unwrap(text, raw, sizeof(raw));
	snprintf(json, sizeof(json), "{ %s", raw + 1);
	wrap(json, bad);
	ok(cursor_decode(bad, &acme, &got) == -1, "a space after {");
	snprintf(json, sizeof(json), "%s\n", raw);
	wrap(json, bad);
	ok(cursor_decode(bad, &acme, &got) == -1, "a newline after }");
	snprintf(json, sizeof(json), "{\"v\":02%s", raw + 6);
	wrap(json, bad);
	ok(cursor_decode(bad, &acme, &got) == -1, "version spelled 02");
	snprintf(json, sizeof(json), "%s", raw);
	if ((p = strstr(json, "\"call_sid_b64\":\"")) != NULL) {
		p += strlen("\"call_sid_b64\":\"");
		memmove(p + 6, p + 1, strlen(p + 1) + 1);
		memcpy(p, "\\u0050", 6);	/* its first letter, escaped */
	}
	wrap(json, bad);
	ok(p != NULL && cursor_decode(bad, &acme, &got) == -1,
	    "call_sid with an escaped letter");
	ok(cursor_decode(text, &acme, &got) == 0,
	    "the exact text still decodes");

	memset(bad, 'A', sizeof(bad) - 1);
	bad[sizeof(bad) - 1] = '\0';
	ok(cursor_decode(bad, &acme, &got) == -1, "huge cursor");
	bad[CURSOR_TEXT_MAX + 1] = '\0';
	ok(!cursor_text_plausible(bad), "over CURSOR_TEXT_MAX: implausible");

	ok(call_sid_valid("call_abc123DEF"), "v1 call_sid charset");
	ok(!call_sid_valid("call'x"), "v1 call_sid rejects quote");
	ok(!call_sid_valid(""), "v1 call_sid rejects empty");
}

/*
 * A version 2 (filters "" unless given) or 3 signature, computed here
 * independently: domain, organisation, filters, (v3:) dir and incl, the
 * position, each length-prefixed.
 */
static void
sign_split(int version, const char *filters, const char *dir,
    const char *incl, const char *when, const char *sid, char *sig)
{
	unsigned char	 in[2048], mac[32];
	const char	*dom = version == 2 ? "calls-api/cursor/v2" :
			    "calls-api/cursor/v3";
	size_t		 n = 0;

	n = part(in, n, 2, dom, strlen(dom));
	n = part(in, n, 2, "org_acme", 8);
	n = part(in, n, 2, filters, strlen(filters));
	if (version == 3) {
		n = part(in, n, 2, dir, strlen(dir));
		n = part(in, n, 2, incl, strlen(incl));
	}
	n = part(in, n, 2, when, strlen(when));
	n = part(in, n, 2, sid, strlen(sid));
	if (digest_hmac_sha256(secret, strlen((const char *)secret), in, n,
	    mac) == -1)
		memset(mac, 0, sizeof(mac));
	b64url_encode(mac, sizeof(mac), sig);
}

static void
v3_text(const char *dir, const char *incl, const char *when,
    const char *sid, const char *sig, char *out)
{
	char	 json[1024], sidtext[B64_ENCODED_SIZE(CALL_SID_BYTES)];

	b64url_encode((const unsigned char *)sid, strlen(sid), sidtext);
	snprintf(json, sizeof(json), "{\"v\":3,\"dir\":\"%s\",\"incl\":\"%s\","
	    "\"created_at\":\"%s\",\"call_sid_b64\":\"%s\",\"sig\":\"%s\"}",
	    dir, incl, when, sidtext, sig);
	wrap(json, out);
}

/* Version 3: the split (direction, inclusiveness) and the filters are
 * signed; versions 1 and 2 only stand for "next, exclusive", no filters. */
static void
test_splits(void)
{
	static const char	*when = "2026-03-09T10:00:05.000250Z";
	struct cursor_binding	 acme = binding(secret, "org_acme");
	struct cursor_binding	 asc = acme, status = acme;
	struct cursor_pos	 pos, got;
	char			 text[CURSOR_TEXT_MAX + 1], sig[64];
	int			 d, i;

	asc.filters = "order=3:asc\n";
	status.filters = "status=9:completed\n";
	memset(&pos, 0, sizeof(pos));
	pos.created_at = (struct ts){ 2026, 3, 9, 10, 0, 5, 250 };
	strcpy(pos.call_sid, "call_1");
	pos.call_sid_len = 6;
	for (d = 0; d < 2; d++)
		for (i = 0; i < 2; i++) {
			pos.dir = d ? CURSOR_PREV : CURSOR_NEXT;
			pos.inclusive = i;
			memset(&got, 0, sizeof(got));
			ok(cursor_encode(&pos, &status, text,
			    sizeof(text)) == 0 && cursor_decode(text, &status,
			    &got) == 0 && same_pos(&pos, &got) &&
			    got.dir == pos.dir && got.inclusive == i,
			    "split %s incl %d: round trip", d ? "prev" : "next",
			    i);
			ok(cursor_decode(text, &acme, &got) == -1 &&
			    cursor_decode(text, &asc, &got) == -1,
			    "  not without its filters, nor with others");
		}
	pos.inclusive = 2;
	ok(cursor_encode(&pos, &acme, text, sizeof(text)) == -1,
	    "inclusive other than 0 and 1: not encoded");

	/* The documented MAC, then each signed part changed alone. */
	sign_split(3, "", "prev", "1", when, "call_1", sig);
	v3_text("prev", "1", when, "call_1", sig, text);
	ok(cursor_decode(text, &acme, &got) == 0 && got.dir == CURSOR_PREV &&
	    got.inclusive == 1, "a v3 cursor signed as documented");
	v3_text("prev", "0", when, "call_1", sig, text);
	is_int(cursor_decode(text, &acme, &got), -1, "incl changed: refused");
	v3_text("next", "1", when, "call_1", sig, text);
	is_int(cursor_decode(text, &acme, &got), -1, "dir changed: refused");
	sign_split(3, "", "back", "1", when, "call_1", sig);
	v3_text("back", "1", when, "call_1", sig, text);
	is_int(cursor_decode(text, &acme, &got), -1, "unknown dir: refused");
	sign_split(3, "", "next", "2", when, "call_1", sig);
	v3_text("next", "2", when, "call_1", sig, text);
	is_int(cursor_decode(text, &acme, &got), -1, "incl 2: refused");

	/* Version 2: default order without filters only, read as next. */
	sign_split(2, "", NULL, NULL, when, "call_1", sig);
	v2_text("2", when, "call_1", 6, sig, text);
	ok(cursor_decode(text, &acme, &got) == 0 && got.dir == CURSOR_NEXT &&
	    got.inclusive == 0, "v2: next, exclusive");
	is_int(cursor_decode(text, &asc, &got), -1, "v2 with order=asc: refused");
	sign_split(2, status.filters, NULL, NULL, when, "call_1", sig);
	v2_text("2", when, "call_1", 6, sig, text);
	is_int(cursor_decode(text, &status, &got), -1,
	    "v2 signed over filters (never issued): refused");
}

/*
 * A cursor of the given version (1, 2, 3; version 3 with dir and incl)
 * signed over org_acme and filters with key, as cursor.h documents it.
 */
static void
signed_with(const unsigned char *key, int version, const char *filters,
    const char *dir, const char *incl, const char *when, const char *sid,
    char *out)
{
	unsigned char	 in[2048], mac[32];
	char		 sig[B64_ENCODED_SIZE(32)], json[1024];
	char		 sidtext[B64_ENCODED_SIZE(CALL_SID_BYTES)];
	const char	*dom = version == 1 ? "calls-api/cursor/v1" :
			    version == 2 ? "calls-api/cursor/v2" :
			    "calls-api/cursor/v3";
	size_t		 n = 0;

	n = part(in, n, version, dom, strlen(dom));
	n = part(in, n, version, "org_acme", 8);
	n = part(in, n, version, filters, strlen(filters));
	if (version == 3) {
		n = part(in, n, version, dir, strlen(dir));
		n = part(in, n, version, incl, strlen(incl));
	}
	n = part(in, n, version, when, strlen(when));
	n = part(in, n, version, sid, strlen(sid));
	if (digest_hmac_sha256(key, strlen((const char *)key), in, n,
	    mac) == -1)
		memset(mac, 0, sizeof(mac));
	b64url_encode(mac, sizeof(mac), sig);
	b64url_encode((const unsigned char *)sid, strlen(sid), sidtext);
	if (version == 1)
		snprintf(json, sizeof(json), "{\"v\":1,\"created_at\":\"%s\","
		    "\"call_sid\":\"%s\",\"sig\":\"%s\"}", when, sid, sig);
	else if (version == 2)
		snprintf(json, sizeof(json), "{\"v\":2,\"created_at\":\"%s\","
		    "\"call_sid_b64\":\"%s\",\"sig\":\"%s\"}", when, sidtext,
		    sig);
	else
		snprintf(json, sizeof(json), "{\"v\":3,\"dir\":\"%s\","
		    "\"incl\":\"%s\",\"created_at\":\"%s\",\"call_sid_b64\":"
		    "\"%s\",\"sig\":\"%s\"}", dir, incl, when, sidtext, sig);
	wrap(json, out);
}

/*
 * cursor_decode_rotated: every version verifies under the current secret
 * and under the previous one, not under a third, not under the previous
 * one when none is given; cursor_encode signs with the current secret
 * only (the binding's: the previous one is never at hand).
 */
static void
test_rotation(void)
{
	static const unsigned char	 s1[] = "rotation-previous-0123456789abcdef";
	static const unsigned char	 s3[] = "rotation-neither-0123456789abcdef0";
	static const char		*when = "2026-03-09T10:00:05.000250Z";
	static const struct {
		int		 version;
		const char	*filters;
		const char	*dir;
		const char	*incl;
	} cases[] = {
		{ 1, "", NULL, NULL },
		{ 2, "", NULL, NULL },
		{ 3, "", "next", "0" },
		{ 3, "", "prev", "1" },
		{ 3, "order=3:asc\n", "prev", "0" },
		{ 3, "status=9:completed\n", "next", "1" },
	};
	const unsigned char	*keys[] = { secret, s1, s3 };
	const char		*names[] = { "the current secret",
				    "the previous secret", "neither secret" };
	struct cursor_binding	 b = binding(secret, "org_acme");
	struct cursor_binding	 old = binding(s1, "org_acme");
	struct cursor_pos	 got, pos;
	char			 text[CURSOR_TEXT_MAX + 1];
	size_t			 i, k;
	int			 rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		b.filters = cases[i].filters;
		for (k = 0; k < 3; k++) {
			signed_with(keys[k], cases[i].version, cases[i].filters,
			    cases[i].dir, cases[i].incl, when, "call_1", text);
			memset(&got, 0, sizeof(got));
			rc = cursor_decode_rotated(text, &b, s1,
			    sizeof(s1) - 1, &got);
			ok(k == 2 ? rc == -1 : rc == 0 && got.call_sid_len == 6 &&
			    memcmp(got.call_sid, "call_1", 6) == 0 &&
			    got.dir == (cases[i].dir != NULL &&
			    strcmp(cases[i].dir, "prev") == 0 ? CURSOR_PREV :
			    CURSOR_NEXT) && got.inclusive == (cases[i].incl !=
			    NULL && cases[i].incl[0] == '1'),
			    "v%d %s%s%s signed with %s: %s",
			    cases[i].version, cases[i].filters[0] ? "filtered " :
			    "", cases[i].dir ? cases[i].dir : "", cases[i].incl ?
			    cases[i].incl : "", names[k], k == 2 ? "refused" :
			    "accepted");
			rc = cursor_decode_rotated(text, &b, NULL, 0, &got);
			ok(k == 0 ? rc == 0 : rc == -1,
			    "  with no previous secret: %s", k == 0 ?
			    "accepted" : "refused");
			if (k == 1)
				ok(cursor_decode(text, &b, &got) == -1,
				    "  cursor_decode: the current secret only");
		}
	}
	/* Minted: current secret only. */
	b.filters = "";
	memset(&pos, 0, sizeof(pos));
	pos.created_at = (struct ts){ 2026, 3, 9, 10, 0, 5, 250 };
	memcpy(pos.call_sid, "call_1", 7);
	pos.call_sid_len = 6;
	ok(cursor_encode(&pos, &b, text, sizeof(text)) == 0 &&
	    cursor_decode(text, &b, &got) == 0 &&
	    cursor_decode(text, &old, &got) == -1,
	    "cursor_encode signs with the binding's secret, not another");
	/* A previous secret equal to the current one changes nothing. */
	ok(cursor_decode_rotated(text, &b, secret, sizeof(secret) - 1,
	    &got) == 0, "previous = current: accepted");
}

int
main(void)
{
	test_splits();
	test_rotation();
	test_base64();
	test_timestamp();
	test_cursor();
	test_positions();
	test_signed();
	test_signature();
	return done_testing();
}
