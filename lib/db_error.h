/*
 * What a connector error means for the answer (503: try again later, or
 * 500: the configuration is wrong) and, for connect errors, what the
 * person who reads the log should do about it. Pure: no connection.
 */
#ifndef CALLS_API_DB_ERROR_H
#define CALLS_API_DB_ERROR_H

#include "error.h"

/* 1 for errors meaning "the server is gone or going": worth a reconnect. */
int		db_error_lost(unsigned int e);

/*
 * A failed connect (mysql_errno, mysql_error): CA_ERR_CONFIG (500) when
 * the option file must be changed (access denied, unknown database, a
 * host name that does not exist), else CA_ERR_DB_UNAVAILABLE (503). *hint
 * is what to check, naming the option, or NULL when the message says it
 * all already.
 */
enum ca_err	db_error_connect(unsigned int e, const char *msg,
		    const char **hint);

#endif
