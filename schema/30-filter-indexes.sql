-- calls-api upgrade: the indexes of the list filters (status, call_type,
-- agent_id, to_number, from_number, end_reason), one per filter on
-- (client_id, <filter>, created_at, call_sid), so that a page under one
-- filter is one short range read like the unfiltered page; and the unique
-- key of GET /api/calls/{call_sid}, calls_by_call_sid (client_id,
-- call_sid), so that another organisation's call_sid is one lookup that
-- finds nothing, as a missing one is (with only the earlier release's
-- calls_call_sid (call_sid), the lookup reads the other organisation's
-- row first). The responder names these indexes in its statements
-- (FORCE INDEX): until they are there, filtered pages and single calls
-- answer 500 server_misconfigured.
-- schema/10-tables.sql creates them with the table; a calls table created
-- before they were there (CREATE TABLE IF NOT EXISTS leaves it as it was)
-- gets them from this file. The release ships it as
-- upgrade-filter-indexes.sql (the name it had when the filter indexes were
-- all it added); calls-api-setup runs it when an index is missing. Import
-- it as schema.sql, into the database holding the tables:
--   mariadb -h HOST -u USER -p DATABASE < upgrade-filter-indexes.sql
--
-- Only the indexes the table lacks (by name, information_schema.STATISTICS)
-- are added, all of them in one ALTER TABLE; with none missing it runs
-- DO 0. Importing it again changes nothing. ALGORITHM=INPLACE, LOCK=NONE:
-- the table stays readable and writable while the indexes are built (a
-- server that cannot do that refuses the statement instead of locking
-- the table). Needs the ALTER and INDEX privileges on calls, which the
-- owner of the database has. Plain MySQL 8.0.13+ / MariaDB 10.3+ syntax
-- (MySQL has no ADD INDEX IF NOT EXISTS, hence the prepared statement):
-- checked as 10-tables.sql is, by tests/15-schema-portable.t.
--
-- calls_by_call_sid is UNIQUE. A table of the earlier release cannot hold
-- a duplicate (its calls_call_sid made call_sid unique across all
-- organisations). If that key was dropped and two rows of one
-- organisation share a call_sid, the ALTER TABLE fails and adds none of
-- the indexes, with
--   ERROR 1062 (23000) at line ..: Duplicate entry 'ORG-SID' for key 'calls_by_call_sid'
-- Then list the duplicates,
--   SELECT client_id, call_sid, COUNT(*) FROM calls
--    GROUP BY client_id, call_sid HAVING COUNT(*) > 1;
-- keep one row of each (delete the others, or give them another
-- call_sid), and import this file again.
-- The old calls_call_sid key, if the table has it, stays: dropping it is
-- the owner's decision (README, "Upgrading a database made by an earlier
-- release").

SET @calls_api_missing = (
    SELECT GROUP_CONCAT(wanted.clause ORDER BY wanted.n SEPARATOR ', ')
      FROM (
            SELECT 1 AS n, 'calls_by_status' AS name,
                   'ADD INDEX calls_by_status (client_id, status, created_at, call_sid)'
                   AS clause
            UNION ALL
            SELECT 2, 'calls_by_call_type',
                   'ADD INDEX calls_by_call_type (client_id, call_type, created_at, call_sid)'
            UNION ALL
            SELECT 3, 'calls_by_agent_id',
                   'ADD INDEX calls_by_agent_id (client_id, agent_id, created_at, call_sid)'
            UNION ALL
            SELECT 4, 'calls_by_to_number',
                   'ADD INDEX calls_by_to_number (client_id, to_number, created_at, call_sid)'
            UNION ALL
            SELECT 5, 'calls_by_from_number',
                   'ADD INDEX calls_by_from_number (client_id, from_number, created_at, call_sid)'
            UNION ALL
            SELECT 6, 'calls_by_end_reason',
                   'ADD INDEX calls_by_end_reason (client_id, end_reason, created_at, call_sid)'
            UNION ALL
            SELECT 7, 'calls_by_call_sid',
                   'ADD UNIQUE INDEX calls_by_call_sid (client_id, call_sid)'
           ) AS wanted
     WHERE NOT EXISTS (
            SELECT 1
              FROM information_schema.STATISTICS AS s
             WHERE s.TABLE_SCHEMA = DATABASE()
               AND s.TABLE_NAME = 'calls'
               AND s.INDEX_NAME = wanted.name));

SET @calls_api_sql = IF(@calls_api_missing IS NULL, 'DO 0',
    CONCAT('ALTER TABLE calls ', @calls_api_missing,
           ', ALGORITHM=INPLACE, LOCK=NONE'));
PREPARE calls_api_stmt FROM @calls_api_sql;
EXECUTE calls_api_stmt;
DEALLOCATE PREPARE calls_api_stmt;
SET @calls_api_sql = NULL, @calls_api_missing = NULL;
