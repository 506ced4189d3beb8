#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "call.h"
#include "cursor.h"
#include "envelope.h"
#include "handler.h"
#include "log.h"
#include "params.h"
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
	char	 client_id[ID_SIZE];
	char	 next_cursor[CURSOR_TEXT_MAX + 1];
	char	 not_found[sizeof(((struct config *)0)->route) + 64];
};

/* The length of REQUEST_URI's path: what precedes its query string. */
static size_t
uri_path_len(const char *uri)
{
	const char	*q = strchr(uri, '?');

	return q != NULL ? (size_t)(q - uri) : strlen(uri);
}

/* 1 when the request's path is exactly the route. */
static int
route_matches(const struct request *req, const char *route)
{
	const char	*q;
	size_t		 n, r = strlen(route);

	if (req->uri != NULL)
		return uri_path_len(req->uri) == r &&
		    memcmp(req->uri, route, r) == 0;
	/* No REQUEST_URI: rebuild the path from SCRIPT_NAME + PATH_INFO. */
	q = req->script_name != NULL ? req->script_name : "";
	n = strlen(q);
	return n <= r && memcmp(q, route, n) == 0 &&
	    strcmp(req->path_info != NULL ? req->path_info : "", route + n) == 0;
}

/*
 * A page being written as the store hands over its rows: the first limit
 * go into the envelope, the position of the last of them is kept for the
 * next cursor, and one row more only says that there is a next page.
 */
struct page_writer {
	struct envelope_page	 env;
	size_t			 limit;
	size_t			 seen;
	struct cursor_pos	 last;
};

static int
page_row(void *arg, const struct call *row)
{
	struct page_writer	*pw = arg;

	if (pw->seen < pw->limit) {
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

/* The List Calls pipeline proper, after routing: writes the page to body. */
static enum ca_err
list_calls(struct handler *h, struct request_state *rs,
    const struct request *req, time_t now, struct buf *body,
    struct ca_fail *fail, const char **stage)
{
	struct list_params	 p;
	struct cursor_pos	 after;
	struct cursor_binding	 bind;
	struct page_writer	 pw;
	const char		*next = NULL;
	char			 when[TS_TEXT_SIZE];
	enum ca_err		 err;

	*stage = "authenticate";
	if ((err = auth_authenticate(&h->cache, &h->store,
	    h->cfg->key_cache_seconds, now, req->authorization,
	    rs->client_id)) != CA_OK)
		return err;
	*stage = "parameters";
	if ((err = params_parse(req->query, &h->work, &p, fail)) != CA_OK)
		return err;

	bind.secret = h->cfg->secret;
	bind.secret_len = h->cfg->secret_len;
	bind.client_id = rs->client_id;
	bind.filters = "";
	if (p.cursor != NULL && cursor_decode(p.cursor, &bind, &after) == -1) {
		fail->param = PARAM_CURSOR;
		return CA_ERR_CURSOR_INVALID;
	}

	/* One row more than asked for tells whether there is a next page. */
	*stage = "list calls";
	pw.limit = (size_t)p.limit;
	pw.seen = 0;
	envelope_page_begin(&pw.env, body);
	if ((err = h->store.ops->list_calls(h->store.ctx, rs->client_id,
	    p.cursor != NULL ? &after : NULL, p.limit + 1, page_row,
	    &pw)) != CA_OK)
		return err;
	if (pw.seen > pw.limit) {
		*stage = "next cursor";
		if (cursor_encode(&pw.last, &bind, rs->next_cursor,
		    sizeof(rs->next_cursor)) == -1) {
			ts_format(&pw.last.created_at, 1, when);
			log_error("cannot encode the position after the last "
			    "row: created_at %s, call_sid of %zu bytes", when,
			    pw.last.call_sid_len);
			return CA_ERR_INTERNAL;
		}
		next = rs->next_cursor;
	}
	*stage = "page";
	if (envelope_page_end(&pw.env, next) == -1) {
		log_error("out of memory writing a page of %zu rows",
		    pw.env.count);
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
	n = snprintf(out, cap, "%s The API serves GET %s.",
	    ca_error_info(CA_ERR_NOT_FOUND)->message, route);
	return n >= 0 && (size_t)n < cap ? out : NULL;
}

/* The request's path for the log: REQUEST_URI without its query string
 * (it may hold a cursor), or SCRIPT_NAME + PATH_INFO. */
static void
log_path(const struct request *req, char *out, size_t cap)
{
	size_t	 n;

	if (req->uri != NULL) {
		n = uri_path_len(req->uri);
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
	} else if (!route_matches(req, route)) {
		fail.err = CA_ERR_NOT_FOUND;
		fail.detail = not_found_detail(route, rs.not_found,
		    sizeof(rs.not_found));
	} else if (strcmp(m, "GET") != 0 && !resp->head_only)
		fail.err = CA_ERR_METHOD_NOT_ALLOWED;
	else
		fail.err = list_calls(h, &rs, req, now, &resp->body, &fail,
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
