/*
 * libFuzzer harness: the whole request pipeline (lib/handler.c) against
 * the in-memory store of tests/unit/fake_store.c: 240 calls, 200 of them
 * of org_acme (key "ck_acme"), 40 of org_globex ("ck_globex"), runs of
 * equal created_at; "ck_revoked" is revoked. See fuzz_common.h.
 *
 * The input is split at '\n' into fields; a missing field, or one that is
 * exactly "(null)", is NULL:
 *
 *   1 REQUEST_METHOD
 *   2 REQUEST_URI
 *   3 HTTP_AUTHORIZATION
 *   4 QUERY_STRING
 *   5 options, any of:
 *       c  key cache on (30 s): the request is served twice and the two
 *          responses must be byte-identical; with D or I the store
 *          breaks only after the first, so a 200 must turn into 503/500
 *          (and so must an unknown key: negative answers are not cached)
 *       F  follow next_cursor to the last page: every call of the
 *          organisation exactly once, in strict keyset order
 *       D  the store fails with CA_ERR_DB_UNAVAILABLE (503 allowed)
 *       I  the store fails with CA_ERR_INTERNAL (500 allowed)
 *       X  the handler has no configuration (500 allowed)
 *       S  one secret: no cursor-secret-previous (by default the handler
 *          is in a rotation: cursor-secret FUZZ_SECRET, and
 *          cursor-secret-previous FUZZ_SECRET_PREVIOUS)
 *   6 SCRIPT_NAME
 *   7 PATH_INFO
 *   8 HTTP_X_REQUEST_ID
 *   9 UNIQUE_ID
 *
 * Routes: /api/calls (the list) and /api/calls/<segment> (one call: a
 * 200 is one call of the key's organisation as stored; call_not_found
 * only there, after a key).
 *
 * Invariants on every response: the head starts with "Status: " and a
 * status of 200 400 401 404 405 414 500 503 matching resp.err, is made of
 * well-formed header lines with the right Content-Length and ends with a
 * blank line; it carries X-Request-Id: field 8 when sane, else field 9
 * when sane, else 32 lowercase hex; no 5xx unless forced; the body is valid JSON (jansson), an
 * error envelope with the code of resp.err and the head's request id, or on 200 a page whose rows
 * all belong to the organisation of a key named in the header, exist in
 * the store as printed, come in strict keyset order, and whose pagination
 * block is consistent. A 200 with a next_cursor is followed by one more
 * page (all of them with F), which must continue strictly after it.
 *
 * Cursors, against a reference model that decodes the query's cursor
 * under each secret alone (cursor_decode) for the key's organisation and
 * the query's order and filters: on /api/calls, a 200 with a cursor needs
 * one signed with cursor-secret, or with cursor-secret-previous during a
 * rotation; an invalid_cursor needs one signed with neither (or with the
 * previous one and S). A cursor signed with the previous secret is served
 * the same way as by a handler whose cursor-secret is that secret: the
 * same status and head, the same body (on a 200 the same rows and
 * pagination, the cursors at the same positions). Every cursor a 200
 * hands out is signed with cursor-secret, never the previous one.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "../../lib/cursor.h"
#include "../../lib/handler.h"
#include "../../lib/log.h"
#include "../../lib/params.h"
#include "../../lib/query.h"
#include "../../lib/request_id.h"
#include "../unit/fake_store.h"
#include "fuzz_common.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(cond)	do { if (!(cond)) __builtin_trap(); } while (0)

#define NFIELDS		9
#define NOW		((time_t)1773050400)	/* 2026-03-09T10:00:00Z */

static struct fake_store	 fs;
static struct config		 cfg;
static struct handler		 h;	/* configured */
static struct handler		 hx;	/* without configuration */
/* cursor-secret FUZZ_SECRET_PREVIOUS alone: what a cursor signed with
 * it must get from h during a rotation. */
static struct config		 cfg_old;
static struct handler		 h_old;
static struct response		 resp, resp2, resp_old;
static int			 ready;
static int			 log_lines;	/* lines of the last request */

