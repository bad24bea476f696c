package storage

import (
	"context"
	"testing"
	"time"

	"github.com/claimwatch/claimwatch/claims"
)

// routeSupports routes supporting evidence of any claim to rule "r".
func routeSupports(claimID string, st claims.Stance, conf float64) []AlertTarget {
	if st != claims.Supports {
		return nil
	}
	return []AlertTarget{{Rule: "r"}}
}

func TestOutboxRecordsNewEvidenceOncePerStory(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	syncTest(t, s, "c1")
	s.SetAlertRoute(routeSupports)

	// Five outlets carry one wire story: same simhash, different URLs and hashes.
	for i := range 5 {
		a := article(100+i, t0)
		a.SimHash = 0xABCDEF0123456789
		mustSave(t, s, a, finding("c1", claims.Supports))
	}
	mustSave(t, s, article(2, t0), finding("c1", claims.Mentions)) // not wanted
	mustSave(t, s, article(3, t0), finding("c1", claims.Supports))
	// Saving an alerted article again (a re-match) adds nothing.
	mustSave(t, s, article(3, t0), finding("c1", claims.Supports))

	due, err := s.DueAlerts(ctx, []string{"r"}, t0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(due) != 2 {
		t.Fatalf("got %d alerts, want 2 (one per story): %+v", len(due), due)
	}
	ev, err := s.Evidence(ctx, due[0].EvidenceID)
	if err != nil || ev.StoryID != due[0].StoryID || ev.ClaimID != "c1" {
		t.Fatalf("alert points at %+v (%v)", ev, err)
	}
	if due[0].IdempotencyKey != AlertKey("r", "c1", ev.URL) || due[0].IdempotencyKey == due[1].IdempotencyKey {
		t.Errorf("idempotency keys %q, %q", due[0].IdempotencyKey, due[1].IdempotencyKey)
	}
}

// Two databases number their stories alike: the same story id in each,
// for different articles, must not give the same idempotency key, or a
// receiver dropping repeated keys (a mail service, repeated Message-IDs)
// drops the second database's alert. The same article gives the same key.
func TestAlertKeysDifferAcrossDatabasesForDifferentStories(t *testing.T) {
	ctx := context.Background()
	keys := func(n int) OutboxAlert {
		s := openTest(t)
		syncTest(t, s, "c1")
		s.SetAlertRoute(routeSupports)
		mustSave(t, s, article(n, t0), finding("c1", claims.Supports))
		due, err := s.DueAlerts(ctx, []string{"r"}, t0, 0)
		if err != nil || len(due) != 1 {
			t.Fatalf("due %+v, %v", due, err)
		}
		return due[0]
	}
	a, b, again := keys(1), keys(2), keys(1)
	if a.StoryID != b.StoryID {
		t.Fatalf("story ids %d and %d: the test wants them alike", a.StoryID, b.StoryID)
	}
	if a.IdempotencyKey == b.IdempotencyKey {
		t.Errorf("different stories, one key %q", a.IdempotencyKey)
	}
	if a.IdempotencyKey != again.IdempotencyKey {
		t.Errorf("the same story has keys %q and %q", a.IdempotencyKey, again.IdempotencyKey)
	}
}

func TestOutboxOffWithoutRouteAndForBulkContext(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	syncTest(t, s, "c1")
	mustSave(t, s, article(1, t0), finding("c1", claims.Supports))
	s.SetAlertRoute(routeSupports)
	if _, err := s.SaveArticle(WithoutAlerts(ctx), article(2, t0), []claims.Finding{finding("c1", claims.Supports)}); err != nil {
		t.Fatal(err)
	}
	all, err := s.ListAlerts(ctx, AlertFilter{})
	if err != nil || len(all) != 0 {
		t.Fatalf("alerts = %+v, %v; want none", all, err)
	}
}

func TestOutboxRetryStates(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	syncTest(t, s, "c1")
	digestAt := t0.Add(24 * time.Hour)
	s.SetAlertRoute(func(string, claims.Stance, float64) []AlertTarget {
		return []AlertTarget{{Rule: "now"}, {Rule: "digest", NotBefore: digestAt}}
	})
	mustSave(t, s, article(1, t0), finding("c1", claims.Supports))

	due, _ := s.DueAlerts(ctx, []string{"now", "digest"}, t0, 0)
	if len(due) != 1 || due[0].Rule != "now" {
		t.Fatalf("due at t0: %+v, want only rule now", due)
	}
	if due, _ := s.DueAlerts(ctx, []string{"digest"}, digestAt, 0); len(due) != 1 {
		t.Fatalf("digest due at its time: %+v", due)
	}
	id := []int64{due[0].ID}
	if err := s.MarkAlertsFailed(ctx, id, "boom", t0.Add(time.Minute), 2); err != nil {
		t.Fatal(err)
	}
	if due, _ := s.DueAlerts(ctx, []string{"now"}, t0, 0); len(due) != 0 {
		t.Fatalf("due during backoff: %+v", due)
	}
	if err := s.MarkAlertsFailed(ctx, id, "boom again", t0.Add(2*time.Minute), 2); err != nil {
		t.Fatal(err)
	}
	failed, _ := s.ListAlerts(ctx, AlertFilter{Status: AlertFailed})
	if len(failed) != 1 || failed[0].Attempts != 2 || failed[0].LastError != "boom again" {
		t.Fatalf("failed = %+v", failed)
	}
	if n, err := s.RetryAlerts(ctx, "", t0); err != nil || n != 1 {
		t.Fatalf("retry = %d, %v", n, err)
	}
	if err := s.MarkAlertsSent(ctx, id, t0); err != nil {
		t.Fatal(err)
	}
	// Acknowledged: a late failure report cannot make it pending again.
	if err := s.MarkAlertsFailed(ctx, id, "late", t0, 5); err != nil {
		t.Fatal(err)
	}
	counts, oldest, err := s.AlertStats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []AlertCount{{"digest", AlertPending, 1}, {"now", AlertSent, 1}}
	if len(counts) != 2 || counts[0] != want[0] || counts[1] != want[1] || !oldest.Equal(t0) {
		t.Fatalf("stats = %+v, oldest %v", counts, oldest)
	}
}

func TestFailOrphanAlerts(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	syncTest(t, s, "c1")
	s.SetAlertRoute(func(string, claims.Stance, float64) []AlertTarget {
		return []AlertTarget{{Rule: "kept"}, {Rule: "removed"}}
	})
	mustSave(t, s, article(1, t0), finding("c1", claims.Supports))
	if n, err := s.FailOrphanAlerts(ctx, []string{"kept"}, t0); err != nil || n != 1 {
		t.Fatalf("FailOrphanAlerts = %d, %v; want 1", n, err)
	}
	failed, _ := s.ListAlerts(ctx, AlertFilter{Status: AlertFailed})
	if len(failed) != 1 || failed[0].Rule != "removed" || failed[0].LastError != "rule no longer in the config" {
		t.Fatalf("failed = %+v", failed)
	}
	if n, _ := s.FailOrphanAlerts(ctx, nil, t0); n != 1 {
		t.Fatalf("with no rules left, the kept rule's alert is an orphan too: %d", n)
	}
}

func TestRematchNeverAlerts(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	syncTest(t, s, "c1")
	s.SetAlertRoute(routeSupports)
	mustSave(t, s, article(1, t0), finding("c1", claims.Supports))
	mustSave(t, s, article(2, t0)) // no evidence yet: a changed claim will match it
	res, err := s.Rematch(ctx, "c1", func(a Article) (claims.Finding, bool) {
		f := finding("c1", claims.Supports)
		f.Confidence = 0.95
		return f, true
	}, nil)
	if err != nil || res.New != 1 || res.Updated != 1 {
		t.Fatalf("rematch = %+v, %v; want one new row and one updated", res, err)
	}
	all, _ := s.ListAlerts(ctx, AlertFilter{})
	if len(all) != 1 {
		t.Fatalf("alerts after the rematch: %+v; want only the first save's", all)
	}
}

// BenchmarkSaveArticleAlerting is BenchmarkSaveArticle with one alert rule
// wanting every article's supporting finding: the outbox's cost.
func BenchmarkSaveArticleAlerting(b *testing.B) { benchmarkSave(b, routeSupports) }

// An exact copy saved under another URL is the stored article: its alert is
// keyed by the story's first article's URL, as in any other database.
func TestAlertKeyOfACopyNamesTheFirstArticle(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	syncTest(t, s, "c1")
	s.SetAlertRoute(routeSupports)
	first := article(1, t0)
	mustSave(t, s, first)
	cp := first
	cp.URL = "https://copy.example/elsewhere"
	cp.Source, cp.Outlet = "other", "copy.example"
	mustSave(t, s, cp, finding("c1", claims.Supports))
	due, err := s.DueAlerts(ctx, []string{"r"}, t0, 0)
	if err != nil || len(due) != 1 {
		t.Fatalf("due %+v, %v; want one alert", due, err)
	}
	if want := AlertKey("r", "c1", first.URL); due[0].IdempotencyKey != want {
		t.Errorf("key %q, want the key of the first article's URL %q (the copy's would be %q)", due[0].IdempotencyKey, want, AlertKey("r", "c1", cp.URL))
	}
}
