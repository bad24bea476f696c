package textnorm

import (
	"testing"

	"github.com/claimwatch/claimwatch/internal/testcorpus"
)

func TestCorpusTokens(t *testing.T) {
	var tk Tokens
	for _, body := range testcorpus.ArticleBodies(t) {
		tk.Reset(body)
		checkTokens(t, &tk)
	}
}

func BenchmarkTokenizeCorpus(b *testing.B) {
	bodies := testcorpus.ArticleBodies(b)
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
