package storage

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/claimwatch/claimwatch/claims"
)

// TestReadersDuringWrites: readers (ListEvidence, Search, StreamEvidence,
// ClaimStatus, and a second read-only Store as a report command would open)
// never fail while a writer saves 200 articles.
func TestReadersDuringWrites(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	syncTest(t, s, "c1", "c2")
	ro, err := OpenReadOnly(ctx, s.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	// A second writer in the same "process" shares the file like another
	// claimwatch command would (review while the daemon ingests).
	other, err := Open(ctx, s.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()

	var done atomic.Bool
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	var reads atomic.Int64
	reader := func(name string, fn func() error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !done.Load() {
				if err := fn(); err != nil {
					errs <- fmt.Errorf("%s: %w", name, err)
					return
				}
				reads.Add(1)
				// Leave the writer some CPU on a 2-core machine under -race.
				time.Sleep(10 * time.Millisecond)
			}
		}()
	}
	reader("ListEvidence", func() error {
		_, err := s.ListEvidence(ctx, EvidenceFilter{ClaimID: "c1", Limit: 50})
		return err
	})
	reader("Search", func() error {
		_, err := s.Search(ctx, "Russia Iran", SearchOptions{Limit: 20})
		return err
	})
	reader("StreamEvidence", func() error {
		return ro.StreamEvidence(ctx, EvidenceFilter{}, func(EvidenceRow) error { return nil })
	})
	reader("ClaimStatus", func() error {
		_, err := ro.ClaimStatus(ctx, t0)
		return err
	})

	var reviewed atomic.Int64
	for i := 0; i < 200; i++ {
		a := article(i, t0.Add(time.Duration(i)*time.Minute))
		if _, err := s.SaveArticle(ctx, a, []claims.Finding{finding("c1", claims.Supports), finding("c2", claims.Mentions)}); err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
		if i%20 == 0 {
			ev, err := other.ListEvidence(ctx, EvidenceFilter{Limit: 1})
			if err != nil || len(ev) == 0 {
				t.Fatalf("other store read: %v", err)
			}
			if err := other.Review(ctx, ev[0].ID, claims.Irrelevant, "", ""); err != nil {
				t.Fatalf("concurrent review from a second store: %v", err)
			}
			reviewed.Add(1)
		}
	}
	done.Store(true)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	ev, err := ro.ListEvidence(ctx, EvidenceFilter{IncludeIrrelevant: true})
	if err != nil || len(ev) != 400 {
		t.Fatalf("after writes: %d rows, %v; want 400", len(ev), err)
	}
	t.Logf("%d reads during 200 writes and %d reviews", reads.Load(), reviewed.Load())
}

func TestOpenPathsWithOddCharacters(t *testing.T) {
	ctx := context.Background()
	for _, name := range []string{"a b.db", "q?x=1.db", "hash#1.db", "pct%20.db", "ünï.db"} {
		path := filepath.Join(t.TempDir(), name)
		s, err := Open(ctx, path)
		if err != nil {
			t.Fatalf("%q: %v", name, err)
		}
		syncTest(t, s, "c1")
		s.Close()
		ro, err := OpenReadOnly(ctx, path)
		if err != nil {
			t.Fatalf("%q read-only: %v", name, err)
		}
		if cs, err := ro.Claims(ctx); err != nil || len(cs) != 1 {
			t.Fatalf("%q: claims %v, %v", name, cs, err)
		}
		ro.Close()
	}
}
