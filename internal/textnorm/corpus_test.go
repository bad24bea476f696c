package textnorm

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/claimwatch/claimwatch/internal/testcorpus"
)

// corpusText returns the article bodies of the shared extraction benchmark.
func corpusText(tb testing.TB) []string {
	tb.Helper()
	data, err := os.ReadFile(testcorpus.Path(tb, "article-extraction-benchmark", "ground-truth.json"))
	if err != nil {
		tb.Fatalf("read ground truth: %v", err)
	}
	var truth map[string]struct {
		ArticleBody string `json:"articleBody"`
	}
	if err := json.Unmarshal(data, &truth); err != nil {
		tb.Fatalf("parse ground truth: %v", err)
	}
	var bodies []string
	for _, v := range truth {
		bodies = append(bodies, v.ArticleBody)
	}
	return bodies
}

func TestCorpusTokens(t *testing.T) {
	var tk Tokens
	for _, body := range corpusText(t) {
		tk.Reset(body)
		checkTokens(t, &tk)
	}
}

func BenchmarkTokenizeCorpus(b *testing.B) {
	bodies := corpusText(b)
	var total int64
	for _, body := range bodies {
		total += int64(len(body))
	}
	var tk Tokens
	b.SetBytes(total)
	b.ReportAllocs()
	for b.Loop() {
		for _, body := range bodies {
			tk.Reset(body)
		}
	}
}
