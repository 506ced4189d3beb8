/*
 * Every answer of 500 or more leaves exactly one log line saying what
 * failed and why: each internal-error path that the handler can reach
 * with the in-memory store is provoked here, and the lines are captured
 * through log.c's test hook.
 */
#include <stdlib.h>
#include <string.h>

#include "../../lib/handler.h"
#include "../../lib/log.h"
#include "fake_store.h"
#include "tap.h"

static const struct fake_key keys[] = { { "ck_acme", "org_acme", 0 } };

static struct fake_store	 fs;
static struct handler		 h;
static struct config		 cfg;
static struct response		 resp;
static char			 lines[8][2048];
static int			 nlines;

static void
capture(const char *line, void *arg)
{
	(void)arg;
	if (nlines < 8)
		snprintf(lines[nlines], sizeof(lines[0]), "%s", line);
	nlines++;
}

static void
setup(int ncalls)
{
	struct store	 store = { &fake_store_ops, &fs };
	struct ts	 t = { 2026, 3, 9, 10, 0, 0, 0 };
	int		 i;

	handler_free(&h);
	free(fs.calls);
	memset(&fs, 0, sizeof(fs));
	fs.keys = keys;
	fs.nkeys = 1;
	fs.ncalls = (size_t)ncalls;
	fs.calls = calloc(fs.ncalls + 1, sizeof(struct call));
	for (i = 0; i < ncalls; i++) {
		t.second = i;
		fake_call(&fs.calls[i], "org_acme", i, &t);
	}
	memset(&cfg, 0, sizeof(cfg));
	memcpy(cfg.secret, "0123456789abcdef0123456789abcdef", 32);
	cfg.secret_len = 32;
	strcpy(cfg.route, CONFIG_ROUTE_DEFAULT);
	cfg.key_cache_seconds = 60;
	if (handler_init(&h, &cfg, &store) == -1)
		exit(1);
}

/* Serve one request; returns its status. Lines logged go to lines[]. */
static const char	*request_id;	/* the next request's, or NULL */

static int
serve(const char *uri)
{
	struct request	 req;
	const char	*q;

	memset(&req, 0, sizeof(req));
	req.method = "GET";
	req.uri = uri;
	q = strchr(uri, '?');
	req.query = q != NULL ? q + 1 : "";
	req.authorization = "Bearer ck_acme";
	req.request_id = request_id;
	nlines = 0;
	handler_serve(&h, &req, 1000, &resp);
	return ca_error_info(resp.err)->status;
}

/* The made id (32 lowercase hex) that ends the line, or NULL. */
static const char *
made_id_in(const char *line)
{
	const char	*p = strstr(line, " request_id=");
	size_t		 n;

	if (p == NULL)
		return NULL;
	p += strlen(" request_id=");
	n = strspn(p, "0123456789abcdef");
	return n == 32 && p[n] == '\0' ? p : NULL;
}

/* Exactly one line, holding every one of the NULL-terminated needles. */
static void
one_line(int status, const char *what, ...)
{
	va_list		 ap;
	const char	*needle, *missing = NULL;
	char		 head[64];

	snprintf(head, sizeof(head), "]: %d ", status);
	va_start(ap, what);
	while ((needle = va_arg(ap, const char *)) != NULL)
		if (missing == NULL && nlines >= 1 &&
		    strstr(lines[0], needle) == NULL)
			missing = needle;
	va_end(ap);
	ok(nlines == 1 && strncmp(lines[0], "calls-api[", 10) == 0 &&
	    strstr(lines[0], head) != NULL && missing == NULL,
	    "%s: one line with status %d%s%s (%d lines: %s)", what, status,
	    missing ? ", missing " : "", missing ? missing : "", nlines,
	    nlines > 0 ? lines[0] : "");
}

