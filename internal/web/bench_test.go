package web

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/claimwatch/claimwatch/claims"
	"github.com/claimwatch/claimwatch/storage"
)

// The dashboard over a large database: 1,000,000 articles and 200,000
// evidence rows across the 7 shipped claims, with an ingester saving an
// article every 250 ms beside the requests. Each sub-benchmark request is one
// page; run 200 of each and read p50/p95 (server time, no network):
//
//	go test -run '^$' -bench Dashboard -benchtime 200x ./internal/web

const (
	benchArticles = 1_000_000
	benchEvidence = 200_000 // one article in five bears on a claim
)

var (
	bigOnce sync.Once
	bigDir  string // removed after the run
	bigPath string
	bigErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if bigDir != "" {
		os.RemoveAll(bigDir)
	}
	os.Exit(code)
}

// bigDB builds the database once per process, in bulk with SQL in one
// transaction (through SaveArticle it would take far longer; the pages, not
// the inserts, are measured).
//
// CLAIMWATCH_WEB_BENCH_DB=path keeps the database there, and reuses it when
// it exists, to compare runs without building it again.
func bigDB(b *testing.B) string {
	bigOnce.Do(func() {
		ctx := context.Background()
		if bigPath = os.Getenv("CLAIMWATCH_WEB_BENCH_DB"); bigPath != "" {
			if _, err := os.Stat(bigPath); err == nil {
				return
			}
		} else {
			dir, err := os.MkdirTemp("", "claimwatch-web-bench-")
			if err != nil {
				bigErr = err
				return
			}
			bigDir, bigPath = dir, filepath.Join(dir, "big.db")
		}
		s, err := storage.Open(ctx, bigPath)
		if err != nil {
			bigErr = err
			return
		}
		set, _, err := claims.LoadSet("")
		if err == nil {
			_, err = s.SyncClaims(ctx, set)
		}
		if err == nil {
			err = s.UpsertSource(ctx, storage.Source{Name: "wire", URL: "http://wire.example/feed", Kind: "feed", Enabled: true})
		}
		s.Close()
		if err != nil {
			bigErr = err
			return
		}
		// No journal while generating: the file is scratch until it is done.
		db, err := sql.Open("sqlite", bigPath+"?_pragma=journal_mode(DELETE)&_pragma=journal_mode(OFF)&_pragma=synchronous(OFF)&_pragma=cache_size(-262144)")
		if err != nil {
			bigErr = err
			return
		}
		defer db.Close()
		db.SetMaxOpenConns(1)
		start := time.Now()
		// word(k) picks one of 12 words, padded to 10 characters in a row.
		word := func(k string) string {
			return `rtrim(substr('Russia    Iran      sanctions trade     Syria     oil       Moscow    Tehran    China     nuclear   Eurasian  deliveries', (` + k + `) % 12 * 10 + 1, 10))`
		}
		_, bigErr = db.ExecContext(ctx, `
			BEGIN;
			WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)
			INSERT INTO articles (id, url, title, published_at, published_flag, fetched_at, first_seen_at,
				source, outlet, text, story_id)
			SELECT i, 'https://news' || (i % 50) || '.example/' || i,
				`+word("i")+` || ' and ' || `+word("i / 12")+` || ': report ' || i, ts, 'feed', ts, ts,
				'wire', 'news' || (i % 50) || '.example',
				'Officials in ' || `+word("i / 7")+` || ' discussed ' || `+word("i / 5")+` || ' with ' || `+word("i / 3")+` || '.',
				i - i % 3
			FROM (SELECT i, strftime('%Y-%m-%dT%H:%M:%fZ', '2020-01-10', '+' || (i * 150) || ' seconds') AS ts FROM n);
			INSERT INTO articles_fts (rowid, title, text) SELECT id, title, text FROM articles;
			INSERT INTO evidence (claim_id, article_id, stance, confidence, snippet, matched_terms, sentences,
				published_at, first_seen_at, updated_at)
			SELECT c.id, a.id, CASE a.id % 3 WHEN 0 THEN 'supports' WHEN 1 THEN 'contradicts' ELSE 'mentions' END,
				0.75, 'Moscow said on Tuesday that it had delivered the first Su-35 fighter jets to Tehran.',
				'["Moscow","Tehran","Su-35*","deliver*"]', 1, a.published_at, a.first_seen_at, a.first_seen_at
			FROM articles a JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM claims) c
				ON c.k = (a.id / 5) % 7
			WHERE a.id % 5 = 0;
			COMMIT;
			PRAGMA journal_mode = WAL;`, benchArticles)
		if bigErr == nil {
			var n int
			db.QueryRowContext(ctx, `SELECT COUNT(*) FROM evidence`).Scan(&n)
			if n != benchEvidence {
				bigErr = fmt.Errorf("generated %d evidence rows, want %d", n, benchEvidence)
			}
			fmt.Fprintf(os.Stderr, "generated %d articles, %d evidence rows in %v\n", benchArticles, n, time.Since(start).Round(time.Second))
		}
	})
	if bigErr != nil {
		b.Fatal(bigErr)
	}
	return bigPath
}

