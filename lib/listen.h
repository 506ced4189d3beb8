/*
 * The listening socket of `calls-api serve`: one handed over by systemd
 * (socket activation: LISTEN_PID is us, LISTEN_FDS 1, the socket on fd 3)
 * or by spawn-fcgi (a listening socket as standard input), else the one
 * --listen names, made here. A Unix socket is made with only its owner
 * allowed in (umask 0177 around bind(2)), then given --socket-group and
 * --socket-mode, so no one else can connect in between. The socket is
 * non-blocking: workers wait for it in pselect(2), which a signal ends.
 */
#ifndef CALLS_API_LISTEN_H
#define CALLS_API_LISTEN_H

#include <stddef.h>

#include "serve_opts.h"

#define LISTEN_SYSTEMD_FD	3

enum listen_result {
	LISTEN_OK = 0,
	LISTEN_FAILED = 1,	/* could not make it: exit status 1 */
	LISTEN_USAGE = 2	/* none, or two, asked for: exit status 2 */
};

struct listener {
	int		 fd;
	char		 path[108];	/* a Unix socket we made: unlinked */
	const char	*source;	/* "systemd", "spawn-fcgi", "--listen" */
};

enum listen_result	listen_open(const struct serve_opts *,
			    struct listener *, char *why, size_t whylen);

/* Removes the socket file we made (a handed-over one is its owner's). */
void			listen_unlink(struct listener *);
void			listen_close(struct listener *);

#endif
