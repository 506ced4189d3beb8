/* lib/fcgi_record.c: parse the framed bytes back, record by record. */
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "../../lib/fcgi_record.h"

struct parsed {
	int		 ok;		/* every record well formed */
	int		 records;	/* FCGI_STDOUT records with content */
	size_t		 max_content;
	int		 end_of_stream;	/* the empty FCGI_STDOUT record */
	int		 end_request;	/* FCGI_END_REQUEST, complete, 0 */
	char		*content;	/* the stdout stream, reassembled */
	size_t		 len;
};

static struct parsed
parse(const struct buf *b, unsigned int id)
{
	const unsigned char	*p = (const unsigned char *)b->data;
	size_t			 at = 0, n, pad;
	struct parsed		 r = { 1, 0, 0, 0, 0, NULL, 0 };

	r.content = malloc(b->len + 1);
	while (r.ok && at < b->len) {
		if (b->len - at < 8 || p[at] != 1 ||
		    (unsigned int)(p[at + 2] << 8 | p[at + 3]) != id ||
		    p[at + 7] != 0 || r.end_request) {
			r.ok = 0;
			break;
		}
		n = (size_t)(p[at + 4] << 8 | p[at + 5]);
		pad = p[at + 6];
		if (b->len - at - 8 < n + pad || (n + pad) % 8 != 0) {
			r.ok = 0;
			break;
		}
		if (p[at + 1] == 6 && n > 0 && !r.end_of_stream) {
			memcpy(r.content + r.len, p + at + 8, n);
			r.len += n;
			r.records++;
			if (n > r.max_content)
				r.max_content = n;
		} else if (p[at + 1] == 6 && n == 0 && !r.end_of_stream)
			r.end_of_stream = 1;
		else if (p[at + 1] == 3 && n == 8 && r.end_of_stream &&
		    memcmp(p + at + 8, "\0\0\0\0\0\0\0\0", 8) == 0)
			r.end_request = 1;
		else
			r.ok = 0;
		at += 8 + n + pad;
	}
	return r;
}

static void
check(size_t headlen, size_t bodylen, unsigned int id, int want_records)
{
	struct buf	 out = { NULL, 0, 0 };
	struct parsed	 r;
	char		*head = malloc(headlen + 1), *body = malloc(bodylen + 1);
	size_t		 i;

	for (i = 0; i < headlen; i++)
		head[i] = (char)('A' + i % 26);
	for (i = 0; i < bodylen; i++)
		body[i] = (char)('a' + i % 23);
	is_int(fcgi_frame_response(&out, id, head, headlen, body, bodylen), 0,
	    "head %zu + body %zu, id %u: framed", headlen, bodylen, id);
	r = parse(&out, id);
	ok(r.ok && r.end_of_stream && r.end_request,
	    "  well-formed records, end of stream, then END_REQUEST");
	is_int(r.records, want_records, "  %d content records", want_records);
	ok(r.max_content <= FCGI_RECORD_CONTENT_MAX, "  no record over %d",
	    FCGI_RECORD_CONTENT_MAX);
	ok(r.len == headlen + bodylen && memcmp(r.content, head, headlen) == 0
	    && memcmp(r.content + headlen, body, bodylen) == 0,
	    "  the stream is head then body, byte for byte");
	free(r.content);
	free(head);
	free(body);
	buf_free(&out);
}

int
main(void)
{
	struct buf	 out = { NULL, 0, 0 };

	check(0, 0, 1, 0);
	check(1, 0, 1, 1);
	check(7, 0, 2, 1);
	check(150, 26000, 1, 1);
	check(150, FCGI_RECORD_CONTENT_MAX - 150, 65535, 1);
	check(150, FCGI_RECORD_CONTENT_MAX - 149, 300, 2);
	check(FCGI_RECORD_CONTENT_MAX + 3, 5, 1, 2);	/* split in the head */
	check(100, 3 * FCGI_RECORD_CONTENT_MAX, 7, 4);
	is_int(fcgi_frame_response(&out, 0, "x", 1, "", 0), -1,
	    "request id 0 refused");
	is_int(fcgi_frame_response(&out, 65536, "x", 1, "", 0), -1,
	    "request id over 65535 refused");
	buf_free(&out);
	return done_testing();
}
