/*
 * calls-api key create|list|revoke: a parsed command run against a key
 * store, its output on out and its messages on err. The key is written
 * once, to out, and nowhere else (never to err or a log).
 */
#ifndef CALLS_API_KEY_ADMIN_H
#define CALLS_API_KEY_ADMIN_H

#include <stdio.h>

#include "error.h"
#include "key_cli.h"
#include "key_format.h"
#include "key_store.h"

/*
 * Run cmd (not KEY_HELP). CA_OK, or the error after a message on err
 * ("calls-api key: ..."); see ca_exit_status() for the exit statuses.
 */
enum ca_err	key_admin_run(const struct key_cmd *cmd, struct key_store *ks,
		    key_random_fn *rnd, FILE *out, FILE *err);

/*
 * The whole of "calls-api key ...": argv[0] is "key". The option file is
 * --conf, else $CALLS_API_CONF, else default_conf. Returns the exit
 * status.
 */
int		key_admin_main(int argc, char *const *argv,
		    const char *default_conf);

#endif
