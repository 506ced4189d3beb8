/* JSON text: string escaping, decimals, golden envelopes, error mapping. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "../../lib/envelope.h"
#include "../../lib/json_writer.h"
#include "../../lib/response.h"
#include "tap.h"

#ifndef GOLDEN_DIR
#define GOLDEN_DIR "tests/unit/golden"
#endif

static char *
slurp(const char *path)
{
	FILE	*f = fopen(path, "rb");
	char	*s;
	long	 n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	s = calloc(1, (size_t)n + 1);
	if (fread(s, 1, (size_t)n, f) != (size_t)n) {
		free(s);
		s = NULL;
	}
	fclose(f);
	return s;
}

static void
test_writer(void)
{
	static const struct {
		const char	*in;
		const char	*out;
	} strs[] = {
		{ "plain", "\"plain\"" },
		{ "q\"b\\s/", "\"q\\\"b\\\\s/\"" },
		{ "\n\r\t\x01\x1f", "\"\\n\\r\\t\\u0001\\u001f\"" },
		{ "caf\xc3\xa9 \xf0\x9f\x93\x9e", "\"caf\xc3\xa9 \xf0\x9f\x93\x9e\"" },
		{ "bad \xff", "null" },
		{ "", "\"\"" },
		{ "del\x7f", "\"del\x7f\"" },
		{ "\"", "\"\\\"\"" },
		{ "end\\", "\"end\\\\\"" },
		{ "ascii then caf\xc3\xa9 then \"", "\"ascii then caf\xc3\xa9 then \\\"\"" },
		{ "caf\xc3", "null" },
	}, decs[] = {
		{ "12.3500", "12.35" }, { "12.0000", "12" }, { "0.0000", "0" },
		{ "120.500", "120.5" }, { "7", "7" }, { "-1.250", "-1.25" },
		{ "", "null" }, { "1e5", "null" }, { "01.5", "null" },
		{ "1.", "null" }, { ".5", "null" }, { "NaN", "null" },
	};
	struct buf		 b = { NULL, 0, 0 };
	struct json_writer	 w = { &b, 0 };
	char			 dec[32];	/* longest input + NUL */
	size_t			 i;

	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		buf_reset(&b);
		jw_string(&w, strs[i].in);
		is_str(b.data, strs[i].out, "string %zu", i);
	}
	for (i = 0; i < sizeof(decs) / sizeof(decs[0]); i++) {
		*json_put_decimal(dec, decs[i].in) = '\0';
		is_str(dec, decs[i].out, "decimal '%s'", decs[i].in);
	}
	buf_reset(&b);
	jw_ulong(&w, 0);
	is_str(b.data, "0", "ulong 0");
	buf_reset(&b);
	jw_ulong(&w, 4294967295UL);
	is_str(b.data, "4294967295", "ulong 2^32-1");
	buf_reset(&b);
	jw_ulong(&w, (unsigned long)-1);
	ok(strlen(b.data) >= 10 && strspn(b.data, "0123456789") ==
	    strlen(b.data) && b.data[strlen(b.data) - 1] == '5',
	    "ulong max: %s", b.data);
	ok(!w.failed, "no allocation failure");
	buf_free(&b);
}

/*
 * Decimal trimming keeps every significant digit: only zeros after the
 * point, then a bare point, go; zeros of the integer part stay.
 */
static void
test_decimal_digits(void)
{
	static const struct {
		const char	*in;
		const char	*out;
	} decs[] = {
		{ "12.3456", "12.3456" }, { "0.0001", "0.0001" },
		{ "10", "10" }, { "100", "100" }, { "100.5000", "100.5" },
		{ "-0.5000", "-0.5" }, { "-12.3456", "-12.3456" },
		{ "1000.0000", "1000" }, { "10.0100", "10.01" },
		{ "0.1000", "0.1" }, { "9999999999.9999", "9999999999.9999" },
		{ "0.500", "0.5" }, { "120.005", "120.005" }, { "-10", "-10" },
		{ "-0.0001", "-0.0001" }, { "0", "0" }, { "0.0", "0" },
	};
	char	 dec[32];
	size_t	 i;

	for (i = 0; i < sizeof(decs) / sizeof(decs[0]); i++) {
		*json_put_decimal(dec, decs[i].in) = '\0';
		is_str(dec, decs[i].out, "decimal '%s'", decs[i].in);
	}
}

