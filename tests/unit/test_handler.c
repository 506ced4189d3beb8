/*
 * The whole request pipeline against the in-memory store: routing,
 * methods, authentication, parameters, cursors, paging and the envelope.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "../../lib/cursor.h"
#include "../../lib/handler.h"
#include "../../lib/log.h"
#include "../../lib/query.h"
#include "fake_store.h"
#include "tap.h"

#define NACME	257
#define NGLOBEX	31
#define NDOZEN	12	/* a count many limits divide */

static struct fake_key keys[] = {
	{ "ck_acme", "org_acme", 0 },
	{ "ck_globex", "org_globex", 0 },
	{ "ck_revoked", "org_acme", 1 },
	{ "ck_dozen", "org_dozen", 0 },
};

static struct fake_store	 fs;
static struct handler		 h;
static struct config		 cfg;
static struct response		 resp;
static time_t			 now = 1000;	/* the clock handler_serve sees */

static void
setup(void)
{
	struct store	 store = { &fake_store_ops, &fs };
	struct ts	 t = { 2026, 3, 9, 10, 0, 0, 0 };
	size_t		 i;

	fs.keys = keys;
	fs.nkeys = sizeof(keys) / sizeof(keys[0]);
	fs.ncalls = NACME + NGLOBEX + NDOZEN;
	fs.calls = calloc(fs.ncalls, sizeof(struct call));
	/* Runs of equal created_at: every 4 calls share a timestamp. */
	for (i = 0; i < fs.ncalls; i++) {
		t.minute = (int)(i / 4) % 60;
		t.hour = 10 + (int)(i / 240);
		t.usec = (i / 4) % 3 == 0 ? 0 : 123456;
		fake_call(&fs.calls[i], i < NACME ? "org_acme" :
		    i < NACME + NGLOBEX ? "org_globex" : "org_dozen",
		    (int)((i * 7919) % 100000), &t);
	}
	memset(&cfg, 0, sizeof(cfg));
	memcpy(cfg.secret, "0123456789abcdef0123456789abcdef", 32);
	cfg.secret_len = 32;
	strcpy(cfg.route, CONFIG_ROUTE_DEFAULT);
	cfg.key_cache_seconds = 0;
	if (handler_init(&h, &cfg, &store) == -1)
		exit(1);
}

static void
quiet(const char *line, void *arg)
{
	(void)line;
	(void)arg;
}

/* The ids the next requests carry (X-Request-Id, UNIQUE_ID), or NULL. */
static const char	*rid = "t-1", *unique_id;

static int
serve(const char *method, const char *uri, const char *auth)
{
	struct request	 req;
	const char	*q;

	memset(&req, 0, sizeof(req));
	req.request_id = rid;
	req.unique_id = unique_id;
	req.method = method;
	req.uri = uri;
	q = strchr(uri, '?');
	req.query = q != NULL ? q + 1 : "";
	req.authorization = auth;
	handler_serve(&h, &req, now, &resp);
	return ca_error_info(resp.err)->status;
}

/* A server that sets no REQUEST_URI. */
static int
route_without_uri(const char *script_name, const char *path_info)
{
	struct request	 req;

	memset(&req, 0, sizeof(req));
	req.method = "GET";
	req.script_name = script_name;
	req.path_info = path_info;
	req.query = "limit=1";
	req.authorization = "Bearer ck_acme";
	handler_serve(&h, &req, now, &resp);
	return ca_error_info(resp.err)->status;
}

static int
has_header(const char *line)
{
	return resp.head.data != NULL && strstr(resp.head.data, line) != NULL;
}

static json_t *
body(void)
{
	return json_loadb(resp.body.data, resp.body.len, 0, NULL);
}

/* Status, error code and param of the last response. */
static void
expect_error(int status, const char *code, const char *param,
    const char *what)
{
	json_t		*j = body();
	const char	*c = NULL, *p = NULL;
	int		 success = 1;

	json_unpack(j, "{s:b, s:{s:s, s:s?}}", "success", &success, "error",
	    "code", &c, "param", &p);
	ok(ca_error_info(resp.err)->status == status && !success &&
	    c != NULL && strcmp(c, code) == 0 &&
	    ((p == NULL && param == NULL) ||
	    (p != NULL && param != NULL && strcmp(p, param) == 0)),
	    "%s: %d %s param=%s (got %d %s)", what, status, code,
	    param ? param : "null", ca_error_info(resp.err)->status,
	    resp.body.data);
	json_decref(j);
}

/* The last response's body is exactly want. */
static void
body_is(const char *want, const char *what)
{
	ok(resp.body.data != NULL && resp.body.len == strlen(want) &&
	    memcmp(resp.body.data, want, resp.body.len) == 0,
	    "%s: body %s", what, resp.body.data);
}

/*
 * The error messages that state facts owned elsewhere take them from
 * their owners: the 404 the configured route, the unknown parameter the
 * parameter table, the bad limit LIMIT_MIN and LIMIT_MAX.
 */
