/*
 * Query-string splitting and percent-decoding. Knows nothing about which
 * parameters exist: it yields decoded (name, value) pairs one at a time.
 */
#ifndef CALLS_API_QUERY_H
#define CALLS_API_QUERY_H

#include <stddef.h>

#include "buf.h"
#include "error.h"

#define QUERY_MAX_LEN	8192	/* longer query strings: CA_ERR_QUERY_TOO_LONG */

struct query_iter {
	char	*next;		/* start of the next unread pair, NULL at end */
};

/*
 * Start iterating over a copy of the raw query string held in work
 * (decoded in place, so work must be writable and NUL-terminated).
 */
void	query_begin(struct query_iter *, char *work);

/*
 * Next pair: 1 with *name and *value set (pointers into work; value is ""
 * when the pair has no '='), 0 at the end, -1 on a malformed pair with
 * fail filled in (CA_ERR_QUERY_MALFORMED). Empty pairs ("a=1&&b=2") are
 * skipped. '+' decodes to a space; %XX must be two hex digits; a decoded
 * NUL or invalid UTF-8 is malformed.
 */
int	query_next(struct query_iter *, char **name, char **value,
	    struct ca_fail *);

/*
 * Copy the raw query string (NULL: none) into work and start iterating
 * over it: CA_OK, or CA_ERR_QUERY_TOO_LONG / CA_ERR_INTERNAL in fail.
 */
enum ca_err	query_start(const char *query, struct buf *work,
		    struct query_iter *, struct ca_fail *);

/*
 * For a route that takes no parameters (GET <route>/{call_sid}): CA_OK
 * when the query string (may be NULL) has none, empty pairs aside; else
 * fail says why, for the first pair: CA_ERR_QUERY_TOO_LONG,
 * CA_ERR_QUERY_MALFORMED, or CA_ERR_PARAM_UNKNOWN naming it (decoded into
 * work, which must outlive the response) with QUERY_NONE_MESSAGE.
 */
#define QUERY_NONE_MESSAGE \
	"Unknown query parameter. This URL takes no query parameters."
enum ca_err	query_expect_none(const char *query, struct buf *work,
		    struct ca_fail *);

#endif
