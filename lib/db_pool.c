#include <stdio.h>
#include <string.h>

#include "db_pool.h"
#include "log.h"
#include "sql.h"

static enum ca_err	sample_primary(struct db_pool *, char *, size_t);
static enum ca_err	reached(struct db_pool *, struct db *, const char *,
			    long long, int *);

void
db_pool_init(struct db_pool *p, struct db *primary, const struct config *cfg,
    const struct store_ops *inner)
{
	struct db_pool_replica		*r;
	const struct config_replica	*c;
	size_t				 i;

	memset(p, 0, sizeof(*p));
	p->primary = primary;
	p->inner = inner;
	p->max_lag_ms = (long long)cfg->replica_max_lag * 1000;
	p->sample_primary = sample_primary;
	p->reached = reached;
	p->nreplica = cfg->nreplica;
	if (p->nreplica == 0)
		return;
	/* The budget is shared: a connect may start with less of it left. */
	primary->connect_min_ms = DB_POOL_CONNECT_MIN_MS;
	for (i = 0; i < p->nreplica; i++) {
		r = &p->replica[i];
		c = &cfg->replica[i];
		db_init(&r->db, primary->conf_path, primary->stmt_text,
		    primary->nstmt);
		r->db.budget_ms = primary->budget_ms;
		r->db.tls = primary->tls;
		r->db.clock = primary->clock;
		r->db.connect = primary->connect;
		r->db.connect_min_ms = DB_POOL_CONNECT_MIN_MS;
		if (c->socket[0] != '\0')
			snprintf(r->name, sizeof(r->name), "replica %s",
			    c->socket);
		else
			snprintf(r->name, sizeof(r->name), strchr(c->host, ':') !=
			    NULL ? "replica [%s]:%u" : "replica %s:%u", c->host,
			    c->port);
		db_set_server(&r->db, c->socket[0] != '\0' ? NULL : c->host,
		    c->port, c->socket[0] != '\0' ? c->socket : NULL, r->name);
		r->state = DB_POOL_UNCHECKED;
	}
}

void
db_pool_close(struct db_pool *p)
{
	size_t	 i;

	for (i = 0; i < p->nreplica; i++)
		db_close(&p->replica[i].db);
}

static long long
now_ms(const struct db_pool *p)
{
	return p->primary->clock();
}

void
db_pool_begin(struct db_pool *p)
{
	p->deadline = now_ms(p) + p->primary->budget_ms;
	p->primary->deadline = p->deadline;
}

/*
 * The deadline of an attempt on db: the request's own when db is the last
 * server left to try, else half of what is left of it, so that a server
 * that hangs leaves time for the next one.
 */
static void
share(struct db_pool *p, struct db *db, int last)
{
	long long	 now = now_ms(p), left = p->deadline - now;

	db->deadline = last || left <= 1 ? p->deadline : now + left / 2;
}

/* Lag measurement on MariaDB: one statement, its one value. */

struct one_value {
	enum sql_stmt	 which;
	const char	*pos;		/* bound as the first parameter */
	double		 wait;		/* seconds, the second one */
	char		*text;		/* the value as text, or */
	size_t		 size;
	long long	 num;		/* as a number */
	int		 null;
};

/* Prepared on the connection at its first check (db_stmt). Read-only:
 * may be retried. */
