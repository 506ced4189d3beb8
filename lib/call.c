#include <stddef.h>
#include <string.h>

#include "call.h"

#define FIELD(name, kind, size, nullable, sql) \
	[CALL_F_##name] = { ",\"" #name "\":", sizeof(",\"" #name "\":") - 1, \
	    CALL_##kind, offsetof(struct call, name), \
	    sizeof(((struct call *)0)->name), \
	    CALL_IS_NULLABLE(nullable) ? CALL_NULL(name) : 0 },

const struct call_field call_fields[] = {
	CALL_FIELDS(FIELD, CALL_NO_SEP)
};

const size_t call_nfields = sizeof(call_fields) / sizeof(call_fields[0]);

_Static_assert(sizeof(call_fields) / sizeof(call_fields[0]) == CALL_NFIELDS,
    "call_fields has one entry per field");
_Static_assert(CALL_NFIELDS <= sizeof(unsigned int) * 8,
    "a bit of call.null for every field");

/*
 * struct call is the CALL_FIELDS members, in their order, then null and
 * len: nothing added by hand beside the list. call_shape is built from
 * the list alone; every member must sit where it sits there.
 */
#define SHAPE_MEMBER(name, kind, size, nullable, sql) \
	CALL_MEMBER_##kind(name, size)
struct call_shape {
	CALL_FIELDS(SHAPE_MEMBER, CALL_NO_SEP)
	unsigned int	 null;
	size_t		 len[CALL_NFIELDS];
};
#undef SHAPE_MEMBER

#define SAME_PLACE(name, kind, size, nullable, sql) \
	_Static_assert(offsetof(struct call, name) == \
	    offsetof(struct call_shape, name), \
	    "struct call: " #name " is not where CALL_FIELDS puts it");
CALL_FIELDS(SAME_PLACE, CALL_NO_SEP)
#undef SAME_PLACE
_Static_assert(offsetof(struct call, null) ==
    offsetof(struct call_shape, null) &&
    offsetof(struct call, len) == offsetof(struct call_shape, len) &&
    sizeof(struct call) == sizeof(struct call_shape),
    "struct call has members that CALL_FIELDS does not declare");

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
	size_t	 len = call_text_len(c, CALL_F_call_sid);

	if (len > CALL_SID_BYTES)
		return -1;
	pos->created_at = c->created_at;
	pos->call_sid_len = len;
	memcpy(pos->call_sid, c->call_sid, len);
	pos->call_sid[len] = '\0';
	return 0;
}
