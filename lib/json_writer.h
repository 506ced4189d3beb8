/*
 * Append-only JSON text into a struct buf: strings escaped, decimals kept
 * exact (12.35 stays 12.35). Errors are sticky: check w->failed once.
 */
#ifndef CALLS_API_JSON_WRITER_H
#define CALLS_API_JSON_WRITER_H

#include "buf.h"
#include "timestamp.h"

struct json_writer {
	struct buf	*out;
	int		 failed;	/* out of memory */
};

void	jw_raw(struct json_writer *, const char *);
void	jw_rawn(struct json_writer *, const char *, size_t);
void	jw_string(struct json_writer *, const char *);	/* NULL: null */
void	jw_key(struct json_writer *, const char *);	/* "key": */
void	jw_bool(struct json_writer *, int);
void	jw_ulong(struct json_writer *, unsigned long);
void	jw_decimal(struct json_writer *, const char *);	/* trims zeros; bad: null */
void	jw_timestamp(struct json_writer *, const struct ts *); /* NULL: null */

/* 1 when s is a JSON-compatible decimal: -?digits(.digits)? */
int	decimal_valid(const char *s);

#endif
