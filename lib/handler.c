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
	h->page.cap = LIMIT_MAX + 1;
	if ((h->page.rows = calloc(h->page.cap, sizeof(struct call))) == NULL)
		return -1;
	return 0;
}

void
handler_free(struct handler *h)
{
	free(h->page.rows);
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

/* The List Calls pipeline proper, after routing: fills h->work/page. */
static enum ca_err
list_calls(struct handler *h, const struct request *req, time_t now,
    struct buf *body, struct ca_fail *fail)
{
	struct list_params	 p;
	struct cursor_pos	 after, last;
	struct cursor_binding	 bind;
	const struct call	*row;
	enum ca_err		 err;
	size_t			 count;

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
	h->page.n = 0;
	if ((err = h->store.ops->list_calls(h->store.ctx, h->client_id,
	    p.cursor != NULL ? &after : NULL, p.limit + 1, &h->page)) != CA_OK)
		return err;
	count = h->page.n > (size_t)p.limit ? (size_t)p.limit : h->page.n;

	if (h->page.n > count) {
		row = &h->page.rows[count - 1];
		last.created_at = row->created_at;
		if (strlen(row->call_sid) > CALL_SID_MAX)
			return CA_ERR_INTERNAL;
		memcpy(last.call_sid, row->call_sid, strlen(row->call_sid) + 1);
		if (cursor_encode(&last, &bind, h->next_cursor,
		    sizeof(h->next_cursor)) == -1)
			return CA_ERR_INTERNAL;
	}
	if (envelope_success(body, &h->page, count,
	    h->page.n > count ? h->next_cursor : NULL) == -1)
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
