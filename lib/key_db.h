/*
 * The key store of key administration on MariaDB: its own connection,
 * from the option file's [calls-api] group with [calls-api-admin]'s
 * settings over it when the file has that group, and its statements
 * (prepared, each on use: an account may lack the privilege of one and
 * still run the others). The responder's account and statements
 * (lib/sql.c) stay as they are: SELECT only.
 */
#ifndef CALLS_API_KEY_DB_H
#define CALLS_API_KEY_DB_H

#include <mysql.h>

#include "key_store.h"

#define KEY_DB_GROUP		"calls-api"
#define KEY_DB_ADMIN_GROUP	"calls-api-admin"
#define KEY_DB_CONNECT_TIMEOUT	5	/* seconds; connect-timeout= wins */
#define KEY_DB_IO_TIMEOUT	30	/* seconds per read or write */

struct key_db {
	MYSQL		*conn;
	const char	*conf;
	int		 admin;		/* [calls-api-admin] is used */
	char		 account[2 * ID_SIZE + 8];	/* 'user'@'host' */
	char		 database[ID_SIZE];
};

/*
 * Connect with conf (an option file path) and make ks a store over db.
 * CA_OK, or CA_ERR_CONFIG (file unreadable, bad [calls-api-admin] line,
 * login refused, no such database), CA_ERR_DB_UNAVAILABLE, CA_ERR_INTERNAL
 * with the reason in ks->why. key_db_close() in any case.
 */
enum ca_err	key_db_open(struct key_db *db, struct key_store *ks,
		    const char *conf);
void		key_db_close(struct key_db *db);

#endif
