#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "agent_cache.h"
#include "log.h"
#include "sql.h"

/* The SELECT list: the sql of each of CALL_FIELDS, in its order. */
#define PAGE_COLUMN(name, kind, size, nullable, sql)	sql
#define PAGE_COLUMN_SEP					", "
#define PAGE_SELECT \
	"SELECT " CALL_FIELDS(PAGE_COLUMN, PAGE_COLUMN_SEP) " FROM calls c"
#define CALL_JOIN \
	" LEFT JOIN agents a" \
	" ON a.client_id = c.client_id AND a.agent_id = c.agent_id"
#define PAGE_JOIN \
	CALL_JOIN " WHERE c.client_id = ?"
#define PAGE_BARE \
	" WHERE c.client_id = ?"
#define FLOOR_SELECT \
	"SELECT c.created_at, c.call_sid FROM calls c FORCE INDEX (PRIMARY)" \
	" WHERE c.client_id = ?"

const char *const sql_text[SQL__COUNT] = {
	[SQL_KEY_LOOKUP] = "SELECT client_id FROM api_keys"
	    " WHERE key_hash = ? AND revoked_at IS NULL",
	/*
	 * One call by the unique key calls_by_call_sid (client_id,
	 * call_sid): another organisation's call_sid and one that does not
	 * exist are both one index lookup that finds nothing. Forced: a
	 * table of an earlier release, upgraded by schema/30-filter-
	 * indexes.sql, keeps its unique key calls_call_sid (call_sid), and
	 * MariaDB 10.11 then looks up by that one, the first unique key the
	 * WHERE binds: the answer is the same, but the other organisation's
	 * row is read (tests/15-schema-portable.t). Until the upgrade, the
	 * prepare fails (500 server_misconfigured), as filtered pages do.
	 * utf8mb4_bin pads with spaces ('x' = 'x '): the byte length makes
	 * the match exact.
	 */
	[SQL_GET_CALL] = PAGE_SELECT
	    " FORCE INDEX (calls_by_call_sid)" CALL_JOIN
	    " WHERE c.call_sid = ? AND c.client_id = ?"
	    " AND OCTET_LENGTH(c.call_sid) = ?",
	/*
	 * Replica lag (lib/db_pool.c; no privilege needed): the primary's
	 * position, and whether a replica has applied one, waiting up to
	 * the seconds given (0 yes, -1 no, NULL not a replica).
	 */
	[SQL_GTID_BINLOG_POS] = "SELECT @@gtid_binlog_pos",
	[SQL_GTID_WAIT] = "SELECT MASTER_GTID_WAIT(?, ?)",
};

_Static_assert(LIST_NEQ <= 6, "six eq bits in a shape");

/*
 * The index of a filtered page: that of its first filter. Left to itself
 * MariaDB 10.11 reads such an index by ref on (client_id, <filter>) and,
 * newest first, from the newest row back to the seek: 2,550 row reads for
 * a page of 50 at depth 10,000 of 20,000 (Handler_read_prev); forced, it
 * range-scans from the seek: 50 (tests/32-filters.t checks it). With two
 * filters or more the range also stops at the floor.
 *
 * A page without a filter forces PRIMARY, the index MariaDB picks anyway:
 * client_id = ? leads all eight indexes of calls, and left to itself the
 * optimizer weighs a range on each of them at every execute (prepared
 * statements are optimized again each time). Forced, a page of 51 rows
 * took 56 us of server time instead of 102 (a server-side loop of
 * EXECUTEs, sample data); through lighttpd, MariaDB's CPU per request fell
 * by 15 to 40 % (bench/agents.sh, side T against A).
 */
#define EQ_INDEX(name, chars)	" FORCE INDEX (calls_by_" #name ")",
static const char *const eq_index[LIST_NEQ] = {
	LIST_EQ_FILTERS(EQ_INDEX)
};
#undef EQ_INDEX

/*
 * One condition per equality filter, LIST_EQ_FILTERS order. utf8mb4_bin
 * pads with spaces ('x' = 'x '): the byte length makes the match exact.
 */
#define EQ_CONDITION(name, chars) \
	" AND c." #name " = ? AND OCTET_LENGTH(c." #name ") = ?",
