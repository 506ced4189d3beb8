#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agent_cache.h"
#include "db.h"

struct agent_entry {
	struct agent_entry	*next;		/* in its bucket */
	long long		 fetched;	/* ms */
	size_t			 slot;		/* in ring */
	size_t			 size;		/* bytes of this entry */
	size_t			 client_len, agent_len, name_len;
	int			 has_name;
	char			 data[];	/* client, agent, name */
};

struct agent_cache *
agent_cache_new(int seconds)
{
	struct agent_cache	*c;

	if (seconds <= 0 || (c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->ttl_ms = (long long)seconds * 1000;
	c->clock = db_clock_ms;
	return c;
}

long long
agent_cache_now(const struct agent_cache *c)
{
	return c->clock();
}

/* FNV-1a over both ids, each followed by its length. */
static size_t
key_hash(const char *client, size_t client_len, const char *agent,
    size_t agent_len)
{
	uint64_t	 h = 14695981039346656037ull;
	size_t		 i;

	for (i = 0; i < client_len; i++)
		h = (h ^ (unsigned char)client[i]) * 1099511628211ull;
	h = (h ^ client_len) * 1099511628211ull;
	for (i = 0; i < agent_len; i++)
		h = (h ^ (unsigned char)agent[i]) * 1099511628211ull;
	h = (h ^ agent_len) * 1099511628211ull;
	return (size_t)(h & (AGENT_CACHE_BUCKETS - 1));
}

static int
key_is(const struct agent_entry *e, const char *client, size_t client_len,
    const char *agent, size_t agent_len)
{
	return e->client_len == client_len && e->agent_len == agent_len &&
	    memcmp(e->data, client, client_len) == 0 &&
	    memcmp(e->data + client_len, agent, agent_len) == 0;
}

/* The link pointing at the entry of that key, or at the bucket's end. */
static struct agent_entry **
find(struct agent_cache *c, const char *client, size_t client_len,
    const char *agent, size_t agent_len)
{
	struct agent_entry	**p;

	p = &c->bucket[key_hash(client, client_len, agent, agent_len)];
	while (*p != NULL && !key_is(*p, client, client_len, agent,
	    agent_len))
		p = &(*p)->next;
	return p;
}

/* Unlink e from its bucket and the ring, and free it. */
static void
drop(struct agent_cache *c, struct agent_entry *e)
{
	struct agent_entry	**p;

	p = find(c, e->data, e->client_len, e->data + e->client_len,
	    e->agent_len);
	if (*p == e)
		*p = e->next;
	c->ring[e->slot] = NULL;
	c->count--;
	c->bytes -= e->size;
	free(e);
}

/* Drop the oldest entry (the ring's tail, holes skipped). */
static void
drop_oldest(struct agent_cache *c)
{
	struct agent_entry	*e;

	while (c->tail != c->head) {
		e = c->ring[c->tail++ % AGENT_CACHE_ENTRIES];
		if (e != NULL) {
			drop(c, e);
			return;
		}
	}
}

int
agent_cache_get(struct agent_cache *c, long long now, const char *client,
    size_t client_len, const char *agent, size_t agent_len,
    const char **name, size_t *name_len)
{
	struct agent_entry	*e;

	e = *find(c, client, client_len, agent, agent_len);
	if (e == NULL || now - e->fetched >= c->ttl_ms || now < e->fetched)
		return 0;
	*name = e->has_name ? e->data + e->client_len + e->agent_len : NULL;
	*name_len = e->has_name ? e->name_len : 0;
	return 1;
}

int
agent_cache_put(struct agent_cache *c, long long now, const char *client,
    size_t client_len, const char *agent, size_t agent_len,
    const char *name, size_t name_len)
{
	struct agent_entry	*e, *old;
	size_t			 size;

	if (name == NULL)
		name_len = 0;
	size = sizeof(*e) + client_len + agent_len + name_len;
	if ((old = *find(c, client, client_len, agent, agent_len)) != NULL)
		drop(c, old);
	if (size > AGENT_CACHE_BYTES || (e = malloc(size)) == NULL)
		return -1;
	while (c->count > 0 && (c->head - c->tail >= AGENT_CACHE_ENTRIES ||
	    c->bytes + size > AGENT_CACHE_BYTES))
		drop_oldest(c);
	/* Holes at the tail (entries replaced or dropped) free the slot. */
	while (c->tail != c->head && c->ring[c->tail % AGENT_CACHE_ENTRIES] ==
	    NULL)
		c->tail++;
	e->fetched = now;
	e->size = size;
	e->client_len = client_len;
	e->agent_len = agent_len;
	e->name_len = name_len;
	e->has_name = name != NULL;
	memcpy(e->data, client, client_len);
	memcpy(e->data + client_len, agent, agent_len);
	if (name_len > 0)
		memcpy(e->data + client_len + agent_len, name, name_len);
	e->slot = c->head++ % AGENT_CACHE_ENTRIES;
	c->ring[e->slot] = e;
	e->next = c->bucket[key_hash(client, client_len, agent, agent_len)];
	c->bucket[key_hash(client, client_len, agent, agent_len)] = e;
	c->count++;
	c->bytes += size;
	return 0;
}

int
agent_cache_worth_trying(const struct agent_cache *c)
{
	return c->hit_score >= AGENT_CACHE_SCORE_FULL / 2;
}

void
agent_cache_note_page(struct agent_cache *c, int all_cached)
{
	c->hit_score += ((all_cached ? AGENT_CACHE_SCORE_FULL : 0) -
	    c->hit_score) / 4;
	if (all_cached)
		c->miss_run = c->unfilled = 0;
	else if (c->miss_run < AGENT_CACHE_MISS_RUN)
		c->miss_run++;
}

int
agent_cache_fill_page(struct agent_cache *c)
{
	if (c->miss_run < AGENT_CACHE_MISS_RUN)
		return 1;
	return c->unfilled++ % AGENT_CACHE_FILL_EVERY == 0;
}

void
agent_cache_free(struct agent_cache *c)
{
	if (c == NULL)
		return;
	while (c->count > 0)
		drop_oldest(c);
	free(c);
}
