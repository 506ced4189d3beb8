/*
 * The ceiling: a FastCGI responder that does nothing but answer a fixed
 * JSON body of about the size of a 50-row page, through the same accept
 * loop style (FCGI_Accept) as calls-api.
 *
 * TRIVIAL_BODY_SIZE is the measured size of a real limit=50 page of the
 * seeded data (25,974 bytes on average, 26,070 for the first page);
 * bench/run.sh prints the real size next to it, so a drift shows.
 */
#include <fcgi_stdio.h>

#include <stdint.h>
#include <string.h>

#ifndef TRIVIAL_BODY_SIZE
#define TRIVIAL_BODY_SIZE	26000
#endif

static char	 body[TRIVIAL_BODY_SIZE];

int
main(void)
{
	char	 head[256];
	size_t	 n, hn;

	memset(body, 'x', sizeof(body));
	memcpy(body, "{\"success\":true,\"pad\":\"", 23);
	memcpy(body + sizeof(body) - 3, "\"}\n", 3);
	n = sizeof(body);
	hn = (size_t)snprintf(head, sizeof(head), "Status: 200 OK\r\n"
	    "Content-Type: application/json; charset=utf-8\r\n"
	    "Cache-Control: no-store\r\nContent-Length: %zu\r\n\r\n", n);
	while (FCGI_Accept() >= 0) {
		fwrite(head, 1, hn, stdout);
		fwrite(body, 1, n, stdout);
	}
	return 0;
}