static enum ca_err
run_one_value(struct db *db, void *arg, int *may_retry)
{
	struct one_value	*v = arg;
	MYSQL_STMT		*st;
	MYSQL_BIND		 in[2], out;
	unsigned long		 inlen, outlen = 0;
	my_bool			 isnull = 0, trunc = 0;
	enum ca_err		 err = CA_OK;
	int			 rc;

	(void)may_retry;
	if ((st = db_stmt(db, v->which, &err)) == NULL)
		return err;
	memset(in, 0, sizeof(in));
	if (v->pos != NULL) {
		inlen = (unsigned long)strlen(v->pos);
		in[0].buffer_type = MYSQL_TYPE_STRING;
		in[0].buffer = (void *)(size_t)v->pos;
		in[0].buffer_length = inlen;
		in[0].length = &inlen;
		in[1].buffer_type = MYSQL_TYPE_DOUBLE;
		in[1].buffer = &v->wait;
	}
	memset(&out, 0, sizeof(out));
	if (v->text != NULL) {
		out.buffer_type = MYSQL_TYPE_STRING;
		out.buffer = v->text;
		out.buffer_length = v->size - 1;
	} else {
		out.buffer_type = MYSQL_TYPE_LONGLONG;
		out.buffer = &v->num;
	}
	out.length = &outlen;
	out.is_null = &isnull;
	out.error = &trunc;
	if ((v->pos != NULL && mysql_stmt_bind_param(st, in)) ||
	    mysql_stmt_execute(st))
		return db_stmt_error(db, st, "lag check");
	if (mysql_stmt_bind_result(st, &out)) {
		err = db_stmt_error(db, st, "lag check bind");
		goto out;
	}
	if ((rc = mysql_stmt_fetch(st)) == 1)
		err = db_stmt_error(db, st, "lag check fetch");
	else if (rc != 0 || (v->text != NULL && outlen >= v->size))
		err = CA_ERR_INTERNAL;	/* no row, or a position too long */
	else if (v->text != NULL)
		v->text[outlen] = '\0';
	v->null = isnull;
out:
	(void)mysql_stmt_free_result(st);
	return err;
}

static enum ca_err
sample_primary(struct db_pool *p, char *pos, size_t size)
{
	struct one_value	 v = { SQL_GTID_BINLOG_POS, NULL, 0, pos,
				    size, 0, 0 };
	enum ca_err		 err;

	if ((err = db_run(p->primary, run_one_value, &v)) != CA_OK)
		return err;
	return v.null ? CA_ERR_INTERNAL : CA_OK;
}

/* MASTER_GTID_WAIT: 0 reached, -1 not within the wait, NULL not a replica. */
static enum ca_err
reached(struct db_pool *p, struct db *db, const char *pos, long long wait_ms,
    int *yes)
{
	struct one_value	 v = { SQL_GTID_WAIT, pos,
				    (double)wait_ms / 1000, NULL, 0, -1, 0 };
	enum ca_err		 err;

	(void)p;
	if ((err = db_run(db, run_one_value, &v)) != CA_OK)
		return err;
	*yes = !v.null && v.num == 0;
	return CA_OK;
}

/* The state of replicas, and its changes (each logged once). */

static void
went_down(struct db_pool *p, struct db_pool_replica *r)
{
	if (r->state != DB_POOL_DOWN)
		log_error("%s: down (%s), skipped: reads go to the next "
		    "replica or the primary; tried again every %d s", r->name,
		    r->db.connect_why[0] != '\0' ? r->db.connect_why :
		    "connection lost or refused", DB_POOL_RETRY_MS / 1000);
	r->state = DB_POOL_DOWN;
	r->next_check = now_ms(p) + DB_POOL_RETRY_MS;
}

static void
fell_behind(struct db_pool *p, struct db_pool_replica *r, const char *how)
{
	if (r->state != DB_POOL_BEHIND)
		log_error("%s: %s, skipped: reads go to the next replica or "
		    "the primary; checked again every %d s", r->name, how,
		    DB_POOL_CHECK_MS / 1000);
	r->state = DB_POOL_BEHIND;
	r->next_check = now_ms(p) + DB_POOL_CHECK_MS;
}

static void
in_use(struct db_pool *p, struct db_pool_replica *r)
{
	long long	 now = now_ms(p);

	if (r->state == DB_POOL_DOWN || r->state == DB_POOL_BEHIND)
		log_error("%s: in use again (it holds what the primary had "
		    "%lld ms ago)", r->name, now - r->confirmed_at);
	r->state = DB_POOL_IN_USE;
	r->next_check = now + DB_POOL_CHECK_MS;
}

