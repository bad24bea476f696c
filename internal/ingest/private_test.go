package ingest

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/claimwatch/claimwatch/internal/fetch"
	"github.com/claimwatch/claimwatch/internal/matcher"
	"github.com/claimwatch/claimwatch/storage"
)

// An article page on a non-public address other than the feed's own host,
// refused because links found in a feed may not reach one without
// fetch.allow_private, is a setting the operator must hear about: the
// refusal is a WARN naming the page, while the feed's text is still stored.
// A page that is merely down stays at DEBUG.
func TestRefusedPrivateArticlePageIsAWarning(t *testing.T) {
	ctx := context.Background()
	srv := newNewsServer(t)
	st, m := shippedStore(t, filepath.Join(t.TempDir(), "cw.db"))
	var logs bytes.Buffer
	now := time.Date(2024, 9, 4, 12, 0, 0, 0, time.UTC)
	pipe := &Pipeline{
		Store:   st,
		Fetcher: fetch.New(fetch.Options{PerHostDelay: -1, Timeout: 5 * time.Second}), // the guard on: the test server is loopback
		Matcher: func() *matcher.Matcher { return m },
		Now:     func() time.Time { return now },
		Log:     slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo})),
	}
	f := &fixture{store: st, pipe: pipe, now: now}
	// The feed, named by the operator, may be loopback; its articles are on
	// another loopback host, which was not named.
	feedSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, feedXML(srv.URL))
	}))
	t.Cleanup(feedSrv.Close)
	src := f.source(t, feedSource("wire", feedSrv.URL+"/feed.xml"))

	res := pipe.Poll(ctx, src, false)
	if res.Outcome != storage.OutcomeOK || res.NewArticles != 3 {
		t.Fatalf("poll: outcome %s, new %d, err %v; want ok and 3 articles from the feed text", res.Outcome, res.NewArticles, res.Err)
	}
	if n := srv.hits.get("/articles/2"); n != 0 {
		t.Fatalf("article 2 was fetched %d times despite the guard", n)
	}
	out := logs.String()
	if !strings.Contains(out, "level=WARN") || !strings.Contains(out, "article page refused") ||
		!strings.Contains(out, srv.URL+"/articles/2") || !strings.Contains(out, "allow_private") {
		t.Errorf("no warning naming the refused page and the setting:\n%s", out)
	}
}
