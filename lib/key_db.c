#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <errmsg.h>
#include <mysqld_error.h>

#include "config.h"
#include "db_error.h"
#include "key_db.h"


#define KEY_COLUMNS \
	"SELECT key_hash, client_id, label, created_at, revoked_at" \
	" FROM api_keys"

enum key_sql {
	KEY_SQL_WHOAMI,
	KEY_SQL_KNOWN,
	KEY_SQL_INSERT,
	KEY_SQL_LIST_ALL,
	KEY_SQL_LIST_CLIENT,
	KEY_SQL_FIND,
	KEY_SQL_REVOKE,
	KEY_SQL__COUNT
};

/* Every statement of key administration. */
static const char *const key_sql[KEY_SQL__COUNT] = {
	[KEY_SQL_KNOWN] = "SELECT EXISTS (SELECT 1 FROM calls"
	    " WHERE client_id = ?) OR EXISTS (SELECT 1 FROM agents"
	    " WHERE client_id = ?) OR EXISTS (SELECT 1 FROM api_keys"
	    " WHERE client_id = ?)",
	/* created_at given: the schema's DEFAULT differs across servers. */
	[KEY_SQL_INSERT] = "INSERT INTO api_keys"
	    " (key_hash, client_id, label, created_at)"
	    " VALUES (?, ?, ?, UTC_TIMESTAMP(6))",
	[KEY_SQL_LIST_ALL] = KEY_COLUMNS
	    " ORDER BY client_id, created_at, key_hash",
	[KEY_SQL_LIST_CLIENT] = KEY_COLUMNS " WHERE client_id = ?"
	    " ORDER BY created_at, key_hash",
	/* The prefix is hex digits only: no LIKE wildcard in it. */
	[KEY_SQL_FIND] = KEY_COLUMNS " WHERE key_hash LIKE CONCAT(?, '%')"
	    " ORDER BY created_at, key_hash LIMIT 10",
	[KEY_SQL_REVOKE] = ("UPDATE api_keys SET revoked_at = UTC_TIMESTAMP(6)"
	    " WHERE key_hash = ? AND revoked_at IS NULL"),
	[KEY_SQL_WHOAMI] = "SELECT CURRENT_USER(), DATABASE()",
};

/* What each statement needs, for the message when it is refused. */
static const char *const key_sql_needs[KEY_SQL__COUNT] = {
	[KEY_SQL_WHOAMI] = "connect",
	[KEY_SQL_KNOWN] = "SELECT from calls, agents and api_keys",
	[KEY_SQL_INSERT] = "INSERT into api_keys",
	[KEY_SQL_LIST_ALL] = "SELECT from api_keys",
	[KEY_SQL_LIST_CLIENT] = "SELECT from api_keys",
	[KEY_SQL_FIND] = "SELECT from api_keys",
	[KEY_SQL_REVOKE] = "UPDATE api_keys",
};

static const struct key_store_ops	key_db_ops;

static const char *
where(const struct key_db *db)
{
	return db->admin ? "[" KEY_DB_ADMIN_GROUP "] (over [" KEY_DB_GROUP
	    "])" : "[" KEY_DB_GROUP "]";
}

static enum ca_err
stmt_fail(struct key_store *ks, MYSQL_STMT *st, enum key_sql which)
{
	struct key_db	*db = ks->ctx;
	unsigned int	 e = mysql_stmt_errno(st);
	const char	*msg = mysql_stmt_error(st);

	switch (e) {
	case ER_TABLEACCESS_DENIED_ERROR:
	case ER_COLUMNACCESS_DENIED_ERROR:
	case ER_DBACCESS_DENIED_ERROR:
		snprintf(ks->why, sizeof(ks->why), "%s: the database account "
		    "%s (%s of %s) may not %s (%u %s). Key "
		    "administration needs SELECT on calls and agents and "
		    "SELECT, INSERT, UPDATE on api_keys: GRANT SELECT, "
		    "INSERT, UPDATE ON `%s`.`api_keys` TO %s (and SELECT on "
		    "`%s`.`calls`, `%s`.`agents`), or put an account that "
		    "has them in [" KEY_DB_ADMIN_GROUP "] of %s",
		    which == KEY_SQL_INSERT || which == KEY_SQL_REVOKE ?
		    "no write permission" : "no permission",
		    db->account, where(db), db->conf, key_sql_needs[which], e,
		    msg, db->database, db->account, db->database,
		    db->database, db->conf);
		return CA_ERR_DB_DENIED;
	case ER_NO_DB_ERROR:
	case ER_NO_SUCH_TABLE:
	case ER_BAD_DB_ERROR:
		snprintf(ks->why, sizeof(ks->why), "%u %s: set database= in "
		    "%s of %s and load the schema", e, msg, where(db),
		    db->conf);
		return CA_ERR_CONFIG;
	default:
		snprintf(ks->why, sizeof(ks->why), "database: %u %s", e, msg);
		return db_error_lost(e) ? CA_ERR_DB_UNAVAILABLE :
		    CA_ERR_INTERNAL;
	}
}

