package storage

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/claimwatch/claimwatch/claims"
)

// BenchmarkSaveArticle measures storing one new article with two findings
// (article, FTS row, story lookup, evidence) per transaction.
func BenchmarkSaveArticle(b *testing.B) { benchmarkSave(b, nil) }

// benchmarkSave saves articles with two findings each, queuing alerts as
// route says (nil: none).
func benchmarkSave(b *testing.B, route AlertRoute) {
	s := openTest(b)
	syncTest(b, s, "c1", "c2")
	s.SetAlertRoute(route)
	ctx := context.Background()
	fs := []claims.Finding{finding("c1", claims.Supports), finding("c2", claims.Mentions)}
	a := article(0, t0)
	a.Text = longText
	b.SetBytes(int64(len(a.Text)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		a := article(i, t0.Add(time.Duration(i)*time.Minute))
		a.Text = longText
		if _, err := s.SaveArticle(ctx, a, fs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "articles/s")
}

// longText is a typical article body (about 4 KB).
var longText = func() string {
	s := ""
	for len(s) < 4000 {
		s += "Russia has delivered the first batch of Su-35 fighter jets to Iran, officials in Tehran said on Monday. "
	}
	return s
}()

// BenchmarkStreamEvidence streams every evidence row of a large database
// (100k and 1M rows) and reports bytes allocated per row and the peak live
// heap seen while streaming: the peak must not grow with the row count.
func BenchmarkStreamEvidence(b *testing.B) {
	for _, size := range []struct {
		name     string
		articles int
		claims   []string
	}{
		{"rows=100k", 10000, []string{"c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9"}},
		{"rows=1M", 100000, []string{"c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9"}},
	} {
		b.Run(size.name, func(b *testing.B) {
			s := openTest(b)
			syncTest(b, s, size.claims...)
			insertBulk(b, s, size.claims, size.articles, 0)
			want := size.articles * len(size.claims)
			ctx := context.Background()
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			base := ms.HeapAlloc
			var peak uint64
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				n := 0
				err := s.StreamEvidence(ctx, EvidenceFilter{}, func(r EvidenceRow) error {
					n++
					if n%20000 == 0 {
						runtime.ReadMemStats(&ms)
						if ms.HeapAlloc > peak {
							peak = ms.HeapAlloc
						}
					}
					return nil
				})
				if err != nil || n != want {
					b.Fatalf("streamed %d rows, %v; want %d", n, err, want)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(want*b.N)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
			b.ReportMetric(float64(int64(peak)-int64(base))/(1<<20), "peak-growth-MB")
		})
	}
}

// BenchmarkRematch re-matches one changed claim over 5,000 stored articles
// of which one in fifty held its evidence and one in a hundred still
// matches: the storage side of a claim edit (matching itself is stubbed).
func BenchmarkRematch(b *testing.B) {
	s := openTest(b)
	syncTest(b, s, "c1")
	ctx := context.Background()
	const n = 5000
	for i := range n {
		a := article(i, t0.Add(time.Duration(i)*time.Minute))
		var fs []claims.Finding
		if i%50 == 0 {
			fs = []claims.Finding{finding("c1", claims.Supports)}
		}
		if _, err := s.SaveArticle(ctx, a, fs); err != nil {
			b.Fatal(err)
		}
	}
	match := func(a Article) (claims.Finding, bool) {
		if a.ID%100 == 0 {
			return finding("c1", claims.Mentions), true
		}
		return claims.Finding{}, false
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := s.Rematch(ctx, "c1", match, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "articles/s")
}
