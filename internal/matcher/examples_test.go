package matcher

import (
	"strings"
	"testing"

	"github.com/claimwatch/claimwatch/claims"
)

// Every shipped claim carries its own examples, and gives what each expects.
func TestShippedClaimsPassTheirExamples(t *testing.T) {
	cs, err := claims.Shipped()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		hard := 0
		for _, ex := range c.Examples {
			if ex.Expect == claims.None {
				hard++
			}
		}
		if len(c.Examples) < 20 || 3*hard < len(c.Examples) {
			t.Errorf("%s: %d examples, %d of them hard negatives; want at least 20, a third of them expecting none", c.ID, len(c.Examples), hard)
		}
	}
	probs, err := CheckExamples(cs)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range probs {
		t.Error(p.String())
	}
}

func TestCheckExamplesReportsEachWrongOneAtItsLine(t *testing.T) {
	data := `
id: arms
statement: Russia will sell jets to Iran.
made: 2020-01-10
terms:
  russia: [Russia, Moscow]
  iran: [Iran, Tehran]
  jets: [Su-35*, "fighter jet*"]
  transfer: [deliver*, sold]
event:
  all: [russia, iran, jets]
  direction: [[russia, transfer, iran]]
  require_direction: true
  trigger: [transfer]
examples:
  - {text: "Russia delivered Su-35 jets to Iran.", expect: supports}
  - {text: "Russia has not delivered Su-35 jets to Iran.", expect: supports}
  - {text: "Iran sold fighter jets to Russia.", expect: mentions}
`
	cs, probs := claims.Parse("arms.yaml", []byte(data))
	if len(probs) != 0 {
		t.Fatal(probs)
	}
	got, err := CheckExamples(cs)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("want 2 problems, got %v", got)
	}
	want := []struct {
		line int
		text string
	}{
		{17, "example expects supports for arms, got contradicts"},
		{18, "example expects mentions for arms, got none"},
	}
	for i, w := range want {
		if got[i].File != "arms.yaml" || got[i].Line != w.line || got[i].Warning || !strings.Contains(got[i].Message, w.text) {
			t.Errorf("problem %d = %s; want arms.yaml:%d ... %q", i, got[i], w.line, w.text)
		}
	}
	// A claim without examples is not finished: a warning, not an error.
	cs[0].Examples = nil
	got, _ = CheckExamples(cs)
	if len(got) != 1 || !got[0].Warning || !strings.Contains(got[0].Message, "no examples") {
		t.Errorf("no examples: %v", got)
	}
}
