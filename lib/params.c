#include <stdio.h>
#include <string.h>

#include "cursor.h"
#include "number.h"
#include "params.h"
#include "query.h"

struct param_spec {
	const char	*name;
	int		(*valid)(const char *, struct list_params *);
	enum ca_err	 err;		/* the error when valid() fails */
	const char	*detail;	/* its message */
};

static int
valid_limit(const char *v, struct list_params *p)
{
	long	 n;

	if (parse_uint_range(v, LIMIT_MIN, LIMIT_MAX, &n) == -1)
		return -1;
	p->limit = (int)n;
	return 0;
}

static int
valid_cursor(const char *v, struct list_params *p)
{
	if (!cursor_text_plausible(v))
		return -1;
	p->cursor = v;
	return 0;
}

#define STRINGIFY_(x)	#x
#define STRINGIFY(x)	STRINGIFY_(x)

static const struct param_spec specs[] = {
	{ PARAM_LIMIT, valid_limit, CA_ERR_PARAM_INVALID,
	    PARAM_LIMIT " must be an integer from " STRINGIFY(LIMIT_MIN)
	    " to " STRINGIFY(LIMIT_MAX) "." },
	{ PARAM_CURSOR, valid_cursor, CA_ERR_CURSOR_INVALID, NULL },
};

#define NSPECS	(sizeof(specs) / sizeof(specs[0]))

const char *
params_unknown_message(void)
{
	static char	 msg[128];
	const char	*base = ca_error_info(CA_ERR_PARAM_UNKNOWN)->message;
	size_t		 i, n;
	int		 w;

	if (msg[0] != '\0')
		return msg;
	w = snprintf(msg, sizeof(msg), "%s Allowed:", base);
	for (i = 0; w >= 0 && (size_t)w < sizeof(msg) && i < NSPECS; i++) {
		n = (size_t)w;
		w = snprintf(msg + n, sizeof(msg) - n, " %s%s", specs[i].name,
		    i + 1 < NSPECS ? "," : ".");
		if (w >= 0)
			w += (int)n;
	}
	if (w < 0 || (size_t)w >= sizeof(msg)) {
		msg[0] = '\0';		/* too long: the default alone */
		return base;
	}
	return msg;
}

enum ca_err
params_parse(const char *query, struct buf *work, struct list_params *p,
    struct ca_fail *fail)
{
	struct query_iter	 it;
	char			*name, *value;
	unsigned int		 seen = 0;
	size_t			 i, qlen;
	int			 rc;

	p->limit = LIMIT_DEFAULT;
	p->cursor = NULL;
	fail->err = CA_OK;
	fail->param = fail->detail = NULL;

	if (query == NULL)
		query = "";
	if ((qlen = strlen(query)) > QUERY_MAX_LEN)
		return fail->err = CA_ERR_QUERY_TOO_LONG;
	buf_reset(work);
	if (buf_append(work, query, qlen) == -1)
		return fail->err = CA_ERR_INTERNAL;

	query_begin(&it, work->data);
	while ((rc = query_next(&it, &name, &value, fail)) == 1) {
		for (i = 0; i < NSPECS; i++)
			if (strcmp(name, specs[i].name) == 0)
				break;
		if (i == NSPECS) {
			fail->param = name;
			fail->detail = params_unknown_message();
			return fail->err = CA_ERR_PARAM_UNKNOWN;
		}
		fail->param = specs[i].name;
		if (seen & (1u << i))
			return fail->err = CA_ERR_PARAM_DUPLICATE;
		seen |= 1u << i;
		if (specs[i].valid(value, p) == -1) {
			fail->detail = specs[i].detail;
			return fail->err = specs[i].err;
		}
		fail->param = NULL;
	}
	return rc == -1 ? fail->err : CA_OK;
}
