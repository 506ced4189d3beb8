#include <string.h>

#include "query.h"
#include "utf8.h"

static int
hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode s in place; return its new length, or -1 if malformed. */
static long
percent_decode(char *s)
{
	char	*r, *w;
	int	 hi, lo;

	for (r = w = s; *r != '\0'; r++, w++) {
		if (*r == '+') {
			*w = ' ';
		} else if (*r == '%') {
			if ((hi = hexval((unsigned char)r[1])) < 0 ||
			    (lo = hexval((unsigned char)r[2])) < 0)
				return -1;
			if ((*w = (char)(hi << 4 | lo)) == '\0')
				return -1;
			r += 2;
		} else
			*w = *r;
	}
	*w = '\0';
	return (long)(w - s);
}

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
	if ((nlen = percent_decode(*name)) < 0 ||
	    !utf8_valid(*name, (size_t)nlen))
		return -1;
	fail->param = *name;
	if ((vlen = percent_decode(*value)) < 0 ||
	    !utf8_valid(*value, (size_t)vlen))
		return -1;
	fail->err = CA_OK;
	fail->param = NULL;
	return 1;
}
