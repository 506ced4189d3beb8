/*
 * The supervisor of `calls-api serve`: a parent that forks the workers on
 * one listening socket and then only watches them. No FastCGI here: a
 * worker is the function handed in (cgi/main.c's accept loop).
 *
 *  - A worker that dies is replaced: at once when it had lived a second
 *    or more, else after a back-off that doubles from 0.1 s to 10 s (a
 *    worker that crashes at start does not make the parent spin); each
 *    death and each restart is one log line.
 *  - SIGHUP: the option file is read again; if it loads, a new set of
 *    workers is started (they read it afresh), then the old ones get
 *    SIGTERM: each finishes its request in progress and leaves. The
 *    socket stays open all along, so no connection is refused or lost.
 *    A file that does not load keeps the running workers (logged).
 *  - SIGTERM or SIGINT: the socket file is removed (new connections
 *    fail at once), every worker gets SIGTERM and finishes its request;
 *    the parent exits when all have, or kills what is left after
 *    --stop-timeout seconds.
 *
 * The parent takes its signals with sigtimedwait(2) (all of them blocked:
 * no handler, no race between a check and a wait). Workers are started
 * with signals unblocked and their default dispositions, and get SIGTERM
 * if the parent itself dies (PR_SET_PDEATHSIG).
 */
#ifndef CALLS_API_POOL_H
#define CALLS_API_POOL_H

#include "listen.h"
#include "serve_opts.h"

/* A worker's life: returns its exit status. */
typedef int	pool_worker_fn(int listen_fd, const char *conf, void *arg);

/* Runs the pool until it is stopped; returns the exit status. */
int	pool_run(const struct serve_opts *, const char *conf,
	    struct listener *, pool_worker_fn *, void *arg);

#endif
