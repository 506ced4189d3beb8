/*
 * libFuzzer harness: the query-string splitter (lib/query.c) and the
 * parameter table (lib/params.c).
 *
 * The input, cut at its first NUL, is a raw QUERY_STRING. It goes through
 * params_parse() and, on a second copy, through query_begin/query_next. An
 * independent reference model written from the README and lib/query.h
 * (split on '&', skip empty pairs, first '=' splits, '+' is a space, %XX
 * two hex digits, decoded NUL or invalid UTF-8 is malformed; limit digits
 * only 1..100; cursor 1..512 of the base64 characters) predicts every
 * outcome, and the harness traps on any disagreement or broken invariant.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/buf.h"
#include "../../lib/cursor.h"
#include "../../lib/error.h"
#include "../../lib/params.h"
#include "../../lib/query.h"
#include "../../lib/utf8.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(cond)	do { if (!(cond)) __builtin_trap(); } while (0)

/*
 * Reference UTF-8 check, written from the table of well-formed byte
 * sequences (Unicode 15, table 3-7) rather than by decoding code points.
 */
static int
ref_utf8(const unsigned char *s, size_t n)
{
	size_t		 i = 0;
	unsigned char	 lo, hi;
	int		 k, more;

	while (i < n) {
		unsigned char c = s[i];

		lo = 0x80;
		hi = 0xbf;
		if (c <= 0x7f) {
			i++;
			continue;
		} else if (c >= 0xc2 && c <= 0xdf)
			more = 1;
		else if (c == 0xe0) {
			more = 2; lo = 0xa0;
		} else if ((c >= 0xe1 && c <= 0xec) || c == 0xee || c == 0xef)
			more = 2;
		else if (c == 0xed) {
			more = 2; hi = 0x9f;
		} else if (c == 0xf0) {
			more = 3; lo = 0x90;
		} else if (c >= 0xf1 && c <= 0xf3)
			more = 3;
		else if (c == 0xf4) {
			more = 3; hi = 0x8f;
		} else
			return 0;
		if (n - i <= (size_t)more)
			return 0;
		if (s[i + 1] < lo || s[i + 1] > hi)
			return 0;
		for (k = 2; k <= more; k++)
			if (s[i + k] < 0x80 || s[i + k] > 0xbf)
				return 0;
		i += (size_t)more + 1;
	}
	return 1;
}

static int
ref_hex(char c)
{
	const char	*d = "0123456789abcdef0123456789ABCDEF";
	const char	*p;

	if (c == '\0' || (p = strchr(d, c)) == NULL)
		return -1;
	return (int)((p - d) % 16);
}

/* Decode [s, s+n) into out (>= n+1 bytes). Length, or -1 if malformed. */
static long
ref_decode(const char *s, size_t n, char *out)
{
	size_t	 i, o = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '+')
			out[o++] = ' ';
		else if (s[i] == '%') {
			int hi, lo;

			if (n - i < 3)
				return -1;
			if ((hi = ref_hex(s[i + 1])) < 0 ||
			    (lo = ref_hex(s[i + 2])) < 0)
				return -1;
			if (hi == 0 && lo == 0)
				return -1;
			out[o++] = (char)(hi * 16 + lo);
			i += 2;
		} else
			out[o++] = s[i];
	}
	out[o] = '\0';
	if (!ref_utf8((const unsigned char *)out, o))
		return -1;
	return (long)o;
}

/* One pair of the reference split. */
struct ref_pair {
	char	*name;		/* NULL when the name is malformed */
	char	*value;		/* NULL when the value is malformed */
};

/*
 * Split q like the README says. Fills at most max pairs and stops after
 * the first malformed one. Returns the count; *bad is set when it stopped
 * on a malformed pair (the last one).
 */
static size_t
ref_split(const char *q, struct ref_pair *pairs, size_t max, int *bad)
{
	const char	*p = q, *amp, *eq, *end;
	size_t		 np = 0, len;

	*bad = 0;
	while (*p != '\0' && np < max) {
		amp = strchr(p, '&');
		end = amp != NULL ? amp : p + strlen(p);
		len = (size_t)(end - p);
		if (len > 0) {
			struct ref_pair *r = &pairs[np++];
			size_t nlen, vlen;

			eq = memchr(p, '=', len);
			nlen = eq != NULL ? (size_t)(eq - p) : len;
			vlen = eq != NULL ? len - nlen - 1 : 0;
			r->name = malloc(nlen + 1);
			r->value = malloc(vlen + 1);
			CHECK(r->name != NULL && r->value != NULL);
			if (ref_decode(p, nlen, r->name) < 0) {
				free(r->name);
				free(r->value);
				r->name = r->value = NULL;
				*bad = 1;
				return np;
			}
			if (ref_decode(eq != NULL ? eq + 1 : "", vlen,
			    r->value) < 0) {
				free(r->value);
				r->value = NULL;
				*bad = 1;
				return np;
			}
		}
		if (amp == NULL)
			break;
		p = amp + 1;
	}
	return np;
}

