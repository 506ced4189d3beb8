/*
 * FastCGI 1.0 record framing of a whole response, as bytes: the stdout
 * stream as FCGI_STDOUT records, the empty record that ends the stream,
 * and FCGI_END_REQUEST (request complete, status 0). No libfcgi types:
 * the accept loop writes the result with one write(2).
 *
 * Why not libfcgi's own writer: it frames stdout in 8 KiB records, each
 * written as it fills, so a 26 KB page cost four writes and four wake-ups
 * of the web server (measured: bench/results.md); this is one.
 */
#ifndef CALLS_API_FCGI_RECORD_H
#define CALLS_API_FCGI_RECORD_H

#include <stddef.h>

#include "buf.h"

#define FCGI_RECORD_HEADER_LEN	8
#define FCGI_RECORD_CONTENT_MAX	65528	/* 65535 rounded down to 8 */

/*
 * Replace out's contents with the records carrying head then body for
 * request_id (1..65535). 0, or -1 when memory runs out or the id is bad.
 */
int	fcgi_frame_response(struct buf *out, unsigned int request_id,
	    const char *head, size_t headlen, const char *body,
	    size_t bodylen);

#endif
