/*
 * calls-api: the accept loop. Copies the request out of the FastCGI (or,
 * run without a FastCGI socket, the CGI) environment, hands it to lib/,
 * writes the response back. Nothing else lives here.
 *
 * FCGI_Accept() (fcgi_stdio) is used deliberately: it falls back to
 * serving one CGI request when there is no FastCGI listener, so the same
 * binary runs under mod_fcgid, lighttpd and plain mod_cgi.
 */
#include <fcgi_stdio.h>
#include <fcgiapp.h>

#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/app.h"

#define CONF_ENV	"CALLS_API_CONF"
#ifndef CALLS_API_DEFAULT_CONF
#define CALLS_API_DEFAULT_CONF	"/usr/local/etc/calls-api.cnf"
#endif

static volatile sig_atomic_t	 stopping;

/* SIGTERM: finish the request in progress, then leave the loop. */
static void
on_term(int sig)
{
	(void)sig;
	stopping = 1;
	FCGX_ShutdownPending();
}

/* fcgi_stdio's fwrite takes a non-const pointer; it does not write to it. */
static int
put(const char *p, size_t n)
{
	return fwrite((void *)(uintptr_t)p, 1, n, stdout) == n ? 0 : -1;
}

static int
write_response(const struct response *r)
{
	static const char	 bare[] =
	    "Status: 500 Internal Server Error\r\n\r\n";

	if (r->head.len == 0)
		return put(bare, sizeof(bare) - 1);
	if (put(r->head.data, r->head.len) == -1)
		return -1;
	if (!r->head_only && r->body.len > 0)
		return put(r->body.data, r->body.len);
	return 0;
}

int
main(void)
{
	struct sigaction	 sa;
	struct request		 req;
	struct app		*app = NULL;
	char			*conf = NULL;
	const char		*env;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;	/* no SA_RESTART: let accept() return */
	if (sigaction(SIGTERM, &sa, NULL) == -1)
		return 1;

	/* The process environment, before FastCGI replaces environ. */
	if ((env = getenv(CONF_ENV)) != NULL && (conf = strdup(env)) == NULL)
		return 1;

	while (!stopping && FCGI_Accept() >= 0) {
		if (app == NULL) {
			/* Else from the request (Apache SetEnv), else default. */
			if (conf == NULL && (env = getenv(CONF_ENV)) == NULL)
				env = CALLS_API_DEFAULT_CONF;
			if (conf == NULL && (conf = strdup(env)) == NULL)
				break;
			if ((app = app_open(conf)) == NULL)
				break;
		}
		req.method = getenv("REQUEST_METHOD");
		req.uri = getenv("REQUEST_URI");
		req.script_name = getenv("SCRIPT_NAME");
		req.path_info = getenv("PATH_INFO");
		req.query = getenv("QUERY_STRING");
		req.authorization = getenv("HTTP_AUTHORIZATION");
		(void)write_response(app_serve(app, &req));
	}
	app_close(app);
	free(conf);
	return 0;
}