static void
add_sample(struct db_pool *p, long long at, const char *pos)
{
	struct db_pool_sample	*s = &p->sample[p->nsample++ % DB_POOL_SAMPLES];

	s->at = at;
	snprintf(s->pos, sizeof(s->pos), "%s", pos);
}

/*
 * The oldest position kept that is recent enough (taken at most
 * max_lag_ms before now), other than the newest: a replica that has it
 * is within the bound. NULL when there is none.
 */
static const struct db_pool_sample *
oldest_in_bound(const struct db_pool *p, long long now)
{
	const struct db_pool_sample	*s, *best = NULL;
	size_t				 i, n;

	n = p->nsample < DB_POOL_SAMPLES ? p->nsample : DB_POOL_SAMPLES;
	for (i = 0; i < n; i++) {
		s = &p->sample[i];
		if (s == &p->sample[(p->nsample - 1) % DB_POOL_SAMPLES] ||
		    now - s->at > p->max_lag_ms)
			continue;
		if (best == NULL || s->at < best->at)
			best = s;
	}
	return best;
}

/* Measure r's lag now and set its state. */
static void
check(struct db_pool *p, struct db_pool_replica *r)
{
	const struct db_pool_sample	*old;
	char				 pos[DB_POOL_GTID_MAX];
	long long			 t, wait;
	enum ca_err			 err;
	int				 yes = 0;

	/* Retries of a replica already skipped add no log lines. */
	r->db.quiet = r->state == DB_POOL_DOWN || r->state == DB_POOL_BEHIND;
	p->primary->quiet = p->primary_blind;
	share(p, p->primary, 0);
	t = now_ms(p);
	err = p->sample_primary(p, pos, sizeof(pos));
	p->primary->quiet = 0;
	if (err != CA_OK) {
		/*
		 * No primary to compare with. It takes no writes while it
		 * is down, so a replica in use stays in use; one not in use
		 * is not taken up unmeasured.
		 */
		if (!p->primary_blind)
			log_error("the primary cannot be reached: the lag of "
			    "replicas cannot be measured; those in use stay "
			    "in use, the others are not used");
		p->primary_blind = 1;
		r->next_check = now_ms(p) + DB_POOL_CHECK_MS;
		return;
	}
	if (p->primary_blind)
		log_error("the primary answers again: replica lag measured "
		    "again");
	p->primary_blind = 0;
	add_sample(p, t, pos);

	share(p, &r->db, 0);
	wait = (r->db.deadline - now_ms(p)) / 4;
	if (wait > DB_POOL_WAIT_MS)
		wait = DB_POOL_WAIT_MS;
	if (wait < 0)
		wait = 0;
	err = p->reached(p, &r->db, pos, wait, &yes);
	if (err == CA_OK && yes)
		r->confirmed_at = t;
	else if (err == CA_OK && (old = oldest_in_bound(p, now_ms(p))) !=
	    NULL) {
		err = p->reached(p, &r->db, old->pos, 0, &yes);
		if (err == CA_OK && yes && old->at > r->confirmed_at)
			r->confirmed_at = old->at;
	}
	r->db.quiet = 0;
	if (err == CA_ERR_DB_UNAVAILABLE)
		went_down(p, r);
	else if (err != CA_OK)	/* e.g. no MASTER_GTID_WAIT (db.c says) */
		fell_behind(p, r, "its lag cannot be measured");
	else if (r->confirmed_at == 0 ||
	    now_ms(p) - r->confirmed_at > p->max_lag_ms) {
		char	 how[96];

		snprintf(how, sizeof(how), "behind the primary by more than "
		    "replica-max-lag (%lld s)", p->max_lag_ms / 1000);
		fell_behind(p, r, how);
	} else
		in_use(p, r);
}

/* 1 when r may serve a read now (measured first when that is due). */
static int
usable(struct db_pool *p, struct db_pool_replica *r)
{
	long long	 now = now_ms(p);

	if (r->state == DB_POOL_UNCHECKED || now >= r->next_check ||
	    (r->state == DB_POOL_IN_USE && !p->primary_blind &&
	    now - r->confirmed_at > p->max_lag_ms))
		check(p, r);
	return r->state == DB_POOL_IN_USE;
}

