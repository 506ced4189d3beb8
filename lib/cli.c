#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "version.h"

void
cli_usage(FILE *err)
{
	(void)fputs("usage: calls-api              serve (FastCGI, or one CGI "
	    "request)\n"
	    "       calls-api serve --listen unix:/PATH|HOST:PORT "
	    "[--workers N] [--conf PATH]\n"
	    "                              a pool of FastCGI workers "
	    "(calls-api serve --help)\n"
	    "       calls-api --version    version, libraries, database "
	    "authentication plugins\n"
	    "       calls-api key create CLIENT_ID [--label TEXT] "
	    "[--new-client]\n"
	    "       calls-api key list [CLIENT_ID]\n"
	    "       calls-api key revoke PREFIX_OR_HASH\n"
	    "                              API keys (calls-api key --help)\n"
	    "       calls-api --help       this text\n"
	    "The option file: CALLS_API_CONF (see calls-api.cnf.example).\n",
	    err);
}

int
cli_main(int argc, char **argv, FILE *out, FILE *err)
{
	if (argc == 2 && strcmp(argv[1], "--version") == 0) {
		if (version_print(out) == -1) {
			(void)fprintf(err, "calls-api: --version: cannot "
			    "write, or the database connector failed to "
			    "initialise\n");
			return 1;
		}
		return 0;
	}
	if (argc >= 2 && strcmp(argv[1], "--help") != 0 &&
	    strcmp(argv[1], "-h") != 0)
		(void)fprintf(err, "calls-api: unknown arguments, starting "
		    "with '%s'\n", argv[1]);
	cli_usage(err);
	return CLI_EXIT_USAGE;
}
