-- calls-api schema (the release's schema.sql). Import it into the database
-- the responder reads, as any account that may create tables there:
--   mariadb -h HOST -u USER -p DATABASE < schema.sql    (or mysql, or
--   phpMyAdmin's Import tab with that database selected)
-- It creates tables only: no database (choose it when importing), no
-- account, no GRANT, DEFINER, trigger or anything needing SUPER; importing
-- it again changes nothing. Plain MySQL 8.0.13+ / MariaDB 10.3+ syntax:
-- checked with MySQL's grammar and imported into MariaDB 10.11 by tests/
-- 15-schema-portable.t (README, "Database").
--
-- Every table is utf8mb4 with the binary collation, so joins never convert
-- charsets and identifiers compare byte by byte (case-sensitive), whatever
-- the database's own default charset is.
-- Timestamps are DATETIME(6) holding UTC, real dates only: a zero date or a
-- zero month/day (which MariaDB's default sql_mode lets in) has no ISO 8601
-- form. A strict sql_mode keeps them out; the CHECKs below refuse them under
-- any sql_mode on MariaDB 10.2+ and MySQL 8.0.16+ (MySQL 8.0.13 to 8.0.15
-- parse them and ignore them). Rows imported around both still page (the
-- API shows such a value as null).

CREATE TABLE IF NOT EXISTS agents (
  client_id   VARCHAR(64)  NOT NULL,
  agent_id    VARCHAR(64)  NOT NULL,
  agent_name  VARCHAR(255) NULL,
  PRIMARY KEY (client_id, agent_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The clustered key is the keyset order (client_id, created_at, call_sid):
-- a page is one short range read of adjacent rows, at any depth, in
-- either order. Each equality filter of List Calls has its own index in
-- the same order after the filter's column (calls_by_<column>), so a page
-- filtered by one of them, with or without a created_at window, is one
-- short range read too.
-- A call_sid is unique within its organisation, and GET /api/calls/{sid}
-- is one lookup of (client_id, call_sid) in calls_by_call_sid: another
-- organisation's call_sid reads no more than one that does not exist (a
-- key on call_sid alone would read the other organisation's row first,
-- and would make one organisation's insert fail on another's call_sid).
CREATE TABLE IF NOT EXISTS calls (
  call_sid          VARCHAR(64)   NOT NULL,
  client_id         VARCHAR(64)   NOT NULL,
  to_number         VARCHAR(32)   NOT NULL,
  from_number       VARCHAR(32)   NULL,
  agent_id          VARCHAR(64)   NOT NULL,
  call_type         VARCHAR(16)   NULL,
  status            VARCHAR(32)   NULL,
  recording_enabled BOOLEAN       NULL,
  total_cost        DECIMAL(14,4) NULL,
  duration_seconds  DECIMAL(12,3) NULL,
  turn_count        INT UNSIGNED  NULL,
  created_at        DATETIME(6)   NOT NULL,
  updated_at        DATETIME(6)   NULL,
  start_time        DATETIME(6)   NULL,
  end_time          DATETIME(6)   NULL,
  end_reason        VARCHAR(64)   NULL,
  billing_status    VARCHAR(32)   NULL,
  CONSTRAINT calls_created_at_real CHECK
    (MONTH(created_at) > 0 AND DAYOFMONTH(created_at) > 0),
  CONSTRAINT calls_updated_at_real CHECK (updated_at IS NULL OR
    (MONTH(updated_at) > 0 AND DAYOFMONTH(updated_at) > 0)),
  CONSTRAINT calls_start_time_real CHECK (start_time IS NULL OR
    (MONTH(start_time) > 0 AND DAYOFMONTH(start_time) > 0)),
  CONSTRAINT calls_end_time_real CHECK (end_time IS NULL OR
    (MONTH(end_time) > 0 AND DAYOFMONTH(end_time) > 0)),
  PRIMARY KEY (client_id, created_at, call_sid),
  UNIQUE KEY calls_by_call_sid (client_id, call_sid),
  KEY calls_by_status (client_id, status, created_at, call_sid),
  KEY calls_by_call_type (client_id, call_type, created_at, call_sid),
  KEY calls_by_agent_id (client_id, agent_id, created_at, call_sid),
  KEY calls_by_to_number (client_id, to_number, created_at, call_sid),
  KEY calls_by_from_number (client_id, from_number, created_at, call_sid),
  KEY calls_by_end_reason (client_id, end_reason, created_at, call_sid)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- API keys are stored only as the hex SHA-256 of the key. Revoking sets
-- revoked_at; the responder ignores revoked keys (after its cache expires).
-- created_at defaults to the UTC time of the insert: an expression default,
-- in parentheses as MySQL 8.0.13+ requires (MariaDB 10.2.1+ accepts both
-- forms; without the parentheses MySQL refuses the table).
CREATE TABLE IF NOT EXISTS api_keys (
  key_hash    CHAR(64)     NOT NULL,
  client_id   VARCHAR(64)  NOT NULL,
  label       VARCHAR(100) NULL,
  created_at  DATETIME(6)  NOT NULL DEFAULT (UTC_TIMESTAMP(6)),
  revoked_at  DATETIME(6)  NULL,
  PRIMARY KEY (key_hash),
  KEY api_keys_client (client_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
