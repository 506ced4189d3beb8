/*
 * Append-only JSON text into a struct buf: strings escaped, decimals kept
 * exact (12.35 stays 12.35). Errors are sticky: check w->failed once.
 *
 * Underneath, json_put_* write one value at p, which must have room for
 * the value's worst case (the _MAX macros), and return the end: a page
 * reserves the worst case of a whole row once and writes its thirty-odd
 * pieces without a capacity check each (measured: the checked appends
 * were a fifth of the responder's user time).
 */
#ifndef CALLS_API_JSON_WRITER_H
#define CALLS_API_JSON_WRITER_H

#include "buf.h"
#include "timestamp.h"

struct json_writer {
	struct buf	*out;
	int		 failed;	/* out of memory */
};

/* Worst cases: every byte escaped as \u00XX, plus quotes; "null". */
#define JSON_STRING_MAX(len)	(6 * (size_t)(len) + 2)
#define JSON_ULONG_MAX		20
#define JSON_TIMESTAMP_MAX	(TS_TEXT_SIZE + 2)
#define JSON_NULL_LEN		4

char	*json_put_raw(char *p, const char *s, size_t n);
char	*json_put_null(char *p);
char	*json_put_string(char *p, const char *s);	/* invalid UTF-8: null */
/* n bytes of s, NUL bytes included (as \u0000); invalid UTF-8: null. */
char	*json_put_stringn(char *p, const char *s, size_t n);
char	*json_put_bool(char *p, int);			/* up to 5 bytes */
char	*json_put_ulong(char *p, unsigned long);
char	*json_put_decimal(char *p, const char *s);	/* up to strlen(s) or 4 */
char	*json_put_timestamp(char *p, const struct ts *);

/* Make room for at least n more bytes (and a NUL); the write position. */
char	*jw_reserve(struct json_writer *, size_t n);
/* After writing up to p (from jw_reserve's pointer on). */
void	jw_commit(struct json_writer *, char *p);

void	jw_raw(struct json_writer *, const char *);
void	jw_string(struct json_writer *, const char *);	/* NULL: null */
void	jw_bool(struct json_writer *, int);
void	jw_ulong(struct json_writer *, unsigned long);

/* 1 when s is a JSON-compatible decimal: -?digits(.digits)? */
int	decimal_valid(const char *s);

#endif
