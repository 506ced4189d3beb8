/*
 * Percent-decoding (RFC 3986 section 2.1), shared by the query string and
 * the request path. They differ in one rule: in a query string (HTML form
 * encoding) '+' stands for a space; in a path it is a '+'.
 */
#ifndef CALLS_API_PERCENT_H
#define CALLS_API_PERCENT_H

enum percent_mode {
	PERCENT_QUERY,		/* '+' decodes to ' ' */
	PERCENT_PATH		/* '+' stays '+' */
};

/*
 * Decode the NUL-terminated s in place. Returns its new length, or -1
 * when it is malformed: a '%' not followed by two hex digits, or an
 * escape that decodes to a NUL byte. Says nothing about UTF-8.
 */
long	percent_decode(char *s, enum percent_mode);

#endif
