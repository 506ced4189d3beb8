#include <stdio.h>
#include <string.h>

#include "../../lib/auth.h"
#include "../../lib/log.h"
#include "fake_store.h"

static enum ca_err
fake_key_lookup(void *ctx, const char *hash, char client_id[ID_SIZE])
{
	struct fake_store	*fs = ctx;
	char			 h[KEY_HASH_HEX_SIZE];
	size_t			 i;

	fs->lookups++;
	if (fs->fail_with != CA_OK) {
		if (fs->fail_reason != NULL)
			log_error("%s", fs->fail_reason);
		return fs->fail_with;
	}
	if (fs->warn_reason != NULL)
		log_error("%s", fs->warn_reason);
	for (i = 0; i < fs->nkeys; i++) {
		if (auth_key_hash(fs->keys[i].key, strlen(fs->keys[i].key),
		    h) == -1)
			return CA_ERR_INTERNAL;
		if (strcmp(h, hash) == 0 && !fs->keys[i].revoked) {
			snprintf(client_id, ID_SIZE, "%s", fs->keys[i].client_id);
			return CA_OK;
		}
	}
	return CA_ERR_AUTH_INVALID;
}

/* call_sid bytes, by length (NUL bytes inside are part of the value). */
struct sid {
	const char	*s;
	size_t		 len;
};

static struct sid
call_sid(const struct call *c)
{
	struct sid	 s = { c->call_sid, call_text_len(c, CALL_F_call_sid) };

	return s;
}

/* Byte order of two call_sids (utf8mb4_bin without the PAD SPACE rule). */
static int
sid_cmp(struct sid a, struct sid b)
{
	int	 r = memcmp(a.s, b.s, a.len < b.len ? a.len : b.len);

	if (r != 0)
		return r;
	return a.len < b.len ? -1 : a.len > b.len;
}

/* Keyset order: created_at DESC, call_sid DESC. <0 when a comes first. */
static int
keyset_cmp(const struct ts *at, struct sid asid, const struct ts *bt,
    struct sid bsid)
{
	int	 r = ts_compare(at, bt);

	if (r != 0)
		return -r;
	return -sid_cmp(asid, bsid);
}

/* The order of a scan: <0 when row c comes before position (t, sid). */
static int
scan_cmp(const struct list_query *q, const struct call *c,
    const struct ts *t, struct sid sid)
{
	int	 r = keyset_cmp(&c->created_at, call_sid(c), t, sid);

	return q->desc ? r : -r;
}

/* 1 when c is past the seek (or at it, inclusive) in scan order. */
static int
past_seek(const struct list_query *q, const struct call *c)
{
	struct sid	 s;
	int		 r;

	if (q->seek == NULL)
		return 1;
	s.s = q->seek->call_sid;
	s.len = q->seek->call_sid_len;
	r = scan_cmp(q, c, &q->seek->created_at, s);
	return r > 0 || (r == 0 && q->seek->inclusive);
}

/* 1 when c is of the organisation, in the window and past the seek. */
static int
in_scan(const struct list_query *q, const struct call *c)
{
	const struct list_params	*p = q->params;

	return strcmp(c->client_id, q->client_id) == 0 &&
	    (!p->has_created_after ||
	    ts_compare(&c->created_at, &p->created_after) >= 0) &&
	    (!p->has_created_before ||
	    ts_compare(&c->created_at, &p->created_before) < 0) &&
	    past_seek(q, c);
}

