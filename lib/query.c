#include <string.h>

#include "percent.h"
#include "query.h"
#include "utf8.h"

void
query_begin(struct query_iter *it, char *work)
{
	it->next = (work != NULL && *work != '\0') ? work : NULL;
}

int
query_next(struct query_iter *it, char **name, char **value,
    struct ca_fail *fail)
{
	char	*pair, *amp, *eq;
	long	 nlen, vlen;

	for (;;) {
		if ((pair = it->next) == NULL)
			return 0;
		if ((amp = strchr(pair, '&')) != NULL) {
			*amp = '\0';
			it->next = amp + 1;
		} else
			it->next = NULL;
		if (*pair != '\0')
			break;
	}

	if ((eq = strchr(pair, '=')) != NULL) {
		*eq = '\0';
		*value = eq + 1;
	} else
		*value = pair + strlen(pair);	/* "" */
	*name = pair;

	fail->err = CA_ERR_QUERY_MALFORMED;
	fail->param = NULL;
	fail->detail = NULL;
	if ((nlen = percent_decode(*name, PERCENT_QUERY)) < 0 ||
	    !utf8_valid(*name, (size_t)nlen))
		return -1;
	fail->param = *name;
	if ((vlen = percent_decode(*value, PERCENT_QUERY)) < 0 ||
	    !utf8_valid(*value, (size_t)vlen))
		return -1;
	fail->err = CA_OK;
	fail->param = NULL;
	return 1;
}

enum ca_err
query_start(const char *query, struct buf *work, struct query_iter *it,
    struct ca_fail *fail)
{
	size_t	 qlen;

	fail->err = CA_OK;
	fail->param = fail->detail = NULL;
	if (query == NULL)
		query = "";
	if ((qlen = strlen(query)) > QUERY_MAX_LEN)
		return fail->err = CA_ERR_QUERY_TOO_LONG;
	buf_reset(work);
	if (buf_append(work, query, qlen) == -1)
		return fail->err = CA_ERR_INTERNAL;
	query_begin(it, work->data);
	return CA_OK;
}

enum ca_err
query_expect_none(const char *query, struct buf *work, struct ca_fail *fail)
{
	struct query_iter	 it;
	char			*name, *value;
	int			 rc;

	if (query_start(query, work, &it, fail) != CA_OK)
		return fail->err;
	if ((rc = query_next(&it, &name, &value, fail)) == 1) {
		fail->param = name;
		fail->detail = QUERY_NONE_MESSAGE;
		return fail->err = CA_ERR_PARAM_UNKNOWN;
	}
	return rc == -1 ? fail->err : CA_OK;
}
