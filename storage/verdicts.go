package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Verdicts an analyst can give a claim.
const (
	VerdictOpen       = "open"
	VerdictDeveloping = "developing"
	VerdictConfirmed  = "confirmed"
	VerdictPartly     = "partly"
	VerdictStalled    = "stalled"
	VerdictRefuted    = "refuted"
	VerdictExpired    = "expired"
)

// Verdicts lists the valid verdicts, in a sensible display order.
var Verdicts = []string{VerdictOpen, VerdictDeveloping, VerdictConfirmed, VerdictPartly, VerdictStalled, VerdictRefuted, VerdictExpired}

// Verdict is one analyst verdict on a claim.
type Verdict struct {
	ClaimID   string
	Verdict   string
	Note      string
	Author    string
	CreatedAt time.Time // zero for the default "open" of a claim never judged
}

// SetVerdict records an analyst's verdict on a claim; earlier ones stay as
// history. Unknown claim: ErrNotFound.
func (s *Store) SetVerdict(ctx context.Context, claimID, verdict, note, author string) error {
	valid := false
	for _, v := range Verdicts {
		valid = valid || v == verdict
	}
	if !valid {
		return fmt.Errorf("set verdict of %s: unknown verdict %q: want one of %v", claimID, verdict, Verdicts)
	}
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		var one int
		if err := tx.QueryRowContext(ctx, `SELECT 1 FROM claims WHERE id = ?`, claimID).Scan(&one); err != nil {
			return errIsNoRows(err)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO verdicts (claim_id, verdict, note, author, created_at) VALUES (?, ?, ?, ?, ?)`,
			claimID, verdict, note, author, dbTime(s.now()))
		return err
	})
	if err != nil {
		return fmt.Errorf("set verdict of %s: %w", claimID, err)
	}
	return nil
}

// VerdictHistory returns a claim's verdicts, oldest first (empty when never
// judged). Unknown claim: ErrNotFound.
func (s *Store) VerdictHistory(ctx context.Context, claimID string) ([]Verdict, error) {
	var one int
	if err := s.r.QueryRowContext(ctx, `SELECT 1 FROM claims WHERE id = ?`, claimID).Scan(&one); err != nil {
		return nil, fmt.Errorf("verdicts of %s: %w", claimID, errIsNoRows(err))
	}
	rows, err := s.r.QueryContext(ctx, `
		SELECT claim_id, verdict, note, author, created_at FROM verdicts WHERE claim_id = ? ORDER BY id`, claimID)
	if err != nil {
		return nil, fmt.Errorf("verdicts of %s: %w", claimID, err)
	}
	defer rows.Close()
	var out []Verdict
	for rows.Next() {
		var v Verdict
		var created sql.NullString
		if err := rows.Scan(&v.ClaimID, &v.Verdict, &v.Note, &v.Author, &created); err != nil {
			return nil, fmt.Errorf("verdicts of %s: %w", claimID, err)
		}
		v.CreatedAt = mustTime(created)
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("verdicts of %s: %w", claimID, err)
	}
	return out, nil
}

// CurrentVerdict returns a claim's latest verdict, or "open" (with a zero
// CreatedAt) when it was never judged. Unknown claim: ErrNotFound.
func (s *Store) CurrentVerdict(ctx context.Context, claimID string) (Verdict, error) {
	hist, err := s.VerdictHistory(ctx, claimID)
	if err != nil {
		return Verdict{}, err
	}
	if len(hist) == 0 {
		return Verdict{ClaimID: claimID, Verdict: VerdictOpen}, nil
	}
	return hist[len(hist)-1], nil
}
