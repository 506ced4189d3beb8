/*
 * Cursor codec: base64url text of a small JSON object holding a version,
 * a split of the listing (a keyset position, the direction to read from
 * it and whether the row at the position is on the page asked for) and an
 * HMAC-SHA256 over all of it bound to the organisation and to the order
 * and filters of the listing (params_canonical()):
 *
 *   {"v":3,"dir":"next","incl":"0",
 *    "created_at":"2026-03-09T10:00:00.000000Z",
 *    "call_sid_b64":"<base64url of the call_sid's bytes>",
 *    "sig":"<43 chars base64url>"}
 *
 * The position is exact for any value the key columns can hold: call_sid
 * is carried as its raw bytes (any characters, NUL included, up to 64
 * utf8mb4 characters = 256 bytes), created_at as fixed digit fields that
 * may be zero (a zero date or zero month/day that a permissive sql_mode
 * let in). The MAC is over length-prefixed parts. Versions 1
 * ({"v":1,...,"call_sid":"<[A-Za-z0-9_]{1,64}>",...}, NUL-separated MAC)
 * and 2 (version 3 without dir and incl) are still accepted for the
 * binding they could have been issued for (the default order, no
 * filters: an empty filters text) and read as "next, exclusive", so
 * cursors issued before an upgrade keep working; only version 3 is
 * issued. During a rotation of the secret, every version is also
 * accepted under the previous one (cursor_decode_rotated).
 */
#ifndef CALLS_API_CURSOR_H
#define CALLS_API_CURSOR_H

#include <stddef.h>

#include "timestamp.h"

#define CURSOR_VERSION		3
#define CURSOR_TEXT_MAX		1024	/* longer text is never one of ours */
#define CALL_SID_MAX		64	/* characters: VARCHAR(64) */
#define CALL_SID_BYTES		(CALL_SID_MAX * 4)	/* utf8mb4 */

/* Which way a cursor reads from its position, in display order. */
enum cursor_dir {
	CURSOR_NEXT = 0,	/* the page after the split */
	CURSOR_PREV		/* the page before it */
};

/*
 * A keyset position and, for a cursor, the split it stands for: the page
 * in direction dir from the position, the row at the position included
 * when inclusive is 1. Zeroed dir and inclusive: "the page after this
 * row", all a version 1 or 2 cursor could say.
 */
struct cursor_pos {
	struct ts	 created_at;	/* ts_in_datetime(): zeros allowed */
	size_t		 call_sid_len;	/* bytes */
	char		 call_sid[CALL_SID_BYTES + 1];	/* any bytes, NUL after */
	enum cursor_dir	 dir;
	int		 inclusive;	/* 0 or 1 */
};

struct cursor_binding {
	const unsigned char	*secret;
	size_t			 secret_len;
	const char		*client_id;	/* the organisation */
	const char		*filters;	/* params_canonical(), or "" */
};

/* Cheap syntax check for the parameter table: non-empty, short, base64. */
int	cursor_text_plausible(const char *);

/*
 * Encode into out (at least CURSOR_TEXT_MAX + 1 bytes); 0 or -1 (a
 * position no DATETIME / VARCHAR(64) column can hold, or a bad binding).
 */
int	cursor_encode(const struct cursor_pos *, const struct cursor_binding *,
	    char *out, size_t outcap);

/*
 * Decode and verify. -1 for anything that is not a cursor this server
 * issued for this binding: malformed, truncated, forged, re-signed with
 * another secret, issued to another organisation or for other filters or
 * another order, of an unknown version, or of version 1 or 2 with filters
 * (those versions were only issued without).
 */
int	cursor_decode(const char *, const struct cursor_binding *,
	    struct cursor_pos *);

/*
 * cursor_decode, and when the MAC is not the binding's secret's, checked
 * again with previous (previous_len bytes; NULL or 0: none): the secret a
 * rotation replaced (cursor-secret-previous), for verification only:
 * cursor_encode never signs with it. Every version is accepted under
 * either secret; both comparisons take constant time.
 */
int	cursor_decode_rotated(const char *, const struct cursor_binding *,
	    const unsigned char *previous, size_t previous_len,
	    struct cursor_pos *);

/* 1 when s is a version 1 call_sid: 1..64 of [A-Za-z0-9_]. */
int	call_sid_valid(const char *s);

#endif
