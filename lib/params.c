#include <stdio.h>
#include <string.h>

#include "cursor.h"
#include "number.h"
#include "params.h"
#include "query.h"
#include "utf8.h"

struct param_spec {
	const char	*name;
	/* v is writable (the work buffer): a validator may normalise it. */
	int		(*valid)(char *v, struct list_params *, int which);
	int		 which;		/* for the filters: LIST_EQ_* */
	enum ca_err	 err;		/* the error when valid() fails */
	const char	*detail;	/* its message */
};

static int
valid_limit(char *v, struct list_params *p, int which)
{
	long	 n;

	(void)which;
	if (parse_uint_range(v, LIMIT_MIN, LIMIT_MAX, &n) == -1)
		return -1;
	p->limit = (int)n;
	return 0;
}

static int
valid_cursor(char *v, struct list_params *p, int which)
{
	(void)which;
	if (!cursor_text_plausible(v))
		return -1;
	p->cursor = v;
	return 0;
}

static int
valid_order(char *v, struct list_params *p, int which)
{
	(void)which;
	if (strcmp(v, "desc") == 0)
		p->order = LIST_ORDER_DESC;
	else if (strcmp(v, "asc") == 0)
		p->order = LIST_ORDER_ASC;
	else
		return -1;
	return 0;
}

/* Each filter column's width in characters, LIST_EQ_FILTERS order. */
#define LIST_EQ_CHARS(name, chars)	chars,
static const size_t eq_chars[LIST_NEQ] = {
	LIST_EQ_FILTERS(LIST_EQ_CHARS)
};
#undef LIST_EQ_CHARS

static void
set_eq(struct list_params *p, int which, const char *v, size_t len)
{
	p->eq[which].value = v;
	p->eq[which].len = len;
}

/* Text matched exactly: 1 to the column's width in characters (the query
 * decoder has checked that it is UTF-8 without NUL). */
static int
valid_text(char *v, struct list_params *p, int which)
{
	size_t	 len = strlen(v);

	if (len == 0 || utf8_chars(v, len) > eq_chars[which])
		return -1;
	set_eq(p, which, v, len);
	return 0;
}

static int
valid_call_type(char *v, struct list_params *p, int which)
{
	if (strcmp(v, "inbound") != 0 && strcmp(v, "outbound") != 0 &&
	    strcmp(v, "preview") != 0)
		return -1;
	set_eq(p, which, v, strlen(v));
	return 0;
}

/*
 * E.164: '+', then 1 to 15 digits, the first not 0. A '+' sent literally
 * arrives as a space (the query decoder's '+'): read it as the '+'.
 */
static int
valid_e164(char *v, struct list_params *p, int which)
{
	size_t	 n;

	if (v[0] != '+' && v[0] != ' ')
		return -1;
	if (v[1] < '1' || v[1] > '9')
		return -1;
	for (n = 1; v[n] != '\0'; n++)
		if (n > 15 || v[n] < '0' || v[n] > '9')
			return -1;
	v[0] = '+';
	set_eq(p, which, v, n);
	return 0;
}

static int
valid_created_after(char *v, struct list_params *p, int which)
{
	(void)which;
	if (ts_parse_rfc3339(v, &p->created_after) == -1)
		return -1;
	p->has_created_after = 1;
	return 0;
}

static int
valid_created_before(char *v, struct list_params *p, int which)
{
	(void)which;
	if (ts_parse_rfc3339(v, &p->created_before) == -1)
		return -1;
	p->has_created_before = 1;
	return 0;
}

#define STRINGIFY_(x)	#x
#define STRINGIFY(x)	STRINGIFY_(x)

/* A text filter's entry, its message from the column width. */
#define TEXT_SPEC(name, chars) \
	{ #name, valid_text, LIST_EQ_##name, CA_ERR_PARAM_INVALID, \
	    #name " must be 1 to " #chars " characters, matched exactly." }
#define E164_SPEC(name) \
	{ #name, valid_e164, LIST_EQ_##name, CA_ERR_PARAM_INVALID, \
	    #name " must be an E.164 number: + and 1 to 15 digits, e.g. " \
	    "+15551234567 (the + percent-encoded as %2B or sent as is)." }
#define TIME_SPEC(name, valid, bound) \
	{ name, valid, 0, CA_ERR_PARAM_INVALID, name " must be an RFC 3339 " \
	    "date-time with Z or an offset, e.g. 2026-03-09T10:00:00Z (" \
	    bound ")." }

static const struct param_spec specs[] = {
	{ PARAM_LIMIT, valid_limit, 0, CA_ERR_PARAM_INVALID,
	    PARAM_LIMIT " must be an integer from " STRINGIFY(LIMIT_MIN)
	    " to " STRINGIFY(LIMIT_MAX) "." },
	{ PARAM_CURSOR, valid_cursor, 0, CA_ERR_CURSOR_INVALID, NULL },
	{ PARAM_ORDER, valid_order, 0, CA_ERR_PARAM_INVALID,
	    PARAM_ORDER " must be desc (newest first, the default) or asc." },
	TEXT_SPEC(status, 32),
	{ "call_type", valid_call_type, LIST_EQ_call_type,
	    CA_ERR_PARAM_INVALID,
	    "call_type must be inbound, outbound or preview." },
	TEXT_SPEC(agent_id, 64),
	E164_SPEC(to_number),
	E164_SPEC(from_number),
	TEXT_SPEC(end_reason, 64),
	TIME_SPEC(PARAM_CREATED_AFTER, valid_created_after,
	    "inclusive: calls created at or after it"),
	TIME_SPEC(PARAM_CREATED_BEFORE, valid_created_before,
	    "exclusive: calls created before it"),
};

#define NSPECS	(sizeof(specs) / sizeof(specs[0]))

const char *
params_unknown_message(void)
{
	static char	 msg[256];
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
	size_t			 i;
	int			 rc;

	memset(p, 0, sizeof(*p));
	p->limit = LIMIT_DEFAULT;
	p->cursor = NULL;
	p->order = LIST_ORDER_DESC;
	if (query_start(query, work, &it, fail) != CA_OK)
		return fail->err;
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
		if (specs[i].valid(value, p, specs[i].which) == -1) {
			fail->detail = specs[i].detail;
			return fail->err = specs[i].err;
		}
		fail->param = NULL;
	}
	if (rc == -1)
		return fail->err;
	if (p->has_created_after && p->has_created_before &&
	    ts_compare(&p->created_after, &p->created_before) >= 0) {
		fail->param = PARAM_CREATED_BEFORE;
		fail->detail = PARAM_CREATED_BEFORE " must be later than "
		    PARAM_CREATED_AFTER ".";
		return fail->err = CA_ERR_PARAM_INVALID;
	}
	return CA_OK;
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
