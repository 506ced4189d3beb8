/* Query-string splitting and decoding, and the parameter table. */
#include <stdlib.h>
#include <string.h>

#include "../../lib/number.h"
#include "../../lib/params.h"
#include "../../lib/query.h"
#include "tap.h"

struct split_case {
	const char	*query;
	const char	*want;	/* "name=value|..." or "ERR" */
};

static const struct split_case splits[] = {
	{ "", "" },
	{ "a=1", "a=1|" },
	{ "a=1&b=2", "a=1|b=2|" },
	{ "a=1&&b=2&", "a=1|b=2|" },
	{ "flag", "flag=|" },
	{ "=v", "=v|" },
	{ "a=x%20y+z", "a=x y z|" },
	{ "a=%2B5", "a=+5|" },
	{ "%61=%62", "a=b|" },
	{ "a=%C3%A9", "a=\xc3\xa9|" },
	{ "a=b=c", "a=b=c|" },
	{ "a=%zz", "ERR" },
	{ "a=%4", "ERR" },
	{ "a=%", "ERR" },
	{ "a=%00", "ERR" },
	{ "%00=1", "ERR" },
	{ "a=%FF", "ERR" },
	{ "a=%C0%80", "ERR" },		/* overlong NUL */
	{ "a=%ED%A0%80", "ERR" },	/* surrogate */
	{ "a=%F4%90%80%80", "ERR" },	/* beyond U+10FFFF */
	{ "a=%E2%82", "ERR" },		/* truncated */
};

static void
test_split(void)
{
	struct query_iter	 it;
	struct ca_fail		 fail;
	char			 work[256], got[256], *n, *v;
	size_t			 i;
	int			 rc;

	for (i = 0; i < sizeof(splits) / sizeof(splits[0]); i++) {
		strcpy(work, splits[i].query);
		got[0] = '\0';
		query_begin(&it, work);
		while ((rc = query_next(&it, &n, &v, &fail)) == 1) {
			strcat(got, n);
			strcat(got, "=");
			strcat(got, v);
			strcat(got, "|");
		}
		if (rc == -1)
			strcpy(got, "ERR");
		is_str(got, splits[i].want, "split '%s'", splits[i].query);
	}
}

struct param_case {
	const char	*query;
	enum ca_err	 err;
	const char	*param;	/* named in the failure */
	int		 limit;	/* when CA_OK */
	const char	*cursor;
};

static const struct param_case cases[] = {
	{ NULL, CA_OK, NULL, 50, NULL },
	{ "", CA_OK, NULL, 50, NULL },
	{ "limit=1", CA_OK, NULL, 1, NULL },
	{ "limit=100", CA_OK, NULL, 100, NULL },
	{ "limit=050", CA_OK, NULL, 50, NULL },
	{ "limit=7&cursor=abc", CA_OK, NULL, 7, "abc" },
	{ "cursor=ab-_%2B%2F%3D", CA_OK, NULL, 50, "ab-_+/=" },
	{ "limit=0", CA_ERR_PARAM_INVALID, "limit", 0, NULL },
	{ "limit=101", CA_ERR_PARAM_INVALID, "limit", 0, NULL },
	{ "limit=-1", CA_ERR_PARAM_INVALID, "limit", 0, NULL },
	{ "limit=1.5", CA_ERR_PARAM_INVALID, "limit", 0, NULL },
	{ "limit=abc", CA_ERR_PARAM_INVALID, "limit", 0, NULL },
	{ "limit=", CA_ERR_PARAM_INVALID, "limit", 0, NULL },
	{ "limit", CA_ERR_PARAM_INVALID, "limit", 0, NULL },
	{ "limit=+5", CA_ERR_PARAM_INVALID, "limit", 0, NULL },
	{ "limit=%2B5", CA_ERR_PARAM_INVALID, "limit", 0, NULL },
	{ "limit=%205", CA_ERR_PARAM_INVALID, "limit", 0, NULL },
	{ "limit=5%20", CA_ERR_PARAM_INVALID, "limit", 0, NULL },
	{ "limit=1e2", CA_ERR_PARAM_INVALID, "limit", 0, NULL },
	{ "limit=0x10", CA_ERR_PARAM_INVALID, "limit", 0, NULL },
	{ "limit=99999999999999999999", CA_ERR_PARAM_INVALID, "limit", 0,
	    NULL },
	{ "limit=5&limit=5", CA_ERR_PARAM_DUPLICATE, "limit", 0, NULL },
	{ "cursor=a&cursor=b", CA_ERR_PARAM_DUPLICATE, "cursor", 0, NULL },
	{ "Limit=5", CA_ERR_PARAM_UNKNOWN, "Limit", 0, NULL },
	{ "limit=5&offset=10", CA_ERR_PARAM_UNKNOWN, "offset", 0, NULL },
	{ "page=2", CA_ERR_PARAM_UNKNOWN, "page", 0, NULL },
	{ "limit=%zz", CA_ERR_QUERY_MALFORMED, "limit", 0, NULL },
	{ "cursor=", CA_ERR_CURSOR_INVALID, "cursor", 0, NULL },
	{ "cursor=abc!", CA_ERR_CURSOR_INVALID, "cursor", 0, NULL },
	{ "cursor=%27%20OR%201=1", CA_ERR_CURSOR_INVALID, "cursor", 0, NULL },
	{ "limit=1;DROP%20TABLE%20calls", CA_ERR_PARAM_INVALID, "limit", 0,
	    NULL },
};

static void
test_params(void)
{
	struct list_params	 p;
	struct ca_fail		 fail;
	struct buf		 work = { NULL, 0, 0 };
	const struct param_case	*c;
	enum ca_err		 err;
	size_t			 i;
	char			*huge;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		c = &cases[i];
		err = params_parse(c->query, &work, &p, &fail);
		is_int(err, c->err, "params '%s': error", c->query ?
		    c->query : "(null)");
		is_str(fail.param, c->param, "params '%s': names the "
		    "parameter", c->query ? c->query : "(null)");
		if (c->err == CA_OK) {
			is_int(p.limit, c->limit, "  limit");
			is_str(p.cursor, c->cursor, "  cursor");
		}
	}

	huge = malloc(QUERY_MAX_LEN + 2);
	memset(huge, 'a', QUERY_MAX_LEN + 1);
	huge[QUERY_MAX_LEN + 1] = '\0';
	is_int(params_parse(huge, &work, &p, &fail), CA_ERR_QUERY_TOO_LONG,
	    "query over %d bytes", QUERY_MAX_LEN);
	free(huge);
	buf_free(&work);
}

int
main(void)
{
	long	 n;

	test_split();
	test_params();
	ok(parse_uint_range("0", 0, 5, &n) == 0 && n == 0, "uint 0");
	ok(parse_uint_range("6", 0, 5, &n) == -1, "uint over max");
	ok(parse_uint_range("", 0, 5, &n) == -1, "uint empty");
	return done_testing();
}
