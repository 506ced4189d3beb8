#include <stddef.h>
#include <string.h>

#include "call.h"

#define FIELD(name, kind, bit) \
	{ ",\"" #name "\":", sizeof(",\"" #name "\":") - 1, kind, offsetof(struct call, name), \
	  sizeof(((struct call *)0)->name), bit }

const struct call_field call_fields[] = {
	FIELD(call_sid, CALL_STR, 0),
	FIELD(to_number, CALL_STR, 0),
	FIELD(from_number, CALL_STR, CALL_NULL_FROM_NUMBER),
	FIELD(agent_id, CALL_STR, 0),
	FIELD(agent_name, CALL_STR, CALL_NULL_AGENT_NAME),
	FIELD(client_id, CALL_STR, 0),
	FIELD(call_type, CALL_STR, CALL_NULL_CALL_TYPE),
	FIELD(status, CALL_STR, CALL_NULL_STATUS),
	FIELD(recording_enabled, CALL_BOOL, CALL_NULL_RECORDING),
	FIELD(total_cost, CALL_DECIMAL, CALL_NULL_TOTAL_COST),
	FIELD(duration_seconds, CALL_DECIMAL, CALL_NULL_DURATION),
	FIELD(turn_count, CALL_ULONG, CALL_NULL_TURN_COUNT),
	FIELD(created_at, CALL_TS, 0),
	FIELD(updated_at, CALL_TS, CALL_NULL_UPDATED_AT),
	FIELD(start_time, CALL_TS, CALL_NULL_START_TIME),
	FIELD(end_time, CALL_TS, CALL_NULL_END_TIME),
	FIELD(end_reason, CALL_STR, CALL_NULL_END_REASON),
	FIELD(billing_status, CALL_STR, CALL_NULL_BILLING_STATUS),
};

const size_t call_nfields = sizeof(call_fields) / sizeof(call_fields[0]);

_Static_assert(sizeof(call_fields) / sizeof(call_fields[0]) == CALL_NFIELDS,
    "CALL_NFIELDS counts call_fields");

size_t
call_text_len(const struct call *c, size_t i)
{
	const char	*v = (const char *)c + call_fields[i].offset;

	if (c->len[i] != 0 && c->len[i] < call_fields[i].size)
		return c->len[i];
	return strnlen(v, call_fields[i].size - 1);
}

int
call_position(const struct call *c, struct cursor_pos *pos)
{
	size_t	 len = call_text_len(c, 0);	/* call_fields[0]: call_sid */

	if (len > CALL_SID_BYTES)
		return -1;
	pos->created_at = c->created_at;
	pos->call_sid_len = len;
	memcpy(pos->call_sid, c->call_sid, len);
	pos->call_sid[len] = '\0';
	return 0;
}
