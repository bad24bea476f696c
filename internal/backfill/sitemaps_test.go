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

// TestSitemapBackfill: a news site found through robots.txt; only entries
// whose title or URL can hold a claim's terms are fetched, their evidence is
// stored, and a second run reads no finished sitemap again.
func TestSitemapBackfill(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	var mu sync.Mutex
	hits := map[string]int{}
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
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits[r.URL.Path]++
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
	defer srv.Close()
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
	for path, n := range hits {
		if strings.Contains(path, "football") && n > 0 {
			t.Fatalf("%s fetched: its title and URL hold no claim's terms", path)
		}
	}
	if hits["/news-2015.xml"] != 0 {
		t.Fatalf("a sitemap last modified before the window was read")
	}
	before := hits["/news-2021.xml"]
	again, err := RunSitemaps(context.Background(), e.options(), so, []string{srv.URL})
	if err != nil || hits["/news-2021.xml"] != before || again.Stored != 0 {
		t.Fatalf("second run: %+v, %v; the finished sitemap read again (%d times)", again, err, hits["/news-2021.xml"])
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
