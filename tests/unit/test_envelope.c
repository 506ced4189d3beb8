/* JSON text: string escaping, decimals, golden envelopes, error mapping. */
#include <stdlib.h>
#include <string.h>

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
	ok(envelope_page_end(&e, "CURSOR") == 0, "success envelope");
	want = slurp(GOLDEN_DIR "/success.json");
	is_str(b.data, want ? strtok(want, "\n") : "(no golden file)",
	    "matches golden/success.json");
	free(want);

	envelope_page_begin(&e, &b);
	ok(envelope_page_end(&e, NULL) == 0, "empty page");
	is_str(b.data, "{\"success\":true,\"data\":[],\"pagination\":"
	    "{\"next_cursor\":null,\"has_more\":false,\"page_size\":0}}",
	    "empty page envelope");

	ok(envelope_error(&b, &fail) == 0, "error envelope");
	is_str(b.data, "{\"success\":false,\"error\":{\"code\":"
	    "\"invalid_parameter\",\"message\":\"limit must be an integer "
	    "from 1 to 100.\",\"param\":\"limit\"}}", "error envelope text");
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
	ok(response_format_head(&r) == 0, "format head");
	is_str(r.head.data, "Status: 503 Service Unavailable\r\n"
	    "Content-Type: application/json; charset=utf-8\r\n"
	    "Cache-Control: no-store\r\n"
	    "X-Content-Type-Options: nosniff\r\n"
	    "Accept-Ranges: none\r\n"
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

int
main(void)
{
	test_writer();
	test_golden();
	test_errors();
	return done_testing();
}
