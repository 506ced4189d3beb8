/*
 * The command line of key administration, "calls-api key VERB ...", read
 * into a struct key_cmd; no I/O. Options may come anywhere after the
 * verb; "--" ends them.
 *
 *   key create CLIENT_ID [--label TEXT] [--new-client] [--conf PATH]
 *   key list [CLIENT_ID] [--conf PATH]
 *   key revoke PREFIX_OR_HASH [--conf PATH]
 *   key help | key --help
 */
#ifndef CALLS_API_KEY_CLI_H
#define CALLS_API_KEY_CLI_H

#include <stddef.h>
#include <stdio.h>

#include "auth.h"
#include "error.h"

enum key_verb {
	KEY_HELP,
	KEY_CREATE,
	KEY_LIST,
	KEY_REVOKE
};

struct key_cmd {
	enum key_verb	 verb;
	const char	*conf;		/* --conf PATH, or NULL */
	const char	*client_id;	/* create; list's filter or NULL */
	const char	*label;		/* create --label, or NULL */
	int		 new_client;	/* create --new-client */
	char		 prefix[KEY_HASH_HEX_SIZE];	/* revoke, lowercase */
};

/*
 * argv[0] is "key". CA_OK with cmd filled in (strings point into argv),
 * or CA_ERR_USAGE with a one-line reason in why.
 */
enum ca_err	key_cli_parse(int argc, char *const *argv, struct key_cmd *cmd,
		    char *why, size_t whylen);

/* The usage text, exit statuses included. */
void		key_cli_usage(FILE *);

#endif
