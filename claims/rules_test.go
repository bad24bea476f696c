package claims

import (
	"strings"
	"testing"
)

const twoLevelClaim = `
id: fta
statement: Iran will sign a free trade agreement with the EAEU.
made: 2020-01-10
terms:
  eeu: [EAEU, "Eurasian Economic Union"]
  iran: [Iran]
  deal: ["free trade"]
  act: [sign*, ratif*]
about:
  all: [eeu, iran]
event:
  all: [eeu, iran, deal]
  trigger: [act]
examples:
  - {text: "Iran and the EAEU signed a free trade agreement.", expect: supports}
  - text: "Armenia's trade with the EAEU grew."
    expect: none
`

func TestAboutEventTriggerAndExamplesLoad(t *testing.T) {
	cs, probs := Parse("fta.yaml", []byte(twoLevelClaim))
	if len(probs) != 0 || len(cs) != 1 {
		t.Fatalf("claims %d, problems %v", len(cs), probs)
	}
	c := cs[0]
	if c.About == nil || strings.Join(c.About.All, ",") != "eeu,iran" || c.About.Scope != ScopeSentence {
		t.Errorf("about = %+v", c.About)
	}
	if strings.Join(c.Rule.All, ",") != "eeu,iran,deal" || strings.Join(c.Rule.Trigger, ",") != "act" {
		t.Errorf("event = %+v", c.Rule)
	}
	if len(c.Examples) != 2 || c.Examples[0].Expect != Supports || c.Examples[1].Expect != None ||
		c.Examples[0].Line != 16 || c.Examples[1].Line != 17 {
		t.Errorf("examples = %+v", c.Examples)
	}
	// The older name of event loads the same rule; about and examples do not
	// change which claim it is, but about and trigger change its hash.
	legacy, probs := Parse("fta.yaml", []byte(strings.Replace(twoLevelClaim, "\nevent:", "\nmatch:", 1)))
	if len(probs) != 0 || legacy[0].Hash != c.Hash {
		t.Errorf("match: problems %v, hash %s vs %s", probs, legacy[0].Hash, c.Hash)
	}
	noAbout := c
	noAbout.About = nil
	if hashClaim(&noAbout) == c.Hash {
		t.Error("the hash ignores the about rule")
	}
	noExamples := c
	noExamples.Examples = nil
	if hashClaim(&noExamples) != c.Hash {
		t.Error("the hash depends on the examples")
	}
}

func TestBadRulesAndExamplesArePlaced(t *testing.T) {
	tests := []struct {
		name, old, new, want string
	}{
		{"event and match", "event:\n  all: [eeu, iran, deal]", "event:\n  all: [eeu, iran, deal]\nmatch:\n  all: [eeu]",
			"14:1: claim has both event and match; match is the older name of event, so keep one"},
		{"no event", "event:\n  all: [eeu, iran, deal]\n  trigger: [act]\n", "",
			"claim has no event rule"},
		{"direction in about", "about:\n  all: [eeu, iran]", "about:\n  all: [eeu, iran]\n  direction: [[iran, eeu]]",
			`unknown key "direction" in about`},
		{"unknown trigger group", "trigger: [act]", "trigger: [acts]",
			`event.trigger names group "acts", which terms does not define; did you mean "act"?`},
		{"bad expect", "expect: none", "expect: maybe",
			`18:13: example expect "maybe" is not known; use supports, contradicts, mentions or none`},
		{"example without text", `  - {text: "Iran and the EAEU signed a free trade agreement.", expect: supports}`, "  - {expect: supports}",
			"16:5: example has no text"},
		{"examples not a list", "examples:\n", "examples: yes\nx:\n",
			"examples must be a list of {text, expect} mappings"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := strings.Replace(twoLevelClaim, tt.old, tt.new, 1)
			if data == twoLevelClaim {
				t.Fatal("the replacement did not apply")
			}
			_, probs := Parse("fta.yaml", []byte(data))
			if !strings.Contains(probs.Error(), tt.want) {
				t.Errorf("problems %q; want one containing %q", probs.Error(), tt.want)
			}
		})
	}
}

// A claim with an error keeps its warnings, so one pass shows every problem;
// an unused group is not reported when a rule could not be read.
func TestWarningsStayBesideErrors(t *testing.T) {
	data := "id: x-claim\nstatement: X.\nmade: 2020-13-01\nterms:\n  a: [Iran, iran]\n  spare: [Foo]\nevent:\n  all: [a]\n"
	_, probs := Parse("x.yaml", []byte(data))
	want := []string{
		`x.yaml:3:7: made "2020-13-01" is not a date`,
		`x.yaml:5:13: term "iran" is listed twice`,
		`x.yaml:6:3: group "spare" is never used`,
	}
	if len(probs) != len(want) {
		t.Fatalf("problems %v; want %d", probs, len(want))
	}
	for i, w := range want {
		if !strings.HasPrefix(probs[i].String(), w) {
			t.Errorf("problem %d = %s; want %s...", i, probs[i], w)
		}
	}
	_, probs = Parse("x.yaml", []byte(strings.Replace(data, "all: [a]", "all: [aa]", 1)))
	if strings.Contains(probs.Error(), "never used") {
		t.Errorf("a misspelt group reference also reported the groups unused: %v", probs)
	}
}