/* 1 when c matches every equality filter (a NULL column matches none). */
static int
matches(const struct list_query *q, const struct call *c)
{
	const struct list_eq	*eq = q->params->eq;

#define EQ_MATCH(name, chars) \
	if (eq[LIST_EQ_##name].value != NULL && \
	    ((c->null & call_fields[CALL_F_##name].null_bit) != 0 || \
	    call_text_len(c, CALL_F_##name) != eq[LIST_EQ_##name].len || \
	    memcmp(c->name, eq[LIST_EQ_##name].value, \
	    eq[LIST_EQ_##name].len) != 0)) \
		return 0;
	LIST_EQ_FILTERS(EQ_MATCH)
#undef EQ_MATCH
	return 1;
}

/* The first row of the scan after prev (NULL: the first), or NULL. */
static const struct call *
scan_next(struct fake_store *fs, const struct list_query *q,
    const struct call *prev)
{
	const struct call	*best = NULL, *c;
	size_t			 i;

	for (i = 0; i < fs->ncalls; i++) {
		c = &fs->calls[i];
		if (!in_scan(q, c) || (prev != NULL && scan_cmp(q, c,
		    &prev->created_at, call_sid(prev)) <= 0))
			continue;
		if (best == NULL || scan_cmp(q, c, &best->created_at,
		    call_sid(best)) < 0)
			best = c;
	}
	return best;
}

/*
 * Walk the scan one row at a time (selection by repeated minimum: slow,
 * obviously correct). The floor is found first, as lib/sql.c does: the
 * scan_limit-th row of the scan, filters aside.
 */
static enum ca_err
fake_list_calls(void *ctx, const struct list_query *q,
    int (*each)(void *, const struct call *), void *arg, int *floor_found,
    struct cursor_pos *floor)
{
	struct fake_store	*fs = ctx;
	const struct call	*c = NULL, *last = NULL;
	int			 n = 0, seen = 0;

	*floor_found = 0;
	fs->examined = 0;
	if (fs->fail_with != CA_OK) {
		if (fs->fail_reason != NULL)
			log_error("%s", fs->fail_reason);
		return fs->fail_with;
	}
	if (q->scan_limit > 0) {
		while (seen < q->scan_limit && (c = scan_next(fs, q,
		    c)) != NULL)
			seen++;
		/* A floor only when a row follows it (lib/sql.c). */
		if (c != NULL && scan_next(fs, q, c) != NULL) {
			if (call_position(c, floor) == -1)
				return CA_ERR_INTERNAL;
			floor->dir = CURSOR_NEXT;
			floor->inclusive = 0;
			*floor_found = 1;
			last = c;
		}
	}
	c = NULL;
	while (n < q->fetch && (c = scan_next(fs, q, c)) != NULL) {
		fs->examined++;
		if (!matches(q, c)) {
			if (c == last)
				break;	/* the floor: no row past it */
			continue;
		}
		if (each(arg, c) == -1)
			return CA_ERR_INTERNAL;
		n++;
		if (fs->fail_midway != CA_OK) {
			if (fs->fail_reason != NULL)
				log_error("%s", fs->fail_reason);
			return fs->fail_midway;	/* connection lost mid-page */
		}
		if (c == last)
			break;
	}
	return CA_OK;
}

/* The call of client_id whose call_sid is those bytes exactly. */
static enum ca_err
fake_get_call(void *ctx, const char *client_id, const char *sid,
    size_t sid_len, struct call *out)
{
	struct fake_store	*fs = ctx;
	struct sid		 want = { sid, sid_len };
	size_t			 i;

	fs->call_lookups++;
	if (fs->fail_with != CA_OK) {
		if (fs->fail_reason != NULL)
			log_error("%s", fs->fail_reason);
		return fs->fail_with;
	}
	for (i = 0; i < fs->ncalls; i++)
		if (sid_cmp(call_sid(&fs->calls[i]), want) == 0 &&
		    strcmp(fs->calls[i].client_id, client_id) == 0) {
			*out = fs->calls[i];
			return CA_OK;
		}
	return CA_ERR_CALL_NOT_FOUND;
}

const struct store_ops fake_store_ops = { fake_key_lookup, fake_list_calls,
    fake_get_call };

void
fake_call(struct call *c, const char *client_id, int n, const struct ts *at)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->call_sid, sizeof(c->call_sid), "call_%08d", n);
	snprintf(c->client_id, sizeof(c->client_id), "%s", client_id);
	snprintf(c->to_number, sizeof(c->to_number), "+1555%07d", n);
	snprintf(c->agent_id, sizeof(c->agent_id), "agent_%d", n % 3);
	snprintf(c->total_cost, sizeof(c->total_cost), "%d.%04d", n % 50,
	    (n * 37) % 10000);
	snprintf(c->duration_seconds, sizeof(c->duration_seconds), "%d.500",
	    n % 600);
	c->created_at = *at;
	c->turn_count = (unsigned long)(n % 11);
	c->recording_enabled = n % 2;
	c->null = CALL_NULL(from_number) | CALL_NULL(agent_name) |
	    CALL_NULL(call_type) | CALL_NULL(status) | CALL_NULL(updated_at) |
	    CALL_NULL(start_time) | CALL_NULL(end_time) |
	    CALL_NULL(end_reason) | CALL_NULL(billing_status);
}
