/* A request as the accept loop copies it out of the CGI/FastCGI params. */
#ifndef CALLS_API_REQUEST_H
#define CALLS_API_REQUEST_H

struct request {
	const char	*method;	/* REQUEST_METHOD */
	const char	*uri;		/* REQUEST_URI: raw path and query */
	const char	*script_name;	/* SCRIPT_NAME (when no REQUEST_URI) */
	const char	*path_info;	/* PATH_INFO (when no REQUEST_URI) */
	const char	*query;		/* QUERY_STRING */
	const char	*authorization;	/* HTTP_AUTHORIZATION */
	/* Ids the front end gave the request (lib/request_id.c picks the
	 * one that X-Request-Id and the log show): the client's or a proxy's
	 * X-Request-Id, and Apache mod_unique_id's; NULL when none. */
	const char	*request_id;	/* HTTP_X_REQUEST_ID */
	const char	*unique_id;	/* UNIQUE_ID */
};

#endif