func BenchmarkDashboard(b *testing.B) {
	if testing.Short() {
		b.Skip("builds a 1,000,000-article database: skipped with -short")
	}
	path := bigDB(b)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, err := storage.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	srv, err := New(Options{Store: s})
	if err != nil {
		b.Fatal(err)
	}
	// The daemon ingesting beside the dashboard: an article with evidence
	// every 250 ms (a busy daemon: 14,400 an hour) through the group-commit writer.
	var ingest sync.WaitGroup
	ingest.Go(func() {
		tick := time.NewTicker(250 * time.Millisecond)
		defer tick.Stop()
		for i := 0; ; i++ {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			a := storage.Article{URL: fmt.Sprintf("https://live.example/%d/%d", time.Now().UnixNano(), i), Title: "Russia delivers Su-35 jets to Iran",
				Text: "Moscow delivered Su-35 jets to Tehran.", Source: "wire", Outlet: "live.example", PublishedAt: time.Now()}
			f := claims.Finding{ClaimID: "russia-arms-to-iran", Stance: claims.Supports, Confidence: 0.8,
				Snippet: "Moscow delivered Su-35 jets to Tehran.", MatchedTerms: []string{"Moscow", "Tehran"}}
			if _, err := s.SaveArticle(ctx, a, []claims.Finding{f}); err != nil && ctx.Err() == nil {
				b.Error(err)
				return
			}
		}
	})
	defer ingest.Wait()
	defer cancel()

	// Page 50 of a claim's evidence: walk 49 pages once to find its cursor.
	var cur storage.Cursor
	for range 49 {
		_, next, err := s.EvidencePage(ctx, storage.EvidenceFilter{ClaimID: "russia-arms-to-iran"}, cur, pageSize)
		if err != nil || next.IsZero() {
			b.Fatalf("walking to page 50: %v", err)
		}
		cur = next
	}
	pages := []struct{ name, path string }{
		{"board", "/"},
		{"claim", "/claims/russia-arms-to-iran"},
		{"evidence-page-50", "/claims/russia-arms-to-iran?after=" + cur.String()},
		{"search", "/search?q=sanctions+AND+Tehran"},
		{"search-best-match", "/search?q=sanctions+AND+Tehran&sort=relevance"},
	}
	for _, p := range pages {
		b.Run(p.name, func(b *testing.B) {
			var times []time.Duration
			for b.Loop() {
				req := httptest.NewRequest(http.MethodGet, p.path, nil)
				rec := httptest.NewRecorder()
				start := time.Now()
				srv.ServeHTTP(rec, req)
				times = append(times, time.Since(start))
				if rec.Code != http.StatusOK {
					b.Fatalf("%s: %d %s", p.path, rec.Code, rec.Body.String())
				}
			}
			slices.Sort(times)
			b.ReportMetric(ms(times[len(times)*50/100]), "p50-ms")
			b.ReportMetric(ms(times[min(len(times)-1, len(times)*95/100)]), "p95-ms")
		})
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
