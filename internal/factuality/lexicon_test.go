package factuality

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/claimwatch/claimwatch/internal/textnorm"
	"go.yaml.in/yaml/v3"
)

// TestLexiconFilesLoad: every embedded file parses on its own, uses only
// known roles, and the default lexicon holds all of them.
func TestLexiconFilesLoad(t *testing.T) {
	names, err := fs.Glob(lexiconFiles, "lexicon/*.yaml")
	if err != nil || len(names) < 3 {
		t.Fatalf("lexicon files %v, %v", names, err)
	}
	for _, name := range names {
		data, err := fs.ReadFile(lexiconFiles, name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Parse(name, data); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		var roles map[string]any
		if err := yaml.Unmarshal(data, &roles); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for r := range roles {
			if _, ok := roleNames[r]; !ok {
				t.Errorf("%s: unknown role %q", name, r)
			}
		}
	}
	if got := Default.Files(); len(got) != len(names) {
		t.Errorf("default lexicon from %v, want %d files", got, len(names))
	}
}

// TestLexiconErrors: a bad file is an error that names the file and line.
func TestLexiconErrors(t *testing.T) {
	for _, tc := range []struct{ data, want string }{
		{"negation:\n  - not\nnegatoin:\n  - never\n", "bad.yaml:3: unknown role \"negatoin\""},
		{"negation: not\n", "bad.yaml:1: role negation: want a list"},
		{"negation:\n  - not\n  - \"*\"\n", "bad.yaml:3: role negation: \"*\": a wildcard needs a word"},
		{"failure:\n  - \"*fail*\"\n", "bad.yaml:2: role failure: \"*fail*\": a word may have a wildcard at its start or its end"},
		{"failure:\n  - \"fa*il\"\n", "bad.yaml:2: role failure: \"fa*il\": a wildcard may only start or end a word"},
		{"negation:\n  - [a, b]\n", "bad.yaml:2: role negation: want a word or phrase"},
		{"- not\n", "bad.yaml:1: want a mapping"},
		{"negation: [not\n", "lexicon bad.yaml: yaml: line 1"},
		{"negative_prefix:\n  - non stop\n", "bad.yaml:2: role negative_prefix: \"non stop\": this role takes single words"},
		{"", "bad.yaml: empty file"},
		{"negation:\n  - \"...\"\n", "bad.yaml:2: role negation: \"...\": no word in it"},
	} {
		_, err := Parse("bad.yaml", []byte(tc.data))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.data, err, tc.want)
		}
	}
	fsys := fstest.MapFS{
		"en.yaml": {Data: []byte("negation:\n  - not\n")},
		"xx.yaml": {Data: []byte("negation:\n  - not\nbogus:\n  - x\n")},
	}
	if _, err := Compile(fsys); err == nil || !strings.Contains(err.Error(), "xx.yaml:3") {
		t.Errorf("Compile: %v, want an error naming xx.yaml:3", err)
	}
	if _, err := Compile(fstest.MapFS{}); err == nil {
		t.Error("Compile of no files: no error")
	}
}

// TestLexiconIsData: a new language file changes classification without
// code (a made-up language whose negation is "nix").
func TestLexiconIsData(t *testing.T) {
	lx, err := Compile(fstest.MapFS{"xx.yaml": {Data: []byte("negation:\n  - nix\nunasserted:\n  - vielleicht\n")}})
	if err != nil {
		t.Fatal(err)
	}
	for text, want := range map[string]Class{
		"Russland nix geliefert":        Negated,
		"Russland vielleicht geliefert": Unasserted,
		"Russland geliefert":            Asserted,
		"Russland not geliefert":        Asserted, // English is not in this lexicon
	} {
		tk := textnorm.Tokenize(text)
		if got := lx.Classify(tk, 0, len(tk.Tokens), 2, 3); got.Class != want {
			t.Errorf("%q: %s, want %s", text, got.Class, want)
		}
	}
}

// TestWildcards: a trailing "*" matches any ending, a leading one any
// beginning; entries are normalised like text.
func TestWildcards(t *testing.T) {
	lx, err := Parse("w.yaml", []byte("failure:\n  - refus*\nnegation:\n  - \"*n't\"\nunasserted:\n  - Plans To\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		word string
		want role
	}{
		{"refused", roleFailure}, {"refus", roleFailure}, {"refuse", roleFailure}, {"ref", 0},
		{"didn't", roleNegation}, {"won't", roleNegation}, {"n't", 0}, {"not", 0},
	} {
		if got := lx.wordRoles([]byte(tc.word)); got != tc.want {
			t.Errorf("%q: roles %b, want %b", tc.word, got, tc.want)
		}
	}
	tk := textnorm.Tokenize("Iran plans to buy")
	if n, r := lx.longest(tk, 1, 4, ^unscanned); n != 2 || r != roleUnasserted {
		t.Errorf("phrase: %d words, roles %b", n, r)
	}
}

func TestRoleNamesSorted(t *testing.T) {
	names := RoleNames()
	if len(names) != len(roleNames) || !slicesSorted(names) {
		t.Errorf("RoleNames() = %v", names)
	}
}

func slicesSorted(s []string) bool {
	for i := 1; i < len(s); i++ {
		if s[i-1] >= s[i] {
			return false
		}
	}
	return true
}

// BenchmarkClassify classifies the event of each tuning sentence in turn.
func BenchmarkClassify(b *testing.B) {
	cases := readCases(b, "en_tune.tsv")
	cases = append(cases, readCases(b, "ru.tsv")...)
	cases = append(cases, readCases(b, "fa.tsv")...)
	for _, c := range cases { // warm the cue cache: steady state
		Classify(c.tk, 0, len(c.tk.Tokens), c.pos, c.end)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		c := &cases[i%len(cases)]
		Classify(c.tk, 0, len(c.tk.Tokens), c.pos, c.end)
	}
}