static void
test_error_messages(void)
{
	serve("GET", "/api/other", "Bearer ck_acme");
	body_is("{\"success\":false,\"error\":{\"code\":\"not_found\","
	    "\"message\":\"No such resource. The API serves GET /api/calls "
	    "and GET /api/calls/{call_sid}.\",\"param\":null,"
	    "\"request_id\":\"t-1\"}}", "404, default route");
	strcpy(cfg.route, "/~u/api/calls");
	serve("GET", "/api/calls", "Bearer ck_acme");
	body_is("{\"success\":false,\"error\":{\"code\":\"not_found\","
	    "\"message\":\"No such resource. The API serves GET "
	    "/~u/api/calls and GET /~u/api/calls/{call_sid}.\","
	    "\"param\":null,\"request_id\":\"t-1\"}}", "404 names the route");
	is_int(serve("GET", "/~u/api/calls?limit=1", "Bearer ck_acme"), 200,
	    "the configured route is served");
	strcpy(cfg.route, "/api/\xff");
	serve("GET", "/api/calls", "Bearer ck_acme");
	body_is("{\"success\":false,\"error\":{\"code\":\"not_found\","
	    "\"message\":\"No such resource.\",\"param\":null,"
	    "\"request_id\":\"t-1\"}}", "404, route not UTF-8: not named");
	strcpy(cfg.route, CONFIG_ROUTE_DEFAULT);

	serve("GET", "/api/calls?foo=1", "Bearer ck_acme");
	body_is("{\"success\":false,\"error\":{\"code\":"
	    "\"unknown_parameter\",\"message\":\"Unknown query parameter. "
	    "Allowed: limit, cursor, order, status, call_type, agent_id, "
	    "to_number, from_number, end_reason, created_after, "
	    "created_before.\",\"param\":\"foo\",\"request_id\":\"t-1\"}}",
	    "unknown parameter");
	serve("GET", "/api/calls?limit=0", "Bearer ck_acme");
	body_is("{\"success\":false,\"error\":{\"code\":"
	    "\"invalid_parameter\",\"message\":\"limit must be an integer "
	    "from 1 to 100.\",\"param\":\"limit\",\"request_id\":\"t-1\"}}",
	    "bad limit");
}

static void
test_routing_and_methods(void)
{
	static const char	*paths[] = { "/", "/api", "/api/", "/api/call",
	    "/api/callsx", "/api/calls/1/x", "/api/other", "/API/calls",
	    "/api/%63alls", "/api/calls/../calls", "/api/calls//" };
	static const char	*methods[] = { "POST", "PUT", "DELETE", "PATCH",
	    "OPTIONS", "TRACE", "get", "" };
	size_t			 i;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		serve("GET", paths[i], "Bearer ck_acme");
		expect_error(404, "not_found", NULL, paths[i]);
	}
	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		serve(methods[i], "/api/calls", "Bearer ck_acme");
		expect_error(405, "method_not_allowed", NULL, methods[i]);
		ok(has_header("Allow: GET, HEAD\r\n"), "  Allow header");
	}
	is_int(serve("GET", "/api/calls?limit=2", "Bearer ck_acme"), 200,
	    "GET 200");
	ok(route_without_uri("/api", "/calls") == 200 &&
	    route_without_uri("/api/calls", NULL) == 200 &&
	    route_without_uri("/api", "/callsx") == 404 &&
	    route_without_uri("/api/call", "s") == 200 &&
	    route_without_uri("/x", "/api/calls") == 404,
	    "no REQUEST_URI: SCRIPT_NAME + PATH_INFO");
	ok(has_header("Content-Type: application/json; charset=utf-8\r\n") &&
	    has_header("Cache-Control: no-store\r\n"), "JSON, no-store");
	is_int(serve("HEAD", "/api/calls?limit=2", "Bearer ck_acme"), 200,
	    "HEAD 200");
	ok(resp.head_only, "HEAD sends no body");
}

static void
test_auth(void)
{
	static const char	*malformed[] = { "Basic Y2s6YWNtZQ==", "Bearer",
	    "Bearer ", "Bearerck_acme", "Bearer ck acme", "Bearer ck_acme x",
	    "Bearer ck\"acme", "ck_acme" };
	size_t			 i;

	serve("GET", "/api/calls", NULL);
	expect_error(401, "missing_api_key", NULL, "no header");
	ok(has_header("WWW-Authenticate: Bearer realm=\"calls-api\"\r\n"),
	    "  WWW-Authenticate");
	serve("GET", "/api/calls", "");
	expect_error(401, "missing_api_key", NULL, "empty header");
	for (i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
		serve("GET", "/api/calls", malformed[i]);
		expect_error(401, "invalid_api_key", NULL, malformed[i]);
	}
	serve("GET", "/api/calls", "Bearer ck_nobody");
	expect_error(401, "invalid_api_key", NULL, "unknown key");
	ok(has_header("error=\"invalid_token\""), "  invalid_token");
	serve("GET", "/api/calls", "Bearer ck_revoked");
	expect_error(401, "invalid_api_key", NULL, "revoked key");
	is_int(serve("GET", "/api/calls", "bearer   ck_acme  "), 200,
	    "scheme is case-insensitive, spaces tolerated");
	serve("GET", "/api/calls?limit=0", NULL);
	expect_error(401, "missing_api_key", NULL,
	    "authentication comes before parameters");
}

