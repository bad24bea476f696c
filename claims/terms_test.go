package claims

import (
	"strings"
	"testing"
	"unicode"
)

func TestTermProblem(t *testing.T) {
	tests := []struct {
		term string
		bad  string // a fragment of the problem; "" when the term is fine
	}{
		{"Iran", ""},
		{"Iranian*", ""},
		{"Su-35*", ""},
		{"S-400", ""},
		{"fighter jet*", ""},
		{"took delivery", ""},
		{"Москв*", ""},
		{"Евразийский экономический союз", ""},
		{"سلاح هسته\u200cای", ""},
		{"تحریم*", ""},
		{"ЕАЭС", ""},
		{"7", ""},
		{"--", "no letter or digit"},
		{"*", "no letter or digit"},
		{"...", "no letter or digit"},
		{"Ira*n", `"*" inside it`},
		{"*Iran", `"*" inside it`},
		{"Iran**", `"**"`},
		{"I*", "at least 2 letters or digits"},
		{"fighter j*", "at least 2 letters or digits"},
		{"Su-*", "after a non-letter"},
		{"a-b*", "at least 2 letters or digits"},
		{"foo—b*", "at least 2 letters or digits"},
		{"Iran's-*", "after a non-letter"},
		{"line one\nline two", "several lines"},
		{strings.Repeat("a", 101), "longer than 100"},
	}
	for _, tt := range tests {
		got := termProblem(tt.term)
		if (tt.bad == "") != (got == "") || !strings.Contains(got, tt.bad) {
			t.Errorf("termProblem(%q) = %q; want a problem containing %q", tt.term, got, tt.bad)
		}
	}
}

func TestClosestSuggestsOnlyNearMisses(t *testing.T) {
	tests := []struct{ in, want string }{
		{"statment", "statement"},
		{"Statement", "statement"},
		{"horizn", "horizon"},
		{"require_directions", "require_direction"},
		{"requiredirection", "require_direction"},
		{"tag", "tags"},
		{"author", ""},
		{"x", ""},
	}
	for _, tt := range tests {
		if got := closest(tt.in, append(claimKeys, matchKeys...)); got != tt.want {
			t.Errorf("closest(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

// termMatches is a deliberately naive matcher (lower-case words, suffix
// wildcard) used only to sanity-check the shipped rules' direction forms;
// the real matcher lives in internal/matcher.
func termMatches(words []string, term string) int {
	tw := strings.FieldsFunc(strings.ToLower(term), func(r rune) bool { return !isWordRune(r) && r != '*' })
	for i := 0; i+len(tw) <= len(words); i++ {
		ok := true
		for j, w := range tw {
			stem, wild := strings.CutSuffix(w, "*")
			if words[i+j] != stem && !(wild && strings.HasPrefix(words[i+j], stem)) {
				ok = false
				break
			}
		}
		if ok {
			return i
		}
	}
	return -1
}

func TestShippedArmsRuleKeepsDirection(t *testing.T) {
	claims, err := Shipped()
	if err != nil {
		t.Fatal(err)
	}
	var arms Claim
	for _, c := range claims {
		if c.ID == "russia-arms-to-iran" {
			arms = c
		}
	}
	// firstAt gives where a group first matches in the sentence, or -1.
	firstAt := func(words []string, group string) int {
		g, _ := arms.GroupByName(group)
		best := -1
		for _, term := range g.Terms {
			if i := termMatches(words, term); i >= 0 && (best < 0 || i < best) {
				best = i
			}
		}
		return best
	}
	directed := func(sentence string) bool {
		words := strings.FieldsFunc(strings.ToLower(sentence), func(r rune) bool { return !isWordRune(r) && r != '-' && !unicode.IsMark(r) })
		for _, g := range arms.Rule.All {
			if firstAt(words, g) < 0 {
				return false
			}
		}
		for _, form := range arms.Rule.Direction {
			prev, ok := -1, true
			for _, g := range form {
				i := firstAt(words[prev+1:], g)
				if i < 0 {
					ok = false
					break
				}
				prev += i + 1
			}
			if ok {
				return true
			}
		}
		return false
	}
	tests := []struct {
		sentence string
		want     bool
	}{
		{"Moscow has begun delivering Su-35 fighter jets to Tehran.", true},
		{"Iran took delivery of Yak-130 trainer jets from Russia.", true},
		{"Россия поставила Ирану истребители Су-35.", true},
		{"Iran has shipped hundreds of Shahed drones to Russia.", false},
		{"Iran supplied Russia with ballistic missiles and weapons.", false},
	}
	for _, tt := range tests {
		if got := directed(tt.sentence); got != tt.want {
			t.Errorf("%q: direction holds = %v; want %v", tt.sentence, got, tt.want)
		}
	}
	if termMatches([]string{"moscow", "has", "begun", "delivering"}, "delivering") < 0 {
		t.Fatal("naive matcher broken")
	}
	// The event word must be a trigger, so its clause's factuality decides.
	triggered := false
	for _, name := range arms.Rule.Trigger {
		triggered = triggered || firstAt(strings.Fields("moscow has begun delivering su-35 fighter jets to tehran"), name) >= 0
	}
	if !triggered {
		t.Error("no trigger group fits \"Moscow has begun delivering Su-35 fighter jets to Tehran.\"")
	}
}
