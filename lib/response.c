#include <stdio.h>

#include "response.h"

int
response_format_head(struct response *r)
{
	const struct ca_error_info	*info = ca_error_info(r->err);
	char				 line[128];
	int				 n, rc = 0;

	buf_reset(&r->head);
	n = snprintf(line, sizeof(line), "Status: %d %s\r\n", info->status,
	    info->reason);
	rc |= buf_append(&r->head, line, (size_t)n);
	rc |= buf_appends(&r->head,
	    "Content-Type: application/json; charset=utf-8\r\n"
	    "Cache-Control: no-store\r\n"
	    "X-Content-Type-Options: nosniff\r\n");
	n = snprintf(line, sizeof(line), "Content-Length: %zu\r\n",
	    r->body.len);
	rc |= buf_append(&r->head, line, (size_t)n);
	switch (info->status) {
	case 401:
		rc |= buf_appends(&r->head, r->err == CA_ERR_AUTH_MISSING ?
		    "WWW-Authenticate: Bearer realm=\"calls-api\"\r\n" :
		    "WWW-Authenticate: Bearer realm=\"calls-api\", "
		    "error=\"invalid_token\"\r\n");
		break;
	case 405:
		rc |= buf_appends(&r->head, "Allow: GET, HEAD\r\n");
		break;
	case 503:
		n = snprintf(line, sizeof(line), "Retry-After: %d\r\n",
		    RETRY_AFTER_SECONDS);
		rc |= buf_append(&r->head, line, (size_t)n);
		break;
	default:
		break;
	}
	rc |= buf_appends(&r->head, "\r\n");
	return rc ? -1 : 0;
}

void
response_free(struct response *r)
{
	buf_free(&r->head);
	buf_free(&r->body);
}
