-- 0008: indexes for the web dashboard.
--
-- A claim's timeline, its counts and its latest evidence by stance read
-- only these evidence columns: from this covering index they never touch
-- the (large) evidence rows with their snippets.
CREATE INDEX evidence_claim_counted ON evidence (claim_id, published_at, stale, stance, review_stance);

-- The sources page counts stored articles per source: an index scan instead
-- of reading every article row.
CREATE INDEX articles_source ON articles (source);
