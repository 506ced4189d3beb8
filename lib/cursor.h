/*
 * Cursor codec: base64url text of a small JSON object holding a version,
 * the keyset position and an HMAC-SHA256 over that position bound to the
 * organisation (and the filters of the listing, "" today):
 *
 *   {"v":1,"created_at":"2026-03-09T10:00:00.000000Z",
 *    "call_sid":"call_abc","sig":"<43 chars base64url>"}
 */
#ifndef CALLS_API_CURSOR_H
#define CALLS_API_CURSOR_H

#include <stddef.h>

#include "timestamp.h"

#define CURSOR_VERSION		1
#define CURSOR_TEXT_MAX		512	/* longer text is never one of ours */
#define CALL_SID_MAX		64

struct cursor_pos {
	struct ts	 created_at;
	char		 call_sid[CALL_SID_MAX + 1];
};

struct cursor_binding {
	const unsigned char	*secret;
	size_t			 secret_len;
	const char		*client_id;	/* the organisation */
	const char		*filters;	/* canonical filter text, or "" */
};

/* Cheap syntax check for the parameter table: non-empty, short, base64. */
int	cursor_text_plausible(const char *);

/* Encode into out (at least CURSOR_TEXT_MAX + 1 bytes); 0 or -1. */
int	cursor_encode(const struct cursor_pos *, const struct cursor_binding *,
	    char *out, size_t outcap);

/*
 * Decode and verify. -1 for anything that is not a cursor this server
 * issued for this binding: malformed, truncated, forged, re-signed with
 * another secret, or issued to another organisation.
 */
int	cursor_decode(const char *, const struct cursor_binding *,
	    struct cursor_pos *);

/* 1 when s is a plausible call_sid: 1..64 of [A-Za-z0-9_]. */
int	call_sid_valid(const char *s);

#endif
