package matcher

import (
	"fmt"

	"github.com/claimwatch/claimwatch/claims"
)

// CheckExamples matches every claim's examples against the claim set and
// returns a problem at the example's file and line for each whose result is
// not what it expects, and a warning for each claim without examples: a
// claim nobody has tried on real sentences is not finished.
func CheckExamples(cs []claims.Claim) (claims.Problems, error) {
	m, err := Compile(cs)
	if err != nil {
		return nil, err
	}
	var probs claims.Problems
	for _, c := range cs {
		if len(c.Examples) == 0 {
			probs = append(probs, claims.Problem{File: c.File, Line: c.Line, Warning: true,
				Message: fmt.Sprintf("claim %s has no examples; add texts with the result you expect (see Writing examples in the README)", c.ID)})
			continue
		}
		for _, ex := range c.Examples {
			got, reason := claims.None, ""
			for _, f := range m.Match(Document{Body: ex.Text}) {
				if f.ClaimID == c.ID {
					got, reason = f.Stance, f.Reason
				}
			}
			if got == ex.Expect {
				continue
			}
			msg := fmt.Sprintf("example expects %s for %s, got %s", ex.Expect, c.ID, got)
			if reason != "" {
				msg += " (" + reason + ")"
			}
			probs = append(probs, claims.Problem{File: c.File, Line: ex.Line, Message: msg + ": " + shorten(ex.Text, 100)})
		}
	}
	return probs, nil
}

// shorten cuts s to at most n runes, marking a cut with "…".
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
