/* The option-file reader for the responder's own keys. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../lib/config.h"
#include "../../lib/db.h"
#include "tap.h"

static char	 path[] = "/tmp/calls-api-test-config-XXXXXX";

static enum ca_err
load(const char *text, struct config *cfg, char *why, size_t n)
{
	FILE	*f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
	return config_load(path, cfg, why, n);
}

#define SECRET	"cursor-secret=abcdefghijklmnopqrstuvwxyz0123456789\n"

/* The connector's TLS options, as config.c sees them (struct db_tls). */
static void
test_tls(struct config *cfg, char *why, size_t n)
{
	is_int(load("[calls-api]\n" SECRET, cfg, why, n), CA_OK, "no TLS");
	ok(!cfg->tls.wanted && cfg->tls.verify == -1, "  none wanted, "
	    "verification not written");
	is_int(load("[calls-api]\n" SECRET "ssl-ca=/dev/null\n", cfg, why, n),
	    CA_OK, "ssl-ca");
	ok(cfg->tls.wanted && cfg->tls.verify == -1, "  TLS wanted");
	is_int(load("[calls-api]\n" SECRET "ssl_ca=/dev/null\n"
	    "ssl_verify_server_cert = 0\n", cfg, why, n), CA_OK,
	    "ssl-ca, ssl-verify-server-cert=0");
	ok(cfg->tls.wanted && cfg->tls.verify == 0, "  read (underscores)");
	is_int(load("[client]\ntls-version=TLSv1.3\nssl-verify-server-cert=1\n"
	    "[calls-api]\n" SECRET, cfg, why, n), CA_OK,
	    "in [client], which the connector reads too");
	ok(cfg->tls.wanted && cfg->tls.verify == 1, "  read");
	is_int(load("[mysqld]\nssl-ca=/dev/null\nssl-verify-server-cert\n"
	    "[calls-api]\n" SECRET, cfg, why, n), CA_OK,
	    "a group the connector does not read: ignored");
	ok(!cfg->tls.wanted && cfg->tls.verify == -1, "  nothing wanted");
	is_int(load("[calls-api]\n" SECRET "ssl-ca=\n", cfg, why, n), CA_OK,
	    "ssl-ca without a path (the connector ignores it)");
	ok(!cfg->tls.wanted, "  no TLS wanted");
	is_int(load("[calls-api]\n" SECRET "ssl-enforce=1\n", cfg, why, n),
	    CA_OK, "ssl-enforce=1");
	ok(cfg->tls.wanted, "  TLS wanted");

	is_int(load("[calls-api]\n" SECRET "ssl-ca=/dev/null\n"
	    "ssl-verify-server-cert\n", cfg, why, n), CA_ERR_CONFIG,
	    "bare ssl-verify-server-cert (the connector reads it as off)");
	ok(strstr(why, "write ssl-verify-server-cert=1") != NULL &&
	    strstr(why, ":4:") != NULL, "  says what to write, and where: %s",
	    why);
	is_int(load("[client]\ntls_verify_peer=true\n[calls-api]\n" SECRET,
	    cfg, why, n), CA_ERR_CONFIG, "tls-verify-peer=true (atoi: off)");
	is_int(load("[calls-api]\n" SECRET "ssl-enforce\n", cfg, why, n),
	    CA_ERR_CONFIG, "bare ssl-enforce");
	is_int(load("[calls-api]\n" SECRET "ssl-ca=/nonexistent/ca.pem\n",
	    cfg, why, n), CA_ERR_CONFIG, "ssl-ca that cannot be read");
	ok(strstr(why, "ssl-ca=/nonexistent/ca.pem: No such file") != NULL,
	    "  names the option and the path: %s", why);
	is_int(load("[calls-api]\n" SECRET "ssl-capath=/dev/null\n", cfg, why,
	    n), CA_ERR_CONFIG, "ssl-capath that is not a directory");
	is_int(load("[calls-api]\n" SECRET "ssl-cert=/dev/null\n"
	    "ssl-key=/nonexistent.key\n", cfg, why, n), CA_ERR_CONFIG,
	    "ssl-key that cannot be read");
}

/* config_scan callback: "key=value;" appended to arg. */
static int
collect(void *arg, const char *key, const char *value, char *why,
    size_t whylen)
{
	char	*seen = arg;
	size_t	 n = strlen(seen);

	(void)why;
	(void)whylen;
	snprintf(seen + n, 256 - n, "%s=%s;", key, value);
	return 0;
}

