/*
 * Writes the seed corpora of the three harnesses:
 *
 *   gen_seeds tests/fuzz/corpus     (or: make fuzz-seeds)
 *
 * into <dir>/query, <dir>/cursor and <dir>/handler. The real cursors in
 * them are made here with cursor_encode() and FUZZ_SECRET, for positions
 * of the data set of fuzz_common.h, so they stay valid as long as neither
 * changes. Output is deterministic; files named crash-* are not touched.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "../../lib/base64.h"
#include "../../lib/buf.h"
#include "../../lib/cursor.h"
#include "../../lib/params.h"
#include "../../lib/query.h"
#include "fuzz_common.h"

static const char	*root;
static int		 nfiles;

static void
put(const char *harness, const char *name, const void *data, size_t n)
{
	char	 path[4096];
	FILE	*f;

	snprintf(path, sizeof(path), "%s/%s/%s", root, harness, name);
	if ((f = fopen(path, "wb")) == NULL || fwrite(data, 1, n, f) != n ||
	    fclose(f) != 0) {
		perror(path);
		exit(1);
	}
	nfiles++;
}

static void
puts_(const char *harness, const char *name, const char *s)
{
	put(harness, name, s, strlen(s));
}

static void
putf(const char *harness, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
putf(const char *harness, const char *name, const char *fmt, ...)
{
	char	 buf[16384];
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf))
		abort();
	put(harness, name, buf, (size_t)n);
}

static char *
repeat(char c, size_t n)
{
	char	*s = malloc(n + 1);

	if (s == NULL)
		abort();
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

/* A real cursor for pos, bound to the order and filters of query (NULL:
 * none), or abort. */
static void
encode_for(const struct ts *t, const char *sid, const char *secret,
    const char *org, const char *query, char out[CURSOR_TEXT_MAX + 1])
{
	static struct buf	 work;
	struct cursor_binding	 b;
	struct cursor_pos	 pos;
	struct list_params	 p;
	struct ca_fail		 f;
	char			 canon[PARAMS_CANONICAL_MAX];

	canon[0] = '\0';
	if (query != NULL && (params_parse(query, &work, &p, &f) != CA_OK ||
	    params_canonical(&p, canon, sizeof(canon)) < 0))
		abort();
	b.secret = (const unsigned char *)secret;
	b.secret_len = FUZZ_SECRET_LEN;
	b.client_id = org;
	b.filters = canon;
	memset(&pos, 0, sizeof(pos));
	pos.created_at = *t;
	pos.call_sid_len = strlen(sid);
	memcpy(pos.call_sid, sid, pos.call_sid_len);
	if (cursor_encode(&pos, &b, out, CURSOR_TEXT_MAX + 1) == -1)
		abort();
}

/* The same, without order or filters. */
static void
encode(const struct ts *t, const char *sid, const char *secret,
    const char *org, char out[CURSOR_TEXT_MAX + 1])
{
	encode_for(t, sid, secret, org, NULL, out);
}

/* base64url of a text. */
static char *
b64(const char *text)
{
	char	*out = malloc(B64_ENCODED_SIZE(strlen(text)));

	if (out == NULL)
		abort();
	b64url_encode((const unsigned char *)text, strlen(text), out);
	return out;
}

/* The same cursor in the standard alphabet, padded. */
static char *
to_std(const char *c)
{
	size_t	 n = strlen(c), i;
	char	*s = malloc(n + 4);

	if (s == NULL)
		abort();
	for (i = 0; i < n; i++)
		s[i] = c[i] == '-' ? '+' : c[i] == '_' ? '/' : c[i];
	while (i % 4 != 0)
		s[i++] = '=';
	s[i] = '\0';
	return s;
}

