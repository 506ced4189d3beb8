/* One call summary, as the store returns it and the envelope prints it. */
#ifndef CALLS_API_CALL_H
#define CALLS_API_CALL_H

#include <stddef.h>

#include "cursor.h"
#include "timestamp.h"

/*
 * Buffer sizes: column width in characters x 4 bytes (utf8mb4) + NUL.
 * A value may hold NUL bytes of its own: its length is in call.len.
 */
#define ID_SIZE		(64 * 4 + 1)
#define NUMBER_SIZE	(32 * 4 + 1)
#define NAME_SIZE	(255 * 4 + 1)
#define WORD_SIZE	(64 * 4 + 1)
#define DECIMAL_SIZE	48

/* Bits of call.null: which nullable fields are absent. */
enum call_null {
	CALL_NULL_FROM_NUMBER		= 1 << 0,
	CALL_NULL_AGENT_NAME		= 1 << 1,
	CALL_NULL_CALL_TYPE		= 1 << 2,
	CALL_NULL_STATUS		= 1 << 3,
	CALL_NULL_RECORDING		= 1 << 4,
	CALL_NULL_TOTAL_COST		= 1 << 5,
	CALL_NULL_DURATION		= 1 << 6,
	CALL_NULL_TURN_COUNT		= 1 << 7,
	CALL_NULL_UPDATED_AT		= 1 << 8,
	CALL_NULL_START_TIME		= 1 << 9,
	CALL_NULL_END_TIME		= 1 << 10,
	CALL_NULL_END_REASON		= 1 << 11,
	CALL_NULL_BILLING_STATUS	= 1 << 12
};

/* Fields in call_fields[]; call.len is indexed by field. */
#define CALL_NFIELDS	18

struct call {
	char		 call_sid[ID_SIZE];
	char		 to_number[NUMBER_SIZE];
	char		 from_number[NUMBER_SIZE];
	char		 agent_id[ID_SIZE];
	char		 agent_name[NAME_SIZE];
	char		 client_id[ID_SIZE];
	char		 call_type[WORD_SIZE];
	char		 status[WORD_SIZE];
	int		 recording_enabled;
	char		 total_cost[DECIMAL_SIZE];	/* decimal text */
	char		 duration_seconds[DECIMAL_SIZE];	/* decimal text */
	unsigned long	 turn_count;
	struct ts	 created_at;
	struct ts	 updated_at;
	struct ts	 start_time;
	struct ts	 end_time;
	char		 end_reason[WORD_SIZE];
	char		 billing_status[WORD_SIZE];
	unsigned int	 null;		/* enum call_null bits */
	/*
	 * Byte length of each text field (CALL_STR, CALL_DECIMAL) as the
	 * store fetched it, NUL bytes inside included; 0 means "up to the
	 * first NUL" (stores that build rows from C strings leave it 0).
	 * Read it through call_text_len().
	 */
	size_t		 len[CALL_NFIELDS];
};

/* How a field is stored in struct call. */
enum call_field_kind {
	CALL_STR,	/* NUL-terminated text, buffer of size bytes */
	CALL_DECIMAL,	/* decimal text, buffer of size bytes */
	CALL_BOOL,	/* int */
	CALL_ULONG,	/* unsigned long */
	CALL_TS		/* struct ts */
};

struct call_field {
	const char		*key;	/* JSON member: ",\"name\":" */
	size_t			 key_len;	/* strlen(key) */
	enum call_field_kind	 kind;
	size_t			 offset;	/* in struct call */
	size_t			 size;
	unsigned int		 null_bit;	/* 0: never null */
};

/*
 * The fields of a call summary in the order of the spec's example: the
 * order of the JSON members and of the page query's SELECT list.
 */
extern const struct call_field	 call_fields[];
extern const size_t		 call_nfields;

/* The byte length of text field i (index in call_fields) of c. */
size_t	call_text_len(const struct call *c, size_t i);

/* The keyset position of a call (what a cursor after it carries), the
 * call_sid byte for byte: 0, or -1 when it does not fit a position. */
int	call_position(const struct call *, struct cursor_pos *);

#endif
