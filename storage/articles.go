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
	// DateNote says why PublishedAt cannot be fully trusted ("" when it
	// can): an unknown or ambiguous zone abbreviation, or a date before 1990
	// or not understood and replaced by the time first seen.
	DateNote string
	// ClaimedURL is a canonical URL the page named on another site and that
	// was refused: the article is stored under its own URL.
	ClaimedURL string
	// MatchedWith names the claim definitions the findings saved with the
	// article were matched with. Set by the ingest pipeline: an article
	// matched with a claim set other than the live one is queued to be
	// matched again (see RematchOutdated). Zero: the findings are taken to
	// come from the stored definitions.
	MatchedWith Rules
	ContentHash string
	SimHash     uint64 // 0 means none: no story grouping
	StoryID     int64
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

// SaveArticle stores an article, its full-text row and its evidence
// atomically: on any error nothing of it is stored.
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
//
// Concurrent calls are committed together (see the package comment); each
// returns once its article is committed. If ctx ends before the writer has
// taken the article, SaveArticle returns ctx.Err() and stores nothing; once
// taken, the article is committed with its batch whatever ctx does.
func (s *Store) SaveArticle(ctx context.Context, a Article, findings []claims.Finding) (SaveResult, error) {
	now := s.now()
	if err := a.normalize(now); err != nil {
		return SaveResult{}, fmt.Errorf("save article %s: %w", a.URL, err)
	}
	rows := make([]evidenceRow, len(findings))
	for i, f := range findings {
		r, err := newEvidenceRow(f)
		if err != nil {
			return SaveResult{}, fmt.Errorf("save article %s: evidence for claim %q: %w", a.URL, f.ClaimID, err)
		}
		r.hash = a.MatchedWith.Claims[f.ClaimID]
		rows[i] = r
	}
	res, err := s.submit(ctx, &saveRequest{a: a, findings: rows, route: s.routeFor(ctx), now: now, reply: make(chan saveReply, 1)})
	if err != nil {
		return SaveResult{}, fmt.Errorf("save article %s: %w", a.URL, diskFull(err))
	}
	return res, nil
}

// saveArticle does SaveArticle's writes inside the writer's transaction.
// The full-text row of a new article is written at once when fts is nil,
// and otherwise appended to *fts for the caller to write (see writeFTS).
// New evidence that route wants is recorded in the alert outbox.
func saveArticle(w *stmtTx, a *Article, findings []evidenceRow, route AlertRoute, now time.Time, fts *[]*Article) (SaveResult, error) {
	var res SaveResult
	published, byHash, err := existingArticle(w, a)
	if err != nil {
		return res, err
	}
	switch {
	case published == "":
		if err := insertArticle(w, a); err != nil {
			return res, err
		}
		if fts != nil {
			*fts = append(*fts, a)
		} else if err := writeFTS(w, a); err != nil {
			return res, err
		}
		res.New = true
		published = dbTime(a.PublishedAt).(string)
	case byHash:
		res.DuplicateOf = a.ID
	}
	res.ArticleID, res.StoryID = a.ID, a.StoryID
	if err := queueIfOutdated(w, a); err != nil {
		return res, err
	}
	for _, f := range findings {
		inserted, _, err := upsertEvidence(w, a.ID, published, f, now)
		if err != nil {
			return res, fmt.Errorf("evidence for claim %q: %w", f.ClaimID, err)
		}
		if inserted {
			res.NewEvidence++
			if route != nil {
				if err := enqueueAlerts(w, route, a, f, now); err != nil {
					return res, fmt.Errorf("evidence for claim %q: %w", f.ClaimID, err)
				}
			}
		}
	}
	return res, nil
}

