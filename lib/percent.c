#include "percent.h"

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

long
percent_decode(char *s, enum percent_mode mode)
{
	char	*r, *w;
	int	 hi, lo;

	for (r = w = s; *r != '\0'; r++, w++) {
		if (*r == '+' && mode == PERCENT_QUERY) {
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
