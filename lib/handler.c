#include <stdlib.h>
#include <string.h>

#include "envelope.h"
#include "handler.h"
#include "params.h"

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
handler_free(struct handler *h)
{
	buf_free(&h->work);
	memset(h, 0, sizeof(*h));
}

/* 1 when the request's path is exactly the route. */
static int
route_matches(const struct request *req, const char *route)
{
	const char	*q;
	size_t		 n, r = strlen(route);

	if (req->uri != NULL) {
		q = strchr(req->uri, '?');
		n = q != NULL ? (size_t)(q - req->uri) : strlen(req->uri);
		return n == r && memcmp(req->uri, route, r) == 0;
	}
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
		    call_position(row, &pw->last) == -1)
			return -1;
	}
	pw->seen++;
	return 0;
}

/* The List Calls pipeline proper, after routing: writes the page to body. */
static enum ca_err
list_calls(struct handler *h, const struct request *req, time_t now,
    struct buf *body, struct ca_fail *fail)
{
	struct list_params	 p;
	struct cursor_pos	 after;
	struct cursor_binding	 bind;
	struct page_writer	 pw;
	const char		*next = NULL;
	enum ca_err		 err;

	if ((err = auth_authenticate(&h->cache, &h->store,
	    h->cfg->key_cache_seconds, now, req->authorization,
	    h->client_id)) != CA_OK)
		return err;
	if ((err = params_parse(req->query, &h->work, &p, fail)) != CA_OK)
		return err;

	bind.secret = h->cfg->secret;
	bind.secret_len = h->cfg->secret_len;
	bind.client_id = h->client_id;
	bind.filters = "";
	if (p.cursor != NULL && cursor_decode(p.cursor, &bind, &after) == -1) {
		fail->param = "cursor";
		return CA_ERR_CURSOR_INVALID;
	}

	/* One row more than asked for tells whether there is a next page. */
	pw.limit = (size_t)p.limit;
	pw.seen = 0;
	envelope_page_begin(&pw.env, body);
	if ((err = h->store.ops->list_calls(h->store.ctx, h->client_id,
	    p.cursor != NULL ? &after : NULL, p.limit + 1, page_row,
	    &pw)) != CA_OK)
		return err;
	if (pw.seen > pw.limit) {
		if (cursor_encode(&pw.last, &bind, h->next_cursor,
		    sizeof(h->next_cursor)) == -1)
			return CA_ERR_INTERNAL;
		next = h->next_cursor;
	}
	if (envelope_page_end(&pw.env, next) == -1)
		return CA_ERR_INTERNAL;
	return CA_OK;
}

void
handler_serve(struct handler *h, const struct request *req, time_t now,
    struct response *resp)
{
	struct ca_fail	 fail = { CA_OK, NULL, NULL };
	const char	*route, *m = req->method != NULL ? req->method : "";

	route = h->cfg != NULL ? h->cfg->route : CONFIG_ROUTE_DEFAULT;
	resp->head_only = strcmp(m, "HEAD") == 0;
	if (!route_matches(req, route))
		fail.err = CA_ERR_NOT_FOUND;
	else if (strcmp(m, "GET") != 0 && !resp->head_only)
		fail.err = CA_ERR_METHOD_NOT_ALLOWED;
	else if (h->cfg == NULL)
		fail.err = CA_ERR_CONFIG;
	else
		fail.err = list_calls(h, req, now, &resp->body, &fail);

	resp->err = fail.err;
	if (fail.err != CA_OK && envelope_error(&resp->body, &fail) == -1) {
		resp->err = CA_ERR_INTERNAL;
		buf_reset(&resp->body);
		(void)buf_append(&resp->body, nomem_body, sizeof(nomem_body) - 1);
	}
	if (response_format_head(resp) == -1) {
		/* Nothing sensible can be sent; the loop answers bare 500. */
		buf_reset(&resp->head);
	}
}
