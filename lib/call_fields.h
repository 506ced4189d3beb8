/*
 * The fields of a call summary, declared once. The list is in the order
 * of the spec's example: the order of the JSON members, of the members of
 * struct call and of the page query's SELECT list.
 *
 * X(name, kind, size, nullable, sql): name is the struct member and the
 * JSON member; kind how it is stored and written (enum call_field_kind
 * without its CALL_ prefix); size the buffer of a text kind (unused: 0);
 * nullable NULLABLE or NOT_NULL; sql the SELECT expression.
 * SEP goes between two entries (the SELECT list's ", ").
 *
 * From it: enum call_field_id and CALL_NFIELDS, struct call (call.h),
 * call_fields[] (call.c), the SELECT list, the result binding (sql.c) and
 * the row writer (envelope.c).
 */
#ifndef CALLS_API_CALL_FIELDS_H
#define CALLS_API_CALL_FIELDS_H

#define CALL_FIELDS(X, SEP) \
	X(call_sid,		STR,	 ID_SIZE,	NOT_NULL, "c.call_sid") SEP \
	X(to_number,		STR,	 NUMBER_SIZE,	NOT_NULL, "c.to_number") SEP \
	X(from_number,		STR,	 NUMBER_SIZE,	NULLABLE, "c.from_number") SEP \
	X(agent_id,		STR,	 ID_SIZE,	NOT_NULL, "c.agent_id") SEP \
	X(agent_name,		STR,	 NAME_SIZE,	NULLABLE, "a.agent_name") SEP \
	X(client_id,		STR,	 ID_SIZE,	NOT_NULL, "c.client_id") SEP \
	X(call_type,		STR,	 WORD_SIZE,	NULLABLE, "c.call_type") SEP \
	X(status,		STR,	 WORD_SIZE,	NULLABLE, "c.status") SEP \
	X(recording_enabled,	BOOL,	 0,		NULLABLE, "c.recording_enabled") SEP \
	X(total_cost,		DECIMAL, DECIMAL_SIZE,	NULLABLE, "c.total_cost") SEP \
	X(duration_seconds,	DECIMAL, DECIMAL_SIZE,	NULLABLE, "c.duration_seconds") SEP \
	X(turn_count,		ULONG,	 0,		NULLABLE, "c.turn_count") SEP \
	X(created_at,		TS,	 0,		NOT_NULL, "c.created_at") SEP \
	X(updated_at,		TS,	 0,		NULLABLE, "c.updated_at") SEP \
	X(start_time,		TS,	 0,		NULLABLE, "c.start_time") SEP \
	X(end_time,		TS,	 0,		NULLABLE, "c.end_time") SEP \
	X(end_reason,		STR,	 WORD_SIZE,	NULLABLE, "c.end_reason") SEP \
	X(billing_status,	STR,	 WORD_SIZE,	NULLABLE, "c.billing_status")

/* SEP for the lists that need none. */
#define CALL_NO_SEP

/* nullable, as 0 or 1. */
#define CALL_IS_NULLABLE(nullable)	CALL_IS_NULLABLE_##nullable
#define CALL_IS_NULLABLE_NULLABLE	1
#define CALL_IS_NULLABLE_NOT_NULL	0

/* The C type of each kind, as a struct member. */
#define CALL_MEMBER_STR(name, size)	char name[size];
#define CALL_MEMBER_DECIMAL(name, size)	char name[size];	/* decimal text */
#define CALL_MEMBER_BOOL(name, size)	int name;
#define CALL_MEMBER_ULONG(name, size)	unsigned long name;
#define CALL_MEMBER_TS(name, size)	struct ts name;

#endif
