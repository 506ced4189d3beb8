-- The responder's least-privilege account: SELECT on the three tables, nothing
-- else. @@RESPONDER_PASSWORD@@ is replaced by scripts/db.sh when loading.
CREATE USER IF NOT EXISTS 'calls_api'@'localhost' IDENTIFIED BY '@@RESPONDER_PASSWORD@@';
ALTER USER 'calls_api'@'localhost' IDENTIFIED BY '@@RESPONDER_PASSWORD@@';
GRANT SELECT ON calls.calls    TO 'calls_api'@'localhost';
GRANT SELECT ON calls.agents   TO 'calls_api'@'localhost';
GRANT SELECT ON calls.api_keys TO 'calls_api'@'localhost';
