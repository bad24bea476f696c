package ingest

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/claimwatch/claimwatch/internal/fetch"
	"github.com/claimwatch/claimwatch/internal/matcher"
	"github.com/claimwatch/claimwatch/storage"
)

// sideDB opens a second connection to a store's file, for tests that change
// it behind the store's back (a trigger that makes a save fail).
func sideDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestFailedSaveKeepsValidatorsAndIsPartial: when one item's save fails, the
// poll is partial, the feed's old validators are kept (so the next poll
// reads the feed again instead of getting a 304), and that next poll stores
// the item.
func TestFailedSaveKeepsValidatorsAndIsPartial(t *testing.T) {
	ctx := context.Background()
	srv := newNewsServer(t)
	f := newFixture(t)
	src := f.source(t, feedSource("wire", srv.URL+"/feed.xml"))
	side := sideDB(t, f.store.Path())
	if _, err := side.Exec(`CREATE TRIGGER fail_article_2 BEFORE INSERT ON articles WHEN NEW.url LIKE '%/articles/2'
		BEGIN SELECT RAISE(ABORT, 'injected save failure'); END`); err != nil {
		t.Fatal(err)
	}

	res := f.pipe.Poll(ctx, src, false)
	if res.Outcome != storage.OutcomePartial || res.NotStored != 1 || res.NewArticles != 2 {
		t.Fatalf("poll with a failing save: outcome %s, not stored %d, new %d, err %v; want partial, 1, 2", res.Outcome, res.NotStored, res.NewArticles, res.Err)
	}
	if res.Err == nil || !strings.Contains(res.Err.Error(), "1 item(s) could not be stored") {
		t.Errorf("partial poll error %v, want it to say how many items were not stored", res.Err)
	}
	st, err := f.store.SourceState(ctx, "wire")
	if err != nil {
		t.Fatal(err)
	}
	if st.ETag != "" || st.LastOutcome != storage.OutcomePartial {
		t.Errorf("after a partial poll: ETag %q, last outcome %q; want the old (empty) ETag kept and partial", st.ETag, st.LastOutcome)
	}
	log, err := f.store.FetchLog(ctx, "wire", 1)
	if err != nil || len(log) != 1 || log[0].Outcome != storage.OutcomePartial {
		t.Fatalf("fetch log %+v (%v), want one partial poll", log, err)
	}

	if _, err := side.Exec(`DROP TRIGGER fail_article_2`); err != nil {
		t.Fatal(err)
	}
	res = f.pipe.Poll(ctx, src, false)
	if res.Outcome != storage.OutcomeOK || res.NewArticles != 1 || res.NotStored != 0 {
		t.Fatalf("poll after the failure cleared: outcome %s, new %d, not stored %d (%v); want ok and the missed article", res.Outcome, res.NewArticles, res.NotStored, res.Err)
	}
	if st, _ := f.store.SourceState(ctx, "wire"); st.ETag != srv.etag || st.LastOutcome != storage.OutcomeOK {
		t.Errorf("after a complete poll: ETag %q, last outcome %q; want %q and ok", st.ETag, st.LastOutcome, srv.etag)
	}
}

// manyItemsFeed serves an RSS feed of n items with distinct 3 KB texts and
// an ETag, counting the requests answered with 304.
func manyItemsFeed(t *testing.T, n int) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var notModified atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == `"all"` {
			notModified.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"all"`)
		w.Header().Set("Content-Type", "application/rss+xml")
		var b strings.Builder
		fmt.Fprint(&b, `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>`)
		for i := range n {
			fmt.Fprintf(&b, `<item><title>Report %d</title><link>http://%s/r/%d</link><description>`, i, r.Host, i)
			for j := range 30 {
				fmt.Fprintf(&b, "Line %d of report %d: Moscow has begun delivering Su-35 fighter jets to Tehran. ", j, i)
			}
			fmt.Fprint(&b, `</description></item>`)
		}
		fmt.Fprint(&b, `</channel></rss>`)
		fmt.Fprint(w, b.String())
	}))
	t.Cleanup(srv.Close)
	return srv, &notModified
}

// TestDiskFullStopsThePollOnce: when the database runs out of space (a page
// budget, SQLite's own SQLITE_FULL), the poll stops at once with one error
// instead of a warning per item, is partial and keeps the old validators;
// once there is space again, the next poll stores every item.
func TestDiskFullStopsThePollOnce(t *testing.T) {
	ctx := context.Background()
	const items = 60
	srv, notModified := manyItemsFeed(t, items)
	path := filepath.Join(t.TempDir(), "cw.db")
	st, m := shippedStore(t, path)
	pages := pageCount(t, st)
	st.Close()

	small, err := storage.Open(ctx, path, storage.WithMaxPageCount(pages+12))
	if err != nil {
		t.Fatal(err)
	}
	defer small.Close()
	var logs bytes.Buffer
	pipe := &Pipeline{Store: small, Fetcher: fetch.New(fetch.Options{AllowPrivate: true, PerHostDelay: -1, Timeout: 5 * time.Second}),
		Matcher: func() *matcher.Matcher { return m }, Log: slog.New(slog.NewTextHandler(&logs, nil))}
	src := feedSource("many", srv.URL+"/feed.xml")
	src.FetchArticles = "never"
	if err := small.UpsertSource(ctx, storage.Source{Name: src.Name, URL: src.URL, Kind: string(src.Kind), FromConfig: true, Enabled: true}); err != nil {
		t.Fatal(err)
	}
	res := pipe.Poll(ctx, src, false)
	if res.Outcome != storage.OutcomePartial || !errors.Is(res.Err, storage.ErrDiskFull) {
		t.Fatalf("poll on a full disk: outcome %s, err %v; want partial with ErrDiskFull", res.Outcome, res.Err)
	}
	if res.NewArticles == 0 || res.NewArticles >= items {
		t.Fatalf("stored %d of %d items before the disk filled; the budget should let some but not all in", res.NewArticles, items)
	}
	if n := strings.Count(logs.String(), "item skipped"); n != 0 {
		t.Errorf("%d per-item warnings on a full disk, want none (one error for the poll):\n%s", n, logs.String())
	}
	t.Logf("first poll: %d stored, %d not stored: %v\n%s", res.NewArticles, res.NotStored, res.Err, logs.String())
	small.Close()

	roomy, err := storage.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer roomy.Close()
	pipe.Store = roomy
	res = pipe.Poll(ctx, src, false)
	if res.Outcome != storage.OutcomeOK || notModified.Load() != 0 {
		t.Fatalf("poll after space came back: outcome %s (%v), %d answers 304; want ok and the feed read again", res.Outcome, res.Err, notModified.Load())
	}
	var stored int
	if err := sideDB(t, path).QueryRow(`SELECT count(*) FROM articles WHERE url LIKE '%/r/%'`).Scan(&stored); err != nil || stored != items {
		t.Errorf("%d of %d items stored after space came back (%v)", stored, items, err)
	}
}

func pageCount(t *testing.T, st *storage.Store) int {
	t.Helper()
	var n int
	if err := sideDB(t, st.Path()).QueryRow(`PRAGMA page_count`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