/* Lines logged are counted, not printed: every 5xx has exactly one. */
static void
count_line(const char *line, void *arg)
{
	(void)line;
	(void)arg;
	log_lines++;
}

static void
setup(void)
{
	struct store	 store = { &fake_store_ops, &fs };

	fuzz_store_setup(&fs);
	log_set_sink(count_line, NULL);
	memset(&cfg, 0, sizeof(cfg));
	memcpy(cfg.secret, FUZZ_SECRET, FUZZ_SECRET_LEN);
	cfg.secret_len = FUZZ_SECRET_LEN;
	cfg.scan_limit = 40;	/* two filters: pages cut at 40 rows */
	strcpy(cfg.route, CONFIG_ROUTE_DEFAULT);
	cfg_old = cfg;
	memcpy(cfg_old.secret, FUZZ_SECRET_PREVIOUS, FUZZ_SECRET_LEN);
	/* h's previous secret is set (or not: S) for each input. */
	memcpy(cfg.secret_previous, FUZZ_SECRET_PREVIOUS, FUZZ_SECRET_LEN);
	if (handler_init(&h, &cfg, &store) == -1 ||
	    handler_init(&hx, NULL, &store) == -1 ||
	    handler_init(&h_old, &cfg_old, &store) == -1)
		abort();
	ready = 1;
}

/* The organisation of the first live key whose text the header holds. */
static const char *
key_org(const char *auth)
{
	size_t	 i;

	for (i = 0; auth != NULL && i < FUZZ_NKEYS; i++)
		if (!fuzz_keys[i].revoked && strstr(auth, fuzz_keys[i].key))
			return fuzz_keys[i].client_id;
	return NULL;
}

static const struct call *
store_find(const char *sid)
{
	size_t	 i;

	for (i = 0; i < fs.ncalls; i++)
		if (strcmp(fs.calls[i].call_sid, sid) == 0)
			return &fs.calls[i];
	return NULL;
}

/* The README's form: no fraction when the microseconds are zero. */
static void
fmt_ts(const struct ts *t, char *out, size_t n)
{
	if (t->usec == 0)
		snprintf(out, n, "%04d-%02d-%02dT%02d:%02d:%02dZ", t->year,
		    t->month, t->day, t->hour, t->minute, t->second);
	else
		snprintf(out, n, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ",
		    t->year, t->month, t->day, t->hour, t->minute, t->second,
		    t->usec);
}

/* Keyset order: >0 when a comes strictly before b (newer, or same and greater sid). */
static int
before_desc(const struct call *a, const struct call *b)
{
	const struct ts	*x = &a->created_at, *y = &b->created_at;
	long		 u[7] = { x->year, x->month, x->day, x->hour,
			    x->minute, x->second, x->usec };
	long		 v[7] = { y->year, y->month, y->day, y->hour,
			    y->minute, y->second, y->usec };
	int		 i;

	for (i = 0; i < 7; i++)
		if (u[i] != v[i])
			return u[i] > v[i];
	return strcmp(a->call_sid, b->call_sid) > 0;
}

/* The display order of the request being checked: order=asc reverses.
 * may_cut: two filters or more, so scan-limit may leave a page short,
 * even empty, while has_more. */
static int	 order_asc, may_cut;

static int
before(const struct call *a, const struct call *b)
{
	return order_asc ? before_desc(b, a) : before_desc(a, b);
}

/*
 * The query's order, and whether it is the plain listing (default order,
 * no filter, no window: cursors followed with limit alone, every call of
 * the organisation seen).
 */
static int
query_is_plain(const char *query)
{
	static struct buf	 work;
	struct list_params	 p;
	struct ca_fail		 f;
	char			 canon[PARAMS_CANONICAL_MAX];

	order_asc = may_cut = 0;
	if (params_parse(query, &work, &p, &f) != CA_OK)
		return 0;
	order_asc = p.order == LIST_ORDER_ASC;
	may_cut = params_eq_count(&p) >= 2;
	return params_canonical(&p, canon, sizeof(canon)) == 0;
}

