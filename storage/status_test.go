package storage

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/claimwatch/claimwatch/claims"
)

func TestClaimStatus(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	horizon := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	c1, c2, c3 := testClaim("c1", "h"), testClaim("c2", "h"), testClaim("c3", "h")
	c1.Horizon, c3.Horizon = &horizon, &horizon
	if _, err := s.SyncClaims(ctx, []claims.Claim{c1, c2, c3}); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2021, 6, 1, 0, 0, 0, 0, time.UTC)
	ago := func(days int) time.Time { return now.AddDate(0, 0, -days) }
	stances := map[string]claims.Stance{}
	save := func(n int, pub time.Time, outlet string, simhash uint64, st claims.Stance) int64 {
		a := article(n, pub)
		stances[a.URL] = st
		a.Outlet, a.SimHash = outlet, simhash
		r := mustSave(t, s, a, finding("c1", st))
		ev, err := s.ListEvidence(ctx, EvidenceFilter{ClaimID: "c1", Since: pub, Until: pub.Add(time.Millisecond)})
		if err != nil || len(ev) != 1 || ev[0].ArticleID != r.ArticleID {
			t.Fatalf("find evidence of article %d: %v %v", n, ev, err)
		}
		return ev[0].ID
	}
	// One story syndicated by three outlets (near-identical simhashes).
	save(1, ago(10), "a.example", 0xAAAA_0000_0000_0001, claims.Supports)
	save(2, ago(11), "b.example", 0xAAAA_0000_0000_0003, claims.Supports)
	save(3, ago(12), "c.example", 0xAAAA_0000_0000_0007, claims.Supports)
	// Two more stories, on an outlet already counted.
	save(4, ago(40), "a.example", 0x1234_5678_0000_0000, claims.Contradicts)
	save(5, ago(100), "a.example", 0x0F0F_0F0F_0F0F_0F0F, claims.Mentions)
	// Reviewed irrelevant: not counted anywhere.
	irr := save(6, ago(5), "d.example", 0x7777_7777_7777_7777, claims.Supports)
	if err := s.Review(ctx, irr, claims.Irrelevant, "", ""); err != nil {
		t.Fatal(err)
	}
	// Reviewed from mentions to contradicts: counted as contradicts.
	rev := save(7, ago(70), "e.example", 0x3333_3333_3333_3333, claims.Mentions)
	if err := s.Review(ctx, rev, claims.Contradicts, "", ""); err != nil {
		t.Fatal(err)
	}
	// Published in the future of now: counted, but in no trend window.
	save(8, now.Add(time.Hour), "a.example", 0x5555_5555_5555_5555, claims.Mentions)
	// Stale: not counted.
	if _, err := s.Rematch(ctx, "c1", func(a Article) (claims.Finding, bool) {
		return finding("c1", stances[a.URL]), a.URL != article(8, now).URL
	}, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.SetVerdict(ctx, "c3", VerdictConfirmed, "", ""); err != nil {
		t.Fatal(err)
	}

	sts, err := s.ClaimStatus(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(sts) != 3 {
		t.Fatalf("%d statuses, want 3", len(sts))
	}
	st := sts[0]
	want := Status{ClaimID: "c1", Verdict: VerdictOpen, Supports: 3, Contradicts: 2, Mentions: 1, Stories: 4, Outlets: 4,
		LatestSupports: ago(10), LatestContradicts: ago(40), Trend: Trend{Last30: 3, Prev30: 1, Last90: 5, Prev90: 1}, SuggestExpired: true}
	got := st
	got.Statement, got.Made, got.Horizon, got.VerdictAt = "", time.Time{}, nil, time.Time{}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("c1 status\n got %+v\nwant %+v", got, want)
	}
	if st.Horizon == nil || !st.Horizon.Equal(horizon) || st.Statement != "Statement of c1" {
		t.Errorf("c1 horizon/statement: %v %q", st.Horizon, st.Statement)
	}
	if sts[1].Supports+sts[1].Contradicts+sts[1].Mentions != 0 || sts[1].Verdict != VerdictOpen || sts[1].SuggestExpired {
		t.Errorf("c2 status: %+v", sts[1])
	}
	if sts[2].Verdict != VerdictConfirmed || sts[2].SuggestExpired || !sts[2].VerdictAt.Equal(t0) {
		t.Errorf("c3 (confirmed, horizon passed): %+v", sts[2])
	}
	// Before the horizon nothing is suggested.
	sts, _ = s.ClaimStatus(ctx, horizon.Add(-time.Hour))
	if sts[0].SuggestExpired {
		t.Error("expired suggested before the horizon")
	}
}

func TestTimeline(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	syncTest(t, s, "c1")
	d := func(m time.Month, day int) time.Time { return time.Date(2020, m, day, 12, 0, 0, 0, time.UTC) }
	// 2020-01-05 is a Sunday, 01-06 a Monday.
	mustSave(t, s, article(1, d(1, 5)), finding("c1", claims.Supports))
	mustSave(t, s, article(2, d(1, 6)), finding("c1", claims.Contradicts))
	mustSave(t, s, article(3, d(1, 6)), finding("c1", claims.Mentions))
	mustSave(t, s, article(4, d(1, 8)), finding("c1", claims.Supports))
	mustSave(t, s, article(5, d(3, 1)), finding("c1", claims.Supports))

	show := func(rows []TimelineRow) string {
		out := ""
		for _, r := range rows {
			out += fmt.Sprintf("%s:%d/%d/%d ", r.Period, r.Supports, r.Contradicts, r.Mentions)
		}
		return out
	}
	cases := []struct {
		period       string
		since, until time.Time
		want         string
	}{
		{"day", time.Time{}, time.Date(2020, 1, 9, 0, 0, 0, 0, time.UTC),
			"2020-01-05:1/0/0 2020-01-06:0/1/1 2020-01-07:0/0/0 2020-01-08:1/0/0 "},
		{"week", time.Time{}, time.Date(2020, 1, 20, 0, 0, 0, 0, time.UTC),
			"2019-12-30:1/0/0 2020-01-06:1/1/1 2020-01-13:0/0/0 "},
		{"month", time.Time{}, time.Time{}, "2020-01:2/1/1 2020-02:0/0/0 2020-03:1/0/0 "},
		{"month", time.Date(2020, 2, 1, 0, 0, 0, 0, time.UTC), time.Date(2020, 4, 1, 0, 0, 0, 0, time.UTC),
			"2020-02:0/0/0 2020-03:1/0/0 "},
		{"day", d(1, 6), d(1, 6).Add(time.Millisecond), "2020-01-06:0/1/1 "},
	}
	for _, c := range cases {
		rows, err := s.Timeline(ctx, "c1", c.period, c.since, c.until)
		if err != nil || show(rows) != c.want {
			t.Errorf("%s [%v, %v):\n got %s %v\nwant %s", c.period, c.since, c.until, show(rows), err, c.want)
		}
	}
	if _, err := s.Timeline(ctx, "c1", "year", time.Time{}, time.Time{}); err == nil {
		t.Error("period year accepted")
	}
	if _, err := s.Timeline(ctx, "nope", "day", time.Time{}, time.Time{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown claim: %v", err)
	}
	if _, err := s.Timeline(ctx, "c1", "day", time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9000, 1, 1, 0, 0, 0, 0, time.UTC)); err == nil {
		t.Error("a million-day timeline accepted")
	}
}
