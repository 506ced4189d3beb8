/* An in-memory store for handler tests and fuzzing: no database. */
#ifndef CALLS_API_FAKE_STORE_H
#define CALLS_API_FAKE_STORE_H

#include "../../lib/store.h"

struct fake_key {
	const char	*key;		/* plain key */
	const char	*client_id;
	int		 revoked;
};

struct fake_store {
	const struct fake_key	*keys;
	size_t			 nkeys;
	struct call		*calls;	/* any order */
	size_t			 ncalls;
	enum ca_err		 fail_with;	/* CA_OK, or force this error */
	enum ca_err		 fail_midway;	/* this, after one row */
	const char		*fail_reason;	/* log_error()ed on a failure */
	const char		*warn_reason;	/* log_error()ed, then success */
	int			 lookups;	/* key_lookup calls seen */
	int			 examined;	/* rows the last listing
						   looked at past its floor
						   search */
	int			 call_lookups;	/* get_call calls seen */
};

extern const struct store_ops	 fake_store_ops;

/* A call of client_id at the given time; sids are unique per n. */
void	fake_call(struct call *, const char *client_id, int n,
	    const struct ts *created_at);

#endif
