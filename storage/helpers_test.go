package storage

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/claimwatch/claimwatch/claims"
)

// t0 is a fixed reference time for tests.
var t0 = time.Date(2020, 1, 10, 12, 0, 0, 0, time.UTC)

// openTest opens a fresh database in a temporary directory with a fixed clock.
func openTest(tb testing.TB) *Store {
	tb.Helper()
	s, err := Open(context.Background(), filepath.Join(tb.TempDir(), "claimwatch.db"))
	if err != nil {
		tb.Fatal(err)
	}
	s.now = func() time.Time { return t0 }
	tb.Cleanup(func() { s.Close() })
	return s
}

func testClaim(id, hash string) claims.Claim {
	return claims.Claim{ID: id, Statement: "Statement of " + id, Made: time.Date(2020, 1, 10, 0, 0, 0, 0, time.UTC), Hash: hash, File: "test.yaml", Line: 1}
}

// syncTest stores claims with the given ids.
func syncTest(tb testing.TB, s *Store, ids ...string) {
	tb.Helper()
	var cs []claims.Claim
	for _, id := range ids {
		cs = append(cs, testClaim(id, "h-"+id))
	}
	if _, err := s.SyncClaims(context.Background(), cs); err != nil {
		tb.Fatal(err)
	}
}

// article makes a distinct test article number n published at pub.
func article(n int, pub time.Time) Article {
	return Article{
		URL:         fmt.Sprintf("https://news%d.example/a/%d", n%7, n),
		Title:       fmt.Sprintf("Article %d about Russia and Iran", n),
		Text:        fmt.Sprintf("Body %d. Russia delivered Su-35 fighter jets to Iran.", n),
		Lang:        "en",
		Source:      "src",
		Outlet:      fmt.Sprintf("news%d.example", n%7),
		PublishedAt: pub,
		FetchedAt:   pub.Add(time.Hour),
		ContentHash: fmt.Sprintf("hash-%d", n),
		SimHash:     uint64(n)*0x9E3779B97F4A7C15 | 1,
	}
}

func finding(claimID string, st claims.Stance) claims.Finding {
	return claims.Finding{ClaimID: claimID, Stance: st, Confidence: 0.8, Snippet: "Russia delivered Su-35 jets to Iran.",
		MatchedTerms: []string{"Russia", "Iran", "Su-35"}, Sentences: 1, Directed: true}
}

func mustSave(tb testing.TB, s *Store, a Article, fs ...claims.Finding) SaveResult {
	tb.Helper()
	r, err := s.SaveArticle(context.Background(), a, fs)
	if err != nil {
		tb.Fatal(err)
	}
	return r
}
