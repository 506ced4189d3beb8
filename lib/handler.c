#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "call.h"
#include "cursor.h"
#include "envelope.h"
#include "handler.h"
#include "log.h"
#include "params.h"
#include "query.h"
#include "route.h"
#include "request_id.h"
#include "utf8.h"

/*
 * The body for when even building the error body fails, around the
 * request's id (sane: nothing in it needs escaping). Empty when that
 * cannot be written either.
 */
static void
nomem_body(struct buf *b, const char *request_id)
{
	buf_reset(b);
	if (buf_appends(b, "{\"success\":false,\"error\":{\"code\":"
	    "\"internal_error\",\"message\":\"Internal error.\","
	    "\"param\":null,\"request_id\":\"") == -1 ||
	    buf_appends(b, request_id) == -1 || buf_appends(b, "\"}}") == -1)
		buf_reset(b);
}

int
handler_init(struct handler *h, const struct config *cfg,
    const struct store *store)
{
	memset(h, 0, sizeof(*h));
	h->cfg = cfg;
	h->store = *store;
	return 0;
}

void
handler_set_unconfigured(struct handler *h, const char *why)
{
	snprintf(h->unconfigured, sizeof(h->unconfigured), "%s",
	    why != NULL ? why : "");
}

void
handler_free(struct handler *h)
{
	buf_free(&h->work);
	memset(h, 0, sizeof(*h));
}

/*
 * What one request finds out and its response points to: created empty by
 * handler_serve for each request, so nothing of one request can survive
 * into the next. The body copies next_cursor; the error body is written
 * (from not_found) before handler_serve returns.
 */
struct request_state {
	struct route_match	 route;
	char			 client_id[ID_SIZE];
	char			 canonical[PARAMS_CANONICAL_MAX];	/* cursors' binding */
	char			 next_cursor[CURSOR_TEXT_MAX + 1];
	char			 prev_cursor[CURSOR_TEXT_MAX + 1];
	char			 not_found[2 *
				    sizeof(((struct config *)0)->route) + 96];
	struct call		 call;	/* GET <route>/{call_sid} */
};

/*
 * A page being taken as the store hands over its rows, in scan order: the
 * first limit make the page, the position of the last of them is kept
 * for the cursor past it, and one row more only says that there are more.
 * Forward (next) the rows go into the envelope at once; backward (prev)
 * the scan runs against the display order, so they are kept in rows[]
 * and written reversed at the end.
 */
struct page_writer {
	struct envelope_page	 env;
	size_t			 limit;
	size_t			 seen;
	struct cursor_pos	 last;
	struct call		*rows;	/* backward: limit of them, else NULL */
};

static int
page_row(void *arg, const struct call *row)
{
	struct page_writer	*pw = arg;

	if (pw->seen < pw->limit) {
		if (pw->rows != NULL)
			pw->rows[pw->seen] = *row;
		else
			envelope_page_add(&pw->env, row);
		if (pw->seen == pw->limit - 1 &&
		    call_position(row, &pw->last) == -1) {
			log_error("row %zu: call_sid of %zu bytes has no "
			    "keyset position", pw->seen, call_text_len(row, CALL_F_call_sid));
			return -1;
		}
	}
	pw->seen++;
	return 0;
}

/*
 * A cursor for the split at pos (dir, inclusive) into out; CA_OK, or
 * CA_ERR_INTERNAL (logged) for a position no cursor can carry.
 */
static enum ca_err
split_cursor(const struct cursor_binding *bind, const struct cursor_pos *pos,
    enum cursor_dir dir, int inclusive, char *out, size_t cap)
{
	struct cursor_pos	 split = *pos;
	char			 when[TS_TEXT_SIZE];

	split.dir = dir;
	split.inclusive = inclusive;
	if (cursor_encode(&split, bind, out, cap) == 0)
		return CA_OK;
	ts_format(&pos->created_at, 1, when);
	log_error("cannot encode a cursor at created_at %s, call_sid of %zu "
	    "bytes", when, pos->call_sid_len);
	return CA_ERR_INTERNAL;
}

/*
 * The splits around a page. The far one (past the page in the direction
 * read: next_cursor forward, prev_cursor backward) is right after the
 * page's last row when one row more came, else right after the floor when
 * the scan stopped there (more rows may follow: the cursor continues the
 * scan), else there is none. The near one is the split the page was read
 * from, seen from the other side: its rows are exactly those the scan
 * started at, so forward then back (and back then forward) gives the same
 * pages, also when scan-limit cut them. Without a cursor (the first page)
 * there is none.
 */