/* The key cache as the handler uses it: the clock moves, keys get revoked. */
static void
test_cache(void)
{
	time_t	 t0 = now;
	int	 before;

	cfg.key_cache_seconds = 30;
	fs.lookups = 0;
	serve("GET", "/api/calls?limit=1", "Bearer ck_globex");
	before = fs.lookups;
	serve("GET", "/api/calls?limit=1", "Bearer ck_globex");
	is_int(fs.lookups, before, "second request answered from the cache");
	keys[1].revoked = 1;
	now = t0 + 29;
	is_int(serve("GET", "/api/calls?limit=1", "Bearer ck_globex"), 200,
	    "revoked key, 29 s later: still cached (key-cache-seconds 30)");
	is_int(fs.lookups, before, "  no lookup");
	now = t0 + 30;
	serve("GET", "/api/calls?limit=1", "Bearer ck_globex");
	expect_error(401, "invalid_api_key", NULL,
	    "revoked key, 30 s later: expired, looked up, refused");
	is_int(fs.lookups, before + 1, "  one lookup");
	keys[1].revoked = 0;

	cfg.key_cache_seconds = 0;
	fs.lookups = 0;
	serve("GET", "/api/calls?limit=1", "Bearer ck_globex");
	serve("GET", "/api/calls?limit=1", "Bearer ck_globex");
	keys[1].revoked = 1;
	serve("GET", "/api/calls?limit=1", "Bearer ck_globex");
	expect_error(401, "invalid_api_key", NULL,
	    "key-cache-seconds 0: revoked key refused at once");
	is_int(fs.lookups, 3, "  every request looked up");
	keys[1].revoked = 0;
	now = t0;
}

/* The pagination object of the last response. */
static int
pagination_is(int has_more, int with_cursor, int page_size)
{
	json_t	*j = body(), *pg;
	int	 more = -1, size = -1, pass;

	pg = json_object_get(j, "pagination");
	json_unpack(pg, "{s:b, s:i}", "has_more", &more, "page_size", &size);
	pass = more == has_more && size == page_size &&
	    json_array_size(json_object_get(j, "data")) == (size_t)page_size &&
	    (with_cursor ? json_is_string(json_object_get(pg, "next_cursor")) :
	    json_is_null(json_object_get(pg, "next_cursor")));
	if (!pass)
		printf("#   got %s\n", resp.body.data);
	json_decref(j);
	return pass;
}

/* GET with "limit=" and zeros up to a query of len bytes, ending in 5. */
static void
long_query(size_t len)
{
	static const char	 path[] = "/api/calls?limit=";
	char			*uri = malloc(sizeof(path) + len);
	size_t			 q = sizeof(path) - 1 - strlen("/api/calls?");

	if (uri == NULL)
		exit(1);
	memcpy(uri, path, sizeof(path) - 1);
	memset(uri + sizeof(path) - 1, '0', len - q);
	uri[sizeof(path) - 1 + len - q - 1] = '5';
	uri[sizeof(path) - 1 + len - q] = '\0';
	serve("GET", uri, "Bearer ck_acme");
	free(uri);
}

static void
test_params(void)
{
	static const char	*bad_limits[] = { "0", "101", "-1", "1.5", "abc",
	    "", "+5", "%205", "1e2", "99999999999999999999" };
	char			 uri[128];
	size_t			 i;

	for (i = 0; i < sizeof(bad_limits) / sizeof(bad_limits[0]); i++) {
		snprintf(uri, sizeof(uri), "/api/calls?limit=%s",
		    bad_limits[i]);
		serve("GET", uri, "Bearer ck_acme");
		expect_error(400, "invalid_parameter", "limit", uri);
	}
	serve("GET", "/api/calls?limit=5&limit=6", "Bearer ck_acme");
	expect_error(400, "duplicate_parameter", "limit", "repeated limit");
	serve("GET", "/api/calls?foo=1", "Bearer ck_acme");
	expect_error(400, "unknown_parameter", "foo", "unknown parameter");
	serve("GET", "/api/calls?limit=%zz", "Bearer ck_acme");
	expect_error(400, "invalid_query_string", "limit", "bad escape");
	serve("GET", "/api/calls?cursor=", "Bearer ck_acme");
	expect_error(400, "invalid_cursor", "cursor", "empty cursor");

	/* The length limit: "limit=000...05" of exactly QUERY_MAX_LEN bytes
	 * is served, one byte more is a 414. */
	long_query(QUERY_MAX_LEN);
	is_int(ca_error_info(resp.err)->status, 200, "query of %d bytes: 200",
	    QUERY_MAX_LEN);
	ok(pagination_is(1, 1, 5), "  limit 5");
	long_query(QUERY_MAX_LEN + 1);
	expect_error(414, "query_too_long", NULL, "query one byte longer");
	serve("GET", "/api/calls?cursor=eyJjYWxsX3NpZCI6ICJjYWxsX2FiYzEyMyJ9",
	    "Bearer ck_acme");
	expect_error(400, "invalid_cursor", "cursor", "spec example cursor");
}