static void
ref_free(struct ref_pair *pairs, size_t np)
{
	size_t	 i;

	for (i = 0; i < np; i++) {
		free(pairs[i].name);
		free(pairs[i].value);
	}
}

/* limit: digits only, value 1..100 (leading zeros allowed, as strtonum). */
static int
ref_limit(const char *v, int *out)
{
	unsigned long	 n = 0;

	if (*v == '\0')
		return -1;
	for (; *v != '\0'; v++) {
		if (*v < '0' || *v > '9')
			return -1;
		if (n <= 1000)
			n = n * 10 + (unsigned long)(*v - '0');
	}
	if (n < 1 || n > 100)
		return -1;
	*out = (int)n;
	return 0;
}

static int
ref_cursor_plausible(const char *v)
{
	size_t	 n = strlen(v);

	return n >= 1 && n <= CURSOR_TEXT_MAX &&
	    strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789+/-_= ") == n;
}

/* 1 when p points into [base, base + len]. */
static int
within(const char *p, const char *base, size_t len)
{
	return p >= base && p <= base + len;
}

/* The parameter table against the reference. */
/* The parameters besides limit and cursor, as params.c names them. */
static const char *const ref_filters[] = { "order", "status", "call_type",
    "agent_id", "to_number", "from_number", "end_reason", "created_after",
    "created_before" };
#define REF_AFTER	7	/* created_after; created_before follows */

static int
ref_filter(const char *name)
{
	size_t	 i;

	for (i = 0; i < sizeof(ref_filters) / sizeof(ref_filters[0]); i++)
		if (strcmp(name, ref_filters[i]) == 0)
			return (int)i;
	return -1;
}

static void
check_params(const char *q, size_t qlen)
{
	static struct buf	 work;	/* reused, as the handler does */
	struct list_params	 p;
	struct ca_fail		 fail;
	struct ref_pair		*pairs;
	enum ca_err		 err, want = CA_OK;
	const char		*want_param = NULL;
	int			 bad, want_limit = LIMIT_DEFAULT, seen_l = 0,
				 seen_c = 0, k;
	unsigned int		 seen_f = 0;
	const char		*want_cursor = NULL;
	size_t			 np, i;

	memset(&fail, 0x5a, sizeof(fail));
	err = params_parse(q, &work, &p, &fail);

	/* The result and the failure agree; the error is a documented one. */
	CHECK(fail.err == err);
	switch (err) {
	case CA_OK:
		CHECK(p.limit >= LIMIT_MIN && p.limit <= LIMIT_MAX);
		CHECK(fail.param == NULL && fail.detail == NULL);
		if (p.cursor != NULL) {
			CHECK(within(p.cursor, work.data, work.len));
			CHECK(cursor_text_plausible(p.cursor));
		}
		break;
	case CA_ERR_QUERY_TOO_LONG:
	case CA_ERR_QUERY_MALFORMED:
	case CA_ERR_PARAM_UNKNOWN:
	case CA_ERR_PARAM_DUPLICATE:
	case CA_ERR_PARAM_INVALID:
	case CA_ERR_CURSOR_INVALID:
		break;
	default:
		__builtin_trap();	/* CA_ERR_INTERNAL only without memory */
	}
	/* Whatever the failure names ends up in a JSON body. */
	if (fail.param != NULL)
		CHECK(utf8_valid(fail.param, strlen(fail.param)));
	if (fail.detail != NULL)
		CHECK(utf8_valid(fail.detail, strlen(fail.detail)));

	/* The reference. */
	if (qlen > QUERY_MAX_LEN) {
		CHECK(err == CA_ERR_QUERY_TOO_LONG);
		return;
	}
	pairs = calloc(qlen + 1, sizeof(*pairs));
	CHECK(pairs != NULL);
	np = ref_split(q, pairs, qlen + 1, &bad);
	for (i = 0; i < np && want == CA_OK; i++) {
		struct ref_pair *r = &pairs[i];

		if (r->name == NULL || r->value == NULL) {
			want = CA_ERR_QUERY_MALFORMED;
			want_param = r->name;	/* NULL when the name is bad */
		} else if (strcmp(r->name, "limit") == 0) {
			want_param = "limit";
			if (seen_l++)
				want = CA_ERR_PARAM_DUPLICATE;
			else if (ref_limit(r->value, &want_limit) == -1)
				want = CA_ERR_PARAM_INVALID;
			else
				want_param = NULL;
		} else if (strcmp(r->name, "cursor") == 0) {
			want_param = "cursor";
			if (seen_c++)
				want = CA_ERR_PARAM_DUPLICATE;
			else if (!ref_cursor_plausible(r->value))
				want = CA_ERR_CURSOR_INVALID;
			else {
				want_cursor = r->value;
				want_param = NULL;
			}
		} else if ((k = ref_filter(r->name)) >= 0) {
			/* order, the filters, the window: once each; the
			 * value checks are lib/params.c's (test_filters),
			 * here only which one failed, and in turn. */
			want_param = ref_filters[k];
			if (seen_f & (1u << k))
				want = CA_ERR_PARAM_DUPLICATE;
			else if (err == CA_ERR_PARAM_INVALID &&
			    fail.param != NULL &&
			    strcmp(fail.param, r->name) == 0)
				want = CA_ERR_PARAM_INVALID;
			else {
				seen_f |= 1u << k;
				want_param = NULL;
			}
		} else {
			want = CA_ERR_PARAM_UNKNOWN;
			want_param = r->name;
		}
	}
	/* Both bounds given, valid, in the wrong order: the window's 400. */
	if (want == CA_OK && err == CA_ERR_PARAM_INVALID &&
	    (seen_f & 3u << REF_AFTER) == 3u << REF_AFTER &&
	    fail.param != NULL && strcmp(fail.param, "created_before") == 0) {
		want = CA_ERR_PARAM_INVALID;
		want_param = "created_before";
	}
	CHECK(err == want);
	if (want_param == NULL)
		CHECK(fail.param == NULL);
	else
		CHECK(fail.param != NULL && strcmp(fail.param, want_param) == 0);
	if (want == CA_OK) {
		CHECK(p.limit == want_limit);
		if (want_cursor == NULL)
			CHECK(p.cursor == NULL);
		else
			CHECK(p.cursor != NULL &&
			    strcmp(p.cursor, want_cursor) == 0);
	}
	ref_free(pairs, np);
	free(pairs);
}

