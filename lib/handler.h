/*
 * The one-way pipeline of a request:
 * route -> method -> authenticate -> parameters -> cursor -> rows, written
 * into the envelope as the store hands them over; for one call
 * (<route>/{call_sid}): route -> method -> authenticate -> no parameters
 * -> one lookup -> the call's envelope.
 *
 * struct handler lives as long as the process and holds only what is
 * meant to outlive a request: the configuration, the store, the key cache
 * and the query buffer's storage. What a request finds out (its client,
 * its next cursor) lives in handler.c's struct request_state, made anew
 * by each handler_serve call and gone when it returns.
 */
#ifndef CALLS_API_HANDLER_H
#define CALLS_API_HANDLER_H

#include <time.h>

#include "auth.h"
#include "buf.h"
#include "config.h"
#include "request.h"
#include "response.h"
#include "store.h"

struct handler {
	const struct config	*cfg;	/* NULL: not configured (500) */
	char			 unconfigured[512];	/* why cfg is NULL */
	struct store		 store;
	struct auth_cache	 cache;
	struct buf		 work;	/* decoded query string: reused
					   storage, reset by every request */
};

/* 0, or -1 when memory runs out. cfg may be NULL (every request: 500). */
int	handler_init(struct handler *, const struct config *,
	    const struct store *);
void	handler_free(struct handler *);

/* Why there is no configuration (config_load's reason): logged with
 * every 500 server_misconfigured. */
void	handler_set_unconfigured(struct handler *, const char *why);

/*
 * Fill resp (head and body) for req; never fails to produce a response.
 * resp->request_id gets the request's id (lib/request_id.h): the
 * X-Request-Id header, the error body's request_id and the log line's.
 * Every answer of 500 or more leaves exactly one log line (lib/log.h):
 * status, code, method, path, the stage that failed, the reasons that
 * the layers below noted with log_error() and request_id=.
 */
void	handler_serve(struct handler *, const struct request *, time_t now,
	    struct response *);

#endif
