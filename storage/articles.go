package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/bits"
	"time"

	"github.com/claimwatch/claimwatch/claims"
)

// Article is a fetched news article.
type Article struct {
	ID                                     int64
	URL, Title, Text, Lang, Source, Outlet string
	// PublishedAt is the article's date as PublishedFlag says it was found:
	// "feed", "page", "first_seen" (no date found: FirstSeenAt is used) or
	// "future_clamped" (a future date clamped to the fetch time).
	PublishedAt, FetchedAt, FirstSeenAt time.Time
	PublishedFlag                       string
	ContentHash                         string
	SimHash                             uint64 // 0 means none: no story grouping
	StoryID                             int64
}

// Published date provenance, for Article.PublishedFlag.
const (
	PublishedFeed          = "feed"
	PublishedPage          = "page"
	PublishedFirstSeen     = "first_seen"
	PublishedFutureClamped = "future_clamped"
)

// SaveResult says what SaveArticle did.
type SaveResult struct {
	ArticleID int64 // the stored article (the existing one when not new)
	New       bool
	// DuplicateOf is the existing article with the same content hash under
	// another URL; the new URL is then not stored.
	DuplicateOf int64
	NewEvidence int // evidence rows inserted (updates not counted)
	StoryID     int64
}

// storyDistance is the largest simhash Hamming distance of two articles in
// the same story. With four 16-bit bands, two hashes within distance 3 must
// agree on at least one band (pigeonhole), so candidates come from indexes.
const storyDistance = 3

func bands(h uint64) [4]any {
	if h == 0 {
		return [4]any{nil, nil, nil, nil}
	}
	return [4]any{int64(h & 0xffff), int64(h >> 16 & 0xffff), int64(h >> 32 & 0xffff), int64(h >> 48)}
}

// normalize fills defaults and checks an article before it is stored.
func (a *Article) normalize(now time.Time) error {
	if a.URL == "" {
		return errors.New("article has no URL")
	}
	if a.FetchedAt.IsZero() {
		a.FetchedAt = now
	}
	if a.FirstSeenAt.IsZero() {
		a.FirstSeenAt = a.FetchedAt
	}
	switch a.PublishedFlag {
	case "", PublishedFeed, PublishedPage, PublishedFirstSeen, PublishedFutureClamped:
	default:
		return fmt.Errorf("unknown published flag %q: want feed, page, first_seen or future_clamped", a.PublishedFlag)
	}
	if a.PublishedAt.IsZero() {
		a.PublishedAt, a.PublishedFlag = a.FirstSeenAt, PublishedFirstSeen
	}
	if a.PublishedFlag == "" {
		a.PublishedFlag = PublishedFeed
	}
	return nil
}

// SaveArticle stores an article, its full-text row and its evidence in one
// transaction: on any error nothing of it is stored.
//
// Dedupe: an article whose canonical URL is already stored is not new and is
// not rewritten (the first version is kept), but findings are still upserted
// against it. An article under a new URL whose ContentHash equals a stored
// article's is not stored either: New is false, DuplicateOf names the stored
// article, and the findings are recorded as evidence of that stored article
// (so a claim changed since the first copy still gets its evidence).
//
// Story grouping: a new article whose SimHash is within Hamming distance 3 of
// a stored one joins that article's story (the closest, oldest on ties);
// otherwise it starts its own story (StoryID = its own id).
func (s *Store) SaveArticle(ctx context.Context, a Article, findings []claims.Finding) (SaveResult, error) {
	now := s.now()
	if err := a.normalize(now); err != nil {
		return SaveResult{}, fmt.Errorf("save article %s: %w", a.URL, err)
	}
	var res SaveResult
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		res = SaveResult{}
		published, byHash, err := existingArticle(ctx, tx, &a)
		if err != nil {
			return err
		}
		switch {
		case published == "":
			if err := insertArticle(ctx, tx, &a); err != nil {
				return err
			}
			res.New = true
			published = dbTime(a.PublishedAt).(string)
		case byHash:
			res.DuplicateOf = a.ID
		}
		res.ArticleID, res.StoryID = a.ID, a.StoryID
		for _, f := range findings {
			inserted, _, err := upsertEvidence(ctx, tx, a.ID, published, f, now)
			if err != nil {
				return fmt.Errorf("evidence for claim %q: %w", f.ClaimID, err)
			}
			if inserted {
				res.NewEvidence++
			}
		}
		return nil
	})
	if err != nil {
		return SaveResult{}, fmt.Errorf("save article %s: %w", a.URL, err)
	}
	return res, nil
}

// existingArticle looks a up by URL, then by content hash. When found it sets
// a.ID and a.StoryID and returns the stored published_at ("" means new) and
// whether it was found by content hash under another URL.
func existingArticle(ctx context.Context, tx *sql.Tx, a *Article) (published string, byHash bool, err error) {
	err = tx.QueryRowContext(ctx, `SELECT id, story_id, published_at FROM articles WHERE url = ?`, a.URL).
		Scan(&a.ID, &a.StoryID, &published)
	if err == nil {
		return published, false, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", false, fmt.Errorf("look up URL: %w", err)
	}
	if a.ContentHash == "" {
		return "", false, nil
	}
	err = tx.QueryRowContext(ctx, `
		SELECT id, story_id, published_at FROM articles
		WHERE content_hash = ? AND content_hash <> '' ORDER BY id LIMIT 1`, a.ContentHash).
		Scan(&a.ID, &a.StoryID, &published)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("look up content hash: %w", err)
	}
	return published, true, nil
}

