#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "db.h"
#include "number.h"

static char *
trim(char *s)
{
	char	*e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* Option files treat '_' and '-' in names alike; strip matching quotes. */
static void
normalise(char *key, char **value)
{
	size_t	 n;

	for (; *key != '\0'; key++)
		if (*key == '_')
			*key = '-';
	if (value == NULL)
		return;
	n = strlen(*value);
	if (n >= 2 && ((**value == '"' && (*value)[n - 1] == '"') ||
	    (**value == '\'' && (*value)[n - 1] == '\''))) {
		(*value)[n - 1] = '\0';
		(*value)++;
	}
}

/* Prefix why with "path:line: ". */
static void
config_where(const char *path, int lineno, char *why, size_t whylen)
{
	char	 tmp[512];

	snprintf(tmp, sizeof(tmp), "%s", why);
	snprintf(why, whylen, "%s:%d: %s", path, lineno, tmp);
}

/* The next free replica slot, or NULL (and why) when all are taken. */
static struct config_replica *
new_replica(struct config *cfg, char *why, size_t whylen)
{
	if (cfg->nreplica >= CONFIG_REPLICA_MAX) {
		snprintf(why, whylen, "at most %d replica and replica-socket "
		    "lines", CONFIG_REPLICA_MAX);
		return NULL;
	}
	return &cfg->replica[cfg->nreplica];
}

/* replica = HOST[:PORT]: a name or IPv4 address, or [IPv6][:PORT]. */
static int
set_replica(struct config *cfg, const char *value, char *why, size_t whylen)
{
	struct config_replica	*r;
	const char		*host = value, *port = NULL, *end;
	size_t			 n;
	long			 p = CONFIG_REPLICA_PORT;

	if ((r = new_replica(cfg, why, whylen)) == NULL)
		return -1;
	if (*value == '[') {
		host = value + 1;
		if ((end = strchr(host, ']')) == NULL || (end[1] != '\0' &&
		    end[1] != ':'))
			goto bad;
		if (end[1] == ':')
			port = end + 2;
	} else {
		end = strchr(value, ':');
		if (end != NULL) {
			if (strchr(end + 1, ':') != NULL)
				goto bad;	/* IPv6 without brackets */
			port = end + 1;
		} else
			end = value + strlen(value);
	}
	n = (size_t)(end - host);
	if (n == 0 || n >= sizeof(r->host) || memchr(host, ' ', n) != NULL ||
	    memchr(host, '/', n) != NULL)
		goto bad;
	if (port != NULL && parse_uint_range(port, 1, 65535, &p) == -1)
		goto bad;
	memset(r, 0, sizeof(*r));
	memcpy(r->host, host, n);
	r->port = (unsigned int)p;
	cfg->nreplica++;
	return 0;
bad:
	snprintf(why, whylen, "replica must be HOST or HOST:PORT (an IPv6 "
	    "address in brackets, a port from 1 to 65535); for a Unix "
	    "socket write replica-socket = PATH");
	return -1;
}

static int
set_replica_socket(struct config *cfg, const char *value, char *why,
    size_t whylen)
{
	struct config_replica	*r;
	size_t			 len = strlen(value);

	if ((r = new_replica(cfg, why, whylen)) == NULL)
		return -1;
	if (value[0] != '/' || len >= sizeof(r->socket)) {
		snprintf(why, whylen, "replica-socket must be an absolute "
		    "path of at most %zu bytes", sizeof(r->socket) - 1);
		return -1;
	}
	memset(r, 0, sizeof(*r));
	memcpy(r->socket, value, len + 1);
	cfg->nreplica++;
	return 0;
}

/* cursor-secret and cursor-secret-previous: CONFIG_SECRET_MIN to
 * CONFIG_SECRET_MAX characters. */
static int
set_secret(const char *key, const char *value, unsigned char *secret,
    size_t *secret_len, char *why, size_t whylen)
{
	size_t	 len = strlen(value);

	if (len < CONFIG_SECRET_MIN || len > CONFIG_SECRET_MAX) {
		snprintf(why, whylen, "%s must be %d to %d characters long",
		    key, CONFIG_SECRET_MIN, CONFIG_SECRET_MAX);
		return -1;
	}
	memcpy(secret, value, len);
	*secret_len = len;
	return 0;
}

static int
set_option(struct config *cfg, const char *key, const char *value,
    char *why, size_t whylen)
{
	long	 n;
	size_t	 len = strlen(value);

	if (strcmp(key, "cursor-secret") == 0) {
		return set_secret(key, value, cfg->secret, &cfg->secret_len,
		    why, whylen);
	} else if (strcmp(key, "cursor-secret-previous") == 0) {
		/* One rotation at a time (README, Configuration). */
		if (cfg->secret_previous_len != 0) {
			snprintf(why, whylen, "cursor-secret-previous given "
			    "twice: one previous secret at a time");
			return -1;
		}
		return set_secret(key, value, cfg->secret_previous,
		    &cfg->secret_previous_len, why, whylen);
	} else if (strcmp(key, "key-cache-seconds") == 0) {
		if (parse_uint_range(value, 0, CONFIG_CACHE_MAX, &n) == -1) {
			snprintf(why, whylen, "key-cache-seconds must be an "
			    "integer from 0 to %d", CONFIG_CACHE_MAX);
			return -1;
		}
		cfg->key_cache_seconds = (int)n;
	} else if (strcmp(key, "agent-cache-seconds") == 0) {
		if (parse_uint_range(value, 0, CONFIG_AGENT_CACHE_MAX,
		    &n) == -1) {
			snprintf(why, whylen, "agent-cache-seconds must be an "
			    "integer from 0 to %d", CONFIG_AGENT_CACHE_MAX);
			return -1;
		}
		cfg->agent_cache_seconds = (int)n;
	} else if (strcmp(key, "route") == 0) {
		if (value[0] != '/' || len >= sizeof(cfg->route)) {
			snprintf(why, whylen, "route must be a URL path "
			    "starting with '/'");
			return -1;
		}
		memcpy(cfg->route, value, len + 1);
	} else if (strcmp(key, "db-budget-ms") == 0) {
		if (parse_uint_range(value, DB_BUDGET_MIN_MS, DB_BUDGET_MAX_MS,
		    &n) == -1) {
			snprintf(why, whylen, "db-budget-ms must be an integer "
			    "from %d to %d", DB_BUDGET_MIN_MS, DB_BUDGET_MAX_MS);
			return -1;
		}
		cfg->db_budget_ms = n;
	} else if (strcmp(key, "scan-limit") == 0) {
		if (parse_uint_range(value, CONFIG_SCAN_MIN, CONFIG_SCAN_MAX,
		    &n) == -1) {
			snprintf(why, whylen, "scan-limit must be an integer "
			    "from %d to %d", CONFIG_SCAN_MIN, CONFIG_SCAN_MAX);
			return -1;
		}
		cfg->scan_limit = (int)n;
	} else if (strcmp(key, "replica") == 0) {
		return set_replica(cfg, value, why, whylen);
	} else if (strcmp(key, "replica-socket") == 0) {
		return set_replica_socket(cfg, value, why, whylen);
	} else if (strcmp(key, "replica-max-lag") == 0) {
		if (parse_uint_range(value, 1, CONFIG_LAG_MAX, &n) == -1) {
			snprintf(why, whylen, "replica-max-lag must be an "
			    "integer from 1 to %d (seconds)", CONFIG_LAG_MAX);
			return -1;
		}
		cfg->replica_max_lag = (int)n;
	}
	/* Anything else belongs to the connector. */
	return 0;
}

/*
 * The connector's TLS options (Connector/C 3.3, ma_default.c), '_' read
 * as '-'. Any of them with a value asks for TLS; those naming a file or a
 * directory must be readable (the connector's own error is "No such file
 * or directory (2)", naming neither the option nor the path).
 */
static const struct tls_key {
	const char	*name;
	int		 access;	/* R_OK, R_OK | X_OK (a directory), 0 */
} tls_keys[] = {
	{ "ssl-ca", R_OK }, { "tls-ca", R_OK },
	{ "ssl-capath", R_OK | X_OK }, { "tls-capath", R_OK | X_OK },
	{ "ssl-cert", R_OK }, { "tls-cert", R_OK },
	{ "ssl-key", R_OK }, { "tls-key", R_OK },
	{ "ssl-crl", R_OK }, { "tls-crl", R_OK },
	{ "ssl-crlpath", R_OK | X_OK }, { "tls-crlpath", R_OK | X_OK },
	{ "ssl-cipher", 0 }, { "tls-cipher", 0 },
	{ "ssl-fp", 0 }, { "tls-fp", 0 },
	{ "ssl-fp-list", R_OK }, { "ssl-fplist", R_OK }, { "tls-fplist", R_OK },
	{ "tls-version", 0 },
};

/* The connector's TLS switches: 1 for ssl-verify-server-cert, 2 enforce. */
static int
tls_switch(const char *key)
{
	if (strcmp(key, "ssl-verify-server-cert") == 0 ||
	    strcmp(key, "tls-verify-peer") == 0)
		return 1;
	if (strcmp(key, "ssl-enforce") == 0 || strcmp(key, "tls-enforce") == 0)
		return 2;
	return 0;
}

/*
 * A TLS option in a group the connector reads (value NULL: written
 * without '='). Connector/C reads a switch's value with atoi() and a
 * switch without a value as 0: "ssl-verify-server-cert" alone, or "=true",
 * would turn verification off. Only 0 and 1 are taken.
 */
static int
tls_option(struct db_tls *tls, const char *key, const char *value,
    char *why, size_t whylen)
{
	size_t	 i;
	int	 sw;

	if ((sw = tls_switch(key)) != 0) {
		if (value == NULL || (strcmp(value, "0") != 0 &&
		    strcmp(value, "1") != 0)) {
			snprintf(why, whylen, "write %s=1 or %s=0: the "
			    "connector reads %s%s%s as 0 (off)", key, key, key,
			    value != NULL ? "=" : " without a value",
			    value != NULL ? value : "");
			return -1;
		}
		if (sw == 1)
			tls->verify = value[0] == '1';
		else if (value[0] == '1')
			tls->wanted = 1;
		return 0;
	}
	for (i = 0; i < sizeof(tls_keys) / sizeof(tls_keys[0]); i++) {
		if (strcmp(key, tls_keys[i].name) != 0)
			continue;
		if (value == NULL || *value == '\0')
			return 0;	/* the connector ignores it */
		if (tls_keys[i].access != 0 &&
		    access(value, tls_keys[i].access) == -1) {
			snprintf(why, whylen, "%s=%s: %s", key, value,
			    strerror(errno));
			return -1;
		}
		tls->wanted = 1;
		return 0;
	}
	return 0;
}

/*
 * The scanner under config_scan and config_load: every "key = value" line
 * of the groups that in(group) accepts (it returns flags, 0 to skip the
 * group), handed to fn with those flags; value is NULL for a bare flag.
 * Errors from fn are prefixed with "path:line: " when where is set.
 */
typedef int	scan_fn(void *arg, int flags, const char *key,
		    const char *value, char *why, size_t whylen);

static enum ca_err
scan(const char *path, int (*in)(const char *group, const void *arg),
    const void *in_arg, scan_fn *fn, void *arg, int where, char *why,
    size_t whylen)
{
	FILE		*f = NULL;
	char		 line[1024], *s, *eq, *key, *value;
	int		 flags = 0, lineno = 0;
	enum ca_err	 rc = CA_ERR_CONFIG;

	if ((f = fopen(path, "r")) == NULL) {
		snprintf(why, whylen, "cannot open %s: %s", path,
		    strerror(errno));
		goto out;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			snprintf(why, whylen, "%s:%d: line too long", path,
			    lineno);
			goto out;
		}
		s = trim(line);
		if (*s == '\0' || *s == '#' || *s == ';' || *s == '!')
			continue;
		if (*s == '[') {
			s[strcspn(s, "]")] = '\0';
			flags = in(trim(s + 1), in_arg);
			continue;
		}
		if (flags == 0)
			continue;
		value = NULL;
		if ((eq = strchr(s, '=')) != NULL) {
			*eq = '\0';
			value = trim(eq + 1);
		}
		key = trim(s);
		normalise(key, value != NULL ? &value : NULL);
		if (fn(arg, flags, key, value, why, whylen) == -1) {
			if (where)
				config_where(path, lineno, why, whylen);
			goto out;
		}
	}
	if (ferror(f)) {
		snprintf(why, whylen, "cannot read %s", path);
		goto out;
	}
	rc = CA_OK;
out:
	if (f != NULL)
		fclose(f);
	return rc;
}

