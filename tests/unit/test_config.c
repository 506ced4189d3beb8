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

/* Read replicas: replica = HOST[:PORT], replica-socket, replica-max-lag. */
static void
test_replicas(struct config *cfg, char *why, size_t n)
{
	static const char *const bad[] = {
		"replica=", "replica=db:0", "replica=db:65536", "replica=db:",
		"replica=db:33x", "replica=::1", "replica=[::1", "replica=[::1]x",
		"replica=[]:3306", "replica=a b", "replica-socket=rel.sock",
		"replica-max-lag=0", "replica-max-lag=3601", "replica-max-lag=1.5",
	};
	size_t	 i;
	char	 text[512];

	is_int(load("[calls-api]\n" SECRET, cfg, why, n), CA_OK, "no replicas");
	ok(cfg->nreplica == 0 && cfg->replica_max_lag == CONFIG_LAG_DEFAULT,
	    "  none, default bound %d s", cfg->replica_max_lag);
	is_int(load("[calls-api]\n" SECRET "replica = db2.example\n"
	    "replica=10.0.0.3:3307\nreplica_socket=/run/r.sock\n"
	    "replica=[2001:db8::1]:3308\nreplica=[::1]\n"
	    "replica-max-lag=30\n", cfg, why, n), CA_OK, "five replicas");
	ok(cfg->nreplica == 5, "  all read (%zu)", cfg->nreplica);
	ok(strcmp(cfg->replica[0].host, "db2.example") == 0 &&
	    cfg->replica[0].port == CONFIG_REPLICA_PORT &&
	    cfg->replica[0].socket[0] == '\0', "  a name, default port");
	ok(strcmp(cfg->replica[1].host, "10.0.0.3") == 0 &&
	    cfg->replica[1].port == 3307, "  an address and a port");
	ok(cfg->replica[2].host[0] == '\0' &&
	    strcmp(cfg->replica[2].socket, "/run/r.sock") == 0,
	    "  a socket, in file order");
	ok(strcmp(cfg->replica[3].host, "2001:db8::1") == 0 &&
	    cfg->replica[3].port == 3308, "  [IPv6]:port");
	ok(strcmp(cfg->replica[4].host, "::1") == 0 &&
	    cfg->replica[4].port == CONFIG_REPLICA_PORT, "  [IPv6]");
	is_int(cfg->replica_max_lag, 30, "  replica-max-lag");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "[calls-api]\n" SECRET "%s\n",
		    bad[i]);
		is_int(load(text, cfg, why, n), CA_ERR_CONFIG, "refused: %s",
		    bad[i]);
	}
	ok(strstr(why, "replica-max-lag must be") != NULL, "  says what: %s",
	    why);
	snprintf(text, sizeof(text), "[calls-api]\n" SECRET);
	for (i = 0; i <= CONFIG_REPLICA_MAX; i++)
		strcat(text, "replica-socket=/r.sock\n");
	is_int(load(text, cfg, why, n), CA_ERR_CONFIG, "%d replicas: too many",
	    CONFIG_REPLICA_MAX + 1);
	ok(strstr(why, "at most 8") != NULL, "  says so: %s", why);
	is_int(load("[client]\nreplica=x:1\n[calls-api]\n" SECRET, cfg, why,
	    n), CA_OK, "a replica line in [client]: not ours");
	is_int((int)cfg->nreplica, 0, "  none");
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
	is_int(cfg.agent_cache_seconds, CONFIG_AGENT_CACHE_DEFAULT,
	    "default agent-cache-seconds");
	is_int(load("[calls-api]\ncursor-secret=abcdefghijklmnopqrstuvwxyz0123456"
	    "789\nagent-cache-seconds=0\n", &cfg, why, sizeof(why)), CA_OK,
	    "agent-cache-seconds 0 (the join)");
	is_int(cfg.agent_cache_seconds, 0, "  read");
	is_int(load("[calls-api]\ncursor-secret=abcdefghijklmnopqrstuvwxyz0123456"
	    "789\nagent_cache_seconds=3601\n", &cfg, why, sizeof(why)),
	    CA_ERR_CONFIG, "agent-cache-seconds over 3600");
	ok(strstr(why, "agent-cache-seconds must be") != NULL, "  says so: %s",
	    why);

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

	/* cursor-secret-previous: optional, once, the same length rules. */
	is_int((int)cfg.secret_previous_len, 0, "no cursor-secret-previous: "
	    "none");
	is_int(load("[calls-api]\ncursor_secret_previous = \"ABCDEFGHIJKLMNOPQ"
	    "RSTUVWXYZ0123456789\"\ncursor-secret=abcdefghijklmnopqrstuvwxyz"
	    "0123456789\n", &cfg, why, sizeof(why)), CA_OK,
	    "cursor-secret-previous (before cursor-secret, underscores)");
	ok(cfg.secret_previous_len == 36 && memcmp(cfg.secret_previous,
	    "ABCDEF", 6) == 0 && cfg.secret_len == 36 &&
	    memcmp(cfg.secret, "abcdef", 6) == 0,
	    "  read apart from cursor-secret, quotes stripped");
	is_int(load("[calls-api]\ncursor-secret=abcdefghijklmnopqrstuvwxyz01234"
	    "56789\ncursor-secret-previous=tooshort-secret\n", &cfg, why,
	    sizeof(why)), CA_ERR_CONFIG, "a short cursor-secret-previous");
	ok(strstr(why, "cursor-secret-previous must be 32 to 256") != NULL &&
	    strstr(why, "tooshort") == NULL,
	    "  says so, never echoing it: %s", why);
	is_int(load("[calls-api]\ncursor-secret=abcdefghijklmnopqrstuvwxyz01234"
	    "56789\ncursor-secret-previous=ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	    "\ncursor-secret-previous=BCDEFGHIJKLMNOPQRSTUVWXYZ01234567890\n",
	    &cfg, why, sizeof(why)), CA_ERR_CONFIG,
	    "cursor-secret-previous twice");
	ok(strstr(why, "one previous secret at a time") != NULL &&
	    strstr(why, ":4:") != NULL, "  says so, with the line: %s", why);
	is_int(load("[calls-api]\ncursor-secret-previous=ABCDEFGHIJKLMNOPQRSTUV"
	    "WXYZ0123456789\n", &cfg, why, sizeof(why)), CA_ERR_CONFIG,
	    "cursor-secret-previous without cursor-secret");
	ok(strstr(why, "no cursor-secret in") != NULL, "  says so: %s", why);

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
	test_replicas(&cfg, why, sizeof(why));

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
