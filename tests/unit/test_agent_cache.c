/*
 * The agent-name cache (lib/agent_cache.c) on a fake clock: a name is
 * trusted for exactly its ttl; "no name" is cached as such; the key is
 * client_id and agent_id byte for byte (no name crosses organisations,
 * a NUL byte or a trailing space makes another key); a put replaces; the
 * bounds on entries and bytes hold, the oldest going first.
 */
#include <stdio.h>
#include <string.h>

#include "../../lib/agent_cache.h"
#include "tap.h"

static long long	 fake_now;

static long long
fake_clock(void)
{
	return fake_now;
}

/* The cached name of (client, agent) as a string: "<miss>", "<null>". */
static const char *
get(struct agent_cache *c, long long now, const char *client,
    const char *agent)
{
	static char	 out[2048];
	const char	*name;
	size_t		 len;

	if (!agent_cache_get(c, now, client, strlen(client), agent,
	    strlen(agent), &name, &len))
		return "<miss>";
	if (name == NULL)
		return "<null>";
	snprintf(out, sizeof(out), "%.*s", (int)len, name);
	return out;
}

static int
put(struct agent_cache *c, long long now, const char *client,
    const char *agent, const char *name)
{
	return agent_cache_put(c, now, client, strlen(client), agent,
	    strlen(agent), name, name != NULL ? strlen(name) : 0);
}

