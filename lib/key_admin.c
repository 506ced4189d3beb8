#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "key_admin.h"
#include "key_db.h"

#define PREFIX	"calls-api key: "

static enum ca_err fail(FILE *, enum ca_err, const char *, ...)
	    __attribute__((format(printf, 3, 4)));

/* One message line on err; returns e. */
static enum ca_err
fail(FILE *err, enum ca_err e, const char *fmt, ...)
{
	va_list	 ap;

	fputs(PREFIX, err);
	va_start(ap, fmt);
	vfprintf(err, fmt, ap);
	va_end(ap);
	fputc('\n', err);
	return e;
}

static enum ca_err
store_fail(FILE *err, const struct key_store *ks, enum ca_err e)
{
	return fail(err, e, "%s", ks->why[0] != '\0' ? ks->why :
	    "database error");
}

static enum ca_err
create(const struct key_cmd *cmd, struct key_store *ks, key_random_fn *rnd,
    FILE *out, FILE *err)
{
	char		 key[KEY_SIZE], hash[KEY_HASH_HEX_SIZE];
	enum ca_err	 e;
	int		 known = 0, printed;

	if (!cmd->new_client) {
		if ((e = ks->ops->client_known(ks, cmd->client_id, &known)) !=
		    CA_OK)
			return store_fail(err, ks, e);
		if (!known)
			return fail(err, CA_ERR_CLIENT_UNKNOWN, "unknown "
			    "client '%s': no calls, agents or keys have that "
			    "client_id (a typo?); add --new-client to create "
			    "its first key anyway", cmd->client_id);
	}
	if (key_generate(rnd, key) == -1)
		return fail(err, CA_ERR_INTERNAL, "%s", "no random bytes from "
		    "the system (getrandom)");
	if (auth_key_hash(key, KEY_LEN, hash) == -1) {
		OPENSSL_cleanse(key, sizeof(key));
		return fail(err, CA_ERR_INTERNAL, "%s", "cannot hash the key");
	}
	if ((e = ks->ops->insert(ks, hash, cmd->client_id, cmd->label)) !=
	    CA_OK) {
		OPENSSL_cleanse(key, sizeof(key));
		return store_fail(err, ks, e);
	}
	/* The key, once, alone on the first line. */
	printed = fprintf(out, "%s\n", key) >= 0 && fflush(out) == 0;
	OPENSSL_cleanse(key, sizeof(key));
	if (!printed) {
		/* Nobody will ever see it: it must not stay live. */
		e = ks->ops->revoke(ks, hash, &printed);
		return fail(err, CA_ERR_INTERNAL, "cannot write the key to "
		    "stdout; key %.*s was stored and %s", KEY_PREFIX_LEN, hash,
		    e == CA_OK ? "at once revoked" : "could not be revoked: "
		    "revoke it");
	}
	fprintf(err, PREFIX "created key %.*s for '%s'; it is shown only "
	    "this once (only its SHA-256 is stored)\n", KEY_PREFIX_LEN, hash,
	    cmd->client_id);
	return CA_OK;
}

/* One key_row as a list line. */
static int
print_row(void *arg, const struct key_row *r)
{
	char	 client[ID_SIZE], label[KEY_LABEL_SIZE];

	key_printable(r->client_id, r->client_id_len, client, sizeof(client));
	key_printable(r->label, r->label_len, label, sizeof(label));
	return fprintf(arg, "%.*s\t%s\t%s\t%s\t%s\n", KEY_PREFIX_LEN, r->hash,
	    client, r->created, r->revoked[0] ? r->revoked : "-", label) < 0 ?
	    -1 : 0;
}

static enum ca_err
list(const struct key_cmd *cmd, struct key_store *ks, FILE *out, FILE *err)
{
	enum ca_err	 e;

	if (fputs("prefix\tclient_id\tcreated\trevoked\tlabel\n", out) < 0)
		return fail(err, CA_ERR_INTERNAL, "%s", "cannot write");
	if ((e = ks->ops->list(ks, cmd->client_id, print_row, out)) != CA_OK)
		return store_fail(err, ks, e);
	if (fflush(out) != 0)
		return fail(err, CA_ERR_INTERNAL, "%s", "cannot write");
	return CA_OK;
}

