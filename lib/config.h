/*
 * The responder's own settings from the MySQL-style option file, group
 * [calls-api]. The connection settings (host, socket, port, user,
 * password, database, ssl-*) in the same group are read by the connector
 * itself; of those, the TLS options are also checked here (struct
 * db_tls), in every group the connector reads: [client], [client-server],
 * [client-mariadb] and [calls-api].
 */
#ifndef CALLS_API_CONFIG_H
#define CALLS_API_CONFIG_H

#include <stddef.h>

#include "db.h"
#include "error.h"

#define CONFIG_GROUP		"calls-api"
#define CONFIG_SECRET_MIN	32	/* bytes of cursor-secret, at least */
#define CONFIG_SECRET_MAX	256
#define CONFIG_CACHE_DEFAULT	30	/* key-cache-seconds */
#define CONFIG_CACHE_MAX	3600
/* agent-cache-seconds: how long a process trusts an agent's name (0: no
 * cache, the page query joins agents); lib/agent_cache.h. */
#define CONFIG_AGENT_CACHE_DEFAULT	30
#define CONFIG_AGENT_CACHE_MAX		3600
#define CONFIG_ROUTE_DEFAULT	"/api/calls"
/* scan-limit: rows a page filtered by two or more equality filters may
 * examine (README, "Filters, order and paging both ways"). */
#define CONFIG_SCAN_DEFAULT	1000
#define CONFIG_SCAN_MIN		10
#define CONFIG_SCAN_MAX		100000
#define CONFIG_REPLICA_MAX	8	/* replica and replica-socket lines */
#define CONFIG_REPLICA_PORT	3306	/* replica = HOST without :PORT */
#define CONFIG_LAG_DEFAULT	5	/* replica-max-lag, seconds */
#define CONFIG_LAG_MAX		3600

/*
 * A read replica: replica = HOST[:PORT] (HOST a name, an IPv4 address or
 * [IPv6]) is reached over TCP, replica-socket = PATH over a Unix socket.
 * Account, database and TLS are the primary's (the [calls-api] lines).
 */
struct config_replica {
	char		 host[256];	/* "" with a socket */
	unsigned int	 port;
	char		 socket[256];	/* "" with a host */
};

struct config {
	char		 path[4096];
	unsigned char	 secret[CONFIG_SECRET_MAX];
	size_t		 secret_len;
	/* cursor-secret-previous: the secret a rotation replaced, accepted
	 * when verifying cursors, never used to sign one; 0 bytes: none. */
	unsigned char	 secret_previous[CONFIG_SECRET_MAX];
	size_t		 secret_previous_len;
	int		 key_cache_seconds;
	int		 agent_cache_seconds;	/* 0: the join */
	char		 route[256];	/* the URL path served, e.g. /api/calls */
	long		 db_budget_ms;	/* all database work of one request */
	int		 scan_limit;	/* 0 (never from a file): unbounded */
	struct db_tls	 tls;		/* what the ssl-* options ask for */
	/* Read replicas, in file order; none: the primary serves all. */
	struct config_replica replica[CONFIG_REPLICA_MAX];
	size_t		 nreplica;
	int		 replica_max_lag;	/* seconds, 1..CONFIG_LAG_MAX */
};

/*
 * Load path into cfg. On failure returns CA_ERR_CONFIG with a one-line
 * reason in why (never containing a secret).
 */
enum ca_err	config_load(const char *path, struct config *cfg,
		    char *why, size_t whylen);

/*
 * Each "key = value" line (value "" for a bare flag) of [group] in path,
 * '_' in names read as '-', matching quotes around values stripped, handed
 * to fn in file order; fn returns 0, or -1 with a reason in why to stop.
 * CA_OK, or CA_ERR_CONFIG with a one-line reason in why.
 */
typedef int	config_option_fn(void *arg, const char *key, const char *value,
		    char *why, size_t whylen);
enum ca_err	config_scan(const char *path, const char *group,
		    config_option_fn *fn, void *arg, char *why, size_t whylen);

/*
 * Only the TLS options of path, from every group the connector reads
 * (as config_load reads them into cfg->tls), for connections that do not
 * load the whole config (calls-api key).
 */
enum ca_err	config_tls(const char *path, struct db_tls *tls, char *why,
		    size_t whylen);

/* *present: 1 when path has a [group] with at least one option line. */
enum ca_err	config_has_group(const char *path, const char *group,
		    int *present, char *why, size_t whylen);

#endif
