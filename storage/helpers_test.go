package storage

import (
	"context"
	"database/sql"
	"encoding/json"
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

// insertBulk quickly inserts n articles (published an hour apart from
// 2020-01-01, over 50 outlets) and one evidence row per article for each
// claim, stances rotating, in one transaction. It is for volume tests and
// benchmarks; the claims must exist.
func insertBulk(tb testing.TB, s *Store, claimIDs []string, n, offset int) {
	tb.Helper()
	ctx := context.Background()
	terms, _ := json.Marshal(claimIDs)
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		var before int64
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM articles`).Scan(&before); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `
			WITH RECURSIVE seq(i) AS (SELECT ? UNION ALL SELECT i + 1 FROM seq WHERE i < ?)
			INSERT INTO articles (url, title, published_at, published_flag, fetched_at, first_seen_at,
				source, outlet, lang, text, content_hash, simhash)
			SELECT 'https://bulk' || (i % 50) || '.example/' || i, 'Bulk article ' || i,
				strftime('%Y-%m-%dT%H:%M:%fZ', '2020-01-01', '+' || i || ' hours'), 'feed',
				strftime('%Y-%m-%dT%H:%M:%fZ', '2020-01-01', '+' || i || ' hours'),
				strftime('%Y-%m-%dT%H:%M:%fZ', '2020-01-01', '+' || i || ' hours'),
				'bulk', 'bulk' || (i % 50) || '.example', 'en',
				'Body ' || i || '. Russia delivered Su-35 fighter jets to Iran.', 'bulk-' || i, 0
			FROM seq`, offset+1, offset+n)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE articles SET story_id = id WHERE story_id = 0`); err != nil {
			return err
		}
		// As SaveArticle does, the full-text rows are inserted explicitly.
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO articles_fts (rowid, title, text)
			SELECT id, title, text FROM articles WHERE id > ?`, before); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `
			INSERT INTO evidence (claim_id, article_id, stance, confidence, snippet, matched_terms, sentences,
				in_title, directed, published_at, first_seen_at, updated_at)
			SELECT c.value, a.id, CASE a.id % 3 WHEN 0 THEN 'supports' WHEN 1 THEN 'contradicts' ELSE 'mentions' END,
				0.5, 'Russia delivered Su-35 fighter jets to Iran.', '["Russia","Iran","Su-35"]', 1, 0, 1,
				a.published_at, a.first_seen_at, a.first_seen_at
			FROM articles a, json_each(?) c
			WHERE a.source = 'bulk' AND a.id > (SELECT COALESCE(MAX(article_id), 0) FROM evidence WHERE claim_id = c.value)`,
			string(terms))
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	// As a running daemon's would be, the log is small again: readers then
	// find pages in the (mmapped) database file, not in a huge WAL.
	if _, err := s.w.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		tb.Fatal(err)
	}
}
