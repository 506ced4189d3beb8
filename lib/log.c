#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

#define LINE_MAX_LEN	2048
#define REASONS_MAX	1024
#define PATH_MAX_LEN	200

static struct {
	int	 in_request;
	char	 reasons[REASONS_MAX];	/* "; "-separated */
	size_t	 len;
	int	 truncated;
} req;

static void	(*sink_fn)(const char *, void *);
static void	*sink_arg;

void
log_set_sink(void (*sink)(const char *, void *), void *arg)
{
	sink_fn = sink;
	sink_arg = arg;
}

/* One line, prefixed with the program and pid. */
static void
emit(const char *text)
{
	char	 line[LINE_MAX_LEN];
	int	 n;

	n = snprintf(line, sizeof(line), "calls-api[%ld]: %s", (long)getpid(),
	    text);
	if (n < 0)
		return;
	if (sink_fn != NULL) {
		sink_fn(line, sink_arg);
		return;
	}
	/* One write, so lines from several processes do not interleave. */
	fprintf(stderr, "%s\n", line);
	fflush(stderr);
}

/* Bytes that would break the line or a log reader: shown as '?'. */
static void
sanitize(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

void
log_error(const char *fmt, ...)
{
	char	 text[REASONS_MAX];
	size_t	 n, room;
	va_list	 ap;
	int	 full;

	va_start(ap, fmt);
	full = vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (full < 0)
		text[0] = '\0';
	sanitize(text);
	if (!req.in_request) {
		emit(text);
		return;
	}
	/* Noted for the request's line. */
	if (full >= 0 && (size_t)full >= sizeof(text))
		req.truncated = 1;
	n = strlen(text);
	room = sizeof(req.reasons) - req.len;
	if (req.len > 0 && room > 2) {
		memcpy(req.reasons + req.len, "; ", 2);
		req.len += 2;
		room -= 2;
	}
	if (n >= room) {
		n = room > 0 ? room - 1 : 0;
		req.truncated = 1;
	}
	memcpy(req.reasons + req.len, text, n);
	req.len += n;
	req.reasons[req.len] = '\0';
}

void
log_request_begin(void)
{
	req.in_request = 1;
	req.len = 0;
	req.reasons[0] = '\0';
	req.truncated = 0;
}

int
log_request_end(int status, const char *code, const char *method,
    const char *path, const char *stage, const char *request_id)
{
	char	 m[16], p[PATH_MAX_LEN + 1], line[LINE_MAX_LEN];
	int	 wrote = 0;

	req.in_request = 0;
	if (status < 500 && req.len == 0)
		return 0;
	snprintf(m, sizeof(m), "%s", method != NULL ? method : "-");
	snprintf(p, sizeof(p), "%s", path != NULL ? path : "-");
	sanitize(m);
	sanitize(p);
	if (snprintf(line, sizeof(line), "%s%d %s %s %s: %s: %s%s%s%s",
	    status < 500 ? "warning: recovered, answered " : "", status,
	    code != NULL ? code : "-", m, p,
	    stage != NULL ? stage : "request",
	    req.len > 0 ? req.reasons : "no reason was noted",
	    req.truncated ? " [...]" : "",
	    request_id != NULL ? " request_id=" : "",
	    request_id != NULL ? request_id : "") >= 0) {
		emit(line);
		wrote = 1;
	}
	req.len = 0;
	req.reasons[0] = '\0';
	return wrote;
}
