package backfill

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/claimwatch/claimwatch/internal/fetch"
)

// sitemapSite serves a news site found through robots.txt: a sitemap index
// with a 2021 news sitemap of the evidence pages and 50 unrelated local
// reports, and a 2015 sitemap. hits counts requests of the paths that
// begin with a prefix.
func sitemapSite(t *testing.T) (srv *httptest.Server, hits func(prefix string) int) {
	rng := rand.New(rand.NewPCG(4, 4))
	var mu sync.Mutex
	count := map[string]int{}
	pages := map[string]string{}
	var entries []string
	for i, p := range evidencePages {
		title := p[strings.Index(p, "<title>")+7 : strings.Index(p, "</title>")]
		path := fmt.Sprintf("/2021/%d", i)
		pages[path] = p
		// The title alone may not hold every group: the URL slug adds words.
		plain := strings.NewReplacer("<b>", "", "</b>", "", "<i>", "", "</i>", "", "<span>", "", "</span>", "", "&#8209;", "-").
			Replace(p[strings.Index(p, "<p>")+3 : strings.Index(p, "</p>")])
		slug := strings.ToLower(strings.ReplaceAll(plain, " ", "-"))
		path = fmt.Sprintf("/2021/%d/%s", i, urlSafe(slug))
		pages[path] = p
		entries = append(entries, newsEntry(path, title, "2021-04-01"))
	}
	for i := range 50 {
		path := fmt.Sprintf("/2021/local-football-report-%d", i)
		pages[path] = unrelatedPage(rng, i)
		entries = append(entries, newsEntry(path, fmt.Sprintf("Local football report %d", i), "2021-04-02"))
	}
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		count[r.URL.Path]++
		mu.Unlock()
		switch r.URL.Path {
		case "/robots.txt":
			fmt.Fprintf(w, "User-agent: *\nAllow: /\nSitemap: %s/sitemap-index.xml\n", srv.URL)
		case "/sitemap-index.xml":
			fmt.Fprintf(w, `<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>%s/news-2021.xml</loc><lastmod>2021-12-31</lastmod></sitemap><sitemap><loc>%s/news-2015.xml</loc><lastmod>2015-12-31</lastmod></sitemap></sitemapindex>`, srv.URL, srv.URL)
		case "/news-2021.xml":
			fmt.Fprintf(w, `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">%s</urlset>`, strings.ReplaceAll(strings.Join(entries, ""), "BASE", srv.URL))
		default:
			p, ok := pages[r.URL.Path]
			if !ok {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, p)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, func(prefix string) int {
		mu.Lock()
		defer mu.Unlock()
		n := 0
		for p, c := range count {
			if strings.HasPrefix(p, prefix) {
				n += c
			}
		}
		return n
	}
}

// TestSitemapBackfill: only entries whose title or URL can hold a claim's
// terms are fetched, their evidence is stored, and a second run reads no
// finished sitemap again.
func TestSitemapBackfill(t *testing.T) {
	srv, hits := sitemapSite(t)
	e := newEnv(t, filepath.Join(t.TempDir(), "s.db"))
	so := SitemapOptions{Fetcher: fetch.New(fetch.Options{AllowPrivate: true, PerHostDelay: -1, Timeout: 10 * time.Second}),
		Since: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)}
	st, err := RunSitemaps(context.Background(), e.options(), so, []string{srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if st.Stored != int64(len(evidencePages)) || st.Evidence < int64(len(evidencePages)) {
		t.Fatalf("stats %+v: want the %d evidence pages stored with evidence", st, len(evidencePages))
	}
	for i := range 50 {
		if n := hits(fmt.Sprintf("/2021/local-football-report-%d", i)); n > 0 {
			t.Fatalf("local football report %d fetched: its title and URL hold no claim's terms", i)
		}
	}
	if hits("/news-2015.xml") != 0 {
		t.Fatalf("a sitemap last modified before the window was read")
	}
	before := hits("/news-2021.xml")
	again, err := RunSitemaps(context.Background(), e.options(), so, []string{srv.URL})
	if err != nil || hits("/news-2021.xml") != before || again.Stored != 0 {
		t.Fatalf("second run: %+v, %v; the finished sitemap read again (%d times)", again, err, hits("/news-2021.xml"))
	}
}

// With --no-prefilter every entry in the window is fetched, and the
// evidence is the same: the title prefilter lost nothing.
func TestSitemapBackfillWithoutPrefilterFindsTheSame(t *testing.T) {
	srv, hits := sitemapSite(t)
	since := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	var sets [2][]string
	for i, noPrefilter := range []bool{false, true} {
		e := newEnv(t, filepath.Join(t.TempDir(), fmt.Sprintf("s%d.db", i)))
		o := e.options()
		o.NoPrefilter = noPrefilter
		// A fetcher per run: each run reads the site from scratch.
		so := SitemapOptions{Fetcher: fetch.New(fetch.Options{AllowPrivate: true, PerHostDelay: -1, Timeout: 10 * time.Second}), Since: since}
		if _, err := RunSitemaps(context.Background(), o, so, []string{srv.URL}); err != nil {
			t.Fatal(err)
		}
		sets[i] = evidenceSet(t, e.store)
	}
	if hits("/2021/local-football-report-7") != 1 {
		t.Fatalf("without the prefilter an unrelated entry was fetched %d times, want 1", hits("/2021/local-football-report-7"))
	}
	if len(sets[0]) == 0 || strings.Join(sets[0], "\n") != strings.Join(sets[1], "\n") {
		t.Fatalf("evidence with the prefilter:\n%s\nwithout:\n%s", strings.Join(sets[0], "\n"), strings.Join(sets[1], "\n"))
	}
}

// --claim narrows the prefilter to that claim's terms: the other claims'
// pages are not fetched; a fetched page is matched against every claim.
func TestSitemapBackfillOneClaim(t *testing.T) {
	srv, hits := sitemapSite(t)
	e := newEnv(t, filepath.Join(t.TempDir(), "c.db"))
	o := e.options()
	o.Claims = []string{"eeu-iran-fta"}
	so := SitemapOptions{Fetcher: fetch.New(fetch.Options{AllowPrivate: true, PerHostDelay: -1, Timeout: 10 * time.Second}),
		Since: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)}
	st, err := RunSitemaps(context.Background(), o, so, []string{srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if st.Stored != 1 {
		t.Fatalf("stored %d articles, want only the trade deal page", st.Stored)
	}
	for _, line := range evidenceSet(t, e.store) {
		if !strings.Contains(line, " eeu-iran-fta ") {
			t.Errorf("evidence for another claim: %s", line)
		}
	}
	if n := hits("/2021/4/"); n != 1 {
		t.Errorf("the trade deal page was fetched %d times, want 1", n)
	}
	if n := hits("/2021/0/"); n != 0 {
		t.Errorf("the jets page (another claim's) was fetched %d times", n)
	}
}

// The operator named the site, so its host may be loopback even though the
// fetcher guards private addresses: sitemaps and pages on it are read.
func TestSitemapBackfillNamedPrivateSite(t *testing.T) {
	srv, _ := sitemapSite(t)
	e := newEnv(t, filepath.Join(t.TempDir(), "n.db"))
	so := SitemapOptions{Fetcher: fetch.New(fetch.Options{PerHostDelay: -1, Timeout: 10 * time.Second}),
		Since: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)}
	st, err := RunSitemaps(context.Background(), e.options(), so, []string{srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if st.Stored != int64(len(evidencePages)) {
		t.Fatalf("stats %+v: want the %d evidence pages stored from the named loopback site", st, len(evidencePages))
	}
}

// A site whose sitemaps cannot be found counts as one input not
// finished, not as a failure out of none.
func TestSitemapBackfillUnreachableSite(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(srv.Close)
	e := newEnv(t, filepath.Join(t.TempDir(), "u.db"))
	so := SitemapOptions{Fetcher: fetch.New(fetch.Options{AllowPrivate: true, PerHostDelay: -1, Timeout: 10 * time.Second})}
	st, err := RunSitemaps(context.Background(), e.options(), so, []string{srv.URL})
	if err != nil || st.Files != 1 || st.FilesFailed != 1 || st.FilesDone != 0 {
		t.Fatalf("stats %+v, %v: want 1 input, failed", st, err)
	}
}

func newsEntry(path, title, date string) string {
	return fmt.Sprintf(`<url><loc>BASE%s</loc><news:news><news:publication_date>%s</news:publication_date><news:title>%s</news:title></news:news></url>`, path, date, title)
}

func urlSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return -1
	}, s)
}
