/* Base64, timestamps and the cursor codec: round trips and rejections. */
#include <stdlib.h>
#include <string.h>

#include "../../lib/base64.h"
#include "../../lib/cursor.h"
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

static void
test_cursor(void)
{
	struct cursor_binding	 acme = binding(secret, "org_acme");
	struct cursor_binding	 globex = binding(secret, "org_globex");
	struct cursor_binding	 resigned = binding(other_secret, "org_acme");
	struct cursor_binding	 filtered = acme;
	struct cursor_pos	 pos = { { 2026, 3, 9, 10, 0, 5, 250 },
				    "call_abc123" }, got;
	char			 text[CURSOR_TEXT_MAX + 1], bad[1024];
	char			 json[1024], *p;
	unsigned char		 raw[CURSOR_TEXT_MAX];
	long			 n;
	size_t			 len;

	ok(cursor_encode(&pos, &acme, text, sizeof(text)) == 0, "encode");
	ok(strspn(text, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-_") == strlen(text), "cursor is base64url text");
	ok(cursor_decode(text, &acme, &got) == 0 &&
	    memcmp(&got.created_at, &pos.created_at, sizeof(struct ts)) == 0 &&
	    strcmp(got.call_sid, pos.call_sid) == 0, "round trip");

	n = b64_decode(text, strlen(text), raw, sizeof(raw));
	raw[n] = '\0';
	ok(strncmp((char *)raw, "{\"v\":1,\"created_at\":\"2026-03-09T10:00:"
	    "05.000250Z\",\"call_sid\":\"call_abc123\",\"sig\":\"", 72) == 0,
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
	wrap("{\"v\":\"1\",\"created_at\":1,\"call_sid\":[],\"sig\":null}", bad);
	ok(cursor_decode(bad, &acme, &got) == -1, "JSON of the wrong types");
	wrap("{\"call_sid\": \"call_abc123\"}", bad);
	ok(cursor_decode(bad, &acme, &got) == -1, "the spec's example cursor");

	/* Valid shape, forged signature. */
	snprintf(json, sizeof(json), "{\"v\":1,\"created_at\":\"2026-03-09T10:"
	    "00:05.000250Z\",\"call_sid\":\"call_abc123\",\"sig\":\"%s\"}",
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	wrap(json, bad);
	ok(cursor_decode(bad, &acme, &got) == -1, "forged signature");

	/* The real signature over a changed position. */
	n = b64_decode(text, strlen(text), raw, sizeof(raw));
	raw[n] = '\0';
	p = strstr((char *)raw, "call_abc123");
	p[10] = '4';
	wrap((char *)raw, bad);
	ok(cursor_decode(bad, &acme, &got) == -1, "moved position");

	/* The same MAC spelled with '+', '/' or ' ' inside the JSON. */
	n = b64_decode(text, strlen(text), raw, sizeof(raw));
	raw[n] = '\0';
	p = strstr((char *)raw, "\"sig\":\"") + 7;
	for (len = 0; len < 43 && p[len] != '-' && p[len] != '_'; len++)
		;
	if (len == 43) {
		/* No URL-only character: make the test meaningful anyway. */
		ok(1, "(signature has no - or _; nothing to respell)");
	} else {
		p[len] = p[len] == '-' ? ' ' : '/';
		wrap((char *)raw, bad);
		ok(cursor_decode(bad, &acme, &got) == -1,
		    "signature respelled in another alphabet");
	}

	/* Duplicate keys and an extra key. */
	n = b64_decode(text, strlen(text), raw, sizeof(raw));
	raw[n - 1] = '\0';
	snprintf(json, sizeof(json), "%s,\"v\":1}", raw);
	wrap(json, bad);
	ok(cursor_decode(bad, &acme, &got) == -1, "duplicate key");
	snprintf(json, sizeof(json), "%s,\"x\":1}", raw);
	wrap(json, bad);
	ok(cursor_decode(bad, &acme, &got) == -1, "extra key");

	/* Only cursor_encode()'s exact text: the same members, signature
	 * and all, spelled any other way are not one of ours. */
	n = b64_decode(text, strlen(text), raw, sizeof(raw));
	raw[n] = '\0';
	snprintf(json, sizeof(json), "{ %s", (char *)raw + 1);
	wrap(json, bad);
	ok(cursor_decode(bad, &acme, &got) == -1, "a space after {");
	snprintf(json, sizeof(json), "%s\n", raw);
	wrap(json, bad);
	ok(cursor_decode(bad, &acme, &got) == -1, "a newline after }");
	snprintf(json, sizeof(json), "{\"v\":01%s", (char *)raw + 6);
	wrap(json, bad);
	ok(cursor_decode(bad, &acme, &got) == -1, "version spelled 01");
	snprintf(json, sizeof(json), "%s", raw);
	if ((p = strstr(json, "\"call_sid\":\"")) != NULL) {
		p += strlen("\"call_sid\":\"");
		memmove(p + 6, p + 1, strlen(p + 1) + 1);
		memcpy(p, "\\u0063", 6);	/* its first letter, escaped */
	}
	wrap(json, bad);
	ok(p != NULL && cursor_decode(bad, &acme, &got) == -1,
	    "call_sid with an escaped letter");
	ok(cursor_decode(text, &acme, &got) == 0,
	    "the exact text still decodes");

	memset(bad, 'A', sizeof(bad) - 1);
	bad[sizeof(bad) - 1] = '\0';
	ok(cursor_decode(bad, &acme, &got) == -1, "huge cursor");

	ok(call_sid_valid("call_abc123DEF"), "call_sid charset");
	ok(!call_sid_valid("call'x"), "call_sid rejects quote");
	ok(!call_sid_valid(""), "call_sid rejects empty");
}

int
main(void)
{
	test_base64();
	test_timestamp();
	test_cursor();
	return done_testing();
}
