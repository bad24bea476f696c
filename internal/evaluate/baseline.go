package evaluate

import (
	"fmt"
	"slices"

	"github.com/claimwatch/claimwatch/claims"
	"github.com/claimwatch/claimwatch/internal/matcher"
)

// BaselineClaims turns claims into plain keyword co-occurrence: a text bears
// on a claim when every group of its rule's `all` is present in one scope,
// whatever the order, the cues or the wording around them.
//
// Everything that makes the matcher more than that is removed here, in this
// one function, so the baseline stays honest as the claim model grows: stance
// cues cleared, direction forms and triggers dropped (a direction-only group
// such as "transfer" then takes no part), the about rule and the event
// rule's `none` exclusions gone. What stays is the event rule's `all` groups
// and its scope: "all groups present".
func BaselineClaims(cs []claims.Claim) []claims.Claim {
	out := make([]claims.Claim, len(cs))
	for i, c := range cs {
		c.Cues = claims.Cues{}
		c.About = nil
		c.Rule.Direction = nil
		c.Rule.RequireDirection = false
		c.Rule.Trigger = nil
		c.Rule.None = nil
		c.Rule.All = slices.Clone(c.Rule.All)
		out[i] = c
	}
	return out
}

// Baseline compiles BaselineClaims(cs) into a matcher whose every finding's
// stance is mentions: co-occurrence says a text is about a claim, never
// which way it bears on it.
func Baseline(cs []claims.Claim) (Matcher, error) {
	m, err := matcher.Compile(BaselineClaims(cs))
	if err != nil {
		return nil, fmt.Errorf("baseline: %w", err)
	}
	return mentionsOnly{m}, nil
}

type mentionsOnly struct{ m *matcher.Matcher }

func (b mentionsOnly) Match(doc matcher.Document) []claims.Finding {
	fs := b.m.Match(doc)
	for i := range fs {
		fs[i].Stance = claims.Mentions
	}
	return fs
}
