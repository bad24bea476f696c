-- 0003: new articles' full-text rows are inserted by SaveArticle itself, not
-- by a trigger. A trigger makes every article INSERT a multi-table statement
-- that needs a statement savepoint, and FTS5 flushes its pending index data
-- to a new segment at every savepoint: one segment per article. Written by
-- the writer at the end of a batch, a batch's rows share one segment. The
-- update and delete triggers stay. Anything else inserting into articles
-- must insert the articles_fts row too.

DROP TRIGGER articles_fts_insert;