static enum ca_err
revoke(const struct key_cmd *cmd, struct key_store *ks, FILE *out,
    FILE *err)
{
	struct key_row	 rows[KEY_FIND_MAX];
	const char	*hashes[KEY_FIND_MAX];
	char		 client[ID_SIZE];
	size_t		 n = 0, i, len;
	enum ca_err	 e;
	int		 changed = 0;

	if ((e = ks->ops->find(ks, cmd->prefix, rows, KEY_FIND_MAX, &n)) !=
	    CA_OK)
		return store_fail(err, ks, e);
	if (n == 0)
		return fail(err, CA_ERR_KEY_NOT_FOUND, "no such key: no key "
		    "hash starts with %s (see calls-api key list)",
		    cmd->prefix);
	if (n > 1) {
		for (i = 0; i < n; i++)
			hashes[i] = rows[i].hash;
		len = key_distinct_len(hashes, n);
		fprintf(err, PREFIX "ambiguous prefix %s: it matches %s%zu "
		    "keys; give more digits:\n", cmd->prefix,
		    n == KEY_FIND_MAX ? "at least " : "", n);
		for (i = 0; i < n; i++) {
			key_printable(rows[i].client_id, rows[i].client_id_len,
			    client, sizeof(client));
			fprintf(err, "  %.*s\t%s\t%s%s\n", (int)len,
			    rows[i].hash, client, rows[i].created,
			    rows[i].revoked[0] ? "\trevoked" : "");
		}
		return CA_ERR_KEY_AMBIGUOUS;
	}
	key_printable(rows[0].client_id, rows[0].client_id_len, client,
	    sizeof(client));
	if (rows[0].revoked[0] != '\0') {
		fprintf(err, PREFIX "key %.*s of '%s' is already revoked (at "
		    "%s)\n", KEY_PREFIX_LEN, rows[0].hash, client,
		    rows[0].revoked);
		return CA_ERR_KEY_REVOKED;
	}
	if ((e = ks->ops->revoke(ks, rows[0].hash, &changed)) != CA_OK)
		return store_fail(err, ks, e);
	if (!changed) {
		fprintf(err, PREFIX "key %.*s of '%s' is already revoked\n",
		    KEY_PREFIX_LEN, rows[0].hash, client);
		return CA_ERR_KEY_REVOKED;
	}
	if (fprintf(out, "revoked %.*s of '%s'\n", KEY_PREFIX_LEN,
	    rows[0].hash, client) < 0 || fflush(out) != 0)
		return fail(err, CA_ERR_INTERNAL, "%s", "cannot write");
	return CA_OK;
}

enum ca_err
key_admin_run(const struct key_cmd *cmd, struct key_store *ks,
    key_random_fn *rnd, FILE *out, FILE *err)
{
	ks->why[0] = '\0';
	switch (cmd->verb) {
	case KEY_CREATE:
		return create(cmd, ks, rnd, out, err);
	case KEY_LIST:
		return list(cmd, ks, out, err);
	case KEY_REVOKE:
		return revoke(cmd, ks, out, err);
	case KEY_HELP:
		break;
	}
	return fail(err, CA_ERR_USAGE, "%s", "no command");
}

int
key_admin_main(int argc, char *const *argv, const char *default_conf)
{
	struct key_cmd	 cmd;
	struct key_store ks;
	struct key_db	 db;
	const char	*conf;
	char		 why[512];
	enum ca_err	 e;

	if ((e = key_cli_parse(argc, argv, &cmd, why, sizeof(why))) !=
	    CA_OK) {
		fprintf(stderr, PREFIX "%s\n", why);
		fputs("(calls-api key --help for usage)\n", stderr);
		return ca_exit_status(e);
	}
	if (cmd.verb == KEY_HELP) {
		key_cli_usage(stdout);
		return fflush(stdout) == 0 ? 0 : 1;
	}
	if ((conf = cmd.conf) == NULL && (conf = getenv("CALLS_API_CONF")) ==
	    NULL)
		conf = default_conf;
	if ((e = key_db_open(&db, &ks, conf)) == CA_OK)
		e = key_admin_run(&cmd, &ks, key_random_os, stdout, stderr);
	else
		store_fail(stderr, &ks, e);
	key_db_close(&db);
	return ca_exit_status(e);
}
