package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/claimwatch/claimwatch/internal/ingest"
	"github.com/claimwatch/claimwatch/internal/metrics"
	"github.com/claimwatch/claimwatch/storage"
)

// bigFeed serves an RSS feed of n items with distinct texts of about 4 KB,
// each naming a Russian arms delivery, with an ETag; it counts 304 answers.
func bigFeed(t *testing.T, n int) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var notModified atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == `"v1"` {
			notModified.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Content-Type", "application/rss+xml")
		var b strings.Builder
		b.WriteString(`<?xml version="1.0"?><rss version="2.0"><channel><title>wire</title>`)
		for i := range n {
			fmt.Fprintf(&b, `<item><title>Delivery report %d</title><link>http://%s/story/%d</link><description>`, i, r.Host, i)
			fmt.Fprintf(&b, "Moscow has begun delivering %d Su-35 fighter jets to Tehran, officials said in report %d. ", i+2, i)
			for j := range 40 {
				fmt.Fprintf(&b, "Paragraph %d of report %d describes the air base, the pilots and the weather. ", j, i)
			}
			b.WriteString(`</description></item>`)
		}
		b.WriteString(`</channel></rss>`)
		fmt.Fprint(w, b.String())
	}))
	t.Cleanup(srv.Close)
	return srv, &notModified
}

func storedURLs(t *testing.T, db, like string) int {
	t.Helper()
	conn, err := sql.Open("sqlite", "file:"+db+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var n int
	if err := conn.QueryRow(`SELECT count(*) FROM articles WHERE url LIKE ?`, like).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestDiskShortDuringRunOnce is the crash test that cuts the disk short:
// during `run --once` the database runs out of pages (SQLite's own
// SQLITE_FULL, through a page budget), then space comes back and one more
// pass runs; every item the feed offered must then be stored. The short
// pass must say so once, be partial in the summary and in `sources list`,
// keep the feed's old validators (the next pass gets the feed, not a 304)
// and exit 1.
func TestDiskShortDuringRunOnce(t *testing.T) {
	const items = 80
	srv, notModified := bigFeed(t, items)
	dir := t.TempDir()
	db := filepath.Join(dir, "cw.db")
	cfg := filepath.Join(dir, "c.yaml")
	writeTestFile(t, cfg, fmt.Sprintf("fetch:\n  allow_private: true\n  per_host_delay: 0s\n  timeout: 10s\nsources:\n  - name: wire\n    url: %s/feed.xml\n    fetch_articles: never\n", srv.URL))

	// A database with its schema and claims, then a budget of a few pages
	// more: enough for some of the articles, not all.
	if code, out, errOut := cli(t, "", "--db", db, "--config", cfg, "run", "--once", "--source", "wire"); code != 0 {
		t.Fatalf("setup pass: exit %d %s %s", code, out, errOut)
	}
	pages := storedPages(t, db)
	os.Remove(db)
	os.Remove(db + "-wal")
	os.Remove(db + "-shm")
	st, err := storage.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	empty := storedPages(t, db)
	st.Close()
	budget := empty + (pages-empty)/3
	t.Logf("a full pass needs %d pages, an empty database %d; budget %d", pages, empty, budget)

	storeOptions = []storage.Option{storage.WithMaxPageCount(budget)}
	code, out, errOut := cli(t, "", "--db", db, "--config", cfg, "run", "--once")
	storeOptions = nil
	if code != exitFailure {
		t.Fatalf("pass on a short disk: exit %d, want 1\n%s%s", code, out, errOut)
	}
	if !strings.Contains(out, "1 partial") || !strings.Contains(errOut, "the pass stopped") {
		t.Errorf("short pass: want the source partial in the summary and one message that the pass stopped:\n%s%s", out, errOut)
	}
	if n := strings.Count(out+errOut, "database is full"); n > 2 {
		t.Errorf("the full disk is reported %d times, want once in the summary and once on exit:\n%s%s", n, out, errOut)
	}
	t.Logf("short pass:\n%s%s", out, errOut)
	short := storedURLs(t, db, "%/story/%")
	if short == 0 || short >= items {
		t.Fatalf("the short pass stored %d of %d items; the budget should let some but not all in", short, items)
	}
	code, out, _ = cli(t, "", "--db", db, "--config", cfg, "sources", "list")
	if code != 0 || !strings.Contains(out, "partial") {
		t.Errorf("sources list after a partial poll: exit %d\n%s; want the source shown as partial", code, out)
	}

	// Space comes back: one more pass stores everything.
	code, out, errOut = cli(t, "", "--db", db, "--config", cfg, "run", "--once")
	if code != 0 {
		t.Fatalf("pass after space came back: exit %d\n%s%s", code, out, errOut)
	}
	if notModified.Load() != 0 {
		t.Errorf("the feed answered 304 %d times: the short pass stored its new validators and lost the items", notModified.Load())
	}
	if got := storedURLs(t, db, "%/story/%"); got != items {
		t.Errorf("after space came back and one more pass: %d of %d items stored", got, items)
	}
	checkDB(t, db)
}

func storedPages(t *testing.T, db string) int {
	t.Helper()
	conn, err := sql.Open("sqlite", "file:"+db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := conn.QueryRow(`PRAGMA page_count`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestPartialPollLogLineAndMetric: the daemon's poll line for a partial
// poll is a warning with the count not stored, and the metric is labelled
// partial (not ok, not error).
func TestPartialPollLogLineAndMetric(t *testing.T) {
	var logs bytes.Buffer
	a := newApp(nil, &logs, &logs)
	a.log = slog.New(slog.NewTextHandler(&logs, nil))
	d := &daemon{a: a, metrics: metrics.New(), backoff: map[string]bool{}}
	d.observe(ingest.Result{Source: "wire", Outcome: storage.OutcomePartial, NotStored: 3, Duration: time.Second,
		Err: fmt.Errorf("source wire: 3 item(s) could not be stored")})
	if line := logs.String(); !strings.Contains(line, "level=WARN") || !strings.Contains(line, "outcome=partial") || !strings.Contains(line, "not_stored=3") {
		t.Errorf("poll log line %q: want a warning with outcome=partial and not_stored=3", line)
	}
	rec := httptest.NewRecorder()
	d.metrics.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if body := rec.Body.String(); !strings.Contains(body, `outcome="partial",source="wire"`) && !strings.Contains(body, `source="wire",outcome="partial"`) {
		t.Errorf("metrics lack the partial outcome:\n%s", grepLines(body, "wire"))
	}
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
