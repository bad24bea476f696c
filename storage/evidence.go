package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/claimwatch/claimwatch/claims"
)

// EvidenceFilter selects evidence. Zero fields do not filter.
type EvidenceFilter struct {
	ID      int64 // one evidence row
	ClaimID string
	// Stance filters on the effective stance (the latest review, else the
	// machine's). Asking for Irrelevant implies IncludeIrrelevant.
	Stance claims.Stance
	// Since is inclusive and Until exclusive, both on the article's
	// published date: [Since, Until).
	Since, Until time.Time
	Source       string // the article's source name
	Limit        int    // 0: no limit
	// IncludeIrrelevant keeps evidence an analyst reviewed as irrelevant;
	// IncludeStale keeps evidence the claim no longer matches after it changed.
	IncludeIrrelevant bool
	IncludeStale      bool
}

// EvidenceRow is one piece of evidence with its claim and article.
type EvidenceRow struct {
	ID             int64
	ClaimID        string
	ClaimStatement string
	ArticleID      int64
	// Stance is effective: the latest review's if any, else MachineStance.
	Stance        claims.Stance
	MachineStance claims.Stance
	Confidence    float64
	PublishedAt   time.Time
	PublishedFlag string
	DateNote      string // why PublishedAt cannot be fully trusted; "" when it can
	ClaimedURL    string // a canonical URL on another site the page named, refused
	FirstSeenAt   time.Time
	Source        string
	Outlet        string
	Title         string
	URL           string
	Snippet       string
	MatchedTerms  []string
	Sentences     int
	InTitle       bool
	Directed      bool
	StoryID       int64
	Reviewed      bool
	ReviewNote    string
	ReviewAuthor  string
	ReviewedAt    time.Time
	Stale         bool
	// ClaimHash is the claim definition the row was last matched with.
	ClaimHash string
}

const effectiveStance = `COALESCE(e.review_stance, e.stance)`

// evidenceQuery builds the query for f, newest first.
func evidenceQuery(f EvidenceFilter) (string, []any) {
	var where []string
	var args []any
	if f.ID != 0 {
		where, args = append(where, `e.id = ?`), append(args, f.ID)
	}
	if f.ClaimID != "" {
		where, args = append(where, `e.claim_id = ?`), append(args, f.ClaimID)
	}
	if f.Stance != "" {
		where, args = append(where, effectiveStance+` = ?`), append(args, string(f.Stance))
	} else if !f.IncludeIrrelevant {
		where = append(where, effectiveStance+` <> 'irrelevant'`)
	}
	if !f.Since.IsZero() {
		where, args = append(where, `e.published_at >= ?`), append(args, dbTime(f.Since))
	}
	if !f.Until.IsZero() {
		where, args = append(where, `e.published_at < ?`), append(args, dbTime(f.Until))
	}
	if f.Source != "" {
		where, args = append(where, `a.source = ?`), append(args, f.Source)
	}
	if !f.IncludeStale {
		where = append(where, `e.stale = 0`)
	}
	q := `SELECT e.id, e.claim_id, c.statement, e.article_id, ` + effectiveStance + `, e.stance, e.confidence,
		e.published_at, a.published_flag, COALESCE(n.date_note, ''), COALESCE(n.claimed_url, ''), e.first_seen_at, a.source, a.outlet, a.title, a.url, e.snippet,
		e.matched_terms, e.sentences, e.in_title, e.directed, a.story_id, e.review_stance IS NOT NULL,
		e.review_note, e.review_author, e.reviewed_at, e.stale, e.claim_hash
		FROM evidence e JOIN articles a ON a.id = e.article_id JOIN claims c ON c.id = e.claim_id
		LEFT JOIN article_notes n ON n.article_id = e.article_id`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	q += ` ORDER BY e.published_at DESC, e.id DESC`
	if f.Limit > 0 {
		q += ` LIMIT ?`
		args = append(args, f.Limit)
	}
	return q, args
}

func scanEvidence(rows *sql.Rows) (EvidenceRow, error) {
	var r EvidenceRow
	var stance, machine, terms string
	var pub, seen, reviewed sql.NullString
	err := rows.Scan(&r.ID, &r.ClaimID, &r.ClaimStatement, &r.ArticleID, &stance, &machine, &r.Confidence,
		&pub, &r.PublishedFlag, &r.DateNote, &r.ClaimedURL, &seen, &r.Source, &r.Outlet, &r.Title, &r.URL, &r.Snippet,
		&terms, &r.Sentences, &r.InTitle, &r.Directed, &r.StoryID, &r.Reviewed,
		&r.ReviewNote, &r.ReviewAuthor, &reviewed, &r.Stale, &r.ClaimHash)
	if err != nil {
		return r, err
	}
	r.Stance, r.MachineStance = claims.Stance(stance), claims.Stance(machine)
	r.PublishedAt, r.FirstSeenAt, r.ReviewedAt = mustTime(pub), mustTime(seen), mustTime(reviewed)
	if err := json.Unmarshal([]byte(terms), &r.MatchedTerms); err != nil {
		return r, fmt.Errorf("evidence %d: matched terms: %w", r.ID, err)
	}
	return r, nil
}

