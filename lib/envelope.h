/* The JSON bodies: the success envelope and the error envelope. */
#ifndef CALLS_API_ENVELOPE_H
#define CALLS_API_ENVELOPE_H

#include <stddef.h>

#include "buf.h"
#include "call.h"
#include "error.h"

/*
 * {"success":true,"data":[...],"pagination":{"next_cursor":...,
 * "has_more":...,"page_size":N}} with the first count rows of page.
 * next_cursor NULL prints null (and has_more false). 0 or -1 (no memory).
 */
int	envelope_success(struct buf *, const struct call_page *, size_t count,
	    const char *next_cursor);

/* {"success":false,"error":{"code":...,"message":...,"param":...}} */
int	envelope_error(struct buf *, const struct ca_fail *);

#endif
