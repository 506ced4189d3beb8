/* lib/conf_path.c: which option file when CALLS_API_CONF names none. */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "../../lib/conf_path.h"

#define FALLBACK	"/usr/local/etc/calls-api.cnf"

static char	 dir[] = "/tmp/test_conf_path.XXXXXX";
static char	 passwd[512], home_a[512], home_b[512], nohome[512];

static void
touch(const char *path)
{
	FILE	*f = fopen(path, "w");

	if (f == NULL || fclose(f) != 0) {
		printf("Bail out! cannot create %s\n", path);
		exit(1);
	}
}

static void
write_passwd(const char *text)
{
	FILE	*f = fopen(passwd, "w");

	if (f == NULL || fputs(text, f) == EOF || fclose(f) != 0) {
		printf("Bail out! cannot write %s\n", passwd);
		exit(1);
	}
}

static const char *
pick(const char *home_env, uid_t uid, const char *passwd_path)
{
	static char	 out[1024];

	if (conf_path_default(out, sizeof(out), home_env, uid, passwd_path,
	    FALLBACK) == -1)
		return "(-1)";
	return out;
}

int
main(void)
{
	char	 want[1024], text[2048], small[8];

	if (mkdtemp(dir) == NULL) {
		printf("Bail out! mkdtemp\n");
		return 1;
	}
	snprintf(passwd, sizeof(passwd), "%s/passwd", dir);
	snprintf(home_a, sizeof(home_a), "%s/a", dir);
	snprintf(home_b, sizeof(home_b), "%s/b", dir);
	snprintf(nohome, sizeof(nohome), "%s/none", dir);
	if (mkdir(home_a, 0700) == -1 || mkdir(home_b, 0700) == -1 ||
	    mkdir(nohome, 0700) == -1) {
		printf("Bail out! mkdir\n");
		return 1;
	}
	snprintf(text, sizeof(text), "%s/calls-api.cnf", home_a);
	touch(text);
	snprintf(text, sizeof(text), "%s/calls-api.cnf", home_b);
	touch(text);

	/* The suEXEC case: no HOME, the user's line in the password file. */
	snprintf(text, sizeof(text),
	    "root:x:0:0:root:/root:/bin/bash\n"
	    "broken line\n"
	    "x:x:\n"
	    "other:x:10010:10010::%s:/bin/sh\n"
	    "cust:x:1001:1001:A Customer,,,:%s:/bin/sh\n"
	    "shellless:x:1002:1002::%s\n", home_a, home_b, home_a);
	write_passwd(text);
	snprintf(want, sizeof(want), "%s/calls-api.cnf", home_b);
	is_str(pick(NULL, 1001, passwd), want,
	    "no HOME: the home on the uid's passwd line");
	snprintf(want, sizeof(want), "%s/calls-api.cnf", home_a);
	is_str(pick(NULL, 1002, passwd), want,
	    "a passwd line without a shell field");
	is_str(pick(NULL, 1000, passwd), FALLBACK,
	    "uid not in passwd (1000 is a prefix of 10010): fallback");
	is_str(pick(NULL, 1001, "/nonexistent/passwd"), FALLBACK,
	    "no password file: fallback");
	is_str(pick(NULL, 1001, NULL), FALLBACK, "no password file named");

	/* HOME first, when its file exists. */
	snprintf(want, sizeof(want), "%s/calls-api.cnf", home_a);
	is_str(pick(home_a, 1001, passwd), want, "HOME wins over passwd");
	snprintf(text, sizeof(text), "%s/", home_a);
	is_str(pick(text, 1001, passwd), want, "HOME with a trailing slash");
	snprintf(want, sizeof(want), "%s/calls-api.cnf", home_b);
	is_str(pick(nohome, 1001, passwd), want,
	    "HOME without the file: passwd home");
	is_str(pick("relative", 1001, passwd), want,
	    "a relative HOME is ignored");
	is_str(pick(nohome, 4242, passwd), FALLBACK,
	    "neither has the file: fallback");

	/* A home whose file does not exist is never chosen. */
	snprintf(text, sizeof(text), "cust:x:1001:1001::%s:/bin/sh\n",
	    nohome);
	write_passwd(text);
	is_str(pick(NULL, 1001, passwd), FALLBACK,
	    "passwd home without the file: fallback");

	/* Too small a buffer for the fallback: -1, empty. */
	small[0] = 'x';
	is_int(conf_path_default(small, sizeof(small), NULL, 1001, passwd,
	    FALLBACK), -1, "fallback longer than the buffer: -1");
	is_str(small, "", "  and the buffer is empty");
	is_int(conf_path_default(small, 0, NULL, 1001, passwd, FALLBACK), -1,
	    "a zero-length buffer: -1");

	snprintf(text, sizeof(text), "rm -rf '%s'", dir);
	if (system(text) != 0)
		printf("# could not remove %s\n", dir);
	return done_testing();
}