/* A prepared statement, or NULL with the error in ks->why and *err. */
static MYSQL_STMT *
prepare(struct key_store *ks, enum key_sql which, enum ca_err *err)
{
	struct key_db	*db = ks->ctx;
	MYSQL_STMT	*st;

	if ((st = mysql_stmt_init(db->conn)) == NULL) {
		snprintf(ks->why, sizeof(ks->why), "out of memory");
		*err = CA_ERR_INTERNAL;
		return NULL;
	}
	if (mysql_stmt_prepare(st, key_sql[which], strlen(key_sql[which]))) {
		*err = stmt_fail(ks, st, which);
		(void)mysql_stmt_close(st);
		return NULL;
	}
	return st;
}

static void
bind_in(MYSQL_BIND *b, const char *s, unsigned long *len)
{
	memset(b, 0, sizeof(*b));
	if (s == NULL) {
		b->buffer_type = MYSQL_TYPE_NULL;
		return;
	}
	*len = (unsigned long)strlen(s);
	b->buffer_type = MYSQL_TYPE_STRING;
	b->buffer = (void *)(uintptr_t)s;
	b->buffer_length = *len;
	b->length = len;
}

/* Run st with its string parameters (NULL: SQL NULL). */
static enum ca_err
execute(struct key_store *ks, MYSQL_STMT *st, enum key_sql which,
    const char *const *params, size_t n)
{
	MYSQL_BIND	 b[3];
	unsigned long	 len[3];
	size_t		 i;

	for (i = 0; i < n && i < 3; i++)
		bind_in(&b[i], params[i], &len[i]);
	if ((n > 0 && mysql_stmt_bind_param(st, b)) ||
	    mysql_stmt_execute(st))
		return stmt_fail(ks, st, which);
	return CA_OK;
}

static void
iso_time(const MYSQL_TIME *t, char out[KEY_TIME_SIZE])
{
	snprintf(out, KEY_TIME_SIZE, "%04u-%02u-%02uT%02u:%02u:%02uZ",
	    t->year % 10000, t->month % 100, t->day % 100, t->hour % 100,
	    t->minute % 100, t->second % 100);
}

/* Fetch rows of the KEY_COLUMNS into each(); CA_OK at the end. */
static enum ca_err
fetch_rows(struct key_store *ks, MYSQL_STMT *st, enum key_sql which,
    int (*each)(void *, const struct key_row *), void *arg)
{
	struct key_row	 row;
	MYSQL_BIND	 out[5];
	MYSQL_TIME	 created, revoked;
	unsigned long	 len[5];
	my_bool		 isnull[5], trunc[5];
	int		 rc;

	memset(out, 0, sizeof(out));
	memset(&row, 0, sizeof(row));
	out[0].buffer_type = MYSQL_TYPE_STRING;
	out[0].buffer = row.hash;
	out[0].buffer_length = sizeof(row.hash) - 1;
	out[1].buffer_type = MYSQL_TYPE_STRING;
	out[1].buffer = row.client_id;
	out[1].buffer_length = sizeof(row.client_id) - 1;
	out[2].buffer_type = MYSQL_TYPE_STRING;
	out[2].buffer = row.label;
	out[2].buffer_length = sizeof(row.label) - 1;
	out[3].buffer_type = MYSQL_TYPE_DATETIME;
	out[3].buffer = &created;
	out[4].buffer_type = MYSQL_TYPE_DATETIME;
	out[4].buffer = &revoked;
	for (rc = 0; rc < 5; rc++) {
		out[rc].length = &len[rc];
		out[rc].is_null = &isnull[rc];
		out[rc].error = &trunc[rc];
	}
	if (mysql_stmt_bind_result(st, out))
		return stmt_fail(ks, st, which);
	while ((rc = mysql_stmt_fetch(st)) == 0 || rc == MYSQL_DATA_TRUNCATED) {
		row.hash[isnull[0] ? 0 : len[0] < sizeof(row.hash) ? len[0] :
		    sizeof(row.hash) - 1] = '\0';
		row.client_id_len = isnull[1] ? 0 : len[1] <
		    sizeof(row.client_id) ? len[1] : sizeof(row.client_id) - 1;
		row.client_id[row.client_id_len] = '\0';
		row.label_len = isnull[2] ? 0 : len[2] < sizeof(row.label) ?
		    len[2] : sizeof(row.label) - 1;
		row.label[row.label_len] = '\0';
		if (isnull[3])
			row.created[0] = '\0';
		else
			iso_time(&created, row.created);
		if (isnull[4])
			row.revoked[0] = '\0';
		else
			iso_time(&revoked, row.revoked);
		if (each(arg, &row) == -1) {
			snprintf(ks->why, sizeof(ks->why), "cannot write the "
			    "list");
			return CA_ERR_INTERNAL;
		}
	}
	if (rc != MYSQL_NO_DATA)
		return stmt_fail(ks, st, which);
	return CA_OK;
}