/* Every field at its longest: what a row can take at most. */
static void
worst_call(struct call *c, const char *fill)
{
	const struct call_field	*f;
	char			*base = (char *)c, *v;
	size_t			 i, j, n = strlen(fill);

	memset(c, 0, sizeof(*c));
	for (i = 0; i < call_nfields; i++) {
		f = &call_fields[i];
		v = base + f->offset;
		switch (f->kind) {
		case CALL_STR:
			/* size - 1 bytes: the column's characters x 4. */
			for (j = 0; j + n <= f->size - 1; j += n)
				memcpy(v + j, fill, n);
			v[j] = '\0';
			break;
		case CALL_DECIMAL:
			memset(v, '7', f->size - 1);
			v[0] = '-';
			v[f->size - 3] = '.';
			v[f->size - 1] = '\0';
			break;
		case CALL_BOOL:
			*(int *)(void *)v = 0;			/* false */
			break;
		case CALL_ULONG:
			*(unsigned long *)(void *)v = (unsigned long)-1;
			break;
		case CALL_TS:
			*(struct ts *)(void *)v =
			    (struct ts){ 9999, 12, 31, 23, 59, 59, 999999 };
			break;
		}
	}
}

/*
 * The text a worst-case row must produce, built here field by field
 * without the library's writer: fill is one character, esc its JSON text.
 */
static void
expected_row(struct buf *b, const struct call *c, const char *fill,
    const char *esc)
{
	const struct call_field	*f;
	const char		*base = (const char *)c;
	char			 num[32];
	size_t			 i, j;

	buf_appends(b, ",{");
	for (i = 0; i < call_nfields; i++) {
		f = &call_fields[i];
		buf_appends(b, f->key + (i == 0));
		switch (f->kind) {
		case CALL_STR:
			buf_appends(b, "\"");
			for (j = 0; j + strlen(fill) <= f->size - 1;
			    j += strlen(fill))
				buf_appends(b, esc);
			buf_appends(b, "\"");
			break;
		case CALL_DECIMAL:
			buf_appends(b, base + f->offset);	/* ends in 7 */
			break;
		case CALL_BOOL:
			buf_appends(b, "false");
			break;
		case CALL_ULONG:
			snprintf(num, sizeof(num), "%lu", (unsigned long)-1);
			buf_appends(b, num);
			break;
		case CALL_TS:
			buf_appends(b, "\"9999-12-31T23:59:59.999999Z\"");
			break;
		}
	}
	buf_appends(b, "}");
}

/*
 * A row at the longest the columns allow, every string full of characters
 * that need escaping (control characters become \u00XX, six bytes each),
 * or of 4-byte UTF-8, or of quotes. The row writer reserves its worst case
 * once and writes without further checks: here the buffer is left with
 * exactly the row's length free (no room for the NUL), so a reservation
 * short by even one byte writes past the allocation (ASan reports it;
 * without ASan, len reaches cap). The text must match byte for byte.
 */
static void
test_worst_row_fills(void)
{
	static const struct {
		const char	*fill;
		const char	*esc;
		const char	*what;
	} fills[] = {
		{ "\x01", "\\u0001", "control characters" },
		{ "\x1f", "\\u001f", "unit separators" },
		{ "\xf0\x9f\x93\x9e", "\xf0\x9f\x93\x9e", "4-byte UTF-8" },
		{ "\"", "\\\"", "quotes" },
	};
	struct envelope_page	 e;
	struct buf		 b = { NULL, 0, 0 }, want = { NULL, 0, 0 };
	struct call		*c = malloc(sizeof(*c));
	json_t			*j;
	char			*tight;
	size_t			 i, start;

	for (i = 0; c != NULL && i < sizeof(fills) / sizeof(fills[0]); i++) {
		worst_call(c, fills[i].fill);
		buf_reset(&want);
		expected_row(&want, c, fills[i].fill, fills[i].esc);

		envelope_page_begin(&e, &b);
		envelope_page_add(&e, c);		/* the first: no comma */
		start = b.len;
		/* Exactly the row's length free, not one byte more. */
		if ((tight = malloc(start + want.len)) == NULL)
			break;
		memcpy(tight, b.data, start);
		free(b.data);
		b.data = tight;
		b.cap = start + want.len;
		envelope_page_add(&e, c);
		ok(b.len < b.cap, "%s: the row stayed inside its reservation "
		    "(len %zu, cap %zu)", fills[i].what, b.len, b.cap);
		ok(b.len - start == want.len && memcmp(b.data + start,
		    want.data, want.len) == 0, "  %zu bytes, as expected "
		    "(%zu)", b.len - start, want.len);
		ok(envelope_page_end(&e, NULL, NULL) == 0, "  page ends");
		/* turn_count 2^64-1 is past jansson's integers. */
		j = json_loadb(b.data, b.len, JSON_DECODE_INT_AS_REAL, NULL);
		ok(j != NULL && json_array_size(json_object_get(j, "data")) ==
		    2, "  valid JSON, two rows");
		json_decref(j);
	}
	free(c);
	buf_free(&b);
	buf_free(&want);
}

