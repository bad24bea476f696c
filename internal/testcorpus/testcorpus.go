// Package testcorpus locates the read-only test corpus (testdata/corpus in
// the repository) for tests and benchmarks, so a fresh clone needs nothing
// beside it. testdata/corpus/README.md gives each data set's origin and
// licence.
package testcorpus

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"testing"
)

// Dir returns the absolute path of testdata/corpus under the repository
// root (the directory holding go.mod), failing tb with a clear message when
// it is missing.
func Dir(tb testing.TB) string {
	tb.Helper()
	wd, err := os.Getwd()
	if err != nil {
		tb.Fatalf("testcorpus: working directory: %v", err)
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			corpus := filepath.Join(dir, "testdata", "corpus")
			if _, err := os.Stat(corpus); err != nil {
				tb.Fatalf("testcorpus: the test corpus is missing: expected it at %s (testdata/corpus in the repository): %v", corpus, err)
			}
			return corpus
		}
		if filepath.Dir(dir) == dir {
			tb.Fatalf("testcorpus: no go.mod above %s", wd)
		}
	}
}

// Path joins elem onto Dir and fails tb when the result does not exist.
func Path(tb testing.TB, elem ...string) string {
	tb.Helper()
	p := filepath.Join(append([]string{Dir(tb)}, elem...)...)
	if _, err := os.Stat(p); err != nil {
		tb.Fatalf("testcorpus: %v", err)
	}
	return p
}

// Article is one page of the extraction benchmark's ground truth.
type Article struct {
	ID, URL, Body string
}

// GroundTruth returns the extraction benchmark's ground truth
// (article-extraction-benchmark/ground-truth.json), sorted by id, failing tb
// when it cannot be read.
func GroundTruth(tb testing.TB) []Article {
	tb.Helper()
	path := Path(tb, "article-extraction-benchmark", "ground-truth.json")
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("testcorpus: %v", err)
	}
	var truth map[string]struct {
		ArticleBody string `json:"articleBody"`
		URL         string `json:"url"`
	}
	if err := json.Unmarshal(data, &truth); err != nil {
		tb.Fatalf("testcorpus: parse %s: %v", path, err)
	}
	out := make([]Article, 0, len(truth))
	for id, v := range truth {
		out = append(out, Article{ID: id, URL: v.URL, Body: v.ArticleBody})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// ArticleBodies returns the non-empty ground-truth article bodies, in id order.
func ArticleBodies(tb testing.TB) []string {
	tb.Helper()
	var bodies []string
	for _, a := range GroundTruth(tb) {
		if a.Body != "" {
			bodies = append(bodies, a.Body)
		}
	}
	return bodies
}