static enum ca_err
page_splits(const struct cursor_binding *bind, const struct cursor_pos *from,
    const struct page_writer *pw, int floor_found,
    const struct cursor_pos *floor, struct request_state *rs,
    const char **next, const char **prev)
{
	int		 backward = from != NULL && from->dir == CURSOR_PREV;
	enum cursor_dir	 far = backward ? CURSOR_PREV : CURSOR_NEXT;
	char		*far_text = backward ? rs->prev_cursor : rs->next_cursor;
	char		*near_text = backward ? rs->next_cursor : rs->prev_cursor;
	const char	**far_out = backward ? prev : next;
	const char	**near_out = backward ? next : prev;
	const struct cursor_pos	*at = NULL;
	enum ca_err	 err;

	*next = *prev = NULL;
	if (pw->seen > pw->limit)
		at = &pw->last;
	else if (floor_found)
		at = floor;
	if (at != NULL) {
		if ((err = split_cursor(bind, at, far, 0, far_text,
		    CURSOR_TEXT_MAX + 1)) != CA_OK)
			return err;
		*far_out = far_text;
	}
	if (from != NULL) {
		if ((err = split_cursor(bind, from, backward ? CURSOR_NEXT :
		    CURSOR_PREV, !from->inclusive, near_text,
		    CURSOR_TEXT_MAX + 1)) != CA_OK)
			return err;
		*near_out = near_text;
	}
	return CA_OK;
}

/* The List Calls pipeline proper, after routing: writes the page to body. */
static enum ca_err
list_calls(struct handler *h, struct request_state *rs,
    const struct request *req, time_t now, struct buf *body,
    struct ca_fail *fail, const char **stage)
{
	struct list_params	 p;
	struct list_query	 q;
	struct cursor_pos	 from, floor;
	struct cursor_binding	 bind;
	struct page_writer	 pw;
	const char		*next, *prev;
	size_t			 i;
	int			 backward, floor_found = 0;
	enum ca_err		 err;

	*stage = "authenticate";
	if ((err = auth_authenticate(&h->cache, &h->store,
	    h->cfg->key_cache_seconds, now, req->authorization,
	    rs->client_id)) != CA_OK)
		return err;
	*stage = "parameters";
	if ((err = params_parse(req->query, &h->work, &p, fail)) != CA_OK)
		return err;

	/* A cursor is good only for the order and filters it was made for. */
	if (params_canonical(&p, rs->canonical, sizeof(rs->canonical)) < 0) {
		log_error("parameters do not fit the %zu bytes of a cursor's "
		    "binding", sizeof(rs->canonical));
		return CA_ERR_INTERNAL;
	}
	bind.secret = h->cfg->secret;
	bind.secret_len = h->cfg->secret_len;
	bind.client_id = rs->client_id;
	bind.filters = rs->canonical;
	/* Signed with cursor-secret, or with cursor-secret-previous
	 * during a rotation; new cursors always with cursor-secret. */
	if (p.cursor != NULL && cursor_decode_rotated(p.cursor, &bind,
	    h->cfg->secret_previous, h->cfg->secret_previous_len,
	    &from) == -1) {
		fail->param = PARAM_CURSOR;
		return CA_ERR_CURSOR_INVALID;
	}
	backward = p.cursor != NULL && from.dir == CURSOR_PREV;

	/* One row more than asked for tells whether there is more. */
	*stage = "list calls";
	q.client_id = rs->client_id;
	q.params = &p;
	q.desc = (p.order == LIST_ORDER_DESC) != backward;
	q.seek = p.cursor != NULL ? &from : NULL;
	q.fetch = p.limit + 1;
	/* Two filters or more: no index serves them, the scan is bounded. */
	q.scan_limit = params_eq_count(&p) >= 2 ? h->cfg->scan_limit : 0;
	pw.limit = (size_t)p.limit;
	pw.seen = 0;
	pw.rows = NULL;
	if (backward && (pw.rows = calloc(pw.limit,
	    sizeof(*pw.rows))) == NULL) {
		log_error("out of memory for a page of %zu rows", pw.limit);
		return CA_ERR_INTERNAL;
	}
	envelope_page_begin(&pw.env, body);
	err = h->store.ops->list_calls(h->store.ctx, &q, page_row, &pw,
	    &floor_found, &floor);
	for (i = pw.seen < pw.limit ? pw.seen : pw.limit;
	    err == CA_OK && pw.rows != NULL && i > 0; i--)
		envelope_page_add(&pw.env, &pw.rows[i - 1]);
	free(pw.rows);
	if (err != CA_OK)
		return err;

	*stage = "cursors";
	if ((err = page_splits(&bind, p.cursor != NULL ? &from : NULL, &pw,
	    floor_found, &floor, rs, &next, &prev)) != CA_OK)
		return err;
	*stage = "page";
	if (envelope_page_end(&pw.env, next, prev) == -1) {
		log_error("out of memory writing a page of %zu rows",
		    pw.env.count);
		return CA_ERR_INTERNAL;
	}
	return CA_OK;
}

/*
 * GET <route>/{call_sid}, after routing: authenticate, refuse any query
 * parameter, then one lookup of the call in the key's organisation. A
 * segment that can be no call_sid gets the same 404 without the lookup.
 */
