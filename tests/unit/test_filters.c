/* The List Calls filters, order and time window: parsing, normalising,
 * refusing, and the canonical text a cursor is bound to. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/params.h"
#include "../../lib/timestamp.h"

#include "tap.h"

static struct buf	 work = { NULL, 0, 0 };

/* Parse q; returns the error, *p and *fail filled. */
static enum ca_err
parse(const char *q, struct list_params *p, struct ca_fail *fail)
{
	return params_parse(q, &work, p, fail);
}

/* q is refused with a 400 naming param. */
static void
refused(const char *q, enum ca_err want, const char *param)
{
	struct list_params	 p;
	struct ca_fail		 fail;
	enum ca_err		 err = parse(q, &p, &fail);

	is_int(err, want, "'%s' refused", q);
	is_str(fail.param, param, "  names %s", param);
	if (err == CA_ERR_PARAM_INVALID)
		ok(fail.detail != NULL && strstr(fail.detail, param) != NULL,
		    "  message names it: %s", fail.detail ? fail.detail : "-");
}

/* The value of filter which after parsing q, or NULL. */
static const char *
eq_of(const char *q, int which)
{
	static char		 v[512];
	struct list_params	 p;
	struct ca_fail		 fail;

	if (parse(q, &p, &fail) != CA_OK || p.eq[which].value == NULL)
		return NULL;
	if (strlen(p.eq[which].value) != p.eq[which].len)
		return "(length differs)";
	snprintf(v, sizeof(v), "%s", p.eq[which].value);
	return v;
}

static void
test_equality(void)
{
	struct list_params	 p;
	struct ca_fail		 fail;
	char			 q[512];
	size_t			 i;

	is_int(parse("", &p, &fail), CA_OK, "no parameters");
	is_int((long)params_eq_count(&p), 0, "  no filters");
	is_int(p.order, LIST_ORDER_DESC, "  order desc by default");
	ok(!p.has_created_after && !p.has_created_before, "  no window");

	is_str(eq_of("status=completed", LIST_EQ_status), "completed",
	    "status");
	is_str(eq_of("status=in%20progress", LIST_EQ_status), "in progress",
	    "status with a space");
	is_str(eq_of("agent_id=agent_%C3%A9", LIST_EQ_agent_id), "agent_\xc3\xa9",
	    "agent_id in UTF-8");
	is_str(eq_of("end_reason=user_hangup", LIST_EQ_end_reason),
	    "user_hangup", "end_reason");
	is_str(eq_of("call_type=preview", LIST_EQ_call_type), "preview",
	    "call_type preview");
	refused("call_type=Inbound", CA_ERR_PARAM_INVALID, "call_type");
	refused("call_type=", CA_ERR_PARAM_INVALID, "call_type");
	refused("status=", CA_ERR_PARAM_INVALID, "status");
	refused("agent_id", CA_ERR_PARAM_INVALID, "agent_id");
	refused("status=a&status=b", CA_ERR_PARAM_DUPLICATE, "status");
	refused("status=%FF", CA_ERR_QUERY_MALFORMED, "status");

	/* Widths in characters, not bytes: 32 two-byte characters pass. */
	strcpy(q, "status=");
	for (i = 0; i < 32; i++)
		strcat(q, "%C3%A9");
	ok(eq_of(q, LIST_EQ_status) != NULL, "status of 32 characters "
	    "(64 bytes)");
	strcat(q, "x");
	refused(q, CA_ERR_PARAM_INVALID, "status");
	strcpy(q, "agent_id=");
	for (i = 0; i < 64; i++)
		strcat(q, "a");
	ok(eq_of(q, LIST_EQ_agent_id) != NULL, "agent_id of 64 characters");
	strcat(q, "a");
	refused(q, CA_ERR_PARAM_INVALID, "agent_id");

	is_int(parse("status=a&call_type=inbound&agent_id=b&to_number=%2B1"
	    "&from_number=%2B2&end_reason=c", &p, &fail), CA_OK,
	    "all six filters");
	is_int((long)params_eq_count(&p), 6, "  six counted");
}

