/*
 * Routing (lib/route.c) and the shared percent-decoder (lib/percent.c):
 * which route a path names, and the call_sid a segment decodes to.
 */
#include <stdio.h>
#include <string.h>

#include "../../lib/percent.h"
#include "../../lib/route.h"
#include "tap.h"

static void
test_percent(void)
{
	static const struct {
		const char		*in;
		enum percent_mode	 mode;
		const char		*want;	/* NULL: malformed */
	} cases[] = {
		{ "a+b", PERCENT_QUERY, "a b" },
		{ "a+b", PERCENT_PATH, "a+b" },
		{ "a%2Bb", PERCENT_QUERY, "a+b" },
		{ "a%2bb", PERCENT_PATH, "a+b" },
		{ "%20%25%2F", PERCENT_PATH, " %/" },
		{ "%C3%A9", PERCENT_PATH, "\xc3\xa9" },
		{ "", PERCENT_PATH, "" },
		{ "%", PERCENT_PATH, NULL },
		{ "%4", PERCENT_PATH, NULL },
		{ "%zz", PERCENT_PATH, NULL },
		{ "%00", PERCENT_PATH, NULL },
		{ "x%00", PERCENT_QUERY, NULL },
	};
	char	 work[64];
	long	 n;
	size_t	 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		strcpy(work, cases[i].in);
		n = percent_decode(work, cases[i].mode);
		if (cases[i].want == NULL)
			is_int(n, -1, "percent '%s' is malformed", cases[i].in);
		else
			ok(n == (long)strlen(cases[i].want) &&
			    strcmp(work, cases[i].want) == 0,
			    "percent '%s' (%s) -> '%s' (got %ld '%s')",
			    cases[i].in, cases[i].mode == PERCENT_PATH ?
			    "path" : "query", cases[i].want, n, work);
	}
}

static struct route_match	 m;

static enum route_kind
by_uri(const char *uri, const char *route)
{
	struct request	 req;

	memset(&req, 0, sizeof(req));
	req.uri = uri;
	route_match(&req, route, &m);
	return m.kind;
}

static enum route_kind
by_parts(const char *script_name, const char *path_info)
{
	struct request	 req;

	memset(&req, 0, sizeof(req));
	req.script_name = script_name;
	req.path_info = path_info;
	route_match(&req, "/api/calls", &m);
	return m.kind;
}

/* The last match is ROUTE_CALL with exactly these sid bytes. */
static void
sid_is(const char *want, size_t len, const char *what)
{
	ok(m.kind == ROUTE_CALL && m.sid_len == len &&
	    memcmp(m.sid, want, len) == 0 && m.sid[len] == '\0',
	    "%s: call_sid of %zu bytes (got kind %d, %zu bytes '%s')", what,
	    len, (int)m.kind, m.sid_len, m.sid);
}

