/*
 * Agent names, cached per process (agent-cache-seconds): the page query
 * then runs without its join on agents (lib/sql.c). An entry is the
 * agent_name of (client_id, agent_id), or that it has none (no agents row,
 * or a NULL name: both print null), as the join found it. It is trusted
 * for ttl after it was fetched: a renamed agent shows its old name for at
 * most that long. The key is the client_id and the agent_id, byte for
 * byte, so no name crosses organisations.
 *
 * Bounded: at most AGENT_CACHE_ENTRIES entries holding at most
 * AGENT_CACHE_BYTES (their ids and names, exact sizes, plus a header
 * each); the oldest goes first to make room. The index is two fixed
 * arrays (AGENT_CACHE_BUCKETS + AGENT_CACHE_ENTRIES pointers, 96 KiB on
 * LP64), allocated only when the cache is on.
 */
#ifndef CALLS_API_AGENT_CACHE_H
#define CALLS_API_AGENT_CACHE_H

#include <stddef.h>

#define AGENT_CACHE_ENTRIES	4096
#define AGENT_CACHE_BUCKETS	8192		/* a power of two */
#define AGENT_CACHE_BYTES	(1024 * 1024)	/* entries, headers included */

struct agent_entry;

struct agent_cache {
	long long		 ttl_ms;
	long long		(*clock)(void);	/* ms, monotonic; tests fake it */
	struct agent_entry	*bucket[AGENT_CACHE_BUCKETS];
	struct agent_entry	*ring[AGENT_CACHE_ENTRIES];	/* by age */
	unsigned long		 head, tail;	/* ring positions in use */
	size_t			 count, bytes;	/* entries, their bytes */
	int			 hit_score;	/* AGENT_CACHE_SCORE_FULL * an
						 * average of recent pages */
	unsigned		 miss_run;	/* pages in a row not all cached */
	unsigned		 unfilled;	/* join pages since the run began */
};

/* A cache trusting a name for seconds (> 0); NULL when out of memory. */
struct agent_cache	*agent_cache_new(int seconds);
void			 agent_cache_free(struct agent_cache *);

/* The cache's clock now (ms), taken once for a page. */
long long		 agent_cache_now(const struct agent_cache *);

/*
 * 1 when the name of (client, agent) fetched within ttl before now is
 * cached: *name and *name_len are it (valid until the next put), *name
 * NULL when the agent has none. 0 when not cached or expired.
 */
int	agent_cache_get(struct agent_cache *, long long now,
	    const char *client, size_t client_len, const char *agent,
	    size_t agent_len, const char **name, size_t *name_len);

/*
 * Remember the name of (client, agent) fetched at now (name NULL: none),
 * replacing an older entry of the same key. 0, or -1 when it cannot be
 * kept (out of memory, or one entry over the byte bound): nothing cached.
 */
int	agent_cache_put(struct agent_cache *, long long now,
	    const char *client, size_t client_len, const char *agent,
	    size_t agent_len, const char *name, size_t name_len);

/*
 * Whether a page should try the cache first (1) or run the join and fill
 * the cache from its rows (0). A page the cache misses costs more than
 * the join (the page without it, buffered, then a lookup of the missing
 * names): the cache is tried only while most recent pages had every
 * agent cached. The score is an average of recent pages, each weighing
 * a quarter of what came before: 1 a page whose agents were all cached
 * (or, on the join, would have been), 0 one that was not. It starts at
 * 0, so a new process runs the join and fills the cache; the cache is
 * tried from the third page in a row that it would have served, and
 * left after the third in a row that it could not.
 */
#define AGENT_CACHE_SCORE_FULL	256
int	agent_cache_worth_trying(const struct agent_cache *);
void	agent_cache_note_page(struct agent_cache *, int all_cached);

/*
 * Whether a page on the join should fill the cache from its rows (and
 * then count in the score), 1, or leave the cache alone, 0. Every such
 * page fills it, except after AGENT_CACHE_MISS_RUN pages in a row that it
 * could not have served (the organisation's agents do not fit, or the
 * walk does not come back to them within the bound), when one in
 * AGENT_CACHE_FILL_EVERY does: the others cost what the join alone costs,
 * instead of a put per row that evicts an entry nobody reads again. A
 * page that finds all its agents cached ends the run.
 */
#define AGENT_CACHE_MISS_RUN	16
#define AGENT_CACHE_FILL_EVERY	8
int	agent_cache_fill_page(struct agent_cache *);

#endif
