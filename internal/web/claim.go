package web

import (
	"context"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/claimwatch/claimwatch/claims"
	"github.com/claimwatch/claimwatch/internal/report"
	"github.com/claimwatch/claimwatch/storage"
)

// pageSize is the evidence rows per page of a claim.
const pageSize = 25

type claimPage struct {
	Now      time.Time
	Claim    storage.ClaimRecord
	Status   report.StatusRow
	DaysLeft string
	Overdue  bool
	Rules    []ruleLine
	Verdict  storage.Verdict
	History  []storage.Verdict
	Verdicts []string

	By       string
	Timeline []storage.TimelineRow
	Chart    barChart

	Filter   evidenceForm
	Sources  []string
	Stances  []string
	Evidence []evidenceItem
	Next     template.URL // the next page's query, "" on the last page
	First    template.URL // the first page's query, "" on the first page
	Query    url.Values   // the filters and period, for downloads and pages
	Filters  url.Values   // the filters alone, for the period links
	Return   string       // this page, for forms to come back to
}

func (p claimPage) pageTitle() string { return p.Claim.ID }

type evidenceItem struct {
	storage.EvidenceRow
	Snippet []segment
}

// ruleLine is one line of a claim's rules in words, with the terms listed.
type ruleLine struct {
	Label string
	Parts []string
}

// readableRules puts a claim's match rule and stance cues into words.
func readableRules(c claims.Claim) []ruleLine {
	group := func(name string) string {
		if g, ok := c.GroupByName(name); ok {
			return name + " (" + strings.Join(g.Terms, ", ") + ")"
		}
		return name
	}
	groups := func(names []string) []string {
		out := make([]string, len(names))
		for i, n := range names {
			out[i] = group(n)
		}
		return out
	}
	scope := "In one sentence, all of"
	if c.Rule.Scope == claims.ScopeWindow {
		scope = fmt.Sprintf("Within %d consecutive words, all of", c.Rule.Window)
	}
	lines := []ruleLine{{Label: scope, Parts: groups(c.Rule.All)}}
	if len(c.Rule.None) > 0 {
		lines = append(lines, ruleLine{Label: "None of", Parts: groups(c.Rule.None)})
	}
	for _, d := range c.Rule.Direction {
		label := "In this order (raises confidence)"
		if c.Rule.RequireDirection {
			label = "In this order (required: one such order must hold)"
		}
		lines = append(lines, ruleLine{Label: label, Parts: []string{strings.Join(groups(d), " → ")}})
	}
	if len(c.Cues.Supports) > 0 {
		lines = append(lines, ruleLine{Label: "Supports when it says", Parts: c.Cues.Supports})
	}
	if len(c.Cues.Contradicts) > 0 {
		lines = append(lines, ruleLine{Label: "Contradicts when it says", Parts: c.Cues.Contradicts})
	}
	return lines
}

// evidenceForm is the evidence list's filter form, as submitted.
type evidenceForm struct {
	Stance, Source, Since, Until string
	All                          bool
	After                        string
}

func readEvidenceForm(r *http.Request) evidenceForm {
	return evidenceForm{
		Stance: r.FormValue("stance"), Source: r.FormValue("source"),
		Since: r.FormValue("since"), Until: r.FormValue("until"),
		All: r.FormValue("all") == "1", After: r.FormValue("after"),
	}
}

// values is the form as a query, without the page position.
func (f evidenceForm) values() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"stance": f.Stance, "source": f.Source, "since": f.Since, "until": f.Until} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if f.All {
		v.Set("all", "1")
	}
	return v
}

// filter turns the form into a storage filter; a bad value is a sentence.
func (f evidenceForm) filter(claimID string) (storage.EvidenceFilter, storage.Cursor, error) {
	ef := storage.EvidenceFilter{ClaimID: claimID, Source: f.Source, IncludeIrrelevant: f.All, IncludeStale: f.All}
	if f.Stance != "" {
		st, err := claims.ParseStance(f.Stance, true)
		if err != nil {
			return ef, storage.Cursor{}, fmt.Errorf("Stance %q: choose supports, contradicts, mentions or irrelevant.", f.Stance)
		}
		ef.Stance = st
	}
	var err error
	if ef.Since, err = report.ParseDate("From", f.Since); err != nil {
		return ef, storage.Cursor{}, err
	}
	if ef.Until, err = report.ParseDate("Until", f.Until); err != nil {
		return ef, storage.Cursor{}, err
	}
	if !ef.Since.IsZero() && !ef.Until.IsZero() && !ef.Since.Before(ef.Until) {
		return ef, storage.Cursor{}, fmt.Errorf("From %s is not before until %s: the range is empty (from is inclusive, until exclusive).", f.Since, f.Until)
	}
	cur, err := storage.ParseCursor(f.After)
	return ef, cur, err
}