// insertArticle inserts a new article, assigning a.ID and a.StoryID.
func insertArticle(ctx context.Context, tx *sql.Tx, a *Article) error {
	b := bands(a.SimHash)
	err := tx.QueryRowContext(ctx, `
		INSERT INTO articles (url, title, published_at, published_flag, fetched_at, first_seen_at,
			source, outlet, lang, text, content_hash, simhash, band0, band1, band2, band3)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		a.URL, a.Title, dbTime(a.PublishedAt), a.PublishedFlag, dbTime(a.FetchedAt), dbTime(a.FirstSeenAt),
		a.Source, a.Outlet, a.Lang, a.Text, a.ContentHash, int64(a.SimHash), b[0], b[1], b[2], b[3],
	).Scan(&a.ID)
	if err != nil {
		return fmt.Errorf("insert article: %w", err)
	}
	a.StoryID = a.ID
	if a.SimHash != 0 {
		rows, err := tx.QueryContext(ctx, `
			SELECT id, simhash, story_id FROM articles
			WHERE id <> ? AND (band0 = ? OR band1 = ? OR band2 = ? OR band3 = ?)`,
			a.ID, b[0], b[1], b[2], b[3])
		if err != nil {
			return fmt.Errorf("find story: %w", err)
		}
		best, bestID := storyDistance+1, int64(0)
		for rows.Next() {
			var id, h, story int64
			if err := rows.Scan(&id, &h, &story); err != nil {
				rows.Close()
				return fmt.Errorf("find story: %w", err)
			}
			d := bits.OnesCount64(uint64(h) ^ a.SimHash)
			if d < best || (d == best && id < bestID) {
				best, bestID, a.StoryID = d, id, story
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("find story: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE articles SET story_id = ? WHERE id = ?`, a.StoryID, a.ID); err != nil {
		return fmt.Errorf("set story: %w", err)
	}
	return nil
}

// upsertEvidence records a finding for an article. inserted reports a new
// row; changed an existing row whose content changed (or that was stale).
// The first-seen time and reviews of an existing row are kept.
func upsertEvidence(ctx context.Context, tx *sql.Tx, articleID int64, published string, f claims.Finding, now time.Time) (inserted, changed bool, err error) {
	if _, err := claims.ParseStance(string(f.Stance), false); err != nil {
		return false, false, err
	}
	terms := f.MatchedTerms
	if terms == nil {
		terms = []string{}
	}
	tj, err := json.Marshal(terms)
	if err != nil {
		return false, false, err
	}
	ts := dbTime(now)
	res, err := tx.ExecContext(ctx, `
		INSERT INTO evidence (claim_id, article_id, stance, confidence, snippet, matched_terms,
			sentences, in_title, directed, published_at, first_seen_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (claim_id, article_id) DO NOTHING`,
		f.ClaimID, articleID, string(f.Stance), f.Confidence, f.Snippet, string(tj),
		f.Sentences, boolInt(f.InTitle), boolInt(f.Directed), published, ts, ts)
	if err != nil {
		return false, false, err
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return true, false, nil
	}
	res, err = tx.ExecContext(ctx, `
		UPDATE evidence SET stance = ?, confidence = ?, snippet = ?, matched_terms = ?, sentences = ?,
			in_title = ?, directed = ?, stale = 0, updated_at = ?
		WHERE claim_id = ? AND article_id = ? AND NOT (stance = ? AND confidence = ? AND snippet = ?
			AND matched_terms = ? AND sentences = ? AND in_title = ? AND directed = ? AND stale = 0)`,
		string(f.Stance), f.Confidence, f.Snippet, string(tj), f.Sentences, boolInt(f.InTitle), boolInt(f.Directed), ts,
		f.ClaimID, articleID,
		string(f.Stance), f.Confidence, f.Snippet, string(tj), f.Sentences, boolInt(f.InTitle), boolInt(f.Directed))
	if err != nil {
		return false, false, err
	}
	n, _ := res.RowsAffected()
	return false, n == 1, nil
}

// HasArticle reports whether an article with this canonical URL is stored.
func (s *Store) HasArticle(ctx context.Context, canonicalURL string) (bool, error) {
	var one int
	err := s.r.QueryRowContext(ctx, `SELECT 1 FROM articles WHERE url = ?`, canonicalURL).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("look up article %s: %w", canonicalURL, err)
	}
	return true, nil
}

const articleColumns = `id, url, title, text, lang, source, outlet, published_at, fetched_at, first_seen_at,
	published_flag, content_hash, simhash, story_id`

func scanArticle(sc interface{ Scan(...any) error }) (Article, error) {
	var a Article
	var pub, fetched, seen sql.NullString
	var h int64
	err := sc.Scan(&a.ID, &a.URL, &a.Title, &a.Text, &a.Lang, &a.Source, &a.Outlet, &pub, &fetched, &seen,
		&a.PublishedFlag, &a.ContentHash, &h, &a.StoryID)
	a.PublishedAt, a.FetchedAt, a.FirstSeenAt = mustTime(pub), mustTime(fetched), mustTime(seen)
	a.SimHash = uint64(h)
	return a, err
}

// Article returns a stored article by id, or ErrNotFound.
func (s *Store) Article(ctx context.Context, id int64) (Article, error) {
	a, err := scanArticle(s.r.QueryRowContext(ctx, `SELECT `+articleColumns+` FROM articles WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return Article{}, fmt.Errorf("article %d: %w", id, err)
	}
	return a, nil
}
