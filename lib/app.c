#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent_cache.h"
#include "app.h"
#include "config.h"
#include "db.h"
#include "db_pool.h"
#include "handler.h"
#include "log.h"
#include "request_id.h"
#include "sql.h"

struct app {
	struct config	 cfg;
	struct db	 db;		/* the primary */
	struct db_pool	 pool;		/* and the replicas, if any */
	struct agent_cache *agents;	/* names for pages; NULL: the join */
	struct handler	 handler;
	struct response	 resp;
};

struct app *
app_open(const char *conf_path)
{
	struct app	*app;
	struct store	 store;
	char		 why[512];
	int		 configured;

	if ((app = calloc(1, sizeof(*app))) == NULL)
		return NULL;
	configured = config_load(conf_path, &app->cfg, why, sizeof(why)) ==
	    CA_OK;
	if (!configured)
		log_error("config: %s", why);
	db_init(&app->db, app->cfg.path, sql_text, SQL__COUNT);
	if (configured) {
		db_set_budget(&app->db, app->cfg.db_budget_ms);
		db_set_tls(&app->db, &app->cfg.tls);
	}
	if (configured && app->cfg.agent_cache_seconds > 0) {
		/* Out of memory: pages join agents, as with the cache off. */
		if ((app->agents = agent_cache_new(
		    app->cfg.agent_cache_seconds)) == NULL)
			log_error("agent cache: out of memory: names from the "
			    "join");
		sql_set_agent_cache(app->agents);
	}
	/* Without replicas, the store is the primary's alone, as ever. */
	db_pool_init(&app->pool, &app->db, &app->cfg, &sql_store_ops);
	store.ops = &sql_store_ops;
	store.ctx = &app->db;
	if (configured && app->pool.nreplica > 0) {
		store.ops = &db_pool_store_ops;
		store.ctx = &app->pool;
	}
	if (handler_init(&app->handler, configured ? &app->cfg : NULL,
	    &store) == -1) {
		sql_set_agent_cache(NULL);
		agent_cache_free(app->agents);
		free(app);
		return NULL;
	}
	if (!configured)
		handler_set_unconfigured(&app->handler, why);
	return app;
}

const struct response *
app_serve(struct app *app, const struct request *req)
{
	/* The request's database time budget, for every server. */
	if (app->pool.nreplica > 0)
		db_pool_begin(&app->pool);
	else
		db_begin(&app->db);
	handler_serve(&app->handler, req, time(NULL), &app->resp);
	return &app->resp;
}

void
app_one_request(struct app *app)
{
	sql_set_agent_cache(NULL);
	agent_cache_free(app->agents);
	app->agents = NULL;
}

void
app_close(struct app *app)
{
	if (app == NULL)
		return;
	handler_free(&app->handler);
	sql_set_agent_cache(NULL);
	agent_cache_free(app->agents);
	db_pool_close(&app->pool);
	db_close(&app->db);
	response_free(&app->resp);
	free(app);
}

size_t
app_unopened(const struct request *req, char out[RESPONSE_BARE_SIZE])
{
	char	 id[REQUEST_ID_SIZE], path[256];

	request_id_pick(req->request_id, req->unique_id, id);
	/* The path as handler.c logs it: no query string. */
	if (req->uri != NULL)
		snprintf(path, sizeof(path), "%.*s",
		    (int)strcspn(req->uri, "?"), req->uri);
	else
		snprintf(path, sizeof(path), "%s%s", req->script_name != NULL ?
		    req->script_name : "", req->path_info != NULL ?
		    req->path_info : "");
	log_request_begin();
	log_error("cannot open the configuration: out of memory");
	(void)log_request_end(500, ca_error_info(CA_ERR_INTERNAL)->code,
	    req->method, path, "start", id);
	return response_bare_head(out, id);
}
