package suggest

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/claimwatch/claimwatch/claims"
)

var vary = []string{"talks", "trade", "border", "gas", "rail", "wheat", "power", "troops", "ports", "banks", "oil", "roads", "water", "grain", "cars"}

// armeniaReviews: every irrelevant review mentions Armenia and no relevant
// one does; everything else is spread evenly over both sides.
func armeniaReviews() []Review {
	var rs []Review
	for i := range vary {
		rs = append(rs,
			Review{Text: fmt.Sprintf("Russia and Iran %s. Armenia %s.", vary[i], vary[(i+5)%len(vary)]), Machine: claims.Mentions, Analyst: claims.Irrelevant},
			Review{Text: fmt.Sprintf("Russia and Iran %s. Moscow %s.", vary[i], vary[(i+5)%len(vary)]), Machine: claims.Mentions, Analyst: claims.Mentions})
	}
	return rs
}

func names(ts []Term) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.Term)
	}
	return out
}

func TestExclusionIsTheWordOnlyIrrelevantReviewsHold(t *testing.T) {
	s := Suggest(armeniaReviews(), Options{MinCount: 3, Top: 10})
	if s.Exclude.Target != 15 || s.Exclude.Others != 15 {
		t.Fatalf("sides %d/%d, want 15/15", s.Exclude.Target, s.Exclude.Others)
	}
	if len(s.Exclude.Terms) != 1 || s.Exclude.Terms[0].Term != "armenia" {
		t.Fatalf("exclusions = %v, want only armenia (every other term is shared or too rare)", names(s.Exclude.Terms))
	}
	if a := s.Exclude.Terms[0]; a.Count != 15 || a.Others != 0 || a.Z < SignificantZ {
		t.Errorf("armenia = %+v; want 15/0 and z above %.2f", a, SignificantZ)
	}
	// Nobody overrode a stance: no cue to learn.
	if s.Supports.Target != 0 || s.Supports.Terms != nil || s.Contradicts.Terms != nil {
		t.Errorf("stance contrasts from no override: %+v %+v", s.Supports, s.Contradicts)
	}
	if got := Suggest(armeniaReviews(), Options{MinCount: 3, Skip: func(t string) bool { return t == "armenia" }}); len(got.Exclude.Terms) != 0 {
		t.Errorf("skipped term proposed: %v", names(got.Exclude.Terms))
	}
	if got := Suggest(armeniaReviews(), Options{MinCount: 16}); len(got.Exclude.Terms) != 0 {
		t.Errorf("min count 16 of 15 reviews still proposes %v", names(got.Exclude.Terms))
	}
}

func TestSupportCueFromOverrides(t *testing.T) {
	var rs []Review
	for i := range 12 {
		v := vary[i]
		// The analyst says supports where the matcher only saw a mention.
		rs = append(rs, Review{Text: fmt.Sprintf("Iran took possession of %s jets from Russia.", v), Machine: claims.Mentions, Analyst: claims.Supports})
		// Other relevant reviews, which the analyst left as mentions.
		rs = append(rs, Review{Text: fmt.Sprintf("Iran discussed %s jets from Russia.", v), Machine: claims.Mentions, Analyst: claims.Mentions})
	}
	// Agreed supports are neither side of the supports contrast.
	rs = append(rs, Review{Text: "Russia delivered jets to Iran. Iran took possession.", Machine: claims.Supports, Analyst: claims.Supports})
	s := Suggest(rs, Options{MinCount: 3, Top: 3})
	if s.Supports.Target != 12 || s.Supports.Others != 12 {
		t.Fatalf("sides %d/%d, want 12/12", s.Supports.Target, s.Supports.Others)
	}
	got := names(s.Supports.Terms)
	want := []string{"possession", "took", "iran took"} // equal z and counts: words first, then alphabetical; "of" and "from" are function words
	if !slices.Equal(got, want) {
		t.Errorf("supports top 3 = %v, want %v", got, want)
	}
	all := names(Suggest(rs, Options{MinCount: 3}).Supports.Terms)
	for _, w := range []string{"took", "took possession", "possession of"} {
		if !slices.Contains(all, w) {
			t.Errorf("supports terms %v lack %q", all, w)
		}
	}
	for _, w := range []string{"iran", "jets", "russia", "discussed", "of", "from"} {
		if slices.Contains(all, w) {
			t.Errorf("supports terms %v hold %q, which is not typical of the overrides", all, w)
		}
	}
}

