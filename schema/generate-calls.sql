-- Synthetic calls for one organisation, generated inside the server from the
-- Sequence engine (seq_0_to_99999), so a chunk of 100,000 rows is one
-- INSERT ... SELECT. Used by scripts/seed.sh and scripts/sample-data.sh; not
-- part of the schema (scripts/db.sh loads only the numbered files).
--
-- Every value is derived from the row number: the same parameters give the
-- same rows (no RAND()). The caller sets these user variables first:
--   @gen_client  client_id of the organisation
--   @gen_salt    mixed into call_sid: '' for the demo data, random per seed
--                run so that later runs never collide with earlier ones
--   @gen_anchor  created_at of row 0 (UTC, 'YYYY-MM-DD hh:mm:ss'); row i is
--                older than row i-1 or shares its created_at
--   @gen_first   the first row number of this chunk
--   @gen_rows    rows in this chunk, 0..100000
-- With the variables unset, nothing is inserted.
--
-- The shape of the data:
--   - runs of three calls share the exact same created_at; runs are about a
--     minute apart; one run in four is on a whole second, the others carry
--     microseconds;
--   - call_sid 'call_' + 24 hex digits of md5(salt, client, row);
--   - agents agent_001 .. agent_010; agent_010 has no agents row, so its
--     calls have agent_name null;
--   - 85 % completed, 5 % failed, 5 % in_progress, 5 % ringing; calls not
--     ended have no end_time, end_reason, duration, cost nor billing.

-- Each derived table below is computed once into a temporary table; merged
-- into the outer query, its expressions would be re-evaluated at every use
-- (measured: 4x slower).
SET SESSION optimizer_switch = 'derived_merge=off';

-- Agent names for agent_001 .. agent_009 (existing rows are kept).
INSERT INTO agents (client_id, agent_id, agent_name)
SELECT @gen_client, concat('agent_', lpad(seq, 3, '0')),
       concat('Sales Rep ', seq)
  FROM seq_1_to_9
 WHERE @gen_client IS NOT NULL AND @gen_rows > 0
    ON DUPLICATE KEY UPDATE agent_id = agent_id;

-- Four 32-bit numbers from the row's md5 feed the attributes; each attribute
-- takes its own digits of them (n % a, n DIV a % b, ...), so they do not
-- correlate.
INSERT INTO calls (call_sid, client_id, to_number, from_number, agent_id,
    call_type, status, recording_enabled, total_cost, duration_seconds,
    turn_count, created_at, updated_at, start_time, end_time, end_reason,
    billing_status)
SELECT concat('call_', left(h, 24)),
       @gen_client,
       concat('+1555', lpad(n1 % 10000000, 7, '0')),
       IF(n2 DIV 10000000 % 8 = 0, NULL,
          concat('+1555', lpad(n2 % 10000000, 7, '0'))),
       concat('agent_', lpad(n3 % 10 + 1, 3, '0')),
       CASE WHEN n4 DIV 100 % 20 < 10 THEN 'inbound'
            WHEN n4 DIV 100 % 20 < 17 THEN 'outbound'
            ELSE 'preview' END,
       status,
       n4 DIV 2000 % 4 <> 0,
       -- 0.0002 .. 0.0005 per second, rounded to 2 or 4 decimals.
       CASE status
            WHEN 'completed' THEN
                 round(tenths * (n4 DIV 8000 % 4 + 2) / 100000,
                       IF(n4 DIV 32000 % 3 = 0, 2, 4))
            WHEN 'failed' THEN 0 END,
       IF(ended, tenths / 10, NULL),
       CASE status
            WHEN 'completed' THEN tenths DIV 150 + 1
            WHEN 'failed' THEN 0
            WHEN 'in_progress' THEN n3 DIV 80 % 10 END,
       created_at,
       CASE WHEN ended THEN ended_at + INTERVAL n4 DIV 96000 % 3 + 1 SECOND
            WHEN status = 'in_progress'
            THEN answered + INTERVAL n4 DIV 96000 % 30 SECOND
            ELSE created_at END,
       IF(status = 'ringing', NULL, answered),
       IF(ended, ended_at, NULL),
       CASE status
            WHEN 'completed' THEN elt(1 + n2 DIV 80000000 % 4, 'tool_end_call',
                                      'user_hangup', 'agent_hangup', 'timeout')
            WHEN 'failed' THEN 'timeout' END,
       IF(status = 'completed',
          IF(n1 DIV 10000000 % 5 = 0, 'pending', 'billed'), NULL)
  FROM (
        -- When the call was answered and ended; its length in tenths of a
        -- second.
        SELECT h, n1, n2, n3, n4, status, created_at,
               status IN ('completed', 'failed') AS ended,
               IF(status = 'completed', n3 DIV 800 % 6000, 0) AS tenths,
               created_at + INTERVAL n3 DIV 10 % 8 SECOND AS answered,
               created_at + INTERVAL n3 DIV 10 % 8 SECOND
                 + INTERVAL IF(status = 'completed', n3 DIV 800 % 6000, 0)
                            * 100000 MICROSECOND AS ended_at
          FROM (
                -- Row i: its md5, four numbers from it, status, created_at.
                SELECT h, n1, n2, n3, n4,
                       CASE WHEN n4 % 100 < 85 THEN 'completed'
                            WHEN n4 % 100 < 90 THEN 'failed'
                            WHEN n4 % 100 < 95 THEN 'in_progress'
                            ELSE 'ringing' END AS status,
                       -- Run g = i DIV 3 starts g minutes before the
                       -- anchor, minus a jitter under a minute.
                       CAST(@gen_anchor AS DATETIME(6))
                         - INTERVAL i DIV 3 MINUTE
                         - INTERVAL IF(i DIV 3 % 4 = 0,
                                       i DIV 3 * 7919 % 60 * 1000000,
                                       i DIV 3 * 2654435761 % 60000000)
                           MICROSECOND AS created_at
                  FROM (
                        SELECT i, h,
                               CAST(conv(substr(h, 1, 8), 16, 10) AS UNSIGNED) AS n1,
                               CAST(conv(substr(h, 9, 8), 16, 10) AS UNSIGNED) AS n2,
                               CAST(conv(substr(h, 17, 8), 16, 10) AS UNSIGNED) AS n3,
                               CAST(conv(substr(h, 25, 8), 16, 10) AS UNSIGNED) AS n4
                          FROM (
                                SELECT @gen_first + seq AS i,
                                       md5(concat(@gen_salt, @gen_client,
                                           '-', @gen_first + seq)) AS h
                                  FROM seq_0_to_99999
                                 WHERE seq < @gen_rows
                               ) AS numbered
                       ) AS hashed
               ) AS timed
       ) AS derived;
