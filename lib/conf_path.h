/*
 * Which option file to read when CALLS_API_CONF names none.
 *
 * On a shared host the program runs as the customer (suEXEC), whose
 * calls-api.cnf lives in their home directory, outside the document root.
 * suEXEC passes a CGI program none of Apache's SetEnv variables (it keeps
 * only the CGI and HTTP_* ones) and no HOME, so the program looks for
 * ~/calls-api.cnf itself: HOME when set, else the home directory on the
 * running user's line of the password file (read directly: a statically
 * linked program cannot load NSS modules). The first such file that
 * exists wins; else the compiled-in default.
 */
#ifndef CALLS_API_CONF_PATH_H
#define CALLS_API_CONF_PATH_H

#include <stddef.h>
#include <sys/types.h>

#define CONF_PATH_HOME_FILE	"calls-api.cnf"

/*
 * Into out (outlen bytes): home/calls-api.cnf for the first of home_env
 * (may be NULL) and uid's home directory in passwd_path whose file
 * exists, else fallback. Returns 0, or -1 when the chosen path does not
 * fit (out is then empty).
 */
int	conf_path_default(char *out, size_t outlen, const char *home_env,
	    uid_t uid, const char *passwd_path, const char *fallback);

#endif
