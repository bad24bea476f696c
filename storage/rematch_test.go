package storage

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/claimwatch/claimwatch/claims"
)

func TestRematchKeepsReviewsAndMarksStale(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	syncTest(t, s, "c1", "c2")
	var arts []SaveResult
	for i := 0; i < 6; i++ {
		fs := []claims.Finding{finding("c2", claims.Mentions)}
		if i < 3 {
			fs = append(fs, finding("c1", claims.Supports))
		}
		arts = append(arts, mustSave(t, s, article(i, t0.Add(time.Duration(i)*time.Hour)), fs...))
	}
	ev, _ := s.ListEvidence(ctx, EvidenceFilter{ClaimID: "c1"})
	byArticle := map[int64]int64{}
	for _, e := range ev {
		byArticle[e.ArticleID] = e.ID
	}
	reviewed := byArticle[arts[0].ArticleID]
	if err := s.Review(ctx, reviewed, claims.Contradicts, "keep me", "ana"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DropOldText(ctx, t0.Add(150*time.Minute)); err != nil { // first seen t0+1h and t0+2h: articles 0 and 1
		t.Fatal(err)
	}
	// The changed claim: matches article 2 unchanged, 4 newly, and no longer
	// 0 (text dropped: left alone), 1 (text dropped) or 3 (never matched).
	// Then a second change drops article 2 and rewords 4.
	seen := map[int64]bool{}
	var progress []int
	res, err := s.Rematch(ctx, "c1", func(a Article) (claims.Finding, bool) {
		seen[a.ID] = true
		if a.Text == "" || !strings.Contains(a.Text, "Russia") {
			t.Errorf("article %d passed without its text", a.ID)
		}
		switch a.ID {
		case arts[2].ArticleID:
			return finding("ignored-id", claims.Supports), true
		case arts[4].ArticleID:
			return finding("c1", claims.Mentions), true
		}
		return claims.Finding{}, false
	}, func(n int) { progress = append(progress, n) })
	if err != nil {
		t.Fatal(err)
	}
	want := RematchResult{Scanned: 6, Matched: 2, New: 1, Updated: 0, Unchanged: 1, MarkedStale: 0, SkippedNoText: 2}
	if res != want {
		t.Fatalf("first rematch = %+v\nwant %+v", res, want)
	}
	if seen[arts[0].ArticleID] || seen[arts[1].ArticleID] || len(progress) != 1 || progress[0] != 6 {
		t.Fatalf("seen %v, progress %v", seen, progress)
	}
	res, err = s.Rematch(ctx, "c1", func(a Article) (claims.Finding, bool) {
		f := finding("c1", claims.Contradicts)
		return f, a.ID == arts[4].ArticleID
	}, nil)
	want = RematchResult{Scanned: 6, Matched: 1, Updated: 1, MarkedStale: 1, SkippedNoText: 2}
	if err != nil || res != want {
		t.Fatalf("second rematch = %+v, %v\nwant %+v", res, err, want)
	}
	live, _ := s.ListEvidence(ctx, EvidenceFilter{ClaimID: "c1"})
	all, _ := s.ListEvidence(ctx, EvidenceFilter{ClaimID: "c1", IncludeStale: true})
	if len(live) != 3 || len(all) != 4 {
		t.Fatalf("live %v, with stale %v; want 3 and 4", ids(live), ids(all))
	}
	for _, e := range all {
		switch e.ArticleID {
		case arts[0].ArticleID:
			if e.ID != reviewed || e.Stance != claims.Contradicts || e.MachineStance != claims.Supports || e.ReviewNote != "keep me" || e.Stale {
				t.Errorf("reviewed row changed: %+v", e)
			}
		case arts[2].ArticleID:
			if !e.Stale {
				t.Errorf("article 2's row not stale: %+v", e)
			}
		case arts[4].ArticleID:
			if e.MachineStance != claims.Contradicts || e.Stale {
				t.Errorf("article 4's row: %+v", e)
			}
		}
	}
	// The other claim is untouched.
	if c2, _ := s.ListEvidence(ctx, EvidenceFilter{ClaimID: "c2"}); len(c2) != 6 {
		t.Fatalf("c2 has %d rows, want 6", len(c2))
	}
	// A match again revives the stale row.
	res, _ = s.Rematch(ctx, "c1", func(a Article) (claims.Finding, bool) {
		return finding("c1", claims.Contradicts), a.ID == arts[4].ArticleID || a.ID == arts[2].ArticleID
	}, nil)
	if res.Updated != 1 || res.Unchanged != 1 {
		t.Fatalf("revive = %+v", res)
	}
	if _, err := s.Rematch(ctx, "nope", nil, nil); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown claim: %v", err)
	}
}

func TestRematchBatches(t *testing.T) {
	s := openTest(t)
	syncTest(t, s, "c1")
	defer func(old int) { rematchBatch = old }(rematchBatch)
	rematchBatch = 40
	n := rematchBatch + 20
	insertBulk(t, s, []string{"c1"}, n/1, 0)
	var progress []int
	res, err := s.Rematch(context.Background(), "c1", func(a Article) (claims.Finding, bool) {
		return finding("c1", claims.Supports), a.ID%2 == 0
	}, func(k int) { progress = append(progress, k) })
	if err != nil || res.Scanned != n || res.Matched != n/2 || res.MarkedStale != n/2 {
		t.Fatalf("rematch = %+v, %v", res, err)
	}
	if len(progress) != 2 || progress[0] != rematchBatch || progress[1] != n {
		t.Fatalf("progress = %v", progress)
	}
}
