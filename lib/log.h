/*
 * One line per event on stderr: the web server's error log.
 *
 * Between log_request_begin() and log_request_end(), log_error() does not
 * write: it notes its text as a reason of the request at hand, and
 * log_request_end() writes the request's one line: every answer with a
 * status of 500 or more gets exactly one, saying what failed and why (the
 * reasons noted, or that none was), and an answer under 500 for which
 * reasons were noted (a problem that a retry got over) gets one warning
 * line. Outside a request, log_error() writes its line at once.
 */
#ifndef CALLS_API_LOG_H
#define CALLS_API_LOG_H

void	log_error(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));

/* Start collecting reasons for a request (forgets earlier ones). */
void	log_request_begin(void);

/*
 * The request's line, if it needs one (see above): status and code of the
 * answer, method and path of the request (no query string: it may hold a
 * cursor; never a header), the stage that failed, the reasons noted, and
 * the request's id when there is one (NULL: none).
 * Returns 1 when a line was written, 0 when none was needed.
 */
int	log_request_end(int status, const char *code, const char *method,
	    const char *path, const char *stage, const char *request_id);

/* Test hook: lines go to sink (NULL: back to stderr), without newline. */
void	log_set_sink(void (*sink)(const char *line, void *arg), void *arg);

#endif
