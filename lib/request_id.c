#include <sys/random.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "request_id.h"

static ssize_t	(*random_fn)(void *, size_t, unsigned int) = getrandom;
static int	 fallback_logged;
static uint32_t	 fallback_count;

void
request_id_set_random(ssize_t (*fn)(void *, size_t, unsigned int))
{
	random_fn = fn != NULL ? fn : getrandom;
	fallback_logged = 0;
}

int
request_id_sane(const char *s)
{
	size_t	 n;

	if (s == NULL)
		return 0;
	for (n = 0; s[n] != '\0'; n++)
		if (n >= REQUEST_ID_MAX || !((s[n] >= 'a' && s[n] <= 'z') ||
		    (s[n] >= 'A' && s[n] <= 'Z') || (s[n] >= '0' &&
		    s[n] <= '9') || strchr("-_.:@+/=", s[n]) != NULL))
			return 0;
	return n > 0;
}

/* n bytes from the random source: 0, or -1 (errno says why). */
static int
random_bytes(unsigned char *p, size_t n)
{
	ssize_t	 got;

	while (n > 0) {
		/* GRND_NONBLOCK: before the pool is ready (early boot) fall
		 * back rather than hold the request. */
		if ((got = random_fn(p, n, GRND_NONBLOCK)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (got == 0) {
			errno = EIO;
			return -1;
		}
		p += got;
		n -= (size_t)got;
	}
	return 0;
}

/* Process id, a counter and the time: 16 bytes unique on this host. */
static void
fallback_bytes(unsigned char b[16])
{
	struct timespec	 ts;
	uint64_t	 t;
	uint32_t	 pid = (uint32_t)getpid(), count = fallback_count++;
	int		 i;

	if (clock_gettime(CLOCK_REALTIME, &ts) == -1)
		ts.tv_sec = ts.tv_nsec = 0;
	t = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	for (i = 0; i < 4; i++) {
		b[i] = (unsigned char)(pid >> (24 - 8 * i));
		b[4 + i] = (unsigned char)(count >> (24 - 8 * i));
	}
	for (i = 0; i < 8; i++)
		b[8 + i] = (unsigned char)(t >> (56 - 8 * i));
}

void
request_id_make(char out[REQUEST_ID_SIZE])
{
	static const char	 hex[] = "0123456789abcdef";
	unsigned char		 b[REQUEST_ID_MADE_LEN / 2];
	size_t			 i;

	if (random_bytes(b, sizeof(b)) == -1) {
		if (!fallback_logged) {
			log_error("request id: getrandom: %s; ids are made "
			    "from the process id, a counter and the time",
			    strerror(errno));
			fallback_logged = 1;
		}
		fallback_bytes(b);
	}
	for (i = 0; i < sizeof(b); i++) {
		out[2 * i] = hex[b[i] >> 4];
		out[2 * i + 1] = hex[b[i] & 15];
	}
	out[REQUEST_ID_MADE_LEN] = '\0';
}

const char *
request_id_pick(const char *header, const char *unique_id,
    char out[REQUEST_ID_SIZE])
{
	const char	*given = request_id_sane(header) ? header :
			    request_id_sane(unique_id) ? unique_id : NULL;

	if (given != NULL)
		memcpy(out, given, strlen(given) + 1);
	else
		request_id_make(out);
	return out;
}