/*
 * The reference model of cursor verification. query_signer() parses the
 * query as the handler does and says which secret signed its cursor for
 * org and the query's order and filters, trying each secret alone; it
 * leaves the binding's filters text in model_canon (for the cursors a 200
 * hands out) and whether the query has a cursor in model_has_cursor.
 */
enum signer { SIGNED_BY_NEITHER, SIGNED_BY_CURRENT, SIGNED_BY_PREVIOUS };

static char	 model_canon[PARAMS_CANONICAL_MAX];
static int	 model_has_cursor;

/* 1 when text is a cursor signed with secret for org and model_canon. */
static int
signed_with(const char *text, const char *secret, const char *org,
    struct cursor_pos *pos)
{
	struct cursor_binding	 b;

	b.secret = (const unsigned char *)secret;
	b.secret_len = FUZZ_SECRET_LEN;
	b.client_id = org;
	b.filters = model_canon;
	return cursor_decode(text, &b, pos) == 0;
}

static enum signer
query_signer(const char *query, const char *org)
{
	static struct buf	 work;
	struct list_params	 p;
	struct ca_fail		 f;
	struct cursor_pos	 pos;

	model_has_cursor = 0;
	model_canon[0] = '\0';
	if (params_parse(query, &work, &p, &f) != CA_OK ||
	    params_canonical(&p, model_canon, sizeof(model_canon)) < 0)
		return SIGNED_BY_NEITHER;
	model_has_cursor = p.cursor != NULL;
	if (p.cursor == NULL || org == NULL)
		return SIGNED_BY_NEITHER;
	if (signed_with(p.cursor, FUZZ_SECRET, org, &pos))
		return SIGNED_BY_CURRENT;
	if (signed_with(p.cursor, FUZZ_SECRET_PREVIOUS, org, &pos))
		return SIGNED_BY_PREVIOUS;
	return SIGNED_BY_NEITHER;
}

/* The cursors of a 200 page: signed with cursor-secret (for org and
 * model_canon), whatever signed the cursor that asked for the page. */
static void
check_issued(json_t *body, const char *org)
{
	json_t			*pag = json_object_get(body, "pagination");
	const char		*c;
	struct cursor_pos	 pos;

	if ((c = json_string_value(json_object_get(pag, "next_cursor"))))
		CHECK(signed_with(c, FUZZ_SECRET, org, &pos));
	if ((c = json_string_value(json_object_get(pag, "prev_cursor"))))
		CHECK(signed_with(c, FUZZ_SECRET, org, &pos));
}

/* 1 when a and b are the same position (and direction). */
static int
same_pos(const struct cursor_pos *a, const struct cursor_pos *b)
{
	const struct ts	*x = &a->created_at, *y = &b->created_at;

	return x->year == y->year && x->month == y->month &&
	    x->day == y->day && x->hour == y->hour && x->minute == y->minute &&
	    x->second == y->second && x->usec == y->usec &&
	    a->call_sid_len == b->call_sid_len &&
	    memcmp(a->call_sid, b->call_sid, a->call_sid_len) == 0 &&
	    a->dir == b->dir && a->inclusive == b->inclusive;
}

/*
 * cur (from h, in a rotation) and old (from h_old, cursor-secret the
 * previous one) answered the same request, whose cursor the previous
 * secret signed: the same answer, except that h signs the cursors it
 * hands out with its own secret: they must be at the same positions.
 */