static const char *const eq_condition[LIST_NEQ] = {
	LIST_EQ_FILTERS(EQ_CONDITION)
};
#undef EQ_CONDITION

/*
 * Keyset comparisons, spelled out: MariaDB does not range-scan a
 * row-value comparison (created_at, call_sid) < (?, ?). Index: [desc]
 * [inclusive]. The seek keeps rows past the position in the scan
 * direction; the floor keeps rows not past the floor.
 */
static const char *const seek_condition[2][2] = {
	{ " AND (c.created_at > ? OR (c.created_at = ? AND c.call_sid > ?))",
	  " AND (c.created_at > ? OR (c.created_at = ? AND c.call_sid >= ?))" },
	{ " AND (c.created_at < ? OR (c.created_at = ? AND c.call_sid < ?))",
	  " AND (c.created_at < ? OR (c.created_at = ? AND c.call_sid <= ?))" },
};
static const char *const floor_condition[2] = {
	" AND (c.created_at < ? OR (c.created_at = ? AND c.call_sid <= ?))",
	" AND (c.created_at > ? OR (c.created_at = ? AND c.call_sid >= ?))",
};
static const char *const scan_order[2] = {
	" ORDER BY c.created_at, c.call_sid",
	" ORDER BY c.created_at DESC, c.call_sid DESC",
};

/* Append s at buf + *n; -1 when it does not fit. */
static int
text_put(char *buf, size_t cap, size_t *n, const char *s)
{
	size_t	 len = strlen(s);

	if (len >= cap - *n)
		return -1;
	memcpy(buf + *n, s, len + 1);
	*n += len;
	return 0;
}

/* The SELECT list of the page without the join: agent_name NULL. */
#define BARE_COLUMN(name, kind, size, nullable, sql)	sql,
static const char *const bare_column[CALL_NFIELDS] = {
	CALL_FIELDS(BARE_COLUMN, CALL_NO_SEP)
};
#undef BARE_COLUMN

static int
bare_select(char *buf, size_t cap, size_t *n)
{
	size_t	 i;

	if (text_put(buf, cap, n, "SELECT ") == -1)
		return -1;
	for (i = 0; i < CALL_NFIELDS; i++)
		if ((i > 0 && text_put(buf, cap, n, ", ") == -1) ||
		    text_put(buf, cap, n, i == CALL_F_agent_name ? "NULL" :
		    bare_column[i]) == -1)
			return -1;
	return text_put(buf, cap, n, " FROM calls c");
}

int
sql_shape_text(unsigned long shape, const void *arg, char *buf, size_t cap)
{
	int	 desc = (shape & SQL_SHAPE_DESC) != 0;
	int	 floorq = (shape & SQL_SHAPE_FLOOR) != 0;
	int	 bare = (shape & SQL_SHAPE_BARE) != 0 && !floorq;
	size_t	 i, n = 0;

	(void)arg;
	if (cap == 0 || (bare ? bare_select(buf, cap, &n) : text_put(buf,
	    cap, &n, floorq ? FLOOR_SELECT : PAGE_SELECT)) == -1)
		return -1;
	for (i = 0; i < LIST_NEQ && !floorq; i++)
		if ((shape & SQL_SHAPE_EQ(i)) != 0)
			break;
	if (!floorq && text_put(buf, cap, &n, i < LIST_NEQ ? eq_index[i] :
	    " FORCE INDEX (PRIMARY)") == -1)
		return -1;
	if (!floorq && text_put(buf, cap, &n, bare ? PAGE_BARE :
	    PAGE_JOIN) == -1)
		return -1;
	for (i = 0; i < LIST_NEQ && !floorq; i++)
		if ((shape & SQL_SHAPE_EQ(i)) != 0 &&
		    text_put(buf, cap, &n, eq_condition[i]) == -1)
			return -1;
	if (((shape & SQL_SHAPE_AFTER) != 0 && text_put(buf, cap, &n,
	    " AND c.created_at >= ?") == -1) ||
	    ((shape & SQL_SHAPE_BEFORE) != 0 && text_put(buf, cap, &n,
	    " AND c.created_at < ?") == -1))
		return -1;
	if ((shape & SQL_SHAPE_SEEK) != 0 && text_put(buf, cap, &n,
	    seek_condition[desc][(shape & SQL_SHAPE_SEEK_INCL) != 0]) == -1)
		return -1;
	if ((shape & SQL_SHAPE_FLOORED) != 0 && !floorq &&
	    text_put(buf, cap, &n, floor_condition[desc]) == -1)
		return -1;
	/* The floor: the scan-limit-th row and whether one follows it,
	 * OFFSET bounded by scan-limit. */
	return text_put(buf, cap, &n, scan_order[desc]) == -1 ||
	    text_put(buf, cap, &n, floorq ? " LIMIT 2 OFFSET ?" :
	    " LIMIT ?") == -1 ? -1 : 0;
}

