/*
 * `calls-api serve ...`: the command line read (lib/serve_opts.c), the
 * socket opened or taken over (lib/listen.c), the pool run
 * (lib/pool.c) with worker as each worker's life. Returns the exit
 * status: 2 for a usage error (said on stderr with the usage), 1 when the
 * socket or the option file fails, 0 after a graceful stop.
 */
#ifndef CALLS_API_SERVE_H
#define CALLS_API_SERVE_H

#include "pool.h"

int	serve_main(int argc, char **argv, const char *default_conf,
	    pool_worker_fn *worker, void *arg);

#endif