static void
test_routes(void)
{
	static const char	*other[] = { "/", "/api", "/api/", "/api/call",
	    "/api/callsx", "/api/callsx/1", "/API/calls", "/api/%63alls",
	    "/api/%63alls/1", "/api/calls/../calls", "/api/calls/a/b",
	    "/api/calls//", "/api/calls/a/", "/api/calls/a%2Fb/c", "",
	    "?/api/calls", "/api/calls/", "/api/calls/?x=1" };
	static const char	*none[] = { "/api/calls/%zz", "/api/calls/%4", "/api/calls/a%",
	    "/api/calls/%00", "/api/calls/a%00b", "/api/calls/%FF",
	    "/api/calls/%C0%80", "/api/calls/%ED%A0%80", "/api/calls/%E2%82" };
	char			 uri[2048], want[512];
	size_t			 i;

	for (i = 0; i < sizeof(other) / sizeof(other[0]); i++)
		is_int(by_uri(other[i], "/api/calls"), ROUTE_OTHER,
		    "'%s' is no route of ours", other[i]);
	is_int(by_uri("/api/calls", "/api/calls"), ROUTE_LIST, "list");
	is_int(by_uri("/api/calls?limit=1&x=/y", "/api/calls"), ROUTE_LIST,
	    "list with a query string");
	is_int(by_uri("/~u/api/calls/c1", "/~u/api/calls"), ROUTE_CALL,
	    "one call under a configured route");
	for (i = 0; i < sizeof(none) / sizeof(none[0]); i++)
		is_int(by_uri(none[i], "/api/calls"), ROUTE_CALL_NONE,
		    "'%s' can be no call", none[i]);

	by_uri("/api/calls/CA123?limit=1", "/api/calls");
	sid_is("CA123", 5, "plain, query string cut");
	by_uri("/api/calls/a+b%20c%25d%2Fe%2B%C3%A9", "/api/calls");
	sid_is("a+b c%d/e+\xc3\xa9", 12, "path decoding: + stays +");
	by_uri("/api/calls/trail%20", "/api/calls");
	sid_is("trail ", 6, "a trailing space is kept");

	/* 64 characters: the column's width; bytes do not count. */
	strcpy(uri, "/api/calls/");
	strcpy(want, "");
	for (i = 0; i < 64; i++) {
		strcat(uri, "%F0%9F%98%80");	/* U+1F600, 4 bytes */
		strcat(want, "\xf0\x9f\x98\x80");
	}
	by_uri(uri, "/api/calls");
	sid_is(want, 256, "64 four-byte characters");
	strcat(uri, "x");
	is_int(by_uri(uri, "/api/calls"), ROUTE_CALL_NONE, "65 characters");
	memset(want, 'x', 64);
	want[64] = '\0';
	snprintf(uri, sizeof(uri), "/api/calls/%s", want);
	by_uri(uri, "/api/calls");
	sid_is(want, 64, "64 ASCII characters");
	strcat(uri, "y");
	is_int(by_uri(uri, "/api/calls"), ROUTE_CALL_NONE,
	    "65 ASCII characters");
	/* Raw longer than any encoding of 256 bytes. */
	strcpy(uri, "/api/calls/");
	for (i = 0; i < 257; i++)
		strcat(uri, "%41");
	is_int(by_uri(uri, "/api/calls"), ROUTE_CALL_NONE,
	    "771 raw bytes");

	/* Without REQUEST_URI: SCRIPT_NAME + PATH_INFO, decoded already. */
	is_int(by_parts("/api", "/calls"), ROUTE_LIST, "parts: list");
	is_int(by_parts("/api/calls", NULL), ROUTE_LIST, "parts: no PATH_INFO");
	is_int(by_parts("/api/call", "s"), ROUTE_LIST, "parts: split anywhere");
	is_int(by_parts("/x", "/api/calls"), ROUTE_OTHER, "parts: other");
	is_int(by_parts("/api", "/callsx"), ROUTE_OTHER, "parts: callsx");
	is_int(by_parts("/api", "/calls/"), ROUTE_OTHER, "parts: empty");
	by_parts("/api", "/calls/a+b %/c");
	sid_is("a+b %/c", 7, "parts: taken as decoded, '/' included");
	by_parts("/api/calls/x", NULL);
	sid_is("x", 1, "parts: all in SCRIPT_NAME");
	is_int(by_parts("/api", "/calls/\xff"), ROUTE_CALL_NONE,
	    "parts: not UTF-8");
	memset(uri, 'x', sizeof(uri) - 1);
	uri[sizeof(uri) - 1] = '\0';
	memcpy(uri, "/calls/", 7);
	is_int(by_parts("/api", uri), ROUTE_CALL_NONE, "parts: 2 KiB long");
	uri[0] = 'y';
	is_int(by_parts("/api", uri), ROUTE_OTHER, "parts: 2 KiB, other");
}

int
main(void)
{
	test_percent();
	test_routes();
	return done_testing();
}
