package storage

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/claimwatch/claimwatch/claims"
)

// mergeBatch is how many articles EachArticle reads at a time.
const mergeBatch = 200

// EachArticle calls fn for every stored article in id order, with the
// machine's findings stored for it (stale ones left out): what `db merge`
// saves again into another database.
func (s *Store) EachArticle(ctx context.Context, fn func(Article, []claims.Finding) error) error {
	var after int64
	for {
		batch, err := s.articlesAfter(ctx, after)
		if err != nil {
			return err
		}
		if len(batch) == 0 {
			return nil
		}
		for _, a := range batch {
			fs, err := s.findingsOf(ctx, a.ID)
			if err != nil {
				return err
			}
			if err := fn(a, fs); err != nil {
				return err
			}
			after = a.ID
		}
	}
}

func (s *Store) articlesAfter(ctx context.Context, after int64) ([]Article, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+articleColumns+` FROM articles WHERE id > ? ORDER BY id LIMIT ?`, after, mergeBatch)
	if err != nil {
		return nil, fmt.Errorf("articles after %d: %w", after, err)
	}
	defer rows.Close()
	var out []Article
	for rows.Next() {
		a, err := scanArticle(rows)
		if err != nil {
			return nil, fmt.Errorf("articles after %d: %w", after, err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

func (s *Store) findingsOf(ctx context.Context, articleID int64) ([]claims.Finding, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT claim_id, stance, confidence, snippet, matched_terms, sentences, in_title, directed
		FROM evidence WHERE article_id = ? AND stale = 0 ORDER BY claim_id`, articleID)
	if err != nil {
		return nil, fmt.Errorf("evidence of article %d: %w", articleID, err)
	}
	defer rows.Close()
	var out []claims.Finding
	for rows.Next() {
		var f claims.Finding
		var terms string
		var inTitle, directed int
		if err := rows.Scan(&f.ClaimID, &f.Stance, &f.Confidence, &f.Snippet, &terms, &f.Sentences, &inTitle, &directed); err != nil {
			return nil, fmt.Errorf("evidence of article %d: %w", articleID, err)
		}
		if err := json.Unmarshal([]byte(terms), &f.MatchedTerms); err != nil {
			return nil, fmt.Errorf("evidence of article %d: matched terms: %w", articleID, err)
		}
		f.InTitle, f.Directed = inTitle == 1, directed == 1
		out = append(out, f)
	}
	return out, rows.Err()
}

// Checkpoints returns every backfill checkpoint.
func (s *Store) Checkpoints(ctx context.Context) ([]Checkpoint, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT input, resume_offset, done, records FROM backfill_checkpoints ORDER BY input`)
	if err != nil {
		return nil, fmt.Errorf("checkpoints: %w", err)
	}
	defer rows.Close()
	var out []Checkpoint
	for rows.Next() {
		var cp Checkpoint
		var done int
		if err := rows.Scan(&cp.Input, &cp.Offset, &done, &cp.Records); err != nil {
			return nil, fmt.Errorf("checkpoints: %w", err)
		}
		cp.Done = done == 1
		out = append(out, cp)
	}
	return out, rows.Err()
}
