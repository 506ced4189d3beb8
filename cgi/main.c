/*
 * calls-api: the accept loop. Copies the request out of the FastCGI (or,
 * run without a FastCGI socket, the CGI) environment, hands it to lib/,
 * writes the response back. Nothing else lives here.
 *
 * libfcgi's FCGX_Accept_r() accepts and reads the request's params; the
 * response goes out as FastCGI records framed by lib/fcgi_record.c in one
 * write(2), instead of libfcgi's 8 KiB records written one by one (four
 * writes and four web-server wake-ups for a 26 KB page, measured).
 *
 * Then the rest of the request is read: a FastCGI client may send its
 * STDIN stream (the body, and always the empty record that ends it) after
 * the params, and Apache's mod_proxy_fcgi does; a responder that closes
 * before reading it makes the client's write fail (EPIPE: "AH01075 ...
 * sending empty stdin", a 503) and, on a kept connection, leaves records
 * that break the next request. The body is discarded as it comes, within
 * DRAIN_MAX_BYTES and DRAIN_SECONDS (the API takes no body). Without a
 * body announced, the end record is the server's own to send, with no
 * client to wait for: its reads are not bounded (the setsockopt(2) that
 * bounds them cost 7 us here, 6 % of a request), and usually the record
 * came with the params, in libfcgi's buffer, so that no read is needed.
 *
 * On a Unix socket the connection is then closed at once. libfcgi would
 * shut down its side and wait for the server to close first, so that a
 * TCP stack never answers late request bytes with a reset that destroys
 * the response; a Unix socket has no such reset (the server reads the
 * whole response before any error), and that wait cost the responder a
 * sleep, a wake-up and three system calls per request. On TCP libfcgi
 * closes as before.
 *
 * Without a FastCGI listener (FCGX_IsCGI(): plain CGI under mod_cgi) it
 * serves the one request of the CGI environment, as FCGI_Accept() would.
 *
 * Run from a shell with arguments (and not as a CGI script, which Apache
 * may hand the words of a query string as arguments) it runs a command
 * instead: lib/cli.c (--version, --help).
 *
 * `calls-api serve ...` runs a pool (lib/serve.c, lib/pool.c): the parent
 * there holds no FastCGI; each worker it forks runs pool_worker() below,
 * this same accept loop with one difference: SIGTERM and SIGINT are
 * blocked except while the worker waits for a connection in pselect(2),
 * so a stop (or a reload) never cuts a request short, not even one
 * accepted an instant before (libfcgi, told of a shutdown, would read
 * such a request's params as empty), and a worker waiting for work leaves
 * at once. The listening socket is non-blocking: of the workers that
 * wake for one connection, those that lose the race get EAGAIN and wait
 * again.
 */
#include <fastcgi.h>
#include <fcgiapp.h>

#include <sys/select.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../lib/app.h"
#include "../lib/cli.h"
#include "../lib/conf_path.h"
#include "../lib/fcgi_record.h"
#include "../lib/key_admin.h"
#include "../lib/serve.h"

#define CONF_ENV	"CALLS_API_CONF"
#ifndef CALLS_API_DEFAULT_CONF
#define CALLS_API_DEFAULT_CONF	"/usr/local/etc/calls-api.cnf"
#endif

/* How much of a request body is read and thrown away, and for how long. */
#define DRAIN_MAX_BYTES	(1024 * 1024)
#define DRAIN_SECONDS	2

static volatile sig_atomic_t	 stopping;

/* SIGTERM: finish the request in progress, then leave the loop. */
static void
on_term(int sig)
{
	(void)sig;
	stopping = 1;
	FCGX_ShutdownPending();
}

