package storage

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/claimwatch/claimwatch/claims"
)

// RematchResult counts what Rematch did.
type RematchResult struct {
	Scanned       int // articles looked at
	Matched       int // articles the claim matches now
	New           int // evidence rows created
	Updated       int // existing rows changed (or un-staled)
	Unchanged     int // existing rows the new match left as they were
	MarkedStale   int // rows the claim no longer matches
	SkippedNoText int // articles whose text retention dropped: left as they were
}

// rematchBatch is how many articles are matched between write transactions:
// big enough to amortise a commit, small enough not to hold the write lock
// for long. A variable so tests can exercise batching cheaply.
var rematchBatch = 500

// Rematch re-runs a changed claim over the stored articles, in batches by
// id. Where match reports a finding the evidence row is created or updated
// (and un-staled); where it does not, an existing row is marked stale. Rows
// are never deleted and reviews never touched. Articles whose text was
// dropped by DropOldText are skipped. progress, when not nil, is called after
// each batch with the number of articles scanned so far. Unknown claim:
// ErrNotFound.
func (s *Store) Rematch(ctx context.Context, claimID string, match func(a Article) (claims.Finding, bool), progress func(n int)) (RematchResult, error) {
	var res RematchResult
	if s.w == nil {
		return res, fmt.Errorf("rematch %s: %w", claimID, ErrReadOnly)
	}
	var one int
	if err := s.r.QueryRowContext(ctx, `SELECT 1 FROM claims WHERE id = ?`, claimID).Scan(&one); err != nil {
		return res, fmt.Errorf("rematch %s: %w", claimID, errIsNoRows(err))
	}
	type outcome struct {
		id        int64
		published any
		f         claims.Finding
		ok        bool
	}
	var last int64
	for {
		if err := ctx.Err(); err != nil {
			return res, fmt.Errorf("rematch %s: %w", claimID, err)
		}
		batch, err := s.articleBatch(ctx, last, rematchBatch)
		if err != nil {
			return res, fmt.Errorf("rematch %s: %w", claimID, err)
		}
		if len(batch) == 0 {
			return res, nil
		}
		outs := make([]outcome, 0, len(batch))
		for _, b := range batch {
			last = b.ID
			res.Scanned++
			if b.dropped {
				res.SkippedNoText++
				continue
			}
			f, ok := match(b.Article)
			f.ClaimID = claimID
			outs = append(outs, outcome{id: b.ID, published: dbTime(b.PublishedAt), f: f, ok: ok})
		}
		now := s.now()
		var delta RematchResult
		err = s.writeTx(ctx, func(tx *sql.Tx) error {
			delta = RematchResult{}
			w := s.stmts.in(ctx, tx)
			for _, o := range outs {
				if !o.ok {
					r, err := tx.ExecContext(ctx, `UPDATE evidence SET stale = 1, updated_at = ?
						WHERE claim_id = ? AND article_id = ? AND stale = 0`, dbTime(now), claimID, o.id)
					if err != nil {
						return err
					}
					n, _ := r.RowsAffected()
					delta.MarkedStale += int(n)
					continue
				}
				delta.Matched++
				row, err := newEvidenceRow(o.f)
				if err != nil {
					return fmt.Errorf("article %d: %w", o.id, err)
				}
				inserted, changed, err := upsertEvidence(w, o.id, o.published.(string), row, now)
				if err != nil {
					return fmt.Errorf("article %d: %w", o.id, err)
				}
				switch {
				case inserted:
					delta.New++
				case changed:
					delta.Updated++
				default:
					delta.Unchanged++
				}
			}
			return nil
		})
		if err != nil {
			return res, fmt.Errorf("rematch %s: %w", claimID, err)
		}
		res.Matched += delta.Matched
		res.New += delta.New
		res.Updated += delta.Updated
		res.Unchanged += delta.Unchanged
		res.MarkedStale += delta.MarkedStale
		if progress != nil {
			progress(res.Scanned)
		}
	}
}

type batchArticle struct {
	Article
	dropped bool
}

// articleBatch reads up to n articles with ids above after, in id order.
func (s *Store) articleBatch(ctx context.Context, after int64, n int) ([]batchArticle, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+articleColumns+`, text_dropped_at IS NOT NULL
		FROM articles WHERE id > ? ORDER BY id LIMIT ?`, after, n)
	if err != nil {
		return nil, fmt.Errorf("read articles: %w", err)
	}
	defer rows.Close()
	var out []batchArticle
	for rows.Next() {
		var b batchArticle
		b.Article, err = scanArticle(rowScanner{rows, []any{&b.dropped}})
		if err != nil {
			return nil, fmt.Errorf("read articles: %w", err)
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// rowScanner appends extra destinations after scanArticle's own.
type rowScanner struct {
	rows  *sql.Rows
	extra []any
}

func (r rowScanner) Scan(dest ...any) error { return r.rows.Scan(append(dest, r.extra...)...) }
