/* A response: status, the headers it implies, and a JSON body. */
#ifndef CALLS_API_RESPONSE_H
#define CALLS_API_RESPONSE_H

#include "buf.h"
#include "error.h"

#define RETRY_AFTER_SECONDS	2

struct response {
	enum ca_err	 err;		/* CA_OK for a 200 */
	int		 head_only;	/* HEAD: headers without the body */
	struct buf	 head;		/* CGI header block, CRLF-terminated */
	struct buf	 body;		/* JSON */
};

/*
 * Format resp->head for resp->err and the body's length: Status,
 * Content-Type, Content-Length, Cache-Control, X-Content-Type-Options,
 * Accept-Ranges: none (servers must not slice it), and WWW-Authenticate (401),
 * Allow (405), Retry-After (503). 0 or -1 (no memory).
 */
int	response_format_head(struct response *);

void	response_free(struct response *);

#endif
