/*
 * Which of the responder's two routes a request's path names, given the
 * configured route (default /api/calls):
 *
 *   <route>              List Calls
 *   <route>/<call_sid>   one call; the segment is percent-decoded as a
 *                        path ('+' stays '+', %2F is a '/' of the sid)
 *
 * With REQUEST_URI the path is raw: a '/' in the segment separates path
 * segments, so <route>/a/b is no route of ours (404 not_found). Without it
 * the path is SCRIPT_NAME + PATH_INFO, which the server has decoded
 * already: there a '/' after <route>/ is part of the call_sid (an encoded
 * and a literal slash cannot be told apart).
 */
#ifndef CALLS_API_ROUTE_H
#define CALLS_API_ROUTE_H

#include <stddef.h>

#include "request.h"

/* calls.call_sid is VARCHAR(64) utf8mb4: 64 characters, 4 bytes each. */
#define ROUTE_SID_CHARS		64
#define ROUTE_SID_MAX		(ROUTE_SID_CHARS * 4)	/* bytes */
/* The longest raw segment that can decode to ROUTE_SID_MAX bytes. */
#define ROUTE_SEGMENT_MAX	(ROUTE_SID_MAX * 3)

enum route_kind {
	ROUTE_OTHER,		/* neither: 404 not_found */
	ROUTE_LIST,		/* <route> exactly */
	ROUTE_CALL,		/* <route>/<segment>, sid decoded */
	/*
	 * <route>/<segment> where the segment can be no call_sid: empty,
	 * a bad percent-escape, a NUL byte, not UTF-8, or over
	 * ROUTE_SID_CHARS characters. No database lookup is needed to
	 * answer 404 call_not_found.
	 */
	ROUTE_CALL_NONE
};

struct route_match {
	enum route_kind	 kind;
	/* ROUTE_CALL: the call_sid, sid_len bytes, NUL-terminated (and
	 * free of NUL bytes). Decoded in place: room for the raw segment. */
	char		 sid[ROUTE_SEGMENT_MAX + 1];
	size_t		 sid_len;
};

void	route_match(const struct request *, const char *route,
	    struct route_match *);

/* The length of REQUEST_URI's path: what precedes its query string. */
size_t	route_uri_path_len(const char *uri);

#endif
