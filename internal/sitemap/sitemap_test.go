package sitemap

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func gz(s string) string {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write([]byte(s))
	zw.Close()
	return b.String()
}

func urlset(entries ...string) string {
	return `<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">` +
		strings.Join(entries, "") + `</urlset>`
}

func newsURL(loc, title, date string) string {
	return fmt.Sprintf(`<url><loc>%s</loc><news:news><news:publication><news:name>X</news:name><news:language>en</news:language></news:publication>`+
		`<news:publication_date>%s</news:publication_date><news:title>%s</news:title></news:news></url>`, loc, date, title)
}

func index(children ...string) string {
	return `<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">` + strings.Join(children, "") + `</sitemapindex>`
}

func child(loc, lastmod string) string {
	return fmt.Sprintf("<sitemap><loc>%s</loc><lastmod>%s</lastmod></sitemap>", loc, lastmod)
}

// site serves paths from a map and counts requests per path.
type site struct {
	srv   *httptest.Server
	files map[string]string
	hits  map[string]*atomic.Int64
}

func newSite(t *testing.T, files map[string]string) *site {
	s := &site{files: files, hits: map[string]*atomic.Int64{}}
	for p := range files {
		s.hits[p] = &atomic.Int64{}
	}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := s.files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		s.hits[r.URL.Path].Add(1)
		body = strings.ReplaceAll(body, "BASE", s.srv.URL)
		if strings.HasSuffix(r.URL.Path, ".gz") {
			body = gz(body)
		}
		io.WriteString(w, body)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *site) fetch(ctx context.Context, u string) ([]byte, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	resp, err := s.srv.Client().Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	return io.ReadAll(resp.Body)
}

func TestWalkNewsSitemaps(t *testing.T) {
	s := newSite(t, map[string]string{
		"/robots.txt": "User-agent: *\nDisallow: /private\nSitemap: BASE/news-index.xml\n",
		"/news-index.xml": index(
			child("BASE/2019.xml.gz", "2019-12-31"),
			child("BASE/2021.xml.gz", "2021-12-31T23:00:00Z"),
			child("BASE/news-index.xml", "2021-01-01"), // a loop
		),
		"/2019.xml.gz": urlset(newsURL("BASE/old", "Old", "2019-05-01")),
		"/2021.xml.gz": urlset(
			newsURL("BASE/2021/russia-delivers-jets-to-iran", "Russia delivers jets to Iran", "2021-03-01T10:00:00+02:00"),
			newsURL("BASE/2021/late", "Late", "2022-02-01"),
			`<url><loc>BASE/2021/undated</loc></url>`,
			`<url><loc>BASE/2021/by-lastmod</loc><lastmod>2021-06-01</lastmod></url>`,
		),
	})
	robots, _ := s.fetch(context.Background(), s.srv.URL+"/robots.txt")
	roots := FromRobots(s.srv.URL+"/robots.txt", robots)
	if len(roots) != 1 || roots[0] != s.srv.URL+"/news-index.xml" {
		t.Fatalf("FromRobots = %q", roots)
	}
	var done []string
	o := Options{Fetch: s.fetch, Since: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), Until: time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC),
		Done: func(sm string) error { done = append(done, sm); return nil }}
	var got []Entry
	st, err := Walk(context.Background(), roots[0], o, func(e Entry) error { got = append(got, e); return nil })
	if err != nil {
		t.Fatal(err)
	}
	var urls []string
	for _, e := range got {
		urls = append(urls, strings.TrimPrefix(e.URL, s.srv.URL))
	}
	if strings.Join(urls, " ") != "/2021/russia-delivers-jets-to-iran /2021/undated /2021/by-lastmod" {
		t.Fatalf("entries %q", urls)
	}
	if got[0].Title != "Russia delivers jets to Iran" || !got[0].Published.Equal(time.Date(2021, 3, 1, 8, 0, 0, 0, time.UTC)) {
		t.Fatalf("news entry %+v", got[0])
	}
	if s.hits["/2019.xml.gz"].Load() != 0 || s.hits["/news-index.xml"].Load() != 1 { // read once, though it lists itself
		t.Fatalf("2019 sitemap read %d times (want 0: before the window); index %d", s.hits["/2019.xml.gz"].Load(), s.hits["/news-index.xml"].Load())
	}
	if st.Sitemaps != 2 || len(done) != 1 || !strings.HasSuffix(done[0], "/2021.xml.gz") {
		t.Fatalf("stats %+v, done %q", st, done)
	}
	if w := URLWords(got[0].URL); !strings.Contains(w, "russia delivers jets to iran") {
		t.Fatalf("URLWords = %q", w)
	}
	// Resumed: a child marked done is skipped.
	st, _ = Walk(context.Background(), roots[0], Options{Fetch: s.fetch, Skip: func(string) bool { return true }}, func(Entry) error { return nil })
	if st.Skipped != 2 || st.Sitemaps != 1 {
		t.Fatalf("resumed walk %+v: want both children skipped", st)
	}
}

