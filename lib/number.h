/*
 * Numbers in text, for whoever reads them: the request parameters and the
 * configuration file alike.
 */
#ifndef CALLS_API_NUMBER_H
#define CALLS_API_NUMBER_H

/*
 * strtonum-style: s is only ASCII digits (at least one) and its value is
 * within [min, max]. Returns 0 and sets *out, or -1.
 */
int	parse_uint_range(const char *s, long min, long max, long *out);

#endif