static void
test_numbers(void)
{
	is_str(eq_of("to_number=%2B15551234567", LIST_EQ_to_number),
	    "+15551234567", "to_number with %%2B");
	is_str(eq_of("to_number=+15551234567", LIST_EQ_to_number),
	    "+15551234567", "to_number with a literal + (decoded as space)");
	is_str(eq_of("from_number=%2015551234567", LIST_EQ_from_number),
	    "+15551234567", "from_number with a leading %%20");
	is_str(eq_of("from_number=%2B123456789012345", LIST_EQ_from_number),
	    "+123456789012345", "15 digits");
	refused("to_number=15551234567", CA_ERR_PARAM_INVALID, "to_number");
	refused("to_number=%2B1234567890123456", CA_ERR_PARAM_INVALID,
	    "to_number");
	refused("to_number=%2B05551234567", CA_ERR_PARAM_INVALID, "to_number");
	refused("to_number=%2B", CA_ERR_PARAM_INVALID, "to_number");
	refused("to_number=%2B1555-123", CA_ERR_PARAM_INVALID, "to_number");
	refused("from_number=++1555", CA_ERR_PARAM_INVALID, "from_number");
	refused("from_number=%2B1555%20", CA_ERR_PARAM_INVALID, "from_number");
	refused("from_number=", CA_ERR_PARAM_INVALID, "from_number");
}

/* ts_parse_rfc3339(s) formats (with microseconds) as want, or fails. */
static void
rfc3339(const char *s, const char *want)
{
	struct ts	 t;
	char		 got[TS_TEXT_SIZE];

	if (want == NULL) {
		ok(ts_parse_rfc3339(s, &t) == -1, "'%s' refused", s);
		return;
	}
	if (ts_parse_rfc3339(s, &t) == -1) {
		ok(0, "'%s' parsed", s);
		return;
	}
	ts_format(&t, 1, got);
	is_str(got, want, "'%s'", s);
}

static void
test_times(void)
{
	struct list_params	 p;
	struct ca_fail		 fail;

	rfc3339("2026-03-09T10:00:00Z", "2026-03-09T10:00:00.000000Z");
	rfc3339("2026-03-09t10:00:00z", "2026-03-09T10:00:00.000000Z");
	rfc3339("2026-03-09T10:00:00.5Z", "2026-03-09T10:00:00.500000Z");
	rfc3339("2026-03-09T10:00:00.123456Z", "2026-03-09T10:00:00.123456Z");
	rfc3339("2026-03-09T10:00:00.123456000Z",
	    "2026-03-09T10:00:00.123456Z");
	rfc3339("2026-03-09T10:00:00.123456001Z",
	    "2026-03-09T10:00:00.123457Z");
	rfc3339("2026-03-09T23:59:59.9999999Z",
	    "2026-03-10T00:00:00.000000Z");
	rfc3339("2026-03-09T10:00:00+02:00", "2026-03-09T08:00:00.000000Z");
	rfc3339("2026-03-09T10:00:00 02:00", "2026-03-09T08:00:00.000000Z");
	rfc3339("2026-03-09T01:30:00+05:45", "2026-03-08T19:45:00.000000Z");
	rfc3339("2026-12-31T23:00:00-01:30", "2027-01-01T00:30:00.000000Z");
	rfc3339("2024-02-29T23:00:00-02:00", "2024-03-01T01:00:00.000000Z");
	rfc3339("2024-03-01T00:30:00+01:00", "2024-02-29T23:30:00.000000Z");
	rfc3339("2026-03-09T10:00:00-00:00", "2026-03-09T10:00:00.000000Z");
	rfc3339("0001-01-01T00:00:00Z", "0001-01-01T00:00:00.000000Z");
	rfc3339("9999-12-31T23:59:59.999999Z", "9999-12-31T23:59:59.999999Z");
	rfc3339("0001-01-01T00:00:00+00:01", NULL);	/* year 0 */
	rfc3339("9999-12-31T23:59:59-00:01", NULL);	/* year 10000 */
	rfc3339("9999-12-31T23:59:59.9999991Z", NULL);
	rfc3339("2026-03-09T10:00:00", NULL);
	rfc3339("2026-03-09", NULL);
	rfc3339("2026-03-09 10:00:00Z", NULL);
	rfc3339("2026-03-09T10:00Z", NULL);
	rfc3339("2026-03-09T10:00:60Z", NULL);
	rfc3339("2026-02-29T10:00:00Z", NULL);
	rfc3339("2026-13-01T10:00:00Z", NULL);
	rfc3339("2026-03-09T24:00:00Z", NULL);
	rfc3339("2026-03-09T10:00:00.Z", NULL);
	rfc3339("2026-03-09T10:00:00.1234567890Z", NULL);
	rfc3339("2026-03-09T10:00:00+2:00", NULL);
	rfc3339("2026-03-09T10:00:00+0200", NULL);
	rfc3339("2026-03-09T10:00:00+24:00", NULL);
	rfc3339("2026-03-09T10:00:00+02:60", NULL);
	rfc3339("2026-03-09T10:00:00Zjunk", NULL);
	rfc3339("+2026-03-09T10:00:00Z", NULL);
	rfc3339("", NULL);

	is_int(parse("created_after=2026-03-09T10:00:00%2B01:00&"
	    "created_before=2026-03-09T10:00:00Z", &p, &fail), CA_OK,
	    "a window");
	ok(p.has_created_after && p.created_after.hour == 9 &&
	    p.has_created_before && p.created_before.hour == 10,
	    "  both bounds, in UTC");
	refused("created_after=2026-03-09T10:00:00Z&"
	    "created_before=2026-03-09T10:00:00Z", CA_ERR_PARAM_INVALID,
	    "created_before");
	refused("created_before=2026-03-09T09:00:00Z&"
	    "created_after=2026-03-09T10:00:00Z", CA_ERR_PARAM_INVALID,
	    "created_before");
	refused("created_after=yesterday", CA_ERR_PARAM_INVALID,
	    "created_after");
	refused("created_before=2026-03-09T10:00:00", CA_ERR_PARAM_INVALID,
	    "created_before");
	refused("created_after=2026-03-09T10:00:00Z&created_after="
	    "2026-03-09T10:00:00Z", CA_ERR_PARAM_DUPLICATE, "created_after");
}

