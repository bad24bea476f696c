package matcher

import (
	"slices"
	"strings"
	"testing"

	"github.com/claimwatch/claimwatch/claims"
	"github.com/claimwatch/claimwatch/internal/testcorpus"
	"github.com/claimwatch/claimwatch/internal/textnorm"
)

func TestDFALookup(t *testing.T) {
	tr := newTrie()
	iran := tr.symbol("iran", false)
	iranPre := tr.symbol("iran", true)
	irPre := tr.symbol("ir", true)
	aPre := tr.symbol("a", true)
	a := tr.symbol("a", false)
	cyr := tr.symbol("иран", true)
	d := tr.compile()
	tests := []struct {
		word string
		want []int32
	}{
		{"iran", []int32{irPre, iranPre, iran}},
		{"iranian", []int32{irPre, iranPre}},
		{"irk", []int32{irPre}},
		{"ir", []int32{irPre}},
		{"i", nil},
		{"a", []int32{aPre, a}},
		{"ab", []int32{aPre}},
		{"ирана", []int32{cyr}},
		{"иркутск", nil},
		{"", nil},
		{"tehran", nil},
	}
	for _, tt := range tests {
		got := d.lookup([]byte(tt.word), nil)
		slices.Sort(got)
		want := slices.Sorted(slices.Values(tt.want))
		if !slices.Equal(got, want) {
			t.Errorf("lookup(%q) = %v, want %v", tt.word, got, want)
		}
	}
}

func TestPackWord(t *testing.T) {
	buf := []byte("saidthe12345678x")
	seen := map[uint64]string{}
	for start := 0; start < len(buf); start++ {
		for end := start + 1; end <= min(len(buf), start+8); end++ {
			w := buf[start:end] // capacity runs on into the next bytes
			short := append([]byte(nil), w...)
			short = short[:len(short):len(short)]
			if packWord(w) != packWord(short) {
				t.Fatalf("packWord(%q) differs with and without spare capacity", w)
			}
			if prev, ok := seen[packWord(w)]; ok && prev != string(w) {
				t.Fatalf("packWord(%q) == packWord(%q)", w, prev)
			}
			seen[packWord(w)] = string(w)
		}
	}
}

// TestWordCacheAgreesWithDFA checks cached lookups against the DFA, for
// words around the 8- and 16-byte packing limits, asked twice each (a miss,
// then usually a hit) in an order that makes slots change hands.
func TestWordCacheAgreesWithDFA(t *testing.T) {
	m := mustCompile(t, generateClaims(200, 3))
	var words [][]byte
	buf := []byte("iranianrussiansanctionsexportcontrolsdeliveredxyzzy12345678901234567890")
	for start := 0; start < len(buf); start += 3 {
		for end := start + 1; end <= min(len(buf), start+20); end++ {
			words = append(words, buf[start:end])
		}
	}
	var c wordCache
	for pass := range 2 {
		for _, w := range words {
			want := m.dfa.lookup(w, nil)
			if got := c.lookup(m.dfa, w, packWord(w), nil); !slices.Equal(got, want) {
				t.Fatalf("pass %d: cached lookup(%q) = %v, DFA gives %v", pass, w, got, want)
			}
		}
	}
}

// TestFilterNeverHidesAMatch checks that every word with a symbol passes
// the filter: the corpus's words, and every pattern word and prefix
// stretched to lengths around the filter's length cap.
func TestFilterNeverHidesAMatch(t *testing.T) {
	for _, cs := range [][]claims.Claim{shippedClaims(t), generateClaims(500, 1)} {
		m := mustCompile(t, cs)
		check := func(w []byte) {
			if len(m.dfa.lookup(w, nil)) > 0 && !m.dfa.mayMatch(packWord(w), len(w)) {
				t.Fatalf("filter rejects %q, which has symbols", w)
			}
		}
		var tk textnorm.Tokens
		for _, body := range testcorpus.ArticleBodies(t) {
			tk.Reset(body)
			for i := range tk.Tokens {
				check(tk.Norm(i))
			}
		}
		var terms []string
		for _, cc := range m.claims {
			terms = append(terms, cc.terms...)
		}
		passed := 0
		for _, term := range terms {
			words, _, err := parseTerm(term)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range words {
				for extra := range filterLen + 3 {
					check([]byte(w + strings.Repeat("x", extra)))
				}
				passed++
			}
		}
		if passed == 0 {
			t.Fatal("no pattern words checked")
		}
	}
}
