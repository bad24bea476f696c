package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"time"

	"github.com/claimwatch/claimwatch/claims"
	"github.com/claimwatch/claimwatch/internal/report"
	"github.com/claimwatch/claimwatch/storage"
)

// sparkWeeks is how many weeks the board's sparklines cover.
const sparkWeeks = 12

type boardPage struct {
	Now      time.Time
	Rows     []boardRow
	Tags     []string
	Verdicts []string
	Tag      string
	Verdict  string
	Query    url.Values // the filters, for download links
	Total    int        // claims before filtering
}

func (boardPage) pageTitle() string { return "Claims" }

type boardRow struct {
	report.StatusRow
	Tags              []string
	DaysLeft          string
	Overdue           bool
	Spark             sparkline
	LatestSupports    *storage.EvidenceRow
	LatestContradicts *storage.EvidenceRow
}

// boardFilter is the board's query: a tag and a verdict, both optional.
type boardFilter struct{ tag, verdict string }

func (f boardFilter) values() url.Values {
	v := url.Values{}
	if f.tag != "" {
		v.Set("tag", f.tag)
	}
	if f.verdict != "" {
		v.Set("verdict", f.verdict)
	}
	return v
}

// statuses returns the status rows the filter keeps, with each claim's tags,
// and every tag in use.
func (s *Server) statuses(ctx context.Context, f boardFilter) (rows []report.StatusRow, tags map[string][]string, all []string, total int, err error) {
	sts, err := s.status.get(ctx, s)
	if err != nil {
		return nil, nil, nil, 0, err
	}
	recs, err := s.o.Store.Claims(ctx)
	if err != nil {
		return nil, nil, nil, 0, err
	}
	tags = map[string][]string{}
	seen := map[string]bool{}
	for _, c := range recs {
		tags[c.ID] = c.Definition.Tags
		for _, t := range c.Definition.Tags {
			if !seen[t] {
				seen[t] = true
				all = append(all, t)
			}
		}
	}
	sort.Strings(all)
	for _, st := range sts {
		if f.tag != "" && !slices.Contains(tags[st.ClaimID], f.tag) {
			continue
		}
		if f.verdict != "" && st.Verdict != f.verdict {
			continue
		}
		rows = append(rows, st)
	}
	return rows, tags, all, len(sts), nil
}

func (s *Server) board(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	f := boardFilter{tag: r.FormValue("tag"), verdict: r.FormValue("verdict")}
	if f.verdict != "" && !slices.Contains(storage.Verdicts, f.verdict) {
		s.badRequest(w, r, fmt.Sprintf("Unknown verdict %q: choose one of the list.", f.verdict))
		return
	}
	rows, tags, allTags, total, err := s.statuses(ctx, f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	now := s.o.Now()
	p := boardPage{Now: now, Tags: allTags, Verdicts: storage.Verdicts, Tag: f.tag, Verdict: f.verdict, Query: f.values(), Total: total}
	// The sparkline covers the current week and the eleven before it.
	thisWeek := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	thisWeek = thisWeek.AddDate(0, 0, -((int(thisWeek.Weekday()) + 6) % 7))
	since := thisWeek.AddDate(0, 0, -7*(sparkWeeks-1))
	until := thisWeek.AddDate(0, 0, 7)
	for _, st := range rows {
		br := boardRow{StatusRow: st, Tags: tags[st.ClaimID]}
		br.DaysLeft, br.Overdue = daysLeft(now, st.Horizon)
		weeks, err := s.status.timeline(ctx, s, st.ClaimID, "week", since, until)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		br.Spark = newSparkline(weeks)
		if br.LatestSupports, err = s.latest(ctx, st.ClaimID, claims.Supports, st.Supports); err != nil {
			s.fail(w, r, err)
			return
		}
		if br.LatestContradicts, err = s.latest(ctx, st.ClaimID, claims.Contradicts, st.Contradicts); err != nil {
			s.fail(w, r, err)
			return
		}
		p.Rows = append(p.Rows, br)
	}
	s.render(w, r, http.StatusOK, "board", p)
}

// latest is a claim's newest counted evidence of one stance, nil when the
// claim has none (count says so without a query).
func (s *Server) latest(ctx context.Context, claimID string, stance claims.Stance, count int) (*storage.EvidenceRow, error) {
	if count == 0 {
		return nil, nil
	}
	rows, err := s.o.Store.ListEvidence(ctx, storage.EvidenceFilter{ClaimID: claimID, Stance: stance, Limit: 1})
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	return &rows[0], nil
}

// boardDownload is the board's status table, same filters, through the
// status export.
func (s *Server) boardDownload(w http.ResponseWriter, r *http.Request) {
	format, ok := s.downloadFormat(w, r)
	if !ok {
		return
	}
	rows, _, _, _, err := s.statuses(r.Context(), boardFilter{tag: r.FormValue("tag"), verdict: r.FormValue("verdict")})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.download(w, r, "claimwatch-status", format, func(w io.Writer) error {
		return report.ExportStatus(w, format, rows)
	})
}