/* 1 when the canonical texts of a and b differ (canon() reuses its
 * buffer: the first is copied). */
static const char *canon(const char *);

static int
canon_differ(const char *a, const char *b)
{
	char	 first[PARAMS_CANONICAL_MAX];
	const char	*t;

	if ((t = canon(a)) == NULL)
		return 0;
	snprintf(first, sizeof(first), "%s", t);
	return (t = canon(b)) != NULL && strcmp(first, t) != 0;
}

/* The canonical text of q. */
static const char *
canon(const char *q)
{
	static char		 out[PARAMS_CANONICAL_MAX];
	struct list_params	 p;
	struct ca_fail		 fail;

	if (parse(q, &p, &fail) != CA_OK ||
	    params_canonical(&p, out, sizeof(out)) < 0)
		return NULL;
	return out;
}

static void
test_order_and_canonical(void)
{
	struct list_params	 p;
	struct ca_fail		 fail;
	char			 a[PARAMS_CANONICAL_MAX];

	is_int(parse("order=asc", &p, &fail), CA_OK, "order=asc");
	is_int(p.order, LIST_ORDER_ASC, "  ascending");
	is_int(parse("order=desc", &p, &fail), CA_OK, "order=desc");
	is_int(p.order, LIST_ORDER_DESC, "  descending");
	refused("order=ASC", CA_ERR_PARAM_INVALID, "order");
	refused("order=", CA_ERR_PARAM_INVALID, "order");
	refused("order=random", CA_ERR_PARAM_INVALID, "order");

	is_str(canon(""), "", "canonical: nothing is \"\"");
	is_str(canon("order=desc&limit=7"), "",
	    "canonical: default order and a limit are \"\"");
	ok(canon_differ("order=asc", ""),
	    "canonical: asc is not the default");
	snprintf(a, sizeof(a), "%s", canon("to_number=%2B15551234567&"
	    "created_after=2026-03-09T12:00:00%2B02:00"));
	is_str(canon("created_after=2026-03-09T10:00:00Z&"
	    "to_number=+15551234567"), a, "canonical: same filters in "
	    "another order and spelling are the same text");
	ok(canon_differ("to_number=%2B15551234567",
	    "from_number=%2B15551234567"),
	    "canonical: the filter's name counts");
	ok(canon_differ("status=a%0Aagent_id=b", "status=a&"
	    "agent_id=b"), "canonical: a newline inside a value "
	    "cannot forge another filter");
	ok(canon_differ("created_after=2026-03-09T10:00:00Z",
	    "created_before=2026-03-09T10:00:00Z"),
	    "canonical: which bound counts");
}

static void
test_unknown_message(void)
{
	const char	*m = params_unknown_message();

	ok(strstr(m, "order") != NULL && strstr(m, "created_before") != NULL &&
	    strstr(m, "from_number") != NULL,
	    "unknown-parameter message lists the new ones: %s", m);
}

int
main(void)
{
	test_equality();
	test_numbers();
	test_times();
	test_order_and_canonical();
	test_unknown_message();
	buf_free(&work);
	return done_testing();
}
