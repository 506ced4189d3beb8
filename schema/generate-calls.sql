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
-- The shape of the data (what the list filters select on):
--   - runs of three calls share the exact same created_at; runs are about a
--     minute apart; one run in four is on a whole second, the others carry
--     microseconds;
--   - call_sid 'call_' + 24 hex digits of md5(salt, client, row);
--   - agent_id agent_001 .. agent_050, about 2 % of the calls each;
--     agent_050 has no agents row, so its calls have agent_name null;
--   - status, skewed: completed 70 %, no_answer 9 %, busy 8 %, failed 6 %,
--     in_progress 4 %, ringing 2 %, null 1 %; calls not ended have no
--     end_time, duration, cost nor billing; calls never answered (busy,
--     no_answer, ringing) no start_time;
--   - call_type inbound 49 %, outbound 34 %, preview 15 %, null 2 %;
--   - to_number one of 300 numbers +15550000000 .. +15550000299, from_number
--     one of 200, +15551000000 .. +15551000199, or null (4 %), whatever the
--     salt: a bench or test can name one;
--   - end_reason: completed calls tool_end_call 35 %, user_hangup 35 %,
--     agent_hangup 17 %, silence_timeout 10 %, null 3 %; failed and busy
--     error; no_answer silence_timeout; one ringing call in a hundred
--     error (a rare pair for status + end_reason), other calls null;
--   - recording_enabled null 2 %, else true 3 times in 4.

-- Each derived table below is computed once into a temporary table; merged
-- into the outer query, its expressions would be re-evaluated at every use
-- (measured: 4x slower).
SET SESSION optimizer_switch = 'derived_merge=off';

-- Agent names for agent_001 .. agent_049 (existing rows are kept).
INSERT INTO agents (client_id, agent_id, agent_name)
SELECT @gen_client, concat('agent_', lpad(seq, 3, '0')),
       concat('Sales Rep ', seq)
  FROM seq_1_to_49
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
       concat('+1555', lpad(n1 % 300, 7, '0')),
       IF(n2 DIV 10000000 % 25 = 0, NULL,
          concat('+1555', 1000000 + n2 % 200)),
       concat('agent_', lpad(n3 % 50 + 1, 3, '0')),
       CASE WHEN n4 DIV 100 % 100 < 2 THEN NULL
            WHEN n4 DIV 100 % 100 < 51 THEN 'inbound'
            WHEN n4 DIV 100 % 100 < 85 THEN 'outbound'
            ELSE 'preview' END,
       status,
       IF(n4 DIV 10000 % 50 = 0, NULL, n4 DIV 2000 % 4 <> 0),
       -- 0.0002 .. 0.0005 per second, rounded to 2 or 4 decimals.
       CASE WHEN status = 'completed' THEN
                 round(tenths * (n4 DIV 8000 % 4 + 2) / 100000,
                       IF(n4 DIV 32000 % 3 = 0, 2, 4))
            WHEN ended THEN 0 END,
       IF(ended, tenths / 10, NULL),
       CASE WHEN status = 'completed' THEN tenths DIV 150 + 1
            WHEN ended THEN 0
            WHEN status = 'in_progress' THEN n3 DIV 80 % 10 END,
       created_at,
       CASE WHEN ended THEN ended_at + INTERVAL n4 DIV 96000 % 3 + 1 SECOND
            WHEN status = 'in_progress'
            THEN answered + INTERVAL n4 DIV 96000 % 30 SECOND
            ELSE created_at END,
       IF(status IN ('completed', 'failed', 'in_progress'), answered, NULL),
       IF(ended, ended_at, NULL),
       CASE WHEN status = 'completed' THEN
                 CASE WHEN n2 DIV 1000 % 100 < 35 THEN 'tool_end_call'
                      WHEN n2 DIV 1000 % 100 < 70 THEN 'user_hangup'
                      WHEN n2 DIV 1000 % 100 < 87 THEN 'agent_hangup'
                      WHEN n2 DIV 1000 % 100 < 97 THEN 'silence_timeout'
                 END
            WHEN status IN ('failed', 'busy') THEN 'error'
            WHEN status = 'no_answer' THEN 'silence_timeout'
            WHEN status = 'ringing' AND n2 DIV 1000 % 100 = 0 THEN 'error'
       END,
       IF(status = 'completed',
          IF(n1 DIV 10000000 % 5 = 0, 'pending', 'billed'), NULL)
  FROM (
        -- When the call was answered and ended; its length in tenths of a
        -- second.
        SELECT h, n1, n2, n3, n4, status, created_at,
               coalesce(status IN ('completed', 'failed', 'busy',
                                   'no_answer'), 0) AS ended,
               IF(status = 'completed', n3 DIV 800 % 6000, 0) AS tenths,
               created_at + INTERVAL n3 DIV 10 % 8 SECOND AS answered,
               created_at + INTERVAL n3 DIV 10 % 8 SECOND
                 + INTERVAL IF(status = 'completed', n3 DIV 800 % 6000, 0)
                            * 100000 MICROSECOND AS ended_at
          FROM (
                -- Row i: its md5, four numbers from it, status, created_at.
                SELECT h, n1, n2, n3, n4,
                       CASE WHEN n4 % 100 < 1 THEN NULL
                            WHEN n4 % 100 < 71 THEN 'completed'
                            WHEN n4 % 100 < 80 THEN 'no_answer'
                            WHEN n4 % 100 < 88 THEN 'busy'
                            WHEN n4 % 100 < 94 THEN 'failed'
                            WHEN n4 % 100 < 98 THEN 'in_progress'
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