/*
 * SELECT agent_id, agent_name FROM agents WHERE client_id = ? AND agent_id
 * IN (?, ...) with key & ~SQL_NAMES_KEY placeholders in the list.
 */
int
sql_names_text(unsigned long key, const void *arg, char *buf, size_t cap)
{
	unsigned long	 i, n = key & ~SQL_NAMES_KEY;
	size_t		 len = 0;

	(void)arg;
	if (cap == 0 || n == 0 || n > SQL_NAMES_MAX || text_put(buf, cap, &len,
	    "SELECT agent_id, agent_name FROM agents WHERE client_id = ?"
	    " AND agent_id IN (?") == -1)
		return -1;
	for (i = 1; i < n; i++)
		if (text_put(buf, cap, &len, ", ?") == -1)
			return -1;
	return text_put(buf, cap, &len, ")");
}

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

/* Page and call queries: the result columns, bound into one struct call. */


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
		log_error("database: call row: %.*s of %lu bytes over its %zu",
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
		log_error("database: call row: %.*s is NULL", FIELD_NAME(i));
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

/* The row of every call query: one per process, reused. */
static struct row_binding	 row_buf;

/* Bind the executed statement's result columns to rb (what: for the log). */
static enum ca_err
bind_result_row(struct db *db, MYSQL_STMT *st, struct row_binding *b,
    const char *what)
{
	if (mysql_stmt_field_count(st) != NCOLS || call_nfields != NCOLS) {
		log_error("database: %s: %u columns, expected %d",
		    what, mysql_stmt_field_count(st), NCOLS);
		return CA_ERR_INTERNAL;
	}
	bind_row(b);
	if (mysql_stmt_bind_result(st, b->bind))
		return db_stmt_error(db, st, what);
	return CA_OK;
}

struct page_query {
	const struct list_query	*q;
	int			(*each)(void *, const struct call *);
	void			*arg;
	int			 handed;	/* rows given to each() */
	int			*floor_found;
	struct cursor_pos	*floor;
};

/* The binding of a keyset position (created_at twice, then call_sid). */
struct pos_binding {
	MYSQL_TIME	 when;
	unsigned long	 sidlen;
};

static void
bind_pos(MYSQL_BIND *in, size_t *nin, const struct cursor_pos *pos,
    struct pos_binding *pb)
{
	ts_to_mysql(&pos->created_at, &pb->when);
	in[*nin].buffer_type = MYSQL_TYPE_DATETIME;
	in[(*nin)++].buffer = &pb->when;
	in[*nin].buffer_type = MYSQL_TYPE_DATETIME;
	in[(*nin)++].buffer = &pb->when;
	bind_bytes(&in[(*nin)++], pos->call_sid, pos->call_sid_len,
	    &pb->sidlen);
}

/* The shape both queries of a listing share: window, direction, seek. */
static unsigned long
scan_shape(const struct list_query *q)
{
	unsigned long	 shape = 0;

	if (q->params->has_created_after)
		shape |= SQL_SHAPE_AFTER;
	if (q->params->has_created_before)
		shape |= SQL_SHAPE_BEFORE;
	if (q->desc)
		shape |= SQL_SHAPE_DESC;
	if (q->seek != NULL)
		shape |= SQL_SHAPE_SEEK | (q->seek->inclusive ?
		    SQL_SHAPE_SEEK_INCL : 0);
	return shape;
}

/*
 * The parameters both queries start with, in the order of their text:
 * client_id, (page query:) the filters' values, the window, the seek.
 */
struct scan_binding {
	MYSQL_BIND		 in[32];
	size_t			 n;
	unsigned long		 idlen, eqlen[LIST_NEQ];
	unsigned long long	 eqoctets[LIST_NEQ];
	MYSQL_TIME		 after, before;
	struct pos_binding	 seek, floor;
};

static void
bind_scan(struct scan_binding *sb, const struct list_query *q, int filters)
{
	const struct list_params	*p = q->params;
	size_t				 i;

	memset(sb->in, 0, sizeof(sb->in));
	sb->n = 0;
	bind_string(&sb->in[sb->n++], q->client_id, &sb->idlen);
	for (i = 0; i < LIST_NEQ && filters; i++)
		if (p->eq[i].value != NULL) {
			bind_bytes(&sb->in[sb->n++], p->eq[i].value,
			    p->eq[i].len, &sb->eqlen[i]);
			sb->eqoctets[i] = p->eq[i].len;
			sb->in[sb->n].buffer_type = MYSQL_TYPE_LONGLONG;
			sb->in[sb->n].is_unsigned = 1;
			sb->in[sb->n++].buffer = &sb->eqoctets[i];
		}
	if (p->has_created_after) {
		ts_to_mysql(&p->created_after, &sb->after);
		sb->in[sb->n].buffer_type = MYSQL_TYPE_DATETIME;
		sb->in[sb->n++].buffer = &sb->after;
	}
	if (p->has_created_before) {
		ts_to_mysql(&p->created_before, &sb->before);
		sb->in[sb->n].buffer_type = MYSQL_TYPE_DATETIME;
		sb->in[sb->n++].buffer = &sb->before;
	}
	if (q->seek != NULL)
		bind_pos(sb->in, &sb->n, q->seek, &sb->seek);
}

/*
 * The floor: the position of the scan_limit-th row of the organisation
 * from the seek, in scan order and window, filters aside (one range read
 * of the primary key). *found 0 when no row follows it (the scan reaches
 * the end within scan_limit rows: no bound needed, and no cursor to an
 * empty page).
 */
static enum ca_err
find_floor(struct db *db, const struct list_query *q, int *found,
    struct cursor_pos *floor)
{
	struct scan_binding	 sb;
	MYSQL_STMT		*st;
	MYSQL_BIND		 out[2];
	MYSQL_TIME		 when;
	char			 sid[CALL_SID_BYTES + 1];
	unsigned long		 sidlen = 0;
	my_bool			 isnull[2] = { 0, 0 }, trunc[2] = { 0, 0 };
	int			 offset = q->scan_limit - 1, rc;
	enum ca_err		 err = CA_OK;

	*found = 0;
	if ((st = db_stmt_keyed(db, scan_shape(q) | SQL_SHAPE_FLOOR,
	    sql_shape_text, NULL, &err)) == NULL)
		return err;
	bind_scan(&sb, q, 0);
	sb.in[sb.n].buffer_type = MYSQL_TYPE_LONG;
	sb.in[sb.n++].buffer = &offset;
	memset(out, 0, sizeof(out));
	out[0].buffer_type = MYSQL_TYPE_DATETIME;
	out[0].buffer = &when;
	out[0].is_null = &isnull[0];
	out[0].error = &trunc[0];
	out[1].buffer_type = MYSQL_TYPE_STRING;
	out[1].buffer = sid;
	out[1].buffer_length = CALL_SID_BYTES;
	out[1].length = &sidlen;
	out[1].is_null = &isnull[1];
	out[1].error = &trunc[1];

	if (mysql_stmt_bind_param(st, sb.in) || mysql_stmt_execute(st))
		return db_stmt_error(db, st, "floor query");
	if (mysql_stmt_bind_result(st, out)) {
		err = db_stmt_error(db, st, "floor bind");
		goto out;
	}
	rc = mysql_stmt_fetch(st);
	if (rc == 0 && !isnull[0] && !isnull[1] && sidlen <= CALL_SID_BYTES) {
		ts_from_mysql(&when, &floor->created_at);
		memcpy(floor->call_sid, sid, sidlen);
		floor->call_sid[sidlen] = '\0';
		floor->call_sid_len = sidlen;
		floor->dir = CURSOR_NEXT;
		floor->inclusive = 0;
		/* Whether a row follows (fetched into the same buffers). */
		if ((rc = mysql_stmt_fetch(st)) == 0 ||
		    rc == MYSQL_DATA_TRUNCATED)
			*found = 1;
		else if (rc == 1)
			err = db_stmt_error(db, st, "floor fetch");
	} else if (rc == 1)
		err = db_stmt_error(db, st, "floor fetch");
	else if (rc != MYSQL_NO_DATA) {
		log_error("database: floor row: call_sid of %lu bytes", sidlen);
		err = CA_ERR_INTERNAL;	/* truncated: cannot happen */
	}
out:
	(void)mysql_stmt_free_result(st);
	return err;
}

/* The cache of agent names for pages; NULL: the join. */
static struct agent_cache	*agent_names;

void
sql_set_agent_cache(struct agent_cache *c)
{
	agent_names = c;
}

/* Execute the page statement of shape with q's parameters (and floor). */
static MYSQL_STMT *
page_execute(struct db *db, struct page_query *pq, unsigned long shape,
    enum ca_err *err)
{
	const struct list_query	*q = pq->q;
	struct scan_binding	 sb;
	MYSQL_STMT		*st;
	int			 limit = q->fetch;

	if ((st = db_stmt_keyed(db, shape, sql_shape_text, NULL,
	    err)) == NULL)
		return NULL;
	bind_scan(&sb, q, 1);
	if (*pq->floor_found)
		bind_pos(sb.in, &sb.n, pq->floor, &sb.floor);
	sb.in[sb.n].buffer_type = MYSQL_TYPE_LONG;
	sb.in[sb.n++].buffer = &limit;

	if (mysql_stmt_bind_param(st, sb.in) || mysql_stmt_execute(st)) {
		*err = db_stmt_error(db, st, "page query");
		return NULL;
	}
	if ((*err = bind_result_row(db, st, &row_buf, "page bind")) !=
	    CA_OK) {
		(void)mysql_stmt_free_result(st);
		return NULL;
	}
	return st;
}

/* The row's agent_name from the cache: 1, or 0 when it is not there. */
static int
cached_name(struct row_binding *rb, const char *client_id, long long now)
{
	const char	*name;
	size_t		 len;

	if (rb->isnull[CALL_F_agent_id] || rb->len[CALL_F_agent_id] >=
	    ID_SIZE || !agent_cache_get(agent_names, now, client_id,
	    strlen(client_id), rb->row.agent_id, rb->len[CALL_F_agent_id],
	    &name, &len))
		return 0;
	if (name == NULL) {
		rb->row.null |= CALL_NULL(agent_name);
		rb->row.len[CALL_F_agent_name] = 0;
		rb->row.agent_name[0] = '\0';
	} else {
		rb->row.null &= ~CALL_NULL(agent_name);
		memcpy(rb->row.agent_name, name, len);	/* len < NAME_SIZE */
		rb->row.agent_name[len] = '\0';
		rb->row.len[CALL_F_agent_name] = len;
	}
	return 1;
}

/*
 * Remember the finished row's agent name as the join found it: 1 when it
 * was cached already (the cache would have served this row), else 0.
 */
static int
cache_name(const struct call *c, long long now)
{
	const char	*name;
	size_t		 len;
	int		 none = (c->null & CALL_NULL(agent_name)) != 0;
	int		 had;

	had = agent_cache_get(agent_names, now, c->client_id,
	    call_text_len(c, CALL_F_client_id), c->agent_id,
	    call_text_len(c, CALL_F_agent_id), &name, &len);

	/* Not kept (no memory): the next page asks the join again. */
	(void)agent_cache_put(agent_names, now, c->client_id,
	    call_text_len(c, CALL_F_client_id), c->agent_id,
	    call_text_len(c, CALL_F_agent_id), none ? NULL : c->agent_name,
	    none ? 0 : call_text_len(c, CALL_F_agent_name));
	return had;
}

/* The distinct agent_ids of a page that the cache lacks. */
struct missing {
	char		 id[SQL_NAMES_MAX][ID_SIZE];
	size_t		 len[SQL_NAMES_MAX];
	int		 found[SQL_NAMES_MAX];
	size_t		 n;
};

static struct missing	 missing_buf;

/* Add id unless it is there: 0, or -1 when there are SQL_NAMES_MAX. */
static int
missing_add(struct missing *m, const char *id, size_t len)
{
	size_t	 i;

	for (i = 0; i < m->n; i++)
		if (m->len[i] == len && memcmp(m->id[i], id, len) == 0)
			return 0;
	if (m->n == SQL_NAMES_MAX)
		return -1;
	memcpy(m->id[m->n], id, len);
	m->len[m->n] = len;
	m->found[m->n++] = 0;
	return 0;
}

/* Without trailing spaces: how utf8mb4_bin (PAD SPACE) compares, as the
 * join does. */
static size_t
unpadded(const char *s, size_t n)
{
	while (n > 0 && s[n - 1] == ' ')
		n--;
	return n;
}

/*
 * The names of m's agents in one statement, each cached under the
 * agent_id as the page has it (its agents row matched as the join
 * matches it; none: cached as having no name).
 */
static enum ca_err
lookup_names(struct db *db, const char *client_id, struct missing *m,
    long long now)
{
	static const unsigned long	 arity[] = { 4, 16, 64, SQL_NAMES_MAX };
	static char			 id[ID_SIZE], name[NAME_SIZE];
	MYSQL_BIND			 in[1 + SQL_NAMES_MAX], out[2];
	MYSQL_STMT			*st;
	unsigned long			 inlen[1 + SQL_NAMES_MAX], n;
	unsigned long			 idlen = 0, namelen = 0;
	my_bool				 isnull[2] = { 0, 0 };
	my_bool				 trunc[2] = { 0, 0 };
	size_t				 i, j, u;
	enum ca_err			 err = CA_OK;
	int				 rc;

	for (i = 0; arity[i] < m->n; i++)
		;
	n = arity[i];
	if ((st = db_stmt_keyed(db, SQL_NAMES_KEY | n, sql_names_text, NULL,
	    &err)) == NULL)
		return err;
	memset(in, 0, sizeof(in));
	bind_string(&in[0], client_id, &inlen[0]);
	for (i = 0; i < n; i++) {
		j = i < m->n ? i : m->n - 1;	/* padded with the last */
		bind_bytes(&in[1 + i], m->id[j], m->len[j], &inlen[1 + i]);
	}
	memset(out, 0, sizeof(out));
	out[0].buffer_type = out[1].buffer_type = MYSQL_TYPE_STRING;
	out[0].buffer = id;
	out[0].buffer_length = ID_SIZE - 1;
	out[0].length = &idlen;
	out[1].buffer = name;
	out[1].buffer_length = NAME_SIZE - 1;
	out[1].length = &namelen;
	for (i = 0; i < 2; i++) {
		out[i].is_null = &isnull[i];
		out[i].error = &trunc[i];
	}
	if (mysql_stmt_bind_param(st, in) || mysql_stmt_execute(st))
		return db_stmt_error(db, st, "agent names query");
	if (mysql_stmt_bind_result(st, out)) {
		err = db_stmt_error(db, st, "agent names bind");
		goto out;
	}
	while ((rc = mysql_stmt_fetch(st)) == 0) {
		if (isnull[0] || idlen >= ID_SIZE || namelen >= NAME_SIZE) {
			err = CA_ERR_INTERNAL;	/* cannot happen */
			goto out;
		}
		u = unpadded(id, idlen);
		for (i = 0; i < m->n; i++)
			if (!m->found[i] && unpadded(m->id[i], m->len[i]) ==
			    u && memcmp(m->id[i], id, u) == 0) {
				m->found[i] = 1;
				(void)agent_cache_put(agent_names, now,
				    client_id, strlen(client_id), m->id[i],
				    m->len[i], isnull[1] ? NULL : name,
				    namelen);
			}
	}
	if (rc == 1)
		err = db_stmt_error(db, st, "agent names fetch");
	else if (rc != MYSQL_NO_DATA)
		err = CA_ERR_INTERNAL;	/* MYSQL_DATA_TRUNCATED */
	else
		for (i = 0; i < m->n; i++)
			if (!m->found[i])
				(void)agent_cache_put(agent_names, now,
				    client_id, strlen(client_id), m->id[i],
				    m->len[i], NULL, 0);
out:
	(void)mysql_stmt_free_result(st);
	return err;
}

/*
 * A pass over the buffered page: 1 when every row's agent is cached, 0
 * when one is not (with m: those added to m; -1 when m is full or a row
 * has no usable agent_id: the join will say what is wrong).
 */
static int
all_cached(struct db *db, MYSQL_STMT *st, const char *client_id,
    long long now, struct missing *m, enum ca_err *err)
{
	int	 rc, all = 1;

	mysql_stmt_data_seek(st, 0);
	while ((rc = mysql_stmt_fetch(st)) == 0)
		if (!cached_name(&row_buf, client_id, now)) {
			all = 0;
			if (m == NULL)
				break;
			if (row_buf.isnull[CALL_F_agent_id] ||
			    row_buf.len[CALL_F_agent_id] >= ID_SIZE ||
			    missing_add(m, row_buf.row.agent_id,
			    row_buf.len[CALL_F_agent_id]) == -1)
				return -1;
		}
	if (rc == 1)
		*err = db_stmt_error(db, st, "page fetch");
	else if (rc != 0 && rc != MYSQL_NO_DATA)
		return -1;	/* truncated: the join says so */
	return all;
}

/*
 * The page without the join, buffered, its agents' names from the cache
 * (those missing looked up first): *served 1 when the rows went to
 * each(); 0 when nothing was handed on and the caller runs the join.
 */
static enum ca_err
page_from_cache(struct db *db, struct page_query *pq, unsigned long shape,
    long long now, int *may_retry, int *served)
{
	const struct list_query	*q = pq->q;
	MYSQL_STMT		*st;
	enum ca_err		 err = CA_OK;
	int			 rc;

	*served = 0;
	if ((st = page_execute(db, pq, shape | SQL_SHAPE_BARE, &err)) == NULL)
		return err;
	if (mysql_stmt_store_result(st)) {
		err = db_stmt_error(db, st, "page store");
		goto out;
	}
	missing_buf.n = 0;
	rc = all_cached(db, st, q->client_id, now, &missing_buf, &err);
	if (err == CA_OK)
		agent_cache_note_page(agent_names, rc == 1);
	if (rc == -1 || err != CA_OK)
		goto out;
	if (rc == 0 && ((err = lookup_names(db, q->client_id, &missing_buf,
	    now)) != CA_OK || (rc = all_cached(db, st, q->client_id, now, NULL,
	    &err)) != 1 || err != CA_OK))
		goto out;	/* a name still missing (no memory): the join */
	*served = 1;
	mysql_stmt_data_seek(st, 0);
	while ((rc = mysql_stmt_fetch(st)) == 0) {
		*may_retry = 0;
		if (pq->handed++ >= q->fetch || finish_row(&row_buf) == -1 ||
		    !cached_name(&row_buf, q->client_id, now) ||
		    pq->each(pq->arg, &row_buf.row) == -1) {
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

/*
 * May be run again until its first row goes to each(): after that a retry
 * would hand rows over twice, so a lost connection fails the listing.
 */
static enum ca_err
run_page(struct db *db, void *arg, int *may_retry)
{
	struct page_query		*pq = arg;
	const struct list_query		*q = pq->q;
	MYSQL_STMT			*st;
	unsigned long			 shape = scan_shape(q);
	size_t				 i;
	long long			 now = 0;
	int				 rc, served, tried = 0, fill = 0;
	int				 would_hit = 1;
	enum ca_err			 err = CA_OK;

	*pq->floor_found = 0;
	if (q->scan_limit > 0 && (err = find_floor(db, q, pq->floor_found,
	    pq->floor)) != CA_OK)
		return err;
	for (i = 0; i < LIST_NEQ; i++)
		if (q->params->eq[i].value != NULL)
			shape |= SQL_SHAPE_EQ(i);
	if (*pq->floor_found)
		shape |= SQL_SHAPE_FLOORED;
	/* The cache first while recent pages found their agents there;
	 * else the join, which fills it, or after long missing some of its
	 * pages do (lib/agent_cache.h). */
	if (agent_names != NULL) {
		now = agent_cache_now(agent_names);
		if ((tried = agent_cache_worth_trying(agent_names)) &&
		    ((err = page_from_cache(db, pq, shape, now, may_retry,
		    &served)) != CA_OK || served))
			return err;
		fill = tried || agent_cache_fill_page(agent_names);
	}
	if ((st = page_execute(db, pq, shape, &err)) == NULL)
		return err;
	/* Each row goes on as it is fetched, from the one reused binding. */
	while ((rc = mysql_stmt_fetch(st)) == 0) {
		*may_retry = 0;
		if (pq->handed++ >= q->fetch || finish_row(&row_buf) == -1 ||
		    pq->each(pq->arg, &row_buf.row) == -1) {
			err = CA_ERR_INTERNAL;
			goto out;
		}
		if (fill && !cache_name(&row_buf.row, now))
			would_hit = 0;
	}
	if (rc == 1)
		err = db_stmt_error(db, st, "page fetch");
	else if (rc != MYSQL_NO_DATA)
		err = CA_ERR_INTERNAL;	/* MYSQL_DATA_TRUNCATED */
	else if (fill && !tried)
		agent_cache_note_page(agent_names, would_hit);
out:
	(void)mysql_stmt_free_result(st);
	return err;
}

static enum ca_err
list_calls(void *ctx, const struct list_query *q,
    int (*each)(void *, const struct call *), void *arg, int *floor_found,
    struct cursor_pos *floor)
{
	struct page_query	 pq = { q, each, arg, 0, floor_found, floor };

	return db_run(ctx, run_page, &pq);
}

/* One call. */

struct call_query {
	const char	*client_id;
	const char	*call_sid;
	size_t		 sid_len;
	struct call	*out;
};

/* Read-only, and *out is only the caller's once it returns: it may
 * always be run again. */
static enum ca_err
run_get_call(struct db *db, void *arg, int *may_retry)
{
	struct call_query	*q = arg;
	MYSQL_STMT		*st;
	MYSQL_BIND		 in[3];
	unsigned long		 sidlen, idlen;
	unsigned long long	 octets = q->sid_len;
	enum ca_err		 err = CA_OK;
	int			 rc;

	(void)may_retry;
	if ((st = db_stmt(db, SQL_GET_CALL, &err)) == NULL)
		return err;
	memset(in, 0, sizeof(in));
	bind_bytes(&in[0], q->call_sid, q->sid_len, &sidlen);
	bind_string(&in[1], q->client_id, &idlen);
	in[2].buffer_type = MYSQL_TYPE_LONGLONG;
	in[2].buffer = &octets;
	in[2].is_unsigned = 1;

	if (mysql_stmt_bind_param(st, in) || mysql_stmt_execute(st))
		return db_stmt_error(db, st, "call query");
	if ((err = bind_result_row(db, st, &row_buf, "call bind")) != CA_OK)
		goto out;
	rc = mysql_stmt_fetch(st);
	if (rc == MYSQL_NO_DATA)
		err = CA_ERR_CALL_NOT_FOUND;
	else if (rc == 1)
		err = db_stmt_error(db, st, "call fetch");
	else if (rc != 0)
		err = CA_ERR_INTERNAL;	/* MYSQL_DATA_TRUNCATED */
	else if (finish_row(&row_buf) == -1)
		err = CA_ERR_INTERNAL;
	else
		*q->out = row_buf.row;
out:
	(void)mysql_stmt_free_result(st);
	return err;
}

static enum ca_err
get_call(void *ctx, const char *client_id, const char *call_sid,
    size_t sid_len, struct call *out)
{
	struct call_query	 q = { client_id, call_sid, sid_len, out };

	return db_run(ctx, run_get_call, &q);
}

const struct store_ops sql_store_ops = { key_lookup, list_calls, get_call };