/* The splitter on its own, pair by pair against the reference. */
static void
check_split(const char *q, size_t qlen)
{
	struct query_iter	 it;
	struct ca_fail		 fail;
	struct ref_pair		*pairs;
	char			*work, *name, *value;
	size_t			 np, i = 0, steps = 0;
	int			 rc, bad;

	if ((work = malloc(qlen + 1)) == NULL)
		return;
	memcpy(work, q, qlen + 1);
	pairs = calloc(qlen + 1, sizeof(*pairs));
	CHECK(pairs != NULL);
	np = ref_split(q, pairs, qlen + 1, &bad);

	query_begin(&it, work);
	for (;;) {
		CHECK(steps++ <= qlen + 1);	/* always terminates */
		memset(&fail, 0x5a, sizeof(fail));
		name = value = (char *)1;
		rc = query_next(&it, &name, &value, &fail);
		if (rc == 0) {
			CHECK(!bad && i == np);
			break;
		}
		CHECK(i < np);
		if (rc == -1) {
			CHECK(fail.err == CA_ERR_QUERY_MALFORMED);
			CHECK(bad && i == np - 1);
			if (pairs[i].name == NULL)
				CHECK(fail.param == NULL);
			else
				CHECK(fail.param != NULL &&
				    within(fail.param, work, qlen) &&
				    strcmp(fail.param, pairs[i].name) == 0);
			if (fail.param != NULL)
				CHECK(utf8_valid(fail.param,
				    strlen(fail.param)));
			break;
		}
		CHECK(rc == 1);
		CHECK(within(name, work, qlen) && within(value, work, qlen));
		/* Decoded strings: valid UTF-8, ending inside the buffer. */
		CHECK(within(name + strlen(name), work, qlen));
		CHECK(within(value + strlen(value), work, qlen));
		CHECK(utf8_valid(name, strlen(name)));
		CHECK(utf8_valid(value, strlen(value)));
		CHECK(pairs[i].name != NULL && pairs[i].value != NULL);
		CHECK(strcmp(name, pairs[i].name) == 0);
		CHECK(strcmp(value, pairs[i].value) == 0);
		i++;
	}
	ref_free(pairs, np);
	free(pairs);
	free(work);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*q;
	size_t	 qlen;

	if ((q = malloc(size + 1)) == NULL)
		return 0;
	memcpy(q, data, size);
	q[size] = '\0';
	qlen = strlen(q);

	/* utf8_valid against the table-driven reference, on the raw bytes. */
	CHECK(!utf8_valid((const char *)data, size) ==
	    !ref_utf8(data, size));

	check_params(q, qlen);
	if (qlen <= QUERY_MAX_LEN)
		check_split(q, qlen);

	/* A NULL query string is the empty one. */
	if (size == 0) {
		struct buf		 work = { NULL, 0, 0 };
		struct list_params	 p;
		struct ca_fail		 fail;

		CHECK(params_parse(NULL, &work, &p, &fail) == CA_OK &&
		    p.limit == LIMIT_DEFAULT && p.cursor == NULL);
		buf_free(&work);
	}
	free(q);
	return 0;
}
