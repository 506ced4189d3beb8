/* UTC timestamps to the microsecond, and their ISO 8601 text forms. */
#ifndef CALLS_API_TIMESTAMP_H
#define CALLS_API_TIMESTAMP_H

#include <stddef.h>

#define TS_TEXT_SIZE	32	/* "YYYY-MM-DDTHH:MM:SS.ffffffZ" + NUL, padded */

struct ts {
	int	 year, month, day, hour, minute, second;
	long	 usec;
};

/* 1 when every field is in range (a real calendar date, years 1..9999). */
int	ts_valid(const struct ts *);

/*
 * 1 when the fields fit a DATETIME(6) as MariaDB may hold it under a
 * permissive sql_mode: year 0..9999, month 0..12, day 0..31 (zero parts
 * and the zero date included), time of day in range. Such a value has no
 * ISO 8601 form; it still has a keyset position.
 */
int	ts_in_datetime(const struct ts *);

/*
 * "2026-03-09T10:00:00Z", with ".ffffff" before the Z when the time has
 * microseconds or when always_fraction is set. Returns the length.
 */
size_t	ts_format(const struct ts *, int always_fraction,
	    char out[TS_TEXT_SIZE]);

/* Strict inverse of ts_format(..., 1, ...): 0 or -1 (not ts_valid). */
int	ts_parse_exact(const char *, struct ts *);

/* The same layout, for any ts_in_datetime() value: 0 or -1. */
int	ts_parse_datetime(const char *, struct ts *);

/* <0, 0, >0 as a is earlier than, the same as, later than b. */
int	ts_compare(const struct ts *a, const struct ts *b);

/*
 * An RFC 3339 date-time as a request gives it, to UTC:
 * "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)". 'T' and 'Z' may be
 * lower case; a space where the offset's '+' goes is read as '+' (a
 * literal '+' in a query string decodes to one); 1 to 9 fraction digits,
 * a part below a microsecond rounding up to the next one. No offset, a
 * leap second, or a result outside years 1..9999: -1.
 */
int	ts_parse_rfc3339(const char *, struct ts *);

#endif
