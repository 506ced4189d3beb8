/*
 * The list engine against the in-memory store: filters, time window,
 * both orders, paging both ways (next_cursor, prev_cursor) and pages cut
 * by scan-limit. Every walk is checked against the rows picked and sorted
 * here by brute force.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "../../lib/handler.h"
#include "../../lib/log.h"
#include "fake_store.h"
#include "tap.h"

#define NMIX	300	/* org_mix: the walked organisation */
#define NOTHER	40	/* org_other: same filter values, other org */
#define MAXPAGES	400
#define SIDLEN	64

static struct fake_key keys[] = {
	{ "ck_mix", "org_mix", 0 },
	{ "ck_other", "org_other", 0 },
};

static struct fake_store	 fs;
static struct handler		 h;
static struct config		 cfg;
static struct response		 resp;

static const char *const statuses[] = { "completed", "failed", "busy" };
static const char *const types[] = { "inbound", "outbound", "preview" };

static void
set_text(struct call *c, size_t field, char *member, size_t size,
    const char *v)
{
	snprintf(member, size, "%s", v);
	c->len[field] = strlen(member);
	c->null &= ~call_fields[field].null_bit;
}

static void
setup(void)
{
	struct store	 store = { &fake_store_ops, &fs };
	struct ts	 t = { 2026, 3, 9, 10, 0, 0, 0 };
	struct call	*c;
	size_t		 i;

	fs.keys = keys;
	fs.nkeys = sizeof(keys) / sizeof(keys[0]);
	fs.ncalls = NMIX + NOTHER;
	fs.calls = calloc(fs.ncalls, sizeof(struct call));
	for (i = 0; i < fs.ncalls; i++) {
		c = &fs.calls[i];
		/* Ties: every 5 calls share an instant. */
		t.minute = (int)(i / 5) % 60;
		t.hour = 10 + (int)(i / 300);
		t.usec = (i / 5) % 2 == 0 ? 0 : 250000;
		fake_call(c, i < NMIX ? "org_mix" : "org_other",
		    (int)((i * 7919) % 100000), &t);
		/* status: completed/failed/busy, every 7th NULL. */
		if (i % 7 != 0)
			set_text(c, CALL_F_status, c->status,
			    sizeof(c->status), statuses[(i * 13) % 3]);
		if (i % 11 != 0)
			set_text(c, CALL_F_call_type, c->call_type,
			    sizeof(c->call_type), types[(i / 3) % 3]);
	}
	memset(&cfg, 0, sizeof(cfg));
	memcpy(cfg.secret, "0123456789abcdef0123456789abcdef", 32);
	cfg.secret_len = 32;
	strcpy(cfg.route, CONFIG_ROUTE_DEFAULT);
	cfg.scan_limit = 40;
	if (handler_init(&h, &cfg, &store) == -1)
		exit(1);
}

static void
quiet(const char *line, void *arg)
{
	(void)line;
	(void)arg;
}

static int
serve(const char *uri, const char *auth)
{
	struct request	 req;
	const char	*q;

	memset(&req, 0, sizeof(req));
	req.method = "GET";
	req.uri = uri;
	q = strchr(uri, '?');
	req.query = q != NULL ? q + 1 : "";
	req.authorization = auth;
	handler_serve(&h, &req, 1000, &resp);
	return ca_error_info(resp.err)->status;
}

/* What a walk asks for, and the rows it must see, in display order. */
struct want {
	const char	*query;		/* filters and order, "" for none */
	const char	*status;	/* the same, for the brute force */
	const char	*call_type;
	int		 asc;
	const struct ts	*after, *before;
	size_t		 n;
	size_t		 idx[NMIX];
};

static int	 sort_asc;

static int
row_cmp(const void *a, const void *b)
{
	const struct call	*x = &fs.calls[*(const size_t *)a];
	const struct call	*y = &fs.calls[*(const size_t *)b];
	int			 r = ts_compare(&x->created_at, &y->created_at);

	if (r == 0)
		r = strcmp(x->call_sid, y->call_sid);
	return sort_asc ? r : -r;
}

static int
text_is(const struct call *c, size_t field, const char *member,
    const char *v)
{
	return v == NULL || ((c->null & call_fields[field].null_bit) == 0 &&
	    strcmp(member, v) == 0);
}