static enum ca_err
db_client_known(struct key_store *ks, const char *client_id, int *known)
{
	const char	*p[3] = { client_id, client_id, client_id };
	MYSQL_STMT	*st;
	MYSQL_BIND	 out;
	long long	 v = 0;
	my_bool		 isnull = 0;
	enum ca_err	 err;

	if ((st = prepare(ks, KEY_SQL_KNOWN, &err)) == NULL)
		return err;
	if ((err = execute(ks, st, KEY_SQL_KNOWN, p, 3)) != CA_OK)
		goto out;
	memset(&out, 0, sizeof(out));
	out.buffer_type = MYSQL_TYPE_LONGLONG;
	out.buffer = &v;
	out.is_null = &isnull;
	if (mysql_stmt_bind_result(st, &out) || mysql_stmt_fetch(st) != 0) {
		err = stmt_fail(ks, st, KEY_SQL_KNOWN);
		goto out;
	}
	*known = !isnull && v != 0;
out:
	(void)mysql_stmt_close(st);
	return err;
}

static enum ca_err
db_insert(struct key_store *ks, const char *hash, const char *client_id,
    const char *label)
{
	const char	*p[3] = { hash, client_id, label };
	MYSQL_STMT	*st;
	enum ca_err	 err;

	if ((st = prepare(ks, KEY_SQL_INSERT, &err)) == NULL)
		return err;
	err = execute(ks, st, KEY_SQL_INSERT, p, 3);
	if (err == CA_OK && mysql_stmt_affected_rows(st) != 1) {
		snprintf(ks->why, sizeof(ks->why), "the key was not stored");
		err = CA_ERR_INTERNAL;
	}
	(void)mysql_stmt_close(st);
	return err;
}

static enum ca_err
db_list(struct key_store *ks, const char *client_id,
    int (*each)(void *, const struct key_row *), void *arg)
{
	enum key_sql	 which = client_id != NULL ? KEY_SQL_LIST_CLIENT :
			    KEY_SQL_LIST_ALL;
	MYSQL_STMT	*st;
	enum ca_err	 err;

	if ((st = prepare(ks, which, &err)) == NULL)
		return err;
	if ((err = execute(ks, st, which, &client_id, client_id != NULL)) ==
	    CA_OK)
		err = fetch_rows(ks, st, which, each, arg);
	(void)mysql_stmt_close(st);
	return err;
}

struct found {
	struct key_row	*rows;
	size_t		 max, n;
};

static int
keep_row(void *arg, const struct key_row *row)
{
	struct found	*f = arg;

	if (f->n < f->max)
		f->rows[f->n++] = *row;
	return 0;
}

static enum ca_err
db_find(struct key_store *ks, const char *prefix, struct key_row *rows,
    size_t max, size_t *n)
{
	struct found	 f = { rows, max, 0 };
	MYSQL_STMT	*st;
	enum ca_err	 err;

	if ((st = prepare(ks, KEY_SQL_FIND, &err)) == NULL)
		return err;
	if ((err = execute(ks, st, KEY_SQL_FIND, &prefix, 1)) == CA_OK)
		err = fetch_rows(ks, st, KEY_SQL_FIND, keep_row, &f);
	(void)mysql_stmt_close(st);
	*n = f.n;
	return err;
}