static void
query_seeds(const char *real)
{
	const char	*Q = "query";
	char		*s;

	puts_(Q, "empty", "");
	puts_(Q, "limit", "limit=10");
	puts_(Q, "limit-cursor", "limit=7&cursor=abc");
	puts_(Q, "cursor-escaped", "cursor=ab-_%2B%2F%3D");
	puts_(Q, "plus-space-flag", "a=x%20y+z&flag");
	puts_(Q, "limit-leading-zero", "limit=050");
	puts_(Q, "err-limit-0", "limit=0");
	puts_(Q, "err-limit-101", "limit=101");
	puts_(Q, "err-limit-sign", "limit=+5&x=%2B5");
	puts_(Q, "err-limit-huge", "limit=99999999999999999999");
	puts_(Q, "err-limit-novalue", "limit");
	puts_(Q, "err-duplicate", "limit=5&limit=5");
	puts_(Q, "err-unknown", "&&Limit=5&offset=10&&");
	puts_(Q, "err-unknown-empty-name", "=v");
	puts_(Q, "err-bad-escape", "limit=%zz&a=%4&b=%");
	puts_(Q, "err-nul", "a=%00&%00=1");
	puts_(Q, "err-utf8-overlong", "a=%C0%80");
	puts_(Q, "err-utf8-surrogate", "a=%ED%A0%80");
	puts_(Q, "err-utf8-range", "a=%F4%90%80%80");
	puts_(Q, "err-utf8-raw", "a=\xe2\x82&b=\xff");
	puts_(Q, "utf8-ok", "%C3%A9=%F0%9F%98%80&\xc3\xa9=1");
	put(Q, "nul-cut", "limit=1\0limit=2", 15);
	puts_(Q, "err-cursor-badchar", "cursor=abc!");
	s = repeat('A', 513);
	putf(Q, "err-cursor-long", "cursor=%s", s);
	free(s);
	putf(Q, "real-cursor", "limit=2&cursor=%s", real);
	s = repeat('a', QUERY_MAX_LEN + 1);
	puts_(Q, "err-too-long", s);
	free(s);
}

