/*
 * The binary run from a shell, with arguments: `calls-api --version`,
 * `--help`. (Helper commands such as `key ...` are dispatched here too.)
 * cgi/main.c calls cli_main() only when it was not started as a CGI
 * script: Apache passes the words of a query string without `=` as
 * arguments to a CGI script, and those must not be taken for commands.
 */
#ifndef CALLS_API_CLI_H
#define CALLS_API_CLI_H

#include <stdio.h>

#define CLI_EXIT_USAGE	2

/* Runs the command argv[1..]; returns the process's exit status. */
int	cli_main(int argc, char **argv, FILE *out, FILE *err);

/* The usage text, on err. */
void	cli_usage(FILE *err);

#endif