/* Flags of a group: IN_CONNECTOR (the connector reads it), IN_OURS. */
#define IN_CONNECTOR	1
#define IN_OURS		2

static int
in_connector_group(const char *g, const void *arg)
{
	(void)arg;
	return (strcmp(g, "client") == 0 || strcmp(g, "client-server") == 0 ||
	    strcmp(g, "client-mariadb") == 0 ? IN_CONNECTOR : 0) |
	    (strcmp(g, CONFIG_GROUP) == 0 ? IN_CONNECTOR | IN_OURS : 0);
}

static int
in_named_group(const char *g, const void *arg)
{
	return strcmp(g, arg) == 0;
}

/* config_scan's callback under scan: a bare flag's value is "". */
struct scan_one {
	config_option_fn	*fn;
	void			*arg;
};

static int
scan_one_option(void *arg, int flags, const char *key, const char *value,
    char *why, size_t whylen)
{
	struct scan_one	*o = arg;

	(void)flags;
	return o->fn(o->arg, key, value != NULL ? value : "", why, whylen);
}

enum ca_err
config_scan(const char *path, const char *group, config_option_fn *fn,
    void *arg, char *why, size_t whylen)
{
	struct scan_one	 o = { fn, arg };

	return scan(path, in_named_group, group, scan_one_option, &o, 0, why,
	    whylen);
}

