/* The JSON bodies: the success envelope and the error envelope. */
#ifndef CALLS_API_ENVELOPE_H
#define CALLS_API_ENVELOPE_H

#include <stddef.h>

#include "buf.h"
#include "call.h"
#include "error.h"
#include "json_writer.h"

/*
 * {"success":true,"data":[...],"pagination":{"next_cursor":...,
 * "prev_cursor":...,"has_more":...,"page_size":N}}, written as the rows
 * arrive: begin, one add per call, end. A NULL cursor prints null;
 * has_more is next_cursor != NULL. end returns 0, or -1 when memory ran
 * out on the way.
 */
struct envelope_page {
	struct json_writer	 w;
	size_t			 count;
};

void	envelope_page_begin(struct envelope_page *, struct buf *);
void	envelope_page_add(struct envelope_page *, const struct call *);
int	envelope_page_end(struct envelope_page *, const char *next_cursor,
	    const char *prev_cursor);

/* {"success":true,"data":{...}}: one call, as a page writes it. 0, or -1
 * when memory ran out. */
int	envelope_call(struct buf *, const struct call *);

/*
 * {"success":false,"error":{"code":...,"message":...,"param":...,
 * "request_id":...}}: request_id NULL prints null.
 */
int	envelope_error(struct buf *, const struct ca_fail *,
	    const char *request_id);

#endif
