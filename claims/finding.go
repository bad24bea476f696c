package claims

import "fmt"

// Stance is how a piece of evidence bears on a claim.
type Stance string

const (
	Supports    Stance = "supports"
	Contradicts Stance = "contradicts"
	Mentions    Stance = "mentions"
	// Irrelevant is only ever an analyst's review, never the machine's stance.
	Irrelevant Stance = "irrelevant"
	// None is the expected result of an example or a labelled case that is
	// not evidence for the claim at all: no finding.
	None Stance = "none"
)

// ParseStance accepts the machine stances and, when review is true, "irrelevant".
func ParseStance(s string, review bool) (Stance, error) {
	switch st := Stance(s); st {
	case Supports, Contradicts, Mentions:
		return st, nil
	case Irrelevant:
		if review {
			return st, nil
		}
	}
	if review {
		return "", fmt.Errorf("unknown stance %q: want supports, contradicts, mentions or irrelevant", s)
	}
	return "", fmt.Errorf("unknown stance %q: want supports, contradicts or mentions", s)
}

// Finding is what the matcher says about one claim in one document.
type Finding struct {
	ClaimID    string
	Stance     Stance
	Confidence float64 // in [0,1]
	// Snippet is the best matching sentence (with a neighbour when very short),
	// as plain text from the original document.
	Snippet      string
	MatchedTerms []string // distinct terms as written in the claim file
	Sentences    int      // how many sentences (or windows) matched
	InTitle      bool     // the title itself matched
	Directed     bool     // a direction form held in the best match
	// Reason says in a few words why the stance is what it is: the event
	// word and the factuality of its clause, the cue, or "topic only".
	Reason string
}
