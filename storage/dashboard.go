package storage

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// The read-only queries the web dashboard needs beyond the CLI's: keyset
// pages of evidence, an article's claims and story, search with markers
// that cannot occur in text, and articles per source.

// Cursor is a position in the evidence order (published date descending,
// then id descending): a page continues with the rows after it.
type Cursor struct {
	PublishedAt time.Time
	ID          int64
}

// IsZero reports whether c is the start of the list.
func (c Cursor) IsZero() bool { return c.ID == 0 }

// String encodes c for a URL; ParseCursor reads it back.
func (c Cursor) String() string {
	if c.IsZero() {
		return ""
	}
	return fmt.Sprintf("%s~%d", c.PublishedAt.UTC().Format(timeLayout), c.ID)
}

// ParseCursor reads a Cursor written by Cursor.String; empty is the start.
func ParseCursor(s string) (Cursor, error) {
	if s == "" {
		return Cursor{}, nil
	}
	ts, idText, ok := strings.Cut(s, "~")
	var c Cursor
	var err error
	if ok {
		c.PublishedAt, err = time.Parse(timeLayout, ts)
	}
	if ok && err == nil {
		_, err = fmt.Sscanf(idText, "%d", &c.ID)
	}
	if !ok || err != nil || c.ID <= 0 {
		return Cursor{}, fmt.Errorf("page position %q: not one this server wrote", s)
	}
	return c, nil
}

// withCondition adds cond (ANDed) to a query built by evidenceQuery without
// a limit, keeping its ORDER BY at the end.
func withCondition(q, cond string) string {
	head, order, _ := strings.Cut(q, ` ORDER BY `)
	if strings.Contains(head, ` WHERE `) {
		head += ` AND ` + cond
	} else {
		head += ` WHERE ` + cond
	}
	return head + ` ORDER BY ` + order
}

// EvidencePage returns up to limit rows of the evidence f selects that come
// after the cursor, in ListEvidence's order, and the cursor of the next page
// (zero when this is the last). f.Limit is ignored. Each page is an index
// range scan, however deep: no OFFSET.
func (s *Store) EvidencePage(ctx context.Context, f EvidenceFilter, after Cursor, limit int) ([]EvidenceRow, Cursor, error) {
	f.Limit = 0
	q, args := evidenceQuery(f)
	if !after.IsZero() {
		q = withCondition(q, `(e.published_at, e.id) < (?, ?)`)
		args = append(args, dbTime(after.PublishedAt), after.ID)
	}
	q += ` LIMIT ?`
	args = append(args, limit+1) // one more says whether a next page exists
	var out []EvidenceRow
	err := s.queryRaw(ctx, q, args, func(r EvidenceRow) error {
		out = append(out, r)
		return nil
	})
	if err != nil {
		return nil, Cursor{}, fmt.Errorf("evidence page: %w", err)
	}
	var next Cursor
	if len(out) > limit {
		out = out[:limit]
		last := out[limit-1]
		next = Cursor{PublishedAt: last.PublishedAt, ID: last.ID}
	}
	return out, next, nil
}