/* Walk every page of an organisation at a limit. */
static void
walk(const char *key, const char *org, size_t total, int limit)
{
	char		 uri[1024], prev_at[64] = "", prev_sid[80] = "";
	const char	*next, *sid, *at, *client;
	json_t		*j, *data, *item, *pg;
	size_t		 seen = 0, i, pages = 0;
	int		 ordered = 1, own = 1, sizes = 1, empty = 0, more, psize;
	/* Enough for every row once and a last empty page, then a bug. */
	size_t		 cap = total / (size_t)limit + 2;
	char		*seen_sids = calloc(total, 80);

	snprintf(uri, sizeof(uri), "/api/calls?limit=%d", limit);
	while (pages < cap) {
		if (serve("GET", uri, key) != 200)
			break;
		pages++;
		j = body();
		data = json_object_get(j, "data");
		pg = json_object_get(j, "pagination");
		json_unpack(pg, "{s:b, s:i}", "has_more", &more, "page_size",
		    &psize);
		if ((size_t)psize != json_array_size(data) ||
		    (more && psize != limit))
			sizes = 0;
		/* Only an organisation without calls has an empty page. */
		if (psize == 0 && total > 0)
			empty++;
		json_array_foreach(data, i, item) {
			json_unpack(item, "{s:s, s:s, s:s}", "call_sid", &sid,
			    "created_at", &at, "client_id", &client);
			if (strcmp(client, org) != 0)
				own = 0;
			/* Text order works: same format within a run. */
			if (prev_sid[0] != '\0' && (strcmp(at, prev_at) > 0 ||
			    (strcmp(at, prev_at) == 0 &&
			    strcmp(sid, prev_sid) >= 0)))
				ordered = 0;
			snprintf(prev_at, sizeof(prev_at), "%s", at);
			snprintf(prev_sid, sizeof(prev_sid), "%s", sid);
			if (seen < total)
				snprintf(seen_sids + 80 * seen, 80, "%s", sid);
			seen++;
		}
		next = json_string_value(json_object_get(pg, "next_cursor"));
		if (next == NULL || !more) {
			json_decref(j);
			break;
		}
		snprintf(uri, sizeof(uri), "/api/calls?limit=%d&cursor=%s",
		    limit, next);
		json_decref(j);
	}
	is_int((long)seen, (long)total, "%s limit %d: every row (%zu pages)",
	    org, limit, pages);
	ok(ordered, "  strictly ordered, ties included");
	ok(own, "  only the organisation's rows");
	ok(sizes, "  page_size matches data; full pages while has_more");
	ok(empty == 0, "  no empty page (%d)", empty);
	is_int((long)pages, (long)((total + (size_t)limit - 1) /
	    (size_t)limit), "  in ceil(total / limit) pages");
	free(seen_sids);
}

static void
test_paging(void)
{
	char		 uri[1024];
	json_t		*j;
	const char	*next;
	int		 limits[] = { 1, 3, 4, 7, 50, 100 };
	size_t		 i;

	for (i = 0; i < sizeof(limits) / sizeof(limits[0]); i++)
		walk("Bearer ck_acme", "org_acme", NACME, limits[i]);
	walk("Bearer ck_globex", "org_globex", NGLOBEX, 10);

	/* Another organisation's cursor is refused. */
	serve("GET", "/api/calls?limit=5", "Bearer ck_acme");
	j = body();
	next = json_string_value(json_object_get(json_object_get(j,
	    "pagination"), "next_cursor"));
	snprintf(uri, sizeof(uri), "/api/calls?cursor=%s", next);
	json_decref(j);
	serve("GET", uri, "Bearer ck_globex");
	expect_error(400, "invalid_cursor", "cursor", "cursor of another org");
	is_int(serve("GET", uri, "Bearer ck_acme"), 200, "  own cursor works");

	/* Last page: next_cursor null, has_more false. */
	serve("GET", "/api/calls?limit=100", "Bearer ck_globex");
	ok(strstr(resp.body.data, "\"pagination\":{\"next_cursor\":null,"
	    "\"prev_cursor\":null,\"has_more\":false,\"page_size\":31}}") != NULL,
	    "last page: null cursor, has_more false");
	ok(strncmp(resp.body.data, "{\"success\":true,\"data\":[{\"call_sid\":",
	    36) == 0, "envelope order: success, data, pagination");
}

/* The last response's pagination cursor `which` into out ("" if none). */
static void
last_cursor(const char *which, char *out, size_t cap)
{
	json_t		*j = body();
	const char	*c = json_string_value(json_object_get(
			    json_object_get(j, "pagination"), which));

	snprintf(out, cap, "%s", c != NULL ? c : "");
	json_decref(j);
}

