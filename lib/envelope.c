#include <stddef.h>

#include "envelope.h"
#include "json_writer.h"

enum field_kind { F_STR, F_BOOL, F_DECIMAL, F_ULONG, F_TS };

struct field {
	const char	*key;		/* with its quotes, comma and colon */
	enum field_kind	 kind;
	size_t		 offset;	/* in struct call */
	unsigned int	 null_bit;	/* 0: never null */
};

#define FIELD(name, kind, bit) \
	{ ",\"" #name "\":", kind, offsetof(struct call, name), bit }

/* The fields of a call summary, in the order of the spec's example. */
static const struct field fields[] = {
	FIELD(call_sid, F_STR, 0),
	FIELD(to_number, F_STR, 0),
	FIELD(from_number, F_STR, CALL_NULL_FROM_NUMBER),
	FIELD(agent_id, F_STR, 0),
	FIELD(agent_name, F_STR, CALL_NULL_AGENT_NAME),
	FIELD(client_id, F_STR, 0),
	FIELD(call_type, F_STR, CALL_NULL_CALL_TYPE),
	FIELD(status, F_STR, CALL_NULL_STATUS),
	FIELD(recording_enabled, F_BOOL, CALL_NULL_RECORDING),
	FIELD(total_cost, F_DECIMAL, CALL_NULL_TOTAL_COST),
	FIELD(duration_seconds, F_DECIMAL, CALL_NULL_DURATION),
	FIELD(turn_count, F_ULONG, CALL_NULL_TURN_COUNT),
	FIELD(created_at, F_TS, 0),
	FIELD(updated_at, F_TS, CALL_NULL_UPDATED_AT),
	FIELD(start_time, F_TS, CALL_NULL_START_TIME),
	FIELD(end_time, F_TS, CALL_NULL_END_TIME),
	FIELD(end_reason, F_STR, CALL_NULL_END_REASON),
	FIELD(billing_status, F_STR, CALL_NULL_BILLING_STATUS),
};

static void
write_call(struct json_writer *w, const struct call *c)
{
	const struct field	*f;
	const char		*base = (const char *)c, *p;
	size_t			 i;

	jw_raw(w, "{");
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		f = &fields[i];
		jw_raw(w, f->key + (i == 0));	/* no comma before the first */
		p = base + f->offset;
		if (f->null_bit != 0 && (c->null & f->null_bit)) {
			jw_raw(w, "null");
			continue;
		}
		switch (f->kind) {
		case F_STR:
			jw_string(w, p);
			break;
		case F_BOOL:
			jw_bool(w, *(const int *)(const void *)p);
			break;
		case F_DECIMAL:
			jw_decimal(w, p);
			break;
		case F_ULONG:
			jw_ulong(w, *(const unsigned long *)(const void *)p);
			break;
		case F_TS:
			jw_timestamp(w, (const struct ts *)(const void *)p);
			break;
		}
	}
	jw_raw(w, "}");
}

int
envelope_success(struct buf *out, const struct call_page *page,
    size_t count, const char *next_cursor)
{
	struct json_writer	 w = { out, 0 };
	size_t			 i;

	buf_reset(out);
	jw_raw(&w, "{\"success\":true,\"data\":[");
	for (i = 0; i < count && i < page->n; i++) {
		if (i > 0)
			jw_raw(&w, ",");
		write_call(&w, &page->rows[i]);
	}
	jw_raw(&w, "],\"pagination\":{\"next_cursor\":");
	jw_string(&w, next_cursor);
	jw_raw(&w, ",\"has_more\":");
	jw_bool(&w, next_cursor != NULL);
	jw_raw(&w, ",\"page_size\":");
	jw_ulong(&w, (unsigned long)i);
	jw_raw(&w, "}}");
	return w.failed ? -1 : 0;
}

int
envelope_error(struct buf *out, const struct ca_fail *f)
{
	const struct ca_error_info	*info = ca_error_info(f->err);
	struct json_writer		 w = { out, 0 };

	buf_reset(out);
	jw_raw(&w, "{\"success\":false,\"error\":{\"code\":");
	jw_string(&w, info->code);
	jw_raw(&w, ",\"message\":");
	jw_string(&w, f->detail != NULL ? f->detail : info->message);
	jw_raw(&w, ",\"param\":");
	jw_string(&w, f->param);
	jw_raw(&w, "}}");
	return w.failed ? -1 : 0;
}