static enum ca_err
db_revoke(struct key_store *ks, const char *hash, int *changed)
{
	MYSQL_STMT	*st;
	enum ca_err	 err;

	if ((st = prepare(ks, KEY_SQL_REVOKE, &err)) == NULL)
		return err;
	if ((err = execute(ks, st, KEY_SQL_REVOKE, &hash, 1)) == CA_OK)
		*changed = mysql_stmt_affected_rows(st) > 0;
	(void)mysql_stmt_close(st);
	return err;
}

static const struct key_store_ops key_db_ops = {
	db_client_known, db_insert, db_list, db_find, db_revoke,
};

/* The settings of [calls-api-admin] that replace [calls-api]'s. */
struct admin_conf {
	char	 user[256], password[256], host[256], socket[1024],
		 database[256];
	unsigned int port;
	int	 has_user, has_password;
};

static int
admin_option(void *arg, const char *key, const char *value, char *why,
    size_t whylen)
{
	struct admin_conf	*a = arg;
	static const struct {
		const char	*name;
		size_t		 off, size;
	} fields[] = {
		{ "user", offsetof(struct admin_conf, user),
		    sizeof(((struct admin_conf *)0)->user) },
		{ "password", offsetof(struct admin_conf, password),
		    sizeof(((struct admin_conf *)0)->password) },
		{ "host", offsetof(struct admin_conf, host),
		    sizeof(((struct admin_conf *)0)->host) },
		{ "socket", offsetof(struct admin_conf, socket),
		    sizeof(((struct admin_conf *)0)->socket) },
		{ "database", offsetof(struct admin_conf, database),
		    sizeof(((struct admin_conf *)0)->database) },
	};
	size_t	 i, n = strlen(value);
	char	*end;
	unsigned long port;

	if (strcmp(key, "port") == 0) {
		port = strtoul(value, &end, 10);
		if (*value == '\0' || *end != '\0' || port == 0 ||
		    port > 65535) {
			snprintf(why, whylen, "[" KEY_DB_ADMIN_GROUP "]: port "
			    "must be 1 to 65535");
			return -1;
		}
		a->port = (unsigned int)port;
		return 0;
	}
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (strcmp(key, fields[i].name) != 0)
			continue;
		if (n >= fields[i].size) {
			snprintf(why, whylen, "[" KEY_DB_ADMIN_GROUP "]: %s "
			    "too long", key);
			return -1;
		}
		memcpy((char *)a + fields[i].off, value, n + 1);
		a->has_user |= i == 0;
		a->has_password |= i == 1;
		return 0;
	}
	snprintf(why, whylen, "[" KEY_DB_ADMIN_GROUP "]: '%.40s' is not read "
	    "there (only user, password, host, port, socket, database; the "
	    "other settings come from [" KEY_DB_GROUP "])", key);
	return -1;
}

/* 'user'@'host' and the database of the session, for messages. */
static void
whoami(struct key_store *ks)
{
	struct key_db	*db = ks->ctx;
	MYSQL_STMT	*st;
	MYSQL_BIND	 out[2];
	char		 who[2 * ID_SIZE], *at;
	unsigned long	 len[2] = { 0, 0 };
	my_bool		 isnull[2] = { 1, 1 };
	enum ca_err	 err;

	snprintf(db->account, sizeof(db->account), "(unknown account)");
	snprintf(db->database, sizeof(db->database), "(none)");
	if ((st = prepare(ks, KEY_SQL_WHOAMI, &err)) == NULL)
		return;
	memset(out, 0, sizeof(out));
	out[0].buffer_type = out[1].buffer_type = MYSQL_TYPE_STRING;
	out[0].buffer = who;
	out[0].buffer_length = sizeof(who) - 1;
	out[1].buffer = db->database;
	out[1].buffer_length = sizeof(db->database) - 1;
	out[0].length = &len[0];
	out[1].length = &len[1];
	out[0].is_null = &isnull[0];
	out[1].is_null = &isnull[1];
	if (execute(ks, st, KEY_SQL_WHOAMI, NULL, 0) == CA_OK &&
	    !mysql_stmt_bind_result(st, out) && mysql_stmt_fetch(st) == 0) {
		who[isnull[0] ? 0 : len[0] < sizeof(who) ? len[0] :
		    sizeof(who) - 1] = '\0';
		if (isnull[1] || len[1] >= sizeof(db->database))
			snprintf(db->database, sizeof(db->database), "(none)");
		else
			db->database[len[1]] = '\0';
		if ((at = strrchr(who, '@')) != NULL) {
			*at = '\0';
			snprintf(db->account, sizeof(db->account),
			    "'%s'@'%s'", who, at + 1);
		}
	}
	(void)mysql_stmt_close(st);
	ks->why[0] = '\0';
}