// TestIndexOf100000Entries: a big index streams; children before the
// window are never fetched, and the caps hold.
func TestIndexOf100000Entries(t *testing.T) {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`)
	for i := range 100_000 {
		lastmod := "2015-01-01"
		if i%25_000 == 0 {
			lastmod = "2021-01-01"
		}
		fmt.Fprintf(&b, "<sitemap><loc>BASE/s/%d.xml</loc><lastmod>%s</lastmod></sitemap>", i, lastmod)
	}
	b.WriteString(`</sitemapindex>`)
	files := map[string]string{"/index.xml": b.String()}
	for i := 0; i < 100_000; i += 25_000 {
		files[fmt.Sprintf("/s/%d.xml", i)] = urlset(fmt.Sprintf("<url><loc>BASE/a/%d</loc></url>", i), fmt.Sprintf("<url><loc>BASE/b/%d</loc></url>", i))
	}
	s := newSite(t, files)
	since := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	var n int
	st, err := Walk(context.Background(), s.srv.URL+"/index.xml", Options{Fetch: s.fetch, Since: since, MaxURLs: 100_000},
		func(Entry) error { n++; return nil })
	if err != nil || n != 8 || st.Sitemaps != 5 || len(st.Errors) != 0 || len(st.Capped) != 0 {
		t.Fatalf("%d entries, stats %+v, %v: want 8 entries from the 4 children in the window", n, st, err)
	}
	// The protocol's 50,000 entries per sitemap by default: the index is
	// read up to there and reported as capped.
	n = 0
	st, _ = Walk(context.Background(), s.srv.URL+"/index.xml", Options{Fetch: s.fetch, Since: since}, func(Entry) error { n++; return nil })
	if n != 4 || len(st.Capped) != 1 {
		t.Fatalf("default caps: %d entries, %+v; want the first 50,000 children read (4 entries) and the index reported capped", n, st)
	}
	// Caps: URL entries per sitemap, sitemaps per walk, bytes.
	st, _ = Walk(context.Background(), s.srv.URL+"/index.xml", Options{Fetch: s.fetch, Since: since, MaxURLs: 100_000, MaxSitemaps: 3},
		func(Entry) error { return nil })
	if st.Sitemaps != 3 || len(st.Capped) != 2 {
		t.Fatalf("sitemap cap: %+v; want 3 read, 2 left and reported", st)
	}
	n = 0
	st, _ = Walk(context.Background(), s.srv.URL+"/index.xml", Options{Fetch: s.fetch, Since: since, MaxURLs: 1}, func(Entry) error { n++; return nil })
	if n != 1 || len(st.Capped) != 2 {
		t.Fatalf("URL cap: %d entries, %+v; want the index and its one child read capped at 1 entry", n, st)
	}
	st, _ = Walk(context.Background(), s.srv.URL+"/index.xml", Options{Fetch: s.fetch, Since: since, MaxBytes: 10 << 10}, func(Entry) error { return nil })
	if len(st.Capped) != 1 || st.Sitemaps != 2 || len(st.Errors) != 0 {
		t.Fatalf("byte cap: %+v", st)
	}
}

func TestBrokenSitemapsAreReported(t *testing.T) {
	s := newSite(t, map[string]string{
		"/index.xml": index(child("BASE/missing.xml", ""), child("BASE/bad.xml", ""), child("BASE/good.xml", "")),
		"/bad.xml":   "<urlset><url><loc>BASE/x</loc></url", // cut short
		"/good.xml":  urlset("<url><loc>BASE/ok</loc></url>"),
	})
	var got []string
	st, err := Walk(context.Background(), s.srv.URL+"/index.xml", Options{Fetch: s.fetch}, func(e Entry) error { got = append(got, e.URL); return nil })
	if err != nil || len(st.Errors) != 2 || len(got) < 1 || !strings.HasSuffix(got[len(got)-1], "/ok") {
		t.Fatalf("entries %q, stats %+v, %v: want the good sitemap read and two errors naming the others", got, st, err)
	}
	for _, e := range st.Errors {
		if !strings.Contains(e.Error(), s.srv.URL) {
			t.Errorf("error %v does not name the sitemap", e)
		}
	}
}

// A page that is not a sitemap (a login or error page served with 200) is
// an error naming it, and is not marked done: read as an empty sitemap it
// would be checkpointed and never read again.
func TestNotASitemapIsAnErrorNotDone(t *testing.T) {
	s := newSite(t, map[string]string{
		"/index.xml": index(child("BASE/login.xml", ""), child("BASE/empty.xml", ""), child("BASE/good.xml", "")),
		"/login.xml": "<!doctype html><html><body><form>Sign in</form></body></html>",
		"/empty.xml": "",
		"/good.xml":  urlset("<url><loc>BASE/ok</loc></url>"),
	})
	var done []string
	o := Options{Fetch: s.fetch, Done: func(sm string) error { done = append(done, sm); return nil }}
	st, err := Walk(context.Background(), s.srv.URL+"/index.xml", o, func(Entry) error { return nil })
	if err != nil || len(st.Errors) != 2 || !strings.Contains(st.Errors[0].Error(), "/login.xml: not a sitemap: the document is <html>") {
		t.Fatalf("stats %+v, %v: want the login page and the empty document reported", st, err)
	}
	if len(done) != 1 || !strings.HasSuffix(done[0], "/good.xml") {
		t.Fatalf("done %q: want only the good sitemap", done)
	}
}