/* The store over the pool. */

/* Keys: the primary; a replica in use only when it cannot be reached. */
static enum ca_err
pool_key_lookup(void *ctx, const char *key_hash, char client_id[ID_SIZE])
{
	struct db_pool		*p = ctx;
	struct db_pool_replica	*r;
	enum ca_err		 err;
	size_t			 i, left = 0;

	for (i = 0; i < p->nreplica; i++)
		left += p->replica[i].state == DB_POOL_IN_USE;
	share(p, p->primary, left == 0);
	err = p->inner->key_lookup(p->primary, key_hash, client_id);
	for (i = 0; i < p->nreplica && err == CA_ERR_DB_UNAVAILABLE; i++) {
		r = &p->replica[i];
		if (r->state != DB_POOL_IN_USE)
			continue;
		log_error("the primary cannot be reached: key looked up on "
		    "%s", r->name);
		share(p, &r->db, --left == 0);
		if ((err = p->inner->key_lookup(&r->db, key_hash,
		    client_id)) == CA_ERR_DB_UNAVAILABLE)
			went_down(p, r);
	}
	return err;
}

/*
 * A read (a page, one call): run on the first replica in use, else the
 * next, else the primary. A replica that is unavailable or misconfigured
 * is skipped for the next server, unless rows went on from it already
 * (*handed > 0: the caller holds them, a retry would hand them on twice).
 */
static enum ca_err
pool_read(struct db_pool *p, enum ca_err (*run)(struct db_pool *,
    struct db *, void *), void *arg, const int *handed)
{
	struct db_pool_replica	*r;
	enum ca_err		 err;
	size_t			 i;

	for (i = 0; i < p->nreplica; i++) {
		r = &p->replica[i];
		if (!usable(p, r))
			continue;
		share(p, &r->db, 0);
		err = run(p, &r->db, arg);
		if ((err != CA_ERR_DB_UNAVAILABLE && err != CA_ERR_CONFIG) ||
		    *handed > 0)
			return err;
		went_down(p, r);
	}
	share(p, p->primary, 1);
	return run(p, p->primary, arg);
}

/* A listing, counting the rows it hands on. */
struct list_read {
	const struct list_query	*q;
	int			(*each)(void *, const struct call *);
	void			*arg;
	int			 handed;
	int			*floor_found;
	struct cursor_pos	*floor;
};

static int
count_row(void *arg, const struct call *row)
{
	struct list_read	*k = arg;

	k->handed++;
	return k->each(k->arg, row);
}

static enum ca_err
run_list(struct db_pool *p, struct db *db, void *arg)
{
	struct list_read	*k = arg;

	return p->inner->list_calls(db, k->q, count_row, k, k->floor_found,
	    k->floor);
}

static enum ca_err
pool_list_calls(void *ctx, const struct list_query *q,
    int (*each)(void *, const struct call *), void *arg, int *floor_found,
    struct cursor_pos *floor)
{
	struct list_read	 k = { q, each, arg, 0, floor_found, floor };

	return pool_read(ctx, run_list, &k, &k.handed);
}

/* One call: it hands nothing on before it returns, so any failure may go
 * on to the next server. */
struct call_read {
	const char	*client_id;
	const char	*call_sid;
	size_t		 sid_len;
	struct call	*out;
};

static enum ca_err
run_get_call(struct db_pool *p, struct db *db, void *arg)
{
	struct call_read	*c = arg;

	return p->inner->get_call(db, c->client_id, c->call_sid, c->sid_len,
	    c->out);
}

static enum ca_err
pool_get_call(void *ctx, const char *client_id, const char *call_sid,
    size_t sid_len, struct call *out)
{
	struct call_read	 c = { client_id, call_sid, sid_len, out };
	static const int	 none = 0;

	return pool_read(ctx, run_get_call, &c, &none);
}

const struct store_ops db_pool_store_ops = { pool_key_lookup,
    pool_list_calls, pool_get_call };
