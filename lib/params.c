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

	memset(p, 0, sizeof(*p));
	p->limit = LIMIT_DEFAULT;
	p->cursor = NULL;
	p->order = LIST_ORDER_DESC;
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

size_t
params_eq_count(const struct list_params *p)
{
	size_t	 i, n = 0;

	for (i = 0; i < LIST_NEQ; i++)
		if (p->eq[i].value != NULL)
			n++;
	return n;
}

/* The filters' names, in LIST_EQ_FILTERS order. */
#define LIST_EQ_NAME(name, chars)	#name,
static const char *const eq_names[LIST_NEQ] = {
	LIST_EQ_FILTERS(LIST_EQ_NAME)
};
#undef LIST_EQ_NAME

/* Append "name=<len>:<bytes>\n" at out + *n; -1 when it does not fit. */
static int
canonical_put(char *out, size_t cap, size_t *n, const char *name,
    const char *v, size_t len)
{
	int	 w;

	w = snprintf(out + *n, cap - *n, "%s=%zu:", name, len);
	if (w < 0 || (size_t)w >= cap - *n || len + 1 >= cap - *n - (size_t)w)
		return -1;
	*n += (size_t)w;
	memcpy(out + *n, v, len);
	*n += len;
	out[(*n)++] = '\n';
	out[*n] = '\0';
	return 0;
}

int
params_canonical(const struct list_params *p, char *out, size_t cap)
{
	char	 when[TS_TEXT_SIZE];
	size_t	 i, n = 0, wl;

	if (cap == 0)
		return -1;
	out[0] = '\0';
	if (p->order == LIST_ORDER_ASC &&
	    canonical_put(out, cap, &n, PARAM_ORDER, "asc", 3) == -1)
		return -1;
	for (i = 0; i < LIST_NEQ; i++)
		if (p->eq[i].value != NULL && canonical_put(out, cap, &n,
		    eq_names[i], p->eq[i].value, p->eq[i].len) == -1)
			return -1;
	if (p->has_created_after) {
		wl = ts_format(&p->created_after, 1, when);
		if (canonical_put(out, cap, &n, PARAM_CREATED_AFTER, when,
		    wl) == -1)
			return -1;
	}
	if (p->has_created_before) {
		wl = ts_format(&p->created_before, 1, when);
		if (canonical_put(out, cap, &n, PARAM_CREATED_BEFORE, when,
		    wl) == -1)
			return -1;
	}
	return (int)n;
}
