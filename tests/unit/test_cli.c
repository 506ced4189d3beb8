/*
 * The command line (lib/cli.c) and --version (lib/version.c): exit
 * statuses, where the text goes, and that the plugin list is the
 * connector's answer (a name it does not have is not printed).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/cli.h"
#include "../../lib/version.h"
#include "tap.h"

/* Run cli_main(argv) with stdout and stderr captured. */
static int
run(char **argv, int argc, char **out, char **err)
{
	FILE	*o, *e;
	size_t	 olen, elen;
	int	 rc;

	*out = *err = NULL;
	if ((o = open_memstream(out, &olen)) == NULL ||
	    (e = open_memstream(err, &elen)) == NULL) {
		fprintf(stderr, "open_memstream failed\n");
		exit(1);
	}
	rc = cli_main(argc, argv, o, e);
	if (fclose(o) != 0 || fclose(e) != 0) {
		fprintf(stderr, "fclose failed\n");
		exit(1);
	}
	return rc;
}

static char *
plugins(const char *const *names, int builtin_only, int *n)
{
	char	*text = NULL;
	size_t	 len;
	FILE	*f;

	if ((f = open_memstream(&text, &len)) == NULL)
		exit(1);
	*n = version_auth_plugins(f, names, builtin_only);
	if (fclose(f) != 0)
		exit(1);
	return text;
}

int
main(void)
{
	char		 prog[] = "calls-api", version[] = "--version";
	char		 help[] = "--help", typo[] = "--verison";
	char		 extra[] = "extra";
	char		*v[] = { prog, version, NULL };
	char		*h[] = { prog, help, NULL };
	char		*u[] = { prog, typo, NULL };
	char		*x[] = { prog, version, extra, NULL };
	const char	*names[] = { "no_such_plugin_x", "mysql_native_password",
			    "no_such_plugin_y", NULL };
	char		*out, *err, *text;
	int		 rc, n;

	rc = run(v, 2, &out, &err);
	is_int(rc, 0, "--version: exit 0");
	ok(strncmp(out, "calls-api ", 10) == 0 &&
	    strstr(out, version_string()) != NULL,
	    "--version: first line names the version, on stdout");
	ok(strstr(out, "MariaDB Connector/C ") != NULL &&
	    strstr(out, "\n  OpenSSL ") != NULL &&
	    strstr(out, "\n  zlib ") != NULL &&
	    strstr(out, "\n  libfcgi ") != NULL,
	    "--version: the libraries");
	ok(strstr(out, "  built in: ") != NULL &&
	    strstr(out, "mysql_native_password") != NULL,
	    "--version: the built-in authentication plugins");
	is_int((long)strlen(err), 0, "--version: nothing on stderr");
	free(out);
	free(err);

	rc = run(h, 2, &out, &err);
	ok(rc == CLI_EXIT_USAGE && strncmp(err, "usage: ", 7) == 0 &&
	    *out == '\0', "--help: usage on stderr, exit 2");
	free(out);
	free(err);

	rc = run(u, 2, &out, &err);
	ok(rc == CLI_EXIT_USAGE && strstr(err, "'--verison'") != NULL &&
	    strstr(err, "usage: ") != NULL && *out == '\0',
	    "unknown argument: named, usage on stderr, exit 2");
	free(out);
	free(err);

	rc = run(x, 3, &out, &err);
	ok(rc == CLI_EXIT_USAGE && *out == '\0',
	    "--version with more arguments: usage, exit 2");
	free(out);
	free(err);

	/* Only what the connector finds: the unknown names are left out. */
	text = plugins(names, 1, &n);
	is_int(n, 1, "plugins: one of three names is the connector's");
	is_str(text, "mysql_native_password", "plugins: just that one");
	free(text);

	return done_testing();
}