/* The secret the handler signs with and the one it also accepts. */
static void
use_secrets(const char *current, const char *previous)
{
	memcpy(cfg.secret, current, strlen(current));
	cfg.secret_len = strlen(current);
	memset(cfg.secret_previous, 0, sizeof(cfg.secret_previous));
	cfg.secret_previous_len = 0;
	if (previous != NULL) {
		memcpy(cfg.secret_previous, previous, strlen(previous));
		cfg.secret_previous_len = strlen(previous);
	}
}

/*
 * cursor-secret-previous: a cursor signed with the previous secret gives
 * the same page as before the rotation, next and prev cursors alike; the
 * cursors of that page are signed with the current secret only; a cursor
 * of a third secret, or of the previous one once it is removed, is 400.
 */
static void
test_rotation(void)
{
	static const char	*s1 = "rotation-secret-one-0123456789abcdef";
	static const char	*s2 = "rotation-secret-two-0123456789abcdef";
	static const char	*s3 = "rotation-secret-three-0123456789abcd";
	static const char	*lists[] = { "limit=3", "limit=3&order=asc" };
	char			 uri[2048], next[CURSOR_TEXT_MAX + 1];
	char			 prev[CURSOR_TEXT_MAX + 1], minted[CURSOR_TEXT_MAX + 1];
	char			*before_next = NULL, *before_prev = NULL;
	struct cursor_binding	 bind;
	struct cursor_pos	 pos;
	size_t			 i;

	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		use_secrets(s1, NULL);
		snprintf(uri, sizeof(uri), "/api/calls?%s", lists[i]);
		serve("GET", uri, "Bearer ck_acme");
		last_cursor("next_cursor", next, sizeof(next));
		snprintf(uri, sizeof(uri), "/api/calls?%s&cursor=%s", lists[i],
		    next);
		serve("GET", uri, "Bearer ck_acme");
		before_next = strdup(resp.body.data);
		last_cursor("prev_cursor", prev, sizeof(prev));
		snprintf(uri, sizeof(uri), "/api/calls?%s&cursor=%s", lists[i],
		    prev);
		serve("GET", uri, "Bearer ck_acme");
		before_prev = strdup(resp.body.data);

		use_secrets(s2, s1);
		snprintf(uri, sizeof(uri), "/api/calls?%s&cursor=%s", lists[i],
		    next);
		ok(serve("GET", uri, "Bearer ck_acme") == 200 &&
		    strcmp(resp.body.data, before_next) != 0,
		    "%s: rotated, an old next cursor is taken (the page "
		    "re-signed)", lists[i]);
		last_cursor("next_cursor", minted, sizeof(minted));
		bind.secret = (const unsigned char *)s2;
		bind.secret_len = strlen(s2);
		bind.client_id = "org_acme";
		bind.filters = i == 0 ? "" : "order=3:asc\n";
		ok(cursor_decode(minted, &bind, &pos) == 0,
		    "  the page's next cursor is signed with the current secret");
		bind.secret = (const unsigned char *)s1;
		bind.secret_len = strlen(s1);
		is_int(cursor_decode(minted, &bind, &pos), -1,
		    "  not with the previous one");
		/* The same page: the data, and has_more (the cursors differ). */
		ok(strncmp(resp.body.data, before_next, (size_t)(strstr(
		    before_next, "\"pagination\"") - before_next)) == 0,
		    "  the same rows as before the rotation");
		snprintf(uri, sizeof(uri), "/api/calls?%s&cursor=%s", lists[i],
		    prev);
		ok(serve("GET", uri, "Bearer ck_acme") == 200 &&
		    strncmp(resp.body.data, before_prev, (size_t)(strstr(
		    before_prev, "\"pagination\"") - before_prev)) == 0,
		    "  an old prev cursor: the same rows");

		use_secrets(s3, s2);
		serve("GET", uri, "Bearer ck_acme");
		expect_error(400, "invalid_cursor", "cursor",
		    "  signed with neither secret");
		use_secrets(s2, NULL);
		serve("GET", uri, "Bearer ck_acme");
		expect_error(400, "invalid_cursor", "cursor",
		    "  previous removed: the old cursor is refused");
		free(before_next);
		free(before_prev);
	}
	use_secrets("0123456789abcdef0123456789abcdef", NULL);
}

/*
 * A page that ends exactly on the organisation's last row is the last
 * page: has_more false, next_cursor null (the store was asked for one row
 * more and had none). Twelve calls, walked at limits that divide 12 and
 * some that do not.
 */
