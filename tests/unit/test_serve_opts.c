/*
 * The command line of `calls-api serve` (lib/serve_opts.c): table-driven,
 * what is accepted and how it is read, and every refusal with the words
 * that name what was wrong.
 */
#include <stdio.h>
#include <string.h>

#include "../../lib/serve_opts.h"
#include "tap.h"

struct valid {
	const char		*args[8];
	enum serve_listen_kind	 kind;
	const char		*where;		/* path, or host */
	const char		*port;
	int			 workers, mode;
	const char		*group;
};

static const struct valid	valids[] = {
	{ { "--listen", "unix:/run/calls-api.sock" }, SERVE_LISTEN_UNIX,
	  "/run/calls-api.sock", "", 8, 0660, NULL },
	{ { "--listen", "127.0.0.1:9000", "--workers", "4" }, SERVE_LISTEN_TCP,
	  "127.0.0.1", "9000", 4, 0660, NULL },
	{ { "--listen", "[::1]:65535", "--workers", "256" }, SERVE_LISTEN_TCP,
	  "::1", "65535", 256, 0660, NULL },
	{ { "--listen", "localhost:1" }, SERVE_LISTEN_TCP, "localhost", "1",
	  8, 0660, NULL },
	{ { "--workers", "1" }, SERVE_LISTEN_NONE, "", "", 1, 0660, NULL },
	{ { "--listen", "unix:/s", "--socket-mode", "0600",
	    "--socket-group", "www-data" }, SERVE_LISTEN_UNIX, "/s", "", 8,
	  0600, "www-data" },
	{ { "--conf", "/etc/calls-api.cnf", "--stop-timeout", "5" },
	  SERVE_LISTEN_NONE, "", "", 8, 0660, NULL },
};

struct invalid {
	const char	*args[6];
	const char	*says;		/* in the reason */
};

static const struct invalid	invalids[] = {
	{ { "--workers", "0" }, "--workers '0': expected a number from 1" },
	{ { "--workers", "257" }, "--workers '257'" },
	{ { "--workers", "-1" }, "--workers '-1'" },
	{ { "--workers", "4x" }, "--workers '4x'" },
	{ { "--workers", "" }, "--workers ''" },
	{ { "--workers" }, "--workers needs a value" },
	{ { "--listen", "foo" }, "expected unix:/PATH or HOST:PORT" },
	{ { "--listen", "unix:relative.sock" }, "absolute path" },
	{ { "--listen", "unix:/" "0123456789012345678901234567890123456789"
	    "0123456789012345678901234567890123456789"
	    "012345678901234567890123456789" }, "at most 107 bytes" },
	{ { "--listen", "127.0.0.1:0" }, "port must be a number from 1" },
	{ { "--listen", "127.0.0.1:65536" }, "port must be" },
	{ { "--listen", "127.0.0.1:" }, "port must be" },
	{ { "--listen", ":9000" }, "expected unix:/PATH or HOST:PORT" },
	{ { "--listen", "::1:9000" }, "in brackets" },
	{ { "--listen", "[::1:9000" }, "in brackets" },
	{ { "--listen", "unix:/a", "--listen", "unix:/b" }, "given twice" },
	{ { "--socket-mode", "0888" }, "--socket-mode '0888'" },
	{ { "--socket-mode", "1777" }, "--socket-mode '1777'" },
	{ { "--socket-group", "www-data" }, "Unix socket" },
	{ { "--stop-timeout", "0" }, "--stop-timeout '0'" },
	{ { "--conf", "" }, "--conf: empty path" },
	{ { "--wrokers", "4" }, "unknown option '--wrokers'" },
	{ { "4" }, "unexpected argument '4'" },
};

/* argv from a NULL-terminated table row, "serve" first. */
static int
argv_of(const char *const *args, size_t max, char **argv)
{
	int	 argc = 0;
	size_t	 i;

	argv[argc++] = (char *)"serve";
	for (i = 0; i < max && args[i] != NULL; i++)
		argv[argc++] = (char *)args[i];
	argv[argc] = NULL;
	return argc;
}

int
main(void)
{
	struct serve_opts	 o;
	char			*argv[16], why[256];
	size_t			 i;
	int			 argc, rc;

	for (i = 0; i < sizeof(valids) / sizeof(valids[0]); i++) {
		const struct valid	*v = &valids[i];

		argc = argv_of(v->args, 8, argv);
		why[0] = '\0';
		rc = serve_opts_parse(argc, argv, &o, why, sizeof(why));
		if (!is_int(rc, 0, "valid %zu (%s %s): accepted", i,
		    v->args[0], v->args[1]))
			printf("#   %s\n", why);
		is_int(o.kind, v->kind, "  kind");
		is_str(v->kind == SERVE_LISTEN_UNIX ? o.path : o.host,
		    v->where, "  where");
		is_str(o.port, v->port, "  port");
		is_int(o.workers, v->workers, "  workers");
		is_int(o.socket_mode, v->mode, "  socket mode");
		is_str(o.socket_group, v->group, "  socket group");
	}
	for (i = 0; i < sizeof(invalids) / sizeof(invalids[0]); i++) {
		const struct invalid	*v = &invalids[i];

		argc = argv_of(v->args, 6, argv);
		why[0] = '\0';
		rc = serve_opts_parse(argc, argv, &o, why, sizeof(why));
		is_int(rc, -1, "invalid %zu (%s %s): refused", i, v->args[0],
		    v->args[1] ? v->args[1] : "");
		if (!ok(strstr(why, v->says) != NULL, "  saying '%s'",
		    v->says))
			printf("#   said: %s\n", why);
	}
	return done_testing();
}