static void
expect(struct want *w)
{
	const struct call	*c;
	size_t			 i;

	w->n = 0;
	for (i = 0; i < fs.ncalls; i++) {
		c = &fs.calls[i];
		if (strcmp(c->client_id, "org_mix") != 0 ||
		    !text_is(c, CALL_F_status, c->status, w->status) ||
		    !text_is(c, CALL_F_call_type, c->call_type,
		    w->call_type) || (w->after != NULL &&
		    ts_compare(&c->created_at, w->after) < 0) ||
		    (w->before != NULL &&
		    ts_compare(&c->created_at, w->before) >= 0))
			continue;
		w->idx[w->n++] = i;
	}
	sort_asc = w->asc;
	qsort(w->idx, w->n, sizeof(w->idx[0]), row_cmp);
}

/* One page: its call_sids and its cursors. */
struct page {
	size_t	 n;
	char	 sid[100][SIDLEN];
	char	 next[CURSOR_TEXT_MAX + 1], prev[CURSOR_TEXT_MAX + 1];
	int	 has_next, has_prev;
};

static int
get_page(const char *query, int limit, const char *cursor, struct page *p)
{
	char		 uri[4096];
	json_t		*j, *data, *item, *pg, *v;
	size_t		 i;
	int		 more = -1, size = -1, good;

	snprintf(uri, sizeof(uri), "/api/calls?limit=%d%s%s%s%s", limit,
	    query[0] != '\0' ? "&" : "", query, cursor != NULL ? "&cursor=" :
	    "", cursor != NULL ? cursor : "");
	if (serve(uri, "Bearer ck_mix") != 200) {
		printf("# %s: %s\n", uri, resp.body.data);
		return -1;
	}
	j = json_loadb(resp.body.data, resp.body.len, 0, NULL);
	data = json_object_get(j, "data");
	pg = json_object_get(j, "pagination");
	json_unpack(pg, "{s:b, s:i}", "has_more", &more, "page_size", &size);
	p->n = json_array_size(data);
	good = p->n <= (size_t)limit && (size_t)size == p->n;
	json_array_foreach(data, i, item) {
		snprintf(p->sid[i], SIDLEN, "%s", json_string_value(
		    json_object_get(item, "call_sid")));
		good &= strcmp(json_string_value(json_object_get(item,
		    "client_id")), "org_mix") == 0;
	}
	v = json_object_get(pg, "next_cursor");
	p->has_next = json_is_string(v);
	snprintf(p->next, sizeof(p->next), "%s", p->has_next ?
	    json_string_value(v) : "");
	v = json_object_get(pg, "prev_cursor");
	p->has_prev = json_is_string(v);
	snprintf(p->prev, sizeof(p->prev), "%s", p->has_prev ?
	    json_string_value(v) : "");
	good &= more == p->has_next;
	json_decref(j);
	return good ? 0 : -1;
}

static int
same_page(const struct page *a, const struct page *b)
{
	size_t	 i;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++)
		if (strcmp(a->sid[i], b->sid[i]) != 0)
			return 0;
	return 1;
}

/* The concatenated pages are exactly the wanted rows, in order. */
static int
pages_are(const struct want *w, struct page *pages, size_t np)
{
	size_t	 i, k, at = 0;

	for (k = 0; k < np; k++)
		for (i = 0; i < pages[k].n; i++, at++)
			if (at >= w->n || strcmp(pages[k].sid[i],
			    fs.calls[w->idx[at]].call_sid) != 0)
				return 0;
	return at == w->n;
}

static struct page	 fwd[MAXPAGES], back[MAXPAGES], one;

/*
 * Walk forward to the end; from every page but the first, one step back
 * gives the page before; then walk back from the last page to the first.
 * cut: scan-limit may cut pages (short pages while has_more).
 */
