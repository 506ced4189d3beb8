#include <string.h>

#include "json_writer.h"
#include "query.h"

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

void
jw_rawn(struct json_writer *w, const char *s, size_t n)
{
	put(w, s, n);
}

/* Printable ASCII other than '"' and '\\': copied as it is. */
static int
plain(unsigned char c)
{
	return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

void
jw_string(struct json_writer *w, const char *s)
{
	static const char	 hex[] = "0123456789abcdef";
	const char		*run;
	char			 esc[7];
	unsigned char		 c;
	size_t			 n;

	if (s == NULL) {
		jw_raw(w, "null");
		return;
	}
	/* Fast path, almost every value: plain ASCII, one copy. */
	for (n = 0; plain((unsigned char)s[n]); n++)
		continue;
	if (s[n] == '\0') {
		put(w, "\"", 1);
		put(w, s, n);
		put(w, "\"", 1);
		return;
	}
	/* The plain prefix is valid UTF-8 and needs no escape: go on after it. */
	if (!utf8_valid(s + n, strlen(s + n))) {
		jw_raw(w, "null");	/* never emit invalid JSON text */
		return;
	}
	put(w, "\"", 1);
	for (run = s, s += n; (c = (unsigned char)*s) != '\0'; s++) {
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		put(w, run, (size_t)(s - run));
		run = s + 1;
		if (c == '"')
			put(w, "\\\"", 2);
		else if (c == '\\')
			put(w, "\\\\", 2);
		else if (c == '\n')
			put(w, "\\n", 2);
		else if (c == '\r')
			put(w, "\\r", 2);
		else if (c == '\t')
			put(w, "\\t", 2);
		else {
			memcpy(esc, "\\u00", 4);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			put(w, esc, 6);
		}
	}
	put(w, run, (size_t)(s - run));
	put(w, "\"", 1);
}

void
jw_key(struct json_writer *w, const char *key)
{
	jw_string(w, key);
	put(w, ":", 1);
}

void
jw_bool(struct json_writer *w, int v)
{
	jw_raw(w, v ? "true" : "false");
}

void
jw_ulong(struct json_writer *w, unsigned long v)
{
	char	 num[24], *p = num + sizeof(num);

	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	put(w, p, (size_t)(num + sizeof(num) - p));
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

void
jw_decimal(struct json_writer *w, const char *s)
{
	size_t	 n;

	if (s == NULL || !decimal_valid(s)) {
		jw_raw(w, "null");
		return;
	}
	/* DECIMAL(14,4) text "12.3500" prints as 12.35, "12.0000" as 12. */
	n = strlen(s);
	if (strchr(s, '.') != NULL) {
		while (s[n - 1] == '0')
			n--;
		if (s[n - 1] == '.')
			n--;
	}
	put(w, s, n);
}

void
jw_timestamp(struct json_writer *w, const struct ts *t)
{
	char	 text[TS_TEXT_SIZE + 2];
	size_t	 n;

	if (t == NULL || !ts_valid(t)) {
		jw_raw(w, "null");
		return;
	}
	text[0] = '"';
	n = ts_format(t, 0, text + 1);
	text[n + 1] = '"';
	put(w, text, n + 2);
}
