package matcher

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/claimwatch/claimwatch/claims"
	"github.com/claimwatch/claimwatch/internal/testcorpus"
)

// checkFindings asserts what every Match result must satisfy.
func checkFindings(t *testing.T, m *Matcher, doc Document, fs []claims.Finding) {
	t.Helper()
	if fs != nil && len(fs) == 0 {
		t.Fatalf("empty non-nil findings")
	}
	for i, f := range fs {
		if i > 0 && fs[i-1].ClaimID >= f.ClaimID {
			t.Fatalf("findings not sorted by claim id: %q then %q", fs[i-1].ClaimID, f.ClaimID)
		}
		if _, err := claims.ParseStance(string(f.Stance), false); err != nil {
			t.Fatalf("finding %+v: %v", f, err)
		}
		if f.Confidence < 0 || f.Confidence > 1 || f.Sentences < 1 || len(f.MatchedTerms) == 0 {
			t.Fatalf("finding out of range: %+v", f)
		}
		if !validSnippet(f.Snippet) {
			t.Fatalf("bad snippet %q for %+v", f.Snippet, doc)
		}
	}
}

func validSnippet(s string) bool {
	return len(s) > 0 && len(s) <= maxSnippet+2*len("…") && utf8.ValidString(s)
}

func TestCorpusNeverPanics(t *testing.T) {
	m := mustCompile(t, testClaims())
	matched := 0
	for _, body := range testcorpus.ArticleBodies(t) {
		doc := Document{Title: firstLine(body), Body: body}
		fs := m.Match(doc)
		checkFindings(t, m, doc, fs)
		matched += len(fs)
	}
	t.Logf("%d findings over the corpus", matched)
}

func FuzzMatch(f *testing.F) {
	bodies := testcorpus.ArticleBodies(f)
	for i := 0; i < len(bodies); i += 20 {
		b := bodies[i]
		if len(b) > 2000 {
			b = b[:2000]
		}
		f.Add(firstLine(b), b)
	}
	f.Add("Russia delivers jets", "Moscow has begun delivering Su-35 fighter jets to Tehran.")
	f.Add("", "Россия поставила истребители Су-35 Ирану. روسیه و ایران همکاری")
	f.Add("\xff", "Russian officers met in Damascus.\n\nIranian militias withdrew\xc3")
	m := mustCompile(f, testClaims())
	f.Fuzz(func(t *testing.T, title, body string) {
		doc := Document{Title: title, Body: body}
		checkFindings(t, m, doc, m.Match(doc))
	})
}

// firstLine returns s up to its first line break, as a stand-in title.
func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
