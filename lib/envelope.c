#include <stddef.h>

#include "envelope.h"
#include "json_writer.h"

static void
write_call(struct json_writer *w, const struct call *c)
{
	const struct call_field	*f;
	const char		*base = (const char *)c, *p;
	size_t			 i;

	jw_raw(w, "{");
	for (i = 0; i < call_nfields; i++) {
		f = &call_fields[i];
		/* No comma before the first member. */
		jw_rawn(w, f->key + (i == 0), f->key_len - (i == 0));
		p = base + f->offset;
		if (f->null_bit != 0 && (c->null & f->null_bit)) {
			jw_raw(w, "null");
			continue;
		}
		switch (f->kind) {
		case CALL_STR:
			jw_string(w, p);
			break;
		case CALL_BOOL:
			jw_bool(w, *(const int *)(const void *)p);
			break;
		case CALL_DECIMAL:
			jw_decimal(w, p);
			break;
		case CALL_ULONG:
			jw_ulong(w, *(const unsigned long *)(const void *)p);
			break;
		case CALL_TS:
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
