#include "number.h"

int
parse_uint_range(const char *s, long min, long max, long *out)
{
	long	 n = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		n = n * 10 + (*s - '0');
		if (n > max)
			return -1;	/* also stops any overflow */
	}
	if (n < min)
		return -1;
	*out = n;
	return 0;
}
