/*
 * UTF-8 well-formedness: what the JSON writer may print as a string, and
 * what the query string and key comments must be.
 */
#ifndef CALLS_API_UTF8_H
#define CALLS_API_UTF8_H

#include <stddef.h>

/* 1 when s (n bytes) is well-formed UTF-8 (no overlongs, surrogates). */
int	utf8_valid(const char *s, size_t n);

/* The characters (code points) of well-formed UTF-8 s of n bytes: what
 * a VARCHAR(n) column counts. */
size_t	utf8_chars(const char *s, size_t n);

#endif