int
main(void)
{
	struct config	 cfg;
	char		 why[512];
	int		 fd;

	if ((fd = mkstemp(path)) == -1)
		return 1;
	close(fd);

	is_int(load("[client]\nuser=x\n[calls-api]\nsocket=/x.sock\n"
	    "cursor-secret = 'abcdefghijklmnopqrstuvwxyz0123456789'\n"
	    "key_cache_seconds=5\n# comment\n; other\n!include /nonexistent\n"
	    "[other]\ncursor-secret=short\n", &cfg, why, sizeof(why)), CA_OK,
	    "valid config");
	ok(cfg.secret_len == 36 && memcmp(cfg.secret, "abcdef", 6) == 0,
	    "secret read, quotes stripped");
	is_int(cfg.key_cache_seconds, 5, "underscore spelling accepted");
	is_str(cfg.route, "/api/calls", "default route");
	is_int((int)cfg.db_budget_ms, DB_BUDGET_MS, "default db-budget-ms");

	is_int(load("[calls-api]\ncursor-secret=abcdefghijklmnopqrstuvwxyz0123456"
	    "789\ndb_budget_ms=4000\n", &cfg, why, sizeof(why)), CA_OK,
	    "db-budget-ms 4000");
	is_int((int)cfg.db_budget_ms, 4000, "  read");
	is_int(load("[calls-api]\ncursor-secret=abcdefghijklmnopqrstuvwxyz0123456"
	    "789\ndb-budget-ms=999\n", &cfg, why, sizeof(why)), CA_ERR_CONFIG,
	    "db-budget-ms below the time one connect may take");
	ok(strstr(why, "db-budget-ms must be") != NULL, "  says so: %s", why);
	is_int(load("[calls-api]\ncursor-secret=abcdefghijklmnopqrstuvwxyz0123456"
	    "789\ndb-budget-ms=30001\n", &cfg, why, sizeof(why)), CA_ERR_CONFIG,
	    "db-budget-ms over 30 s");

	is_int(load("[calls-api]\nuser=x\n", &cfg, why, sizeof(why)),
	    CA_ERR_CONFIG, "missing secret");
	ok(strstr(why, "cursor-secret") != NULL, "  says which key: %s", why);
	is_int(load("[calls-api]\ncursor-secret=short\n", &cfg, why,
	    sizeof(why)), CA_ERR_CONFIG, "short secret");
	ok(strstr(why, "short") == NULL, "  never echoes the secret");
	is_int(load("[calls-api]\ncursor-secret=abcdefghijklmnopqrstuvwxyz0123456"
	    "789\nkey-cache-seconds=-1\n", &cfg, why, sizeof(why)),
	    CA_ERR_CONFIG, "bad key-cache-seconds");
	is_int(load("[calls-api]\ncursor-secret=abcdefghijklmnopqrstuvwxyz0123456"
	    "789\nroute=api\n", &cfg, why, sizeof(why)), CA_ERR_CONFIG,
	    "bad route");
	test_tls(&cfg, why, sizeof(why));

	/* Another group, as calls-api key reads [calls-api-admin]. */
	{
		char	 seen[256] = "";
		int	 present = -1;

		load("[calls-api-admin]\nuser = admin\nskip-ssl\n"
		    "[calls-api]\ncursor-secret=abcdefghijklmnopqrstuvwxyz0123456"
		    "789\nuser=responder\n[ calls-api-admin ]\npassword='p w'\n",
		    &cfg, why, sizeof(why));
		is_int(config_scan(path, "calls-api-admin", collect, seen, why,
		    sizeof(why)), CA_OK, "scan [calls-api-admin]");
		is_str(seen, "user=admin;skip-ssl=;password=p w;",
		    "  its lines of both its sections, flags with \"\"");
		is_int(config_has_group(path, "calls-api-admin", &present, why,
		    sizeof(why)), CA_OK, "has_group");
		is_int(present, 1, "  [calls-api-admin] is there");
		config_has_group(path, "calls-api-ad", &present, why,
		    sizeof(why));
		is_int(present, 0, "  [calls-api-ad] is not (no prefix match)");
		is_int(config_load(path, &cfg, why, sizeof(why)), CA_OK,
		    "the responder's group beside it loads");
	}

	unlink(path);
	is_int(config_load(path, &cfg, why, sizeof(why)), CA_ERR_CONFIG,
	    "missing file");
	ok(strstr(why, "cannot open") != NULL, "  says so: %s", why);
	is_int(config_load(NULL, &cfg, why, sizeof(why)), CA_ERR_CONFIG,
	    "no path");
	return done_testing();
}
