/* A growable byte buffer, reused across requests to avoid reallocations. */
#ifndef CALLS_API_BUF_H
#define CALLS_API_BUF_H

#include <stddef.h>

struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
};

/* Each returns 0 on success, -1 when memory runs out (buf unchanged). */
int	buf_reserve(struct buf *, size_t extra);
int	buf_append(struct buf *, const void *, size_t);
int	buf_appends(struct buf *, const char *);
void	buf_reset(struct buf *);	/* len = 0, keeps the memory */
void	buf_free(struct buf *);

#endif