/* config_scan callback: notes that the group has at least one line. */
static int
note_present(void *arg, const char *key, const char *value, char *why,
    size_t whylen)
{
	(void)key;
	(void)value;
	(void)why;
	(void)whylen;
	*(int *)arg = 1;
	return 0;
}

enum ca_err
config_has_group(const char *path, const char *group, int *present,
    char *why, size_t whylen)
{
	*present = 0;
	return config_scan(path, group, note_present, present, why, whylen);
}

/* config_load's callback: TLS options anywhere the connector reads, the
 * responder's own settings in [calls-api]. */
static int
load_option(void *arg, int flags, const char *key, const char *value,
    char *why, size_t whylen)
{
	struct config	*cfg = arg;

	if ((flags & IN_CONNECTOR) &&
	    tls_option(&cfg->tls, key, value, why, whylen) == -1)
		return -1;
	if ((flags & IN_OURS) && value != NULL &&
	    set_option(cfg, key, value, why, whylen) == -1)
		return -1;
	return 0;
}

/* config_tls's callback. */
static int
load_tls_option(void *arg, int flags, const char *key, const char *value,
    char *why, size_t whylen)
{
	(void)flags;
	return tls_option(arg, key, value, why, whylen);
}

enum ca_err
config_tls(const char *path, struct db_tls *tls, char *why, size_t whylen)
{
	memset(tls, 0, sizeof(*tls));
	tls->verify = -1;
	return scan(path, in_connector_group, NULL, load_tls_option, tls, 1,
	    why, whylen);
}

