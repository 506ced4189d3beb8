/*
 * The database servers of one process: the primary (the option file's
 * host/port/socket) and the read replicas of the option file's replica
 * and replica-socket lines, each its own connection (struct db).
 *
 * Reads of calls (pages) go to the first replica, in file order, that is
 * up and whose lag is within replica-max-lag; else to the next one; else
 * to the primary. Key lookups go to the primary, where a revocation is
 * visible first; only when the primary cannot be reached, to a replica in
 * use (nothing can be revoked while the primary is down).
 *
 * Lag (README, "Read replicas"): every DB_POOL_CHECK_MS the process takes
 * the primary's @@gtid_binlog_pos, with the time it asked, and asks the
 * replica MASTER_GTID_WAIT(that position, up to DB_POOL_WAIT_MS). A
 * replica that has applied the primary's position of time t holds every
 * transaction committed before t: it is used only while now - t is at
 * most replica-max-lag (t of the newest position it has reached, of the
 * last DB_POOL_SAMPLES taken). Neither needs a privilege beyond the
 * responder's SELECT-only account.
 *
 * A replica found down is tried again after DB_POOL_RETRY_MS, one found
 * behind at its next check. Each change (skipped, in use again) is logged
 * once; the attempts in between log nothing.
 */
#ifndef CALLS_API_DB_POOL_H
#define CALLS_API_DB_POOL_H

#include "config.h"
#include "db.h"
#include "store.h"

#define DB_POOL_CHECK_MS	1000	/* lag measured at most this often */
#define DB_POOL_WAIT_MS		50	/* a check waits this long at most */
#define DB_POOL_RETRY_MS	5000	/* a replica found down: next try */
#define DB_POOL_SAMPLES		16	/* the primary's positions kept */
#define DB_POOL_GTID_MAX	512	/* bytes of a position, at most */
/* With replicas, a connect may start with this much budget left. */
#define DB_POOL_CONNECT_MIN_MS	200

enum db_pool_state {
	DB_POOL_UNCHECKED,	/* not measured yet: checked before use */
	DB_POOL_IN_USE,		/* up, lag within the bound */
	DB_POOL_DOWN,		/* could not be reached */
	DB_POOL_BEHIND		/* lag over the bound, or not measurable */
};

struct db_pool_replica {
	struct db		 db;
	char			 name[300];	/* "replica HOST:PORT" */
	enum db_pool_state	 state;
	long long		 confirmed_at;	/* ms: has all the primary had then */
	long long		 next_check;	/* ms */
};

struct db_pool_sample {
	long long	 at;			/* ms, asked at */
	char		 pos[DB_POOL_GTID_MAX];	/* @@gtid_binlog_pos */
};

struct db_pool {
	struct db		*primary;
	struct db_pool_replica	 replica[CONFIG_REPLICA_MAX];
	size_t			 nreplica;
	long long		 max_lag_ms;
	long long		 deadline;	/* ms: the request's budget */
	struct db_pool_sample	 sample[DB_POOL_SAMPLES];
	size_t			 nsample;	/* taken so far (ring) */
	int			 primary_blind;	/* logged: no primary to measure */
	const struct store_ops	*inner;		/* ctx: struct db * */
	/*
	 * Lag measurement, set by db_pool_init; unit tests substitute
	 * fakes. sample: the primary's position into pos (CA_OK, or an
	 * error when the primary cannot be asked). reached: *yes 1 when
	 * the replica has applied pos, waiting at most wait_ms.
	 */
	enum ca_err	(*sample_primary)(struct db_pool *, char *pos,
			    size_t size);
	enum ca_err	(*reached)(struct db_pool *, struct db *,
			    const char *pos, long long wait_ms, int *yes);
};

/*
 * The pool over primary (set up by the caller: budget, TLS) with cfg's
 * replicas, each a db like the primary (same option file, statements,
 * budget and TLS) but for its server. inner: the store over one db.
 */
void	db_pool_init(struct db_pool *, struct db *primary,
	    const struct config *cfg, const struct store_ops *inner);
void	db_pool_close(struct db_pool *);

/* A request starts: one budget for all its database work, on any server. */
void	db_pool_begin(struct db_pool *);

/* The store over the pool (ctx: struct db_pool *). */
extern const struct store_ops	db_pool_store_ops;

#endif
