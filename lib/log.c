#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "log.h"

void
log_error(const char *fmt, ...)
{
	char	 line[1024];
	va_list	 ap;
	int	 n;

	n = snprintf(line, sizeof(line), "calls-api[%ld]: ", (long)getpid());
	if (n < 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	/* One write, so lines from several processes do not interleave. */
	fprintf(stderr, "%s\n", line);
	fflush(stderr);
}
