-- 0002: the simhash band indexes also carry simhash and story_id, so finding
-- an article's story reads index pages only, never the (large) article rows.
-- story_id is written once, when the article is inserted.

DROP INDEX articles_band0;
DROP INDEX articles_band1;
DROP INDEX articles_band2;
DROP INDEX articles_band3;
CREATE INDEX articles_band0 ON articles (band0, simhash, story_id) WHERE band0 IS NOT NULL;
CREATE INDEX articles_band1 ON articles (band1, simhash, story_id) WHERE band1 IS NOT NULL;
CREATE INDEX articles_band2 ON articles (band2, simhash, story_id) WHERE band2 IS NOT NULL;
CREATE INDEX articles_band3 ON articles (band3, simhash, story_id) WHERE band3 IS NOT NULL;