int
main(void)
{
	struct agent_cache	*c;
	const char		*name;
	char			 agent[32], big[300];
	size_t			 len, i, n;

	ok(agent_cache_new(0) == NULL, "0 seconds: no cache");
	if ((c = agent_cache_new(30)) == NULL)
		return ok(0, "agent_cache_new(30)"), done_testing();
	c->clock = fake_clock;
	fake_now = 5000;
	is_int((long)agent_cache_now(c), 5000, "the cache's clock");

	is_str(get(c, 1000, "org_a", "ag_1"), "<miss>", "empty: a miss");
	is_int(put(c, 1000, "org_a", "ag_1", "Alice"), 0, "put");
	is_int(put(c, 1000, "org_a", "ag_2", NULL), 0, "put: no name");
	is_str(get(c, 1000, "org_a", "ag_1"), "Alice", "a hit");
	is_str(get(c, 1000, "org_a", "ag_2"), "<null>", "a cached null");
	is_str(get(c, 30999, "org_a", "ag_1"), "Alice", "29.999 s: still");
	is_str(get(c, 31000, "org_a", "ag_1"), "<miss>", "30 s: expired");
	is_str(get(c, 31000, "org_a", "ag_2"), "<miss>", "a null expires too");
	is_str(get(c, 999, "org_a", "ag_1"), "<miss>",
	    "fetched after now (clock stepped back): not trusted");

	/* The key: both ids, exactly. */
	is_str(get(c, 2000, "org_b", "ag_1"), "<miss>",
	    "another organisation's agent_id: not the same entry");
	is_int(put(c, 2000, "org_b", "ag_1", "Bob"), 0, "org_b's ag_1");
	is_str(get(c, 2000, "org_a", "ag_1"), "Alice", "org_a keeps its name");
	is_str(get(c, 2000, "org_b", "ag_1"), "Bob", "org_b has its own");
	is_str(get(c, 2000, "org_a", "ag_1 "), "<miss>",
	    "a trailing space: another key");
	is_str(get(c, 2000, "org_aa", "g_1"), "<miss>",
	    "the boundary between the ids counts");
	ok(!agent_cache_get(c, 2000, "org_a", 5, "ag_1\0x", 6, &name, &len),
	    "a NUL byte inside the agent_id: another key");
	is_int(agent_cache_put(c, 2000, "org_a", 5, "ag_1\0x", 6, "N\0ul", 4),
	    0, "put with NUL bytes");
	ok(agent_cache_get(c, 2000, "org_a", 5, "ag_1\0x", 6, &name, &len) &&
	    len == 4 && memcmp(name, "N\0ul", 4) == 0,
	    "got back byte for byte");

	/* A put replaces, and restarts the ttl. */
	n = c->count;
	is_int(put(c, 40000, "org_a", "ag_1", "Alice B"), 0, "rename");
	is_str(get(c, 40000, "org_a", "ag_1"), "Alice B", "the new name");
	is_int((long)c->count, (long)n, "replaced, not added");
	is_str(get(c, 69999, "org_a", "ag_1"), "Alice B", "its ttl from then");
	agent_cache_free(c);

	/* The entry bound: the oldest goes first. */
	c = agent_cache_new(60);
	c->clock = fake_clock;
	for (i = 0; i < AGENT_CACHE_ENTRIES + 10; i++) {
		snprintf(agent, sizeof(agent), "ag_%zu", i);
		if (put(c, 1000, "org", agent, "x") != 0)
			break;
	}
	is_int((long)i, AGENT_CACHE_ENTRIES + 10, "every put kept");
	is_int((long)c->count, AGENT_CACHE_ENTRIES, "at most %d entries",
	    AGENT_CACHE_ENTRIES);
	is_str(get(c, 1000, "org", "ag_9"), "<miss>", "the oldest went");
	is_str(get(c, 1000, "org", "ag_10"), "x", "the next stayed");
	snprintf(agent, sizeof(agent), "ag_%d", AGENT_CACHE_ENTRIES + 9);
	is_str(get(c, 1000, "org", agent), "x", "the newest stayed");
	/* Replacing leaves holes in the age ring; the bound still holds. */
	for (i = 0; i < 3 * AGENT_CACHE_ENTRIES; i++) {
		snprintf(agent, sizeof(agent), "ag_%zu", 100 + i % 50);
		(void)put(c, 1000, "org", agent, "y");
	}
	is_str(get(c, 1000, "org", "ag_120"), "y", "a replaced entry");
	ok(c->count <= AGENT_CACHE_ENTRIES && c->head - c->tail <=
	    AGENT_CACHE_ENTRIES, "replacements: within the bound");
	agent_cache_free(c);

	/* The byte bound: long names, fewer entries. */
	c = agent_cache_new(60);
	c->clock = fake_clock;
	memset(big, 'n', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	for (i = 0; i < AGENT_CACHE_ENTRIES; i++) {
		snprintf(agent, sizeof(agent), "ag_%zu", i);
		(void)put(c, 1000, "org", agent, big);
		if (c->bytes > AGENT_CACHE_BYTES)
			break;
	}
	ok(c->bytes <= AGENT_CACHE_BYTES, "bytes %zu within %d", c->bytes,
	    AGENT_CACHE_BYTES);
	ok(c->count < AGENT_CACHE_ENTRIES && c->count > 100,
	    "long names: %zu entries", c->count);
	is_str(get(c, 1000, "org", "ag_0"), "<miss>", "the oldest went");
	snprintf(agent, sizeof(agent), "ag_%d", AGENT_CACHE_ENTRIES - 1);
	ok(strcmp(get(c, 1000, "org", agent), big) == 0, "the newest stayed");
	agent_cache_free(c);

	/* Cache or join: the score of recent pages. */
	c = agent_cache_new(60);
	ok(!agent_cache_worth_trying(c), "a new cache: the join first");
	agent_cache_note_page(c, 1);
	agent_cache_note_page(c, 1);
	ok(!agent_cache_worth_trying(c), "two pages all cached: still join");
	agent_cache_note_page(c, 1);
	ok(agent_cache_worth_trying(c), "the third: the cache");
	for (i = 0; i < 20; i++)
		agent_cache_note_page(c, 1);
	agent_cache_note_page(c, 0);
	agent_cache_note_page(c, 0);
	ok(agent_cache_worth_trying(c), "two misses after many hits: cache");
	agent_cache_note_page(c, 0);
	ok(!agent_cache_worth_trying(c), "the third miss: the join");
	for (i = 0; i < 20; i++)
		agent_cache_note_page(c, i % 2);
	n = 0;
	for (i = 0; i < 20; i++) {
		agent_cache_note_page(c, i % 4 != 0);	/* 3 of 4 hit */
		n += (size_t)agent_cache_worth_trying(c);
	}
	ok(n >= 15, "3 pages of 4 all cached: the cache mostly (%zu of 20)",
	    n);
	n = 0;
	for (i = 0; i < 20; i++) {
		agent_cache_note_page(c, i % 4 == 0);	/* 1 of 4 hit */
		n += (size_t)agent_cache_worth_trying(c);
	}
	ok(n <= 5, "1 page of 4 all cached: the join mostly (%zu of 20)", n);
	agent_cache_free(c);

	/* Which join pages fill the cache: all, but after a long run of
	 * misses one in AGENT_CACHE_FILL_EVERY. */
	c = agent_cache_new(60);
	for (i = n = 0; i < 100; i++)
		n += (size_t)agent_cache_fill_page(c);
	is_int((long)n, 100, "a new cache: every join page fills it");
	for (i = 0; i < AGENT_CACHE_MISS_RUN - 1; i++) {
		ok(agent_cache_fill_page(c), "miss %zu: this page fills", i);
		agent_cache_note_page(c, 0);
	}
	ok(agent_cache_fill_page(c), "the last miss of the run fills");
	agent_cache_note_page(c, 0);
	for (i = n = 0; i < 10 * AGENT_CACHE_FILL_EVERY; i++)
		n += (size_t)agent_cache_fill_page(c);
	is_int((long)n, 10, "after %d misses in a row: one page in %d fills",
	    AGENT_CACHE_MISS_RUN, AGENT_CACHE_FILL_EVERY);
	ok(agent_cache_fill_page(c), "the next filling page");
	agent_cache_note_page(c, 0);
	ok(!agent_cache_fill_page(c), "its miss: the run goes on");
	agent_cache_note_page(c, 1);
	for (i = n = 0; i < 20; i++)
		n += (size_t)agent_cache_fill_page(c);
	is_int((long)n, 20, "a page all cached ends the run: every page fills");
	agent_cache_free(c);
	agent_cache_free(NULL);
	return done_testing();
}
