/*
 * The table of List Calls parameters and their validators, and what a
 * request asks for once they are validated (struct list_params).
 */
#ifndef CALLS_API_PARAMS_H
#define CALLS_API_PARAMS_H

#include <stddef.h>

#include "buf.h"
#include "error.h"
#include "timestamp.h"

#define LIMIT_MIN	1
#define LIMIT_MAX	100
#define LIMIT_DEFAULT	50

/* The parameters' names, as the query string and error bodies give them. */
#define PARAM_LIMIT		"limit"
#define PARAM_CURSOR		"cursor"
#define PARAM_ORDER		"order"
#define PARAM_CREATED_AFTER	"created_after"
#define PARAM_CREATED_BEFORE	"created_before"

/*
 * The equality filters, declared once: X(name, chars). name is the query
 * parameter and the calls column it compares with (c.name); chars the
 * column's width in characters (a longer value matches no row: 400).
 * From it: enum list_eq_id (LIST_EQ_name, LIST_NEQ).
 */
#define LIST_EQ_FILTERS(X) \
	X(status,	32) \
	X(call_type,	16) \
	X(agent_id,	64) \
	X(to_number,	32) \
	X(from_number,	32) \
	X(end_reason,	64)

#define LIST_EQ_ID(name, chars)	LIST_EQ_##name,
enum list_eq_id {
	LIST_EQ_FILTERS(LIST_EQ_ID)
	LIST_NEQ
};
#undef LIST_EQ_ID

/* Display order: by (created_at, call_sid), newest first by default. */
enum list_order {
	LIST_ORDER_DESC = 0,
	LIST_ORDER_ASC
};

/* One equality filter's value: NULL when the parameter was not given. */
struct list_eq {
	const char	*value;		/* normalised, NUL-terminated */
	size_t		 len;		/* bytes */
};

struct list_params {
	int		 limit;
	const char	*cursor;	/* raw text (in the work buffer), or NULL */
	enum list_order	 order;
	struct list_eq	 eq[LIST_NEQ];
	/* The time window: created_after <= created_at < created_before. */
	int		 has_created_after;
	struct ts	 created_after;		/* UTC, inclusive */
	int		 has_created_before;
	struct ts	 created_before;	/* UTC, exclusive */
};

/*
 * Parse and validate a raw QUERY_STRING (may be NULL). Decoded strings
 * live in work, which the caller keeps until the response is built.
 * Unknown, repeated and malformed parameters are rejected; the failure
 * names the parameter.
 */
enum ca_err	params_parse(const char *query, struct buf *work,
		    struct list_params *, struct ca_fail *);

/* How many equality filters p has (0..LIST_NEQ). */
size_t		params_eq_count(const struct list_params *p);

/*
 * What a cursor is bound to besides the organisation: the order and the
 * filters, in one canonical text (fixed order of parameters, normalised
 * values, so "+15550001111" and "%2B15550001111", "...T02:00:00+02:00"
 * and "...T00:00:00Z" give the same text). Exactly "" for the default
 * order without filters (cursors of earlier versions were bound to "").
 * Returns the length, or -1 when it does not fit cap.
 */
#define PARAMS_CANONICAL_MAX	2048
int		params_canonical(const struct list_params *p, char *out,
		    size_t cap);

/*
 * The message of an unknown parameter: error.c's default followed by the
 * names in the table ("... Allowed: limit, cursor, ...").
 */
const char	*params_unknown_message(void);

#endif
