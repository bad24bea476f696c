package ingest

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/claimwatch/claimwatch/claims"
	"github.com/claimwatch/claimwatch/internal/config"
	"github.com/claimwatch/claimwatch/internal/fetch"
	"github.com/claimwatch/claimwatch/internal/matcher"
	"github.com/claimwatch/claimwatch/internal/testcorpus"
	"github.com/claimwatch/claimwatch/storage"
)

// newsServer serves a small RSS feed with validators, article pages and a
// broken source, counting requests per path.
type newsServer struct {
	*httptest.Server
	hits     sync64
	etag     string
	feedBody string
}

type sync64 struct{ m [16]atomic.Int64 }

var paths = []string{"/feed.xml", "/articles/2", "/broken.xml", "/articles/3"}

func (s *sync64) inc(path string) {
	for i, p := range paths {
		if p == path {
			s.m[i].Add(1)
		}
	}
}

func (s *sync64) get(path string) int64 {
	for i, p := range paths {
		if p == path {
			return s.m[i].Load()
		}
	}
	return -1
}

const fullText = `Moscow has begun delivering Su-35 fighter jets to Tehran, two officials said on Tuesday. ` +
	`The aircraft arrived at an air base near Hamadan after months of negotiations between the defence ministries. ` +
	`Analysts said the deal marks the largest Russian arms transfer to Iran in decades, and that more aircraft ` +
	`could follow in the spring. The officials, who spoke on condition of anonymity, said the first batch ` +
	`consisted of six aircraft. Russia and Iran have deepened military ties since 2022. Western governments ` +
	`condemned the transfer. A spokesman for the Kremlin declined to comment on the deliveries, and Iran's ` +
	`defence ministry did not answer questions about the price. Some reports put the value of the contract ` +
	`at more than a billion dollars, paid partly in oil. The jets will replace ageing F-14 Tomcats bought from ` +
	`the United States before the 1979 revolution, and will be based at Hamadan and Isfahan. Pilots trained in ` +
	`Russia last year, according to the officials. The arrival of the aircraft follows the delivery of Yak-130 ` +
	`trainer jets in 2023.`

