// Package suggest learns from an analyst's reviews which words and phrases
// a claim's file could use: stance cues where the analyst overrode the
// matcher's stance, and exclusions where the analyst found evidence
// irrelevant. It only proposes; nothing here edits a claim.
//
// The statistic is the log-odds ratio with an informative Dirichlet prior
// (Monroe, Colaresi & Quinn 2008, "Fightin' Words", section 3.5): for a term
// w counted y_a in the target reviews and y_b in the others (n_a and n_b
// counts in all), with prior α_w = α0·π_w,
//
//	δ_w = log((y_a+α_w)/(n_a+α0−y_a−α_w)) − log((y_b+α_w)/(n_b+α0−y_b−α_w))
//	σ²_w ≈ 1/(y_a+α_w) + 1/(y_b+α_w)
//	z_w = δ_w / σ_w
//
// π_w is the term's share of the pooled counts and α0 their total, so the
// prior is the pooled counts themselves: a term must be seen often, and
// unevenly, before its z is large. A term is counted once per review
// (presence), so one long text cannot carry a term alone.
package suggest

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"unicode"

	"github.com/claimwatch/claimwatch/claims"
	"github.com/claimwatch/claimwatch/internal/textnorm"
)

// SignificantZ is the z a term needs to be proposed in the YAML snippet:
// 5 %, one-sided, as only terms typical of the target side are proposed.
const SignificantZ = 1.645

// Review is one reviewed piece of evidence.
type Review struct {
	// Text is where a cue or exclusion would have to be to take effect: the
	// matched sentence (snippet), as a claim's rule and cues apply within
	// one sentence or window.
	Text     string
	Machine  claims.Stance // what the matcher said
	Analyst  claims.Stance // the review, Irrelevant included
	Evidence int64
}

// Term is one word or two-word phrase and how it separates two sets of
// reviews.
type Term struct {
	Term   string  // normalised (textnorm): lower case, no accents
	Count  int     // target reviews holding it
	Others int     // other reviews holding it
	Z      float64 // log-odds z-score; positive: typical of the target
}

// Contrast is one comparison: the target reviews against the others.
type Contrast struct {
	Target, Others int    // reviews on each side
	Terms          []Term // best first
}

// Suggestions are the three contrasts drawn from one claim's reviews.
type Suggestions struct {
	Reviews     int
	Supports    Contrast // reviewed supports where the matcher said otherwise, against other relevant reviews
	Contradicts Contrast // likewise for contradicts
	Exclude     Contrast // reviewed irrelevant against relevant
}

// Options tune Suggest.
type Options struct {
	MinCount int                    // a term must be in at least this many target reviews (at least 1)
	Top      int                    // terms kept per contrast (0: all)
	Skip     func(term string) bool // when not nil: terms never to propose (the claim's own)
}

// Suggest compares the reviews three ways; see Suggestions.
func Suggest(reviews []Review, o Options) Suggestions {
	sets := make([]map[string]bool, len(reviews))
	for i, r := range reviews {
		sets[i] = Terms(r.Text)
	}
	s := Suggestions{Reviews: len(reviews)}
	split := func(target, other func(Review) bool) Contrast {
		var a, b []map[string]bool
		for i, r := range reviews {
			switch {
			case target(r):
				a = append(a, sets[i])
			case other(r):
				b = append(b, sets[i])
			}
		}
		c := Contrast{Target: len(a), Others: len(b)}
		if len(a) > 0 && len(b) > 0 {
			c.Terms = LogOdds(a, b, o)
		}
		return c
	}
	relevant := func(r Review) bool { return r.Analyst != claims.Irrelevant }
	for _, st := range []struct {
		stance claims.Stance
		dst    *Contrast
	}{{claims.Supports, &s.Supports}, {claims.Contradicts, &s.Contradicts}} {
		*st.dst = split(
			func(r Review) bool { return r.Analyst == st.stance && r.Machine != st.stance },
			func(r Review) bool { return relevant(r) && r.Analyst != st.stance })
	}
	s.Exclude = split(func(r Review) bool { return !relevant(r) }, relevant)
	return s
}

