package report

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/claimwatch/claimwatch/storage"
)

// StatusRow is a claim's status as reported: storage's computed signal plus
// the date of the newest counted evidence of any stance.
type StatusRow struct {
	storage.Status
	LastEvidence time.Time
}

// Statuses returns the status of every stored claim (or of the one claim
// when claimID is set), trend windows ending at now.
func Statuses(ctx context.Context, s *storage.Store, now time.Time, claimID string) ([]StatusRow, error) {
	sts, err := s.ClaimStatus(ctx, now)
	if err != nil {
		return nil, err
	}
	var out []StatusRow
	for _, st := range sts {
		if claimID != "" && st.ClaimID != claimID {
			continue
		}
		row := StatusRow{Status: st}
		if st.Supports+st.Contradicts+st.Mentions > 0 {
			// ClaimStatus has the latest supporting and contradicting dates;
			// the newest of any stance is one indexed row away.
			last, err := s.ListEvidence(ctx, storage.EvidenceFilter{ClaimID: st.ClaimID, Limit: 1})
			if err != nil {
				return nil, fmt.Errorf("status of %s: %w", st.ClaimID, err)
			}
			if len(last) == 1 {
				row.LastEvidence = last[0].PublishedAt
			}
		}
		out = append(out, row)
	}
	return out, nil
}

// Arrow shows a trend: ↑ more evidence in the recent window than in the
// equal window before, ↓ less, → the same.
func Arrow(recent, before int) string {
	switch {
	case recent > before:
		return "↑"
	case recent < before:
		return "↓"
	}
	return "→"
}

// TrendWord is Arrow in words, for exports: up, down or flat.
func TrendWord(recent, before int) string {
	switch {
	case recent > before:
		return "up"
	case recent < before:
		return "down"
	}
	return "flat"
}

// VerdictLabel is the verdict as shown in tables: an expiry the analyst has
// not acted on yet is a suggestion beside the verdict, never a verdict.
func VerdictLabel(st storage.Status) string {
	if st.SuggestExpired {
		return st.Verdict + " (expired?)"
	}
	return st.Verdict
}

// StatusColumns are the status export's columns, in order.
var StatusColumns = []string{
	"claim_id", "statement", "verdict", "verdict_at", "suggest_expired", "retired", "made", "horizon",
	"supports", "contradicts", "mentions", "stories", "outlets",
	"last_evidence", "latest_supports", "latest_contradicts",
	"last_30d", "prev_30d", "trend_30d", "last_90d", "prev_90d", "trend_90d",
}

// StatusJSON is the JSON shape of one status row, with StatusColumns' names.
type StatusJSON struct {
	ClaimID           string `json:"claim_id"`
	Statement         string `json:"statement"`
	Verdict           string `json:"verdict"`
	VerdictAt         string `json:"verdict_at"`
	SuggestExpired    bool   `json:"suggest_expired"`
	Retired           bool   `json:"retired"`
	Made              string `json:"made"`
	Horizon           string `json:"horizon"`
	Supports          int    `json:"supports"`
	Contradicts       int    `json:"contradicts"`
	Mentions          int    `json:"mentions"`
	Stories           int    `json:"stories"`
	Outlets           int    `json:"outlets"`
	LastEvidence      string `json:"last_evidence"`
	LatestSupports    string `json:"latest_supports"`
	LatestContradicts string `json:"latest_contradicts"`
	Last30d           int    `json:"last_30d"`
	Prev30d           int    `json:"prev_30d"`
	Trend30d          string `json:"trend_30d"`
	Last90d           int    `json:"last_90d"`
	Prev90d           int    `json:"prev_90d"`
	Trend90d          string `json:"trend_90d"`
}

// StatusToJSON converts a row to its JSON shape.
func StatusToJSON(r StatusRow) StatusJSON {
	var horizon string
	if r.Horizon != nil {
		horizon = Stamp(*r.Horizon)
	}
	t := r.Trend
	return StatusJSON{
		ClaimID: r.ClaimID, Statement: r.Statement, Verdict: r.Verdict, VerdictAt: Stamp(r.VerdictAt),
		SuggestExpired: r.SuggestExpired, Retired: r.Retired, Made: Stamp(r.Made), Horizon: horizon,
		Supports: r.Supports, Contradicts: r.Contradicts, Mentions: r.Mentions, Stories: r.Stories, Outlets: r.Outlets,
		LastEvidence: Stamp(r.LastEvidence), LatestSupports: Stamp(r.LatestSupports), LatestContradicts: Stamp(r.LatestContradicts),
		Last30d: t.Last30, Prev30d: t.Prev30, Trend30d: TrendWord(t.Last30, t.Prev30),
		Last90d: t.Last90, Prev90d: t.Prev90, Trend90d: TrendWord(t.Last90, t.Prev90),
	}
}

type statusRecord StatusRow

func (r statusRecord) jsonValue() any { return StatusToJSON(StatusRow(r)) }

func (r statusRecord) csvCells(buf []string) []string {
	j := StatusToJSON(StatusRow(r))
	return append(buf, Inert(j.ClaimID), Inert(j.Statement), j.Verdict, j.VerdictAt,
		fmt.Sprint(j.SuggestExpired), fmt.Sprint(j.Retired), j.Made, j.Horizon,
		itoa(j.Supports), itoa(j.Contradicts), itoa(j.Mentions), itoa(j.Stories), itoa(j.Outlets),
		j.LastEvidence, j.LatestSupports, j.LatestContradicts,
		itoa(j.Last30d), itoa(j.Prev30d), j.Trend30d, itoa(j.Last90d), itoa(j.Prev90d), j.Trend90d)
}

// ExportStatus writes status rows in format.
func ExportStatus(w io.Writer, format Format, rows []StatusRow) error {
	recs := make([]statusRecord, len(rows))
	for i, r := range rows {
		recs[i] = statusRecord(r)
	}
	if err := writeAll(w, format, StatusColumns, recs); err != nil {
		return fmt.Errorf("export status: %w", err)
	}
	return nil
}

// statementWidth keeps a status row within a 120-column terminal.
const statementWidth = 48

// WriteStatusTable prints the status table for a terminal.
func WriteStatusTable(w io.Writer, rows []StatusRow) error {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tVERDICT\tSUP\tCON\tMEN\tSTORIES\tOUTLETS\tLAST\tTREND 30/90d\tSTATEMENT")
	for _, r := range rows {
		stmt := Truncate(r.Statement, statementWidth)
		if r.Retired {
			stmt = "(retired) " + stmt
		}
		t := r.Trend
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%d\t%s\t%s %s\t%s\n", r.ClaimID, VerdictLabel(r.Status),
			r.Supports, r.Contradicts, r.Mentions, r.Stories, r.Outlets, Day(r.LastEvidence),
			Arrow(t.Last30, t.Prev30), Arrow(t.Last90, t.Prev90), stmt)
	}
	return tw.Flush()
}
