#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "listen.h"

__attribute__((format(printf, 4, 5))) static enum listen_result
fail(enum listen_result rc, char *why, size_t whylen, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	(void)vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
	return rc;
}

/* 1 when fd is a socket in the listening state. */
static int
is_listening(int fd)
{
	int		 on = 0;
	socklen_t	 len = sizeof(on);

	return getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &len) == 0 &&
	    on;
}

/*
 * The socket systemd passed: 1 with *fd set, 0 when none was passed to
 * this process, -1 (why) when the variables are wrong for us.
 */
static int
from_systemd(int *fd, char *why, size_t whylen)
{
	const char	*pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	char		*end;
	long		 v;

	if (pid == NULL || fds == NULL)
		return 0;
	v = strtol(pid, &end, 10);
	if (*pid == '\0' || *end != '\0' || v != (long)getpid())
		return 0;	/* meant for another process */
	(void)unsetenv("LISTEN_PID");
	(void)unsetenv("LISTEN_FDS");
	(void)unsetenv("LISTEN_FDNAMES");
	if (strcmp(fds, "1") != 0) {
		(void)snprintf(why, whylen, "systemd passed LISTEN_FDS=%s; "
		    "calls-api serve takes exactly one socket (one "
		    "ListenStream= in the .socket unit)", fds);
		return -1;
	}
	if (!is_listening(LISTEN_SYSTEMD_FD)) {
		(void)snprintf(why, whylen, "systemd's fd %d is not a "
		    "listening stream socket", LISTEN_SYSTEMD_FD);
		return -1;
	}
	*fd = LISTEN_SYSTEMD_FD;
	return 1;
}

/* A stale socket file (nobody accepts on it) is removed; a live one kept. */
static enum listen_result
clear_path(const char *path, char *why, size_t whylen)
{
	struct sockaddr_un	 sa;
	struct stat		 st;
	int			 fd, rc;

	if (lstat(path, &st) == -1)
		return errno == ENOENT ? LISTEN_OK : fail(LISTEN_FAILED, why,
		    whylen, "%s: %s", path, strerror(errno));
	if (!S_ISSOCK(st.st_mode))
		return fail(LISTEN_FAILED, why, whylen, "%s exists and is not "
		    "a socket", path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1)
		return fail(LISTEN_FAILED, why, whylen, "socket: %s",
		    strerror(errno));
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	(void)strcpy(sa.sun_path, path);
	rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	(void)close(fd);
	if (rc == 0)
		return fail(LISTEN_FAILED, why, whylen, "%s: another process "
		    "accepts on this socket", path);
	if (unlink(path) == -1 && errno != ENOENT)
		return fail(LISTEN_FAILED, why, whylen, "%s: stale socket: "
		    "%s", path, strerror(errno));
	return LISTEN_OK;
}

static enum listen_result
make_unix(const struct serve_opts *o, struct listener *l, char *why,
    size_t whylen)
{
	struct sockaddr_un	 sa;
	struct group		*gr;
	enum listen_result	 rc;
	mode_t			 old;
	int			 fd, bound;

	if ((rc = clear_path(o->path, why, whylen)) != LISTEN_OK)
		return rc;
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1)
		return fail(LISTEN_FAILED, why, whylen, "socket: %s",
		    strerror(errno));
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	(void)strcpy(sa.sun_path, o->path);
	old = umask(0177);
	bound = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	(void)umask(old);
	if (bound == -1) {
		(void)fail(LISTEN_FAILED, why, whylen, "bind %s: %s", o->path,
		    strerror(errno));
		(void)close(fd);
		return LISTEN_FAILED;
	}
	(void)strcpy(l->path, o->path);
	l->fd = fd;
	if (o->socket_group != NULL) {
		if ((gr = getgrnam(o->socket_group)) == NULL)
			return fail(LISTEN_USAGE, why, whylen,
			    "--socket-group %s: no such group",
			    o->socket_group);
		if (chown(o->path, (uid_t)-1, gr->gr_gid) == -1)
			return fail(LISTEN_FAILED, why, whylen, "chown %s to "
			    "group %s: %s", o->path, o->socket_group,
			    strerror(errno));
	}
	if (chmod(o->path, (mode_t)o->socket_mode) == -1)
		return fail(LISTEN_FAILED, why, whylen, "chmod %s: %s",
		    o->path, strerror(errno));
	return LISTEN_OK;
}

static enum listen_result
make_tcp(const struct serve_opts *o, struct listener *l, char *why,
    size_t whylen)
{
	struct addrinfo	 hints, *res, *ai;
	int		 fd = -1, on = 1, gai, err = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	if ((gai = getaddrinfo(o->host, o->port, &hints, &res)) != 0)
		return fail(LISTEN_USAGE, why, whylen, "--listen %s:%s: %s",
		    o->host, o->port, gai_strerror(gai));
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if ((fd = socket(ai->ai_family, ai->ai_socktype,
		    ai->ai_protocol)) == -1) {
			err = errno;
			continue;
		}
		if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on,
		    sizeof(on)) == 0 && bind(fd, ai->ai_addr,
		    ai->ai_addrlen) == 0)
			break;
		err = errno;
		(void)close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd == -1)
		return fail(LISTEN_FAILED, why, whylen, "bind %s:%s: %s",
		    o->host, o->port, strerror(err));
	l->fd = fd;
	return LISTEN_OK;
}

enum listen_result
listen_open(const struct serve_opts *o, struct listener *l, char *why,
    size_t whylen)
{
	enum listen_result	 rc;
	int			 fd, got, flags;

	memset(l, 0, sizeof(*l));
	l->fd = -1;
	if ((got = from_systemd(&fd, why, whylen)) == -1)
		return LISTEN_FAILED;
	if (got == 0 && is_listening(STDIN_FILENO)) {
		fd = STDIN_FILENO;
		got = 1;
		l->source = "spawn-fcgi";
	} else if (got)
		l->source = "systemd";
	if (got && o->kind != SERVE_LISTEN_NONE)
		return fail(LISTEN_USAGE, why, whylen, "--listen given, and "
		    "%s handed over a listening socket: use one or the other",
		    l->source);
	if (got)
		l->fd = fd;
	else if (o->kind == SERVE_LISTEN_NONE)
		return fail(LISTEN_USAGE, why, whylen, "no socket to listen "
		    "on: give --listen unix:/PATH or HOST:PORT (or start "
		    "under systemd socket activation or spawn-fcgi)");
	else {
		l->source = "--listen";
		rc = o->kind == SERVE_LISTEN_UNIX ? make_unix(o, l, why,
		    whylen) : make_tcp(o, l, why, whylen);
		if (rc != LISTEN_OK) {
			listen_close(l);
			return rc;
		}
		if (listen(l->fd, SOMAXCONN) == -1) {
			(void)fail(LISTEN_FAILED, why, whylen, "listen: %s",
			    strerror(errno));
			listen_close(l);
			return LISTEN_FAILED;
		}
	}
	if ((flags = fcntl(l->fd, F_GETFL)) == -1 ||
	    fcntl(l->fd, F_SETFL, flags | O_NONBLOCK) == -1) {
		(void)fail(LISTEN_FAILED, why, whylen, "fcntl: %s",
		    strerror(errno));
		listen_close(l);
		return LISTEN_FAILED;
	}
	return LISTEN_OK;
}

void
listen_unlink(struct listener *l)
{
	if (l->path[0] != '\0')
		(void)unlink(l->path);
	l->path[0] = '\0';
}

void
listen_close(struct listener *l)
{
	listen_unlink(l);
	if (l->fd >= 0)
		(void)close(l->fd);
	l->fd = -1;
}
