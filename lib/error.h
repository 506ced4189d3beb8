/* The project's one error enum and the one place that maps it to HTTP. */
#ifndef CALLS_API_ERROR_H
#define CALLS_API_ERROR_H

enum ca_err {
	CA_OK = 0,
	CA_ERR_NOT_FOUND,		/* 404: no such resource */
	CA_ERR_METHOD_NOT_ALLOWED,	/* 405: only GET and HEAD */
	CA_ERR_AUTH_MISSING,		/* 401: no Authorization header */
	CA_ERR_AUTH_MALFORMED,		/* 401: not "Bearer <key>" */
	CA_ERR_AUTH_INVALID,		/* 401: unknown or revoked key */
	CA_ERR_QUERY_TOO_LONG,		/* 414: query string over the limit */
	CA_ERR_QUERY_MALFORMED,		/* 400: bad %-escape, NUL, bad UTF-8 */
	CA_ERR_PARAM_UNKNOWN,		/* 400: parameter we do not know */
	CA_ERR_PARAM_DUPLICATE,		/* 400: parameter given twice */
	CA_ERR_PARAM_INVALID,		/* 400: value out of range / bad form */
	CA_ERR_CURSOR_INVALID,		/* 400: cursor fails to decode/verify */
	CA_ERR_CONFIG,			/* 500: configuration missing or bad */
	CA_ERR_INTERNAL,		/* 500: a bug or a resource failure */
	CA_ERR_DB_UNAVAILABLE,		/* 503: database unreachable */
	CA_ERR__MAX
};

struct ca_error_info {
	int		 status;	/* HTTP status */
	const char	*reason;	/* HTTP reason phrase */
	const char	*code;		/* stable machine-readable code */
	const char	*message;	/* default human-readable message */
};

/* Never NULL: an out-of-range value maps to CA_ERR_INTERNAL's entry. */
const struct ca_error_info *ca_error_info(enum ca_err);

/* Status reason phrase for a success status (200). */
const char *ca_status_reason(int status);

/*
 * A failure as the pipeline reports it: the error, the parameter it
 * concerns (or NULL) and an optional message replacing the default.
 * Both strings must outlive the response (static or owned by the request).
 */
struct ca_fail {
	enum ca_err	 err;
	const char	*param;
	const char	*detail;
};

#endif