static void
check_same_as_old(const struct response *cur, const struct response *old,
    const char *org)
{
	static const char *const	 names[] = { "next_cursor", "prev_cursor" };
	json_t				*a, *b, *pa, *pb;
	json_error_t			 jerr;
	struct cursor_pos		 x, y;
	const char			*ca, *cb;
	size_t				 i;

	CHECK(old->err == cur->err);
	CHECK(old->head.len == cur->head.len &&
	    memcmp(old->head.data, cur->head.data, cur->head.len) == 0);
	if (cur->err != CA_OK) {
		CHECK(old->body.len == cur->body.len &&
		    memcmp(old->body.data, cur->body.data, cur->body.len) == 0);
		return;
	}
	a = json_loadb(cur->body.data, cur->body.len, 0, &jerr);
	b = json_loadb(old->body.data, old->body.len, 0, &jerr);
	CHECK(a != NULL && b != NULL);
	pa = json_object_get(a, "pagination");
	pb = json_object_get(b, "pagination");
	CHECK(json_is_object(pa) && json_is_object(pb));
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		ca = json_string_value(json_object_get(pa, names[i]));
		cb = json_string_value(json_object_get(pb, names[i]));
		CHECK((ca == NULL) == (cb == NULL));
		if (ca == NULL)
			continue;
		CHECK(signed_with(ca, FUZZ_SECRET, org, &x));
		CHECK(signed_with(cb, FUZZ_SECRET_PREVIOUS, org, &y));
		CHECK(same_pos(&x, &y));
		/* Compared; the rest must be equal as it stands. */
		CHECK(json_object_set_new(pa, names[i], json_null()) == 0 &&
		    json_object_set_new(pb, names[i], json_null()) == 0);
	}
	CHECK(json_equal(a, b));
	json_decref(a);
	json_decref(b);
}

