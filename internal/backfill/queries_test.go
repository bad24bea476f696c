package backfill

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/claimwatch/claimwatch/internal/config"
	"github.com/claimwatch/claimwatch/internal/fetch"
)

// TestDatedQueries: month windows from --since to --until; a window that
// returns the engine's maximum is halved; evidence from the items' pages is
// stored; a second run searches nothing again.
func TestDatedQueries(t *testing.T) {
	var mu sync.Mutex
	var searches []string
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/search":
			from, to := r.URL.Query().Get("from"), r.URL.Query().Get("to")
			mu.Lock()
			searches = append(searches, from+".."+to)
			mu.Unlock()
			n := 2
			if from == "2021-02-01" && to == "2021-03-01" {
				n = 100 // the maximum: narrowed
			}
			fmt.Fprint(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>s</title>`)
			for i := range n {
				fmt.Fprintf(w, `<item><title>Item %d</title><link>%s/a/%s/%d</link><pubDate>Mon, 01 Feb 2021 10:00:00 GMT</pubDate></item>`, i, srv.URL, from, i)
			}
			if from == "2021-02-15" {
				fmt.Fprintf(w, `<item><title>Russia delivers jets</title><link>%s/evidence</link></item>`, srv.URL)
			}
			fmt.Fprint(w, `</channel></rss>`)
		case r.URL.Path == "/evidence":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, evidencePages[0])
		case strings.HasPrefix(r.URL.Path, "/a/"):
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprintf(w, "<html><head><title>Item %s</title></head><body><p>The council met about the %s bridge.</p></body></html>", r.URL.Path, r.URL.Path)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	e := newEnv(t, filepath.Join(t.TempDir(), "q.db"))
	e.pipe.Fetcher = fetch.New(fetch.Options{AllowPrivate: true, PerHostDelay: -1, Timeout: 10 * time.Second, IgnoreRobots: true})
	e.pipe.MaxArticleFetches = 1000
	src := config.Source{Name: "search", Kind: config.KindQuery, Enabled: true, FetchArticles: config.FetchAlways,
		Query: &config.Query{Template: srv.URL + "/search?q={query}&from={from}&to={to}", Claims: []string{"russia-arms-to-iran"}}}
	qo := QueryOptions{Since: time.Date(2021, 1, 10, 0, 0, 0, 0, time.UTC), Until: time.Date(2021, 4, 1, 0, 0, 0, 0, time.UTC)}
	st, err := RunQueries(context.Background(), e.options(), qo, []config.Source{src})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(searches, " ")
	// The claim's terms make one or more search URLs; each runs the windows.
	one := "2021-01-10..2021-02-01 2021-02-01..2021-03-01 2021-02-01..2021-02-15 2021-02-15..2021-03-01 2021-03-01..2021-04-01"
	want := strings.TrimSpace(strings.Repeat(one+" ", max(1, len(searches)/5)))
	if got != want || int(st.Files) != len(searches)/5 {
		t.Fatalf("searches %s\nwant     %s", got, want)
	}
	if st.Evidence < 1 || st.FilesDone != st.Files {
		t.Fatalf("stats %+v: want the evidence page's evidence stored", st)
	}
	searches = nil
	if _, err := RunQueries(context.Background(), e.options(), qo, []config.Source{src}); err != nil || len(searches) != 0 {
		t.Fatalf("second run searched %q (%v): every window was done", searches, err)
	}
}