int
main(void)
{
	char	 uri[2048];
	int	 st;

	setvbuf(stdout, NULL, _IONBF, 0);

	log_set_sink(capture, NULL);

	/* 1. No configuration: config_load's reason on every request. */
	setup(3);
	h.cfg = NULL;
	handler_set_unconfigured(&h, "/etc/calls-api.cnf: no such file");
	is_int(serve("/api/calls?limit=1"), 500, "unconfigured: 500");
	one_line(500, "unconfigured", "server_misconfigured", "GET /api/calls:",
	    "configuration", "/etc/calls-api.cnf: no such file", NULL);
	serve("/api/calls?limit=1");
	one_line(500, "unconfigured, second request", "no such file", NULL);

	/* 2. The store fails the key lookup, with a reason. */
	setup(3);
	fs.fail_with = CA_ERR_DB_UNAVAILABLE;
	fs.fail_reason = "database: connect: 2002 Can't connect";
	is_int(serve("/api/calls?limit=1&cursor=SECRET"), 503,
	    "key lookup unavailable: 503");
	one_line(503, "key lookup unavailable", "service_unavailable",
	    "GET /api/calls: authenticate: database: connect: 2002", NULL);
	ok(nlines == 1 && strstr(lines[0], "SECRET") == NULL &&
	    strstr(lines[0], "ck_acme") == NULL,
	    "  no query string and no key in the line");

	/* 3. The store fails with no reason of its own. */
	setup(3);
	fs.fail_with = CA_ERR_INTERNAL;
	is_int(serve("/api/calls?limit=1"), 500, "silent store: 500");
	one_line(500, "silent store", "internal_error", "authenticate",
	    "no reason was noted", NULL);

	/* 4. The listing fails after the key came from the cache. */
	setup(3);
	is_int(serve("/api/calls?limit=1"), 200, "(key cached)");
	is_int(nlines, 0, "a 200 logs nothing");
	fs.fail_with = CA_ERR_DB_UNAVAILABLE;
	fs.fail_reason = "database: page query: 2013 Lost connection";
	is_int(serve("/api/calls?limit=1"), 503, "listing unavailable: 503");
	one_line(503, "listing unavailable", "list calls",
	    "2013 Lost connection", NULL);

	/* 5. Connection lost after a row went out. */
	setup(3);
	is_int(serve("/api/calls?limit=1"), 200, "(key cached)");
	fs.fail_midway = CA_ERR_INTERNAL;
	fs.fail_reason = "database: page fetch: 2013 Lost connection";
	is_int(serve("/api/calls?limit=2"), 500, "lost mid-page: 500");
	one_line(500, "lost mid-page", "internal_error", "list calls",
	    "page fetch", NULL);

	/* 6. The last row of a page has no position a cursor can carry. */
	setup(3);
	fs.calls[2].created_at.month = 13;	/* newest row: first on page */
	is_int(serve("/api/calls?limit=1"), 500, "unencodable position: 500");
	one_line(500, "unencodable position", "cursors: cannot encode",
	    "2026-13-09T10:00:02.000000Z", NULL);

	/* 7. A problem the store got over: one warning line, still 200. */
	setup(3);
	fs.warn_reason = "database: reconnected after 2006 server gone away";
	is_int(serve("/api/calls?limit=1"), 200, "recovered: 200");
	ok(nlines == 1 && strstr(lines[0], "warning: recovered, answered 200")
	    != NULL && strstr(lines[0], "2006 server gone away") != NULL,
	    "recovered: one warning line (%s)", nlines ? lines[0] : "none");

	/* 8. Client errors leave no line. */
	setup(3);
	st = serve("/api/calls?limit=0");
	ok(st == 400 && nlines == 0, "400 logs nothing");
	st = serve("/api/nope");
	ok(st == 404 && nlines == 0, "404 logs nothing");
	st = serve("/api/calls?cursor=AAAA");
	ok(st == 400 && nlines == 0, "bad cursor logs nothing");

	/* 9. Reasons are bounded and cannot break the line. */
	setup(3);
	fs.fail_with = CA_ERR_INTERNAL;
	memset(uri, 'x', sizeof(uri) - 1);
	uri[sizeof(uri) - 1] = '\0';
	memcpy(uri, "first\nsecond", 12);
	fs.fail_reason = uri;
	serve("/api/calls");
	ok(nlines == 1 && strchr(lines[0], '\n') == NULL &&
	    strstr(lines[0], "first?second") != NULL &&
	    strlen(lines[0]) < 1200 && strstr(lines[0], "[...]") != NULL,
	    "a reason of 2 KB with a newline: one line of %zu bytes, cut",
	    nlines ? strlen(lines[0]) : 0);

	/* 10. The request's id, when the front end gave a sane one. */
	setup(3);
	fs.fail_with = CA_ERR_DB_UNAVAILABLE;
	fs.fail_reason = "database: connect: 2002 Can't connect";
	request_id = "req-7f3a_9.b:c@d+e/f=";
	serve("/api/calls?limit=1");
	one_line(503, "with a request id", "2002 Can't connect "
	    "request_id=req-7f3a_9.b:c@d+e/f=", NULL);
	{
		static const char *const bad[] = { "", "two words", "quo\"te",
		    "new\nline", "semi;colon", "caf\xc3\xa9" };
		char	 long_id[200];
		size_t	 i;

		memset(long_id, 'a', 129);
		long_id[129] = '\0';
		for (i = 0; i <= sizeof(bad) / sizeof(bad[0]); i++) {
			request_id = i < sizeof(bad) / sizeof(bad[0]) ?
			    bad[i] : long_id;
			serve("/api/calls?limit=1");
			ok(nlines == 1 && made_id_in(lines[0]) &&
			    (request_id[0] == '\0' ||
			    strstr(lines[0], request_id) == NULL) &&
			    strcmp(resp.request_id, made_id_in(lines[0])) == 0,
			    "insane request id %zu replaced by a made one in "
			    "the line, the one the response has", i);
		}
		long_id[128] = '\0';
		request_id = long_id;
		serve("/api/calls?limit=1");
		ok(nlines == 1 && strstr(lines[0], long_id) != NULL,
		    "a request id of 128 characters is kept");
	}
	request_id = NULL;
	serve("/api/calls?limit=1");
	ok(nlines == 1 && made_id_in(lines[0]) != NULL &&
	    strcmp(resp.request_id, made_id_in(lines[0])) == 0,
	    "no request id: a made one in the line, the response's");

	/* Outside a request, a line goes out at once. */
	nlines = 0;
	log_error("config: %s", "startup problem");
	ok(nlines == 1 && strstr(lines[0], "config: startup problem") != NULL,
	    "outside a request: written at once");

	handler_free(&h);
	free(fs.calls);
	response_free(&resp);
	return done_testing();
}