// ListEvidence returns the evidence f selects, newest first (published date
// descending, then id descending).
func (s *Store) ListEvidence(ctx context.Context, f EvidenceFilter) ([]EvidenceRow, error) {
	var out []EvidenceRow
	err := s.queryEvidence(ctx, s.r, f, func(r EvidenceRow) error {
		out = append(out, r)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list evidence: %w", err)
	}
	return out, nil
}

// Evidence returns one evidence row by id, whatever its stance or staleness,
// or ErrNotFound.
func (s *Store) Evidence(ctx context.Context, id int64) (EvidenceRow, error) {
	rows, err := s.ListEvidence(ctx, EvidenceFilter{ID: id, IncludeIrrelevant: true, IncludeStale: true})
	if err != nil {
		return EvidenceRow{}, err
	}
	if len(rows) == 0 {
		return EvidenceRow{}, fmt.Errorf("evidence %d: %w", id, ErrNotFound)
	}
	return rows[0], nil
}

// EvidenceByIDs returns the evidence rows of ids, whatever their stance or
// staleness, by id, in one query; an id with no row is absent from the map.
func (s *Store) EvidenceByIDs(ctx context.Context, ids []int64) (map[int64]EvidenceRow, error) {
	out := make(map[int64]EvidenceRow, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	q, args := evidenceQuery(EvidenceFilter{IncludeIrrelevant: true, IncludeStale: true})
	q = withCondition(q, `e.id IN (`+placeholders(len(ids))+`)`)
	for _, id := range ids {
		args = append(args, id)
	}
	err := s.queryRaw(ctx, q, args, func(r EvidenceRow) error {
		out[r.ID] = r
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("evidence by id: %w", err)
	}
	return out, nil
}

// StreamEvidence calls fn for each row f selects, in ListEvidence's order,
// inside one read transaction (a consistent snapshot), holding one row at a
// time. An error from fn stops the stream and is returned.
func (s *Store) StreamEvidence(ctx context.Context, f EvidenceFilter, fn func(EvidenceRow) error) error {
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("stream evidence: %w", err)
	}
	defer tx.Rollback()
	if err := s.queryEvidence(ctx, tx, f, fn); err != nil {
		return fmt.Errorf("stream evidence: %w", err)
	}
	return nil
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func (s *Store) queryEvidence(ctx context.Context, q querier, f EvidenceFilter, fn func(EvidenceRow) error) error {
	query, args := evidenceQuery(f)
	return scanEvidenceRows(ctx, q, query, args, fn)
}

// scanEvidenceRows runs an evidence query (its columns as scanEvidence
// reads them) and calls fn for each row.
func scanEvidenceRows(ctx context.Context, q querier, query string, args []any, fn func(EvidenceRow) error) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanEvidence(rows)
		if err != nil {
			return err
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Review is one analyst review of a piece of evidence.
type Review struct {
	EvidenceID int64
	Stance     claims.Stance
	Note       string
	Author     string
	CreatedAt  time.Time
}

// Review records an analyst's stance on a piece of evidence (Irrelevant
// allowed). Reviews are kept as history; the latest one is the effective
// stance. The machine stance is never changed. Unknown id: ErrNotFound.
func (s *Store) Review(ctx context.Context, evidenceID int64, stance claims.Stance, note, author string) error {
	if _, err := claims.ParseStance(string(stance), true); err != nil {
		return fmt.Errorf("review evidence %d: %w", evidenceID, err)
	}
	now := dbTime(s.now())
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		if err := execOne(ctx, tx, `
			UPDATE evidence SET review_stance = ?, review_note = ?, review_author = ?, reviewed_at = ? WHERE id = ?`,
			string(stance), note, author, now, evidenceID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `
			INSERT INTO reviews (evidence_id, stance, note, author, created_at) VALUES (?, ?, ?, ?, ?)`,
			evidenceID, string(stance), note, author, now)
		return err
	})
	if err != nil {
		return fmt.Errorf("review evidence %d: %w", evidenceID, err)
	}
	return nil
}

// ReviewHistory returns an evidence row's reviews, oldest first.
func (s *Store) ReviewHistory(ctx context.Context, evidenceID int64) ([]Review, error) {
	rows, err := s.r.QueryContext(ctx, `
		SELECT evidence_id, stance, note, author, created_at FROM reviews WHERE evidence_id = ? ORDER BY id`, evidenceID)
	if err != nil {
		return nil, fmt.Errorf("review history of evidence %d: %w", evidenceID, err)
	}
	defer rows.Close()
	var out []Review
	for rows.Next() {
		var r Review
		var created sql.NullString
		if err := rows.Scan(&r.EvidenceID, &r.Stance, &r.Note, &r.Author, &created); err != nil {
			return nil, fmt.Errorf("review history of evidence %d: %w", evidenceID, err)
		}
		r.CreatedAt = mustTime(created)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("review history of evidence %d: %w", evidenceID, err)
	}
	return out, nil
}

// errIsNoRows maps sql.ErrNoRows to ErrNotFound.
func errIsNoRows(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}
