#include <netdb.h>
#include <stdlib.h>
#include <string.h>

#include <errmsg.h>
#include <mysqld_error.h>

#include "db_error.h"

#define ER_ACCESS_DENIED_NO_PASSWORD	1698
#define ER_CLIENT_INTERACTION_TIMEOUT	4031

int
db_error_lost(unsigned int e)
{
	switch (e) {
	case CR_CONNECTION_ERROR:
	case CR_CONN_HOST_ERROR:
	case CR_SERVER_GONE_ERROR:
	case CR_SERVER_LOST:
	case CR_SERVER_LOST_EXTENDED:
	case ER_UNKNOWN_STMT_HANDLER:	/* statement gone with a reconnect */
	case ER_SERVER_SHUTDOWN:
	case ER_CONNECTION_KILLED:
	case ER_CON_COUNT_ERROR:
	case ER_CLIENT_INTERACTION_TIMEOUT:
		return 1;
	default:
		return 0;
	}
}

/*
 * The getaddrinfo() code the connector puts at the end of its "Unknown
 * server host 'NAME' (CODE)" message, or 0 when there is none.
 */
static int
gai_code(const char *msg)
{
	const char	*open;
	char		*end;
	long		 n;

	if (msg == NULL || (open = strrchr(msg, '(')) == NULL)
		return 0;
	n = strtol(open + 1, &end, 10);
	return *end == ')' && n < 0 && n > -1000 ? (int)n : 0;
}

static enum ca_err
unknown_host(const char *msg, const char **hint)
{
	switch (gai_code(msg)) {
	case EAI_NONAME:
#ifdef EAI_NODATA
	case EAI_NODATA:
#endif
		/* The name does not exist: waiting will not help. */
		*hint = "host= names a host that /etc/hosts and DNS do not "
		    "know: correct it, add it to /etc/hosts, or give the "
		    "server's IP address";
		return CA_ERR_CONFIG;
	case EAI_AGAIN:
		*hint = "no answer from DNS for host= (a temporary failure, "
		    "or no usable nameserver in /etc/resolv.conf): fix DNS, "
		    "add the name to /etc/hosts, or give the server's IP "
		    "address";
		return CA_ERR_DB_UNAVAILABLE;
	default:
		*hint = "the name in host= could not be resolved: check "
		    "/etc/hosts and /etc/resolv.conf, or give the server's "
		    "IP address";
		return CA_ERR_DB_UNAVAILABLE;
	}
}

/*
 * CR_SSL_CONNECTION_ERROR, "TLS/SSL error: ...": which of the checks
 * failed, from the text the connector and the TLS library give.
 */
static const char *
tls_hint(const char *msg)
{
	if (msg == NULL)
		msg = "";
	if (strstr(msg, "does not support") != NULL)
		return "the database server does not offer TLS, which the "
		    "ssl-* options in the option file require (no plaintext "
		    "fallback): turn TLS on at the server, or remove the "
		    "ssl-* options";
	if (strstr(msg, "Validation of SSL server certificate") != NULL)
		return "TLS certificate verification failed: the server's "
		    "certificate does not hold the name or address in host= "
		    "(checked by ssl-verify-server-cert): set host= to a name "
		    "the certificate holds, or ssl-verify-server-cert=0 to "
		    "check the CA only";
	if (strstr(msg, "certificate") != NULL ||
	    strstr(msg, "issuer") != NULL || strstr(msg, "verif") != NULL)
		return "TLS certificate verification failed: check ssl-ca "
		    "(the file of the CA that signed the database server's "
		    "certificate)";
	return "the TLS handshake with the database server failed: check "
	    "ssl-ca, ssl-cert, ssl-key, ssl-cipher and tls-version";
}

enum ca_err
db_error_connect(unsigned int e, const char *msg, const char **hint)
{
	*hint = NULL;
	switch (e) {
	case ER_ACCESS_DENIED_ERROR:
	case ER_ACCESS_DENIED_NO_PASSWORD:
		*hint = "check user= and password= (and whether the account "
		    "requires TLS: ssl-ca)";
		return CA_ERR_CONFIG;
	case ER_DBACCESS_DENIED_ERROR:
	case ER_BAD_DB_ERROR:
		*hint = "check database= and the account's grants";
		return CA_ERR_CONFIG;
	case CR_UNKNOWN_HOST:
		return unknown_host(msg, hint);
	case CR_SSL_CONNECTION_ERROR:
		*hint = tls_hint(msg);
		return CA_ERR_DB_UNAVAILABLE;
	default:
		return CA_ERR_DB_UNAVAILABLE;
	}
}
