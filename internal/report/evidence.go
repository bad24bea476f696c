package report

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/claimwatch/claimwatch/storage"
)

// EvidenceColumns are the evidence export's columns, in order. stance is the
// effective stance (the analyst's review if any, else machine_stance).
var EvidenceColumns = []string{
	"evidence_id", "claim_id", "claim_statement", "stance", "machine_stance", "confidence",
	"published_at", "first_seen_at", "source", "outlet", "title", "url", "snippet",
	"matched_terms", "story_id", "review_note",
}

// TermsSeparator joins matched terms in a CSV cell.
const TermsSeparator = "; "

// EvidenceJSON is the JSON (and JSON Lines) shape of one evidence row: the
// CSV columns, with numbers as numbers and matched_terms as an array. JSON
// is not read by spreadsheets, so its text is not made Inert.
type EvidenceJSON struct {
	EvidenceID     int64   `json:"evidence_id"`
	ClaimID        string  `json:"claim_id"`
	ClaimStatement string  `json:"claim_statement"`
	Stance         string  `json:"stance"`
	MachineStance  string  `json:"machine_stance"`
	Confidence     float64 `json:"confidence"`
	PublishedAt    string  `json:"published_at"`
	// DateNote says why published_at cannot be fully trusted; absent when
	// it can.
	DateNote    string `json:"date_note,omitempty"`
	FirstSeenAt string `json:"first_seen_at"`
	Source      string `json:"source"`
	Outlet      string `json:"outlet"`
	Title       string `json:"title"`
	URL         string `json:"url"`
	// ClaimedURL is a canonical URL on another site the page named, refused;
	// absent when there is none.
	ClaimedURL   string   `json:"claimed_url,omitempty"`
	Snippet      string   `json:"snippet"`
	MatchedTerms []string `json:"matched_terms"`
	StoryID      int64    `json:"story_id"`
	ReviewNote   string   `json:"review_note"`
	// Stale is set only with --all, for evidence the changed claim no longer
	// matches.
	Stale bool `json:"stale,omitempty"`
}

type evidenceRecord storage.EvidenceRow

// EvidenceCells returns the CSV cells of one evidence row, untrusted text
// made Inert.
func EvidenceCells(r storage.EvidenceRow) []string {
	return evidenceRecord(r).csvCells(nil)
}

func (r evidenceRecord) csvCells(buf []string) []string {
	return append(buf,
		i64toa(r.ID), Inert(r.ClaimID), Inert(r.ClaimStatement), string(r.Stance), string(r.MachineStance),
		strconv.FormatFloat(r.Confidence, 'f', -1, 64),
		Stamp(r.PublishedAt), Stamp(r.FirstSeenAt), Inert(r.Source), Inert(r.Outlet), Inert(r.Title),
		Inert(r.URL), Inert(r.Snippet), Inert(strings.Join(r.MatchedTerms, TermsSeparator)),
		i64toa(r.StoryID), Inert(r.ReviewNote))
}

func (r evidenceRecord) jsonValue() any { return EvidenceToJSON(storage.EvidenceRow(r)) }

// EvidenceToJSON converts a row to its JSON shape.
func EvidenceToJSON(r storage.EvidenceRow) EvidenceJSON {
	terms := r.MatchedTerms
	if terms == nil {
		terms = []string{}
	}
	return EvidenceJSON{
		EvidenceID: r.ID, ClaimID: r.ClaimID, ClaimStatement: r.ClaimStatement, Stance: string(r.Stance),
		MachineStance: string(r.MachineStance), Confidence: r.Confidence, PublishedAt: Stamp(r.PublishedAt),
		DateNote: r.DateNote, FirstSeenAt: Stamp(r.FirstSeenAt), Source: r.Source, Outlet: r.Outlet, Title: r.Title, URL: r.URL, ClaimedURL: r.ClaimedURL,
		Snippet: r.Snippet, MatchedTerms: terms, StoryID: r.StoryID, ReviewNote: r.ReviewNote, Stale: r.Stale,
	}
}

// ExportEvidence streams the evidence f selects to w in format, inside one
// read transaction, holding one row at a time. It returns the rows written.
func ExportEvidence(ctx context.Context, s *storage.Store, f storage.EvidenceFilter, format Format, w io.Writer) (int, error) {
	e, err := newEncoder(w, format, EvidenceColumns)
	if err != nil {
		return 0, fmt.Errorf("export evidence: %w", err)
	}
	err = s.StreamEvidence(ctx, f, func(r storage.EvidenceRow) error {
		return e.encode(evidenceRecord(r))
	})
	if err == nil {
		err = e.close()
	}
	if err != nil {
		return e.n, fmt.Errorf("export evidence: %w", err)
	}
	return e.n, nil
}
