package prefilter

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/claimwatch/claimwatch/claims"
	"github.com/claimwatch/claimwatch/internal/charset"
	"github.com/claimwatch/claimwatch/internal/extract"
	"github.com/claimwatch/claimwatch/internal/matcher"
	"github.com/claimwatch/claimwatch/internal/testcorpus"
	"github.com/claimwatch/claimwatch/internal/textnorm"
)

// benchmarkPages returns the extraction benchmark's pages, UTF-8 decoded.
func benchmarkPages(tb testing.TB) map[string][]byte {
	tb.Helper()
	dir := testcorpus.Path(tb, "article-extraction-benchmark", "html")
	names, err := filepath.Glob(filepath.Join(dir, "*.html.gz"))
	if err != nil || len(names) == 0 {
		tb.Fatalf("benchmark pages in %s: %v", dir, err)
	}
	pages := map[string][]byte{}
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			tb.Fatal(err)
		}
		zr, err := gzip.NewReader(f)
		if err != nil {
			tb.Fatalf("%s: %v", name, err)
		}
		raw, err := io.ReadAll(zr)
		f.Close()
		if err != nil {
			tb.Fatalf("%s: %v", name, err)
		}
		body, _, err := charset.DecodeHTML(raw, "text/html")
		if err != nil {
			tb.Fatalf("%s: %v", name, err)
		}
		pages[filepath.Base(name)] = body
	}
	return pages
}

// claimOf is a claim whose event rule needs every one of terms (one group
// each).
func claimOf(id string, terms ...string) claims.Claim {
	c := claims.Claim{ID: id}
	for i, t := range terms {
		name := fmt.Sprintf("g%d", i)
		c.Groups = append(c.Groups, claims.Group{Name: name, Terms: []string{t}})
		c.Rule.All = append(c.Rule.All, name)
	}
	return c
}

// TestPrefilterKeepsEveryExtractedWord is the never-lose property on real
// pages: for each benchmark page, claims built from words and phrases of the
// title and main text that extraction gives must find the page a
// candidate, and a claim of words the page lacks must not.
func TestPrefilterKeepsEveryExtractedWord(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 1))
	checked := 0
	pages := benchmarkPages(t)
	names := make([]string, 0, len(pages))
	for name := range pages {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		body := pages[name]
		page, err := extract.Extract(context.Background(), bytes.NewReader(body), "")
		if err != nil {
			continue // nothing extracted: nothing to lose
		}
		var terms []string
		for _, text := range []string{page.Title, page.Text} {
			toks := textnorm.Tokenize(text)
			for range 4 {
				if len(toks.Tokens) < 3 {
					break
				}
				k := rng.IntN(len(toks.Tokens) - 1)
				a, b := toks.Tokens[k], toks.Tokens[k+1]
				if strings.Contains(text[a.Start:b.End], "*") {
					continue // not a valid term
				}
				terms = append(terms, text[a.Start:a.End])
				if a.Sentence == b.Sentence {
					terms = append(terms, text[a.Start:b.End]) // a phrase
				}
			}
		}
		if len(terms) == 0 {
			continue
		}
		m, err := matcher.Compile([]claims.Claim{claimOf("page", terms...), claimOf("absent", "zqxjvv")})
		if err != nil {
			t.Fatalf("%s: compile %q: %v", name, terms, err)
		}
		f := New(m)
		if !f.Page(body) {
			t.Errorf("%s: not a candidate, yet its extracted text holds %q", name, terms)
		}
		m2, _ := matcher.Compile([]claims.Claim{claimOf("absent", "zqxjvv", terms[0])})
		if New(m2).Page(body) {
			t.Errorf("%s: a candidate for a word it lacks", name)
		}
		checked++
	}
	if checked < 150 {
		t.Fatalf("only %d pages checked", checked)
	}
}

// TestPrefilterMarkup: each reading of the raw bytes that a DOM could give.
func TestPrefilterMarkup(t *testing.T) {
	m, err := matcher.Compile([]claims.Claim{claimOf("c", "Superjet", "U.S.", "Tehran")})
	if err != nil {
		t.Fatal(err)
	}
	f := New(m)
	tests := []struct {
		name string
		page string
		want bool
	}{
		{"plain", "<p>The Superjet flew from the U.S. to Tehran.</p>", true},
		{"tags inside words", "<p>The Su<b>per</b><i>j</i>et flew from the U.<span>S.</span> to <a href=x>Teh</a>ran.</p>", true},
		{"block tags between words", "<td>Superjet</td><td>U.S.</td><td>Tehran</td>", true},
		{"white space between elements dropped", "<p>Super</p>\n  <p>jet</p> <p>U.</p>\n<p>S.</p> Tehran", true},
		{"entities", "<p>Super&#106;et &amp; U&period;S. &#x54;ehran</p>", true},
		{"meta and title", `<html><head><title>Superjet</title><meta property="og:title" content="U.S. and Tehran"></head></html>`, true},
		{"json-ld body", `<script type="application/ld+json">{"headline":"Superjet","articleBody":"<p>U.S.<\/p> \u0054ehran"}</script>`, true},
		{"only in a script", `<script>var a = "Superjet U.S. Tehran";</script><p>nothing</p>`, false},
		{"only in a comment", `<!-- Superjet U.S. Tehran --><p>nothing</p>`, false},
		{"only in a style", `<style>.Superjet.U.S.Tehran{}</style>`, false},
		{"only in attributes", `<a href="/Superjet/U.S./Tehran" class="Tehran">x</a>`, false},
		{"a word missing", "<p>The Superjet flew from the U.S.</p>", false},
		{"a quoted '>' in a tag", `<p data-x="a > b">Superjet U.S. Tehran</p>`, true},
		{"unterminated", `<p>Superjet U.S. Tehran <b`, true},
	}
	for _, tc := range tests {
		if got := f.Page([]byte(tc.page)); got != tc.want {
			t.Errorf("%s: Page(%q) = %v, want %v", tc.name, tc.page, got, tc.want)
		}
	}
	if !f.Texts("superjet u.s.", "tehran") || f.Texts("superjet") {
		t.Errorf("Texts does not answer as Page does")
	}
}

func BenchmarkPrefilter(b *testing.B) {
	cs, err := claims.Shipped()
	if err != nil {
		b.Fatal(err)
	}
	m, err := matcher.Compile(cs)
	if err != nil {
		b.Fatal(err)
	}
	var pages [][]byte
	total := 0
	for _, p := range benchmarkPages(b) {
		pages = append(pages, p)
		total += len(p)
	}
	f := New(m)
	b.SetBytes(int64(total))
	b.ResetTimer()
	candidates := 0
	for b.Loop() {
		candidates = 0
		for _, p := range pages {
			if f.Page(p) {
				candidates++
			}
		}
	}
	b.ReportMetric(float64(candidates), "candidates")
}
