/* One line per event on stderr: the web server's error log. */
#ifndef CALLS_API_LOG_H
#define CALLS_API_LOG_H

void	log_error(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));

#endif
