#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "log.h"
#include "sql.h"

/* The SELECT list: the sql of each of CALL_FIELDS, in its order. */
#define PAGE_COLUMN(name, kind, size, nullable, sql)	sql
#define PAGE_COLUMN_SEP					", "
#define PAGE_SELECT \
	"SELECT " CALL_FIELDS(PAGE_COLUMN, PAGE_COLUMN_SEP) \
	" FROM calls c LEFT JOIN agents a" \
	" ON a.client_id = c.client_id AND a.agent_id = c.agent_id" \
	" WHERE c.client_id = ?"
#define PAGE_ORDER \
	" ORDER BY c.created_at DESC, c.call_sid DESC LIMIT ?"

/*
 * The seek predicate is spelled out: MariaDB does not range-scan a
 * row-value comparison (created_at, call_sid) < (?, ?).
 */
const char *const sql_text[SQL__COUNT] = {
	[SQL_KEY_LOOKUP] = "SELECT client_id FROM api_keys"
	    " WHERE key_hash = ? AND revoked_at IS NULL",
	[SQL_PAGE_FIRST] = PAGE_SELECT PAGE_ORDER,
	[SQL_PAGE_AFTER] = PAGE_SELECT
	    " AND (c.created_at < ? OR (c.created_at = ? AND c.call_sid < ?))"
	    PAGE_ORDER,
	/*
	 * Replica lag (lib/db_pool.c; no privilege needed): the primary's
	 * position, and whether a replica has applied one, waiting up to
	 * the seconds given (0 yes, -1 no, NULL not a replica).
	 */
	[SQL_GTID_BINLOG_POS] = "SELECT @@gtid_binlog_pos",
	[SQL_GTID_WAIT] = "SELECT MASTER_GTID_WAIT(?, ?)",
};

/* n bytes of s as a string parameter (NUL bytes inside included). */
static void
bind_bytes(MYSQL_BIND *b, const char *s, size_t n, unsigned long *len)
{
	memset(b, 0, sizeof(*b));
	*len = (unsigned long)n;
	b->buffer_type = MYSQL_TYPE_STRING;
	b->buffer = (void *)(uintptr_t)s;
	b->buffer_length = *len;
	b->length = len;
}

static void
bind_string(MYSQL_BIND *b, const char *s, unsigned long *len)
{
	bind_bytes(b, s, strlen(s), len);
}

static void
ts_to_mysql(const struct ts *t, MYSQL_TIME *m)
{
	memset(m, 0, sizeof(*m));
	m->year = (unsigned int)t->year;
	m->month = (unsigned int)t->month;
	m->day = (unsigned int)t->day;
	m->hour = (unsigned int)t->hour;
	m->minute = (unsigned int)t->minute;
	m->second = (unsigned int)t->second;
	m->second_part = (unsigned long)t->usec;
	m->time_type = MYSQL_TIMESTAMP_DATETIME;
}

static void
ts_from_mysql(const MYSQL_TIME *m, struct ts *t)
{
	t->year = (int)m->year;
	t->month = (int)m->month;
	t->day = (int)m->day;
	t->hour = (int)m->hour;
	t->minute = (int)m->minute;
	t->second = (int)m->second;
	t->usec = (long)m->second_part;
}

/* Key lookup. */

struct key_lookup {
	const char	*key_hash;
	char		*client_id;	/* ID_SIZE bytes */
};

/* Read-only and hands nothing on: it may always be run again. */
static enum ca_err
run_key_lookup(struct db *db, void *arg, int *may_retry)
{
	struct key_lookup	*k = arg;
	MYSQL_STMT		*st;
	MYSQL_BIND		 in, out;
	unsigned long		 inlen, outlen = 0;
	my_bool			 isnull = 0, trunc = 0;
	enum ca_err		 err;
	int			 rc;

	(void)may_retry;
	if ((st = db_stmt(db, SQL_KEY_LOOKUP, &err)) == NULL)
		return err;
	bind_string(&in, k->key_hash, &inlen);
	memset(&out, 0, sizeof(out));
	out.buffer_type = MYSQL_TYPE_STRING;
	out.buffer = k->client_id;
	out.buffer_length = ID_SIZE - 1;
	out.length = &outlen;
	out.is_null = &isnull;
	out.error = &trunc;

	if (mysql_stmt_bind_param(st, &in) || mysql_stmt_execute(st))
		return db_stmt_error(db, st, "key lookup");
	if (mysql_stmt_bind_result(st, &out)) {
		err = db_stmt_error(db, st, "key lookup bind");
		goto out;
	}
	rc = mysql_stmt_fetch(st);
	if (rc == MYSQL_NO_DATA)
		err = CA_ERR_AUTH_INVALID;
	else if (rc == 0 && !isnull && outlen < ID_SIZE) {
		k->client_id[outlen] = '\0';
		err = CA_OK;
	} else if (rc == 1)
		err = db_stmt_error(db, st, "key lookup fetch");
	else
		err = CA_ERR_INTERNAL;	/* truncated: cannot happen */
out:
	(void)mysql_stmt_free_result(st);
	return err;
}

