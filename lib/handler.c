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
#include "utf8.h"

/* The body for when even building the error body fails. */
static const char nomem_body[] = "{\"success\":false,\"error\":{\"code\":"
    "\"internal_error\",\"message\":\"Internal error.\",\"param\":null}}";

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
	char			 next_cursor[CURSOR_TEXT_MAX + 1];
	char			 not_found[2 *
				    sizeof(((struct config *)0)->route) + 96];
	struct call		 call;	/* GET <route>/{call_sid} */
};

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

/*
 * The request's id as the log may show it: 1 to REQUEST_ID_MAX characters
 * of letters, digits and -_.:@+/= (what X-Request-Id and mod_unique_id
 * use); anything else, which a client may have sent, is left out.
 */
#define REQUEST_ID_MAX	128

static const char *
log_request_id(const struct request *req)
{
	const char	*s = req->request_id;
	size_t		 n;

	if (s == NULL)
		return NULL;
	for (n = 0; s[n] != '\0'; n++)
		if (n >= REQUEST_ID_MAX || !((s[n] >= 'a' && s[n] <= 'z') ||
		    (s[n] >= 'A' && s[n] <= 'Z') || (s[n] >= '0' &&
		    s[n] <= '9') || strchr("-_.:@+/=", s[n]) != NULL))
			return NULL;
	return n > 0 ? s : NULL;
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
	if (fail.err != CA_OK && envelope_error(&resp->body, &fail) == -1) {
		log_error("out of memory writing the error body");
		resp->err = CA_ERR_INTERNAL;
		buf_reset(&resp->body);
		(void)buf_append(&resp->body, nomem_body, sizeof(nomem_body) - 1);
	}
	info = ca_error_info(resp->err);
	if (response_format_head(resp) == -1) {
		/* Nothing sensible can be sent; the loop answers bare 500. */
		log_error("out of memory formatting the response head");
		buf_reset(&resp->head);
		info = ca_error_info(CA_ERR_INTERNAL);
	}
	log_path(req, path, sizeof(path));
	(void)log_request_end(info->status, info->code, m, path, stage,
	    log_request_id(req));
}
