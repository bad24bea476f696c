package metrics

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
)

// value gathers m and returns the value of the gauge or counter series name
// whose labels include the given name=value pairs; ok is false when absent.
// (prometheus/testutil would do, but it pulls a module go.mod lacks.)
func value(t *testing.T, m *Metrics, name string, labels ...string) (v float64, ok bool) {
	t.Helper()
	families, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
	series:
		for _, s := range f.GetMetric() {
			have := make(map[string]string)
			for _, l := range s.GetLabel() {
				have[l.GetName()] = l.GetValue()
			}
			for i := 0; i+1 < len(labels); i += 2 {
				if have[labels[i]] != labels[i+1] {
					continue series
				}
			}
			if s.Counter != nil {
				return s.GetCounter().GetValue(), true
			}
			return s.GetGauge().GetValue(), true
		}
	}
	return 0, false
}

// scrape fetches the exposition through Handler over loopback HTTP.
func scrape(t *testing.T, m *Metrics) string {
	t.Helper()
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("scrape status %d: %s", resp.StatusCode, body)
	}
	return string(body)
}

func assertLines(t *testing.T, exposition string, lines ...string) {
	t.Helper()
	have := make(map[string]bool)
	for _, l := range strings.Split(exposition, "\n") {
		have[l] = true
	}
	for _, l := range lines {
		if !have[l] {
			t.Errorf("exposition lacks line %q", l)
		}
	}
}

func TestScrapeShowsRecordedValues(t *testing.T) {
	m := New(WithDBSize(func(context.Context) (int64, error) { return 123456, nil }), WithVersion("1.2.3"))
	m.ObservePoll("reuters", OutcomeOK, 200*time.Millisecond, 1000)
	m.ObservePoll("reuters", OutcomeOK, 300*time.Millisecond, 500)
	m.ObservePoll("reuters", OutcomeFailed, 2*time.Second, 0)
	m.ObservePoll("tass", OutcomeNotModified, 100*time.Millisecond, 0)
	m.ObserveFetch("article", 700*time.Millisecond, 4096)
	m.AddArticles(3)
	m.AddArticles(2)
	m.AddEvidence("ru-iran-alliance", "supports", 2)
	m.AddEvidence("ru-iran-alliance", "contradicts", 1)
	m.AddEvidence("ru-iran-alliance", "supports", 1)
	m.SetBackoff(4)
	m.SetSources(12)

	body := scrape(t, m)
	assertLines(t, body,
		`claimwatch_polls_total{outcome="ok",source="reuters"} 2`,
		`claimwatch_polls_total{outcome="failed",source="reuters"} 1`,
		`claimwatch_polls_total{outcome="not_modified",source="tass"} 1`,
		`claimwatch_fetch_duration_seconds_count{kind="feed"} 4`,
		`claimwatch_fetch_duration_seconds_sum{kind="feed"} 2.6`,
		`claimwatch_fetch_duration_seconds_bucket{kind="feed",le="0.25"} 2`,
		`claimwatch_fetch_duration_seconds_bucket{kind="feed",le="+Inf"} 4`,
		`claimwatch_fetch_duration_seconds_count{kind="article"} 1`,
		`claimwatch_fetched_bytes_total{kind="feed"} 1500`,
		`claimwatch_fetched_bytes_total{kind="article"} 4096`,
		`claimwatch_articles_stored_total 5`,
		`claimwatch_evidence_total{claim="ru-iran-alliance",stance="supports"} 3`,
		`claimwatch_evidence_total{claim="ru-iran-alliance",stance="contradicts"} 1`,
		`claimwatch_sources_in_backoff 4`,
		`claimwatch_sources 12`,
		`claimwatch_database_size_bytes 123456`,
		`claimwatch_build_info{goversion="`+runtime.Version()+`",version="1.2.3"} 1`,
	)
	for _, family := range []string{"go_goroutines ", "process_start_time_seconds ", "claimwatch_last_success_timestamp_seconds "} {
		if !strings.Contains(body, "\n"+family) {
			t.Errorf("exposition lacks %s", family)
		}
	}
}

