/*
 * The id of a request, as X-Request-Id shows it to the client and
 * request_id= to the log: the one the front end gave (the client's or a
 * proxy's X-Request-Id), else Apache mod_unique_id's UNIQUE_ID, each only
 * when sane; else one made here.
 */
#ifndef CALLS_API_REQUEST_ID_H
#define CALLS_API_REQUEST_ID_H

#include <stddef.h>
#include <sys/types.h>

#define REQUEST_ID_MAX		128	/* characters of an accepted id */
#define REQUEST_ID_SIZE		(REQUEST_ID_MAX + 1)
#define REQUEST_ID_MADE_LEN	32	/* lowercase hex of a made id */

/*
 * 1 when s is 1 to REQUEST_ID_MAX characters of letters, digits and
 * -_.:@+/= (what X-Request-Id and mod_unique_id use): safe in a header, a
 * JSON string and a log line as it is. 0 otherwise (NULL included).
 */
int	request_id_sane(const char *s);

/*
 * The request's id into out: header (HTTP_X_REQUEST_ID) when sane, else
 * unique_id (UNIQUE_ID) when sane, else a made one (request_id_make).
 * Either may be NULL. Returns out.
 */
const char *request_id_pick(const char *header, const char *unique_id,
	    char out[REQUEST_ID_SIZE]);

/*
 * A new id: REQUEST_ID_MADE_LEN lowercase hex characters of 16 bytes from
 * getrandom(2). Should that fail, the same length made of the process id,
 * a counter and the time (unique per host, not unpredictable), and one log
 * line says so, the first time. Never fails.
 */
void	request_id_make(char out[REQUEST_ID_SIZE]);

/* Test hook: the source of random bytes (NULL: getrandom). */
void	request_id_set_random(ssize_t (*fn)(void *, size_t, unsigned int));

#endif