static struct call
spec_call(void)
{
	struct call	 c;

	memset(&c, 0, sizeof(c));
	strcpy(c.call_sid, "call_abc123def456");
	strcpy(c.to_number, "+15559876543");
	strcpy(c.from_number, "+15551234567");
	strcpy(c.agent_id, "agent_xyz789");
	strcpy(c.agent_name, "Sales Rep");
	strcpy(c.client_id, "org_123");
	strcpy(c.call_type, "outbound");
	strcpy(c.status, "completed");
	c.recording_enabled = 1;
	strcpy(c.total_cost, "12.3500");
	strcpy(c.duration_seconds, "120.500");
	c.turn_count = 7;
	c.created_at = (struct ts){ 2026, 3, 9, 10, 0, 0, 0 };
	c.updated_at = (struct ts){ 2026, 3, 9, 10, 2, 30, 0 };
	c.start_time = (struct ts){ 2026, 3, 9, 10, 0, 5, 0 };
	c.end_time = (struct ts){ 2026, 3, 9, 10, 2, 25, 0 };
	strcpy(c.end_reason, "tool_end_call");
	strcpy(c.billing_status, "billed");
	return c;
}

static void
test_golden(void)
{
	struct call	 rows[2];
	struct envelope_page e;
	struct buf	 b = { NULL, 0, 0 };
	struct ca_fail	 fail = { CA_ERR_PARAM_INVALID, "limit",
			    "limit must be an integer from 1 to 100." };
	char		*want;

	rows[0] = spec_call();
	rows[1] = spec_call();
	strcpy(rows[1].call_sid, "call_nulls");
	rows[1].created_at.usec = 500;
	rows[1].null = ~0u;	/* every nullable field absent */

	envelope_page_begin(&e, &b);
	envelope_page_add(&e, &rows[0]);
	envelope_page_add(&e, &rows[1]);
	ok(envelope_page_end(&e, "CURSOR", "BACK") == 0, "success envelope");
	want = slurp(GOLDEN_DIR "/success.json");
	is_str(b.data, want ? strtok(want, "\n") : "(no golden file)",
	    "matches golden/success.json");
	free(want);

	envelope_page_begin(&e, &b);
	ok(envelope_page_end(&e, NULL, NULL) == 0, "empty page");
	is_str(b.data, "{\"success\":true,\"data\":[],\"pagination\":"
	    "{\"next_cursor\":null,\"prev_cursor\":null,\"has_more\":false,"
	    "\"page_size\":0}}", "empty page envelope");
	/* A page reached backwards with nothing before it: no more after
	 * it either way but a next cursor back to where it came from. */
	envelope_page_begin(&e, &b);
	ok(envelope_page_end(&e, "N", NULL) == 0, "first page reached back");
	is_str(b.data, "{\"success\":true,\"data\":[],\"pagination\":"
	    "{\"next_cursor\":\"N\",\"prev_cursor\":null,\"has_more\":true,"
	    "\"page_size\":0}}", "has_more follows next_cursor alone");
	envelope_page_begin(&e, &b);
	ok(envelope_page_end(&e, NULL, "P") == 0, "last page with a prev");
	is_str(b.data, "{\"success\":true,\"data\":[],\"pagination\":"
	    "{\"next_cursor\":null,\"prev_cursor\":\"P\",\"has_more\":false,"
	    "\"page_size\":0}}", "prev_cursor written, has_more false");

	ok(envelope_error(&b, &fail, "req-1") == 0, "error envelope");
	is_str(b.data, "{\"success\":false,\"error\":{\"code\":"
	    "\"invalid_parameter\",\"message\":\"limit must be an integer "
	    "from 1 to 100.\",\"param\":\"limit\",\"request_id\":\"req-1\"}}",
	    "error envelope text: request_id last");
	buf_free(&b);
}