static enum ca_err
key_lookup(void *ctx, const char *key_hash, char client_id[ID_SIZE])
{
	struct key_lookup	 k = { key_hash, client_id };

	return db_run(ctx, run_key_lookup, &k);
}

/* Page query: the result columns, bound into one struct call. */


/* One result column per field: the SELECT list is CALL_FIELDS too. */
#define NCOLS	CALL_NFIELDS

struct row_binding {
	MYSQL_BIND	 bind[NCOLS];
	unsigned long	 len[NCOLS];
	my_bool		 isnull[NCOLS];
	my_bool		 trunc[NCOLS];
	MYSQL_TIME	 time[NCOLS];
	signed char	 tiny[NCOLS];
	unsigned int	 uint[NCOLS];
	struct call	 row;
};

/*
 * Binding and finishing one column, by the field's declared kind: each
 * takes the member itself, so a member of another type does not compile.
 */

static void
bind_text(MYSQL_BIND *b, char *v, size_t size)
{
	b->buffer_type = MYSQL_TYPE_STRING;
	b->buffer = v;
	b->buffer_length = size - 1;	/* room for NUL */
}

static void
bind_STR(struct row_binding *rb, size_t i, char (*v)[], size_t size)
{
	bind_text(&rb->bind[i], *v, size);
}

static void
bind_DECIMAL(struct row_binding *rb, size_t i, char (*v)[], size_t size)
{
	bind_text(&rb->bind[i], *v, size);
}

static void
bind_BOOL(struct row_binding *rb, size_t i, int *v, size_t size)
{
	(void)v;
	(void)size;
	rb->bind[i].buffer_type = MYSQL_TYPE_TINY;
	rb->bind[i].buffer = &rb->tiny[i];
}

static void
bind_ULONG(struct row_binding *rb, size_t i, unsigned long *v, size_t size)
{
	(void)v;
	(void)size;
	rb->bind[i].buffer_type = MYSQL_TYPE_LONG;
	rb->bind[i].buffer = &rb->uint[i];
	rb->bind[i].is_unsigned = 1;
}

static void
bind_TS(struct row_binding *rb, size_t i, struct ts *v, size_t size)
{
	(void)v;
	(void)size;
	rb->bind[i].buffer_type = MYSQL_TYPE_DATETIME;
	rb->bind[i].buffer = &rb->time[i];
}

/* A column's name for the log: its JSON key without ,"": */
#define FIELD_NAME(i) \
	(int)(call_fields[i].key_len - 4), call_fields[i].key + 2

/* Text as fetched: the connector's length is kept (NUL bytes inside). */
static int
finish_text(struct row_binding *rb, size_t i, char *v, size_t size)
{
	if (rb->len[i] >= size) {
		log_error("database: page row: %.*s of %lu bytes over its %zu",
		    FIELD_NAME(i), rb->len[i], size - 1);
		return -1;
	}
	v[rb->len[i]] = '\0';
	rb->row.len[i] = rb->len[i];
	return 0;
}

static int
finish_STR(struct row_binding *rb, size_t i, char (*v)[], size_t size)
{
	return finish_text(rb, i, *v, size);
}

static int
finish_DECIMAL(struct row_binding *rb, size_t i, char (*v)[], size_t size)
{
	return finish_text(rb, i, *v, size);
}

static int
finish_BOOL(struct row_binding *rb, size_t i, int *v, size_t size)
{
	(void)size;
	*v = rb->tiny[i] != 0;
	return 0;
}

static int
finish_ULONG(struct row_binding *rb, size_t i, unsigned long *v, size_t size)
{
	(void)size;
	*v = rb->uint[i];
	return 0;
}

static int
finish_TS(struct row_binding *rb, size_t i, struct ts *v, size_t size)
{
	(void)size;
	ts_from_mysql(&rb->time[i], v);
	return 0;
}

/* A NULL column: 1 when the field may be null (its bit is set), else -1. */
static int
finish_null(struct row_binding *rb, size_t i)
{
	if (call_fields[i].null_bit == 0) {
		log_error("database: page row: %.*s is NULL", FIELD_NAME(i));
		return -1;	/* NOT NULL column came back NULL */
	}
	rb->row.null |= call_fields[i].null_bit;
	return 1;
}

