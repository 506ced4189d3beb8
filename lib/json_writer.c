#include <string.h>

#include "json_writer.h"
#include "utf8.h"

static void
put(struct json_writer *w, const char *s, size_t n)
{
	if (!w->failed && buf_append(w->out, s, n) == -1)
		w->failed = 1;
}

void
jw_raw(struct json_writer *w, const char *s)
{
	put(w, s, strlen(s));
}

/* Printable ASCII other than '"' and '\\': copied as it is. */
static int
plain(unsigned char c)
{
	return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

char *
json_put_raw(char *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

char *
json_put_null(char *p)
{
	return json_put_raw(p, "null", JSON_NULL_LEN);
}

char *
json_put_string(char *p, const char *s)
{
	return s == NULL ? json_put_null(p) : json_put_stringn(p, s, strlen(s));
}

char *
json_put_stringn(char *p, const char *s, size_t len)
{
	static const char	 hex[] = "0123456789abcdef";
	const char		*end;
	unsigned char		 c;
	size_t			 n;

	if (s == NULL)
		return json_put_null(p);
	end = s + len;
	/* Fast path, almost every value: plain ASCII, one copy. */
	for (n = 0; n < len && plain((unsigned char)s[n]); n++)
		continue;
	/* The plain prefix is valid UTF-8 and needs no escape. */
	if (n < len && !utf8_valid(s + n, len - n))
		return json_put_null(p);	/* never emit invalid JSON */
	*p++ = '"';
	p = json_put_raw(p, s, n);
	for (s += n; s < end; s++) {
		c = (unsigned char)*s;
		if (c >= 0x20 && c != '"' && c != '\\') {
			*p++ = (char)c;
			continue;
		}
		*p++ = '\\';
		switch (c) {
		case '"':
		case '\\':
			*p++ = (char)c;
			break;
		case '\n':
			*p++ = 'n';
			break;
		case '\r':
			*p++ = 'r';
			break;
		case '\t':
			*p++ = 't';
			break;
		default:
			p = json_put_raw(p, "u00", 3);
			*p++ = hex[c >> 4];
			*p++ = hex[c & 15];
			break;
		}
	}
	*p++ = '"';
	return p;
}

char *
json_put_bool(char *p, int v)
{
	return v ? json_put_raw(p, "true", 4) : json_put_raw(p, "false", 5);
}

char *
json_put_ulong(char *p, unsigned long v)
{
	char	 num[JSON_ULONG_MAX], *d = num + sizeof(num);

	do {
		*--d = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	return json_put_raw(p, d, (size_t)(num + sizeof(num) - d));
}

char *
json_put_decimal(char *p, const char *s)
{
	size_t	 n;

	if (s == NULL || !decimal_valid(s))
		return json_put_null(p);
	/* DECIMAL(14,4) text "12.3500" prints as 12.35, "12.0000" as 12. */
	n = strlen(s);
	if (memchr(s, '.', n) != NULL) {
		while (s[n - 1] == '0')
			n--;
		if (s[n - 1] == '.')
			n--;
	}
	return json_put_raw(p, s, n);
}

char *
json_put_timestamp(char *p, const struct ts *t)
{
	if (t == NULL || !ts_valid(t))
		return json_put_null(p);
	*p++ = '"';
	p += ts_format(t, 0, p);
	*p++ = '"';
	return p;
}

char *
jw_reserve(struct json_writer *w, size_t n)
{
	if (w->failed)
		return NULL;
	if (n >= w->out->cap - w->out->len && buf_reserve(w->out, n) == -1) {
		w->failed = 1;
		return NULL;
	}
	return w->out->data + w->out->len;
}

void
jw_commit(struct json_writer *w, char *p)
{
	w->out->len = (size_t)(p - w->out->data);
	w->out->data[w->out->len] = '\0';
}

void
jw_string(struct json_writer *w, const char *s)
{
	char	*p;

	if ((p = jw_reserve(w, s != NULL ? JSON_STRING_MAX(strlen(s)) :
	    JSON_NULL_LEN)) != NULL)
		jw_commit(w, json_put_string(p, s));
}

void
jw_bool(struct json_writer *w, int v)
{
	jw_raw(w, v ? "true" : "false");
}

void
jw_ulong(struct json_writer *w, unsigned long v)
{
	char	*p;

	if ((p = jw_reserve(w, JSON_ULONG_MAX)) != NULL)
		jw_commit(w, json_put_ulong(p, v));
}

int
decimal_valid(const char *s)
{
	const char	*p = s;

	if (*p == '-')
		p++;
	if (*p < '0' || *p > '9')
		return 0;
	if (*p == '0' && p[1] >= '0' && p[1] <= '9')
		return 0;	/* JSON has no leading zeros */
	while (*p >= '0' && *p <= '9')
		p++;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return 0;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	return *p == '\0';
}
