/*
 * The command line of `calls-api serve`: where to listen, how many
 * workers, which option file, who may connect to a Unix socket. Parsing
 * only (no socket is made here: lib/listen.c), so every refusal is a
 * unit test. A refusal is the usage error of the command: exit status 2.
 */
#ifndef CALLS_API_SERVE_OPTS_H
#define CALLS_API_SERVE_OPTS_H

#include <stddef.h>

#define SERVE_WORKERS_DEFAULT	8
#define SERVE_WORKERS_MAX	256
#define SERVE_MODE_DEFAULT	0660	/* owner and group: the web server */
#define SERVE_STOP_DEFAULT	30	/* seconds a graceful stop may take */
#define SERVE_STOP_MAX		3600

enum serve_listen_kind {
	SERVE_LISTEN_NONE,	/* no --listen: a socket handed over */
	SERVE_LISTEN_UNIX,	/* unix:/absolute/path */
	SERVE_LISTEN_TCP	/* HOST:PORT, [IPv6]:PORT */
};

struct serve_opts {
	enum serve_listen_kind	 kind;
	char			 path[108];	/* UNIX: sun_path */
	char			 host[256];	/* TCP, without brackets */
	char			 port[6];	/* TCP: 1..65535 */
	int			 workers;
	const char		*conf;		/* NULL: the default search */
	int			 socket_mode;	/* UNIX: permission bits */
	const char		*socket_group;	/* UNIX: NULL: ours */
	int			 stop_seconds;	/* SIGTERM to SIGKILL */
};

/*
 * argv[0] is "serve". 0, or -1 with a one-line reason in why (which names
 * the option and the expected form).
 */
int	serve_opts_parse(int argc, char **argv, struct serve_opts *o,
	    char *why, size_t whylen);

/* The usage text of serve. */
extern const char	serve_usage[];

#endif
