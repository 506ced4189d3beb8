/* The key commands on an in-memory store (lib/key_admin.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/auth.h"
#include "../../lib/key_admin.h"
#include "tap.h"

#define FAKE_MAX	16

/* The fake: keys in insertion order, a set of known clients, failures. */
struct fake {
	struct key_row	 row[FAKE_MAX];
	size_t		 n;
	const char	*known;		/* the one client with calls */
	enum ca_err	 fail_insert, fail_known, fail_find, fail_revoke;
	int		 revoke_race;	/* revoke finds it revoked already */
	int		 inserts;
};

static enum ca_err
failing(struct key_store *ks, enum ca_err e)
{
	snprintf(ks->why, sizeof(ks->why), "fake failure %d", (int)e);
	return e;
}

static enum ca_err
f_known(struct key_store *ks, const char *client_id, int *known)
{
	struct fake	*f = ks->ctx;
	size_t		 i;

	if (f->fail_known != CA_OK)
		return failing(ks, f->fail_known);
	*known = f->known != NULL && strcmp(client_id, f->known) == 0;
	for (i = 0; i < f->n; i++)
		*known |= strcmp(f->row[i].client_id, client_id) == 0;
	return CA_OK;
}

static enum ca_err
f_insert(struct key_store *ks, const char *hash, const char *client_id,
    const char *label)
{
	struct fake	*f = ks->ctx;
	struct key_row	*r;

	if (f->fail_insert != CA_OK)
		return failing(ks, f->fail_insert);
	r = &f->row[f->n++];
	memset(r, 0, sizeof(*r));
	snprintf(r->hash, sizeof(r->hash), "%s", hash);
	r->client_id_len = (size_t)snprintf(r->client_id, sizeof(r->client_id),
	    "%s", client_id);
	r->label_len = (size_t)snprintf(r->label, sizeof(r->label), "%s",
	    label != NULL ? label : "");
	snprintf(r->created, sizeof(r->created), "2026-03-09T10:00:0%zuZ",
	    f->n);
	f->inserts++;
	return CA_OK;
}

static enum ca_err
f_list(struct key_store *ks, const char *client_id,
    int (*each)(void *, const struct key_row *), void *arg)
{
	struct fake	*f = ks->ctx;
	size_t		 i;

	for (i = 0; i < f->n; i++)
		if ((client_id == NULL ||
		    strcmp(client_id, f->row[i].client_id) == 0) &&
		    each(arg, &f->row[i]) == -1)
			return CA_ERR_INTERNAL;
	return CA_OK;
}

static enum ca_err
f_find(struct key_store *ks, const char *prefix, struct key_row *rows,
    size_t max, size_t *n)
{
	struct fake	*f = ks->ctx;
	size_t		 i;

	if (f->fail_find != CA_OK)
		return failing(ks, f->fail_find);
	*n = 0;
	for (i = 0; i < f->n && *n < max; i++)
		if (strncmp(f->row[i].hash, prefix, strlen(prefix)) == 0)
			rows[(*n)++] = f->row[i];
	return CA_OK;
}

static enum ca_err
f_revoke(struct key_store *ks, const char *hash, int *changed)
{
	struct fake	*f = ks->ctx;
	size_t		 i;

	if (f->fail_revoke != CA_OK)
		return failing(ks, f->fail_revoke);
	*changed = 0;
	for (i = 0; i < f->n; i++)
		if (strcmp(f->row[i].hash, hash) == 0 &&
		    f->row[i].revoked[0] == '\0' && !f->revoke_race) {
			snprintf(f->row[i].revoked, KEY_TIME_SIZE,
			    "2026-03-10T00:00:00Z");
			*changed = 1;
		}
	return CA_OK;
}

static const struct key_store_ops fake_ops = {
	f_known, f_insert, f_list, f_find, f_revoke,
};

static struct fake	 fk;
static struct key_store	 ks = { &fake_ops, &fk, "" };
static char		*out_text, *err_text;
static int		 rnd_fail;

static int
rnd(void *buf, size_t n)
{
	if (rnd_fail)
		return -1;
	return key_random_os(buf, n);
}

/* Run "key ARGS..." on the fake; its stdout and stderr in out_/err_text. */
static enum ca_err
run(const char *a1, const char *a2, const char *a3, const char *a4)
{
	char		*argv[] = { (char *)"key", (char *)a1, (char *)a2,
			    (char *)a3, (char *)a4, NULL };
	struct key_cmd	 cmd;
	char		 why[512];
	size_t		 outlen, errlen;
	FILE		*out, *err;
	enum ca_err	 e;
	int		 argc = 1;

	while (argv[argc] != NULL)
		argc++;
	free(out_text);
	free(err_text);
	out = open_memstream(&out_text, &outlen);
	err = open_memstream(&err_text, &errlen);
	if (out == NULL || err == NULL)
		exit(1);
	if ((e = key_cli_parse(argc, argv, &cmd, why, sizeof(why))) == CA_OK)
		e = key_admin_run(&cmd, &ks, rnd, out, err);
	fclose(out);
	fclose(err);
	return e;
}

