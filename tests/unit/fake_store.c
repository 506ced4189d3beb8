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
	long	 a[7] = { at->year, at->month, at->day, at->hour, at->minute,
		    at->second, at->usec };
	long	 b[7] = { bt->year, bt->month, bt->day, bt->hour, bt->minute,
		    bt->second, bt->usec };
	int	 i;

	for (i = 0; i < 7; i++)
		if (a[i] != b[i])
			return a[i] > b[i] ? -1 : 1;
	return -sid_cmp(asid, bsid);
}

static enum ca_err
fake_list_calls(void *ctx, const char *client_id,
    const struct cursor_pos *after, int fetch,
    int (*each)(void *, const struct call *), void *arg)
{
	struct fake_store	*fs = ctx;
	const struct call	*best, *c;
	const struct ts		*prev_t = NULL;
	struct sid		 prev_sid = { NULL, 0 };
	size_t			 i;
	int			 n = 0;

	if (fs->fail_with != CA_OK) {
		if (fs->fail_reason != NULL)
			log_error("%s", fs->fail_reason);
		return fs->fail_with;
	}
	if (after != NULL) {
		prev_t = &after->created_at;
		prev_sid.s = after->call_sid;
		prev_sid.len = after->call_sid_len;
	}
	/* Selection by repeated minimum: slow, obviously correct. */
	while (n < fetch) {
		best = NULL;
		for (i = 0; i < fs->ncalls; i++) {
			c = &fs->calls[i];
			if (strcmp(c->client_id, client_id) != 0)
				continue;
			if (prev_t != NULL && keyset_cmp(&c->created_at,
			    call_sid(c), prev_t, prev_sid) <= 0)
				continue;
			if (best == NULL || keyset_cmp(&c->created_at,
			    call_sid(c), &best->created_at, call_sid(best)) < 0)
				best = c;
		}
		if (best == NULL)
			break;
		if (each(arg, best) == -1)
			return CA_ERR_INTERNAL;
		n++;
		if (fs->fail_midway != CA_OK) {
			if (fs->fail_reason != NULL)
				log_error("%s", fs->fail_reason);
			return fs->fail_midway;	/* connection lost mid-page */
		}
		prev_t = &best->created_at;
		prev_sid = call_sid(best);
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