static void
test_errors(void)
{
	static const struct {
		enum ca_err	 err;
		int		 status;
		const char	*code;
	} map[] = {
		{ CA_OK, 200, "ok" },
		{ CA_ERR_NOT_FOUND, 404, "not_found" },
		{ CA_ERR_METHOD_NOT_ALLOWED, 405, "method_not_allowed" },
		{ CA_ERR_AUTH_MISSING, 401, "missing_api_key" },
		{ CA_ERR_AUTH_MALFORMED, 401, "invalid_api_key" },
		{ CA_ERR_AUTH_INVALID, 401, "invalid_api_key" },
		{ CA_ERR_QUERY_TOO_LONG, 414, "query_too_long" },
		{ CA_ERR_QUERY_MALFORMED, 400, "invalid_query_string" },
		{ CA_ERR_PARAM_UNKNOWN, 400, "unknown_parameter" },
		{ CA_ERR_PARAM_DUPLICATE, 400, "duplicate_parameter" },
		{ CA_ERR_PARAM_INVALID, 400, "invalid_parameter" },
		{ CA_ERR_CURSOR_INVALID, 400, "invalid_cursor" },
		{ CA_ERR_CONFIG, 500, "server_misconfigured" },
		{ CA_ERR_INTERNAL, 500, "internal_error" },
		{ CA_ERR_DB_UNAVAILABLE, 503, "service_unavailable" },
		{ CA_ERR__MAX, 500, "internal_error" },
		{ (enum ca_err)-1, 500, "internal_error" },
	};
	struct response	 r;
	size_t		 i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		is_int(ca_error_info(map[i].err)->status, map[i].status,
		    "error %d status", (int)map[i].err);
		is_str(ca_error_info(map[i].err)->code, map[i].code,
		    "error %d code", (int)map[i].err);
	}

	memset(&r, 0, sizeof(r));
	buf_appends(&r.body, "{}");
	r.err = CA_ERR_DB_UNAVAILABLE;
	strcpy(r.request_id, "0123456789abcdef0123456789abcdef");
	ok(response_format_head(&r) == 0, "format head");
	is_str(r.head.data, "Status: 503 Service Unavailable\r\n"
	    "Content-Type: application/json; charset=utf-8\r\n"
	    "Cache-Control: no-store\r\n"
	    "X-Content-Type-Options: nosniff\r\n"
	    "Accept-Ranges: none\r\n"
	    "X-Request-Id: 0123456789abcdef0123456789abcdef\r\n"
	    "Content-Length: 2\r\n"
	    "Retry-After: 2\r\n\r\n", "503 head");
	r.err = CA_OK;
	response_format_head(&r);
	ok(strncmp(r.head.data, "Status: 200 OK\r\n", 16) == 0 &&
	    strstr(r.head.data, "Retry-After") == NULL, "200 head");
	ok(strstr(r.head.data, "\r\nAccept-Ranges: none\r\n") != NULL,
	    "200 head: Accept-Ranges: none (a page is never sliced)");
	response_free(&r);
}

/* Strings by length: NUL bytes inside, UTF-8 checked over n bytes only. */
static void
test_lengths(void)
{
	static const struct {
		const char	*in;
		size_t		 n;
		const char	*out;
	} strs[] = {
		{ "+1\0" "555", 6, "\"+1\\u0000555\"" },
		{ "\0", 1, "\"\\u0000\"" },
		{ "\0\0", 2, "\"\\u0000\\u0000\"" },
		{ "ab\xff", 2, "\"ab\"" },		/* the bad byte is not ours */
		{ "caf\xc3\xa9", 4, "null" },		/* a cut character */
		{ "caf\xc3\xa9\0x", 7, "\"caf\xc3\xa9\\u0000x\"" },
		{ "q\"\0\\", 4, "\"q\\\"\\u0000\\\\\"" },
		{ "", 0, "\"\"" },
	};
	char	 out[64];
	size_t	 i;

	static const struct ts	 zeros[] = {
		{ 0, 0, 0, 0, 0, 0, 0 }, { 2026, 0, 15, 10, 0, 0, 0 },
		{ 2026, 2, 0, 0, 0, 0, 0 }, { 0, 1, 1, 0, 0, 0, 0 },
		{ 2026, 2, 31, 0, 0, 0, 0 },
	};

	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		*json_put_stringn(out, strs[i].in, strs[i].n) = '\0';
		is_str(out, strs[i].out, "string by length %zu", i);
	}
	/* A zero date or zero part has no ISO 8601 form: null. */
	for (i = 0; i < sizeof(zeros) / sizeof(zeros[0]); i++) {
		*json_put_timestamp(out, &zeros[i]) = '\0';
		is_str(out, "null", "timestamp %04d-%02d-%02d: null",
		    zeros[i].year, zeros[i].month, zeros[i].day);
	}
}