static void
test_exact_end(void)
{
	static const int	 limits[] = { 1, 2, 3, 4, 5, 6, 11, 12, 13 };
	char			 uri[1024];
	json_t			*j;
	size_t			 i;

	for (i = 0; i < sizeof(limits) / sizeof(limits[0]); i++)
		walk("Bearer ck_dozen", "org_dozen", NDOZEN, limits[i]);

	serve("GET", "/api/calls?limit=12", "Bearer ck_dozen");
	ok(pagination_is(0, 0, 12), "limit 12 of 12: has_more false, "
	    "next_cursor null");
	serve("GET", "/api/calls?limit=11", "Bearer ck_dozen");
	ok(pagination_is(1, 1, 11), "limit 11 of 12: has_more true, a cursor");
	serve("GET", "/api/calls?limit=13", "Bearer ck_dozen");
	ok(pagination_is(0, 0, 12), "limit 13 of 12: has_more false");

	/* Second page of limit 6 ends on the last row. */
	serve("GET", "/api/calls?limit=6", "Bearer ck_dozen");
	ok(pagination_is(1, 1, 6), "limit 6, page 1: has_more true");
	j = body();
	snprintf(uri, sizeof(uri), "/api/calls?limit=6&cursor=%s",
	    json_string_value(json_object_get(json_object_get(j,
	    "pagination"), "next_cursor")));
	json_decref(j);
	is_int(serve("GET", uri, "Bearer ck_dozen"), 200, "limit 6, page 2");
	ok(pagination_is(0, 0, 6), "  ends on the last row: has_more false, "
	    "next_cursor null");
}

/* The text of the list item of sid in the last (page) response, "{...}". */
static char *
list_item_text(const char *sid)
{
	char		 start[ID_SIZE + 32];
	const char	*p, *e;
	char		*out;

	snprintf(start, sizeof(start), "{\"call_sid\":\"%s\"", sid);
	if (resp.body.data == NULL ||
	    (p = strstr(resp.body.data, start)) == NULL ||
	    (e = strchr(p, '}')) == NULL || (out = malloc((size_t)(e - p) +
	    2)) == NULL)
		return NULL;
	memcpy(out, p, (size_t)(e - p) + 1);
	out[e - p + 1] = '\0';
	return out;
}

/* A copy of the last response's head and body, "head|body". */
static char *
last_response(void)
{
	char	*s = malloc(resp.head.len + resp.body.len + 2);

	if (s == NULL)
		exit(1);
	memcpy(s, resp.head.data, resp.head.len);
	s[resp.head.len] = '|';
	memcpy(s + resp.head.len + 1, resp.body.data, resp.body.len);
	s[resp.head.len + 1 + resp.body.len] = '\0';
	return s;
}

/*
 * GET <route>/{call_sid}: the same object as in the list, the 404 that
 * does not tell another organisation's call from none, the segments that
 * need no lookup, the path decoding, authentication first, no
 * parameters, HEAD.
 */
