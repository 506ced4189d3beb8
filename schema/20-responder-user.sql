-- The responder's least-privilege account, for a server you administer
-- (on shared hosting, use the account the host gave you and skip this
-- file): 'calls_api'@'localhost' with SELECT on the three tables of the
-- current database, nothing else. calls-api-setup runs it for you.
--
-- Load it as the server's admin into the database holding the tables, with
-- the password set first in the same session (at least 12 characters):
--   { echo "SET @calls_api_password = '$(openssl rand -hex 16)';"
--     cat 20-responder-user.sql; } | mariadb calls
-- Without @calls_api_password it stops at the first statement with an
-- error that says so, and creates or changes nothing. Loading it again
-- sets the password again. (The password goes through QUOTE(): any
-- characters, unless the session runs with sql_mode NO_BACKSLASH_ESCAPES.)

SET @calls_api_ok = LENGTH(@calls_api_password) >= 12;
SET @calls_api_sql = IF(@calls_api_ok, 'DO 0',
    'calls-api: SET @calls_api_password first (12+ characters)');
-- Without a password this PREPARE fails with the line above in its message.
-- Every statement below is NULL then, so even a client told to go on after
-- errors (--force) creates and grants nothing.
PREPARE calls_api_stmt FROM @calls_api_sql;

SET @calls_api_sql = IF(@calls_api_ok, CONCAT(
    'CREATE USER IF NOT EXISTS ''calls_api''@''localhost'' IDENTIFIED BY ',
    QUOTE(@calls_api_password)), NULL);
PREPARE calls_api_stmt FROM @calls_api_sql;
EXECUTE calls_api_stmt;
-- An account from an earlier run gets the new password.
SET @calls_api_sql = IF(@calls_api_ok, CONCAT(
    'ALTER USER ''calls_api''@''localhost'' IDENTIFIED BY ',
    QUOTE(@calls_api_password)), NULL);
PREPARE calls_api_stmt FROM @calls_api_sql;
EXECUTE calls_api_stmt;

-- Unqualified names: the tables of the current database.
SET @calls_api_sql = IF(@calls_api_ok,
    'GRANT SELECT ON calls TO ''calls_api''@''localhost''', NULL);
PREPARE calls_api_stmt FROM @calls_api_sql;
EXECUTE calls_api_stmt;
SET @calls_api_sql = IF(@calls_api_ok,
    'GRANT SELECT ON agents TO ''calls_api''@''localhost''', NULL);
PREPARE calls_api_stmt FROM @calls_api_sql;
EXECUTE calls_api_stmt;
SET @calls_api_sql = IF(@calls_api_ok,
    'GRANT SELECT ON api_keys TO ''calls_api''@''localhost''', NULL);
PREPARE calls_api_stmt FROM @calls_api_sql;
EXECUTE calls_api_stmt;

DEALLOCATE PREPARE calls_api_stmt;
SET @calls_api_sql = NULL, @calls_api_ok = NULL;
