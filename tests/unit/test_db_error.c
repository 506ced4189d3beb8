/*
 * Connector errors to answers: which connect failures are the option
 * file's fault (500) and which may pass (503), and that each says what to
 * check. The messages are the ones Connector/C 3.3 with OpenSSL gave
 * against a private MariaDB (tests/47-database-tls.t).
 */
#include <netdb.h>
#include <stdio.h>
#include <string.h>

#include <errmsg.h>
#include <mysqld_error.h>

#include "../../lib/db_error.h"
#include "tap.h"

static const char *
hint_of(unsigned int e, const char *msg, enum ca_err *err)
{
	const char	*hint;

	*err = db_error_connect(e, msg, &hint);
	return hint != NULL ? hint : "";
}

static void
check(unsigned int e, const char *msg, enum ca_err want, const char *says,
    const char *name)
{
	enum ca_err	 err;
	const char	*hint = hint_of(e, msg, &err);

	is_int(err, want, "%s: %s", name, want == CA_ERR_CONFIG ? "500" : "503");
	ok(strstr(hint, says) != NULL, "  says \"%s\": %s", says, hint);
}

int
main(void)
{
	char		 msg[128];
	enum ca_err	 err;

	check(CR_SSL_CONNECTION_ERROR, "TLS/SSL error: self-signed "
	    "certificate in certificate chain", CA_ERR_DB_UNAVAILABLE,
	    "check ssl-ca", "wrong CA");
	check(CR_SSL_CONNECTION_ERROR, "TLS/SSL error: unable to get local "
	    "issuer certificate", CA_ERR_DB_UNAVAILABLE,
	    "TLS certificate verification failed", "no CA for the chain");
	check(CR_SSL_CONNECTION_ERROR, "TLS/SSL error: Validation of SSL "
	    "server certificate failed", CA_ERR_DB_UNAVAILABLE,
	    "does not hold the name or address in host=", "host name mismatch");
	check(CR_SSL_CONNECTION_ERROR, "TLS/SSL error: SSL is required, but "
	    "the server does not support it", CA_ERR_DB_UNAVAILABLE,
	    "does not offer TLS", "server without TLS");
	check(CR_SSL_CONNECTION_ERROR, "TLS/SSL error: tlsv1 alert protocol "
	    "version", CA_ERR_DB_UNAVAILABLE, "tls-version",
	    "another TLS failure");

	snprintf(msg, sizeof(msg), "Unknown server host 'db.example' (%d)",
	    EAI_NONAME);
	check(CR_UNKNOWN_HOST, msg, CA_ERR_CONFIG, "/etc/hosts",
	    "host name that does not exist");
	check(CR_UNKNOWN_HOST, msg, CA_ERR_CONFIG, "IP address",
	    "host name that does not exist");
	snprintf(msg, sizeof(msg), "Unknown server host 'db.example' (%d)",
	    EAI_AGAIN);
	check(CR_UNKNOWN_HOST, msg, CA_ERR_DB_UNAVAILABLE, "resolv.conf",
	    "DNS not answering");
	snprintf(msg, sizeof(msg), "Unknown server host 'db.example' (%d)",
	    EAI_FAIL);
	check(CR_UNKNOWN_HOST, msg, CA_ERR_DB_UNAVAILABLE, "IP address",
	    "DNS failure");
	check(CR_UNKNOWN_HOST, "Unknown server host 'db(1)' (x)",
	    CA_ERR_DB_UNAVAILABLE, "could not be resolved",
	    "no code in the message");

	check(ER_ACCESS_DENIED_ERROR, "Access denied for user 'x'@'y'",
	    CA_ERR_CONFIG, "password=", "access denied");
	check(ER_BAD_DB_ERROR, "Unknown database 'calls'", CA_ERR_CONFIG,
	    "database=", "unknown database");
	(void)hint_of(CR_CONNECTION_ERROR, "Can't connect to local server",
	    &err);
	is_int(err, CA_ERR_DB_UNAVAILABLE, "server down: 503");
	(void)hint_of(CR_CONN_HOST_ERROR, NULL, &err);
	is_int(err, CA_ERR_DB_UNAVAILABLE, "no message: 503");

	ok(db_error_lost(CR_SERVER_LOST) && db_error_lost(CR_SERVER_GONE_ERROR)
	    && db_error_lost(ER_CONNECTION_KILLED), "lost connections");
	ok(!db_error_lost(CR_SSL_CONNECTION_ERROR) &&
	    !db_error_lost(ER_ACCESS_DENIED_ERROR), "  and not others");
	return done_testing();
}
