-- 0005: what an article's sources could not vouch for. A row exists only
-- for articles with something to say, so the common case costs nothing, and
-- reading a note never walks the article row's text.
--   date_note:   why published_at cannot be fully trusted (an unknown or
--                ambiguous zone abbreviation; a date before 1990 or not
--                understood, replaced by the time first seen)
--   claimed_url: a canonical URL the page named on another site, refused
--                (the article is stored under its own URL)

CREATE TABLE article_notes (
    article_id   INTEGER PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    date_note    TEXT NOT NULL DEFAULT '',
    claimed_url  TEXT NOT NULL DEFAULT ''
) STRICT;

-- Each evidence row records the claim definition (claims.hash) it was
-- matched with, so a row matched by rules since changed, by a poll that was
-- in flight during a reload, is found and matched again. Rows stored before
-- this migration are taken to have been matched with the stored definition:
-- claimwatch re-matched on every claim change, so that is the best
-- knowledge there is.
ALTER TABLE evidence ADD COLUMN claim_hash TEXT NOT NULL DEFAULT '';
UPDATE evidence SET claim_hash = COALESCE((SELECT hash FROM claims WHERE claims.id = evidence.claim_id), '');

-- Articles stored with a claim set other than the live one (a poll that
-- began before a reload and saved after it) wait here to be matched again
-- with the live claims.
CREATE TABLE rematch_queue (
    article_id  INTEGER PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE
) STRICT;
