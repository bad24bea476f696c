package storage

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// SearchOptions narrow a full-text search.
type SearchOptions struct {
	ClaimID string    // only articles with (non-stale) evidence for this claim
	Since   time.Time // only articles published at or after Since
	Limit   int       // default 50
}

// SearchHit is one article found by Search.
type SearchHit struct {
	ArticleID   int64
	Title       string
	URL         string
	PublishedAt time.Time
	// Snippet is a few words around the match with matched terms in [ and ].
	Snippet string
}

// Search runs an FTS5 query (words, "phrases", AND/OR/NOT, prefix*) over
// article titles and texts, best matches first. A malformed query gives an
// error matching ErrBadQuery whose message is a plain sentence.
func (s *Store) Search(ctx context.Context, query string, o SearchOptions) ([]SearchHit, error) {
	if strings.TrimSpace(query) == "" {
		return nil, badQuery(query, "the query is empty")
	}
	q := `SELECT a.id, a.title, a.url, a.published_at, snippet(articles_fts, -1, '[', ']', '…', 16)
		FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid
		WHERE articles_fts MATCH ?`
	args := []any{query}
	if !o.Since.IsZero() {
		q, args = q+` AND a.published_at >= ?`, append(args, dbTime(o.Since))
	}
	if o.ClaimID != "" {
		q += ` AND EXISTS (SELECT 1 FROM evidence e WHERE e.article_id = a.id AND e.claim_id = ? AND e.stale = 0)`
		args = append(args, o.ClaimID)
	}
	if o.Limit <= 0 {
		o.Limit = 50
	}
	q, args = q+` ORDER BY rank, a.id LIMIT ?`, append(args, o.Limit)
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, searchErr(query, err)
	}
	defer rows.Close()
	var out []SearchHit
	for rows.Next() {
		var h SearchHit
		var pub sql.NullString
		if err := rows.Scan(&h.ArticleID, &h.Title, &h.URL, &pub, &h.Snippet); err != nil {
			return nil, searchErr(query, err)
		}
		h.PublishedAt = mustTime(pub)
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		return nil, searchErr(query, err)
	}
	return out, nil
}

// searchErr turns FTS5's parse errors into ErrBadQuery; other errors are
// wrapped as they are.
func searchErr(query string, err error) error {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "fts5: syntax error"), strings.Contains(msg, "unterminated string"):
		return badQuery(query, "it is not valid search syntax: check for unbalanced quotes or parentheses, and for AND, OR, NOT or NEAR without a word on both sides (put such words in double quotes to search for them)")
	case strings.Contains(msg, "no such column"):
		return badQuery(query, `a word followed by ":" is read as a column name, and only title and text exist (put the word in double quotes to search for it)`)
	case strings.Contains(msg, "fts5:"):
		return badQuery(query, "the search engine could not read it ("+msg[strings.Index(msg, "fts5:"):]+")")
	}
	return fmt.Errorf("search %q: %w", query, err)
}

func badQuery(query, why string) error {
	return fmt.Errorf("search: %w %q: %s", ErrBadQuery, query, why)
}
