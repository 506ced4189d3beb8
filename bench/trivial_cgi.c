/*
 * The CGI ceiling: a CGI program that does nothing but answer a fixed
 * JSON body of the size of a 50-row page (as bench/trivial.c does for
 * FastCGI), written as calls-api writes its CGI answer: the head, then
 * the body, one write(2) each. Linked like any small C program (libc
 * only), so that what it costs is what starting a process costs.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#ifndef TRIVIAL_BODY_SIZE
#define TRIVIAL_BODY_SIZE	26000
#endif

static char	 body[TRIVIAL_BODY_SIZE];

static int
write_all(const char *p, size_t n)
{
	ssize_t	 w;

	while (n > 0) {
		if ((w = write(STDOUT_FILENO, p, n)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int
main(void)
{
	char	 head[256];
	int	 hn;

	memset(body, 'x', sizeof(body));
	memcpy(body, "{\"success\":true,\"pad\":\"", 23);
	memcpy(body + sizeof(body) - 3, "\"}\n", 3);
	hn = snprintf(head, sizeof(head), "Status: 200 OK\r\n"
	    "Content-Type: application/json; charset=utf-8\r\n"
	    "Cache-Control: no-store\r\nContent-Length: %zu\r\n\r\n",
	    sizeof(body));
	if (hn < 0 || (size_t)hn >= sizeof(head))
		return 1;
	return write_all(head, (size_t)hn) == -1 ||
	    write_all(body, sizeof(body)) == -1;
}
