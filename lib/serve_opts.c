#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serve_opts.h"

const char	serve_usage[] =
    "usage: calls-api serve [--listen unix:/PATH | HOST:PORT] "
    "[--workers N]\n"
    "           [--conf PATH] [--socket-mode MODE] [--socket-group GROUP]\n"
    "           [--stop-timeout SECONDS]\n"
    "A pool of N (default 8) FastCGI workers on one listening socket:\n"
    "--listen, or a socket handed over by systemd (LISTEN_FDS) or\n"
    "spawn-fcgi (standard input). SIGHUP reloads, SIGTERM stops gracefully.\n";

/* A decimal number in [min, max] (base 8 when octal), or -1. */
static long
number(const char *s, long min, long max, int base)
{
	char	*end;
	long	 v;

	if (*s < '0' || *s > '9')
		return -1;
	v = strtol(s, &end, base);
	if (*end != '\0' || v < min || v > max)
		return -1;
	return v;
}

__attribute__((format(printf, 3, 4))) static int
fail(char *why, size_t whylen, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	(void)vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
	return -1;
}

/* unix:/path, HOST:PORT or [V6]:PORT into o. */
static int
parse_listen(const char *s, struct serve_opts *o, char *why, size_t whylen)
{
	const char	*colon, *host;
	size_t		 hostlen;

	if (strncmp(s, "unix:", 5) == 0) {
		s += 5;
		if (s[0] != '/' || strlen(s) >= sizeof(o->path))
			return fail(why, whylen, "--listen unix:%s: the "
			    "socket must be an absolute path of at most 107 "
			    "bytes", s);
		(void)strcpy(o->path, s);
		o->kind = SERVE_LISTEN_UNIX;
		return 0;
	}
	if ((colon = strrchr(s, ':')) == NULL || colon == s)
		return fail(why, whylen, "--listen '%s': expected "
		    "unix:/PATH or HOST:PORT (e.g. 127.0.0.1:9000)", s);
	host = s;
	hostlen = (size_t)(colon - s);
	if (host[0] == '[') {
		if (hostlen < 3 || host[hostlen - 1] != ']')
			return fail(why, whylen, "--listen '%s': an IPv6 "
			    "address goes in brackets: [::1]:9000", s);
		host++;
		hostlen -= 2;
	} else if (memchr(host, ':', hostlen) != NULL)
		return fail(why, whylen, "--listen '%s': an IPv6 address "
		    "goes in brackets: [::1]:9000", s);
	if (hostlen >= sizeof(o->host))
		return fail(why, whylen, "--listen '%s': host name too long",
		    s);
	if (number(colon + 1, 1, 65535, 10) == -1 || strlen(colon + 1) > 5)
		return fail(why, whylen, "--listen '%s': the port must be a "
		    "number from 1 to 65535", s);
	memcpy(o->host, host, hostlen);
	o->host[hostlen] = '\0';
	(void)strcpy(o->port, colon + 1);
	o->kind = SERVE_LISTEN_TCP;
	return 0;
}

int
serve_opts_parse(int argc, char **argv, struct serve_opts *o, char *why,
    size_t whylen)
{
	const char	*name, *val;
	long		 v;
	int		 i, seen_listen = 0;

	memset(o, 0, sizeof(*o));
	o->kind = SERVE_LISTEN_NONE;
	o->workers = SERVE_WORKERS_DEFAULT;
	o->socket_mode = SERVE_MODE_DEFAULT;
	o->stop_seconds = SERVE_STOP_DEFAULT;
	for (i = 1; i < argc; i++) {
		name = argv[i];
		if (strncmp(name, "--", 2) != 0 || i + 1 >= argc)
			return fail(why, whylen, strncmp(name, "--", 2) == 0 ?
			    "%s needs a value" : "unexpected argument '%s'",
			    name);
		val = argv[++i];
		if (strcmp(name, "--listen") == 0) {
			if (seen_listen++)
				return fail(why, whylen, "%s given twice",
				    name);
			if (parse_listen(val, o, why, whylen) == -1)
				return -1;
		} else if (strcmp(name, "--workers") == 0) {
			if ((v = number(val, 1, SERVE_WORKERS_MAX, 10)) == -1)
				return fail(why, whylen, "--workers '%s': "
				    "expected a number from 1 to 256", val);
			o->workers = (int)v;
		} else if (strcmp(name, "--conf") == 0) {
			if (*val == '\0')
				return fail(why, whylen, "%s: empty path",
				    name);
			o->conf = val;
		} else if (strcmp(name, "--socket-mode") == 0) {
			if ((v = number(val, 0, 0777, 8)) == -1)
				return fail(why, whylen, "--socket-mode '%s': "
				    "expected octal permission bits, e.g. "
				    "0660", val);
			o->socket_mode = (int)v;
		} else if (strcmp(name, "--socket-group") == 0) {
			if (*val == '\0')
				return fail(why, whylen, "%s: empty group",
				    name);
			o->socket_group = val;
		} else if (strcmp(name, "--stop-timeout") == 0) {
			if ((v = number(val, 1, SERVE_STOP_MAX, 10)) == -1)
				return fail(why, whylen, "--stop-timeout '%s': "
				    "expected seconds from 1 to 3600", val);
			o->stop_seconds = (int)v;
		} else
			return fail(why, whylen, "unknown option '%s'", name);
	}
	if (o->kind != SERVE_LISTEN_UNIX && (o->socket_group != NULL))
		return fail(why, whylen, "%s applies to a Unix socket "
		    "(--listen unix:/PATH) only", "--socket-group");
	return 0;
}
