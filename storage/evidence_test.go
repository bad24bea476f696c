package storage

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/claimwatch/claimwatch/claims"
)

func ids(rows []EvidenceRow) []int64 {
	var out []int64
	for _, r := range rows {
		out = append(out, r.ArticleID)
	}
	return out
}

func TestReviewOverridesStance(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	syncTest(t, s, "c1")
	r1 := mustSave(t, s, article(1, t0), finding("c1", claims.Supports))
	r2 := mustSave(t, s, article(2, t0.Add(time.Hour)), finding("c1", claims.Mentions))
	ev, _ := s.ListEvidence(ctx, EvidenceFilter{ClaimID: "c1"})
	if len(ev) != 2 || ev[0].ArticleID != r2.ArticleID || ev[0].Reviewed {
		t.Fatalf("before review: %+v", ev)
	}
	e1, e2 := ev[1].ID, ev[0].ID
	if err := s.Review(ctx, e2, claims.Contradicts, "first look", "ana"); err != nil {
		t.Fatal(err)
	}
	if err := s.Review(ctx, e2, claims.Supports, "read it again", "bo"); err != nil {
		t.Fatal(err)
	}
	if err := s.Review(ctx, e1, claims.Irrelevant, "about football", "ana"); err != nil {
		t.Fatal(err)
	}
	ev, _ = s.ListEvidence(ctx, EvidenceFilter{ClaimID: "c1"})
	if len(ev) != 1 || ev[0].ID != e2 || ev[0].Stance != claims.Supports || ev[0].MachineStance != claims.Mentions ||
		!ev[0].Reviewed || ev[0].ReviewNote != "read it again" || ev[0].ReviewAuthor != "bo" || !ev[0].ReviewedAt.Equal(t0) {
		t.Fatalf("after reviews: %+v; want only e2, effective supports, machine mentions", ev)
	}
	all, _ := s.ListEvidence(ctx, EvidenceFilter{ClaimID: "c1", IncludeIrrelevant: true})
	if len(all) != 2 || all[1].ID != e1 || all[1].Stance != claims.Irrelevant || all[1].MachineStance != claims.Supports {
		t.Fatalf("with irrelevant: %+v", all)
	}
	irr, _ := s.ListEvidence(ctx, EvidenceFilter{Stance: claims.Irrelevant})
	if len(irr) != 1 || irr[0].ArticleID != r1.ArticleID {
		t.Fatalf("stance=irrelevant: %v", ids(irr))
	}
	sup, _ := s.ListEvidence(ctx, EvidenceFilter{Stance: claims.Supports})
	if len(sup) != 1 || sup[0].ID != e2 {
		t.Fatalf("effective supports: %v; want e2 only (e1's machine supports is overridden)", ids(sup))
	}
	hist, err := s.ReviewHistory(ctx, e2)
	if err != nil || len(hist) != 2 || hist[0].Stance != claims.Contradicts || hist[1].Author != "bo" {
		t.Fatalf("history = %+v, %v", hist, err)
	}
	// The ingest re-finding the article keeps the review.
	mustSave(t, s, article(2, t0.Add(time.Hour)), finding("c1", claims.Contradicts))
	ev, _ = s.ListEvidence(ctx, EvidenceFilter{ClaimID: "c1"})
	if ev[0].Stance != claims.Supports || ev[0].MachineStance != claims.Contradicts {
		t.Fatalf("after re-ingest: stance %s machine %s", ev[0].Stance, ev[0].MachineStance)
	}
	one, err := s.Evidence(ctx, e1)
	if err != nil || one.ID != e1 || one.Stance != claims.Irrelevant || one.ReviewNote != "about football" {
		t.Fatalf("Evidence(%d) = %+v, %v", e1, one, err)
	}
	if _, err := s.Evidence(ctx, 999); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Evidence(999): %v", err)
	}
	byID, err := s.EvidenceByIDs(ctx, []int64{e1, e2, 999})
	if err != nil || len(byID) != 2 || byID[e1].Stance != claims.Irrelevant || byID[e2].ID != e2 {
		t.Fatalf("EvidenceByIDs = %+v, %v; want e1 (irrelevant included) and e2, not 999", byID, err)
	}
	if err := s.Review(ctx, 999, claims.Supports, "", ""); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown evidence: %v", err)
	}
	if err := s.Review(ctx, e1, "maybe", "", ""); err == nil || !strings.Contains(err.Error(), "maybe") {
		t.Fatalf("bad stance: %v", err)
	}
}

