/* A growable byte buffer, reused across requests to avoid reallocations. */
#ifndef CALLS_API_BUF_H
#define CALLS_API_BUF_H

#include <stddef.h>
#include <string.h>

struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
};

/* Each returns 0 on success, -1 when memory runs out (buf unchanged). */
int	buf_reserve(struct buf *, size_t extra);
int	buf_appends(struct buf *, const char *);
void	buf_reset(struct buf *);	/* len = 0, keeps the memory */
void	buf_free(struct buf *);

/* Inline: a JSON page is built from a thousand small appends. */
static inline int
buf_append(struct buf *b, const void *p, size_t n)
{
	if (n >= b->cap - b->len && buf_reserve(b, n) == -1)
		return -1;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

#endif