static void
bind_row(struct row_binding *rb)
{
	size_t	 i;

	memset(rb->bind, 0, sizeof(rb->bind));
	for (i = 0; i < NCOLS; i++) {
		rb->bind[i].length = &rb->len[i];
		rb->bind[i].is_null = &rb->isnull[i];
		rb->bind[i].error = &rb->trunc[i];
	}
#define BIND_FIELD(name, kind, size, nullable, sql) \
	bind_##kind(rb, CALL_F_##name, &rb->row.name, sizeof(rb->row.name));
	CALL_FIELDS(BIND_FIELD, CALL_NO_SEP)
#undef BIND_FIELD
}

/* Finish the fetched row in rb->row: lengths, terminators, conversions,
 * nulls. */
static int
finish_row(struct row_binding *rb)
{
	size_t	 i;

	rb->row.null = 0;
	for (i = 0; i < NCOLS; i++)
		rb->row.len[i] = 0;
#define FINISH_FIELD(name, kind, size, nullable, sql) \
	if ((rb->isnull[CALL_F_##name] ? finish_null(rb, CALL_F_##name) : \
	    finish_##kind(rb, CALL_F_##name, &rb->row.name, \
	    sizeof(rb->row.name))) == -1) \
		return -1;
	CALL_FIELDS(FINISH_FIELD, CALL_NO_SEP)
#undef FINISH_FIELD
	return 0;
}

struct page_query {
	const char		*client_id;
	const struct cursor_pos	*after;
	int			 fetch;
	int			(*each)(void *, const struct call *);
	void			*arg;
	int			 handed;	/* rows given to each() */
};

/*
 * May be run again until its first row goes to each(): after that a retry
 * would hand rows over twice, so a lost connection fails the listing.
 */
static enum ca_err
run_page(struct db *db, void *arg, int *may_retry)
{
	static struct row_binding	 rb;	/* one per process, reused */
	struct page_query		*q = arg;
	MYSQL_STMT			*st;
	MYSQL_BIND			 in[5];
	MYSQL_TIME			 when;
	unsigned long			 idlen, sidlen;
	int				 limit = q->fetch, rc, nin = 0;
	enum ca_err			 err = CA_OK;

	if ((st = db_stmt(db, q->after != NULL ? SQL_PAGE_AFTER :
	    SQL_PAGE_FIRST, &err)) == NULL)
		return err;
	memset(in, 0, sizeof(in));
	bind_string(&in[nin++], q->client_id, &idlen);
	if (q->after != NULL) {
		ts_to_mysql(&q->after->created_at, &when);
		in[nin].buffer_type = MYSQL_TYPE_DATETIME;
		in[nin++].buffer = &when;
		in[nin].buffer_type = MYSQL_TYPE_DATETIME;
		in[nin++].buffer = &when;
		bind_bytes(&in[nin++], q->after->call_sid,
		    q->after->call_sid_len, &sidlen);
	}
	in[nin].buffer_type = MYSQL_TYPE_LONG;
	in[nin].buffer = &limit;

	if (mysql_stmt_bind_param(st, in) || mysql_stmt_execute(st))
		return db_stmt_error(db, st, "page query");
	if (mysql_stmt_field_count(st) != NCOLS || call_nfields != NCOLS) {
		log_error("database: page query has %u columns, expected %d",
		    mysql_stmt_field_count(st), NCOLS);
		err = CA_ERR_INTERNAL;
		goto out;
	}
	bind_row(&rb);
	if (mysql_stmt_bind_result(st, rb.bind)) {
		err = db_stmt_error(db, st, "page bind");
		goto out;
	}
	/* Each row goes on as it is fetched, from the one reused binding. */
	while ((rc = mysql_stmt_fetch(st)) == 0) {
		*may_retry = 0;
		if (q->handed++ >= q->fetch || finish_row(&rb) == -1 ||
		    q->each(q->arg, &rb.row) == -1) {
			err = CA_ERR_INTERNAL;
			goto out;
		}
	}
	if (rc == 1)
		err = db_stmt_error(db, st, "page fetch");
	else if (rc != MYSQL_NO_DATA)
		err = CA_ERR_INTERNAL;	/* MYSQL_DATA_TRUNCATED */
out:
	(void)mysql_stmt_free_result(st);
	return err;
}

static enum ca_err
list_calls(void *ctx, const char *client_id, const struct cursor_pos *after,
    int fetch, int (*each)(void *, const struct call *), void *arg)
{
	struct page_query	 q = { client_id, after, fetch, each, arg, 0 };

	return db_run(ctx, run_page, &q);
}

const struct store_ops sql_store_ops = { key_lookup, list_calls };
