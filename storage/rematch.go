package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

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

// upserted counts one upsertEvidence outcome.
func (r *RematchResult) upserted(inserted, changed bool) {
	switch {
	case inserted:
		r.New++
	case changed:
		r.Updated++
	default:
		r.Unchanged++
	}
}

// add adds a committed batch's counts (Scanned and SkippedNoText are
// counted as articles are read).
func (r *RematchResult) add(d RematchResult) {
	r.Matched += d.Matched
	r.New += d.New
	r.Updated += d.Updated
	r.Unchanged += d.Unchanged
	r.MarkedStale += d.MarkedStale
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
	var hash string
	if err := s.r.QueryRowContext(ctx, `SELECT hash FROM claims WHERE id = ?`, claimID).Scan(&hash); err != nil {
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
			// Most articles neither match nor held evidence: one read of
			// the batch's rows spares them a statement each.
			held, err := evidenceStates(ctx, tx, claimID, batch[0].ID, last)
			if err != nil {
				return err
			}
			for _, o := range outs {
				if !o.ok {
					st, ok := held[o.id]
					if !ok {
						continue
					}
					n, err := markStale(ctx, tx, claimID, hash, o.id, st, now)
					if err != nil {
						return err
					}
					delta.MarkedStale += n
					continue
				}
				delta.Matched++
				row, err := newEvidenceRow(o.f)
				if err != nil {
					return fmt.Errorf("article %d: %w", o.id, err)
				}
				row.hash = hash
				inserted, changed, err := upsertEvidence(w, o.id, o.published.(string), row, now)
				if err != nil {
					return fmt.Errorf("article %d: %w", o.id, err)
				}
				delta.upserted(inserted, changed)
			}
			return nil
		})
		if err != nil {
			return res, fmt.Errorf("rematch %s: %w", claimID, err)
		}
		res.add(delta)
		if progress != nil {
			progress(res.Scanned)
		}
	}
}

// evidenceState is what markStale needs to know of an evidence row.
type evidenceState struct {
	stale bool
	hash  string
}

// evidenceStates returns, by article id, the claim's evidence rows for the
// articles with ids in [from, to].
func evidenceStates(ctx context.Context, tx *sql.Tx, claimID string, from, to int64) (map[int64]evidenceState, error) {
	return scanStates[int64](ctx, tx, "claim "+claimID, `SELECT article_id, stale, claim_hash FROM evidence
		WHERE claim_id = ? AND article_id BETWEEN ? AND ?`, claimID, from, to)
}

// articleEvidenceStates returns, by claim id, an article's evidence rows.
func articleEvidenceStates(ctx context.Context, tx *sql.Tx, articleID int64) (map[string]evidenceState, error) {
	return scanStates[string](ctx, tx, fmt.Sprintf("article %d", articleID),
		`SELECT claim_id, stale, claim_hash FROM evidence WHERE article_id = ?`, articleID)
}

// scanStates reads (key, stale, claim_hash) rows into a map by key.
func scanStates[K comparable](ctx context.Context, tx *sql.Tx, of, query string, args ...any) (map[K]evidenceState, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("read the evidence of %s: %w", of, err)
	}
	defer rows.Close()
	out := map[K]evidenceState{}
	for rows.Next() {
		var key K
		var st evidenceState
		if err := rows.Scan(&key, &st.stale, &st.hash); err != nil {
			return nil, fmt.Errorf("read the evidence of %s: %w", of, err)
		}
		out[key] = st
	}
	return out, rows.Err()
}

// markStale marks a claim's evidence row for an article (in state st)
// stale, as matched with the definition hash, and returns 1 when it was
// not stale before.
func markStale(ctx context.Context, tx *sql.Tx, claimID, hash string, articleID int64, st evidenceState, now time.Time) (int, error) {
	switch {
	case !st.stale:
		_, err := tx.ExecContext(ctx, `UPDATE evidence SET stale = 1, updated_at = ?, claim_hash = ?
			WHERE claim_id = ? AND article_id = ?`, dbTime(now), hash, claimID, articleID)
		return 1, err
	case st.hash != hash:
		// Already stale: it is now known to be stale under hash too.
		_, err := tx.ExecContext(ctx, `UPDATE evidence SET claim_hash = ?
			WHERE claim_id = ? AND article_id = ?`, hash, claimID, articleID)
		return 0, err
	}
	return 0, nil
}