func TestEvidenceFilters(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	syncTest(t, s, "c1", "c2")
	day := func(d int) time.Time { return time.Date(2020, 1, d, 0, 0, 0, 0, time.UTC) }
	for d := 1; d <= 5; d++ {
		a := article(d, day(d))
		if d == 5 {
			a.Source = "other"
		}
		mustSave(t, s, a, finding("c1", claims.Supports), finding("c2", claims.Mentions))
	}
	cases := []struct {
		name string
		f    EvidenceFilter
		want int
	}{
		{"all", EvidenceFilter{}, 10},
		{"claim", EvidenceFilter{ClaimID: "c1"}, 5},
		{"since inclusive", EvidenceFilter{ClaimID: "c1", Since: day(3)}, 3},
		{"until exclusive", EvidenceFilter{ClaimID: "c1", Until: day(3)}, 2},
		{"one day", EvidenceFilter{ClaimID: "c1", Since: day(3), Until: day(4)}, 1},
		{"a millisecond before", EvidenceFilter{ClaimID: "c1", Since: day(3).Add(-time.Millisecond), Until: day(3).Add(time.Millisecond)}, 1},
		{"empty range", EvidenceFilter{ClaimID: "c1", Since: day(3), Until: day(3)}, 0},
		{"other zone", EvidenceFilter{ClaimID: "c1", Since: day(3).In(time.FixedZone("X", 5*3600))}, 3},
		{"source", EvidenceFilter{Source: "other"}, 2},
		{"stance", EvidenceFilter{Stance: claims.Mentions}, 5},
		{"limit", EvidenceFilter{Limit: 3}, 3},
	}
	for _, c := range cases {
		got, err := s.ListEvidence(ctx, c.f)
		if err != nil || len(got) != c.want {
			t.Errorf("%s: %d rows, %v; want %d", c.name, len(got), err, c.want)
		}
	}
	got, _ := s.ListEvidence(ctx, EvidenceFilter{ClaimID: "c1", Since: day(2), Until: day(4)})
	if len(got) != 2 || !got[0].PublishedAt.Equal(day(3)) || !got[1].PublishedAt.Equal(day(2)) {
		t.Fatalf("order: %+v; want day 3 then day 2", got)
	}
	r := got[0]
	if r.ClaimStatement != "Statement of c1" || r.Title == "" || r.URL == "" || r.Outlet == "" || r.Snippet == "" ||
		strings.Join(r.MatchedTerms, ",") != "Russia,Iran,Su-35" || !r.Directed || r.StoryID == 0 || r.Confidence != 0.8 || r.PublishedFlag != PublishedFeed {
		t.Fatalf("row fields: %+v", r)
	}
}

func TestStreamEvidenceSnapshot(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	syncTest(t, s, "c1")
	for i := 0; i < 20; i++ {
		mustSave(t, s, article(i, t0.Add(time.Duration(i)*time.Hour)), finding("c1", claims.Supports))
	}
	n := 0
	var prev time.Time
	err := s.StreamEvidence(ctx, EvidenceFilter{ClaimID: "c1"}, func(r EvidenceRow) error {
		if n > 0 && r.PublishedAt.After(prev) {
			t.Errorf("row %d out of order", n)
		}
		prev = r.PublishedAt
		if n == 0 {
			// Written while the stream is open: not part of its snapshot.
			mustSave(t, s, article(100, t0.Add(-time.Hour)), finding("c1", claims.Supports))
		}
		n++
		return nil
	})
	if err != nil || n != 20 {
		t.Fatalf("streamed %d rows, %v; want the 20 of the snapshot", n, err)
	}
	all, _ := s.ListEvidence(ctx, EvidenceFilter{ClaimID: "c1"})
	if len(all) != 21 {
		t.Fatalf("after stream: %d rows, want 21", len(all))
	}
	stop := errors.New("stop")
	n = 0
	err = s.StreamEvidence(ctx, EvidenceFilter{}, func(EvidenceRow) error { n++; return stop })
	if !errors.Is(err, stop) || n != 1 {
		t.Fatalf("stopping stream: n=%d err=%v", n, err)
	}
}

func TestVerdicts(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	syncTest(t, s, "c1")
	v, err := s.CurrentVerdict(ctx, "c1")
	if err != nil || v.Verdict != VerdictOpen || !v.CreatedAt.IsZero() {
		t.Fatalf("default verdict = %+v, %v", v, err)
	}
	if err := s.SetVerdict(ctx, "c1", VerdictDeveloping, "first deliveries", "ana"); err != nil {
		t.Fatal(err)
	}
	s.now = func() time.Time { return t0.Add(24 * time.Hour) }
	if err := s.SetVerdict(ctx, "c1", VerdictConfirmed, "Su-35s delivered", "bo"); err != nil {
		t.Fatal(err)
	}
	hist, err := s.VerdictHistory(ctx, "c1")
	if err != nil || len(hist) != 2 || hist[0].Verdict != VerdictDeveloping || hist[1].Verdict != VerdictConfirmed || !hist[1].CreatedAt.Equal(t0.Add(24*time.Hour)) {
		t.Fatalf("history = %+v, %v", hist, err)
	}
	v, _ = s.CurrentVerdict(ctx, "c1")
	if v.Verdict != VerdictConfirmed || v.Note != "Su-35s delivered" || v.Author != "bo" {
		t.Fatalf("current = %+v", v)
	}
	if err := s.SetVerdict(ctx, "nope", VerdictOpen, "", ""); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown claim: %v", err)
	}
	if _, err := s.VerdictHistory(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown claim history: %v", err)
	}
	if err := s.SetVerdict(ctx, "c1", "true", "", ""); err == nil || !strings.Contains(err.Error(), `"true"`) {
		t.Fatalf("bad verdict: %v", err)
	}
}
