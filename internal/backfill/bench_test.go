package backfill

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
)

// BenchmarkBackfillWARC is end to end: read, decompress, prefilter, extract
// the candidates, match, store. The file holds the benchmark corpus pages,
// the evidence pages and generated unrelated pages, so that about 1 % of
// the pages are candidates.
func BenchmarkBackfillWARC(b *testing.B) {
	dir := b.TempDir()
	path, n := writeWARC(b, dir, true, 3000, 9)
	var st Stats
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		e := newEnv(b, filepath.Join(dir, fmt.Sprintf("bench-%d.db", i)))
		b.StartTimer()
		var err error
		if st, err = Run(context.Background(), e.options(), []string{path}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(100*float64(st.Candidates)/float64(st.Records), "%candidates")
}
