#include <string.h>

#include "timestamp.h"

static int
days_in_month(int year, int month)
{
	static const int	 days[] =
	    { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int			 leap;

	leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
	return month == 2 && leap ? 29 : days[month - 1];
}

int
ts_in_datetime(const struct ts *t)
{
	return t->year >= 0 && t->year <= 9999 &&
	    t->month >= 0 && t->month <= 12 &&
	    t->day >= 0 && t->day <= 31 &&
	    t->hour >= 0 && t->hour <= 23 &&
	    t->minute >= 0 && t->minute <= 59 &&
	    t->second >= 0 && t->second <= 59 &&
	    t->usec >= 0 && t->usec <= 999999;
}

/* A DATETIME value that is also a real calendar date: no zero parts. */
int
ts_valid(const struct ts *t)
{
	return ts_in_datetime(t) && t->year >= 1 && t->month >= 1 &&
	    t->day >= 1 && t->day <= days_in_month(t->year, t->month);
}

/* Write v as exactly width decimal digits (v < 10^width, width even),
 * two digits per step from a table of the hundred pairs. */
static char *
put_digits(char *p, long v, int width)
{
	static const char	 pairs[] =
	    "00010203040506070809101112131415161718192021222324"
	    "25262728293031323334353637383940414243444546474849"
	    "50515253545556575859606162636465666768697071727374"
	    "75767778798081828384858687888990919293949596979899";
	int			 i;

	for (i = width - 2; i >= 0; i -= 2) {
		memcpy(p + i, pairs + 2 * (v % 100), 2);
		v /= 100;
	}
	return p + width;
}

/*
 * By hand rather than snprintf: four timestamps a row, and snprintf's
 * format interpretation was the largest single cost of a page (measured).
 * The fields must be in range (ts_valid); out-of-range ones are clamped.
 */
size_t
ts_format(const struct ts *t, int always_fraction, char out[TS_TEXT_SIZE])
{
	char	*p = out;

	p = put_digits(p, t->year < 0 ? 0 : t->year % 10000, 4);
	*p++ = '-';
	p = put_digits(p, t->month < 0 ? 0 : t->month % 100, 2);
	*p++ = '-';
	p = put_digits(p, t->day < 0 ? 0 : t->day % 100, 2);
	*p++ = 'T';
	p = put_digits(p, t->hour < 0 ? 0 : t->hour % 100, 2);
	*p++ = ':';
	p = put_digits(p, t->minute < 0 ? 0 : t->minute % 100, 2);
	*p++ = ':';
	p = put_digits(p, t->second < 0 ? 0 : t->second % 100, 2);
	if (always_fraction || t->usec != 0) {
		*p++ = '.';
		p = put_digits(p, t->usec < 0 ? 0 : t->usec % 1000000, 6);
	}
	*p++ = 'Z';
	*p = '\0';
	return (size_t)(p - out);
}

/* Read exactly width digits at s. */
static int
digits(const char *s, int width, long *out)
{
	long	 v = 0;
	int	 i;

	for (i = 0; i < width; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/* The fields of ts_format(..., 1, ...)'s layout, unchecked: 0 or -1. */
static int
parse_fields(const char *s, struct ts *t)
{
	long	 y, mo, d, h, mi, se, us;

	if (strlen(s) != 27 || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
	    s[13] != ':' || s[16] != ':' || s[19] != '.' || s[26] != 'Z')
		return -1;
	if (digits(s, 4, &y) || digits(s + 5, 2, &mo) ||
	    digits(s + 8, 2, &d) || digits(s + 11, 2, &h) ||
	    digits(s + 14, 2, &mi) || digits(s + 17, 2, &se) ||
	    digits(s + 20, 6, &us))
		return -1;
	t->year = (int)y;
	t->month = (int)mo;
	t->day = (int)d;
	t->hour = (int)h;
	t->minute = (int)mi;
	t->second = (int)se;
	t->usec = us;
	return 0;
}

int
ts_parse_exact(const char *s, struct ts *t)
{
	return parse_fields(s, t) == 0 && ts_valid(t) ? 0 : -1;
}

int
ts_parse_datetime(const char *s, struct ts *t)
{
	return parse_fields(s, t) == 0 && ts_in_datetime(t) ? 0 : -1;
}