// functionWords are English words never proposed on their own: as a cue or
// an exclusion they would fire on almost any sentence. They stay inside
// phrases ("took possession of"). Negations and modals are not here: they
// are what a stance turns on.
var functionWords = map[string]bool{
	"a": true, "an": true, "the": true, "of": true, "from": true, "to": true, "in": true, "on": true,
	"at": true, "by": true, "for": true, "with": true, "and": true, "or": true, "as": true, "is": true,
	"are": true, "was": true, "were": true, "be": true, "been": true, "it": true, "its": true, "this": true,
	"that": true, "these": true, "those": true, "he": true, "she": true, "they": true, "his": true,
	"her": true, "their": true, "s": true, "said": true, "says": true,
}

// LogOdds scores every term of the target sets against the other sets (each
// set is one review's terms) and returns those with a positive z and at
// least o.MinCount target reviews, best first.
func LogOdds(target, others []map[string]bool, o Options) []Term {
	ya, yb := map[string]int{}, map[string]int{}
	var na, nb float64
	for _, set := range target {
		for t := range set {
			ya[t]++
			na++
		}
	}
	for _, set := range others {
		for t := range set {
			yb[t]++
			nb++
		}
	}
	a0 := na + nb
	var out []Term
	for t, ca := range ya {
		if ca < max(1, o.MinCount) || functionWords[t] || (o.Skip != nil && o.Skip(t)) {
			continue
		}
		cb := yb[t]
		alpha := float64(ca + cb) // α0·π_w with π_w = pooled share, α0 = pooled total
		fa, fb := float64(ca)+alpha, float64(cb)+alpha
		delta := math.Log(fa/(na+a0-fa)) - math.Log(fb/(nb+a0-fb))
		z := delta / math.Sqrt(1/fa+1/fb)
		if z > 0 {
			out = append(out, Term{Term: t, Count: ca, Others: cb, Z: z})
		}
	}
	slices.SortFunc(out, func(x, y Term) int {
		if c := cmp.Compare(y.Z, x.Z); c != 0 {
			return c
		}
		if c := cmp.Compare(y.Count, x.Count); c != 0 {
			return c
		}
		// On a tie, a word before the phrases that hold it.
		if c := cmp.Compare(strings.Count(x.Term, " "), strings.Count(y.Term, " ")); c != 0 {
			return c
		}
		return cmp.Compare(x.Term, y.Term)
	})
	if o.Top > 0 && len(out) > o.Top {
		out = out[:o.Top]
	}
	return out
}

// Terms returns the distinct normalised words of text that hold a letter,
// and its two-word phrases (adjacent words of one sentence, at least one
// with a letter).
func Terms(text string) map[string]bool {
	tk := textnorm.Tokenize(text)
	words := tk.Words()
	out := map[string]bool{}
	for i, w := range words {
		if hasLetter(w) {
			out[w] = true
		}
		if i > 0 && tk.Tokens[i-1].Sentence == tk.Tokens[i].Sentence && (hasLetter(w) || hasLetter(words[i-1])) {
			out[words[i-1]+" "+w] = true
		}
	}
	return out
}

// ClaimTerms returns a Skip function for the terms and cues a claim already
// has: a term written out is skipped when equal to it once normalised, a
// wildcard term when a one-word term starts with its stem.
func ClaimTerms(c claims.Claim) func(string) bool {
	exact := map[string]bool{}
	var stems []string
	add := func(term string) {
		stem, wild := strings.CutSuffix(term, claims.Wildcard)
		norm := strings.Join(textnorm.Tokenize(stem).Words(), " ")
		if wild {
			stems = append(stems, norm)
			return
		}
		exact[norm] = true
	}
	for _, g := range c.Groups {
		for _, t := range g.Terms {
			add(t)
		}
	}
	for _, t := range append(slices.Clone(c.Cues.Supports), c.Cues.Contradicts...) {
		add(t)
	}
	return func(t string) bool {
		if exact[t] {
			return true
		}
		if strings.Contains(t, " ") {
			return false
		}
		for _, s := range stems {
			if !strings.Contains(s, " ") && strings.HasPrefix(t, s) {
				return true
			}
		}
		return false
	}
}

func hasLetter(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}
