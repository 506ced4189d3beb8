/*
 * The replica pool without a server: which server a page or a key lookup
 * goes to, on a fake store, a fake clock and fake lag measurements; when
 * a skipped replica is tried again; what is logged, and how often.
 */
#include <stdio.h>
#include <string.h>

#include "../../lib/db_pool.h"
#include "../../lib/log.h"
#include "tap.h"

static struct db	 primary;
static struct db_pool	 pool;
static long long	 fake_now = 1000000;

/* Per server (0: the primary, 1..: replicas): how the store answers. */
#define NSERVERS	3
static enum ca_err	 answer[NSERVERS];
static int		 rows_then_lost[NSERVERS];
static int		 served[NSERVERS], keys[NSERVERS];

/* The lag: the primary's position is a counter; replica i has applied
 * up to applied[i]; sample_fails: the primary cannot be asked. */
static long		 primary_pos;
static long		 applied[NSERVERS];
static int		 sample_fails, reached_fails[NSERVERS];
static int		 samples, waits[NSERVERS];

static int		 log_lines;
static char		 last_line[1024];

static long long
fake_clock(void)
{
	return fake_now;
}

static int
server_of(const void *ctx)
{
	int	 i;

	if (ctx == &primary)
		return 0;
	for (i = 1; i < NSERVERS; i++)
		if (ctx == &pool.replica[i - 1].db)
			return i;
	return -1;
}

static enum ca_err
fake_key_lookup(void *ctx, const char *hash, char client_id[ID_SIZE])
{
	int	 s = server_of(ctx);

	(void)hash;
	keys[s]++;
	if (answer[s] == CA_OK)
		snprintf(client_id, ID_SIZE, "org_%d", s);
	return answer[s];
}

static enum ca_err
fake_list_calls(void *ctx, const struct list_query *q,
    int (*each)(void *, const struct call *), void *arg, int *floor_found,
    struct cursor_pos *floor)
{
	struct call	 row;
	int		 s = server_of(ctx);

	(void)q;
	(void)floor;
	*floor_found = 0;
	served[s]++;
	memset(&row, 0, sizeof(row));
	if (rows_then_lost[s]) {
		if (each(arg, &row) == -1)
			return CA_ERR_INTERNAL;
		return CA_ERR_DB_UNAVAILABLE;
	}
	if (answer[s] == CA_OK && each(arg, &row) == -1)
		return CA_ERR_INTERNAL;
	return answer[s];
}

/* One call: served like a page, the row copied out. */
static enum ca_err
fake_get_call(void *ctx, const char *client_id, const char *call_sid,
    size_t sid_len, struct call *out)
{
	int	 s = server_of(ctx);

	(void)client_id;
	(void)call_sid;
	(void)sid_len;
	served[s]++;
	memset(out, 0, sizeof(*out));
	return answer[s];
}

static const struct store_ops fake_ops = { fake_key_lookup, fake_list_calls,
    fake_get_call };

static enum ca_err
fake_sample(struct db_pool *p, char *pos, size_t size)
{
	(void)p;
	samples++;
	if (sample_fails)
		return CA_ERR_DB_UNAVAILABLE;
	snprintf(pos, size, "0-1-%ld", primary_pos);
	return CA_OK;
}

static enum ca_err
fake_reached(struct db_pool *p, struct db *db, const char *pos,
    long long wait_ms, int *yes)
{
	long	 want;
	int	 s = server_of(db);

	(void)p;
	(void)wait_ms;
	waits[s]++;
	if (reached_fails[s])
		return reached_fails[s] == 1 ? CA_ERR_DB_UNAVAILABLE :
		    CA_ERR_INTERNAL;
	if (sscanf(pos, "0-1-%ld", &want) != 1)
		return CA_ERR_INTERNAL;
	*yes = applied[s] >= want;
	return CA_OK;
}

static void
sink(const char *line, void *arg)
{
	(void)arg;
	log_lines++;
	snprintf(last_line, sizeof(last_line), "%s", line);
}

static int
noop_row(void *arg, const struct call *row)
{
	(void)row;
	(*(int *)arg)++;
	return 0;
}