static void
test_one_call(void)
{
	static const char	*impossible[] = { "/api/calls/%zz", "/api/calls/%00", "/api/calls/a%00",
	    "/api/calls/%FF", "/api/calls/%C0%80",
	    "/api/calls/xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxx" };
	const struct call	*acme = &fs.calls[NACME - 3], *globex = &fs.calls[NACME];
	struct call		 saved;
	char			 uri[512], want[4096], *item, *missing, *other;
	size_t			 i;
	int			 before;

	/* The list's object, byte for byte, inside the one-call envelope. */
	serve("GET", "/api/calls?limit=100", "Bearer ck_acme");
	item = list_item_text(acme->call_sid);
	ok(item != NULL, "%s is on the first page", acme->call_sid);
	snprintf(uri, sizeof(uri), "/api/calls/%s", acme->call_sid);
	is_int(serve("GET", uri, "Bearer ck_acme"), 200, "GET %s", uri);
	snprintf(want, sizeof(want), "{\"success\":true,\"data\":%s}",
	    item != NULL ? item : "?");
	body_is(want, "  the list's object");
	ok(has_header("Content-Type: application/json; charset=utf-8\r\n") &&
	    has_header("Cache-Control: no-store\r\n"), "  JSON, no-store");
	free(item);

	is_int(serve("HEAD", uri, "Bearer ck_acme"), 200, "HEAD 200");
	ok(resp.head_only && resp.body.len == strlen(want),
	    "  no body sent, Content-Length of GET's");

	/* Another organisation's call and none: the same answer. */
	before = fs.call_lookups;
	serve("GET", "/api/calls/call_none", "Bearer ck_acme");
	expect_error(404, "call_not_found", NULL, "missing call_sid");
	body_is("{\"success\":false,\"error\":{\"code\":\"call_not_found\","
	    "\"message\":\"No call with this call_sid.\",\"param\":null,"
	    "\"request_id\":\"t-1\"}}",
	    "  body");
	missing = last_response();
	snprintf(uri, sizeof(uri), "/api/calls/%s", globex->call_sid);
	serve("GET", uri, "Bearer ck_acme");
	other = last_response();
	is_str(other, missing, "another org's call: head and body as none");
	is_int(fs.call_lookups - before, 2, "  one lookup each");
	free(missing);
	free(other);
	is_int(serve("GET", uri, "Bearer ck_globex"), 200,
	    "  its own organisation gets it");

	/* Segments that can be no call_sid: the same 404, no lookup. */
	before = fs.call_lookups;
	for (i = 0; i < sizeof(impossible) / sizeof(impossible[0]); i++) {
		serve("GET", impossible[i], "Bearer ck_acme");
		expect_error(404, "call_not_found", NULL, impossible[i]);
	}
	is_int(fs.call_lookups, before, "  none looked up");

	/* Percent-decoded as a path: '+' stays '+'. */
	saved = fs.calls[5];
	strcpy(fs.calls[5].call_sid, "odd sid+100%/\xc3\xa9");
	is_int(serve("GET", "/api/calls/odd%20sid+100%25%2F%C3%A9",
	    "Bearer ck_acme"), 200, "odd call_sid, '+' literal");
	ok(strstr(resp.body.data, "\"call_sid\":\"odd sid+100%/\xc3\xa9\"") !=
	    NULL, "  that call");
	is_int(serve("GET", "/api/calls/odd%20sid%2B100%25%2f%c3%a9",
	    "Bearer ck_acme"), 200, "odd call_sid, '+' as %%2B");
	serve("GET", "/api/calls/odd+sid+100%25%2F%C3%A9", "Bearer ck_acme");
	expect_error(404, "call_not_found", NULL, "'+' is not a space here");
	fs.calls[5] = saved;

	/* Without REQUEST_URI: SCRIPT_NAME + PATH_INFO, decoded. */
	{
		struct request	 req;

		memset(&req, 0, sizeof(req));
		req.method = "GET";
		req.script_name = "/api";
		snprintf(uri, sizeof(uri), "/calls/%s", acme->call_sid);
		req.path_info = uri;
		req.authorization = "Bearer ck_acme";
		handler_serve(&h, &req, now, &resp);
		ok(resp.err == CA_OK && strstr(resp.body.data,
		    acme->call_sid) != NULL, "no REQUEST_URI: PATH_INFO");
	}

	/* Method, then authentication, then parameters, then the lookup. */
	snprintf(uri, sizeof(uri), "/api/calls/%s", globex->call_sid);
	serve("POST", uri, "Bearer ck_acme");
	expect_error(405, "method_not_allowed", NULL, "POST");
	ok(has_header("Allow: GET, HEAD\r\n"), "  Allow header");
	before = fs.call_lookups;
	serve("GET", uri, NULL);
	expect_error(401, "missing_api_key", NULL, "no key");
	serve("GET", uri, "Bearer ck_nobody");
	expect_error(401, "invalid_api_key", NULL, "unknown key");
	serve("GET", "/api/calls/%zz", "Bearer ck_nobody");
	expect_error(401, "invalid_api_key", NULL, "unknown key, bad segment");
	snprintf(uri, sizeof(uri), "/api/calls/%s?limit=1", acme->call_sid);
	serve("GET", uri, "Bearer ck_acme");
	expect_error(400, "unknown_parameter", "limit", "a parameter");
	body_is("{\"success\":false,\"error\":{\"code\":"
	    "\"unknown_parameter\",\"message\":\"Unknown query parameter. "
	    "This URL takes no query parameters.\",\"param\":\"limit\","
	    "\"request_id\":\"t-1\"}}",
	    "  message");
	serve("GET", "/api/calls/x?%zz", "Bearer ck_acme");
	expect_error(400, "invalid_query_string", NULL, "a bad query string");
	serve("GET", "/api/calls/?cursor=1", "Bearer ck_acme");
	expect_error(404, "not_found", NULL, "no segment: no call named");
	serve("GET", "/api/calls/x?missing%20key", NULL);
	expect_error(401, "missing_api_key", NULL, "key before parameters");
	is_int(fs.call_lookups, before, "  none looked up");
	snprintf(uri, sizeof(uri), "/api/calls/%s?&", acme->call_sid);
	is_int(serve("GET", uri, "Bearer ck_acme"), 200,
	    "empty query pairs are no parameters");

	fs.fail_with = CA_ERR_DB_UNAVAILABLE;
	serve("GET", "/api/calls/call_none", "Bearer ck_acme");
	expect_error(503, "service_unavailable", NULL, "database down");
	fs.fail_with = CA_OK;
}

static void
test_store_failures(void)
{
	fs.fail_with = CA_ERR_DB_UNAVAILABLE;
	serve("GET", "/api/calls", "Bearer ck_acme");
	expect_error(503, "service_unavailable", NULL, "database down");
	ok(has_header("Retry-After: "), "  Retry-After");
	fs.fail_with = CA_ERR_INTERNAL;
	serve("GET", "/api/calls", "Bearer ck_acme");
	expect_error(500, "internal_error", NULL, "internal error");
	fs.fail_with = CA_OK;

	/* Rows already written into the page are dropped with the error. */
	fs.fail_midway = CA_ERR_DB_UNAVAILABLE;
	serve("GET", "/api/calls", "Bearer ck_acme");
	expect_error(503, "service_unavailable", NULL, "lost after one row");
	ok(strstr(resp.body.data, "call_sid") == NULL &&
	    strstr(resp.body.data, "\"data\"") == NULL,
	    "  no partial page in the body");
	fs.fail_midway = CA_OK;

	h.cfg = NULL;
	serve("GET", "/api/calls", "Bearer ck_acme");
	expect_error(500, "server_misconfigured", NULL, "no config");
	/* The config names the route: without one, no path is a 404. */
	serve("GET", "/~user/api/calls", "Bearer ck_acme");
	expect_error(500, "server_misconfigured", NULL,
	    "no config, a route the config would have named");
	serve("GET", "/nowhere", "Bearer ck_acme");
	expect_error(500, "server_misconfigured", NULL, "no config, any path");
	h.cfg = &cfg;
}

