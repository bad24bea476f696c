package report

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/claimwatch/claimwatch/claims"
	"github.com/claimwatch/claimwatch/storage"
)

const (
	benchClaims   = 10
	benchArticles = 100_000 // × benchClaims = 1,000,000 evidence rows
)

var (
	benchOnce sync.Once
	benchDir  string
	benchPath string
	benchErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

// millionRowDB builds, once per process and only when a benchmark asks, a
// database of benchClaims × benchArticles evidence rows. Rows are inserted in
// bulk with SQL in one transaction: through SaveArticle a million rows would
// take minutes, and the export, not the insert, is what is measured.
func millionRowDB(b *testing.B) string {
	benchOnce.Do(func() {
		ctx := context.Background()
		if benchDir, benchErr = os.MkdirTemp("", "claimwatch-bench-"); benchErr != nil {
			return
		}
		benchPath = filepath.Join(benchDir, "million.db")
		s, err := storage.Open(ctx, benchPath)
		if err != nil {
			benchErr = err
			return
		}
		var cs []claims.Claim
		for i := range benchClaims {
			cs = append(cs, claims.Claim{ID: fmt.Sprintf("claim-%02d", i), Statement: "Russia will sell Su-35 jets to Iran.", Made: day0, Hash: "h"})
		}
		if _, err := s.SyncClaims(ctx, cs); err != nil {
			benchErr = err
			return
		}
		s.Close()
		db, err := sql.Open("sqlite", benchPath)
		if err != nil {
			benchErr = err
			return
		}
		defer db.Close()
		_, benchErr = db.ExecContext(ctx, `
			BEGIN;
			WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)
			INSERT INTO articles (id, url, title, published_at, published_flag, fetched_at, first_seen_at,
				source, outlet, text, story_id)
			SELECT i, 'https://news' || (i % 50) || '.example/2020/' || i,
				'Russia and Iran: report number ' || i || ' on Su-35 deliveries',
				strftime('%Y-%m-%dT%H:%M:%fZ', '2020-01-10', '+' || (i * 60) || ' seconds'), 'feed',
				strftime('%Y-%m-%dT%H:%M:%fZ', '2020-01-10', '+' || (i * 60 + 30) || ' seconds'),
				strftime('%Y-%m-%dT%H:%M:%fZ', '2020-01-10', '+' || (i * 60 + 30) || ' seconds'),
				'wire', 'news' || (i % 50) || '.example', '', i
			FROM n;
			INSERT INTO evidence (claim_id, article_id, stance, confidence, snippet, matched_terms, sentences,
				published_at, first_seen_at, updated_at)
			SELECT c.id, a.id, CASE a.id % 3 WHEN 0 THEN 'supports' WHEN 1 THEN 'contradicts' ELSE 'mentions' END,
				0.75, 'Moscow said on Tuesday that it had delivered the first Su-35 fighter jets to Tehran, ' ||
				'a deal worth about two billion dollars.', '["Russia","Iran","Su-35","deliver*"]', 1,
				a.published_at, a.first_seen_at, a.first_seen_at
			FROM claims c CROSS JOIN articles a;
			COMMIT;`, benchArticles)
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchPath
}

// BenchmarkExportEvidenceCSV exports a million evidence rows to io.Discard.
// peak-heap-MB is the largest HeapInuse seen while exporting (sampled every
// 5 ms), showing memory stays flat however many rows stream through.
func BenchmarkExportEvidenceCSV(b *testing.B) {
	path := millionRowDB(b)
	ctx := context.Background()
	s, err := storage.OpenReadOnly(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	runtime.GC()
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		var ms runtime.MemStats
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	})
	cw := &countingWriter{}
	b.ReportAllocs()
	b.ResetTimer()
	var rows int
	for b.Loop() {
		n, err := ExportEvidence(ctx, s, storage.EvidenceFilter{}, CSV, cw)
		if err != nil {
			b.Fatal(err)
		}
		rows = n
	}
	b.StopTimer()
	close(done)
	wg.Wait()
	if rows != benchClaims*benchArticles {
		b.Fatalf("exported %d rows, want %d", rows, benchClaims*benchArticles)
	}
	b.SetBytes(cw.n / int64(b.N))
	b.ReportMetric(float64(rows), "rows/op")
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
}

// countingWriter is io.Discard that counts bytes, for b.SetBytes.
type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	return io.Discard.Write(p)
}
