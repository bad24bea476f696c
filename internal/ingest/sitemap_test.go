package ingest

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/claimwatch/claimwatch/internal/config"
	"github.com/claimwatch/claimwatch/internal/fetch"
	"github.com/claimwatch/claimwatch/storage"
)

// newsSitemapSite serves a news site whose robots.txt names a sitemap
// index: one child updated today (a Google News sitemap), one last
// modified years ago. The fixture's clock is 2024-09-04 12:00 UTC.
func newsSitemapSite(t *testing.T) (*httptest.Server, *pathHits) {
	hits := &pathHits{n: map[string]int64{}}
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.inc(r.URL.Path)
		base := srv.URL
		switch r.URL.Path {
		case "/robots.txt":
			fmt.Fprintf(w, "User-agent: *\nAllow: /\nSitemap: %s/sitemap-index.xml\n", base)
		case "/sitemap-index.xml":
			fmt.Fprintf(w, `<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>%[1]s/news.xml</loc><lastmod>2024-09-04T10:00:00Z</lastmod></sitemap>
<sitemap><loc>%[1]s/archive-2019.xml</loc><lastmod>2019-12-31</lastmod></sitemap>
</sitemapindex>`, base)
		case "/news.xml":
			if r.Header.Get("If-None-Match") == `"n1"` {
				w.WriteHeader(http.StatusNotModified)
				return
			}
			w.Header().Set("ETag", `"n1"`)
			fmt.Fprintf(w, `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>%[1]s/world/jets</loc><news:news><news:publication_date>2024-09-03T08:00:00Z</news:publication_date><news:title>Russia delivers Su-35 fighter jets to Iran</news:title></news:news></url>
<url><loc>%[1]s/sport/cup</loc><news:news><news:publication_date>2024-09-03T09:00:00Z</news:publication_date><news:title>Local side wins the cup after extra time</news:title></news:news></url>
<url><loc>%[1]s/world/old-jets</loc><news:news><news:publication_date>2024-08-01T08:00:00Z</news:publication_date><news:title>Russia delivers Su-35 fighter jets to Iran</news:title></news:news></url>
<url><loc>%[1]s/a/48151623</loc></url>
</urlset>`, base)
		case "/world/jets", "/world/old-jets", "/sport/cup", "/a/48151623":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, `<html><head><title>Russia delivers Su-35 fighter jets to Iran</title></head><body><article>
<h1>Russia delivers Su-35 fighter jets to Iran</h1>
<p>Russia has delivered the first Su-35 fighter jets to Iran, the Iranian defence ministry said on Tuesday.</p>
<p>The aircraft landed at an air base near Hamadan, according to officials, and more are expected before the end of the year.</p>
</article></body></html>`)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, hits
}

// pathHits counts requests by path.
type pathHits struct {
	mu sync.Mutex
	n  map[string]int64
}

func (h *pathHits) inc(path string) {
	h.mu.Lock()
	h.n[path]++
	h.mu.Unlock()
}

func (h *pathHits) get(path string) int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.n[path]
}

// A sitemap source is polled like a feed: the entries of the last two
// days that can hold a claim's terms are fetched and matched; an old
// entry, an unrelated title, an undated entry and a child sitemap last
// modified years ago cost nothing.
func TestSitemapSourcePollsRecentCandidates(t *testing.T) {
	srv, hits := newsSitemapSite(t)
	f := newFixture(t)
	src := f.source(t, config.Source{Name: "site", URL: srv.URL, Kind: config.KindSitemap, FetchArticles: config.FetchAuto, Enabled: true, Weight: 1})
	res := f.pipe.Poll(context.Background(), src, false)
	if res.Outcome != storage.OutcomeOK || res.NewArticles != 1 || res.NewEvidence == 0 {
		t.Fatalf("poll: outcome %s, %d new articles, %d new evidence (err %v); want ok, 1, >0", res.Outcome, res.NewArticles, res.NewEvidence, res.Err)
	}
	if res.Evidence["russia-arms-to-iran"] == nil {
		t.Errorf("no evidence for russia-arms-to-iran: %v", res.Evidence)
	}
	// robots.txt twice: for its Sitemap: lines, and by the fetcher's
	// robots check before the article page (then cached).
	for path, want := range map[string]int64{"/robots.txt": 2, "/news.xml": 1, "/world/jets": 1,
		"/archive-2019.xml": 0, "/world/old-jets": 0, "/sport/cup": 0, "/a/48151623": 0} {
		if got := hits.get(path); got != want {
			t.Errorf("%s fetched %d time(s), want %d", path, got, want)
		}
	}
	// Polled again, the stored article is not fetched again.
	if res := f.pipe.Poll(context.Background(), src, false); res.Outcome != storage.OutcomeOK || res.NewArticles != 0 {
		t.Fatalf("second poll: outcome %s, %d new (err %v)", res.Outcome, res.NewArticles, res.Err)
	}
	if got := hits.get("/world/jets"); got != 1 {
		t.Errorf("the stored article was fetched %d times, want 1", got)
	}
}

