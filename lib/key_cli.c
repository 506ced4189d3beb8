#include <stdio.h>
#include <string.h>

#include "key_cli.h"
#include "key_format.h"

static const struct {
	const char	*name;
	enum key_verb	 verb;
	int		 min_args, max_args;
} verbs[] = {
	{ "create", KEY_CREATE, 1, 1 },
	{ "list", KEY_LIST, 0, 1 },
	{ "revoke", KEY_REVOKE, 1, 1 },
	{ "help", KEY_HELP, 0, 0 },
};

/*
 * The value of option name at argv[*i]: "--name=VALUE" or "--name VALUE"
 * (then *i moves past it). NULL when argv[*i] is not that option; *missing
 * set when it is but no value follows.
 */
static const char *
option_value(int argc, char *const *argv, int *i, const char *name,
    int *missing)
{
	size_t	 n = strlen(name);
	const char *a = argv[*i];

	if (strncmp(a, name, n) != 0)
		return NULL;
	if (a[n] == '=')
		return a + n + 1;
	if (a[n] != '\0')
		return NULL;
	if (*i + 1 >= argc) {
		*missing = 1;
		return NULL;
	}
	return argv[++*i];
}

enum ca_err
key_cli_parse(int argc, char *const *argv, struct key_cmd *cmd, char *why,
    size_t whylen)
{
	const char	*args[2], *v;
	size_t		 k;
	int		 i, nargs = 0, missing = 0, options_done = 0;

	memset(cmd, 0, sizeof(*cmd));
	if (argc < 2) {
		snprintf(why, whylen, "which key command? create, list or "
		    "revoke");
		return CA_ERR_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		cmd->verb = KEY_HELP;
		return CA_OK;
	}
	for (k = 0; k < sizeof(verbs) / sizeof(verbs[0]); k++)
		if (strcmp(argv[1], verbs[k].name) == 0)
			break;
	if (k == sizeof(verbs) / sizeof(verbs[0])) {
		snprintf(why, whylen, "unknown key command '%.40s': create, "
		    "list or revoke", argv[1]);
		return CA_ERR_USAGE;
	}
	cmd->verb = verbs[k].verb;

	for (i = 2; i < argc; i++) {
		const char	*a = argv[i];

		if (options_done || a[0] != '-' || a[1] == '\0') {
			if (nargs == verbs[k].max_args) {
				snprintf(why, whylen, "key %s: unexpected "
				    "argument '%.40s'", verbs[k].name, a);
				return CA_ERR_USAGE;
			}
			args[nargs++] = a;
		} else if (strcmp(a, "--") == 0)
			options_done = 1;
		else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			cmd->verb = KEY_HELP;
			return CA_OK;
		} else if ((v = option_value(argc, argv, &i, "--conf",
		    &missing)) != NULL)
			cmd->conf = v;
		else if (cmd->verb == KEY_CREATE && (v = option_value(argc,
		    argv, &i, "--label", &missing)) != NULL)
			cmd->label = v;
		else if (cmd->verb == KEY_CREATE &&
		    strcmp(a, "--new-client") == 0)
			cmd->new_client = 1;
		else {
			if (missing)
				snprintf(why, whylen, "key %s: %.40s needs a "
				    "value", verbs[k].name, a);
			else
				snprintf(why, whylen, "key %s: unknown option "
				    "'%.40s'", verbs[k].name, a);
			return CA_ERR_USAGE;
		}
	}
	if (nargs < verbs[k].min_args) {
		snprintf(why, whylen, "key %s: missing %s", verbs[k].name,
		    cmd->verb == KEY_REVOKE ? "PREFIX_OR_HASH" : "CLIENT_ID");
		return CA_ERR_USAGE;
	}
	if (cmd->conf != NULL && cmd->conf[0] == '\0') {
		snprintf(why, whylen, "--conf needs a file name");
		return CA_ERR_USAGE;
	}
	switch (cmd->verb) {
	case KEY_CREATE:
	case KEY_LIST:
		cmd->client_id = nargs > 0 ? args[0] : NULL;
		if (cmd->client_id != NULL && key_check_text(cmd->client_id,
		    KEY_CLIENT_ID_MAX, "CLIENT_ID", why, whylen) == -1)
			return CA_ERR_USAGE;
		if (cmd->label != NULL && key_check_text(cmd->label,
		    KEY_LABEL_MAX, "label", why, whylen) == -1)
			return CA_ERR_USAGE;
		break;
	case KEY_REVOKE:
		if (key_parse_prefix(args[0], cmd->prefix, why, whylen) == -1)
			return CA_ERR_USAGE;
		break;
	case KEY_HELP:
		break;
	}
	return CA_OK;
}

void
key_cli_usage(FILE *f)
{
	fputs(
"usage: calls-api key create CLIENT_ID [--label TEXT] [--new-client]\n"
"       calls-api key list [CLIENT_ID]\n"
"       calls-api key revoke PREFIX_OR_HASH\n"
"       (each also takes --conf PATH; default: $CALLS_API_CONF, else the\n"
"       built-in path)\n"
"\n"
"create  prints a new key for CLIENT_ID once, alone on the first line of\n"
"        stdout, and stores only its SHA-256. A CLIENT_ID with no calls,\n"
"        agents or keys yet is refused (a typo?) unless --new-client is\n"
"        given. CLIENT_ID: 1 to 64 characters, label: 1 to 100 (UTF-8, no\n"
"        control characters).\n"
"list    one line per key, tab-separated: prefix (the first 12 hex digits\n"
"        of the key's SHA-256), client_id, created, revoked (or -), label.\n"
"        Never the key.\n"
"revoke  the key whose SHA-256 starts with PREFIX_OR_HASH (8 to 64 hex\n"
"        digits, unique). Serving processes may trust a key they looked\n"
"        up for key-cache-seconds more.\n"
"\n"
"The database account: [calls-api-admin] of the option file when it has\n"
"one (user, password, host, port, socket, database there replace those\n"
"of [calls-api]), else [calls-api]'s. Its privileges: calls and agents:\n"
"SELECT; api_keys: SELECT, INSERT, UPDATE.\n"
"\n"
"Exit status: 0 done, 1 internal error, 2 usage (bad argument, CLIENT_ID\n"
"or label), 3 configuration (option file, login refused, no database),\n"
"4 database unreachable, 5 the account lacks a privilege, 6 unknown\n"
"client, 7 no such key, 8 ambiguous prefix, 9 key already revoked.\n",
	    f);
}
