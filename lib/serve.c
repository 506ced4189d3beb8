#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "conf_path.h"
#include "listen.h"
#include "log.h"
#include "serve.h"
#include "serve_opts.h"

#define CONF_ENV	"CALLS_API_CONF"

int
serve_main(int argc, char **argv, const char *default_conf,
    pool_worker_fn *worker, void *arg)
{
	struct serve_opts	 o;
	struct listener		 l;
	enum listen_result	 lr;
	char			 why[512], path[4096];
	const char		*conf;

	if (argc == 2 && (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0)) {
		(void)fputs(serve_usage, stdout);
		return 0;
	}
	if (serve_opts_parse(argc, argv, &o, why, sizeof(why)) == -1) {
		(void)fprintf(stderr, "calls-api serve: %s\n%s", why,
		    serve_usage);
		return CLI_EXIT_USAGE;
	}
	/* --conf, else CALLS_API_CONF, else as the responder looks. */
	if ((conf = o.conf) == NULL && (conf = getenv(CONF_ENV)) == NULL) {
		if (conf_path_default(path, sizeof(path), getenv("HOME"),
		    getuid(), "/etc/passwd", default_conf) == -1) {
			(void)fprintf(stderr, "calls-api serve: no option "
			    "file: give --conf PATH\n");
			return 1;
		}
		conf = path;
	}
	if ((lr = listen_open(&o, &l, why, sizeof(why))) != LISTEN_OK) {
		(void)fprintf(stderr, "calls-api serve: %s\n", why);
		if (lr == LISTEN_USAGE)
			(void)fputs(serve_usage, stderr);
		return lr == LISTEN_USAGE ? CLI_EXIT_USAGE : 1;
	}
	return pool_run(&o, conf, &l, worker, arg);
}
