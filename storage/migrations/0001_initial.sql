-- 0001: the initial schema. Migrations are append-only: never edit a file
-- once it has shipped; add the next numbered file instead.
--
-- Times are TEXT in UTC, fixed width "YYYY-MM-DDTHH:MM:SS.sssZ", so they sort
-- as strings, compare with index range scans and work with SQLite's date
-- functions. NULL means "never"/unknown.

CREATE TABLE claims (
    id          TEXT PRIMARY KEY,
    statement   TEXT NOT NULL,
    made        TEXT,
    horizon     TEXT,
    hash        TEXT NOT NULL,
    definition  TEXT NOT NULL,             -- JSON of claims.Claim
    retired     INTEGER NOT NULL DEFAULT 0, -- 1 once no claim file defines it
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
) STRICT;

CREATE TABLE sources (
    name          TEXT PRIMARY KEY,
    url           TEXT NOT NULL,
    kind          TEXT NOT NULL,
    config        TEXT NOT NULL DEFAULT '{}', -- opaque JSON owned by the fetcher
    from_config   INTEGER NOT NULL DEFAULT 0, -- 1: from the config file; 0: added by the CLI
    enabled       INTEGER NOT NULL DEFAULT 1,
    etag          TEXT NOT NULL DEFAULT '',
    last_modified TEXT NOT NULL DEFAULT '',
    last_attempt  TEXT,
    last_success  TEXT,
    last_status   INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT NOT NULL DEFAULT '',
    error_count   INTEGER NOT NULL DEFAULT 0,
    backoff_until TEXT,
    next_due      TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
) STRICT;

CREATE TABLE articles (
    id              INTEGER PRIMARY KEY,
    url             TEXT NOT NULL UNIQUE,     -- canonical URL
    title           TEXT NOT NULL DEFAULT '',
    published_at    TEXT NOT NULL,
    published_flag  TEXT NOT NULL
        CHECK (published_flag IN ('feed', 'page', 'first_seen', 'future_clamped')),
    fetched_at      TEXT NOT NULL,
    first_seen_at   TEXT NOT NULL,
    source          TEXT NOT NULL DEFAULT '', -- sources.name; no FK: articles outlive sources
    outlet          TEXT NOT NULL DEFAULT '', -- host
    lang            TEXT NOT NULL DEFAULT '',
    text_dropped_at TEXT,                     -- set by retention (DropOldText)
    content_hash    TEXT NOT NULL DEFAULT '',
    simhash         INTEGER NOT NULL DEFAULT 0, -- uint64 bit pattern; 0 = none
    -- The simhash's four 16-bit bands: two hashes within Hamming distance 3
    -- share at least one band, so near-duplicates are found by index lookups.
    band0           INTEGER,
    band1           INTEGER,
    band2           INTEGER,
    band3           INTEGER,
    story_id        INTEGER NOT NULL DEFAULT 0, -- id of the story's first article
    -- Last, so reading the other columns never walks the text's overflow pages.
    text            TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX articles_content_hash ON articles (content_hash) WHERE content_hash <> '';
CREATE INDEX articles_band0 ON articles (band0) WHERE band0 IS NOT NULL;
CREATE INDEX articles_band1 ON articles (band1) WHERE band1 IS NOT NULL;
CREATE INDEX articles_band2 ON articles (band2) WHERE band2 IS NOT NULL;
CREATE INDEX articles_band3 ON articles (band3) WHERE band3 IS NOT NULL;
CREATE INDEX articles_published ON articles (published_at);
CREATE INDEX articles_first_seen ON articles (first_seen_at);
CREATE INDEX articles_story ON articles (story_id);

-- Full-text index over title and text, external content kept in step by
-- triggers (so it changes in the same transaction as the article).
CREATE VIRTUAL TABLE articles_fts USING fts5 (
    title, text,
    content = 'articles', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts (rowid, title, text) VALUES (new.id, new.title, new.text);
END;
CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
END;
CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, text ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
    INSERT INTO articles_fts (rowid, title, text) VALUES (new.id, new.title, new.text);
END;

CREATE TABLE evidence (
    id             INTEGER PRIMARY KEY,
    claim_id       TEXT NOT NULL REFERENCES claims (id),
    article_id     INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    stance         TEXT NOT NULL CHECK (stance IN ('supports', 'contradicts', 'mentions')), -- machine
    confidence     REAL NOT NULL,
    snippet        TEXT NOT NULL DEFAULT '',
    matched_terms  TEXT NOT NULL DEFAULT '[]', -- JSON array of strings
    sentences      INTEGER NOT NULL DEFAULT 0,
    in_title       INTEGER NOT NULL DEFAULT 0,
    directed       INTEGER NOT NULL DEFAULT 0,
    -- Copied from the article (never changes once stored) so evidence can be
    -- filtered and ordered by date through its own index.
    published_at   TEXT NOT NULL,
    first_seen_at  TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    stale          INTEGER NOT NULL DEFAULT 0, -- 1: the claim changed and no longer matches
    -- The latest review, denormalised from reviews (history lives there).
    review_stance  TEXT CHECK (review_stance IN ('supports', 'contradicts', 'mentions', 'irrelevant')),
    review_note    TEXT NOT NULL DEFAULT '',
    review_author  TEXT NOT NULL DEFAULT '',
    reviewed_at    TEXT,
    UNIQUE (claim_id, article_id)
) STRICT;

CREATE INDEX evidence_claim_published ON evidence (claim_id, published_at DESC, id DESC);
CREATE INDEX evidence_published ON evidence (published_at DESC, id DESC);
CREATE INDEX evidence_article ON evidence (article_id);

CREATE TABLE reviews (
    id           INTEGER PRIMARY KEY,
    evidence_id  INTEGER NOT NULL REFERENCES evidence (id) ON DELETE CASCADE,
    stance       TEXT NOT NULL CHECK (stance IN ('supports', 'contradicts', 'mentions', 'irrelevant')),
    note         TEXT NOT NULL DEFAULT '',
    author       TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL
) STRICT;
CREATE INDEX reviews_evidence ON reviews (evidence_id, id);

CREATE TABLE verdicts (
    id          INTEGER PRIMARY KEY,
    claim_id    TEXT NOT NULL REFERENCES claims (id),
    verdict     TEXT NOT NULL
        CHECK (verdict IN ('open', 'developing', 'confirmed', 'partly', 'stalled', 'refuted', 'expired')),
    note        TEXT NOT NULL DEFAULT '',
    author      TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL
) STRICT;
CREATE INDEX verdicts_claim ON verdicts (claim_id, id);

CREATE TABLE fetch_log (
    id            INTEGER PRIMARY KEY,
    source        TEXT NOT NULL,
    started       TEXT NOT NULL,
    duration_ms   INTEGER NOT NULL DEFAULT 0,
    status        INTEGER NOT NULL DEFAULT 0,
    outcome       TEXT NOT NULL CHECK (outcome IN ('ok', 'not_modified', 'failed', 'skipped')),
    error         TEXT NOT NULL DEFAULT '',
    new_articles  INTEGER NOT NULL DEFAULT 0,
    new_evidence  INTEGER NOT NULL DEFAULT 0,
    bytes         INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX fetch_log_source ON fetch_log (source, started);
