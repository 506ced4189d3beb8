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

/* Days from 0000-03-01 based civil date to 1970-01-01 (H. Hinnant's
 * days_from_civil), and back; proleptic Gregorian, any year here. */
static long long
days_from_civil(long long y, int m, int d)
{
	long long	 era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
civil_from_days(long long z, struct ts *t)
{
	long long	 era, doe, yoe, y, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	t->day = (int)(doy - (153 * mp + 2) / 5 + 1);
	t->month = (int)(mp < 10 ? mp + 3 : mp - 9);
	t->year = (int)(y + (t->month <= 2));
}

#define USEC_PER_DAY	86400000000LL

int
ts_parse_rfc3339(const char *s, struct ts *out)
{
	struct ts	 t;
	long		 y, mo, d, h, mi, se, oh, om, v;
	long long	 us = 0, total, day;
	int		 n, sign, round_up = 0;

	if (strlen(s) < 20 || digits(s, 4, &y) || s[4] != '-' ||
	    digits(s + 5, 2, &mo) || s[7] != '-' || digits(s + 8, 2, &d) ||
	    (s[10] != 'T' && s[10] != 't') || digits(s + 11, 2, &h) ||
	    s[13] != ':' || digits(s + 14, 2, &mi) || s[16] != ':' ||
	    digits(s + 17, 2, &se))
		return -1;
	s += 19;
	if (*s == '.') {
		for (n = 0, s++; *s >= '0' && *s <= '9'; n++, s++) {
			if (n >= 9)
				return -1;
			if (n < 6)
				us = us * 10 + (*s - '0');
			else if (*s != '0')
				round_up = 1;	/* below a microsecond */
		}
		if (n == 0)
			return -1;
		for (; n < 6; n++)
			us *= 10;
	}
	if ((*s == 'Z' || *s == 'z') && s[1] == '\0')
		sign = 0, oh = om = 0;
	else if ((*s == '+' || *s == ' ' || *s == '-') && strlen(s) == 6 &&
	    digits(s + 1, 2, &oh) == 0 && s[3] == ':' &&
	    digits(s + 4, 2, &om) == 0 && oh <= 23 && om <= 59)
		sign = *s == '-' ? -1 : 1;
	else
		return -1;

	t.year = (int)y;
	t.month = (int)mo;
	t.day = (int)d;
	t.hour = (int)h;
	t.minute = (int)mi;
	t.second = (int)se;
	t.usec = (long)us;
	if (!ts_valid(&t))		/* second 60 included */
		return -1;
	/* To UTC: local time minus the offset, in microseconds. */
	total = days_from_civil(y, (int)mo, (int)d) * USEC_PER_DAY +
	    ((h * 60 + mi) * 60 + se) * 1000000LL + us + round_up -
	    (long long)sign * (oh * 60 + om) * 60000000LL;
	day = total >= 0 ? total / USEC_PER_DAY :
	    -((-total + USEC_PER_DAY - 1) / USEC_PER_DAY);
	total -= day * USEC_PER_DAY;
	civil_from_days(day, &t);
	v = (long)(total / 1000000);
	t.usec = (long)(total % 1000000);
	t.hour = (int)(v / 3600);
	t.minute = (int)(v / 60 % 60);
	t.second = (int)(v % 60);
	if (!ts_valid(&t))		/* moved out of years 1..9999 */
		return -1;
	*out = t;
	return 0;
}

int
ts_compare(const struct ts *a, const struct ts *b)
{
	long	 d;

	if ((d = a->year - b->year) == 0 && (d = a->month - b->month) == 0 &&
	    (d = a->day - b->day) == 0 && (d = a->hour - b->hour) == 0 &&
	    (d = a->minute - b->minute) == 0 &&
	    (d = a->second - b->second) == 0)
		d = a->usec - b->usec;
	return d < 0 ? -1 : d > 0;
}
