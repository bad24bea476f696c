package ingest

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/claimwatch/claimwatch/claims"
	"github.com/claimwatch/claimwatch/internal/config"
	"github.com/claimwatch/claimwatch/internal/fetch"
	"github.com/claimwatch/claimwatch/internal/matcher"
	"github.com/claimwatch/claimwatch/storage"
)

// Claim files before and after the reload. "jets" changes so that it no
// longer matches the slow article; "gas" is new and matches it.
const (
	jetsBefore = `id: jets
statement: Russia will deliver fighter jets to Iran.
made: 2020-01-10
terms:
  russia: [Russia*, Moscow]
  iran: [Iran*, Tehran]
  jets: [Su-35*, "fighter jet*"]
match: {all: [russia, iran, jets]}
`
	jetsAfter = `id: jets
statement: Russia will deliver fighter jets to Iran.
made: 2020-01-10
terms:
  russia: [Russia*, Moscow]
  iran: [Iran*, Tehran]
  jets: [MiG-29*]
match: {all: [russia, iran, jets]}
`
	gasAfter = `id: gas
statement: Russia will sell gas to Iran.
made: 2020-01-10
terms:
  russia: [Russia*, Moscow]
  iran: [Iran*, Tehran]
  gas: [gas]
match: {all: [russia, iran, gas]}
`
)

func compileClaims(t *testing.T, files ...string) *matcher.Matcher {
	t.Helper()
	dir := t.TempDir()
	var paths []string
	for i, body := range files {
		p := filepath.Join(dir, string(rune('a'+i))+".yaml")
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	set, problems, err := claims.LoadFiles(paths...)
	if err != nil || len(problems.Errors()) > 0 {
		t.Fatalf("claims: %v %v", err, problems)
	}
	m, err := matcher.Compile(set)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestReloadDuringSlowPoll: a poll holding the old claims is stuck on an
// article page while the claims are reloaded (as on SIGHUP: the matcher is
// swapped, then ingest.SyncClaims stores and re-matches). Once the page is
// released the poll saves what the old claims found. When the poll is done,
// the article's evidence carries the new definitions' hashes and the new
// rules' result: the changed claim's row stale, the new claim's row there.
func TestReloadDuringSlowPoll(t *testing.T) {
	ctx := context.Background()
	entered, release := make(chan struct{}), make(chan struct{})
	var once atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/feed.xml":
			w.Header().Set("Content-Type", "application/rss+xml")
			w.Write([]byte(`<rss version="2.0"><channel><title>Wire</title>
<item><title>Moscow and Tehran sign jet and gas deals</title><link>http://` + r.Host + `/slow</link><guid>s1</guid>
<pubDate>Tue, 03 Sep 2024 10:00:00 GMT</pubDate><description>Short.</description></item></channel></rss>`))
		case "/slow":
			if once.CompareAndSwap(false, true) {
				close(entered)
			}
			select { // held until the reload is done
			case <-release:
			case <-r.Context().Done():
				return
			}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write([]byte(`<html><head><title>Moscow and Tehran sign jet and gas deals</title></head><body><article>
<p>Russia will deliver Su-35 fighter jets to Iran next year, officials in Moscow and Tehran said on Tuesday.</p>
<p>Russia also agreed to sell gas to Iran through a new pipeline across the Caspian region, the ministers said.</p>
</article></body></html>`))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()

	st, err := storage.Open(ctx, filepath.Join(t.TempDir(), "cw.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	before := compileClaims(t, jetsBefore)
	if err := SyncClaims(ctx, st, before, log); err != nil {
		t.Fatal(err)
	}
	var live atomic.Pointer[matcher.Matcher]
	live.Store(before)
	pipe := &Pipeline{Store: st, Matcher: live.Load, Log: log,
		Fetcher: fetch.New(fetch.Options{AllowPrivate: true, PerHostDelay: -1, Timeout: 10 * time.Second, IgnoreRobots: true})}
	src := feedSource("wire", srv.URL+"/feed.xml")
	src.FetchArticles = config.FetchAlways
	if err := st.UpsertSource(ctx, storage.Source{Name: src.Name, URL: src.URL, Kind: string(src.Kind), FromConfig: true, Enabled: true}); err != nil {
		t.Fatal(err)
	}

	done := make(chan Result)
	go func() { done <- pipe.Poll(ctx, src, false) }()
	select {
	case <-entered:
	case res := <-done:
		t.Fatalf("the poll ended before fetching the slow page: %+v", res)
	}
	after := compileClaims(t, jetsAfter, gasAfter)
	live.Store(after) // the daemon's reload: swap, then store and re-match
	if err := SyncClaims(ctx, st, after, log); err != nil {
		t.Fatal(err)
	}
	close(release)
	if res := <-done; res.Outcome != storage.OutcomeOK || res.NewArticles != 1 {
		t.Fatalf("slow poll: outcome %s, new %d, err %v", res.Outcome, res.NewArticles, res.Err)
	}

	rows, err := st.ListEvidence(ctx, storage.EvidenceFilter{IncludeStale: true, IncludeIrrelevant: true})
	if err != nil {
		t.Fatal(err)
	}
	hashes := map[string]string{}
	for _, c := range after.Claims() {
		hashes[c.ID] = c.Hash
	}
	got := map[string]storage.EvidenceRow{}
	for _, r := range rows {
		got[r.ClaimID] = r
		if r.ClaimHash != hashes[r.ClaimID] {
			t.Errorf("evidence %d (%s) carries claim hash %.12s, want the new definition's %.12s", r.ID, r.ClaimID, r.ClaimHash, hashes[r.ClaimID])
		}
	}
	if r, ok := got["jets"]; ok && !r.Stale {
		t.Errorf("jets: the old rules' evidence is live (%s); the new rules do not match the article", r.Stance)
	}
	if r, ok := got["gas"]; !ok || r.Stale {
		t.Errorf("gas: evidence %+v; want the new claim's live evidence", r)
	}
}
