#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf_path.h"

/*
 * The home directory (6th field) of uid's line in a passwd(5) file, into
 * home. 0 when found, -1 otherwise.
 */
static int
passwd_home(const char *passwd_path, uid_t uid, char *home, size_t homelen)
{
	FILE		*f;
	char		 line[1024];
	char		*field[7], *p, *end;
	unsigned long	 u;
	int		 n, found = -1;

	if (passwd_path == NULL || (f = fopen(passwd_path, "r")) == NULL)
		return -1;
	while (found == -1 && fgets(line, sizeof(line), f) != NULL) {
		if ((p = strchr(line, '\n')) != NULL)
			*p = '\0';
		/* name:password:uid:gid:gecos:home:shell */
		p = line;
		for (n = 0; n < 7 && p != NULL; n++) {
			field[n] = p;
			if ((p = strchr(p, ':')) != NULL)
				*p++ = '\0';
		}
		if (n < 6 || field[2][0] < '0' || field[2][0] > '9')
			continue;
		u = strtoul(field[2], &end, 10);
		if (*end != '\0' || u != (unsigned long)uid ||
		    field[5][0] != '/' || strlen(field[5]) >= homelen)
			continue;
		memcpy(home, field[5], strlen(field[5]) + 1);
		found = 0;
	}
	(void)fclose(f);
	return found;
}

/* home/calls-api.cnf into out when it fits and exists: 1, else 0. */
static int
try_home(char *out, size_t outlen, const char *home)
{
	int	 n;

	if (home == NULL || home[0] != '/')
		return 0;
	n = snprintf(out, outlen, "%s%s%s", home,
	    home[strlen(home) - 1] == '/' ? "" : "/", CONF_PATH_HOME_FILE);
	if (n < 0 || (size_t)n >= outlen)
		return 0;
	return access(out, F_OK) == 0;
}

int
conf_path_default(char *out, size_t outlen, const char *home_env, uid_t uid,
    const char *passwd_path, const char *fallback)
{
	char	 home[1024];

	if (outlen == 0)
		return -1;
	if (try_home(out, outlen, home_env))
		return 0;
	if (passwd_home(passwd_path, uid, home, sizeof(home)) == 0 &&
	    try_home(out, outlen, home))
		return 0;
	if (strlen(fallback) >= outlen) {
		out[0] = '\0';
		return -1;
	}
	memcpy(out, fallback, strlen(fallback) + 1);
	return 0;
}