static void
walk(struct want *w, int limit, int cut)
{
	size_t	 nf = 0, nb = 0, k, i, short_pages = 0;
	int	 good = 1, stepback = 1, same = 1;

	expect(w);
	while (nf < MAXPAGES && get_page(w->query, limit, nf == 0 ? NULL :
	    fwd[nf - 1].next, &fwd[nf]) == 0) {
		if (fwd[nf].has_next && fwd[nf].n < (size_t)limit)
			short_pages++;
		if (!fwd[nf++].has_next)
			break;
	}
	good = nf > 0 && nf < MAXPAGES && !fwd[nf - 1].has_next &&
	    !fwd[0].has_prev;
	ok(good && pages_are(w, fwd, nf), "%s limit %d: forward, %zu rows "
	    "in %zu pages (%zu short)", w->query, limit, w->n, nf,
	    short_pages);
	if (!cut)
		is_int((long)short_pages, 0, "  no short page without a "
		    "scan limit");
	for (k = 1; k < nf; k++) {
		if (!fwd[k].has_prev || get_page(w->query, limit,
		    fwd[k].prev, &one) == -1 || !same_page(&one,
		    &fwd[k - 1]) || !one.has_next) {
			stepback = 0;
			printf("# page %zu: back is not page %zu\n", k, k - 1);
		}
	}
	ok(stepback, "  one step back from each page: the page before");

	/* Back from the last page to the first. */
	back[0] = fwd[nf - 1];
	nb = 1;
	while (nb < MAXPAGES && back[nb - 1].has_prev && get_page(w->query,
	    limit, back[nb - 1].prev, &back[nb]) == 0)
		nb++;
	good = nb < MAXPAGES && !back[nb - 1].has_prev;
	/* In display order: back[nb - 1] first. */
	for (k = 0; k < nb / 2; k++) {
		one = back[k];
		back[k] = back[nb - 1 - k];
		back[nb - 1 - k] = one;
	}
	ok(good && pages_are(w, back, nb), "  backward from the end: every "
	    "row once, in order (%zu pages)", nb);
	for (i = 0; i < nb && i < nf; i++)
		same &= same_page(&back[i], &fwd[i]);
	/* Walked back, a page cut by limit may split elsewhere than the
	 * forward walk did (README): the rows above are what holds. */
	if (cut)
		printf("# walked back: %s\n", same && nb == nf ?
		    "the same pages" : "pages split elsewhere");
	else
		ok(same && nb == nf, "  the same pages both ways");
}

static struct want	 w;

static void
test_walks(void)
{
	static const int	 limits[] = { 1, 4, 7, 25, 100 };
	struct ts		 after = { 2026, 3, 9, 10, 12, 0, 0 };
	struct ts		 before = { 2026, 3, 9, 10, 47, 0, 250000 };
	size_t			 i;

	for (i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		memset(&w, 0, sizeof(w));
		w.query = "";
		walk(&w, limits[i], 0);
		w.query = "order=asc";
		w.asc = 1;
		walk(&w, limits[i], 0);
		memset(&w, 0, sizeof(w));
		w.query = "status=failed";
		w.status = "failed";
		walk(&w, limits[i], 0);
		w.query = "status=failed&order=asc&created_after="
		    "2026-03-09T10:12:00Z&created_before=2026-03-09T10:47:00.25Z";
		w.asc = 1;
		w.after = &after;
		w.before = &before;
		walk(&w, limits[i], 0);
		memset(&w, 0, sizeof(w));
		w.query = "status=completed&call_type=outbound";
		w.status = "completed";
		w.call_type = "outbound";
		walk(&w, limits[i], 1);
		w.query = "status=completed&call_type=outbound&order=asc"
		    "&created_after=2026-03-09T11:12:00%2B01:00";
		w.asc = 1;
		w.after = &after;
		walk(&w, limits[i], 1);
	}
}

/* Cursors are bound to the filters and order; a scan-cut page. */
static void
test_binding(void)
{
	struct page	 p;
	char		 uri[4096];

	get_page("status=failed", 3, NULL, &p);
	snprintf(uri, sizeof(uri), "/api/calls?cursor=%s", p.next);
	is_int(serve(uri, "Bearer ck_mix"), 400, "cursor without its filter");
	snprintf(uri, sizeof(uri), "/api/calls?status=busy&cursor=%s", p.next);
	is_int(serve(uri, "Bearer ck_mix"), 400, "cursor with another value");
	snprintf(uri, sizeof(uri), "/api/calls?status=failed&order=asc"
	    "&cursor=%s", p.next);
	is_int(serve(uri, "Bearer ck_mix"), 400, "cursor with another order");
	snprintf(uri, sizeof(uri), "/api/calls?status=failed&limit=9"
	    "&cursor=%s", p.next);
	is_int(serve(uri, "Bearer ck_mix"), 200, "limit may change");

	/* Two filters that match nothing: every page is cut, empty. */
	cfg.scan_limit = 40;
	get_page("status=busy&call_type=preview&end_reason=none", 5, NULL, &p);
	ok(p.n == 0 && p.has_next, "nothing in 40 rows: empty page, has_more");
	ok(fs.examined <= 40, "  examined %d rows, at most scan-limit",
	    fs.examined);
	cfg.scan_limit = 0;
	get_page("status=busy&call_type=preview&end_reason=none", 5, NULL, &p);
	ok(p.n == 0 && !p.has_next, "no scan limit: one empty last page");
	cfg.scan_limit = 40;
}

int
main(void)
{
	log_set_sink(quiet, NULL);
	setup();
	test_walks();
	test_binding();
	handler_free(&h);
	response_free(&resp);
	free(fs.calls);
	return done_testing();
}
