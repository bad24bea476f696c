-- 0007: backfill checkpoints. One row per input of a backfill (a WARC file,
-- a sitemap, a query window): where to carry on after an interruption.
-- For a WARC file, resume_offset is the byte offset of the first record not
-- yet finished (every record before it is stored or counted); done is set
-- once the whole input was read.

CREATE TABLE backfill_checkpoints (
    input          TEXT PRIMARY KEY,
    resume_offset  INTEGER NOT NULL DEFAULT 0,
    done           INTEGER NOT NULL DEFAULT 0 CHECK (done IN (0, 1)),
    records        INTEGER NOT NULL DEFAULT 0,
    updated_at     TEXT NOT NULL
);