static int
write_all(int fd, const char *p, size_t n)
{
	ssize_t	 w;

	while (n > 0) {
		if ((w = write(fd, p, n)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* The bytes of a response: its head, then its body unless HEAD. */
static void
response_bytes(const struct response *r, const char **head, size_t *headlen,
    const char **body, size_t *bodylen)
{
	static char	 bare[RESPONSE_BARE_SIZE];

	*body = "";
	*bodylen = 0;
	if (r->head.len == 0) {		/* no memory for the head */
		*headlen = response_bare_head(bare, r->request_id);
		*head = bare;
		return;
	}
	*head = r->head.data;
	*headlen = r->head.len;
	if (!r->head_only && r->body.len > 0) {
		*body = r->body.data;
		*bodylen = r->body.len;
	}
}

/* A param of the FastCGI request, or of the CGI environment (envp NULL). */
static const char *
param(FCGX_ParamArray envp, const char *name)
{
	return envp != NULL ? FCGX_GetParam(name, envp) : getenv(name);
}

static void
read_request(FCGX_ParamArray envp, struct request *req)
{
	req->method = param(envp, "REQUEST_METHOD");
	req->uri = param(envp, "REQUEST_URI");
	req->script_name = param(envp, "SCRIPT_NAME");
	req->path_info = param(envp, "PATH_INFO");
	req->query = param(envp, "QUERY_STRING");
	req->authorization = param(envp, "HTTP_AUTHORIZATION");
	req->request_id = param(envp, "HTTP_X_REQUEST_ID");
	req->unique_id = param(envp, "UNIQUE_ID");
}

/*
 * The app, opened on the first request. Its config: CALLS_API_CONF from
 * the process environment (conf, FcgidInitialEnv), else from the request
 * (Apache SetEnv), else ~/calls-api.cnf of the user we run as when it
 * exists (suEXEC passes neither), else the compiled-in default.
 */
static struct app *
open_app(char **conf, FCGX_ParamArray envp)
{
	const char	*env;
	char		 path[4096];

	if (*conf == NULL) {
		if ((env = param(envp, CONF_ENV)) == NULL) {
			if (conf_path_default(path, sizeof(path),
			    getenv("HOME"), getuid(), "/etc/passwd",
			    CALLS_API_DEFAULT_CONF) == -1)
				return NULL;
			env = path;
		}
		if ((*conf = strdup(env)) == NULL)
			return NULL;
	}
	return app_open(*conf);
}

/* Plain CGI: one request from the environment, the answer on stdout. */
static int
serve_cgi(char **conf)
{
	struct request	 req;
	struct app	*app;
	const char	*head, *body;
	char		 bare[RESPONSE_BARE_SIZE];
	size_t		 headlen, bodylen;
	int		 rc;

	read_request(NULL, &req);
	if ((app = open_app(conf, NULL)) == NULL) {
		/* No memory: a bare 500 with the request's id. */
		(void)write_all(STDOUT_FILENO, bare, app_unopened(&req, bare));
		return 1;
	}
	app_one_request(app);
	response_bytes(app_serve(app, &req), &head, &headlen, &body,
	    &bodylen);
	rc = write_all(STDOUT_FILENO, head, headlen) == -1 ||
	    write_all(STDOUT_FILENO, body, bodylen) == -1;
	app_close(app);
	return rc;
}

/* 1 when the FastCGI listener (and so every connection) is a Unix socket. */
static int
listener_is_unix(void)
{
	struct sockaddr_storage	 sa;
	socklen_t		 len = sizeof(sa);

	memset(&sa, 0, sizeof(sa));
	return getsockname(FCGI_LISTENSOCK_FILENO, (struct sockaddr *)&sa,
	    &len) == 0 && sa.ss_family == AF_UNIX;
}

/* Seconds on the monotonic clock, or -1. */
static double
now(void)
{
	struct timespec	 ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		return -1;
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* How long one read of the socket may wait: tv 0 is for ever. */
static int
read_timeout(int fd, time_t seconds)
{
	struct timeval	 tv = { seconds, 0 };

	return setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

/* 1 when the request announces a body: a CONTENT_LENGTH but 0, or chunks. */
static int
has_body(FCGX_ParamArray envp)
{
	const char	*len = FCGX_GetParam("CONTENT_LENGTH", envp);

	return (len != NULL && *len != '\0' && strcmp(len, "0") != 0) ||
	    FCGX_GetParam("HTTP_TRANSFER_ENCODING", envp) != NULL;
}

/*
 * Read the request's STDIN stream to its end, discarding it; each read of
 * the socket bounded by DRAIN_SECONDS when bounded. 0 at the end of the
 * stream; -1 on an error (the server closed, FCGI_ABORT_REQUEST or another
 * record out of place: libfcgi's protocol error), or when the body is over
 * DRAIN_MAX_BYTES or takes longer than about DRAIN_SECONDS: the
 * connection must then be closed.
 */
static int
drain_stdin(FCGX_Request *fr, int bounded)
{
	FCGX_Stream	*in = fr->in;
	char		 scratch[4096];
	size_t		 total = 0;
	ptrdiff_t	 held;
	double		 deadline, t;
	int		 n;

	if ((deadline = now()) < 0 || (bounded &&
	    read_timeout(fr->ipcFd, DRAIN_SECONDS) == -1))
		return -1;
	deadline += DRAIN_SECONDS;
	/*
	 * FCGX_GetChar() takes the next byte, from what libfcgi holds or
	 * else one refill from the socket (the end record usually came with
	 * the params: no read); the rest of what it holds goes without one.
	 */
	while (FCGX_GetChar(in) != EOF) {
		held = in->stop - in->rdNext;
		n = held < (ptrdiff_t)sizeof(scratch) ? (int)held :
		    (int)sizeof(scratch);
		total += 1 + (size_t)FCGX_GetStr(scratch, n, in);
		if (total > DRAIN_MAX_BYTES || (t = now()) < 0 || t > deadline)
			return -1;
	}
	return FCGX_GetError(in) == 0 ? 0 : -1;
}

/* Done with the request: keep, close at once (Unix), or libfcgi's close. */
static void
end_request(FCGX_Request *fr, int close_it, int unix_socket)
{
	int	 fd = fr->ipcFd;

	if (!close_it || !unix_socket) {
		FCGX_Free(fr, close_it);
		return;
	}
	FCGX_Free(fr, 0);
	fr->ipcFd = -1;		/* what FCGX_Free(fr, 1) leaves */
	(void)close(fd);
}

static void
on_pool_stop(int sig)
{
	(void)sig;
	stopping = 1;
}

/*
 * A pool worker's wait for a connection (or the next request on a kept
 * one): until fd is readable, with the stop signals let in (open, the
 * mask without them). 0, or -1 when told to stop.
 */
static int
wait_readable(int fd, const sigset_t *open)
{
	fd_set	 rd;

	while (!stopping) {
		FD_ZERO(&rd);
		FD_SET(fd, &rd);
		if (pselect(fd + 1, &rd, NULL, NULL, NULL, open) >= 0)
			return stopping ? -1 : 0;
		if (errno != EINTR)
			return -1;
	}
	return -1;
}

/*
 * pooled: the signal mask of a pool worker's wait, else NULL. app: opened
 * already (a pool worker reads its config when it starts), else NULL:
 * opened on the first request.
 */
static int
serve_fastcgi(char **conf, const sigset_t *pooled, struct app *app)
{
	FCGX_Request	 fr;
	struct request	 req;
	struct buf	 out = { NULL, 0, 0 };
	const char	*head, *body;
	char		 bare[RESPONSE_BARE_SIZE];
	size_t		 headlen, bodylen;
	int		 bounded, failed, got, rc = 0;
	int		 unix_socket = listener_is_unix();

	if (FCGX_Init() != 0 || FCGX_InitRequest(&fr, 0, 0) != 0) {
		app_close(app);
		return 1;
	}
	while (!stopping) {
		if (pooled != NULL && wait_readable(fr.ipcFd >= 0 ? fr.ipcFd :
		    FCGI_LISTENSOCK_FILENO, pooled) == -1)
			break;
		if ((got = FCGX_Accept_r(&fr)) < 0) {
			/* Another worker took the connection. */
			if (pooled != NULL && (got == -EAGAIN ||
			    got == -EWOULDBLOCK))
				continue;
			break;
		}
		read_request(fr.envp, &req);
		if (app == NULL && (app = open_app(conf, fr.envp)) == NULL) {
			/* No memory: a bare 500 with the request's id. */
			headlen = app_unopened(&req, bare);
			if (fcgi_frame_response(&out,
			    (unsigned int)fr.requestId, bare, headlen, "", 0) ==
			    0)
				(void)write_all(fr.ipcFd, out.data, out.len);
			rc = 1;
			break;
		}
		response_bytes(app_serve(app, &req), &head, &headlen, &body,
		    &bodylen);
		bounded = has_body(fr.envp);
		failed = fcgi_frame_response(&out, (unsigned int)fr.requestId,
		    head, headlen, body, bodylen) == -1 ||
		    write_all(fr.ipcFd, out.data, out.len) == -1 ||
		    drain_stdin(&fr, bounded) == -1 ||
		    (bounded && fr.keepConnection &&
		    read_timeout(fr.ipcFd, 0) == -1);
		/* Everything is written: free without libfcgi's own records. */
		end_request(&fr, failed || !fr.keepConnection, unix_socket);
	}
	FCGX_Free(&fr, 1);
	app_close(app);
	buf_free(&out);
	return rc;
}

/*
 * A worker of `calls-api serve` (lib/pool.c forks it): the listening
 * socket becomes libfcgi's (fd 0), SIGTERM and SIGINT end the wait for a
 * connection only (see the top of this file).
 */
static int
pool_worker(int listen_fd, const char *conf_path, void *arg)
{
	struct sigaction	 sa;
	sigset_t		 stops, open;
	struct app		*app;
	char			*conf;
	int			 rc;

	(void)arg;
	if (listen_fd != FCGI_LISTENSOCK_FILENO) {
		if (dup2(listen_fd, FCGI_LISTENSOCK_FILENO) == -1)
			return 1;
		(void)close(listen_fd);
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_pool_stop;
	if (sigemptyset(&sa.sa_mask) == -1 || sigemptyset(&stops) == -1 ||
	    sigaddset(&stops, SIGTERM) == -1 ||
	    sigaddset(&stops, SIGINT) == -1 ||
	    sigprocmask(SIG_BLOCK, &stops, &open) == -1 ||
	    sigaction(SIGTERM, &sa, NULL) == -1 ||
	    sigaction(SIGINT, &sa, NULL) == -1)
		return 1;
	/* The option file as it is now: a reload is a new worker. */
	if ((conf = strdup(conf_path)) == NULL ||
	    (app = open_app(&conf, NULL)) == NULL) {
		free(conf);
		return 1;
	}
	rc = serve_fastcgi(&conf, &open, app);
	free(conf);
	return rc;
}

/*
 * 1 when run from a shell: no CGI environment, no FastCGI listener.
 * Apache's mod_cgi turns a query string without '=' ("?key+list") into
 * argv, so under a web server argv never selects a command.
 */
static int
from_shell(void)
{
	return getenv("GATEWAY_INTERFACE") == NULL &&
	    getenv("REQUEST_METHOD") == NULL && FCGX_IsCGI();
}

int
main(int argc, char **argv)
{
	struct sigaction	 sa;
	char			*conf = NULL;
	const char		*env;
	char			 home_conf[4096];
	int			 rc;

	/*
	 * From a shell, arguments are a command: calls-api key ...
	 * (lib/key_admin.c; without --conf or CALLS_API_CONF, the
	 * ~/calls-api.cnf the responder would find, lib/conf_path.c), or
	 * --version/--help (lib/cli.c). Under a web server never.
	 * `serve` also with a listening socket as stdin (spawn-fcgi).
	 */
	if (argc > 1 && strcmp(argv[1], "serve") == 0 &&
	    getenv("GATEWAY_INTERFACE") == NULL &&
	    getenv("REQUEST_METHOD") == NULL) {
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = SIG_IGN;
		if (sigaction(SIGPIPE, &sa, NULL) == -1)
			return 1;
		return serve_main(argc - 1, argv + 1, CALLS_API_DEFAULT_CONF,
		    pool_worker, NULL);
	}
	if (argc > 1 && from_shell()) {
		if (strcmp(argv[1], "key") != 0)
			return cli_main(argc, argv, stdout, stderr);
		if (conf_path_default(home_conf, sizeof(home_conf),
		    getenv("HOME"), getuid(), "/etc/passwd",
		    CALLS_API_DEFAULT_CONF) == -1)
			return 1;
		return key_admin_main(argc - 1, argv + 1, home_conf);
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;	/* no SA_RESTART: let accept() return */
	if (sigaction(SIGTERM, &sa, NULL) == -1)
		return 1;
	/* A server that went away is a failed write, not a dead responder. */
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &sa, NULL) == -1)
		return 1;

	if ((env = getenv(CONF_ENV)) != NULL && (conf = strdup(env)) == NULL)
		return 1;
	rc = FCGX_IsCGI() ? serve_cgi(&conf) : serve_fastcgi(&conf, NULL, NULL);
	free(conf);
	return rc;
}
