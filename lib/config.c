#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "db.h"
#include "params.h"

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
	n = strlen(*value);
	if (n >= 2 && ((**value == '"' && (*value)[n - 1] == '"') ||
	    (**value == '\'' && (*value)[n - 1] == '\''))) {
		(*value)[n - 1] = '\0';
		(*value)++;
	}
}

static int
set_option(struct config *cfg, const char *key, const char *value,
    char *why, size_t whylen)
{
	long	 n;
	size_t	 len = strlen(value);

	if (strcmp(key, "cursor-secret") == 0) {
		if (len < CONFIG_SECRET_MIN || len > CONFIG_SECRET_MAX) {
			snprintf(why, whylen, "cursor-secret must be %d to %d "
			    "characters long", CONFIG_SECRET_MIN,
			    CONFIG_SECRET_MAX);
			return -1;
		}
		memcpy(cfg->secret, value, len);
		cfg->secret_len = len;
	} else if (strcmp(key, "key-cache-seconds") == 0) {
		if (parse_uint_range(value, 0, CONFIG_CACHE_MAX, &n) == -1) {
			snprintf(why, whylen, "key-cache-seconds must be an "
			    "integer from 0 to %d", CONFIG_CACHE_MAX);
			return -1;
		}
		cfg->key_cache_seconds = (int)n;
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
	}
	/* Anything else belongs to the connector. */
	return 0;
}

/* set_option as a config_scan callback. */
static int
load_option(void *arg, const char *key, const char *value, char *why,
    size_t whylen)
{
	return set_option(arg, key, value, why, whylen);
}

enum ca_err
config_scan(const char *path, const char *group, config_option_fn *fn,
    void *arg, char *why, size_t whylen)
{
	FILE		*f = NULL;
	char		 line[1024], *s, *eq, *key, *value;
	int		 in_group = 0, lineno = 0;
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
			in_group = strcmp(trim(s + 1), group) == 0;
			continue;
		}
		if (!in_group)
			continue;
		if ((eq = strchr(s, '=')) == NULL)
			eq = s + strlen(s);	/* a flag option */
		else
			*eq++ = '\0';
		key = trim(s);
		value = trim(eq);
		normalise(key, &value);
		if (fn(arg, key, value, why, whylen) == -1)
			goto out;
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

enum ca_err
config_load(const char *path, struct config *cfg, char *why, size_t whylen)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->key_cache_seconds = CONFIG_CACHE_DEFAULT;
	memcpy(cfg->route, CONFIG_ROUTE_DEFAULT, sizeof(CONFIG_ROUTE_DEFAULT));
	cfg->db_budget_ms = DB_BUDGET_MS;

	if (path == NULL || *path == '\0') {
		snprintf(why, whylen, "CALLS_API_CONF is not set");
		return CA_ERR_CONFIG;
	}
	if (strlen(path) >= sizeof(cfg->path)) {
		snprintf(why, whylen, "config path too long");
		return CA_ERR_CONFIG;
	}
	memcpy(cfg->path, path, strlen(path) + 1);
	if (config_scan(path, CONFIG_GROUP, load_option, cfg, why, whylen) !=
	    CA_OK)
		return CA_ERR_CONFIG;
	if (cfg->secret_len == 0) {
		snprintf(why, whylen, "%s: no cursor-secret in [%s]", path,
		    CONFIG_GROUP);
		return CA_ERR_CONFIG;
	}
	return CA_OK;
}
