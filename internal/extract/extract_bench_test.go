package extract

import (
	"bytes"
	"context"
	"testing"
)

// BenchmarkExtract extracts every benchmark page once per iteration, on one
// goroutine; MB/s counts HTML bytes.
func BenchmarkExtract(b *testing.B) {
	ctx := context.Background()
	benchCorpus(b, func(p benchPage) error {
		_, err := Extract(ctx, bytes.NewReader(p.HTML), p.URL)
		return err
	})
}

// BenchmarkText measures the whole-page fallback on the same pages.
func BenchmarkText(b *testing.B) {
	benchCorpus(b, func(p benchPage) error {
		_, err := Text(bytes.NewReader(p.HTML))
		return err
	})
}

// benchCorpus runs fn on every benchmark page per iteration and reports
// pages/s beside the byte throughput.
func benchCorpus(b *testing.B, fn func(benchPage) error) {
	pages := loadBenchmark(b)
	var total int64
	for _, p := range pages {
		total += int64(len(p.HTML))
	}
	b.SetBytes(total)
	b.ReportAllocs()
	for b.Loop() {
		for _, p := range pages {
			if err := fn(p); err != nil {
				b.Fatalf("%s: %v", p.URL, err)
			}
		}
	}
	b.ReportMetric(float64(len(pages)*b.N)/b.Elapsed().Seconds(), "pages/s")
}