/* A key row with a made-up hash (revoke tests). */
static void
add(const char *hash, const char *client, const char *revoked)
{
	struct key_row	*r = &fk.row[fk.n++];

	memset(r, 0, sizeof(*r));
	snprintf(r->hash, sizeof(r->hash), "%s", hash);
	r->client_id_len = (size_t)snprintf(r->client_id, sizeof(r->client_id),
	    "%s", client);
	snprintf(r->created, sizeof(r->created), "2026-01-01T00:00:00Z");
	snprintf(r->revoked, sizeof(r->revoked), "%s", revoked);
}

static void
test_create(void)
{
	char	 key[KEY_SIZE], hex[KEY_HASH_HEX_SIZE];

	memset(&fk, 0, sizeof(fk));
	fk.known = "org_a";
	is_int(run("create", "org_a", "--label", "ops"), CA_OK, "create");
	ok(strlen(out_text) == KEY_LEN + 1 && out_text[KEY_LEN] == '\n' &&
	    strncmp(out_text, "ck_", 3) == 0,
	    "stdout: the key alone on its one line");
	memcpy(key, out_text, KEY_LEN);
	key[KEY_LEN] = '\0';
	auth_key_hash(key, KEY_LEN, hex);
	ok(fk.n == 1 && strcmp(fk.row[0].hash, hex) == 0,
	    "stored: the SHA-256 hex of the printed key");
	ok(strcmp(fk.row[0].client_id, "org_a") == 0 &&
	    strcmp(fk.row[0].label, "ops") == 0, "stored with client and label");
	ok(strstr(err_text, key) == NULL && strstr(err_text, hex) == NULL &&
	    strncmp(strstr(err_text, "created key ") + 12, hex, 12) == 0,
	    "stderr: the prefix, never the key or the whole hash");

	is_int(run("create", "org_b", NULL, NULL), CA_ERR_CLIENT_UNKNOWN,
	    "unknown client refused");
	ok(strstr(err_text, "unknown client 'org_b'") != NULL &&
	    strstr(err_text, "--new-client") != NULL && out_text[0] == '\0' &&
	    fk.n == 1, "says so, names --new-client, stores and prints nothing");
	is_int(ca_exit_status(CA_ERR_CLIENT_UNKNOWN), 6, "exit 6");

	is_int(run("create", "org_b", "--new-client", NULL), CA_OK,
	    "--new-client creates it");
	ok(fk.n == 2 && fk.row[1].label[0] == '\0', "without a label");
	is_int(run("create", "org_b", NULL, NULL), CA_OK,
	    "a client with a key is known");

	fk.fail_insert = CA_ERR_DB_DENIED;
	is_int(run("create", "org_a", NULL, NULL), CA_ERR_DB_DENIED,
	    "insert refused: no write permission");
	ok(out_text[0] == '\0' && strstr(err_text, "fake failure") != NULL,
	    "no key printed, the store's reason on stderr");
	is_int(ca_exit_status(CA_ERR_DB_DENIED), 5, "exit 5");
	fk.fail_insert = CA_ERR_DB_UNAVAILABLE;
	is_int(run("create", "org_a", NULL, NULL), CA_ERR_DB_UNAVAILABLE,
	    "database gone: unavailable");
	is_int(ca_exit_status(CA_ERR_DB_UNAVAILABLE), 4, "exit 4");
	fk.fail_insert = CA_OK;
	fk.fail_known = CA_ERR_DB_DENIED;
	is_int(run("create", "org_a", NULL, NULL), CA_ERR_DB_DENIED,
	    "client check refused");
	fk.fail_known = CA_OK;

	/* stdout full: the stored key is revoked, nobody could use it. */
	{
		struct key_cmd	 cmd;
		char		*argv[] = { (char *)"key", (char *)"create",
				    (char *)"org_a", NULL };
		char		 why[256];
		FILE		*full = fopen("/dev/full", "w");
		FILE		*err = fopen("/dev/null", "w");

		if (full == NULL || err == NULL ||
		    key_cli_parse(3, argv, &cmd, why, sizeof(why)) != CA_OK)
			exit(1);
		is_int(key_admin_run(&cmd, &ks, rnd, full, err),
		    CA_ERR_INTERNAL, "stdout full: internal error");
		ok(fk.n == 4 && fk.row[3].revoked[0] != '\0',
		    "the key that could not be shown is revoked");
		fclose(full);
		fclose(err);
	}

	rnd_fail = 1;
	is_int(run("create", "org_a", NULL, NULL), CA_ERR_INTERNAL,
	    "no random bytes: internal error");
	ok(out_text[0] == '\0' && fk.inserts == 4, "nothing printed or stored");
	rnd_fail = 0;
}