/* One page request: the server that served it (-1: none), its error. */
static int
page(enum ca_err *err)
{
	struct list_params	 lp;
	struct list_query	 q;
	struct cursor_pos	 floor;
	int			 before[NSERVERS], i, rows = 0, floor_found;

	memcpy(before, served, sizeof(before));
	db_pool_begin(&pool);
	memset(&lp, 0, sizeof(lp));
	memset(&q, 0, sizeof(q));
	lp.limit = 2;
	q.client_id = "org";
	q.params = &lp;
	q.desc = 1;
	q.fetch = 2;
	*err = db_pool_store_ops.list_calls(&pool, &q, noop_row, &rows,
	    &floor_found, &floor);
	/* Replicas are tried in order, the primary last. */
	if (served[0] != before[0])
		return 0;
	for (i = NSERVERS - 1; i > 0; i--)
		if (served[i] != before[i])
			return i;
	return -1;
}

static int
page_from(void)
{
	enum ca_err	 err;
	int		 s = page(&err);

	return err == CA_OK ? s : -1;
}

static void
setup(int nreplica)
{
	struct config	 cfg;
	int		 i;

	memset(&cfg, 0, sizeof(cfg));
	cfg.replica_max_lag = 5;
	cfg.nreplica = (size_t)nreplica;
	for (i = 0; i < nreplica; i++)
		snprintf(cfg.replica[i].socket, sizeof(cfg.replica[i].socket),
		    "/tmp/replica%d.sock", i + 1);
	db_close(&primary);
	db_pool_close(&pool);
	db_init(&primary, "/dev/null", NULL, 0);
	primary.clock = fake_clock;
	db_pool_init(&pool, &primary, &cfg, &fake_ops);
	pool.sample_primary = fake_sample;
	pool.reached = fake_reached;
	memset(answer, 0, sizeof(answer));
	memset(rows_then_lost, 0, sizeof(rows_then_lost));
	memset(applied, 0, sizeof(applied));
	memset(reached_fails, 0, sizeof(reached_fails));
	memset(served, 0, sizeof(served));
	memset(keys, 0, sizeof(keys));
	memset(waits, 0, sizeof(waits));
	primary_pos = 0;
	sample_fails = samples = 0;
	log_lines = 0;
}

static void
test_healthy(void)
{
	char	 id[ID_SIZE];

	setup(2);
	is_int(page_from(), 1, "healthy replicas: the page from the first");
	is_int(samples, 1, "  after one lag check");
	is_int(page_from(), 1, "  the next one too, without a check");
	is_int(samples, 1, "  (within the check interval)");
	fake_now += DB_POOL_CHECK_MS;
	is_int(page_from(), 1, "a check interval later: the first replica");
	is_int(samples, 2, "  checked again");
	db_pool_begin(&pool);
	is_int(db_pool_store_ops.key_lookup(&pool, "h", id), CA_OK,
	    "key lookup");
	ok(keys[0] == 1 && keys[1] == 0 && keys[2] == 0, "  on the primary");
	is_int(log_lines, 0, "  nothing logged");
}

static void
test_down(void)
{
	enum ca_err	 err;
	int		 i, n;

	setup(2);
	is_int(page_from(), 1, "replica 1 in use");
	answer[1] = CA_ERR_DB_UNAVAILABLE;
	is_int(page_from(), 2, "replica 1 down: the page from replica 2");
	is_int(log_lines, 1, "  one line");
	ok(strstr(last_line, "replica /tmp/replica1.sock: down") != NULL,
	    "  naming it: %s", last_line);
	n = served[1];
	for (i = 0; i < 5; i++)
		is_int(page_from(), 2, "  page %d: replica 2", i + 2);
	is_int(served[1], n, "  replica 1 not tried within %d ms",
	    DB_POOL_RETRY_MS);
	is_int(log_lines, 1, "  nothing more logged");
	answer[2] = CA_ERR_DB_UNAVAILABLE;
	is_int(page_from(), 0, "both down: the primary");
	answer[0] = CA_ERR_DB_UNAVAILABLE;
	is_int(page(&err), 0, "all three down: the primary tried last");
	is_int(err, CA_ERR_DB_UNAVAILABLE, "  503");
	answer[0] = CA_OK;

	/* Replica 1 is back: tried again after the retry interval. */
	answer[1] = CA_OK;
	reached_fails[1] = 1;	/* its check fails while it is down */
	fake_now += DB_POOL_RETRY_MS - 1;
	is_int(page_from(), 0, "1 ms before the retry: still the primary");
	fake_now += 1;
	reached_fails[1] = 0;
	n = log_lines;
	is_int(page_from(), 1, "at the retry: replica 1 again");
	is_int(log_lines, n + 1, "  one line");
	ok(strstr(last_line, "in use again") != NULL, "  saying so: %s",
	    last_line);
}