// A sitemap named by URL gets a conditional GET: unchanged, a poll costs
// one 304 and fetches nothing else.
func TestSitemapSourceConditionalGet(t *testing.T) {
	srv, hits := newsSitemapSite(t)
	f := newFixture(t)
	src := f.source(t, config.Source{Name: "news", URL: srv.URL + "/news.xml", Kind: config.KindSitemap, FetchArticles: config.FetchAuto, Enabled: true, Weight: 1})
	if res := f.pipe.Poll(context.Background(), src, false); res.Outcome != storage.OutcomeOK || res.NewArticles != 1 {
		t.Fatalf("first poll: outcome %s, %d new (err %v)", res.Outcome, res.NewArticles, res.Err)
	}
	res := f.pipe.Poll(context.Background(), src, false)
	if res.Outcome != storage.OutcomeNotModified {
		t.Fatalf("second poll: outcome %s (err %v), want not modified", res.Outcome, res.Err)
	}
	if got := hits.get("/news.xml"); got != 2 {
		t.Errorf("news.xml fetched %d times, want 2", got)
	}
	if got := hits.get("/robots.txt"); got != 1 {
		t.Errorf("robots.txt fetched %d times, want 1 (for the article page only)", got)
	}
}

// A site whose sitemaps cannot be read fails the poll, naming the URL.
func TestSitemapSourceWithoutSitemapsFails(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(srv.Close)
	f := newFixture(t)
	src := f.source(t, config.Source{Name: "bare", URL: srv.URL, Kind: config.KindSitemap, FetchArticles: config.FetchAuto, Enabled: true, Weight: 1})
	res := f.pipe.Poll(context.Background(), src, false)
	if res.Outcome != storage.OutcomeFailed || res.Err == nil {
		t.Fatalf("outcome %s err %v, want failed", res.Outcome, res.Err)
	}
	if want := srv.URL + "/robots.txt"; !strings.Contains(res.Err.Error(), want) {
		t.Errorf("error %q does not name %s", res.Err, want)
	}
}

// The operator named the site, so its article pages may be on the same
// private address as its sitemap; a link to another private host is still
// refused by the guard.
func TestSourceHostPagesAreNamed(t *testing.T) {
	srv, hits := newsSitemapSite(t)
	f := newFixture(t)
	f.pipe.Fetcher = fetch.New(fetch.Options{PerHostDelay: -1, Timeout: 5 * time.Second}) // the guard on
	src := f.source(t, config.Source{Name: "site", URL: srv.URL, Kind: config.KindSitemap, FetchArticles: config.FetchAuto, Enabled: true, Weight: 1})
	if res := f.pipe.Poll(context.Background(), src, false); res.Outcome != storage.OutcomeOK || res.NewArticles != 1 {
		t.Fatalf("poll: outcome %s, %d new (err %v); want the article on the named loopback host stored", res.Outcome, res.NewArticles, res.Err)
	}
	if hits.get("/world/jets") != 1 {
		t.Fatalf("the article page was fetched %d times, want 1", hits.get("/world/jets"))
	}

	other, otherHits := newsSitemapSite(t) // another private host
	feed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, `<rss version="2.0"><channel><title>f</title><item><title>Russia delivers Su-35 fighter jets to Iran</title><link>%s/world/jets</link></item></channel></rss>`, other.URL)
	}))
	t.Cleanup(feed.Close)
	res := f.pipe.Poll(context.Background(), f.source(t, feedSource("feed", feed.URL)), false)
	if res.NewArticles != 0 || otherHits.get("/world/jets") != 0 {
		t.Fatalf("a feed's link to another private host was fetched (%d new, %d hits)", res.NewArticles, otherHits.get("/world/jets"))
	}
}

