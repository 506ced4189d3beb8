#include "error.h"

static const struct ca_error_info infos[CA_ERR__MAX] = {
	[CA_OK] = { 200, "OK", "ok", "OK" },
	[CA_ERR_NOT_FOUND] = { 404, "Not Found", "not_found",
	    "No such resource." },
	[CA_ERR_CALL_NOT_FOUND] = { 404, "Not Found", "call_not_found",
	    "No call with this call_sid." },
	[CA_ERR_METHOD_NOT_ALLOWED] = { 405, "Method Not Allowed",
	    "method_not_allowed", "Only GET and HEAD are allowed." },
	[CA_ERR_AUTH_MISSING] = { 401, "Unauthorized", "missing_api_key",
	    "Authentication required: send 'Authorization: Bearer <key>'." },
	[CA_ERR_AUTH_MALFORMED] = { 401, "Unauthorized", "invalid_api_key",
	    "Malformed Authorization header: expected 'Bearer <key>'." },
	[CA_ERR_AUTH_INVALID] = { 401, "Unauthorized", "invalid_api_key",
	    "The API key is not valid or has been revoked." },
	[CA_ERR_QUERY_TOO_LONG] = { 414, "URI Too Long", "query_too_long",
	    "The query string is too long." },
	[CA_ERR_QUERY_MALFORMED] = { 400, "Bad Request",
	    "invalid_query_string", "The query string is malformed: "
	    "bad percent-escape, NUL byte or invalid UTF-8." },
	[CA_ERR_PARAM_UNKNOWN] = { 400, "Bad Request", "unknown_parameter",
	    "Unknown query parameter." },
	[CA_ERR_PARAM_DUPLICATE] = { 400, "Bad Request",
	    "duplicate_parameter", "A query parameter was given more than "
	    "once." },
	[CA_ERR_PARAM_INVALID] = { 400, "Bad Request", "invalid_parameter",
	    "Invalid parameter value." },
	[CA_ERR_CURSOR_INVALID] = { 400, "Bad Request", "invalid_cursor",
	    "The cursor is not valid for this request. Use the next_cursor "
	    "of a previous response, or omit it for the first page." },
	[CA_ERR_CONFIG] = { 500, "Internal Server Error",
	    "server_misconfigured", "The service is not configured "
	    "correctly." },
	[CA_ERR_INTERNAL] = { 500, "Internal Server Error", "internal_error",
	    "Internal error." },
	[CA_ERR_DB_UNAVAILABLE] = { 503, "Service Unavailable",
	    "service_unavailable", "The service is temporarily unavailable. "
	    "Retry later." },
};

const struct ca_error_info *
ca_error_info(enum ca_err err)
{
	if ((int)err < 0 || err >= CA_ERR__MAX || infos[err].code == 0)
		return &infos[CA_ERR_INTERNAL];
	return &infos[err];
}

int
ca_exit_status(enum ca_err err)
{
	switch (err) {
	case CA_OK:
		return 0;
	case CA_ERR_USAGE:
		return 2;
	case CA_ERR_CONFIG:
		return 3;
	case CA_ERR_DB_UNAVAILABLE:
		return 4;
	case CA_ERR_DB_DENIED:
		return 5;
	case CA_ERR_CLIENT_UNKNOWN:
		return 6;
	case CA_ERR_KEY_NOT_FOUND:
		return 7;
	case CA_ERR_KEY_AMBIGUOUS:
		return 8;
	case CA_ERR_KEY_REVOKED:
		return 9;
	default:
		return 1;
	}
}

const char *
ca_status_reason(int status)
{
	int	 i;

	for (i = 0; i < CA_ERR__MAX; i++)
		if (infos[i].status == status)
			return infos[i].reason;
	return "Unknown";
}
