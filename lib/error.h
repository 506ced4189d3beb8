/* The project's one error enum and the one place that maps it to HTTP. */
#ifndef CALLS_API_ERROR_H
#define CALLS_API_ERROR_H

enum ca_err {
	CA_OK = 0,
	CA_ERR_NOT_FOUND,		/* 404: no such resource */
	CA_ERR_CALL_NOT_FOUND,		/* 404: no call of the key's org */
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
	/*
	 * Key administration (calls-api key ...): command-line errors, no
	 * HTTP status (ca_error_info() gives CA_ERR_INTERNAL's entry); their
	 * exit statuses come from ca_exit_status().
	 */
	CA_ERR_USAGE,			/* bad command line or argument */
	CA_ERR_DB_DENIED,		/* the account may not do it (1142) */
	CA_ERR_CLIENT_UNKNOWN,		/* no calls, agents or keys: a typo? */
	CA_ERR_KEY_NOT_FOUND,		/* no key with that hash prefix */
	CA_ERR_KEY_AMBIGUOUS,		/* the prefix matches several keys */
	CA_ERR_KEY_REVOKED,		/* the key is revoked already */
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

/*
 * The exit status of a command-line run ending with this error (README,
 * "Keys"): 0 for CA_OK, 1 for anything not listed there.
 */
int ca_exit_status(enum ca_err);

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
