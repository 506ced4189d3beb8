/*
 * What the handler harness and the seed generator share: the cursor
 * secrets, the keys and the in-memory data set. The seeds hold real
 * cursors signed with FUZZ_SECRET (and a few with FUZZ_SECRET_PREVIOUS)
 * for positions of this data set, so changing any of them means
 * regenerating the seeds (make fuzz-seeds).
 */
#ifndef CALLS_API_FUZZ_COMMON_H
#define CALLS_API_FUZZ_COMMON_H

#include <stdlib.h>
#include <string.h>

#include "../../lib/call.h"
#include "../unit/fake_store.h"

/* 32 bytes, no NUL: the handler's cursor-secret and fuzz_cursor's. */
#define FUZZ_SECRET	"fuzz-secret-0123456789abcdef-32b"
#define FUZZ_SECRET_LEN	32
/* The handler's cursor-secret-previous (a rotation in progress): the same
 * length, so FUZZ_SECRET_LEN serves both. */
#define FUZZ_SECRET_PREVIOUS	"fuzz-secret-previous-0123456789a"
_Static_assert(sizeof(FUZZ_SECRET_PREVIOUS) - 1 == FUZZ_SECRET_LEN,
    "both fuzz secrets are FUZZ_SECRET_LEN bytes");

#define FUZZ_NCALLS	240	/* 200 of org_acme, 40 of org_globex */

static const struct fake_key	 fuzz_keys[] __attribute__((unused)) = {
	{ "ck_acme", "org_acme", 0 },
	{ "ck_globex", "org_globex", 0 },
	{ "ck_revoked", "org_acme", 1 },
};
#define FUZZ_NKEYS	(sizeof(fuzz_keys) / sizeof(fuzz_keys[0]))

/*
 * Fill fs with FUZZ_NCALLS calls: every sixth belongs to org_globex, so
 * the organisations interleave in time; runs of four calls share one
 * created_at (ties), a third of them on a whole second (no fraction), and
 * call_sids are not in insertion order.
 */
static __attribute__((unused)) void
fuzz_store_setup(struct fake_store *fs)
{
	struct ts	 t = { 2026, 3, 9, 10, 0, 0, 0 };
	size_t		 i;

	memset(fs, 0, sizeof(*fs));
	fs->keys = fuzz_keys;
	fs->nkeys = FUZZ_NKEYS;
	fs->ncalls = FUZZ_NCALLS;
	if ((fs->calls = calloc(fs->ncalls, sizeof(struct call))) == NULL)
		abort();
	for (i = 0; i < fs->ncalls; i++) {
		t.minute = (int)(i / 4) % 60;
		t.hour = 10 + (int)(i / 240);
		t.usec = (i / 4) % 3 == 0 ? 0 : 123456 + (long)(i / 12);
		fake_call(&fs->calls[i], i % 6 == 5 ? "org_globex" : "org_acme",
		    (int)((i * 7919) % 100000), &t);
	}
}

#endif
