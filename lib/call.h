/* One call summary, as the store returns it and the envelope prints it. */
#ifndef CALLS_API_CALL_H
#define CALLS_API_CALL_H

#include <stddef.h>

#include "call_fields.h"
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

/* Index of each field in call_fields[] (and call.len): CALL_F_name. */
#define CALL_FIELD_ID(name, kind, size, nullable, sql)	CALL_F_##name,
enum call_field_id {
	CALL_FIELDS(CALL_FIELD_ID, CALL_NO_SEP)
	CALL_NFIELDS
};
#undef CALL_FIELD_ID

/* The bit of call.null that says a nullable field is absent. */
#define CALL_NULL(name)	(1u << CALL_F_##name)

#define CALL_MEMBER(name, kind, size, nullable, sql) \
	CALL_MEMBER_##kind(name, size)

struct call {
	CALL_FIELDS(CALL_MEMBER, CALL_NO_SEP)
	unsigned int	 null;		/* CALL_NULL() bits */
	/*
	 * Byte length of each text field (CALL_STR, CALL_DECIMAL) as the
	 * store fetched it, NUL bytes inside included; 0 means "up to the
	 * first NUL" (stores that build rows from C strings leave it 0).
	 * Read it through call_text_len().
	 */
	size_t		 len[CALL_NFIELDS];
};

#undef CALL_MEMBER

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
	unsigned int		 null_bit;	/* CALL_NULL(name); 0: never null */
};

/* The fields of a call summary, CALL_FIELDS in its order (call_fields.h). */
extern const struct call_field	 call_fields[];
extern const size_t		 call_nfields;

/* The byte length of text field i (index in call_fields) of c. */
size_t	call_text_len(const struct call *c, size_t i);

/* The keyset position of a call (what a cursor after it carries), the
 * call_sid byte for byte: 0, or -1 when it does not fit a position. */
int	call_position(const struct call *, struct cursor_pos *);

#endif