/* The X-Request-Id header of the last response ("" when none). */
static const char *
head_request_id(char *out, size_t cap)
{
	const char	*p = resp.head.data != NULL ?
			    strstr(resp.head.data, "\r\nX-Request-Id: ") : NULL;

	out[0] = '\0';
	if (p != NULL) {
		p += strlen("\r\nX-Request-Id: ");
		snprintf(out, cap, "%.*s", (int)strcspn(p, "\r"), p);
	}
	return out;
}

/* The error body's request_id of the last response ("" when none). */
static const char *
body_request_id(char *out, size_t cap)
{
	json_t		*j = body();
	const char	*id = NULL;

	json_unpack(j, "{s:{s:s}}", "error", "request_id", &id);
	snprintf(out, cap, "%s", id != NULL ? id : "");
	json_decref(j);
	return out;
}

/* 1 when s is a made id: 32 lowercase hex characters. */
static int
made_id(const char *s)
{
	return strlen(s) == 32 && strspn(s, "0123456789abcdef") == 32;
}

/*
 * Every answer carries the request's id in its head, and an error its
 * body too: the front end's when sane, else UNIQUE_ID's, else made.
 */
static void
test_request_ids(void)
{
	static const struct {
		const char	*method, *uri, *auth;
		int		 status;
	} reqs[] = {
		{ "GET", "/api/calls?limit=2", "Bearer ck_acme", 200 },
		{ "HEAD", "/api/calls?limit=2", "Bearer ck_acme", 200 },
		{ "GET", "/api/calls?limit=0", "Bearer ck_acme", 400 },
		{ "GET", "/api/calls", NULL, 401 },
		{ "GET", "/api/nope", "Bearer ck_acme", 404 },
		{ "POST", "/api/calls", "Bearer ck_acme", 405 },
	};
	char		 hid[256], bid[256], first[256];
	size_t		 i;

	for (i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
		rid = "client-id.42";
		unique_id = NULL;
		is_int(serve(reqs[i].method, reqs[i].uri, reqs[i].auth),
		    reqs[i].status, "%s %s: %d", reqs[i].method, reqs[i].uri,
		    reqs[i].status);
		is_str(head_request_id(hid, sizeof(hid)), "client-id.42",
		    "  a sane X-Request-Id is echoed");
		if (reqs[i].status != 200)
			is_str(body_request_id(bid, sizeof(bid)),
			    "client-id.42", "  and is the body's request_id");
		rid = "not sane";
		unique_id = "Zx9@uniq-AAA";
		serve(reqs[i].method, reqs[i].uri, reqs[i].auth);
		is_str(head_request_id(hid, sizeof(hid)), "Zx9@uniq-AAA",
		    "  an insane one: UNIQUE_ID instead");
		rid = NULL;
		unique_id = NULL;
		serve(reqs[i].method, reqs[i].uri, reqs[i].auth);
		head_request_id(first, sizeof(first));
		ok(made_id(first), "  none given: a made one (%s)", first);
		if (reqs[i].status != 200)
			is_str(body_request_id(bid, sizeof(bid)), first,
			    "  the same in the body");
		serve(reqs[i].method, reqs[i].uri, reqs[i].auth);
		ok(made_id(head_request_id(hid, sizeof(hid))) &&
		    strcmp(hid, first) != 0, "  and another next time (%s)",
		    hid);
	}
	/* 414 and 5xx too. */
	rid = "r-414";
	long_query(QUERY_MAX_LEN + 1);
	ok(strcmp(head_request_id(hid, sizeof(hid)), "r-414") == 0 &&
	    strcmp(body_request_id(bid, sizeof(bid)), "r-414") == 0,
	    "414: head and body carry the id");
	rid = "r-503";
	fs.fail_with = CA_ERR_DB_UNAVAILABLE;
	serve("GET", "/api/calls", "Bearer ck_acme");
	fs.fail_with = CA_OK;
	ok(ca_error_info(resp.err)->status == 503 &&
	    strcmp(head_request_id(hid, sizeof(hid)), "r-503") == 0 &&
	    strcmp(body_request_id(bid, sizeof(bid)), "r-503") == 0,
	    "503: head and body carry the id");
	rid = "t-1";
}

int
main(void)
{
	log_set_sink(quiet, NULL);	/* test_log.c checks the lines */
	setup();
	test_routing_and_methods();
	test_error_messages();
	test_auth();
	test_cache();
	test_params();
	test_paging();
	test_exact_end();
	test_rotation();
	test_one_call();
	test_store_failures();
	test_request_ids();
	handler_free(&h);
	response_free(&resp);
	free(fs.calls);
	return done_testing();
}