static enum ca_err
one_call(struct handler *h, struct request_state *rs,
    const struct request *req, time_t now, struct buf *body,
    struct ca_fail *fail, const char **stage)
{
	enum ca_err	 err;

	*stage = "authenticate";
	if ((err = auth_authenticate(&h->cache, &h->store,
	    h->cfg->key_cache_seconds, now, req->authorization,
	    rs->client_id)) != CA_OK)
		return err;
	*stage = "parameters";
	if ((err = query_expect_none(req->query, &h->work, fail)) != CA_OK)
		return err;
	if (rs->route.kind != ROUTE_CALL)
		return CA_ERR_CALL_NOT_FOUND;
	*stage = "get call";
	if ((err = h->store.ops->get_call(h->store.ctx, rs->client_id,
	    rs->route.sid, rs->route.sid_len, &rs->call)) != CA_OK)
		return err;
	*stage = "call";
	if (envelope_call(body, &rs->call) == -1) {
		log_error("out of memory writing a call");
		return CA_ERR_INTERNAL;
	}
	return CA_OK;
}

/*
 * The 404 message names the route this responder serves (the config's,
 * e.g. /~user/api/calls): error.c's default followed by it. NULL (the
 * default alone) when the route would not fit or is not UTF-8.
 */
static const char *
not_found_detail(const char *route, char *out, size_t cap)
{
	int	 n;

	if (!utf8_valid(route, strlen(route)))
		return NULL;
	n = snprintf(out, cap, "%s The API serves GET %s and GET "
	    "%s/{call_sid}.", ca_error_info(CA_ERR_NOT_FOUND)->message, route,
	    route);
	return n >= 0 && (size_t)n < cap ? out : NULL;
}

/* The request's path for the log: REQUEST_URI without its query string
 * (it may hold a cursor), or SCRIPT_NAME + PATH_INFO. */
static void
log_path(const struct request *req, char *out, size_t cap)
{
	size_t	 n;

	if (req->uri != NULL) {
		n = route_uri_path_len(req->uri);
		snprintf(out, cap, "%.*s", (int)(n < cap ? n : cap - 1),
		    req->uri);
	} else
		snprintf(out, cap, "%s%s", req->script_name != NULL ?
		    req->script_name : "", req->path_info != NULL ?
		    req->path_info : "");
}

void
handler_serve(struct handler *h, const struct request *req, time_t now,
    struct response *resp)
{
	struct ca_fail			 fail = { CA_OK, NULL, NULL };
	const struct ca_error_info	*info;
	const char			*route, *stage = "route";
	const char			*m = req->method != NULL ? req->method : "";
	char				 path[256];
	struct request_state		 rs;

	memset(&rs, 0, sizeof(rs));
	/* Before the request's log: a made id's one-time complaint (no
	 * getrandom) is a line of its own. */
	request_id_pick(req->request_id, req->unique_id, resp->request_id);
	log_request_begin();
	route = h->cfg != NULL ? h->cfg->route : CONFIG_ROUTE_DEFAULT;
	resp->head_only = strcmp(m, "HEAD") == 0;
	if (h->cfg != NULL)
		route_match(req, route, &rs.route);
	/*
	 * Unconfigured, the route is unknown (the config names it: a site
	 * at /~user/api/calls would get 404s): every request is the 500
	 * whose log line says what to fix.
	 */
	if (h->cfg == NULL) {
		stage = "configuration";
		log_error("not configured: %s", h->unconfigured[0] != '\0' ?
		    h->unconfigured : "no configuration was loaded");
		fail.err = CA_ERR_CONFIG;
	} else if (rs.route.kind == ROUTE_OTHER) {
		fail.err = CA_ERR_NOT_FOUND;
		fail.detail = not_found_detail(route, rs.not_found,
		    sizeof(rs.not_found));
	} else if (strcmp(m, "GET") != 0 && !resp->head_only)
		fail.err = CA_ERR_METHOD_NOT_ALLOWED;
	else if (rs.route.kind == ROUTE_LIST)
		fail.err = list_calls(h, &rs, req, now, &resp->body, &fail,
		    &stage);
	else
		fail.err = one_call(h, &rs, req, now, &resp->body, &fail,
		    &stage);

	resp->err = fail.err;
	if (fail.err != CA_OK && envelope_error(&resp->body, &fail,
	    resp->request_id) == -1) {
		log_error("out of memory writing the error body");
		resp->err = CA_ERR_INTERNAL;
		nomem_body(&resp->body, resp->request_id);
	}
	info = ca_error_info(resp->err);
	if (response_format_head(resp) == -1) {
		/* Nothing sensible can be sent; the loop answers a bare
		 * 500 with resp->request_id (response_bare_head). */
		log_error("out of memory formatting the response head");
		buf_reset(&resp->head);
		info = ca_error_info(CA_ERR_INTERNAL);
	}
	log_path(req, path, sizeof(path));
	(void)log_request_end(info->status, info->code, m, path, stage,
	    resp->request_id);
}
