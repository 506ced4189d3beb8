/* The table of List Calls parameters and their validators. */
#ifndef CALLS_API_PARAMS_H
#define CALLS_API_PARAMS_H

#include "buf.h"
#include "error.h"

#define LIMIT_MIN	1
#define LIMIT_MAX	100
#define LIMIT_DEFAULT	50

/* The parameters' names, as the query string and error bodies give them. */
#define PARAM_LIMIT	"limit"
#define PARAM_CURSOR	"cursor"

struct list_params {
	int		 limit;
	const char	*cursor;	/* raw text (in the work buffer), or NULL */
};

/*
 * Parse and validate a raw QUERY_STRING (may be NULL). Decoded strings
 * live in work, which the caller keeps until the response is built.
 * Unknown, repeated and malformed parameters are rejected; the failure
 * names the parameter.
 */
enum ca_err	params_parse(const char *query, struct buf *work,
		    struct list_params *, struct ca_fail *);

/*
 * The message of an unknown parameter: error.c's default followed by the
 * names in the table ("... Allowed: limit, cursor.").
 */
const char	*params_unknown_message(void);

#endif
