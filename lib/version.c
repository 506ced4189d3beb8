#include <stdio.h>
#include <string.h>

#include <mysql.h>
#include <openssl/crypto.h>
#include <zlib.h>

#include "version.h"

/* From build_info.h (Makefile: -include); defaults for other builds. */
#ifndef CALLS_API_VERSION
#define CALLS_API_VERSION	"unknown"
#endif
#ifndef CALLS_API_FCGI_VERSION
#define CALLS_API_FCGI_VERSION	"unknown"
#endif
#ifdef CALLS_API_STATIC
#define LINKAGE			"statically linked"
#else
#define LINKAGE			"dynamically linked"
#endif

/*
 * The plugin type of <mysql/client_plugin.h>, which cannot be included:
 * Debian 12's copy includes <ma_compress.h>, which libmariadb-dev does not
 * ship. mysql.h declares mysql_client_find_plugin() itself.
 */
#ifndef MYSQL_CLIENT_AUTHENTICATION_PLUGIN
#define MYSQL_CLIENT_AUTHENTICATION_PLUGIN	2
#endif

/*
 * A plugin directory that does not exist: with it, the connector finds
 * only what is built into it (mysql_client_find_plugin() would otherwise
 * dlopen() the plugin from its directory).
 */
#define NO_PLUGIN_DIR	"/nonexistent/calls-api-builtin-plugins-only"

/*
 * The client authentication plugins Connector/C 3.x knows by name. Which
 * of them this binary has is the connector's answer, not this list's.
 */
static const char *const auth_plugin_names[] = {
	"mysql_native_password", "caching_sha2_password", "sha256_password",
	"client_ed25519", "parsec", "mysql_clear_password", "dialog",
	"auth_gssapi_client", "mysql_old_password", NULL
};

const char *
version_string(void)
{
	return CALLS_API_VERSION;
}

int
version_auth_plugins(FILE *out, const char *const *names, int builtin_only)
{
	MYSQL		*m;
	const char	*const *n;
	int		 found = 0;

	if ((m = mysql_init(NULL)) == NULL)
		return -1;
	if (builtin_only &&
	    mysql_optionsv(m, MYSQL_PLUGIN_DIR, NO_PLUGIN_DIR) != 0) {
		mysql_close(m);
		return -1;
	}
	for (n = names; *n != NULL; n++) {
		if (mysql_client_find_plugin(m, *n,
		    MYSQL_CLIENT_AUTHENTICATION_PLUGIN) == NULL)
			continue;
		if (fprintf(out, "%s%s", found > 0 ? " " : "", *n) < 0) {
			found = -1;
			break;
		}
		found++;
	}
	mysql_close(m);
	return found;
}

/* One "  label: plugins" line; a line saying "none" when there are none. */
static int
print_plugins(FILE *out, const char *label, int builtin_only)
{
	int	 n;

	if (fprintf(out, "  %s: ", label) < 0)
		return -1;
	if ((n = version_auth_plugins(out, auth_plugin_names,
	    builtin_only)) < 0)
		return -1;
	if (n == 0 && fputs("none", out) == EOF)
		return -1;
	return fputc('\n', out) == EOF ? -1 : 0;
}

int
version_print(FILE *out)
{
	if (fprintf(out, "calls-api %s (%s, linux-x86_64)\n",
	    version_string(), LINKAGE) < 0 ||
	    fprintf(out, "  MariaDB Connector/C %s (client API %s)\n",
	    MARIADB_PACKAGE_VERSION, mysql_get_client_info()) < 0 ||
	    fprintf(out, "  %s\n", OpenSSL_version(OPENSSL_VERSION)) < 0 ||
	    fprintf(out, "  libfcgi %s (Debian package at build time)\n",
	    CALLS_API_FCGI_VERSION) < 0 ||
	    fprintf(out, "  zlib %s\n", zlibVersion()) < 0 ||
	    fputs("database authentication plugins\n", out) == EOF ||
	    print_plugins(out, "built in", 1) == -1)
		return -1;
#ifndef CALLS_API_STATIC
	/* A dynamic build may load more from the connector's directory. */
	if (print_plugins(out, "built in or loadable", 0) == -1)
		return -1;
#endif
	return fflush(out) == EOF ? -1 : 0;
}
