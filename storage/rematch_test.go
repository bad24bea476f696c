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

// TestRematchOutdated: an article saved with a claim set other than the
// live one is queued, and evidence rows carry the definition they were
// matched with. RematchOutdated matches the queued article and the article
// whose row is of an old definition again, with the live claims, and leaves
// nothing for a second run (as at the next start).
func TestRematchOutdated(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	syncTest(t, s, "c1", "c2") // live: h-c1, h-c2
	live := RulesOf([]claims.Claim{testClaim("c1", "h-c1"), testClaim("c2", "h-c2")})
	old := RulesOf([]claims.Claim{testClaim("c1", "old-c1")}) // before a reload: c2 did not exist

	current := article(1, t0)
	current.MatchedWith = live
	cur := mustSave(t, s, current, finding("c1", claims.Supports))
	stale := article(2, t0)
	stale.MatchedWith = old // saved by a poll still holding the old claims
	inFlight := mustSave(t, s, stale, finding("c1", claims.Supports))

	rows, err := s.ListEvidence(ctx, EvidenceFilter{IncludeStale: true})
	if err != nil || len(rows) != 2 {
		t.Fatalf("evidence: %d rows, %v", len(rows), err)
	}
	for _, r := range rows {
		want := "h-c1"
		if r.ArticleID == inFlight.ArticleID {
			want = "old-c1"
		}
		if r.ClaimHash != want {
			t.Errorf("article %d: claim hash %q, want %q", r.ArticleID, r.ClaimHash, want)
		}
	}

	var matched []int64
	res, err := s.RematchOutdated(ctx, live, func(a Article) []claims.Finding {
		matched = append(matched, a.ID)
		return []claims.Finding{finding("c2", claims.Mentions)} // the live rules: c1 no longer, c2 now
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(matched) != 1 || matched[0] != inFlight.ArticleID {
		t.Fatalf("matched articles %v, want only %d (article %d was saved with the live claims)", matched, inFlight.ArticleID, cur.ArticleID)
	}
	if want := (RematchResult{Scanned: 1, Matched: 1, New: 1, MarkedStale: 1}); res != want {
		t.Errorf("result %+v, want %+v", res, want)
	}
	rows, _ = s.ListEvidence(ctx, EvidenceFilter{IncludeStale: true})
	for _, r := range rows {
		if r.ArticleID != inFlight.ArticleID {
			continue
		}
		switch {
		case r.ClaimID == "c1" && (!r.Stale || r.ClaimHash != "h-c1"):
			t.Errorf("c1 row: stale %t, hash %q; want stale under h-c1", r.Stale, r.ClaimHash)
		case r.ClaimID == "c2" && (r.Stale || r.ClaimHash != "h-c2" || r.Stance != claims.Mentions):
			t.Errorf("c2 row: %+v; want live mentions under h-c2", r)
		}
	}

	// A claim file edited while the daemon was down: the start-up sync
	// changes the stored hash, and the rows of the old definition are found.
	if _, err := s.SyncClaims(ctx, []claims.Claim{testClaim("c1", "h2-c1"), testClaim("c2", "h-c2")}); err != nil {
		t.Fatal(err)
	}
	live = RulesOf([]claims.Claim{testClaim("c1", "h2-c1"), testClaim("c2", "h-c2")})
	matched = nil
	if _, err := s.RematchOutdated(ctx, live, func(a Article) []claims.Finding {
		matched = append(matched, a.ID)
		return []claims.Finding{finding("c1", claims.Contradicts)}
	}, nil); err != nil {
		t.Fatal(err)
	}
	if len(matched) != 2 {
		t.Errorf("after the claim change: matched %v, want both articles (both hold c1 rows of the old definition)", matched)
	}
	res, err = s.RematchOutdated(ctx, live, func(a Article) []claims.Finding {
		t.Errorf("article %d matched again with nothing outdated", a.ID)
		return nil
	}, nil)
	if err != nil || res.Scanned != 0 {
		t.Errorf("second run: %+v, %v; want nothing to do", res, err)
	}
}

// A row already stale stays stale when the claim changes again and still
// does not match, and records the new definition's hash; a row that never
// existed is not made.
func TestRematchStaleRowTakesTheNewHash(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	syncTest(t, s, "c1")
	held := mustSave(t, s, article(1, t0), finding("c1", claims.Supports))
	mustSave(t, s, article(2, t0))
	never := func(Article) (claims.Finding, bool) { return claims.Finding{}, false }
	for i, hash := range []string{"h-second", "h-third"} {
		if _, err := s.SyncClaims(ctx, []claims.Claim{testClaim("c1", hash)}); err != nil {
			t.Fatal(err)
		}
		res, err := s.Rematch(ctx, "c1", never, nil)
		if err != nil {
			t.Fatal(err)
		}
		if want := 1 - i; res.MarkedStale != want || res.Scanned != 2 {
			t.Errorf("rematch under %s: %+v; want %d newly stale of 2 scanned", hash, res, want)
		}
		rows, err := s.ListEvidence(ctx, EvidenceFilter{IncludeStale: true})
		if err != nil || len(rows) != 1 {
			t.Fatalf("under %s: %d rows (%v), want only the one that was stored", hash, len(rows), err)
		}
		if r := rows[0]; r.ArticleID != held.ArticleID || !r.Stale || r.ClaimHash != hash {
			t.Errorf("under %s: row stale %t hash %q, want stale under %s", hash, r.Stale, r.ClaimHash, hash)
		}
	}
}