static void
test_lag(void)
{
	int	 i;

	setup(1);
	primary_pos = applied[1] = 10;
	is_int(page_from(), 1, "caught up: the replica");
	/* Replication stops; the primary takes writes. */
	primary_pos = 11;
	fake_now += DB_POOL_CHECK_MS;
	is_int(page_from(), 1, "1 s behind, bound 5 s: the replica");
	for (i = 2; i <= 5; i++) {
		primary_pos++;
		fake_now += DB_POOL_CHECK_MS;
		is_int(page_from(), 1, "%d s behind: the replica", i);
	}
	is_int(log_lines, 0, "  nothing logged");
	primary_pos++;
	fake_now += DB_POOL_CHECK_MS;
	is_int(page_from(), 0, "6 s behind: the primary");
	is_int(log_lines, 1, "  one line");
	ok(strstr(last_line, "behind the primary by more than replica-max-lag "
	    "(5 s)") != NULL, "  saying why: %s", last_line);
	is_int(page_from(), 0, "  and the next page too");
	is_int(log_lines, 1, "  without another line");
	/* Caught up again: used at the next check. */
	applied[1] = primary_pos;
	is_int(page_from(), 0, "caught up, before its next check: the primary");
	fake_now += DB_POOL_CHECK_MS;
	is_int(page_from(), 1, "at its next check: the replica");
	is_int(log_lines, 2, "  one line");

	/* A process idle longer than the bound trusts no old measurement. */
	fake_now += 60000;
	primary_pos++;
	is_int(page_from(), 0, "idle for 60 s, 1 write behind: the primary");
	applied[1] = primary_pos;
	fake_now += DB_POOL_CHECK_MS;
	is_int(page_from(), 1, "  and the replica once it has it");

	/* Steadily 5 s behind a primary that writes every second: it has
	 * the position of 5 s ago (not only an older one): in use. */
	for (i = 0; i < 8; i++) {
		primary_pos++;
		applied[1] = primary_pos - 5;
		fake_now += DB_POOL_CHECK_MS;
		page_from();
	}
	is_int(page_from(), 1, "steadily 5 s behind, bound 5 s: the replica");
	primary_pos++;
	applied[1] = primary_pos - 6;
	fake_now += DB_POOL_CHECK_MS;
	is_int(page_from(), 0, "then 6 s behind: the primary");
	applied[1] = primary_pos;
	fake_now += DB_POOL_CHECK_MS;
	is_int(page_from(), 1, "caught up: the replica");

	/* A measurement that fails is not a pass. */
	reached_fails[1] = 2;
	fake_now += DB_POOL_CHECK_MS;
	is_int(page_from(), 0, "lag not measurable: the primary");
	ok(strstr(last_line, "cannot be measured") != NULL, "  saying so: %s",
	    last_line);
}

static void
test_rows_then_lost(void)
{
	enum ca_err	 err;

	setup(1);
	is_int(page_from(), 1, "the replica");
	rows_then_lost[1] = 1;
	is_int(page(&err), 1, "lost after a row went on");
	is_int(err, CA_ERR_DB_UNAVAILABLE, "  503: not read again elsewhere");
	is_int(served[0], 0, "  the primary not asked");
}

static void
test_primary_down(void)
{
	char	 id[ID_SIZE];

	setup(1);
	is_int(page_from(), 1, "the replica");
	answer[0] = CA_ERR_DB_UNAVAILABLE;
	sample_fails = 1;
	fake_now += DB_POOL_CHECK_MS;
	is_int(page_from(), 1, "primary down: the replica in use stays so");
	db_pool_begin(&pool);
	is_int(db_pool_store_ops.key_lookup(&pool, "h", id), CA_OK,
	    "  key lookup: answered");
	ok(keys[0] >= 1 && keys[1] == 1 && strcmp(id, "org_1") == 0,
	    "  by the replica, after the primary");

	/* A replica not in use is not taken up unmeasured. */
	setup(1);
	answer[0] = CA_ERR_DB_UNAVAILABLE;
	sample_fails = 1;
	is_int(page_from(), -1, "primary down, replica never measured: 503");
}

static void
test_none(void)
{
	setup(0);
	is_int(page_from(), 0, "no replicas: the primary");
	is_int(samples, 0, "  no lag check");
}

int
main(void)
{
	log_set_sink(sink, NULL);
	test_healthy();
	test_down();
	test_lag();
	test_rows_then_lost();
	test_primary_down();
	test_none();
	db_pool_close(&pool);
	db_close(&primary);
	return done_testing();
}