func TestLastSuccessOnlyOnSuccess(t *testing.T) {
	m := New()
	if !m.LastSuccess().IsZero() {
		t.Fatal("LastSuccess is set before any poll")
	}
	m.ObservePoll("a", OutcomeFailed, time.Second, 0)
	m.ObservePoll("a", "backoff", 0, 0)
	if !m.LastSuccess().IsZero() {
		t.Fatal("a failed poll set LastSuccess")
	}
	if got, _ := value(t, m, "claimwatch_last_success_timestamp_seconds"); got != 0 {
		t.Fatalf("last success gauge = %v after failures only", got)
	}
	if _, ok := value(t, m, "claimwatch_source_last_success_timestamp_seconds", "source", "a"); ok {
		t.Fatal("failed source has a last-success series")
	}
	before := time.Now()
	m.ObservePoll("b", OutcomeNotModified, time.Second, 0)
	after := time.Now()
	got := m.LastSuccess()
	if got.Before(before) || got.After(after) {
		t.Fatalf("LastSuccess = %v, want between %v and %v", got, before, after)
	}
	gauge, _ := value(t, m, "claimwatch_last_success_timestamp_seconds")
	if gauge < float64(before.Unix()) || gauge > float64(after.Unix()+1) {
		t.Errorf("gauge = %v, want about %d", gauge, before.Unix())
	}
	if src, _ := value(t, m, "claimwatch_source_last_success_timestamp_seconds", "source", "b"); src != gauge {
		t.Errorf("source gauge = %v, want %v", src, gauge)
	}
}

func TestNonPositiveCountsAreIgnored(t *testing.T) {
	m := New()
	m.AddArticles(-3) // a Prometheus counter would panic on a negative Add
	m.AddArticles(0)
	m.AddEvidence("c", "supports", -1)
	if got, _ := value(t, m, "claimwatch_articles_stored_total"); got != 0 {
		t.Errorf("articles = %v, want 0", got)
	}
	if _, ok := value(t, m, "claimwatch_evidence_total"); ok {
		t.Error("evidence has a series after a negative count")
	}
}

func TestForgetSource(t *testing.T) {
	m := New()
	m.ObservePoll("gone", OutcomeOK, time.Second, 1)
	m.ObservePoll("gone", OutcomeFailed, time.Second, 1)
	m.ObservePoll("kept", OutcomeOK, time.Second, 1)
	m.ForgetSource("gone")
	body := scrape(t, m)
	if strings.Contains(body, `source="gone"`) {
		t.Error("series of the forgotten source remain")
	}
	assertLines(t, body, `claimwatch_polls_total{outcome="ok",source="kept"} 1`)
}

func TestDBSizeErrorDropsOnlyThatSeries(t *testing.T) {
	var logs bytes.Buffer
	m := New(
		WithDBSize(func(context.Context) (int64, error) { return 0, errors.New("stat claimwatch.db: no such file") }),
		WithLogger(slog.New(slog.NewTextHandler(&logs, nil))),
	)
	m.AddArticles(1)
	body := scrape(t, m)
	if strings.Contains(body, "claimwatch_database_size_bytes") {
		t.Error("size series present although the callback failed")
	}
	assertLines(t, body, `claimwatch_articles_stored_total 1`)
	if !strings.Contains(logs.String(), "no such file") {
		t.Errorf("callback error not logged; logs: %q", logs.String())
	}
}

func TestRegistriesAreIndependent(t *testing.T) {
	a, b := New(), New() // would panic on duplicate registration if global
	a.AddArticles(2)
	if got, _ := value(t, b, "claimwatch_articles_stored_total"); got != 0 {
		t.Errorf("second Metrics sees %v articles", got)
	}
}

func TestMetricsPassLint(t *testing.T) {
	m := New(WithDBSize(func(context.Context) (int64, error) { return 1, nil }), WithVersion("x"))
	m.ObservePoll("s", OutcomeOK, time.Second, 10)
	m.AddArticles(1)
	m.AddEvidence("c", "supports", 1)
	families, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	problems, err := promlint.NewWithMetricFamilies(families).Lint()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		if strings.HasPrefix(p.Metric, "claimwatch_") {
			t.Errorf("lint: %s: %s", p.Metric, p.Text)
		}
	}
}

func BenchmarkObservePoll(b *testing.B) {
	m := New()
	b.ReportAllocs()
	for b.Loop() {
		m.ObservePoll("reuters", OutcomeOK, 250*time.Millisecond, 4096)
	}
}
