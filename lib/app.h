/*
 * The responder as the accept loop sees it: open once per process (reads
 * the config; the database is connected lazily), serve many requests.
 */
#ifndef CALLS_API_APP_H
#define CALLS_API_APP_H

#include "request.h"
#include "response.h"

struct app;

/* NULL only when memory runs out. Problems are logged, answered as 500. */
struct app		*app_open(const char *conf_path);
/* The response lives in the app until the next call. */
const struct response	*app_serve(struct app *, const struct request *);
void			 app_close(struct app *);
/*
 * The app serves one request only (plain CGI): no agent-name cache, which
 * could only miss; its pages join agents as with agent-cache-seconds=0.
 */
void			 app_one_request(struct app *);

/*
 * When no app could be opened (app_open gave NULL: no memory): the head
 * of a bare 500 for req into out, carrying the request's id
 * (lib/request_id.h), and the request's log line, with that id. Returns
 * the head's length.
 */
size_t			 app_unopened(const struct request *,
			    char out[RESPONSE_BARE_SIZE]);

#endif