/* 1 when the head is sane and the status is the one of resp->err. */
static int
check_head(const struct response *r)
{
	const struct ca_error_info	*info = ca_error_info(r->err);
	const char			*p, *eol, *end;
	char				 want[64];
	char				 id_line[REQUEST_ID_SIZE + 32];
	int				 status;

	CHECK(r->head.data != NULL && r->head.len > 12);
	CHECK(strlen(r->head.data) == r->head.len);
	CHECK(strncmp(r->head.data, "Status: ", 8) == 0);
	p = r->head.data + 8;
	CHECK(p[0] >= '1' && p[0] <= '9' && p[1] >= '0' && p[1] <= '9' &&
	    p[2] >= '0' && p[2] <= '9' && p[3] == ' ');
	status = (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
	switch (status) {
	case 200: case 400: case 401: case 404: case 405: case 414:
	case 500: case 503:
		break;
	default:
		__builtin_trap();
	}
	CHECK(status == info->status);

	/* Lines "Name: value" of printable ASCII, CRLF, then a blank line. */
	end = r->head.data + r->head.len;
	CHECK(r->head.len >= 4 && memcmp(end - 4, "\r\n\r\n", 4) == 0);
	for (p = r->head.data; p < end - 2; p = eol + 2) {
		const char *c, *colon;

		eol = strstr(p, "\r\n");
		CHECK(eol != NULL && eol > p);
		colon = memchr(p, ':', (size_t)(eol - p));
		CHECK(colon != NULL && colon > p && colon[1] == ' ');
		for (c = p; c < eol; c++)
			CHECK(*c >= 0x20 && *c <= 0x7e);
	}
	snprintf(want, sizeof(want), "\r\nContent-Length: %zu\r\n",
	    r->body.len);
	CHECK(strstr(r->head.data, want) != NULL);
	CHECK(strstr(r->head.data, "\r\nContent-Type: application/json; "
	    "charset=utf-8\r\n") != NULL);
	CHECK(strstr(r->head.data, "\r\nCache-Control: no-store\r\n") != NULL);
	CHECK((status == 401) ==
	    (strstr(r->head.data, "\r\nWWW-Authenticate: Bearer") != NULL));
	CHECK((status == 405) ==
	    (strstr(r->head.data, "\r\nAllow: GET, HEAD\r\n") != NULL));
	CHECK((status == 503) ==
	    (strstr(r->head.data, "\r\nRetry-After: ") != NULL));
	CHECK(request_id_sane(r->request_id));
	snprintf(id_line, sizeof(id_line), "\r\nX-Request-Id: %s\r\n",
	    r->request_id);
	CHECK(strstr(r->head.data, id_line) != NULL);
	return status;
}

/*
 * The rows of a 200 body: the organisation's, as stored, in strict keyset
 * order, each strictly after *prev when it is set. Copies the last row to
 * *prev and returns the row count.
 */
static size_t
check_rows(json_t *data, const char *org, struct call *prev, int *have_prev,
    unsigned char *seen)
{
	const struct call	*c;
	json_t			*row;
	const char		*sid, *client, *created;
	char			 want[TS_TEXT_SIZE + 8];
	size_t			 i;

	CHECK(json_is_array(data));
	CHECK(json_array_size(data) <= LIMIT_MAX);
	json_array_foreach(data, i, row) {
		CHECK(json_is_object(row));
		CHECK(json_object_size(row) == call_nfields);
		sid = json_string_value(json_object_get(row, "call_sid"));
		client = json_string_value(json_object_get(row, "client_id"));
		created = json_string_value(json_object_get(row,
		    "created_at"));
		CHECK(sid != NULL && client != NULL && created != NULL);
		CHECK(org != NULL && strcmp(client, org) == 0);
		CHECK((c = store_find(sid)) != NULL);
		CHECK(strcmp(c->client_id, org) == 0);
		fmt_ts(&c->created_at, want, sizeof(want));
		CHECK(strcmp(created, want) == 0);
		CHECK(json_integer_value(json_object_get(row, "turn_count")) ==
		    (json_int_t)c->turn_count);
		if (*have_prev)
			CHECK(before(prev, c));
		*prev = *c;
		*have_prev = 1;
		if (seen != NULL) {
			size_t k = (size_t)(c - fs.calls);

			CHECK(!seen[k]);	/* never twice */
			seen[k] = 1;
		}
	}
	return json_array_size(data);
}

/*
 * Check one response; on a 200 returns the parsed body (caller decrefs)
 * and checks its rows, else NULL.
 */
static json_t *
check_response(const struct response *r, int forced, const char *org,
    struct call *prev, int *have_prev, unsigned char *seen)
{
	const struct ca_error_info	*info = ca_error_info(r->err);
	json_t				*body, *err, *pag, *nc, *param;
	json_error_t			 jerr;
	int				 status;

	status = check_head(r);
	if (status >= 500)
		CHECK(forced);

	CHECK(r->body.data != NULL && r->body.len > 0);
	body = json_loadb(r->body.data, r->body.len, JSON_REJECT_DUPLICATES,
	    &jerr);
	CHECK(body != NULL);
	CHECK(json_is_object(body));
	CHECK(json_is_boolean(json_object_get(body, "success")));
	CHECK(json_is_true(json_object_get(body, "success")) ==
	    (status == 200));
	if (status != 200) {
		CHECK(json_object_size(body) == 2);
		err = json_object_get(body, "error");
		CHECK(json_is_object(err) && json_object_size(err) == 4);
		CHECK(json_is_string(json_object_get(err, "code")));
		CHECK(strcmp(json_string_value(json_object_get(err, "code")),
		    info->code) == 0);
		CHECK(json_is_string(json_object_get(err, "message")));
		param = json_object_get(err, "param");
		CHECK(param != NULL && (json_is_null(param) ||
		    json_is_string(param)));
		CHECK(json_is_string(json_object_get(err, "request_id")));
		CHECK(strcmp(json_string_value(json_object_get(err,
		    "request_id")), r->request_id) == 0);
		json_decref(body);
		return NULL;
	}

	if (json_is_object(json_object_get(body, "data"))) {
		/* One call: {"success":true,"data":{...}}, the org's. */
		struct call	 dummy;
		int		 none = 0;
		json_t		*arr = json_array();

		CHECK(json_object_size(body) == 2);
		CHECK(arr != NULL && json_array_append(arr,
		    json_object_get(body, "data")) == 0);
		CHECK(check_rows(arr, org, &dummy, &none, NULL) == 1);
		json_decref(arr);
		return body;
	}
	CHECK(json_object_size(body) == 3);
	pag = json_object_get(body, "pagination");
	CHECK(json_is_object(pag) && json_object_size(pag) == 4);
	nc = json_object_get(pag, "next_cursor");
	CHECK(nc != NULL && (json_is_null(nc) || json_is_string(nc)));
	nc = json_object_get(pag, "prev_cursor");
	CHECK(nc != NULL && (json_is_null(nc) || json_is_string(nc)));
	nc = json_object_get(pag, "next_cursor");
	CHECK(json_is_boolean(json_object_get(pag, "has_more")));
	CHECK(json_is_true(json_object_get(pag, "has_more")) ==
	    json_is_string(nc));
	CHECK(json_is_integer(json_object_get(pag, "page_size")));
	CHECK((size_t)json_integer_value(json_object_get(pag, "page_size")) ==
	    check_rows(json_object_get(body, "data"), org, prev, have_prev,
	    seen));
	if (json_is_string(nc)) {
		CHECK(may_cut ||
		    json_array_size(json_object_get(body, "data")) >= 1);
		CHECK(cursor_text_plausible(json_string_value(nc)));
	}
	return body;
}

/*
 * Which route the request names, by REQUEST_URI or SCRIPT_NAME +
 * PATH_INFO: 0 none, 1 the list, 2 one call (/api/calls/<one segment>;
 * without REQUEST_URI, anything after /api/calls/).
 */
static int
ref_route(const char *uri, const char *script, const char *pinfo)
{
	char		 path[4096];
	const char	*seg;
	size_t		 n;
	int		 w;

	if (uri != NULL) {
		n = strcspn(uri, "?");
		if (n < 10 || strncmp(uri, "/api/calls", 10) != 0)
			return 0;
		if (n == 10)
			return 1;
		if (uri[10] != '/')
			return 0;
		seg = uri + 11;
		if (n == 11)
			return 0;	/* "/api/calls/": no segment */
		return memchr(seg, '/', n - 11) == NULL ? 2 : 0;
	}
	w = snprintf(path, sizeof(path), "%s%s", script ? script : "",
	    pinfo ? pinfo : "");
	if (w < 0 || (size_t)w >= sizeof(path))
		return strncmp(path, "/api/calls/", 11) == 0 ? 2 : 0;
	if (strcmp(path, "/api/calls") == 0)
		return 1;
	return strncmp(path, "/api/calls/", 11) == 0 && path[11] != '\0' ?
	    2 : 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct request	 req;
	struct call	 prev;
	char		*copy, *f[NFIELDS], *p, *nl, *follow_q = NULL;
	const char	*opts, *org, *nc;
	unsigned char	*seen = NULL;
	struct handler	*hp;
	json_t		*body, *body2;
	size_t		 i, total = 0, count, limit;
	enum ca_err	 fail_with;
	int		 forced, have_prev = 0, status, follow_all, pages;
	int		 plain, route, rotating;

	if (!ready)
		setup();
	if ((copy = malloc(size + 1)) == NULL)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	for (i = 0, p = copy; i < NFIELDS; i++) {
		f[i] = p;
		if (p != NULL && (nl = strchr(p, '\n')) != NULL) {
			*nl = '\0';
			p = nl + 1;
		} else
			p = NULL;
		if (f[i] != NULL && strcmp(f[i], "(null)") == 0)
			f[i] = NULL;
	}
	memset(&req, 0, sizeof(req));
	req.method = f[0];
	req.uri = f[1];
	req.authorization = f[2];
	req.query = f[3];
	opts = f[4] != NULL ? f[4] : "";
	req.script_name = f[5];
	req.path_info = f[6];
	req.request_id = f[7];
	req.unique_id = f[8];

	/* Deterministic: no state from earlier inputs. */
	memset(&h.cache, 0, sizeof(h.cache));
	memset(&hx.cache, 0, sizeof(hx.cache));
	cfg.key_cache_seconds = strchr(opts, 'c') != NULL ? 30 : 0;
	fail_with = strchr(opts, 'D') != NULL ? CA_ERR_DB_UNAVAILABLE :
	    strchr(opts, 'I') != NULL ? CA_ERR_INTERNAL : CA_OK;
	/* With the cache on, the store breaks only after the first request. */
	fs.fail_with = cfg.key_cache_seconds > 0 ? CA_OK : fail_with;
	hp = strchr(opts, 'X') != NULL ? &hx : &h;
	/* A rotation of the cursor secret in progress, unless S. */
	rotating = strchr(opts, 'S') == NULL;
	cfg.secret_previous_len = rotating ? FUZZ_SECRET_LEN : 0;
	cfg_old.key_cache_seconds = cfg.key_cache_seconds;
	memset(&h_old.cache, 0, sizeof(h_old.cache));
	forced = fs.fail_with != CA_OK || hp == &hx;
	follow_all = strchr(opts, 'F') != NULL;
	org = key_org(req.authorization);

	if (follow_all && (seen = calloc(fs.ncalls, 1)) == NULL)
		abort();

	plain = query_is_plain(req.query);
	log_lines = 0;
	handler_serve(hp, &req, NOW, &resp);
	/* The fake store notes no recovered problems: one line per 5xx,
	 * none otherwise. */
	CHECK(log_lines == (ca_error_info(resp.err)->status >= 500));
	CHECK(resp.head_only == (req.method != NULL &&
	    strcmp(req.method, "HEAD") == 0));
	route = hp == &hx ? 0 : ref_route(req.uri, req.script_name,
	    req.path_info);
	body = check_response(&resp, forced, org, &prev, &have_prev, seen);
	status = ca_error_info(resp.err)->status;
	/* call_not_found only on the one-call route, and only after a key. */
	if (resp.err == CA_ERR_CALL_NOT_FOUND)
		CHECK(route == 2 && org != NULL);
	/* One call: its object (checked above), and only without query
	 * parameters (empty pairs aside). */
	if (status == 200 && route == 2)
		CHECK(json_is_object(json_object_get(body, "data")) &&
		    (req.query == NULL ||
		    strspn(req.query, "&") == strlen(req.query)));
	/* The id: the first sane of X-Request-Id and UNIQUE_ID, else made. */
	if (request_id_sane(req.request_id))
		CHECK(strcmp(resp.request_id, req.request_id) == 0);
	else if (request_id_sane(req.unique_id))
		CHECK(strcmp(resp.request_id, req.unique_id) == 0);
	else
		CHECK(strlen(resp.request_id) == REQUEST_ID_MADE_LEN &&
		    strspn(resp.request_id, "0123456789abcdef") ==
		    REQUEST_ID_MADE_LEN);

	/* The precedence: configuration (unconfigured, the route is
	 * unknown: every request is a 500), then route, then method. */
	if (hp == &hx)
		CHECK(status == 500);
	else if (route == 0)
		CHECK(status == 404 && resp.err == CA_ERR_NOT_FOUND);
	else if (req.method == NULL || (strcmp(req.method, "GET") != 0 &&
	    strcmp(req.method, "HEAD") != 0))
		CHECK(status == 405);
	else if (org == NULL)	/* no live key named: never further */
		CHECK(status == 401 || (fs.fail_with != CA_OK &&
		    status == ca_error_info(fs.fail_with)->status));
	if (status == 200)
		CHECK(org != NULL);
	if (status == 200)
		CHECK(req.query == NULL || strlen(req.query) <= QUERY_MAX_LEN);

	/* Cursors on the list: the reference model (see the top). */
	if (hp == &h && route == 1) {
		enum signer	 signer = query_signer(req.query, org);

		if (resp.err == CA_OK && model_has_cursor)
			CHECK(signer == SIGNED_BY_CURRENT ||
			    (signer == SIGNED_BY_PREVIOUS && rotating));
		if (resp.err == CA_ERR_CURSOR_INVALID)
			CHECK(signer == SIGNED_BY_NEITHER ||
			    (signer == SIGNED_BY_PREVIOUS && !rotating));
		if (resp.err == CA_OK)
			check_issued(body, org);
		if (signer == SIGNED_BY_PREVIOUS && rotating) {
			struct request	 old = req;

			old.request_id = resp.request_id;
			handler_serve(&h_old, &old, NOW, &resp_old);
			check_same_as_old(&resp, &resp_old, org);
		}
	}

	/*
	 * The same request again with the key cache warm: the same answer,
	 * unless the store broke meanwhile (D, I): then a 200 becomes that
	 * failure, since the key comes from the cache and the page does not,
	 * and so does an unknown key (looked up again: no negative caching).
	 */
	if (cfg.key_cache_seconds > 0) {
		/* Under the first answer's id (a made one is sane too), so
		 * that the two can be compared byte for byte. */
		struct request	 again = req;
		int		 looked_up = fs.call_lookups;

		again.request_id = resp.request_id;
		fs.fail_with = fail_with;
		handler_serve(hp, &again, NOW + 1, &resp2);
		/* A call that was not found is looked up again (a segment
		 * that cannot be a call_sid is not: the same 404). */
		looked_up = fs.call_lookups > looked_up;
		if (fail_with != CA_OK && (resp.err == CA_OK ||
		    resp.err == CA_ERR_AUTH_INVALID ||
		    (resp.err == CA_ERR_CALL_NOT_FOUND && looked_up))) {
			CHECK(resp2.err == fail_with);
			CHECK(check_response(&resp2, 1, org, &prev, &have_prev,
			    NULL) == NULL);
		} else {
			CHECK(resp2.err == resp.err);
			CHECK(resp2.head.len == resp.head.len &&
			    memcmp(resp2.head.data, resp.head.data,
			    resp.head.len) == 0);
			CHECK(resp2.body.len == resp.body.len &&
			    memcmp(resp2.body.data, resp.body.data,
			    resp.body.len) == 0);
		}
		forced = fs.fail_with != CA_OK || hp == &hx;
	}

	if (body == NULL || fs.fail_with != CA_OK || route == 2) {
		json_decref(body);
		goto out;
	}

	/*
	 * Follow next_cursor: one more page, or all of them with F. A first
	 * page (no cursor in the query) then covers the whole organisation.
	 */
	total = json_array_size(json_object_get(body, "data"));
	limit = total;
	/* A cursor of a filtered or reordered listing needs its query. */
	for (pages = 0; plain && pages < (follow_all ? 1000 : 1); pages++) {
		struct request	 next;

		nc = json_string_value(json_object_get(json_object_get(body,
		    "pagination"), "next_cursor"));
		if (nc == NULL)
			break;
		free(follow_q);
		follow_q = malloc(strlen(nc) + 32);
		CHECK(follow_q != NULL);
		snprintf(follow_q, strlen(nc) + 32, "limit=%zu&cursor=%s",
		    limit, nc);
		memset(&next, 0, sizeof(next));
		next.method = "GET";
		next.uri = "/api/calls";
		next.query = follow_q;
		next.authorization = req.authorization;
		/* Our own cursor: signed with cursor-secret, and good. */
		CHECK(query_signer(follow_q, org) == SIGNED_BY_CURRENT);
		handler_serve(hp, &next, NOW, &resp2);
		body2 = check_response(&resp2, forced, org, &prev, &have_prev,
		    seen);
		CHECK(body2 != NULL);
		check_issued(body2, org);
		count = json_array_size(json_object_get(body2, "data"));
		CHECK(count >= 1 && count <= limit);
		total += count;
		json_decref(body);
		body = body2;
	}
	if (follow_all && plain && (req.query == NULL ||
	    (strchr(req.query, '%') == NULL &&
	    strstr(req.query, "cursor") == NULL))) {
		size_t n_org = 0;

		for (i = 0; i < fs.ncalls; i++)
			n_org += strcmp(fs.calls[i].client_id, org) == 0;
		CHECK(total == n_org);
	}
	json_decref(body);
out:
	free(follow_q);
	free(seen);
	free(copy);
	return 0;
}