/*
 * The worst row: every string at its full byte length, every byte one
 * that JSON writes as \u00XX (six bytes), the longest decimals, numbers
 * and timestamps. Written twice into a fresh buffer: the row reservation
 * must cover it (under ASan a short one is a heap-buffer-overflow; here
 * also the buffer's capacity and the parsed values are checked).
 */
static void
test_worst_row(void)
{
	const struct call_field	*f;
	struct call		 c;
	struct envelope_page	 e;
	struct buf		 b = { NULL, 0, 0 };
	json_t			*doc, *row;
	json_error_t		 jerr;
	char			*v;
	const char		*got;
	size_t			 i, k, glen, bad = 0;

	memset(&c, 0, sizeof(c));
	for (i = 0; i < call_nfields; i++) {
		f = &call_fields[i];
		v = (char *)&c + f->offset;
		if (f->kind == CALL_STR) {
			memset(v, i % 2 ? 0x01 : 0x00, f->size - 1);
			v[f->size - 1] = '\0';
			c.len[i] = f->size - 1;
		} else if (f->kind == CALL_DECIMAL) {
			memset(v, '9', f->size - 1);
			v[0] = '-';
			v[f->size - 3] = '.';
			v[f->size - 1] = '\0';
		}
	}
	c.turn_count = ULONG_MAX;
	c.recording_enabled = 0;
	c.created_at = c.updated_at = c.start_time = c.end_time =
	    (struct ts){ 9999, 12, 31, 23, 59, 59, 999999 };

	envelope_page_begin(&e, &b);
	envelope_page_add(&e, &c);
	/* Checked after each row: a short reservation writes past cap. */
	ok(b.len < b.cap, "worst row: %zu bytes within the %zu reserved",
	    b.len, b.cap);
	envelope_page_add(&e, &c);
	ok(envelope_page_end(&e, NULL, NULL) == 0 && b.len < b.cap,
	    "worst row twice: %zu bytes in a buffer of %zu", b.len, b.cap);
	doc = json_loadb(b.data, b.len, JSON_ALLOW_NUL |
	    JSON_DECODE_INT_AS_REAL, &jerr);
	ok(doc != NULL, "worst row: valid JSON%s%s", doc ? "" : ": ",
	    doc ? "" : jerr.text);
	row = json_array_get(json_object_get(doc, "data"), 1);
	for (i = 0; i < call_nfields; i++) {
		char	 name[64];

		f = &call_fields[i];
		if (f->kind != CALL_STR)
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)(f->key_len - 4),
		    f->key + 2);
		got = json_string_value(json_object_get(row, name));
		glen = json_string_length(json_object_get(row, name));
		if (got == NULL || glen != f->size - 1) {
			bad++;
			printf("# %s: %zu bytes, want %zu\n", name, glen,
			    f->size - 1);
			continue;
		}
		for (k = 0; k < glen; k++)
			if (got[k] != (i % 2 ? 0x01 : 0x00)) {
				bad++;
				break;
			}
	}
	ok(bad == 0, "worst row: every string byte for byte at full length");
	is_str(json_string_value(json_object_get(row, "created_at")),
	    "9999-12-31T23:59:59.999999Z", "worst row: created_at");
	json_decref(doc);
	buf_free(&b);
}

int
main(void)
{
	test_writer();
	test_lengths();
	test_decimal_digits();
	test_worst_row_fills();
	test_worst_row();
	test_golden();
	test_errors();
	return done_testing();
}