enum ca_err
key_db_open(struct key_db *db, struct key_store *ks, const char *conf)
{
	struct admin_conf	 a;
	unsigned int		 connect_timeout = KEY_DB_CONNECT_TIMEOUT;
	unsigned int		 io_timeout = KEY_DB_IO_TIMEOUT;
	unsigned int		 e;
	const char		*user = NULL, *password = NULL, *refusal;
	const char		*hint;
	enum ca_err		 err;
	struct db_tls		 tls;

	memset(db, 0, sizeof(*db));
	memset(&a, 0, sizeof(a));
	ks->ops = &key_db_ops;
	ks->ctx = db;
	ks->why[0] = '\0';
	db->conf = conf;
	if (config_has_group(conf, KEY_DB_ADMIN_GROUP, &db->admin, ks->why,
	    sizeof(ks->why)) != CA_OK || (db->admin && config_scan(conf,
	    KEY_DB_ADMIN_GROUP, admin_option, &a, ks->why,
	    sizeof(ks->why)) != CA_OK) ||
	    config_tls(conf, &tls, ks->why, sizeof(ks->why)) != CA_OK)
		return CA_ERR_CONFIG;
	/* The admin's user without a password line: none, not the
	 * responder's (e.g. unix_socket authentication). */
	if (a.has_user) {
		user = a.user;
		password = a.password;
	} else if (a.has_password)
		password = a.password;

	if ((db->conn = mysql_init(NULL)) == NULL) {
		snprintf(ks->why, sizeof(ks->why), "out of memory");
		return CA_ERR_INTERNAL;
	}
	if (mysql_options(db->conn, MYSQL_OPT_CONNECT_TIMEOUT,
	    &connect_timeout) || mysql_options(db->conn,
	    MYSQL_OPT_READ_TIMEOUT, &io_timeout) || mysql_options(db->conn,
	    MYSQL_OPT_WRITE_TIMEOUT, &io_timeout) || mysql_options(db->conn,
	    MYSQL_READ_DEFAULT_FILE, conf) || mysql_options(db->conn,
	    MYSQL_READ_DEFAULT_GROUP, KEY_DB_GROUP) || mysql_options(db->conn,
	    MYSQL_SET_CHARSET_NAME, "utf8mb4") ||
	    db_tls_options(db->conn, &tls)) {
		snprintf(ks->why, sizeof(ks->why), "cannot set connection "
		    "options");
		return CA_ERR_INTERNAL;
	}
	if (mysql_real_connect(db->conn, a.host[0] ? a.host : NULL, user,
	    password, a.database[0] ? a.database : NULL, a.port,
	    a.socket[0] ? a.socket : NULL, 0) == NULL) {
		/* The responder's reading of a failed connect, its hint too. */
		e = mysql_errno(db->conn);
		err = db_error_connect(e, mysql_error(db->conn), &hint);
		snprintf(ks->why, sizeof(ks->why), "cannot connect to the "
		    "database with %s of %s: %u %s%s%s", where(db), conf, e,
		    mysql_error(db->conn), hint != NULL ? ": " : "",
		    hint != NULL ? hint : "");
		return e == CR_OUT_OF_MEMORY ? CA_ERR_INTERNAL : err;
	}
	/* The responder's TLS rules: no plaintext when TLS is asked for. */
	if ((refusal = db_tls_refusal(db->conn, &tls)) != NULL) {
		snprintf(ks->why, sizeof(ks->why), "cannot connect to the "
		    "database with %s of %s: %s", where(db), conf, refusal);
		return CA_ERR_DB_UNAVAILABLE;
	}
	if (mysql_set_character_set(db->conn, "utf8mb4") != 0) {
		snprintf(ks->why, sizeof(ks->why), "database: utf8mb4: %s",
		    mysql_error(db->conn));
		return CA_ERR_INTERNAL;
	}
	whoami(ks);
	return CA_OK;
}

void
key_db_close(struct key_db *db)
{
	if (db->conn != NULL)
		mysql_close(db->conn);
	db->conn = NULL;
}
