/*
 * The request's id (lib/request_id.c): which given ids are kept, what a
 * made one looks like, the fallback when getrandom fails, and where the
 * id shows in a response (head, bare 500).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/app.h"
#include "../../lib/log.h"
#include "../../lib/request_id.h"
#include "../../lib/response.h"
#include "tap.h"

#define NMADE	2000

static int	 nlines;
static char	 last_line[2048];

static void
capture(const char *line, void *arg)
{
	(void)arg;
	snprintf(last_line, sizeof(last_line), "%s", line);
	nlines++;
}

/* 1 when s is REQUEST_ID_MADE_LEN lowercase hex characters. */
static int
made_form(const char *s)
{
	size_t	 n;

	for (n = 0; s[n] != '\0'; n++)
		if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' &&
		    s[n] <= 'f')))
			return 0;
	return n == REQUEST_ID_MADE_LEN;
}

static int
cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* NMADE ids made in a row: all of the made form, none twice. */
static void
many_made(const char *what)
{
	static char	 ids[NMADE][REQUEST_ID_SIZE];
	size_t		 i, bad = 0, dup = 0;

	for (i = 0; i < NMADE; i++) {
		request_id_make(ids[i]);
		bad += !made_form(ids[i]);
	}
	qsort(ids, NMADE, sizeof(ids[0]), cmp);
	for (i = 1; i < NMADE; i++)
		dup += strcmp(ids[i - 1], ids[i]) == 0;
	ok(bad == 0, "%s: %d made ids, all 32 lowercase hex (%zu not)",
	    what, NMADE, bad);
	ok(dup == 0, "%s: none twice (%zu duplicates)", what, dup);
}

static void
test_sane(void)
{
	static const char	 allowed[] = "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:@+/=";
	char			 s[REQUEST_ID_MAX + 2], one[4];
	int			 c, wrong_in = 0, wrong_out = 0;

	ok(!request_id_sane(NULL), "NULL: not sane");
	ok(!request_id_sane(""), "empty: not sane");
	memset(s, 'a', sizeof(s));
	s[REQUEST_ID_MAX] = '\0';
	ok(request_id_sane(s), "%d characters: sane", REQUEST_ID_MAX);
	s[REQUEST_ID_MAX] = 'a';
	s[REQUEST_ID_MAX + 1] = '\0';
	ok(!request_id_sane(s), "%d characters: not sane", REQUEST_ID_MAX + 1);
	ok(request_id_sane("a"), "1 character: sane");

	/* Every byte, alone and between others. */
	for (c = 1; c < 256; c++) {
		int	 want = c != 0 && strchr(allowed, c) != NULL;

		one[0] = (char)c;
		one[1] = '\0';
		if (request_id_sane(one) != want)
			*(want ? &wrong_in : &wrong_out) += 1;
		one[0] = 'x';
		one[1] = (char)c;
		one[2] = 'y';
		one[3] = '\0';
		if (request_id_sane(one) != want)
			*(want ? &wrong_in : &wrong_out) += 1;
	}
	ok(wrong_in == 0, "each of the %zu allowed characters is sane, alone "
	    "and inside (%d wrong)", strlen(allowed), wrong_in);
	ok(wrong_out == 0, "each other byte 1-255 is not (%d wrong)",
	    wrong_out);
	ok(request_id_sane("req-7f3a_9.b:c@d+e/f="), "a mixed id is sane");
	ok(!request_id_sane("two words") && !request_id_sane("quo\"te") &&
	    !request_id_sane("cr\rlf\n") && !request_id_sane("%0d%0a") &&
	    !request_id_sane("caf\xc3\xa9") && !request_id_sane("a, b"),
	    "space, quote, CR/LF, percent, UTF-8, comma: not sane");
}

static void
test_pick(void)
{
	char	 out[REQUEST_ID_SIZE], long_id[REQUEST_ID_MAX + 2];

	is_str(request_id_pick("hdr-1", "UNIQ-2", out), "hdr-1",
	    "a sane X-Request-Id is kept");
	is_str(out, "hdr-1", "  into out");
	is_str(request_id_pick("bad id", "UNIQ-2", out), "UNIQ-2",
	    "an insane one gives way to a sane UNIQUE_ID");
	is_str(request_id_pick(NULL, "UNIQ-2", out), "UNIQ-2",
	    "no X-Request-Id: UNIQUE_ID");
	is_str(request_id_pick("", "UNIQ-2", out), "UNIQ-2",
	    "an empty X-Request-Id: UNIQUE_ID");
	ok(made_form(request_id_pick("bad id", "bad\"uniq", out)),
	    "both insane: one is made (%s)", out);
	ok(made_form(request_id_pick(NULL, NULL, out)),
	    "neither: one is made (%s)", out);
	memset(long_id, 'z', sizeof(long_id));
	long_id[REQUEST_ID_MAX + 1] = '\0';
	ok(made_form(request_id_pick(long_id, NULL, out)),
	    "129 characters: replaced");
	long_id[REQUEST_ID_MAX] = '\0';
	is_str(request_id_pick(long_id, NULL, out), long_id,
	    "128 characters: kept");
}

/* Random sources for the fallback. */
static int	 calls;