// ArticleEvidence returns every evidence row of one article, stale and
// irrelevant ones included, by claim id.
func (s *Store) ArticleEvidence(ctx context.Context, articleID int64) ([]EvidenceRow, error) {
	q, args := evidenceQuery(EvidenceFilter{IncludeIrrelevant: true, IncludeStale: true})
	q = withCondition(q, `e.article_id = ?`)
	q = strings.Replace(q, ` ORDER BY `, ` ORDER BY e.claim_id, `, 1)
	var out []EvidenceRow
	err := s.queryRaw(ctx, q, append(args, articleID), func(r EvidenceRow) error {
		out = append(out, r)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("evidence of article %d: %w", articleID, err)
	}
	return out, nil
}

func (s *Store) queryRaw(ctx context.Context, q string, args []any, fn func(EvidenceRow) error) error {
	return scanEvidenceRows(ctx, s.r, q, args, fn)
}

// StoryCopy is one article of a story (syndicated copies share a story).
type StoryCopy struct {
	ArticleID   int64
	Title, URL  string
	Source      string
	Outlet      string
	PublishedAt time.Time
}

// maxStoryCopies bounds the copies listed for one story.
const maxStoryCopies = 200

// StoryCopies returns the articles of a story, oldest first.
func (s *Store) StoryCopies(ctx context.Context, storyID int64) ([]StoryCopy, error) {
	rows, err := s.r.QueryContext(ctx, `
		SELECT id, title, url, source, outlet, published_at FROM articles
		WHERE story_id = ? ORDER BY published_at, id LIMIT ?`, storyID, maxStoryCopies)
	if err != nil {
		return nil, fmt.Errorf("story %d: %w", storyID, err)
	}
	defer rows.Close()
	var out []StoryCopy
	for rows.Next() {
		var c StoryCopy
		var pub sql.NullString
		if err := rows.Scan(&c.ArticleID, &c.Title, &c.URL, &c.Source, &c.Outlet, &pub); err != nil {
			return nil, fmt.Errorf("story %d: %w", storyID, err)
		}
		c.PublishedAt = mustTime(pub)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("story %d: %w", storyID, err)
	}
	return out, nil
}

// Markers that SearchMarked puts around matched words: private-use code
// points, which news text does not carry, unlike the brackets of Search.
const (
	MarkStart = "\uE000"
	MarkEnd   = "\uE001"
)

// MarkedHit is a search hit whose title and snippet carry MarkStart/MarkEnd
// around the matched words.
type MarkedHit struct {
	ArticleID   int64
	Title       string
	URL         string
	Outlet      string
	PublishedAt time.Time
	Snippet     string
}

// SearchMarked is Search for the dashboard, with matched words between
// MarkStart and MarkEnd in both title and snippet. Newest stored first, which
// stops after limit matches however common the words; byRank orders best
// matches first instead, which must score every match. A malformed query
// gives an error matching ErrBadQuery whose message is a plain sentence.
func (s *Store) SearchMarked(ctx context.Context, query string, limit int, byRank bool) ([]MarkedHit, error) {
	ctx, cancel, err := boundSearch(ctx, query, 0)
	if err != nil {
		return nil, err
	}
	defer cancel()
	order := `articles_fts.rowid DESC`
	if byRank {
		order = `rank, articles_fts.rowid`
	}
	rows, err := s.r.QueryContext(ctx, `
		SELECT a.id, highlight(articles_fts, 0, ?2, ?3), a.url, a.outlet, a.published_at,
			snippet(articles_fts, 1, ?2, ?3, '…', 24)
		FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid
		WHERE articles_fts MATCH ?1 ORDER BY `+order+` LIMIT ?4`, quoteHyphenated(query), MarkStart, MarkEnd, limit)
	if err != nil {
		return nil, searchFailed(ctx, query, err)
	}
	defer rows.Close()
	var out []MarkedHit
	for rows.Next() {
		var h MarkedHit
		var pub sql.NullString
		if err := rows.Scan(&h.ArticleID, &h.Title, &h.URL, &h.Outlet, &pub, &h.Snippet); err != nil {
			return nil, searchFailed(ctx, query, err)
		}
		h.PublishedAt = mustTime(pub)
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		return nil, searchFailed(ctx, query, err)
	}
	return out, nil
}

// ArticlesPerSource counts stored articles by source name.
func (s *Store) ArticlesPerSource(ctx context.Context) (map[string]int, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT source, COUNT(*) FROM articles GROUP BY source`)
	if err != nil {
		return nil, fmt.Errorf("articles per source: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var name string
		var n int
		if err := rows.Scan(&name, &n); err != nil {
			return nil, fmt.Errorf("articles per source: %w", err)
		}
		out[name] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("articles per source: %w", err)
	}
	return out, nil
}