func feedXML(base string) string {
	return fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Test wire</title><link>%[1]s/</link>
<item><title>Russia starts Su-35 deliveries to Iran</title><link>%[1]s/articles/1?utm_source=rss#top</link>
<guid>a1</guid><pubDate>Tue, 03 Sep 2024 10:00:00 GMT</pubDate><description><![CDATA[<p>%[2]s</p>]]></description></item>
<item><title>Iran and the Eurasian Economic Union</title><link>%[1]s/articles/2</link>
<guid>a2</guid><description>Short summary only.</description></item>
<item><title>Weather in Tehran</title><link>%[1]s/articles/3</link><guid>a3</guid>
<pubDate>Tue, 03 Sep 2099 10:00:00 GMT</pubDate><description>Sunny and warm all week.</description></item>
</channel></rss>`, base, fullText)
}

const articleTwo = `<!doctype html><html lang="en"><head><title>Iran and the EAEU</title>
<link rel="canonical" href="/articles/2?fbclid=abc">
<meta property="article:published_time" content="2024-09-02T08:00:00Z"></head>
<body><article><h1>Iran and the Eurasian Economic Union</h1>
<p>Iran's free trade agreement with the Eurasian Economic Union entered into force on Sunday, the union's commission said, removing duties on most goods traded between Iran and the five member states.</p>
<p>Officials in Tehran said the agreement would double trade with Russia, Kazakhstan and Belarus within three years, and that talks on a customs data exchange would start next month.</p>
<p>The deal was signed in Moscow in December and ratified by every member state over the following months.</p>
</article></body></html>`

func newNewsServer(t *testing.T) *newsServer {
	t.Helper()
	s := &newsServer{etag: `"v1"`}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.inc(r.URL.Path)
		switch r.URL.Path {
		case "/feed.xml":
			if r.Header.Get("If-None-Match") == s.etag {
				w.WriteHeader(http.StatusNotModified)
				return
			}
			w.Header().Set("ETag", s.etag)
			w.Header().Set("Content-Type", "application/rss+xml")
			fmt.Fprint(w, feedXML(s.URL))
		case "/articles/2":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, articleTwo)
		case "/articles/3":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, `<html><body><p>Sunny and warm all week in Tehran.</p></body></html>`)
		case "/broken.xml":
			http.Error(w, "upstream down", http.StatusBadGateway)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(s.Close)
	return s
}

type fixture struct {
	store *storage.Store
	pipe  *Pipeline
	now   time.Time
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	st, m := shippedStore(t, filepath.Join(t.TempDir(), "cw.db"))
	f := &fixture{store: st, now: time.Date(2024, 9, 4, 12, 0, 0, 0, time.UTC)}
	f.pipe = &Pipeline{
		Store:   st,
		Fetcher: fetch.New(fetch.Options{AllowPrivate: true, PerHostDelay: -1, Timeout: 5 * time.Second}),
		Matcher: func() *matcher.Matcher { return m },
		Now:     func() time.Time { return f.now },
	}
	return f
}

// shippedStore opens a store at path holding the shipped claims, closed
// when the test ends, and returns it with those claims compiled.
func shippedStore(tb testing.TB, path string) (*storage.Store, *matcher.Matcher) {
	tb.Helper()
	ctx := context.Background()
	set, err := claims.Shipped()
	if err != nil {
		tb.Fatal(err)
	}
	m, err := matcher.Compile(set)
	if err != nil {
		tb.Fatal(err)
	}
	st, err := storage.Open(ctx, path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	if _, err := st.SyncClaims(ctx, set); err != nil {
		tb.Fatal(err)
	}
	return st, m
}

// source registers a source in the store, as the command line does before
// polling, and returns it.
func (f *fixture) source(t *testing.T, src config.Source) config.Source {
	t.Helper()
	if err := f.store.UpsertSource(context.Background(), storage.Source{Name: src.Name, URL: src.URL, Kind: string(src.Kind), FromConfig: true, Enabled: true}); err != nil {
		t.Fatal(err)
	}
	return src
}

func feedSource(name, url string) config.Source {
	return config.Source{Name: name, URL: url, Kind: config.KindFeed, FetchArticles: config.FetchAuto, Enabled: true, Weight: 1}
}

func TestPollStoresArticlesEvidenceAndIsIdempotent(t *testing.T) {
	ctx := context.Background()
	srv := newNewsServer(t)
	f := newFixture(t)
	src := f.source(t, feedSource("wire", srv.URL+"/feed.xml"))

	res := f.pipe.Poll(ctx, src, false)
	if res.Outcome != storage.OutcomeOK || res.Err != nil {
		t.Fatalf("first poll: outcome %s, err %v", res.Outcome, res.Err)
	}
	if res.NewArticles != 3 {
		t.Errorf("new articles = %d, want 3", res.NewArticles)
	}
	if got := res.Evidence["russia-arms-to-iran"][claims.Supports]; got != 1 {
		t.Errorf("russia-arms-to-iran supports = %d, want 1 (evidence %v)", got, res.Evidence)
	}
	if got := res.Evidence["eeu-iran-fta"][claims.Supports]; got != 1 {
		t.Errorf("eeu-iran-fta supports = %d, want 1 (evidence %v)", got, res.Evidence)
	}
	// Item 1 carries its full text: auto does not fetch its page; item 2 is a
	// summary, so its page is fetched.
	if n := srv.hits.get("/articles/2"); n != 1 {
		t.Errorf("article 2 fetched %d times, want 1", n)
	}

	rows, err := f.store.ListEvidence(ctx, storage.EvidenceFilter{ClaimID: "russia-arms-to-iran"})
	if err != nil || len(rows) != 1 {
		t.Fatalf("evidence rows = %d, %v", len(rows), err)
	}
	row := rows[0]
	if want := srv.URL + "/articles/1"; row.URL != strings.ToLower(want) && row.URL != want {
		t.Errorf("stored URL %q, want canonical %q (tracking parameter and fragment dropped)", row.URL, want)
	}
	if !row.PublishedAt.Equal(time.Date(2024, 9, 3, 10, 0, 0, 0, time.UTC)) || row.PublishedFlag != storage.PublishedFeed {
		t.Errorf("published %v (%s), want the feed's date", row.PublishedAt, row.PublishedFlag)
	}
	eeu, err := f.store.ListEvidence(ctx, storage.EvidenceFilter{ClaimID: "eeu-iran-fta"})
	if err != nil || len(eeu) != 1 {
		t.Fatalf("eeu evidence rows = %d, %v", len(eeu), err)
	}
	if !strings.HasSuffix(eeu[0].URL, "/articles/2") || eeu[0].PublishedFlag != storage.PublishedPage {
		t.Errorf("article 2 stored as %q dated from %q, want its canonical URL and the page's date", eeu[0].URL, eeu[0].PublishedFlag)
	}

	// The server answers 304 to the stored ETag.
	res = f.pipe.Poll(ctx, src, false)
	if res.Outcome != storage.OutcomeNotModified || res.NewArticles != 0 {
		t.Fatalf("second poll: outcome %s, new %d; want not_modified, 0", res.Outcome, res.NewArticles)
	}
	// A server that ignores validators: nothing new is stored again.
	srv.etag = `"v2"`
	res = f.pipe.Poll(ctx, src, false)
	if res.Outcome != storage.OutcomeOK || res.NewArticles != 0 || res.NewEvidence != 0 {
		t.Fatalf("third poll: outcome %s, new articles %d, new evidence %d; want ok, 0, 0", res.Outcome, res.NewArticles, res.NewEvidence)
	}
	if n := srv.hits.get("/articles/2"); n != 1 {
		t.Errorf("article 2 fetched %d times after re-polls, want 1", n)
	}
}

func TestFutureDateIsClamped(t *testing.T) {
	ctx := context.Background()
	srv := newNewsServer(t)
	f := newFixture(t)
	f.pipe.Poll(ctx, f.source(t, feedSource("wire", srv.URL+"/feed.xml")), false)
	hits, err := f.store.Search(ctx, "sunny", storage.SearchOptions{})
	if err != nil || len(hits) != 1 {
		t.Fatalf("search: %d hits, %v", len(hits), err)
	}
	a, err := f.store.Article(ctx, hits[0].ArticleID)
	if err != nil {
		t.Fatal(err)
	}
	if a.PublishedFlag != storage.PublishedFutureClamped || !a.PublishedAt.Equal(f.now) {
		t.Errorf("a 2099 date stored as %v (%s), want clamped to %v", a.PublishedAt, a.PublishedFlag, f.now)
	}
}

func TestFetchArticlesNever(t *testing.T) {
	srv := newNewsServer(t)
	f := newFixture(t)
	src := feedSource("wire", srv.URL+"/feed.xml")
	src.FetchArticles = config.FetchNever
	f.source(t, src)
	res := f.pipe.Poll(context.Background(), src, false)
	if res.Outcome != storage.OutcomeOK || res.NewArticles != 3 {
		t.Fatalf("outcome %s, new %d, err %v", res.Outcome, res.NewArticles, res.Err)
	}
	if n := srv.hits.get("/articles/2") + srv.hits.get("/articles/3"); n != 0 {
		t.Errorf("article pages fetched %d times with fetch_articles: never", n)
	}
}

func TestFailingSourceBacksOffAndDoesNotStopOthers(t *testing.T) {
	ctx := context.Background()
	srv := newNewsServer(t)
	f := newFixture(t)
	sources := []config.Source{f.source(t, feedSource("broken", srv.URL+"/broken.xml")), f.source(t, feedSource("wire", srv.URL+"/feed.xml"))}

	sum := f.pipe.RunOnce(ctx, sources, 2)
	if sum.AllFailed() {
		t.Fatal("AllFailed with one good source")
	}
	if got := sum.Counts(); got[storage.OutcomeFailed] != 1 || got[storage.OutcomeOK] != 1 {
		t.Fatalf("outcomes %v, want one failed and one ok", got)
	}
	broken := sum.Results[0]
	if broken.Source != "broken" || broken.Status != http.StatusBadGateway || broken.BackoffTil.IsZero() {
		t.Fatalf("broken source result %+v", broken)
	}
	state, err := f.store.SourceState(ctx, "broken")
	if err != nil {
		t.Fatal(err)
	}
	if state.ErrorCount != 1 || !strings.Contains(state.LastError, "broken.xml") || !state.BackoffUntil.After(f.now) {
		t.Errorf("stored state %+v: want error count 1, an error naming the URL, and a backoff", state)
	}

	// Within the backoff the source is skipped, not hammered.
	before := srv.hits.get("/broken.xml")
	res := f.pipe.Poll(ctx, sources[0], false)
	if res.Outcome != storage.OutcomeSkipped || srv.hits.get("/broken.xml") != before {
		t.Errorf("poll in backoff: outcome %s, requests %d→%d", res.Outcome, before, srv.hits.get("/broken.xml"))
	}
	// After it, the failure repeats and the backoff grows.
	f.now = state.BackoffUntil.Add(time.Second)
	res = f.pipe.Poll(ctx, sources[0], false)
	state2, _ := f.store.SourceState(ctx, "broken")
	if res.Outcome != storage.OutcomeFailed || state2.ErrorCount != 2 ||
		state2.BackoffUntil.Sub(f.now) <= state.BackoffUntil.Sub(state.LastAttempt) {
		t.Errorf("second failure: outcome %s, state %+v; want error count 2 and a longer backoff", res.Outcome, state2)
	}
	if sum := f.pipe.RunOnce(ctx, sources[:1], 1); !sum.AllFailed() {
		t.Errorf("only the broken source: AllFailed = false, results %+v", sum.Results)
	}
}

func TestLocalDirectoryBackfill(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	dir := t.TempDir()
	for _, name := range []string{"formats/rss_feed.xml", "real/small_atom.xml", "formats/invalid.json"} {
		data, err := os.ReadFile(testcorpus.Path(t, "feeds", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(name)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "page.html"), []byte(articleTwo), 0o644); err != nil {
		t.Fatal(err)
	}
	src := f.source(t, config.Source{Name: "backfill", URL: dir, Kind: config.KindFeed, FetchArticles: config.FetchAuto, Enabled: true})
	res := f.pipe.Poll(ctx, src, false)
	if res.Outcome != storage.OutcomeOK {
		t.Fatalf("outcome %s: %v", res.Outcome, res.Err)
	}
	if res.ItemErrors != 1 {
		t.Errorf("item errors = %d, want 1 (invalid.json)", res.ItemErrors)
	}
	if res.NewArticles < 3 {
		t.Errorf("new articles = %d, want the feeds' items and the page", res.NewArticles)
	}
	if got := res.Evidence["eeu-iran-fta"][claims.Supports]; got != 1 {
		t.Errorf("the saved page's evidence: %v", res.Evidence)
	}
	again := f.pipe.Poll(ctx, src, false)
	if again.NewArticles != 0 {
		t.Errorf("second backfill stored %d new articles, want 0", again.NewArticles)
	}
}

// Items left for the next poll (the fetch budget spent) must not be lost
// behind a 304: the validators are only kept once every item was reached.
func TestDeferredItemsAreReadNextPoll(t *testing.T) {
	ctx := context.Background()
	const items = 5
	var feedHits, notModified atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/feed.xml" {
			fmt.Fprintf(w, `<html><body><article><p>Page %s: Iran and Armenia opened a new border crossing on the Aras river, officials in Yerevan said.</p></article></body></html>`, r.URL.Path)
			return
		}
		feedHits.Add(1)
		if r.Header.Get("If-None-Match") == `"v1"` {
			notModified.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		fmt.Fprint(w, `<rss version="2.0"><channel><title>t</title>`)
		for i := range items {
			fmt.Fprintf(w, `<item><title>Item %d</title><link>http://%s/a/%d</link><description>Short.</description></item>`, i, r.Host, i)
		}
		fmt.Fprint(w, `</channel></rss>`)
	}))
	defer srv.Close()
	f := newFixture(t)
	f.pipe.MaxArticleFetches = 2
	src := f.source(t, feedSource("budget", srv.URL+"/feed.xml"))

	stored := 0
	for poll := 1; poll <= 4; poll++ {
		res := f.pipe.Poll(ctx, src, false)
		if !res.Succeeded() {
			t.Fatalf("poll %d: %s %v", poll, res.Outcome, res.Err)
		}
		if poll == 1 && (res.NewArticles != 2 || res.Deferred != items-2) {
			t.Errorf("poll 1: %d new, %d deferred; want 2 and %d", res.NewArticles, res.Deferred, items-2)
		}
		stored += res.NewArticles
	}
	if stored != items {
		t.Errorf("stored %d of %d items after 4 polls", stored, items)
	}
	if notModified.Load() != 1 {
		t.Errorf("%d not-modified answers, want exactly 1 (the poll after every item was reached)", notModified.Load())
	}
}

// A poll stopped by shutdown is not the source's failure: no error count,
// no backoff.
func TestCancelledPollIsNotAFailure(t *testing.T) {
	srv := newNewsServer(t)
	f := newFixture(t)
	src := f.source(t, feedSource("wire", srv.URL+"/feed.xml"))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res := f.pipe.Poll(ctx, src, false)
	if res.Outcome != storage.OutcomeSkipped || res.Err == nil || !res.BackoffTil.IsZero() {
		t.Fatalf("cancelled poll: outcome %s, err %v, backoff %v; want skipped with its reason and no backoff", res.Outcome, res.Err, res.BackoffTil)
	}
	state, err := f.store.SourceState(context.Background(), "wire")
	if err != nil {
		t.Fatal(err)
	}
	if state.ErrorCount != 0 || !state.BackoffUntil.IsZero() {
		t.Errorf("state after a cancelled poll: %+v", state)
	}
}
