/*
 * `calls-api --version`: what this binary is and what it is built from.
 * The version and libfcgi's package version are baked in at build time
 * (Makefile: build_info.h); the rest is asked of the libraries linked in,
 * and the authentication plugins of the database connector itself.
 */
#ifndef CALLS_API_VERSION_H
#define CALLS_API_VERSION_H

#include <stdio.h>

/* The version string alone (git describe at build time, or "unknown"). */
const char	*version_string(void);

/*
 * The authentication plugins the connector has among `names` (NULL-ended),
 * written space-separated to out. With builtin_only, only those it has
 * without loading anything (no plugin directory is looked at); otherwise
 * those it finds or loads from its plugin directory, built in or not.
 * Returns how many, or -1 when the connector cannot be initialised.
 */
int		 version_auth_plugins(FILE *out, const char *const *names,
		    int builtin_only);

/* The whole --version text. Returns 0, or -1 when writing failed. */
int		 version_print(FILE *out);

#endif
