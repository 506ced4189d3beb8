#include <stdio.h>
#include <string.h>

#include "percent.h"
#include "route.h"
#include "utf8.h"

size_t
route_uri_path_len(const char *uri)
{
	const char	*q = strchr(uri, '?');

	return q != NULL ? (size_t)(q - uri) : strlen(uri);
}

/*
 * The segment (n bytes at seg, percent-encoded when raw) as a call_sid:
 * ROUTE_CALL with m->sid set, or ROUTE_CALL_NONE.
 */
static enum route_kind
segment_sid(const char *seg, size_t n, int raw, struct route_match *m)
{
	long	 len;

	if (n == 0 || n > (raw ? ROUTE_SEGMENT_MAX : ROUTE_SID_MAX))
		return ROUTE_CALL_NONE;
	memcpy(m->sid, seg, n);
	m->sid[n] = '\0';
	if (raw) {
		if ((len = percent_decode(m->sid, PERCENT_PATH)) < 0)
			return ROUTE_CALL_NONE;
	} else
		len = (long)n;
	if (len == 0 || (size_t)len > ROUTE_SID_MAX ||
	    !utf8_valid(m->sid, (size_t)len) ||
	    utf8_chars(m->sid, (size_t)len) > ROUTE_SID_CHARS) {
		m->sid[0] = '\0';
		return ROUTE_CALL_NONE;
	}
	m->sid_len = (size_t)len;
	return ROUTE_CALL;
}

/*
 * path (n bytes) against the route: raw when it is REQUEST_URI's, else
 * decoded by the server; truncated when it was cut to fit a buffer.
 */
static enum route_kind
classify(const char *path, size_t n, int raw, int truncated,
    const char *route, struct route_match *m)
{
	size_t	 r = strlen(route);

	if (n < r || memcmp(path, route, r) != 0)
		return ROUTE_OTHER;
	if (n == r && !truncated)
		return ROUTE_LIST;
	if (path[r] != '/')
		return ROUTE_OTHER;
	path += r + 1;
	n -= r + 1;
	if (n == 0)
		return ROUTE_OTHER;	/* "<route>/": names no call */
	if (raw && memchr(path, '/', n) != NULL)
		return ROUTE_OTHER;	/* a deeper path */
	if (truncated)
		return ROUTE_CALL_NONE;	/* longer than any call_sid */
	return segment_sid(path, n, raw, m);
}

void
route_match(const struct request *req, const char *route,
    struct route_match *m)
{
	/* The route, '/' and a decoded call_sid, with room to spare. */
	char		 path[1024 + ROUTE_SID_MAX];
	const char	*s, *p;
	int		 w;

	m->sid[0] = '\0';
	m->sid_len = 0;
	if (req->uri != NULL) {
		m->kind = classify(req->uri, route_uri_path_len(req->uri), 1,
		    0, route, m);
		return;
	}
	/* No REQUEST_URI: rebuild the path from SCRIPT_NAME + PATH_INFO. */
	s = req->script_name != NULL ? req->script_name : "";
	p = req->path_info != NULL ? req->path_info : "";
	w = snprintf(path, sizeof(path), "%s%s", s, p);
	if (w < 0) {
		m->kind = ROUTE_OTHER;
		return;
	}
	m->kind = classify(path, (size_t)w < sizeof(path) ? (size_t)w :
	    sizeof(path) - 1, 0, (size_t)w >= sizeof(path), route, m);
}