// claimRecord finds one stored claim.
func (s *Server) claimRecord(ctx context.Context, id string) (storage.ClaimRecord, error) {
	recs, err := s.o.Store.Claims(ctx)
	if err != nil {
		return storage.ClaimRecord{}, err
	}
	for _, c := range recs {
		if c.ID == id {
			return c, nil
		}
	}
	return storage.ClaimRecord{}, fmt.Errorf("claim %q: %w", id, storage.ErrNotFound)
}

// timelinePeriod reads ?by=; the default is month.
func timelinePeriod(r *http.Request) (string, error) {
	switch by := r.FormValue("by"); by {
	case "":
		return "month", nil
	case "day", "week", "month":
		return by, nil
	default:
		return "", fmt.Errorf("Timeline by %q: choose day, week or month.", by)
	}
}

func (s *Server) claim(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id := r.PathValue("id")
	c, err := s.claimRecord(ctx, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	form := readEvidenceForm(r)
	ef, cur, err := form.filter(id)
	if err != nil {
		s.badRequest(w, r, err.Error())
		return
	}
	by, err := timelinePeriod(r)
	if err != nil {
		s.badRequest(w, r, err.Error())
		return
	}
	now := s.o.Now()
	p := claimPage{Now: now, Claim: c, Rules: readableRules(c.Definition), Verdicts: storage.Verdicts, By: by, Filter: form,
		Stances: []string{"supports", "contradicts", "mentions", "irrelevant"}}
	p.DaysLeft, p.Overdue = daysLeft(now, c.Horizon)
	if p.Status, _, err = s.status.claimStatus(ctx, s, id); err != nil {
		s.fail(w, r, err)
		return
	}
	if p.History, err = s.o.Store.VerdictHistory(ctx, id); err != nil {
		s.fail(w, r, err)
		return
	}
	p.Verdict = storage.Verdict{ClaimID: id, Verdict: storage.VerdictOpen}
	if len(p.History) > 0 {
		p.Verdict = p.History[len(p.History)-1]
	}
	if p.Timeline, err = s.status.timeline(ctx, s, id, by, ef.Since, ef.Until); err != nil {
		s.fail(w, r, err)
		return
	}
	p.Chart = newBarChart(p.Timeline)
	srcs, err := s.o.Store.ListSources(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, src := range srcs {
		p.Sources = append(p.Sources, src.Name)
	}
	rows, next, err := s.o.Store.EvidencePage(ctx, ef, cur, pageSize)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, row := range rows {
		p.Evidence = append(p.Evidence, evidenceItem{EvidenceRow: row, Snippet: markTerms(row.Snippet, row.MatchedTerms)})
	}
	q := form.values()
	p.Filters = cloneValues(q)
	if by != "month" {
		q.Set("by", by)
	}
	p.Query = q
	if !next.IsZero() {
		nq := cloneValues(q)
		nq.Set("after", next.String())
		p.Next = template.URL(nq.Encode())
	}
	if !cur.IsZero() {
		p.First = template.URL(q.Encode())
	}
	p.Return = r.URL.RequestURI()
	s.render(w, r, http.StatusOK, "claim", p)
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// downloadFilter reads what a claim page's download asks for: the format,
// the claim (an unknown one is a 404) and the page's filters over every
// page. It has answered the request when ok is false.
func (s *Server) downloadFilter(w http.ResponseWriter, r *http.Request) (format report.Format, id string, ef storage.EvidenceFilter, ok bool) {
	if format, ok = s.downloadFormat(w, r); !ok {
		return format, "", ef, false
	}
	id = r.PathValue("id")
	if _, err := s.claimRecord(r.Context(), id); err != nil {
		s.fail(w, r, err)
		return format, id, ef, false
	}
	form := readEvidenceForm(r)
	form.After = ""
	ef, _, err := form.filter(id)
	if err != nil {
		s.badRequest(w, r, err.Error())
		return format, id, ef, false
	}
	return format, id, ef, true
}

// evidenceDownload is the claim page's evidence list, same filters (every
// page of it), through the evidence export.
func (s *Server) evidenceDownload(w http.ResponseWriter, r *http.Request) {
	format, id, ef, ok := s.downloadFilter(w, r)
	if !ok {
		return
	}
	s.download(w, r, id+"-evidence", format, func(w io.Writer) error {
		_, err := report.ExportEvidence(r.Context(), s.o.Store, ef, format, w)
		return err
	})
}

// timelineDownload is the claim page's timeline table, through the timeline
// export.
func (s *Server) timelineDownload(w http.ResponseWriter, r *http.Request) {
	format, id, ef, ok := s.downloadFilter(w, r)
	if !ok {
		return
	}
	by, err := timelinePeriod(r)
	if err != nil {
		s.badRequest(w, r, err.Error())
		return
	}
	rows, err := s.o.Store.Timeline(r.Context(), id, by, ef.Since, ef.Until)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.download(w, r, id+"-timeline", format, func(w io.Writer) error {
		return report.ExportTimeline(w, format, report.ClaimTimeline(id, rows))
	})
}
