-- 0004: for the web dashboard's sources page, which counts stored articles
-- per source: an index scan instead of reading every (large) article row.

CREATE INDEX articles_source ON articles (source);
