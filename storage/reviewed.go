package storage

import (
	"context"
	"fmt"
	"strings"

	"github.com/claimwatch/claimwatch/claims"
)

// Reviewed is a piece of evidence an analyst reviewed, with the stored text
// of its article: a label for measuring the matcher (`claimwatch eval
// --reviews`) and learning from the analyst (`claimwatch claims suggest`).
type Reviewed struct {
	EvidenceID    int64
	ClaimID       string
	URL, Title    string
	Text          string // the article text as stored; empty when TextDropped
	TextDropped   bool   // retention dropped the text: only the title is left
	MachineStance claims.Stance
	ReviewStance  claims.Stance // the latest review; Irrelevant included
	Snippet       string
	Note          string
	Stale         bool
}

// ReviewedEvidence returns every reviewed piece of evidence of the claims
// named (all claims when none is), stale evidence included, in evidence id
// order.
func (s *Store) ReviewedEvidence(ctx context.Context, claimIDs ...string) ([]Reviewed, error) {
	q := `SELECT e.id, e.claim_id, a.url, a.title, a.text, a.text_dropped_at IS NOT NULL, e.stance, e.review_stance,
		e.snippet, e.review_note, e.stale
		FROM evidence e JOIN articles a ON a.id = e.article_id
		WHERE e.review_stance IS NOT NULL`
	var args []any
	if len(claimIDs) > 0 {
		q += ` AND e.claim_id IN (?` + strings.Repeat(`, ?`, len(claimIDs)-1) + `)`
		for _, id := range claimIDs {
			args = append(args, id)
		}
	}
	rows, err := s.r.QueryContext(ctx, q+` ORDER BY e.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("reviewed evidence: %w", err)
	}
	defer rows.Close()
	var out []Reviewed
	for rows.Next() {
		var r Reviewed
		if err := rows.Scan(&r.EvidenceID, &r.ClaimID, &r.URL, &r.Title, &r.Text, &r.TextDropped, &r.MachineStance,
			&r.ReviewStance, &r.Snippet, &r.Note, &r.Stale); err != nil {
			return nil, fmt.Errorf("reviewed evidence: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reviewed evidence: %w", err)
	}
	return out, nil
}