static void
cursor_seeds(void)
{
	const char	*C = "cursor";
	struct ts	 t1 = { 2026, 3, 9, 10, 0, 0, 0 };
	struct ts	 t2 = { 2026, 3, 9, 10, 1, 2, 123456 };
	struct ts	 t3 = { 2024, 2, 29, 23, 59, 59, 999999 };
	struct ts	 t4 = { 1, 1, 1, 0, 0, 0, 1 };
	char		 c[CURSOR_TEXT_MAX + 1], *s, *sid64, tampered[600];
	char		 json[1024];

	sid64 = repeat('z', 64);
	encode(&t1, "call_00000000", FUZZ_SECRET, "org_a", c);
	puts_(C, "real-whole-second", c);
	s = to_std(c);
	puts_(C, "real-std-padded", s);
	free(s);
	encode(&t2, "call_abc", FUZZ_SECRET, "org_a", c);
	puts_(C, "real-fraction", c);
	snprintf(tampered, sizeof(tampered), "%s", c);
	tampered[strlen(tampered) / 2] ^= 1;	/* still base64 */
	puts_(C, "err-tampered", tampered);
	encode(&t3, sid64, FUZZ_SECRET, "org_a", c);
	puts_(C, "real-leap-day-sid64", c);
	encode(&t4, "A", FUZZ_SECRET, "org_a", c);
	puts_(C, "real-year-1", c);
	encode(&t2, "call_abc", FUZZ_SECRET, "org_b", c);
	puts_(C, "err-other-org", c);
	encode(&t2, "call_abc", "fuzz-secret-0123456789abcdef-32c", "org_a", c);
	puts_(C, "err-bad-signature", c);

	puts_(C, "err-empty", "");
	puts_(C, "err-one-byte", "A");
	puts_(C, "err-not-base64", "@@@@");
	s = b64("hello, not json");
	puts_(C, "err-base64-not-json", s);
	free(s);
	s = b64("[1,2,3]");
	puts_(C, "err-json-array", s);
	free(s);
	s = b64("{\"v\":\"1\",\"created_at\":1,\"call_sid\":null,\"sig\":true}");
	puts_(C, "err-json-types", s);
	free(s);
	snprintf(json, sizeof(json), "{\"v\":2,\"created_at\":"
	    "\"2026-03-09T10:00:00.000000Z\",\"call_sid\":\"call_a\",\"sig\":"
	    "\"%s\"}", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	s = b64(json);
	puts_(C, "err-json-version", s);
	free(s);
	snprintf(json, sizeof(json), "{\"v\":1,\"v\":1,\"created_at\":"
	    "\"2026-03-09T10:00:00.000000Z\",\"call_sid\":\"call_a\",\"sig\":"
	    "\"%s\"}", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	s = b64(json);
	puts_(C, "err-json-duplicate-key", s);
	free(s);
	s = repeat('A', 600);
	puts_(C, "err-huge", s);
	free(s);
	puts_(C, "b64-padded", "Zg==");
	puts_(C, "err-b64-trailing-bits", "Zh");
	puts_(C, "err-b64-pad-inside", "Zg=a");
	puts_(C, "b64-mixed-alphabets", "Pz8_Pz8/Pz8-Pz8+Pz8 ");

	/* '!': the harness signs created_at and call_sid itself. */
	puts_(C, "signed-ok", "!2026-03-09T10:00:00.000000Z\ncall_abc");
	putf(C, "signed-ok-sid64", "!2024-02-29T23:59:59.999999Z\n%s", sid64);
	putf(C, "signed-err-sid65", "!2024-02-29T23:59:59.999999Z\n%sz",
	    sid64);
	puts_(C, "signed-err-sid-chars", "!2026-03-09T10:00:00.000000Z\ncall-1");
	puts_(C, "signed-err-not-leap", "!2023-02-29T00:00:00.000000Z\ncall_a");
	puts_(C, "signed-err-second-60", "!2026-03-09T10:00:60.000000Z\ncall_a");
	puts_(C, "signed-err-year-0", "!0000-01-01T00:00:00.000000Z\ncall_a");
	puts_(C, "signed-err-no-fraction", "!2026-03-09T10:00:00Z\ncall_a");
	/* '?': version 2, signed by the harness; the call_sid is raw bytes. */
	puts_(C, "signed2-ok", "?2026-03-09T10:00:00.000000Z\ncall_abc");
	puts_(C, "signed2-ok-uuid", "?2026-03-09T10:00:00.000000Z\n"
	    "550e8400-e29b-41d4-a716-446655440000");
	puts_(C, "signed2-ok-zero-date", "?0000-00-00T00:00:00.000000Z\nx");
	puts_(C, "signed2-ok-zero-day", "?2026-02-00T00:00:00.000000Z\n"
	    "a \"q\" \\ %+/= caf\xc3\xa9");
	puts_(C, "signed2-ok-empty-sid", "?2026-03-09T10:00:00.000000Z\n");
	put(C, "signed2-ok-nul-sid", "?2026-03-09T10:00:00.000000Z\nab\0cd",
	    sizeof("?2026-03-09T10:00:00.000000Z\nab\0cd") - 1);
	puts_(C, "signed2-err-month-13", "?2026-13-01T00:00:00.000000Z\nx");
	s = repeat('z', 257);
	putf(C, "signed2-err-sid257", "?2026-03-09T10:00:00.000000Z\n%s", s);
	free(s);
	free(sid64);
}

static void
handler_seeds(const struct fake_store *fs)
{
	const char		*H = "handler";
	const struct call	*tie = &fs->calls[6], *gl = &fs->calls[5];
	char			 acme[CURSOR_TEXT_MAX + 1],
				 globex[CURSOR_TEXT_MAX + 1],
				 other[CURSOR_TEXT_MAX + 1], *s;
	struct ts		 far = { 2030, 1, 1, 0, 0, 0, 0 };

	/* Row 6 is in the middle of a run of four equal created_at. */
	encode(&tie->created_at, tie->call_sid, FUZZ_SECRET, "org_acme", acme);
	encode(&gl->created_at, gl->call_sid, FUZZ_SECRET, "org_globex",
	    globex);
	encode(&tie->created_at, tie->call_sid,
	    "fuzz-secret-0123456789abcdef-32c", "org_acme", other);

	puts_(H, "first-page", "GET\n/api/calls\nBearer ck_acme\n\n");
	puts_(H, "limit-2", "GET\n/api/calls?limit=2\nBearer ck_acme\nlimit=2\n");
	puts_(H, "limit-100", "GET\n/api/calls\nbearer  ck_acme \nlimit=100\n");
	puts_(H, "follow-all-limit-7",
	    "GET\n/api/calls\nBearer ck_acme\nlimit=7\nF");
	puts_(H, "follow-all-globex",
	    "GET\n/api/calls\nBearer ck_globex\nlimit=3\nF");
	puts_(H, "cache-twice", "GET\n/api/calls\nBearer ck_acme\nlimit=5\nc");
	puts_(H, "head", "HEAD\n/api/calls\nBearer ck_acme\nlimit=1\n");
	puts_(H, "script-name-path-info",
	    "GET\n(null)\nBearer ck_acme\nlimit=3\n\n/api\n/calls");
	putf(H, "real-cursor-tie", "GET\n/api/calls\nBearer ck_acme\n"
	    "limit=3&cursor=%s\n", acme);
	putf(H, "real-cursor-follow", "GET\n/api/calls\nBearer ck_acme\n"
	    "cursor=%s&limit=1\nF", acme);
	s = to_std(acme);
	putf(H, "real-cursor-std-padded", "GET\n/api/calls\nBearer ck_acme\n"
	    "cursor=%s\n", s);
	free(s);
	encode(&far, "zzz", FUZZ_SECRET, "org_acme", acme);
	putf(H, "real-cursor-future", "GET\n/api/calls\nBearer ck_acme\n"
	    "cursor=%s\n", acme);
	putf(H, "err-cursor-other-org", "GET\n/api/calls\nBearer ck_acme\n"
	    "cursor=%s\n", globex);
	putf(H, "err-cursor-bad-signature", "GET\n/api/calls\nBearer ck_acme\n"
	    "cursor=%s\n", other);
	/* cursor-secret-previous: a rotation in progress (S: none set). */
	encode(&tie->created_at, tie->call_sid, FUZZ_SECRET_PREVIOUS,
	    "org_acme", other);
	putf(H, "real-cursor-previous", "GET\n/api/calls\nBearer ck_acme\n"
	    "limit=3&cursor=%s\n", other);
	putf(H, "real-cursor-previous-follow", "GET\n/api/calls\n"
	    "Bearer ck_acme\ncursor=%s&limit=4\nF", other);
	putf(H, "err-cursor-previous-unset", "GET\n/api/calls\n"
	    "Bearer ck_acme\nlimit=3&cursor=%s\nS", other);
	encode_for(&tie->created_at, tie->call_sid, FUZZ_SECRET_PREVIOUS,
	    "org_acme", "order=asc&agent_id=agent_0", other);
	putf(H, "real-cursor-previous-filtered", "GET\n/api/calls\n"
	    "Bearer ck_acme\nagent_id=agent_0&order=asc&limit=2&cursor=%s\n",
	    other);
	puts_(H, "err-cursor-empty", "GET\n/api/calls\nBearer ck_acme\ncursor=\n");
	puts_(H, "err-cursor-junk", "GET\n/api/calls\nBearer ck_acme\n"
	    "cursor=aGVsbG8\n");
	puts_(H, "err-404", "GET\n/api/calls/\nBearer ck_acme\n\n");
	puts_(H, "err-405", "POST\n/api/calls\nBearer ck_acme\n\n");
	puts_(H, "err-401-missing", "GET\n/api/calls\n\n\n");
	puts_(H, "err-401-malformed", "GET\n/api/calls\nBasic Y2tfYWNtZQ==\n\n");
	puts_(H, "err-401-unknown", "GET\n/api/calls\nBearer ck_nope\n\nc");
	puts_(H, "err-401-revoked", "GET\n/api/calls\nBearer ck_revoked\n\n");
	puts_(H, "err-400-limit", "GET\n/api/calls\nBearer ck_acme\nlimit=0\n");
	puts_(H, "err-400-unknown", "GET\n/api/calls\nBearer ck_acme\n"
	    "limit=5&offset=10\n");
	puts_(H, "err-400-duplicate", "GET\n/api/calls\nBearer ck_acme\n"
	    "limit=5&limit=6\n");
	puts_(H, "err-400-malformed", "GET\n/api/calls\nBearer ck_acme\n"
	    "limit=%C0%80\n");
	s = repeat('a', QUERY_MAX_LEN + 1);
	putf(H, "err-414", "GET\n/api/calls\nBearer ck_acme\n%s\n", s);
	free(s);
	puts_(H, "cache-then-503", "GET\n/api/calls\nBearer ck_acme\nlimit=3\ncD");
	puts_(H, "cache-then-500", "GET\n/api/calls\nBearer ck_globex\n\ncI");
	puts_(H, "err-400-escaped-name", "GET\n/api/calls\nBearer ck_acme\n"
	    "a%0A%22%5C%09%01b=1\n");
	puts_(H, "forced-503", "GET\n/api/calls\nBearer ck_acme\n\nD");
	puts_(H, "forced-500-store", "GET\n/api/calls\nBearer ck_acme\n\nI");
	puts_(H, "forced-500-config", "GET\n/api/calls\nBearer ck_acme\n\nX");

	/* GET /api/calls/{call_sid}: row 0 is org_acme's, row 5 org_globex's. */
	putf(H, "one-call", "GET\n/api/calls/%s\nBearer ck_acme\n\n",
	    fs->calls[0].call_sid);
	putf(H, "one-call-head-cache", "HEAD\n/api/calls/%s\nBearer ck_acme\n"
	    "\nc", fs->calls[0].call_sid);
	putf(H, "one-call-other-org", "GET\n/api/calls/%s\nBearer ck_acme\n\n",
	    gl->call_sid);
	putf(H, "one-call-param", "GET\n/api/calls/%s?limit=1\nBearer ck_acme\n"
	    "limit=1\n", fs->calls[0].call_sid);
	putf(H, "one-call-path-info", "GET\n(null)\nBearer ck_acme\n\n\n/api\n"
	    "/calls/%s", fs->calls[0].call_sid);
	puts_(H, "one-call-bad-segment", "GET\n/api/calls/%C0%80\n"
	    "Bearer ck_acme\n\n");
	putf(H, "one-call-forced-503", "GET\n/api/calls/%s\nBearer ck_acme\n"
	    "\nD", fs->calls[0].call_sid);
	/* Fields 8 and 9: X-Request-Id, UNIQUE_ID. */
	puts_(H, "request-id-kept", "GET\n/api/calls\nBearer ck_acme\n"
	    "limit=2\nc\n(null)\n(null)\nreq-7f3a_9.b:c@d+e/f=\nZx9@uniq");
	puts_(H, "request-id-unique", "GET\n/api/nope\nBearer ck_acme\n\n"
	    "\n(null)\n(null)\nbad id\nZx9@uniq-AAA");
	puts_(H, "request-id-made", "GET\n/api/calls\nBearer ck_acme\n"
	    "limit=0\nc\n(null)\n(null)\nquo\"te\n%0d%0a");
	puts_(H, "request-id-503", "GET\n/api/calls\nBearer ck_acme\n\nD\n"
	    "(null)\n(null)\nr-503\n");
}

int
main(int argc, char *argv[])
{
	struct fake_store	 fs;
	struct ts		 t = { 2026, 3, 9, 10, 0, 0, 0 };
	char			 real[CURSOR_TEXT_MAX + 1];

	if (argc != 2) {
		fprintf(stderr, "usage: gen_seeds corpus-dir\n");
		return 2;
	}
	root = argv[1];
	fuzz_store_setup(&fs);
	encode(&t, "call_00000000", FUZZ_SECRET, "org_acme", real);
	query_seeds(real);
	cursor_seeds();
	handler_seeds(&fs);
	free(fs.calls);
	printf("gen_seeds: %d files under %s\n", nfiles, root);
	return 0;
}
