/*
 * Bench helper: an API cursor for any keyset position, so bench/run.sh can
 * fetch the page at 99 % of a large organisation without walking there.
 * The secret comes from the responder's own config file (cursor-secret),
 * the encoding from lib/cursor.c: the cursor is exactly what the responder
 * would have issued after the row (CREATED_AT, CALL_SID) for the default
 * listing (newest first, no filters): version 3, next, exclusive.
 *
 *   mint_cursor CONF CLIENT_ID 'YYYY-MM-DD HH:MM:SS[.ffffff]' CALL_SID
 *	prints the cursor of the page that follows that row
 *   mint_cursor --sql first|after
 *	prints the responder's page statement (lib/sql.c) on one line, so the
 *	bench runs the very text the responder prepares
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/config.h"
#include "../lib/cursor.h"
#include "../lib/sql.h"
#include "../lib/timestamp.h"

/* 'YYYY-MM-DD HH:MM:SS' with an optional fraction of 1..6 digits (SQL). */
static int
parse_sql_datetime(const char *s, struct ts *t)
{
	char	 frac[7] = "000000";
	int	 n = 0, fn = 0;

	memset(t, 0, sizeof(*t));
	if (sscanf(s, "%4d-%2d-%2d %2d:%2d:%2d%n", &t->year, &t->month,
	    &t->day, &t->hour, &t->minute, &t->second, &n) != 6)
		return -1;
	s += n;
	if (*s == '.') {
		for (s++; *s >= '0' && *s <= '9' && fn < 6; s++)
			frac[fn++] = *s;
		if (fn == 0)
			return -1;
	}
	if (*s != '\0')
		return -1;
	t->usec = strtol(frac, NULL, 10);
	return ts_in_datetime(t) ? 0 : -1;
}

static int
usage(void)
{
	fprintf(stderr, "usage: mint_cursor CONF CLIENT_ID "
	    "'YYYY-MM-DD HH:MM:SS.ffffff' CALL_SID\n"
	    "       mint_cursor --sql first|after\n");
	return 2;
}

int
main(int argc, char *argv[])
{
	struct config		 cfg;
	struct cursor_pos	 pos;
	struct cursor_binding	 bind;
	char			 why[512], out[CURSOR_TEXT_MAX + 1];
	static char		 sql[8192];
	unsigned long		 shape;

	if (argc == 3 && strcmp(argv[1], "--sql") == 0) {
		/* The default listing's shapes: newest first, no filters,
		 * without and with the seek. */
		if (strcmp(argv[2], "first") == 0)
			shape = SQL_SHAPE_DESC;
		else if (strcmp(argv[2], "after") == 0)
			shape = SQL_SHAPE_DESC | SQL_SHAPE_SEEK;
		else
			return usage();
		if (sql_shape_text(shape, NULL, sql, sizeof(sql)) == -1)
			return 1;
		puts(sql);
		return 0;
	}
	if (argc != 5)
		return usage();
	if (config_load(argv[1], &cfg, why, sizeof(why)) != CA_OK) {
		fprintf(stderr, "mint_cursor: %s\n", why);
		return 1;
	}
	memset(&pos, 0, sizeof(pos));
	if (parse_sql_datetime(argv[3], &pos.created_at) == -1) {
		fprintf(stderr, "mint_cursor: bad created_at: %s\n", argv[3]);
		return 1;
	}
	if (strlen(argv[4]) > CALL_SID_BYTES) {
		fprintf(stderr, "mint_cursor: call_sid over %d bytes: %s\n",
		    CALL_SID_BYTES, argv[4]);
		return 1;
	}
	pos.call_sid_len = strlen(argv[4]);
	memcpy(pos.call_sid, argv[4], pos.call_sid_len + 1);
	bind.secret = cfg.secret;
	bind.secret_len = cfg.secret_len;
	bind.client_id = argv[2];
	bind.filters = "";	/* the default order, no filters */
	if (cursor_encode(&pos, &bind, out, sizeof(out)) == -1) {
		fprintf(stderr, "mint_cursor: cursor_encode failed\n");
		return 1;
	}
	puts(out);
	return 0;
}
