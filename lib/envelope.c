#include <stddef.h>

#include "envelope.h"
#include "json_writer.h"

/* The longest text one field's value can take (see json_writer.h). */
static size_t
field_max(const struct call_field *f)
{
	switch (f->kind) {
	case CALL_STR:
		return JSON_STRING_MAX(f->size - 1);
	case CALL_DECIMAL:
		return f->size - 1 + JSON_NULL_LEN;
	case CALL_BOOL:
		return 5;
	case CALL_ULONG:
		return JSON_ULONG_MAX;
	case CALL_TS:
		return JSON_TIMESTAMP_MAX;
	}
	return 0;
}

/* The longest text of one call object with its separator: "," "{...}". */
static size_t
call_text_max(void)
{
	static size_t	 max;
	size_t		 i;

	if (max == 0) {
		max = 3;
		for (i = 0; i < call_nfields; i++)
			max += call_fields[i].key_len + field_max(&call_fields[i]);
	}
	return max;
}

/*
 * Writing one value, by the field's declared kind: each takes the struct
 * call member itself (typed), so no value is cast to an assumed type.
 */

static char *
put_STR(char *p, const struct call *c, size_t i, const char (*v)[])
{
	/* By length: a NUL inside is part of the value. */
	return json_put_stringn(p, *v, call_text_len(c, i));
}

static char *
put_DECIMAL(char *p, const struct call *c, size_t i, const char (*v)[])
{
	(void)c;
	(void)i;
	return json_put_decimal(p, *v);
}

static char *
put_BOOL(char *p, const struct call *c, size_t i, const int *v)
{
	(void)c;
	(void)i;
	return json_put_bool(p, *v);
}

static char *
put_ULONG(char *p, const struct call *c, size_t i, const unsigned long *v)
{
	(void)c;
	(void)i;
	return json_put_ulong(p, *v);
}

static char *
put_TS(char *p, const struct call *c, size_t i, const struct ts *v)
{
	(void)c;
	(void)i;
	return json_put_timestamp(p, v);
}

/* Member i's key ("name": with a comma before all but the first). */
static char *
put_key(char *p, size_t i)
{
	const struct call_field	*f = &call_fields[i];

	return json_put_raw(p, f->key + (i == 0), f->key_len - (i == 0));
}

/* One call as a JSON object, preceded by a comma unless it is the first. */
static void
write_call(struct json_writer *w, const struct call *c, int first)
{
	char	*p;

	if ((p = jw_reserve(w, call_text_max())) == NULL)
		return;
	if (!first)
		*p++ = ',';
	*p++ = '{';
#define PUT_FIELD(name, kind, size, nullable, sql) \
	p = put_key(p, CALL_F_##name); \
	p = (c->null & call_fields[CALL_F_##name].null_bit) != 0 ? \
	    json_put_null(p) : put_##kind(p, c, CALL_F_##name, &c->name);
	CALL_FIELDS(PUT_FIELD, CALL_NO_SEP)
#undef PUT_FIELD
	*p++ = '}';
	jw_commit(w, p);
}

void
envelope_page_begin(struct envelope_page *e, struct buf *out)
{
	e->w.out = out;
	e->w.failed = 0;
	e->count = 0;
	buf_reset(out);
	jw_raw(&e->w, "{\"success\":true,\"data\":[");
}

void
envelope_page_add(struct envelope_page *e, const struct call *c)
{
	write_call(&e->w, c, e->count == 0);
	e->count++;
}

int
envelope_page_end(struct envelope_page *e, const char *next_cursor,
    const char *prev_cursor)
{
	jw_raw(&e->w, "],\"pagination\":{\"next_cursor\":");
	jw_string(&e->w, next_cursor);
	jw_raw(&e->w, ",\"prev_cursor\":");
	jw_string(&e->w, prev_cursor);
	jw_raw(&e->w, ",\"has_more\":");
	jw_bool(&e->w, next_cursor != NULL);
	jw_raw(&e->w, ",\"page_size\":");
	jw_ulong(&e->w, (unsigned long)e->count);
	jw_raw(&e->w, "}}");
	return e->w.failed ? -1 : 0;
}

int
envelope_call(struct buf *out, const struct call *c)
{
	struct json_writer	 w = { out, 0 };

	buf_reset(out);
	jw_raw(&w, "{\"success\":true,\"data\":");
	write_call(&w, c, 1);
	jw_raw(&w, "}");
	return w.failed ? -1 : 0;
}

int
envelope_error(struct buf *out, const struct ca_fail *f,
    const char *request_id)
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
	jw_raw(&w, ",\"request_id\":");
	jw_string(&w, request_id);
	jw_raw(&w, "}}");
	return w.failed ? -1 : 0;
}
