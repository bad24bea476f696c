-- 0004: a poll in which some articles could not be stored (database busy,
-- disk full) is logged as 'partial', and a source remembers the outcome of
-- its last poll so that `sources list` can show it. SQLite cannot change a
-- CHECK constraint in place, so fetch_log is rebuilt.

CREATE TABLE fetch_log_new (
    id            INTEGER PRIMARY KEY,
    source        TEXT NOT NULL,
    started       TEXT NOT NULL,
    duration_ms   INTEGER NOT NULL DEFAULT 0,
    status        INTEGER NOT NULL DEFAULT 0,
    outcome       TEXT NOT NULL CHECK (outcome IN ('ok', 'not_modified', 'partial', 'failed', 'skipped')),
    error         TEXT NOT NULL DEFAULT '',
    new_articles  INTEGER NOT NULL DEFAULT 0,
    new_evidence  INTEGER NOT NULL DEFAULT 0,
    bytes         INTEGER NOT NULL DEFAULT 0
) STRICT;
INSERT INTO fetch_log_new SELECT * FROM fetch_log;
DROP TABLE fetch_log;
ALTER TABLE fetch_log_new RENAME TO fetch_log;
CREATE INDEX fetch_log_source ON fetch_log (source, started);

ALTER TABLE sources ADD COLUMN last_outcome TEXT NOT NULL DEFAULT '';
UPDATE sources SET last_outcome = CASE
    WHEN last_attempt IS NULL THEN ''
    WHEN error_count > 0 THEN 'failed'
    ELSE 'ok' END;