// SaveArticle's statements, prepared once on the writer connection.
const (
	qExistingArticle = `
		SELECT id, story_id, published_at, 0 FROM articles WHERE url = ?1
		UNION ALL
		SELECT * FROM (SELECT id, story_id, published_at, 1 FROM articles
			WHERE content_hash = ?2 AND content_hash <> '' ORDER BY id LIMIT 1)
		LIMIT 1`
	qNextArticleID = `SELECT COALESCE(MAX(id), 0) + 1 FROM articles`
	qInsertArticle = `
		INSERT INTO articles (id, url, title, published_at, published_flag, fetched_at, first_seen_at,
			source, outlet, lang, text, content_hash, simhash, band0, band1, band2, band3, story_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	qInsertNotes = `INSERT INTO article_notes (article_id, date_note, claimed_url) VALUES (?, ?, ?)`
	qInsertFTS   = `INSERT INTO articles_fts (rowid, title, text) VALUES (?, ?, ?)`
	qExactStory  = `SELECT story_id FROM articles WHERE band0 = ?1 AND simhash = ?2 ORDER BY story_id LIMIT 1`
	qFindStory   = `
		SELECT id, simhash, story_id FROM articles WHERE band0 = ?1
		UNION ALL SELECT id, simhash, story_id FROM articles WHERE band1 = ?2
		UNION ALL SELECT id, simhash, story_id FROM articles WHERE band2 = ?3
		UNION ALL SELECT id, simhash, story_id FROM articles WHERE band3 = ?4`
	// A finding's claim_hash is the definition it was matched with, else
	// (?13 or ?11 empty) the stored one.
	qInsertEvidence = `
		INSERT INTO evidence (claim_id, article_id, stance, confidence, snippet, matched_terms,
			sentences, in_title, directed, published_at, first_seen_at, updated_at, claim_hash)
		VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,
			COALESCE(NULLIF(?13, ''), (SELECT hash FROM claims WHERE id = ?1), ''))
		ON CONFLICT (claim_id, article_id) DO NOTHING`
	qUpdateEvidence = `
		UPDATE evidence SET stance = ?1, confidence = ?2, snippet = ?3, matched_terms = ?4, sentences = ?5,
			in_title = ?6, directed = ?7, stale = 0, updated_at = ?8,
			claim_hash = COALESCE(NULLIF(?11, ''), (SELECT hash FROM claims WHERE id = ?9), '')
		WHERE claim_id = ?9 AND article_id = ?10 AND NOT (stance = ?1 AND confidence = ?2 AND snippet = ?3
			AND matched_terms = ?4 AND sentences = ?5 AND in_title = ?6 AND directed = ?7 AND stale = 0
			AND claim_hash = COALESCE(NULLIF(?11, ''), (SELECT hash FROM claims WHERE id = ?9), ''))`
)

// existingArticle looks a up by URL, then by content hash, in one query.
// When found it sets a.ID and a.StoryID and returns the stored published_at
// ("" means new) and whether it was found by content hash under another URL.
func existingArticle(w *stmtTx, a *Article) (published string, byHash bool, err error) {
	err = w.scanRow(qExistingArticle, []any{a.URL, a.ContentHash}, &a.ID, &a.StoryID, &published, &byHash)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("look up URL and content hash: %w", err)
	}
	return published, byHash, nil
}

// insertArticle inserts a new article, assigning a.ID and a.StoryID. The
// story is found before the insert and the id chosen as SQLite would
// (largest plus one; the write lock is held), so the row is written once:
// setting story_id afterwards would rewrite the whole row, text included.
func insertArticle(w *stmtTx, a *Article) error {
	if err := w.scanRow(qNextArticleID, nil, &a.ID); err != nil {
		return fmt.Errorf("insert article: next id: %w", err)
	}
	a.StoryID = a.ID
	b := bands(a.SimHash)
	if a.SimHash != 0 {
		story, err := findStory(w, a.SimHash, b)
		if err != nil {
			return err
		}
		if story != 0 {
			a.StoryID = story
		}
	}
	_, err := w.exec(qInsertArticle,
		a.ID, a.URL, a.Title, dbTime(a.PublishedAt), a.PublishedFlag, dbTime(a.FetchedAt), dbTime(a.FirstSeenAt),
		a.Source, a.Outlet, a.Lang, a.Text, a.ContentHash, int64(a.SimHash), b[0], b[1], b[2], b[3], a.StoryID)
	if err != nil {
		return fmt.Errorf("insert article: %w", err)
	}
	if a.DateNote != "" || a.ClaimedURL != "" {
		if _, err := w.exec(qInsertNotes, a.ID, a.DateNote, a.ClaimedURL); err != nil {
			return fmt.Errorf("insert article notes: %w", err)
		}
	}
	return nil
}

// writeFTS adds a new article's full-text row.
func writeFTS(w *stmtTx, a *Article) error {
	if _, err := w.exec(qInsertFTS, a.ID, a.Title, a.Text); err != nil {
		return fmt.Errorf("full-text index: %w", err)
	}
	return nil
}

// findStory returns the story of the stored article closest to h (oldest on
// ties) within storyDistance, or 0. Copies with the very same simhash (one
// wire story under many URLs) are common and all share every band, so an
// exact copy is looked for first: nothing can be closer. Every exact copy is
// in the same story (the first one's, since story_id is written once), so
// the lookup takes the first entry of the covering index in its own order:
// ordering by article id instead made SQLite sort every earlier copy, and
// ingesting n identical texts quadratic. Otherwise
// each band is looked up on its own covering index (band, simhash,
// story_id): no table row is read.
func findStory(w *stmtTx, h uint64, b [4]any) (int64, error) {
	var story int64
	err := w.scanRow(qExactStory, []any{b[0], int64(h)}, &story)
	if err == nil {
		return story, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("find story: %w", err)
	}
	rows, err := w.query(qFindStory, b[0], b[1], b[2], b[3])
	if err != nil {
		return 0, fmt.Errorf("find story: %w", err)
	}
	defer rows.Close()
	best, bestID := storyDistance+1, int64(0)
	for rows.Next() {
		var id, sh, st int64
		if err := rows.Scan(&id, &sh, &st); err != nil {
			return 0, fmt.Errorf("find story: %w", err)
		}
		d := bits.OnesCount64(uint64(sh) ^ h)
		if d < best || (d == best && id < bestID) {
			best, bestID, story = d, id, st
		}
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("find story: %w", err)
	}
	return story, nil
}

// newEvidenceRow checks a finding's stance and encodes its matched terms.
func newEvidenceRow(f claims.Finding) (evidenceRow, error) {
	if _, err := claims.ParseStance(string(f.Stance), false); err != nil {
		return evidenceRow{}, err
	}
	terms := f.MatchedTerms
	if terms == nil {
		terms = []string{}
	}
	tj, err := json.Marshal(terms)
	if err != nil {
		return evidenceRow{}, err
	}
	return evidenceRow{Finding: f, terms: string(tj)}, nil
}

// upsertEvidence records a finding for an article. inserted reports a new
// row; changed an existing row whose content changed (or that was stale).
// The first-seen time and reviews of an existing row are kept.
func upsertEvidence(w *stmtTx, articleID int64, published string, f evidenceRow, now time.Time) (inserted, changed bool, err error) {
	ts := dbTime(now)
	res, err := w.exec(qInsertEvidence,
		f.ClaimID, articleID, string(f.Stance), f.Confidence, f.Snippet, f.terms,
		f.Sentences, boolInt(f.InTitle), boolInt(f.Directed), published, ts, ts, f.hash)
	if err != nil {
		return false, false, err
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return true, false, nil
	}
	res, err = w.exec(qUpdateEvidence,
		string(f.Stance), f.Confidence, f.Snippet, f.terms, f.Sentences, boolInt(f.InTitle), boolInt(f.Directed), ts,
		f.ClaimID, articleID, f.hash)
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
	published_flag, content_hash, simhash, story_id,
	COALESCE((SELECT date_note FROM article_notes WHERE article_id = articles.id), ''),
	COALESCE((SELECT claimed_url FROM article_notes WHERE article_id = articles.id), '')`

func scanArticle(sc interface{ Scan(...any) error }) (Article, error) {
	var a Article
	var pub, fetched, seen sql.NullString
	var h int64
	err := sc.Scan(&a.ID, &a.URL, &a.Title, &a.Text, &a.Lang, &a.Source, &a.Outlet, &pub, &fetched, &seen,
		&a.PublishedFlag, &a.ContentHash, &h, &a.StoryID, &a.DateNote, &a.ClaimedURL)
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

// SourceNames lists every source name the store knows: configured and
// added sources, and the sources of stored articles (articles outlive
// their sources), sorted, each once.
func (s *Store) SourceNames(ctx context.Context) ([]string, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT name FROM sources UNION SELECT DISTINCT source FROM articles WHERE source <> '' ORDER BY 1`)
	if err != nil {
		return nil, fmt.Errorf("source names: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, fmt.Errorf("source names: %w", err)
		}
		out = append(out, n)
	}
	return out, rows.Err()
}