// RematchOutdated matches again, with the live claims (rules, whose
// definitions SyncClaims has stored), every article that may hold evidence
// of other definitions: articles queued by a save whose claim set was not
// the live one (a poll in flight during a reload), and articles with an
// evidence row whose claim_hash is not its claim's stored hash. match
// returns the live claims' findings for an article. Each claim's evidence is
// then created or updated, or marked stale where the live definition no
// longer matches, all recording the live hash; the article leaves the
// queue. Articles whose text retention dropped cannot be matched and are
// left as they are. progress, when not nil, is called after each batch.
func (s *Store) RematchOutdated(ctx context.Context, rules Rules, match func(a Article) []claims.Finding, progress func(n int)) (RematchResult, error) {
	var res RematchResult
	if s.w == nil {
		return res, fmt.Errorf("rematch outdated evidence: %w", ErrReadOnly)
	}
	fail := func(err error) (RematchResult, error) {
		return res, fmt.Errorf("rematch outdated evidence: %w", err)
	}
	if err := s.writeTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM rematch_queue
			WHERE article_id IN (SELECT id FROM articles WHERE text_dropped_at IS NOT NULL)`)
		return err
	}); err != nil {
		return fail(err)
	}
	var last int64
	for {
		if err := ctx.Err(); err != nil {
			return fail(err)
		}
		ids, err := s.outdatedArticles(ctx, last, rematchBatch)
		if err != nil {
			return fail(err)
		}
		if len(ids) == 0 {
			return res, nil
		}
		type outcome struct {
			a        Article
			findings map[string]claims.Finding
		}
		outs := make([]outcome, 0, len(ids))
		for _, id := range ids {
			last = id
			a, err := s.Article(ctx, id)
			if errors.Is(err, ErrNotFound) {
				continue // deleted meanwhile
			}
			if err != nil {
				return fail(err)
			}
			res.Scanned++
			byClaim := map[string]claims.Finding{}
			for _, f := range match(a) {
				byClaim[f.ClaimID] = f
			}
			outs = append(outs, outcome{a: a, findings: byClaim})
		}
		now := s.now()
		var delta RematchResult
		err = s.writeTx(ctx, func(tx *sql.Tx) error {
			delta = RematchResult{}
			w := s.stmts.in(ctx, tx)
			for _, o := range outs {
				held, err := articleEvidenceStates(ctx, tx, o.a.ID)
				if err != nil {
					return err
				}
				for id, hash := range rules.Claims {
					f, ok := o.findings[id]
					if !ok {
						st, had := held[id]
						if !had {
							continue
						}
						n, err := markStale(ctx, tx, id, hash, o.a.ID, st, now)
						if err != nil {
							return fmt.Errorf("article %d, claim %s: %w", o.a.ID, id, err)
						}
						delta.MarkedStale += n
						continue
					}
					delta.Matched++
					row, err := newEvidenceRow(f)
					if err != nil {
						return fmt.Errorf("article %d, claim %s: %w", o.a.ID, id, err)
					}
					row.hash = hash
					inserted, changed, err := upsertEvidence(w, o.a.ID, dbTime(o.a.PublishedAt).(string), row, now)
					if err != nil {
						return fmt.Errorf("article %d, claim %s: %w", o.a.ID, id, err)
					}
					delta.upserted(inserted, changed)
				}
				if _, err := tx.ExecContext(ctx, `DELETE FROM rematch_queue WHERE article_id = ?`, o.a.ID); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fail(err)
		}
		res.add(delta)
		if progress != nil {
			progress(res.Scanned)
		}
	}
}

// outdatedArticles returns up to n ids above after, in order, of articles
// (with their text) that are queued or hold evidence whose claim_hash is
// not the claim's stored hash.
func (s *Store) outdatedArticles(ctx context.Context, after int64, n int) ([]int64, error) {
	rows, err := s.r.QueryContext(ctx, `
		SELECT id FROM (
			SELECT article_id AS id FROM rematch_queue
			UNION
			SELECT e.article_id FROM evidence e JOIN claims c ON c.id = e.claim_id
				WHERE c.retired = 0 AND e.claim_hash <> c.hash)
		WHERE id > ? AND id IN (SELECT id FROM articles WHERE text_dropped_at IS NULL)
		ORDER BY id LIMIT ?`, after, n)
	if err != nil {
		return nil, fmt.Errorf("find outdated articles: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("find outdated articles: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
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
