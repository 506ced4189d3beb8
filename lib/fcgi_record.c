#include "fcgi_record.h"

#define FCGI_VERSION_1		1
#define FCGI_END_REQUEST	3
#define FCGI_STDOUT		6
#define FCGI_REQUEST_COMPLETE	0

static int
put_header(struct buf *out, unsigned char type, unsigned int id,
    size_t content_len, unsigned char padding)
{
	unsigned char	 h[FCGI_RECORD_HEADER_LEN];

	h[0] = FCGI_VERSION_1;
	h[1] = type;
	h[2] = (unsigned char)(id >> 8);
	h[3] = (unsigned char)(id & 0xff);
	h[4] = (unsigned char)(content_len >> 8);
	h[5] = (unsigned char)(content_len & 0xff);
	h[6] = padding;
	h[7] = 0;
	return buf_append(out, h, sizeof(h));
}

/* Content bytes [from, from + n) of the concatenation head + body. */
static int
put_content(struct buf *out, const char *head, size_t headlen,
    const char *body, size_t from, size_t n)
{
	size_t	 k;

	if (from < headlen) {
		k = headlen - from < n ? headlen - from : n;
		if (buf_append(out, head + from, k) == -1)
			return -1;
		from += k;
		n -= k;
	}
	return n == 0 ? 0 : buf_append(out, body + (from - headlen), n);
}

int
fcgi_frame_response(struct buf *out, unsigned int request_id,
    const char *head, size_t headlen, const char *body, size_t bodylen)
{
	static const unsigned char	 zeros[8];
	static const unsigned char	 end_body[8] = {
		0, 0, 0, 0,		/* appStatus 0 */
		FCGI_REQUEST_COMPLETE,	/* protocolStatus */
		0, 0, 0
	};
	size_t				 total, at, n, records;
	unsigned char			 pad;

	if (request_id < 1 || request_id > 0xffff ||
	    bodylen > (size_t)-1 / 2 - headlen)
		return -1;
	total = headlen + bodylen;
	records = total / FCGI_RECORD_CONTENT_MAX + 1;
	buf_reset(out);
	/* Every record's header and padding, the end records, the content. */
	if (buf_reserve(out, total + records * 16 + 3 * FCGI_RECORD_HEADER_LEN
	    + sizeof(end_body)) == -1)
		return -1;
	for (at = 0; at < total; at += n) {
		n = total - at < FCGI_RECORD_CONTENT_MAX ?
		    total - at : FCGI_RECORD_CONTENT_MAX;
		pad = (unsigned char)((8 - n % 8) % 8);
		if (put_header(out, FCGI_STDOUT, request_id, n, pad) == -1 ||
		    put_content(out, head, headlen, body, at, n) == -1 ||
		    buf_append(out, zeros, pad) == -1)
			return -1;
	}
	if (put_header(out, FCGI_STDOUT, request_id, 0, 0) == -1 ||
	    put_header(out, FCGI_END_REQUEST, request_id, sizeof(end_body),
	    0) == -1 || buf_append(out, end_body, sizeof(end_body)) == -1)
		return -1;
	return 0;
}
