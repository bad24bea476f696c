package evaluate

import (
	"fmt"

	"github.com/claimwatch/claimwatch/claims"
	"github.com/claimwatch/claimwatch/internal/matcher"
)

// Matcher is what is scored: *matcher.Matcher, or the baseline.
type Matcher interface {
	Match(doc matcher.Document) []claims.Finding
}

// Item is one text with the stances expected of it.
type Item struct {
	Ref   string // where the label came from: "cases.jsonl:12", "evidence 42"
	URL   string
	Title string
	Body  string
	// Expected maps a claim id to its expected stance (None included).
	Expected map[string]claims.Stance
	// Reasons holds the labeller's reason per claim, for the wrong items.
	Reasons map[string]string
	// Complete says that every claim not in Expected is expected None (a
	// case file); when false (an analyst's review), only the claims in
	// Expected are scored for this text.
	Complete bool
}

// Items turns cases into items: complete, title as title, lead as body.
func Items(cases []Case) []Item {
	out := make([]Item, 0, len(cases))
	for _, c := range cases {
		it := Item{Ref: fmt.Sprintf("%s:%d", c.File, c.Line), URL: c.URL, Title: c.Title, Body: c.Lead,
			Expected: map[string]claims.Stance{}, Reasons: map[string]string{}, Complete: true}
		for _, l := range c.Labels {
			it.Expected[l.Claim] = l.Stance
			it.Reasons[l.Claim] = l.Reason
		}
		out = append(out, it)
	}
	return out
}

// Stances are the rows and columns of a confusion matrix, in this order.
var Stances = [4]claims.Stance{claims.Supports, claims.Contradicts, claims.Mentions, None}

func stanceIndex(s claims.Stance) int {
	for i, st := range Stances {
		if st == s {
			return i
		}
	}
	return 3 // anything else (irrelevant) counts as none
}

// Confusion counts items by expected stance (row) and found stance
// (column), both indexed as in Stances.
type Confusion [4][4]int

// Score is one claim's figures (or, for Report.All, the sums over claims).
type Score struct {
	Claim    string
	Cases    int // items scored for the claim
	Relevant int // expected stance not none
	Found    int // the matcher reported the claim
	// FoundRelevant counts items both found and expected not none.
	FoundRelevant int
	// StanceN counts items expected supports or contradicts and found;
	// StanceRight those of them found with the expected stance.
	StanceN, StanceRight int
	Confusion            Confusion
}

// Precision is FoundRelevant/Found; ok is false when nothing was found.
func (s Score) Precision() (float64, bool) { return ratio(s.FoundRelevant, s.Found) }

// Recall is FoundRelevant/Relevant (any stance counts as found); ok is
// false when no item was expected to bear on the claim.
func (s Score) Recall() (float64, bool) { return ratio(s.FoundRelevant, s.Relevant) }

// StanceAccuracy is StanceRight/StanceN; ok is false when StanceN is 0.
func (s Score) StanceAccuracy() (float64, bool) { return ratio(s.StanceRight, s.StanceN) }

func ratio(a, b int) (float64, bool) {
	if b == 0 {
		return 0, false
	}
	return float64(a) / float64(b), true
}

func (s *Score) add(o Score) {
	s.Cases += o.Cases
	s.Relevant += o.Relevant
	s.Found += o.Found
	s.FoundRelevant += o.FoundRelevant
	s.StanceN += o.StanceN
	s.StanceRight += o.StanceRight
	for i := range s.Confusion {
		for j := range s.Confusion[i] {
			s.Confusion[i][j] += o.Confusion[i][j]
		}
	}
}

// Miss is one item and claim where the found stance is not the expected one.
type Miss struct {
	Ref, URL, Title string
	Claim           string
	Expected, Got   claims.Stance
	Snippet         string // what the matcher quoted; empty when it found nothing
	Text            string // the start of the body, for a miss with no title or snippet to show
	Reason          string // the labeller's reason, when given
}

// Report is the outcome of scoring a matcher on items.
type Report struct {
	Items  int
	Claims []Score // in the order of the claim ids given to Evaluate
	All    Score   // micro-averaged: the sums over Claims
	Wrong  []Miss  // in item order, then claim order
}

// Evaluate matches every item once and scores the claims named in ids.
func Evaluate(m Matcher, ids []string, items []Item) Report {
	r := Report{Items: len(items), Claims: make([]Score, len(ids))}
	for i, id := range ids {
		r.Claims[i].Claim = id
	}
	for _, it := range items {
		found := map[string]claims.Finding{}
		for _, f := range m.Match(matcher.Document{Title: it.Title, Body: it.Body}) {
			found[f.ClaimID] = f
		}
		for i, id := range ids {
			want, labelled := it.Expected[id]
			if !labelled {
				if !it.Complete {
					continue
				}
				want = None
			}
			if want == claims.Irrelevant {
				want = None
			}
			got := None
			f, ok := found[id]
			if ok {
				got = f.Stance
			}
			s := &r.Claims[i]
			s.Cases++
			s.Confusion[stanceIndex(want)][stanceIndex(got)]++
			if want != None {
				s.Relevant++
			}
			if ok {
				s.Found++
				if want != None {
					s.FoundRelevant++
				}
				if want == claims.Supports || want == claims.Contradicts {
					s.StanceN++
					if got == want {
						s.StanceRight++
					}
				}
			}
			if got != want {
				r.Wrong = append(r.Wrong, Miss{Ref: it.Ref, URL: it.URL, Title: it.Title, Claim: id,
					Expected: want, Got: got, Snippet: f.Snippet, Reason: it.Reasons[id], Text: textStart(it.Body)})
			}
		}
	}
	r.All.Claim = "all claims"
	for _, s := range r.Claims {
		r.All.add(s)
	}
	return r
}

// textStart is the first 300 characters of a body, on one line.
func textStart(body string) string { return oneLine(body, 300) }