static ssize_t
fail_eagain(void *p, size_t n, unsigned int flags)
{
	(void)p;
	(void)n;
	(void)flags;
	calls++;
	errno = EAGAIN;
	return -1;
}

static ssize_t
byte_at_a_time(void *p, size_t n, unsigned int flags)
{
	static unsigned char	 next;

	(void)n;
	(void)flags;
	calls++;
	if (calls % 3 == 0) {
		errno = EINTR;
		return -1;
	}
	*(unsigned char *)p = next++;
	return 1;
}

static void
test_made(void)
{
	char	 a[REQUEST_ID_SIZE];

	nlines = 0;
	many_made("getrandom");
	is_int(nlines, 0, "  nothing logged");

	/* Short reads and EINTR: read on until 16 bytes came. */
	calls = 0;
	request_id_set_random(byte_at_a_time);
	request_id_make(a);
	is_str(a, "000102030405060708090a0b0c0d0e0f",
	    "short reads and EINTR: the 16 bytes in order (%d calls)", calls);
	is_int(nlines, 0, "  nothing logged");

	/* getrandom fails: made anyway, logged once. */
	request_id_set_random(fail_eagain);
	nlines = 0;
	many_made("getrandom failing");
	is_int(nlines, 1, "  one log line for them all");
	ok(strstr(last_line, "request id: getrandom: ") != NULL &&
	    strstr(last_line, "process id, a counter and the time") != NULL,
	    "  saying why and how (%s)", last_line);
	request_id_set_random(NULL);
	request_id_make(a);
	ok(made_form(a), "getrandom again: %s", a);
}

static void
test_heads(void)
{
	struct response	 r;
	char		 bare[RESPONSE_BARE_SIZE], id[REQUEST_ID_MAX + 1];
	size_t		 n;

	memset(&r, 0, sizeof(r));
	r.err = CA_ERR_NOT_FOUND;
	strcpy(r.request_id, "abc-123");
	ok(response_format_head(&r) == 0 &&
	    strstr(r.head.data, "\r\nX-Request-Id: abc-123\r\n") != NULL,
	    "the head carries X-Request-Id");
	r.request_id[0] = '\0';
	ok(response_format_head(&r) == 0 &&
	    strstr(r.head.data, "X-Request-Id") == NULL,
	    "no id, no header");
	response_free(&r);

	n = response_bare_head(bare, "abc-123");
	ok(n == strlen(bare) && strcmp(bare, "Status: 500 Internal Server "
	    "Error\r\nX-Request-Id: abc-123\r\n\r\n") == 0,
	    "bare 500 with its id");
	memset(id, '9', REQUEST_ID_MAX);
	id[REQUEST_ID_MAX] = '\0';
	n = response_bare_head(bare, id);
	ok(n == strlen(bare) && strstr(bare, id) != NULL,
	    "bare 500 with an id of %d characters", REQUEST_ID_MAX);
	n = response_bare_head(bare, "a\r\nSet-Cookie: x");
	ok(n == strlen(bare) && strcmp(bare, "Status: 500 Internal Server "
	    "Error\r\n\r\n") == 0, "bare 500: an insane id is left out");
	n = response_bare_head(bare, NULL);
	ok(strcmp(bare, "Status: 500 Internal Server Error\r\n\r\n") == 0,
	    "bare 500 without an id");
}

/* No app could be opened: the accept loop's bare 500 and its log line. */
static void
test_unopened(void)
{
	struct request	 req;
	char		 bare[RESPONSE_BARE_SIZE];
	const char	*id;
	size_t		 n;

	memset(&req, 0, sizeof(req));
	req.method = "GET";
	req.uri = "/api/calls?cursor=SECRET";
	req.request_id = "given-1";
	nlines = 0;
	n = app_unopened(&req, bare);
	ok(n == strlen(bare) && strcmp(bare, "Status: 500 Internal Server "
	    "Error\r\nX-Request-Id: given-1\r\n\r\n") == 0,
	    "no app: a bare 500 with the given id");
	ok(nlines == 1 && strstr(last_line, "]: 500 internal_error GET "
	    "/api/calls: start: cannot open the configuration: out of "
	    "memory request_id=given-1") != NULL &&
	    strstr(last_line, "SECRET") == NULL,
	    "  one log line with it, no query string (%s)", last_line);

	req.request_id = "bad id";
	req.unique_id = NULL;
	nlines = 0;
	n = app_unopened(&req, bare);
	id = strstr(bare, "X-Request-Id: ");
	id = id != NULL ? id + strlen("X-Request-Id: ") : "";
	ok(n == strlen(bare) && strspn(id, "0123456789abcdef") == 32 &&
	    strcmp(id + 32, "\r\n\r\n") == 0,
	    "no app, an insane id: a made one in the bare 500");
	ok(nlines == 1 && strncmp(strstr(last_line, "request_id=") != NULL ?
	    strstr(last_line, "request_id=") + 11 : "", id, 32) == 0,
	    "  the same in the log line");
}

int
main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	log_set_sink(capture, NULL);
	test_sane();
	test_pick();
	test_made();
	test_heads();
	test_unopened();
	return done_testing();
}
