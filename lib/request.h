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
};

#endif