func TestLogOddsByHand(t *testing.T) {
	// For x: y_a=1, n_a=1, y_b=0, n_b=1; α_x = 1, α0 = 2:
	// δ = log(2/(1+2-2)) - log(1/(1+2-1)) = log 4; σ² = 1/2 + 1/1.
	got := LogOdds([]map[string]bool{{"x": true}}, []map[string]bool{{"y": true}}, Options{})
	want := math.Log(4) / math.Sqrt(1.5)
	if len(got) != 1 || got[0].Term != "x" || math.Abs(got[0].Z-want) > 1e-12 {
		t.Fatalf("got %+v, want x with z %v", got, want)
	}
}

func TestTermsAreNormalisedWordsAndPhrasesWithinSentences(t *testing.T) {
	got := Terms("Iran's S-300 arrived. Tehran — 2020")
	for _, w := range []string{"iran", "s", "arrived", "iran s", "s 300", "300 arrived", "tehran", "tehran 2020"} {
		if !got[w] {
			t.Errorf("terms %v lack %q", got, w)
		}
	}
	for _, w := range []string{"300", "2020", "arrived tehran"} {
		if got[w] {
			t.Errorf("terms hold %q (a number alone, or a phrase across sentences)", w)
		}
	}
}

func TestYAMLSnippetParsesAndHoldsTheSignificantTerms(t *testing.T) {
	s := Suggestions{Reviews: 40,
		Supports: Contrast{Terms: []Term{{Term: "took possession", Z: 3}, {Term: "received", Z: 2.5}, {Term: "weak", Z: 1}}},
		Exclude:  Contrast{Terms: []Term{{Term: "armenia", Z: 2.4}, {Term: "no", Z: 2.2}}},
	}
	snip := YAML("arms", s)
	var doc struct {
		Stance struct{ Supports, Contradicts []string }
		Terms  map[string][]string
		Event  struct{ None []string }
		About  struct{ None []string }
	}
	if err := yaml.Unmarshal([]byte(snip), &doc); err != nil {
		t.Fatalf("snippet is not YAML: %v\n%s", err, snip)
	}
	if !slices.Equal(doc.Stance.Supports, []string{"took possession", "received"}) || doc.Stance.Contradicts != nil ||
		!slices.Equal(doc.Terms["exclude"], []string{"armenia", "no"}) || !slices.Equal(doc.Event.None, []string{"exclude"}) ||
		!slices.Equal(doc.About.None, []string{"exclude"}) {
		t.Errorf("parsed %+v from\n%s", doc, snip)
	}
	if !strings.Contains(snip, `"no"`) {
		t.Errorf("a YAML keyword must be quoted:\n%s", snip)
	}
	if empty := YAML("arms", Suggestions{Reviews: 3}); strings.Contains(empty, "stance:") || !strings.Contains(empty, "Nothing to propose") {
		t.Errorf("empty snippet:\n%s", empty)
	}
}

func TestClaimTermsSkipsWhatTheClaimAlreadySays(t *testing.T) {
	c := claims.Claim{
		Groups: []claims.Group{{Name: "iran", Terms: []string{"Iran*", "Tehran"}}, {Name: "hw", Terms: []string{"Su-35", "fighter jet*"}}},
		Cues:   claims.Cues{Supports: []string{"Took Delivery"}},
	}
	skip := ClaimTerms(c)
	for term, want := range map[string]bool{
		"iranian": true, "iran": true, "tehran": true, "su 35": true, "took delivery": true,
		"armenia": false, "fighter": false, "iran took": false, "took": false,
	} {
		if skip(term) != want {
			t.Errorf("skip(%q) = %v, want %v", term, !want, want)
		}
	}
}
