package extract

import (
	"bytes"
	"context"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

// minF1 is the gate on the whole benchmark. Measured: 0.967 (P 0.956,
// R 0.979); go-trafilatura alone scores 0.960 and the best peer 0.970.
const minF1 = 0.95

// TestExtractF1 runs Extract on all 181 benchmark pages, in parallel across
// GOMAXPROCS, and scores the text with the benchmark's metric.
func TestExtractF1(t *testing.T) {
	pages := loadBenchmark(t)
	preds := extractAll(t, pages)
	s := scorePredictions(pages, preds)
	t.Logf("Extract on %d pages: F1 %.4f  precision %.4f  recall %.4f", len(pages), s.F1, s.Precision, s.Recall)
	if s.F1 < minF1 {
		t.Errorf("F1 %.4f below %.2f (precision %.4f, recall %.4f)", s.F1, minF1, s.Precision, s.Recall)
	}
	if *candidatesDir != "" {
		writePredictions(t, filepath.Join(*candidatesDir, "claimwatch_extract.json"), preds)
	}
}

// extractAll returns page id -> Extract's text.
func extractAll(t *testing.T, pages []benchPage) map[string]string {
	preds := make(map[string]string, len(pages))
	var mu sync.Mutex
	var wg sync.WaitGroup
	work := make(chan benchPage)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for pg := range work {
				p, err := Extract(context.Background(), bytes.NewReader(pg.HTML), pg.URL)
				if err != nil {
					t.Errorf("Extract %s (%s): %v", pg.ID, pg.URL, err)
					continue
				}
				mu.Lock()
				preds[pg.ID] = p.Text
				mu.Unlock()
			}
		}()
	}
	for _, pg := range pages {
		work <- pg
	}
	close(work)
	wg.Wait()
	return preds
}
