package ingest

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/claimwatch/claimwatch/internal/config"
	"github.com/claimwatch/claimwatch/storage"
)

func querySource(srv *httptest.Server) config.Source {
	return config.Source{Name: "search", Kind: config.KindQuery, Enabled: true, Weight: 1,
		FetchArticles: config.FetchNever, Query: &config.Query{Template: srv.URL + "/search?q={query}"}}
}

// Offline, every search URL fails: the poll logs one line with the count
// and the first error, not one line per URL.
func TestQuerySourceLogsOneLinePerPoll(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		http.Error(w, "search down", http.StatusBadGateway)
	}))
	defer srv.Close()
	f := newFixture(t)
	var logs bytes.Buffer
	f.pipe.Log = slog.New(slog.NewTextHandler(&logs, nil))
	res := f.pipe.Poll(context.Background(), f.source(t, querySource(srv)), false)

	if res.Outcome != storage.OutcomeFailed {
		t.Fatalf("outcome %s, want failed (err %v)", res.Outcome, res.Err)
	}
	n := hits.Load()
	if n < 2 {
		t.Fatalf("%d search URL(s) fetched; the test needs several", n)
	}
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], "search feeds failed") ||
		!strings.Contains(lines[0], "failed="+itoa(n)) || !strings.Contains(lines[0], "502") {
		t.Errorf("want one log line counting %d failed URLs with the first error, got:\n%s", n, logs.String())
	}
	if !strings.Contains(res.Err.Error(), "all "+itoa(n)+" search URL(s) failed") {
		t.Errorf("poll error %q does not say how many URLs failed", res.Err)
	}
}

// A stop drops the remaining search URLs at once; the poll counts as
// skipped (no error count, no backoff), like any poll cut short.
func TestQuerySourceStopCancelsRemainingURLs(t *testing.T) {
	stopping := make(chan struct{})
	var once sync.Once
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		once.Do(func() { close(stopping) })
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write([]byte(`<rss version="2.0"><channel><title>s</title></channel></rss>`))
	}))
	defer srv.Close()
	f := newFixture(t)
	f.pipe.Stopping = stopping
	res := f.pipe.Poll(context.Background(), f.source(t, querySource(srv)), false)

	if res.Outcome != storage.OutcomeSkipped || !errors.Is(res.Err, ErrStopping) {
		t.Fatalf("outcome %s err %v, want skipped for the stop", res.Outcome, res.Err)
	}
	if n := hits.Load(); n != 1 {
		t.Errorf("%d search URLs fetched after the stop began with the first, want 1", n)
	}
	st, err := f.store.SourceState(context.Background(), "search")
	if err != nil || st.ErrorCount != 0 || !st.BackoffUntil.IsZero() {
		t.Errorf("after a stop: %+v %v, want no error count or backoff", st, err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