// A public source's own host gets no exemption: its links are dialled
// through the guard (its name could come to resolve to a private address),
// whereas the source URL the operator named is not checked.
func TestPublicSourceLinksStillPassTheGuard(t *testing.T) {
	srv := newNewsServer(t)
	port := uint16(srv.Listener.Addr().(*net.TCPAddr).Port)
	var checked atomic.Int64
	f := newFixture(t)
	f.pipe.Fetcher = fetch.New(fetch.Options{PerHostDelay: -1, Timeout: 5 * time.Second, PublicAddr: func(ap netip.AddrPort) bool {
		checked.Add(1)
		return ap.Port() == port // the test server counts as a public site
	}})
	src := f.source(t, feedSource("wire", srv.URL+"/feed.xml"))
	res := f.pipe.Poll(context.Background(), src, false)
	if res.Outcome != storage.OutcomeOK || srv.hits.get("/articles/2") != 1 {
		t.Fatalf("poll: outcome %s (err %v), article 2 fetched %d times", res.Outcome, res.Err, srv.hits.get("/articles/2"))
	}
	// Once by PrivateHost (the source's host is an address: one check),
	// then at least once at connect time for the article pages.
	if n := checked.Load(); n < 2 {
		t.Errorf("the guard was consulted %d time(s): the article pages of a public source skipped it", n)
	}
}

// A sitemap index can stay the same while its news sitemap grows: a
// source named by its index gets no 304 shortcut, and the new entry is
// found; a sitemap of URLs read whole keeps its conditional GET
// (TestSitemapSourceConditionalGet).
func TestSitemapIndexUnchangedChildChanged(t *testing.T) {
	var mu sync.Mutex
	entries := []string{"jets"}
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/index.xml":
			if r.Header.Get("If-None-Match") == `"i1"` {
				w.WriteHeader(http.StatusNotModified)
				return
			}
			w.Header().Set("ETag", `"i1"`)
			fmt.Fprintf(w, `<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>%s/news.xml</loc></sitemap></sitemapindex>`, srv.URL)
		case r.URL.Path == "/news.xml":
			mu.Lock()
			defer mu.Unlock()
			fmt.Fprint(w, `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">`)
			for _, e := range entries {
				fmt.Fprintf(w, `<url><loc>%s/world/%s</loc><news:news><news:publication_date>2024-09-04T08:00:00Z</news:publication_date><news:title>Russia delivers Su-35 fighter jets to Iran (%s)</news:title></news:news></url>`, srv.URL, e, e)
			}
			fmt.Fprint(w, `</urlset>`)
		case strings.HasPrefix(r.URL.Path, "/world/"):
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprintf(w, `<html><head><title>Russia delivers Su-35 fighter jets to Iran</title></head><body><article><p>Russia has delivered Su-35 fighter jets to Iran, officials said (%s).</p></article></body></html>`, r.URL.Path)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	f := newFixture(t)
	src := f.source(t, config.Source{Name: "idx", URL: srv.URL + "/index.xml", Kind: config.KindSitemap, FetchArticles: config.FetchAuto, Enabled: true, Weight: 1})
	if res := f.pipe.Poll(context.Background(), src, false); res.NewArticles != 1 {
		t.Fatalf("first poll: %s, %d new (err %v)", res.Outcome, res.NewArticles, res.Err)
	}
	mu.Lock()
	entries = append(entries, "more-jets")
	mu.Unlock()
	if res := f.pipe.Poll(context.Background(), src, false); res.Outcome != storage.OutcomeOK || res.NewArticles != 1 {
		t.Fatalf("second poll, the child grown under an unchanged index: %s, %d new (err %v); want ok, 1", res.Outcome, res.NewArticles, res.Err)
	}
}
