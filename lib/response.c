#include <stdio.h>

#include "json_writer.h"
#include "response.h"

/* Append v in decimal, as JSON writes it (snprintf's cost showed in every
 * request's profile). */
static int
append_ulong(struct buf *b, unsigned long v)
{
	char	 num[JSON_ULONG_MAX];

	return buf_append(b, num, (size_t)(json_put_ulong(num, v) - num));
}

int
response_format_head(struct response *r)
{
	const struct ca_error_info	*info = ca_error_info(r->err);
	int				 rc = 0;

	buf_reset(&r->head);
	rc |= buf_appends(&r->head, "Status: ");
	rc |= append_ulong(&r->head, (unsigned long)info->status);
	rc |= buf_appends(&r->head, " ");
	rc |= buf_appends(&r->head, info->reason);
	rc |= buf_appends(&r->head, "\r\n");
	/* Accept-Ranges: none: an answer is one JSON document, never sliced.
	 * lighttpd cuts a 200 from a FastCGI or CGI child to a Range request
	 * (206 and a broken document) unless the child says this
	 * (http_range.c, 1.4.69); Apache's byterange filter leaves streamed
	 * CGI output whole, and the drop-in adds MaxRanges none. */
	rc |= buf_appends(&r->head,
	    "Content-Type: application/json; charset=utf-8\r\n"
	    "Cache-Control: no-store\r\n"
	    "X-Content-Type-Options: nosniff\r\n"
	    "Accept-Ranges: none\r\n");
	if (r->request_id[0] != '\0') {
		rc |= buf_appends(&r->head, "X-Request-Id: ");
		rc |= buf_appends(&r->head, r->request_id);
		rc |= buf_appends(&r->head, "\r\n");
	}
	rc |= buf_appends(&r->head, "Content-Length: ");
	rc |= append_ulong(&r->head, (unsigned long)r->body.len);
	rc |= buf_appends(&r->head, "\r\n");
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
		rc |= buf_appends(&r->head, "Retry-After: ");
		rc |= append_ulong(&r->head, RETRY_AFTER_SECONDS);
		rc |= buf_appends(&r->head, "\r\n");
		break;
	default:
		break;
	}
	rc |= buf_appends(&r->head, "\r\n");
	return rc ? -1 : 0;
}

size_t
response_bare_head(char out[RESPONSE_BARE_SIZE], const char *request_id)
{
	static const char	 status[] =
	    "Status: 500 Internal Server Error\r\n";
	int			 n;

	if (request_id_sane(request_id))
		n = snprintf(out, RESPONSE_BARE_SIZE,
		    "%sX-Request-Id: %s\r\n\r\n", status, request_id);
	else
		n = snprintf(out, RESPONSE_BARE_SIZE, "%s\r\n", status);
	return n > 0 && n < RESPONSE_BARE_SIZE ? (size_t)n : 0;
}

void
response_free(struct response *r)
{
	buf_free(&r->head);
	buf_free(&r->body);
}
