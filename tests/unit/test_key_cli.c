/* The command line of key administration (lib/key_cli.c). */
#include <string.h>

#include "../../lib/key_cli.h"
#include "tap.h"

#define MAXARGS	8

static const struct {
	const char	*argv[MAXARGS];	/* after "key", NULL-terminated */
	enum ca_err	 err;
	enum key_verb	 verb;
	const char	*client_id, *label, *conf, *prefix;
	int		 new_client;
	const char	*why;		/* a part of the message */
} cases[] = {
	{ { "create", "org_a" }, CA_OK, KEY_CREATE, "org_a", NULL, NULL,
	    "", 0, NULL },
	{ { "create", "org_a", "--label", "ops team" }, CA_OK, KEY_CREATE,
	    "org_a", "ops team", NULL, "", 0, NULL },
	{ { "create", "--label=x", "org_a", "--new-client", "--conf",
	    "/etc/c.cnf" }, CA_OK, KEY_CREATE, "org_a", "x", "/etc/c.cnf", "",
	    1, NULL },
	{ { "create", "--conf=/c", "--", "-org" }, CA_OK, KEY_CREATE, "-org",
	    NULL, "/c", "", 0, NULL },
	{ { "list" }, CA_OK, KEY_LIST, NULL, NULL, NULL, "", 0, NULL },
	{ { "list", "org_a", "--conf", "/c" }, CA_OK, KEY_LIST, "org_a", NULL,
	    "/c", "", 0, NULL },
	{ { "revoke", "0123ABCDef" }, CA_OK, KEY_REVOKE, NULL, NULL, NULL,
	    "0123abcdef", 0, NULL },
	{ { "help" }, CA_OK, KEY_HELP, NULL, NULL, NULL, "", 0, NULL },
	{ { "--help" }, CA_OK, KEY_HELP, NULL, NULL, NULL, "", 0, NULL },
	{ { "revoke", "-h" }, CA_OK, KEY_HELP, NULL, NULL, NULL, "", 0, NULL },

	{ { NULL }, CA_ERR_USAGE, 0, 0, 0, 0, 0, 0, "which key command" },
	{ { "make", "org_a" }, CA_ERR_USAGE, 0, 0, 0, 0, 0, 0,
	    "unknown key command 'make'" },
	{ { "create" }, CA_ERR_USAGE, 0, 0, 0, 0, 0, 0, "missing CLIENT_ID" },
	{ { "create", "a", "b" }, CA_ERR_USAGE, 0, 0, 0, 0, 0, 0,
	    "unexpected argument 'b'" },
	{ { "create", "org_a", "--label" }, CA_ERR_USAGE, 0, 0, 0, 0, 0, 0,
	    "--label needs a value" },
	{ { "create", "org_a", "--conf" }, CA_ERR_USAGE, 0, 0, 0, 0, 0, 0,
	    "--conf needs a value" },
	{ { "create", "org_a", "--conf=" }, CA_ERR_USAGE, 0, 0, 0, 0, 0, 0,
	    "--conf needs a file name" },
	{ { "create", "org_a", "--force" }, CA_ERR_USAGE, 0, 0, 0, 0, 0, 0,
	    "unknown option '--force'" },
	{ { "list", "--label", "x" }, CA_ERR_USAGE, 0, 0, 0, 0, 0, 0,
	    "unknown option '--label'" },
	{ { "list", "--new-client" }, CA_ERR_USAGE, 0, 0, 0, 0, 0, 0,
	    "unknown option '--new-client'" },
	{ { "list", "a", "b" }, CA_ERR_USAGE, 0, 0, 0, 0, 0, 0,
	    "unexpected argument" },
	{ { "create", "" }, CA_ERR_USAGE, 0, 0, 0, 0, 0, 0,
	    "CLIENT_ID must not be empty" },
	{ { "create", "org\x01" }, CA_ERR_USAGE, 0, 0, 0, 0, 0, 0,
	    "CLIENT_ID must not hold control characters" },
	{ { "create", "org\xff" }, CA_ERR_USAGE, 0, 0, 0, 0, 0, 0,
	    "CLIENT_ID is not valid UTF-8" },
	{ { "create",
	    "01234567890123456789012345678901234567890123456789012345678901234"
	    }, CA_ERR_USAGE, 0, 0, 0, 0, 0, 0,
	    "CLIENT_ID is too long: 65 characters, at most 64" },
	{ { "list", "org\n" }, CA_ERR_USAGE, 0, 0, 0, 0, 0, 0,
	    "CLIENT_ID must not hold control characters" },
	{ { "create", "org_a", "--label",
	    "0123456789012345678901234567890123456789012345678901234567890123"
	    "4567890123456789012345678901234567890" }, CA_ERR_USAGE, 0, 0, 0, 0, 0,
	    0, "label is too long: 101 characters, at most 100" },
	{ { "create", "org_a", "--label", "" }, CA_ERR_USAGE, 0, 0, 0, 0, 0, 0,
	    "label must not be empty" },
	{ { "revoke" }, CA_ERR_USAGE, 0, 0, 0, 0, 0, 0,
	    "missing PREFIX_OR_HASH" },
	{ { "revoke", "0123abc" }, CA_ERR_USAGE, 0, 0, 0, 0, 0, 0,
	    "8 to 64 hex digits, not 7" },
	{ { "revoke", "ck_abcdefgh" }, CA_ERR_USAGE, 0, 0, 0, 0, 0, 0,
	    "not a key prefix" },
	{ { "revoke", "01234567", "89abcdef" }, CA_ERR_USAGE, 0, 0, 0, 0, 0, 0,
	    "unexpected argument" },
};

int
main(void)
{
	struct key_cmd	 cmd;
	char		*argv[MAXARGS + 1], why[512];
	size_t		 i;
	int		 argc;
	enum ca_err	 err;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		argv[0] = (char *)"key";
		for (argc = 1; argc <= MAXARGS && cases[i].argv[argc - 1];
		    argc++)
			argv[argc] = (char *)cases[i].argv[argc - 1];
		argv[argc] = NULL;
		why[0] = '\0';
		err = key_cli_parse(argc, argv, &cmd, why, sizeof(why));
		if (!is_int(err, cases[i].err, "case %zu: key %s%s%s", i,
		    argc > 1 ? argv[1] : "", argc > 2 ? " " : "",
		    argc > 2 ? argv[2] : ""))
			printf("#   why: %s\n", why);
		if (cases[i].err != CA_OK) {
			ok(strstr(why, cases[i].why) != NULL,
			    "case %zu says '%s'", i, cases[i].why);
			continue;
		}
		ok(cmd.verb == cases[i].verb && cmd.new_client ==
		    cases[i].new_client && strcmp(cmd.prefix,
		    cases[i].prefix) == 0, "case %zu: verb, --new-client, "
		    "prefix", i);
		is_str(cmd.client_id, cases[i].client_id, "case %zu: CLIENT_ID",
		    i);
		is_str(cmd.label, cases[i].label, "case %zu: label", i);
		is_str(cmd.conf, cases[i].conf, "case %zu: conf", i);
	}
	is_int(ca_exit_status(CA_ERR_USAGE), 2, "usage errors exit 2");
	return done_testing();
}