enum ca_err
config_load(const char *path, struct config *cfg, char *why, size_t whylen)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->key_cache_seconds = CONFIG_CACHE_DEFAULT;
	cfg->agent_cache_seconds = CONFIG_AGENT_CACHE_DEFAULT;
	cfg->scan_limit = CONFIG_SCAN_DEFAULT;
	memcpy(cfg->route, CONFIG_ROUTE_DEFAULT, sizeof(CONFIG_ROUTE_DEFAULT));
	cfg->db_budget_ms = DB_BUDGET_MS;
	cfg->tls.verify = -1;
	cfg->replica_max_lag = CONFIG_LAG_DEFAULT;

	if (path == NULL || *path == '\0') {
		snprintf(why, whylen, "CALLS_API_CONF is not set");
		return CA_ERR_CONFIG;
	}
	if (strlen(path) >= sizeof(cfg->path)) {
		snprintf(why, whylen, "config path too long");
		return CA_ERR_CONFIG;
	}
	memcpy(cfg->path, path, strlen(path) + 1);
	if (scan(path, in_connector_group, NULL, load_option, cfg, 1, why,
	    whylen) != CA_OK)
		return CA_ERR_CONFIG;
	if (cfg->secret_len == 0) {
		snprintf(why, whylen, "%s: no cursor-secret in [%s]", path,
		    CONFIG_GROUP);
		return CA_ERR_CONFIG;
	}
	return CA_OK;
}
