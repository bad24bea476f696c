package storage

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/claimwatch/claimwatch/claims"
)

// count returns the number of rows of a table (or FTS table).
func count(t *testing.T, s *Store, table string) int {
	t.Helper()
	var n int
	if err := s.r.QueryRowContext(context.Background(), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestSaveArticleIsOneTransaction(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	syncTest(t, s, "c1")
	// The second finding names a claim that does not exist: the failure comes
	// after the article, its FTS row and the first evidence row were written.
	_, err := s.SaveArticle(ctx, article(1, t0), []claims.Finding{finding("c1", claims.Supports), finding("missing", claims.Mentions)})
	if err == nil || !strings.Contains(err.Error(), `"missing"`) || !strings.Contains(err.Error(), article(1, t0).URL) {
		t.Fatalf("err = %v, want a failure naming the URL and claim", err)
	}
	for _, table := range []string{"articles", "evidence"} {
		if n := count(t, s, table); n != 0 {
			t.Errorf("%s has %d rows after a failed save, want 0", table, n)
		}
	}
	if hits, err := s.Search(ctx, "Russia", SearchOptions{}); err != nil || len(hits) != 0 {
		t.Errorf("search after failed save: %d hits, %v", len(hits), err)
	}
	// A machine stance of "irrelevant" is refused the same way.
	if _, err := s.SaveArticle(ctx, article(1, t0), []claims.Finding{finding("c1", claims.Irrelevant)}); err == nil {
		t.Fatal("machine stance irrelevant accepted")
	}
	if n := count(t, s, "articles"); n != 0 {
		t.Errorf("articles has %d rows, want 0", n)
	}
	if _, err := s.SaveArticle(ctx, Article{URL: "https://x.example/", PublishedFlag: "guess"}, nil); err == nil || !strings.Contains(err.Error(), "guess") {
		t.Fatalf("bad flag: err = %v", err)
	}
	// And the same article saves fine afterwards.
	r := mustSave(t, s, article(1, t0), finding("c1", claims.Supports))
	if !r.New || r.NewEvidence != 1 || r.StoryID != r.ArticleID {
		t.Fatalf("save after failure = %+v", r)
	}
}

func TestSaveArticleDedupe(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	syncTest(t, s, "c1", "c2")
	a := article(1, t0)
	first := mustSave(t, s, a, finding("c1", claims.Supports))
	if !first.New || first.NewEvidence != 1 || first.DuplicateOf != 0 {
		t.Fatalf("first save = %+v", first)
	}
	if ok, err := s.HasArticle(ctx, a.URL); !ok || err != nil {
		t.Fatalf("HasArticle = %v, %v", ok, err)
	}
	if ok, _ := s.HasArticle(ctx, a.URL+"x"); ok {
		t.Fatal("HasArticle of an unknown URL")
	}
	// Same URL again: not new, text kept, evidence upserted.
	again := a
	again.Text, again.Title = "changed text", "changed title"
	r := mustSave(t, s, again, finding("c1", claims.Contradicts), finding("c2", claims.Mentions))
	if r.New || r.ArticleID != first.ArticleID || r.NewEvidence != 1 || r.DuplicateOf != 0 {
		t.Fatalf("same URL = %+v", r)
	}
	stored, err := s.Article(ctx, first.ArticleID)
	if err != nil || stored.Text != a.Text || stored.Title != a.Title {
		t.Fatalf("stored article = %+v, %v; want the first version", stored, err)
	}
	ev, _ := s.ListEvidence(ctx, EvidenceFilter{ClaimID: "c1"})
	if len(ev) != 1 || ev[0].MachineStance != claims.Contradicts {
		t.Fatalf("c1 evidence = %+v; want the updated stance", ev)
	}
	// Same content under another URL: not stored; evidence goes to the original.
	dup := a
	dup.URL = "https://mirror.example/copy"
	syncTest(t, s, "c1", "c2", "c3")
	r = mustSave(t, s, dup, finding("c3", claims.Mentions))
	if r.New || r.DuplicateOf != first.ArticleID || r.ArticleID != first.ArticleID || r.NewEvidence != 1 {
		t.Fatalf("same content hash = %+v", r)
	}
	if n := count(t, s, "articles"); n != 1 {
		t.Fatalf("%d articles stored, want 1", n)
	}
	if ok, _ := s.HasArticle(ctx, dup.URL); ok {
		t.Error("duplicate URL reported as stored")
	}
}

func TestStoryGrouping(t *testing.T) {
	s := openTest(t)
	const base = uint64(0xF0F0_1234_5678_9ABC)
	mk := func(n int, h uint64) Article {
		a := article(n, t0.Add(time.Duration(n)*time.Hour))
		a.SimHash = h
		return a
	}
	orig := mustSave(t, s, mk(1, base))
	// Three bits differ, one in each of three bands: still the same story.
	near := mustSave(t, s, mk(2, base^(1|1<<17|1<<40)))
	// Four bits differ, one per band: no band matches and the distance is 4
	// (and 7 from the near copy).
	far := mustSave(t, s, mk(3, base^(1<<2|1<<18|1<<34|1<<50)))
	// Four bits differ within one band: the other bands match but the distance is 4.
	farSameBand := mustSave(t, s, mk(4, base^0xF))
	// Close to the near copy (distance 1) joins the same story.
	chained := mustSave(t, s, mk(5, base^(1|1<<17|1<<40|1<<41)))
	// The very same simhash as the far one: its story, found by the exact
	// lookup.
	exact := mustSave(t, s, mk(8, base^(1<<2|1<<18|1<<34|1<<50)))
	// No simhash: never grouped.
	a0 := mk(6, 0)
	none := mustSave(t, s, a0)
	none2 := mustSave(t, s, mk(7, 0))

	if orig.StoryID != orig.ArticleID {
		t.Errorf("first article story = %d, want its own id %d", orig.StoryID, orig.ArticleID)
	}
	if exact.StoryID != far.ArticleID || exact.ArticleID == far.ArticleID {
		t.Errorf("exact simhash copy of article %d: %+v", far.ArticleID, exact)
	}
	if near.StoryID != orig.StoryID || chained.StoryID != orig.StoryID {
		t.Errorf("near-duplicates: stories %d, %d; want %d", near.StoryID, chained.StoryID, orig.StoryID)
	}
	for _, r := range []SaveResult{far, farSameBand, none, none2} {
		if r.StoryID != r.ArticleID {
			t.Errorf("article %d joined story %d; want its own", r.ArticleID, r.StoryID)
		}
	}
	got, err := s.Article(context.Background(), near.ArticleID)
	if err != nil || got.StoryID != orig.StoryID || got.SimHash != base^(1|1<<17|1<<40) {
		t.Errorf("stored near article = %+v, %v", got, err)
	}
}

func TestSaveArticleDefaults(t *testing.T) {
	s := openTest(t)
	a := article(1, time.Time{})
	a.FetchedAt = time.Time{}
	r := mustSave(t, s, a)
	got, err := s.Article(context.Background(), r.ArticleID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.FetchedAt.Equal(t0) || !got.FirstSeenAt.Equal(t0) || !got.PublishedAt.Equal(t0) || got.PublishedFlag != PublishedFirstSeen {
		t.Fatalf("defaults: %+v", got)
	}
}
