package evaluate

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/claimwatch/claimwatch/internal/report"
)

// Floors are the least acceptable figures, each applied to every claim on
// its own; a nil floor is not checked.
type Floors struct {
	Precision, Recall, Stance *float64
}

// Shortfall is one claim's figure under its floor.
type Shortfall struct {
	Claim  string  `json:"claim"`
	Figure string  `json:"figure"` // precision, recall or stance
	Value  float64 `json:"value"`
	Floor  float64 `json:"floor"`
}

func (s Shortfall) String() string {
	return fmt.Sprintf("%s: %s %.2f is below %.2f", s.Claim, s.Figure, s.Value, s.Floor)
}

// Below lists the figures under their floors. Only claims with at least one
// item expected to bear on them are checked, and only figures that are
// defined: precision needs something found, stance accuracy an item expected
// supports or contradicts that was found. A claim that finds nothing it
// should fails on recall, not precision.
func (r Report) Below(f Floors) []Shortfall {
	var out []Shortfall
	for _, s := range r.Claims {
		if s.Relevant == 0 {
			continue
		}
		for _, fig := range []struct {
			name  string
			floor *float64
			value func() (float64, bool)
		}{
			{"precision", f.Precision, s.Precision},
			{"recall", f.Recall, s.Recall},
			{"stance", f.Stance, s.StanceAccuracy},
		} {
			if fig.floor == nil {
				continue
			}
			if v, ok := fig.value(); ok && v < *fig.floor {
				out = append(out, Shortfall{Claim: s.Claim, Figure: fig.name, Value: v, Floor: *fig.floor})
			}
		}
	}
	return out
}

// WriteTable writes one row per claim and the all-claims row.
func WriteTable(w io.Writer, r Report) error {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CLAIM\tCASES\tGOLD≠NONE\tFOUND\tPRECISION\tRECALL\tSTANCE (n)")
	for _, s := range append(r.Claims, r.All) {
		st := figure(s.StanceAccuracy)
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%s\t%s\t%s (%d)\n", s.Claim, s.Cases, s.Relevant, s.Found,
			figure(s.Precision), figure(s.Recall), st, s.StanceN)
	}
	return tw.Flush()
}

// figure prints a ratio with two decimals, or "–" when it is undefined.
func figure(f func() (float64, bool)) string {
	v, ok := f()
	if !ok {
		return "–"
	}
	return fmt.Sprintf("%.2f", v)
}

// WriteConfusion writes the confusion matrix of every claim with something
// expected or found, then the sum, as one table: rows are the expected
// stance, columns the found one.
func WriteConfusion(w io.Writer, r Report) error {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CLAIM\tEXPECTED ↓ FOUND →\tSUPPORTS\tCONTRADICTS\tMENTIONS\tNONE")
	for _, s := range append(r.Claims, r.All) {
		if s.Relevant == 0 && s.Found == 0 && s.Claim != r.All.Claim {
			continue
		}
		for i, want := range Stances {
			name := ""
			if i == 0 {
				name = s.Claim
			}
			row := s.Confusion[i]
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\n", name, want, row[0], row[1], row[2], row[3])
		}
	}
	return tw.Flush()
}

// WriteWrong writes the first limit wrong items (all when limit < 0).
func WriteWrong(w io.Writer, r Report, limit int) error {
	n := len(r.Wrong)
	if limit >= 0 && limit < n {
		n = limit
	}
	if n == 0 {
		return nil
	}
	head := fmt.Sprintf("wrong items (%d)", len(r.Wrong))
	if n < len(r.Wrong) {
		head = fmt.Sprintf("wrong items (the first %d of %d; --wrong -1 lists all)", n, len(r.Wrong))
	}
	fmt.Fprintln(w, head+":")
	for _, m := range r.Wrong[:n] {
		fmt.Fprintf(w, "\n%s  expected %s, got %s\n", m.Claim, m.Expected, m.Got)
		if m.Title != "" {
			fmt.Fprintf(w, "  title:   %s\n", oneLine(m.Title, 160))
		}
		if m.Snippet != "" {
			fmt.Fprintf(w, "  snippet: %s\n", oneLine(m.Snippet, 240))
		} else if m.Title == "" && m.Text != "" {
			fmt.Fprintf(w, "  text:    %s\n", oneLine(m.Text, 240))
		}
		if m.Reason != "" {
			fmt.Fprintf(w, "  label:   %s\n", oneLine(m.Reason, 160))
		}
		if _, err := fmt.Fprintf(w, "  %s  (%s)\n", m.URL, m.Ref); err != nil {
			return err
		}
	}
	return nil
}

// oneLine joins the words of s with single spaces, cut to at most n runes.
func oneLine(s string, n int) string {
	return report.Truncate(strings.Join(strings.Fields(s), " "), n)
}

// JSON shapes of a report: ratios are null when undefined.
type (
	ReportJSON struct {
		Items  int         `json:"items"`
		Claims []ScoreJSON `json:"claims"`
		All    ScoreJSON   `json:"all"`
		Wrong  []MissJSON  `json:"wrong"`
	}
	ScoreJSON struct {
		Claim         string                    `json:"claim"`
		Cases         int                       `json:"cases"`
		Relevant      int                       `json:"gold_not_none"`
		Found         int                       `json:"found"`
		FoundRelevant int                       `json:"found_gold_not_none"`
		Precision     *float64                  `json:"precision"`
		Recall        *float64                  `json:"recall"`
		Stance        *float64                  `json:"stance_accuracy"`
		StanceN       int                       `json:"stance_n"`
		Confusion     map[string]map[string]int `json:"confusion"` // expected → found → count
	}
	MissJSON struct {
		Ref      string `json:"ref"`
		URL      string `json:"url"`
		Title    string `json:"title"`
		Claim    string `json:"claim"`
		Expected string `json:"expected"`
		Got      string `json:"got"`
		Snippet  string `json:"snippet"`
		Text     string `json:"text"` // the start of the body
		Reason   string `json:"reason"`
	}
)

// JSON returns the report with every wrong item.
func (r Report) JSON() ReportJSON {
	out := ReportJSON{Items: r.Items, All: scoreJSON(r.All), Claims: []ScoreJSON{}, Wrong: []MissJSON{}}
	for _, s := range r.Claims {
		out.Claims = append(out.Claims, scoreJSON(s))
	}
	for _, m := range r.Wrong {
		out.Wrong = append(out.Wrong, MissJSON{Ref: m.Ref, URL: m.URL, Title: m.Title, Claim: m.Claim,
			Expected: string(m.Expected), Got: string(m.Got), Snippet: m.Snippet, Text: m.Text, Reason: m.Reason})
	}
	return out
}

func scoreJSON(s Score) ScoreJSON {
	j := ScoreJSON{Claim: s.Claim, Cases: s.Cases, Relevant: s.Relevant, Found: s.Found, FoundRelevant: s.FoundRelevant,
		Precision: ptr(s.Precision), Recall: ptr(s.Recall), Stance: ptr(s.StanceAccuracy), StanceN: s.StanceN,
		Confusion: map[string]map[string]int{}}
	for i, want := range Stances {
		row := map[string]int{}
		for k, got := range Stances {
			row[string(got)] = s.Confusion[i][k]
		}
		j.Confusion[string(want)] = row
	}
	return j
}

func ptr(f func() (float64, bool)) *float64 {
	v, ok := f()
	if !ok {
		return nil
	}
	return &v
}