static void
test_list(void)
{
	memset(&fk, 0, sizeof(fk));
	add("aaaaaaaaaaaabbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
	    "org_a", "");
	add("cccccccccccc0000000000000000000000000000000000000000000000000000",
	    "org_\x1b[31m", "2026-02-01T00:00:00Z");
	snprintf(fk.row[0].label, sizeof(fk.row[0].label), "ops team");
	fk.row[0].label_len = 8;
	is_int(run("list", NULL, NULL, NULL), CA_OK, "list");
	is_str(out_text, "prefix\tclient_id\tcreated\trevoked\tlabel\n"
	    "aaaaaaaaaaaa\torg_a\t2026-01-01T00:00:00Z\t-\tops team\n"
	    "cccccccccccc\torg_?[31m\t2026-01-01T00:00:00Z\t"
	    "2026-02-01T00:00:00Z\t\n",
	    "prefix, client, created, revoked, label; controls as ?");
	is_int(run("list", "org_a", NULL, NULL), CA_OK, "list one client");
	ok(strstr(out_text, "aaaaaaaaaaaa") != NULL &&
	    strstr(out_text, "cccccccccccc") == NULL, "only its keys");
}

static void
test_revoke(void)
{
	memset(&fk, 0, sizeof(fk));
	add("0123456789ab0000000000000000000000000000000000000000000000000000",
	    "org_a", "");
	add("0123456789ab0001000000000000000000000000000000000000000000000000",
	    "org_a", "");
	add("0123456789ac0000000000000000000000000000000000000000000000000000",
	    "org_b", "2026-02-01T00:00:00Z");
	add("fedcba9876543210000000000000000000000000000000000000000000000000",
	    "org_b", "");

	is_int(run("revoke", "01234567", NULL, NULL), CA_ERR_KEY_AMBIGUOUS,
	    "a prefix of three keys: ambiguous");
	ok(strstr(err_text, "ambiguous prefix 01234567: it matches 3 keys") !=
	    NULL, "says how many");
	ok(strstr(err_text, "  0123456789ab0000\torg_a\t") != NULL &&
	    strstr(err_text, "  0123456789ab0001\torg_a\t") != NULL &&
	    strstr(err_text, "  0123456789ac0000\torg_b\t") != NULL,
	    "lists the candidates with the digits that tell them apart (16)");
	ok(strstr(err_text, "0123456789ab00000") == NULL, "and no more");
	ok(fk.row[0].revoked[0] == '\0' && fk.row[1].revoked[0] == '\0',
	    "revokes none of them");
	is_int(ca_exit_status(CA_ERR_KEY_AMBIGUOUS), 8, "exit 8");

	is_int(run("revoke", "0123456789ab000", NULL, NULL),
	    CA_ERR_KEY_AMBIGUOUS, "a prefix of two keys: ambiguous");
	ok(fk.row[0].revoked[0] == '\0' && fk.row[1].revoked[0] == '\0',
	    "revokes neither");

	is_int(run("revoke", "0123456789ab0001", NULL, NULL), CA_OK,
	    "a unique prefix revokes");
	ok(fk.row[1].revoked[0] != '\0' && fk.row[0].revoked[0] == '\0',
	    "that key only");
	is_str(out_text, "revoked 0123456789ab of 'org_a'\n", "says which");

	is_int(run("revoke", "0123456789ac", NULL, NULL), CA_ERR_KEY_REVOKED,
	    "revoked already");
	ok(strstr(err_text, "already revoked (at 2026-02-01T00:00:00Z)") !=
	    NULL, "says since when");
	is_int(ca_exit_status(CA_ERR_KEY_REVOKED), 9, "exit 9");

	fk.revoke_race = 1;
	is_int(run("revoke", "FEDCBA98", NULL, NULL), CA_ERR_KEY_REVOKED,
	    "revoked between find and update: already revoked");
	fk.revoke_race = 0;
	is_int(run("revoke", "FEDCBA98", NULL, NULL), CA_OK,
	    "uppercase prefix works");

	is_int(run("revoke", "99999999", NULL, NULL), CA_ERR_KEY_NOT_FOUND,
	    "no such key");
	ok(strstr(err_text, "no such key") != NULL && out_text[0] == '\0',
	    "says so");
	is_int(ca_exit_status(CA_ERR_KEY_NOT_FOUND), 7, "exit 7");

	fk.fail_revoke = CA_ERR_DB_DENIED;
	is_int(run("revoke", "0123456789ab0000", NULL, NULL),
	    CA_ERR_DB_DENIED, "update refused: no write permission");
	fk.fail_revoke = CA_OK;
	fk.fail_find = CA_ERR_CONFIG;
	is_int(run("revoke", "0123456789ab0000", NULL, NULL), CA_ERR_CONFIG,
	    "find failing: its error");
	is_int(ca_exit_status(CA_ERR_CONFIG), 3, "config: exit 3");
	is_int(ca_exit_status(CA_ERR_INTERNAL), 1, "internal: exit 1");
	is_int(ca_exit_status(CA_OK), 0, "ok: exit 0");
}

int
main(void)
{
	test_create();
	test_list();
	test_revoke();
	free(out_text);
	free(err_text);
	return done_testing();
}
