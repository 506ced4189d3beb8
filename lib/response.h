/* A response: status, the headers it implies, and a JSON body. */
#ifndef CALLS_API_RESPONSE_H
#define CALLS_API_RESPONSE_H

#include "buf.h"
#include "error.h"
#include "request_id.h"

#define RETRY_AFTER_SECONDS	2

struct response {
	enum ca_err	 err;		/* CA_OK for a 200 */
	int		 head_only;	/* HEAD: headers without the body */
	struct buf	 head;		/* CGI header block, CRLF-terminated */
	struct buf	 body;		/* JSON */
	char		 request_id[REQUEST_ID_SIZE];	/* "": none */
};

/*
 * Format resp->head for resp->err and the body's length: Status,
 * Content-Type, Content-Length, Cache-Control, X-Content-Type-Options,
 * Accept-Ranges: none (servers must not slice it), X-Request-Id (unless
 * request_id is ""), and WWW-Authenticate (401), Allow (405), Retry-After
 * (503). 0 or -1 (no memory).
 */
int	response_format_head(struct response *);

/*
 * The head of the bare 500 that the accept loop sends when nothing better
 * can be (no memory for a head, no app): the status and, when request_id
 * is sane, X-Request-Id. Written into out (RESPONSE_BARE_SIZE bytes, no
 * allocation); returns its length.
 */
#define RESPONSE_BARE_SIZE	256
size_t	response_bare_head(char out[RESPONSE_BARE_SIZE],
	    const char *request_id);

void	response_free(struct response *);

#endif
