package ingest

import (
	"compress/gzip"
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/claimwatch/claimwatch/claims"
	"github.com/claimwatch/claimwatch/internal/config"
	"github.com/claimwatch/claimwatch/internal/feed"
	"github.com/claimwatch/claimwatch/internal/fetch"
	"github.com/claimwatch/claimwatch/internal/matcher"
	"github.com/claimwatch/claimwatch/internal/testcorpus"
	"github.com/claimwatch/claimwatch/internal/textsig"
	"github.com/claimwatch/claimwatch/storage"
)

// The ingest benchmarks run end to end from a loopback server into SQLite:
// 200 feeds × 50 items, (a) with fetch_articles: never, (b) with every
// item's page served from the extraction-benchmark corpus. Politeness is
// switched off (no per-host delay, a wide per-host limit): they measure
// claimwatch, not its manners. Run with -benchtime=1x; see the README.
const (
	benchFeeds        = 200
	benchItemsPerFeed = 50
)

type benchCorpus struct {
	bodies []string // article bodies from the ground truth
	pages  [][]byte // the article pages, gunzipped
}

func loadBenchCorpus(b *testing.B) *benchCorpus {
	b.Helper()
	dir := testcorpus.Path(b, "article-extraction-benchmark")
	c := &benchCorpus{}
	for _, a := range testcorpus.GroundTruth(b) {
		c.bodies = append(c.bodies, a.Body)
		f, err := os.Open(filepath.Join(dir, "html", a.ID+".html.gz"))
		if err != nil {
			b.Fatal(err)
		}
		zr, err := gzip.NewReader(f)
		if err != nil {
			b.Fatal(err)
		}
		page, err := io.ReadAll(zr)
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
		c.pages = append(c.pages, ownCanonical.ReplaceAll(page, []byte("${1}was-canonical")))
	}
	return c
}

// ownCanonical finds the canonical token of rel attributes. The corpus
// pages name their original URLs as canonical, so the 10,000 bench URLs
// would dedupe to the 181 originals; without it each page is its own.
var ownCanonical = regexp.MustCompile(`(?i)(\brel\s*=\s*["']?[^"'>]*?)\bcanonical\b`)

// feedBody renders feed n: 50 items whose text is a corpus article body
// (fullText) or a one-line summary (the page must be fetched).
func (c *benchCorpus) feedBody(base string, n int, fullText bool) []byte {
	var sb strings.Builder
	sb.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>bench</title>`)
	for i := range benchItemsPerFeed {
		k := n*benchItemsPerFeed + i
		text := "Summary of item " + strconv.Itoa(k) + "."
		if fullText {
			text = c.bodies[k%len(c.bodies)]
		}
		fmt.Fprintf(&sb, "<item><title>Item %d of feed %d</title><link>%s/page/%d</link><guid>g%d</guid><pubDate>Mon, 02 Sep 2024 10:00:00 GMT</pubDate><description>%s</description></item>",
			k, n, base, k, k, html.EscapeString(text))
	}
	sb.WriteString("</channel></rss>")
	return []byte(sb.String())
}

func benchServer(b *testing.B, c *benchCorpus, fullText bool) *httptest.Server {
	feeds := make([][]byte, benchFeeds)
	srv := httptest.NewUnstartedServer(nil)
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasPrefix(r.URL.Path, "/feed/"):
			n, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/feed/"))
			w.Header().Set("Content-Type", "application/rss+xml")
			w.Write(feeds[n%benchFeeds])
		case strings.HasPrefix(r.URL.Path, "/page/"):
			n, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/page/"))
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write(c.pages[n%len(c.pages)])
		default:
			http.NotFound(w, r)
		}
	})
	srv.Start()
	b.Cleanup(srv.Close)
	for n := range feeds {
		feeds[n] = c.feedBody(srv.URL, n, fullText)
	}
	return srv
}

// schedStat sums the scheduler statistics of the process's threads: time
// on a CPU and time runnable but waiting for one. On a shared machine the
// first measures the work whatever the load; the second shows how much of
// the wall time the load cost. ok is false where /proc is not available.
func schedStat() (cpu, wait time.Duration, ok bool) {
	tasks, err := filepath.Glob("/proc/self/task/*/schedstat")
	if err != nil || len(tasks) == 0 {
		return 0, 0, false
	}
	for _, t := range tasks {
		raw, err := os.ReadFile(t)
		if err != nil {
			continue // the thread has exited
		}
		f := strings.Fields(string(raw))
		if len(f) < 2 {
			return 0, 0, false
		}
		c, err1 := strconv.ParseInt(f[0], 10, 64)
		w, err2 := strconv.ParseInt(f[1], 10, 64)
		if err1 != nil || err2 != nil {
			return 0, 0, false
		}
		cpu += time.Duration(c)
		wait += time.Duration(w)
	}
	return cpu, wait, true
}

// reportSched reports CPU time and run-queue wait per unit (article, item),
// when the platform gave them (both zero otherwise).
func reportSched(b *testing.B, cpu, wait time.Duration, n int, unit string) {
	if cpu == 0 || n == 0 {
		return
	}
	b.ReportMetric(float64(cpu)/float64(time.Millisecond)/float64(n), "cpu-ms/"+unit)
	b.ReportMetric(float64(wait)/float64(time.Millisecond)/float64(n), "runq-wait-ms/"+unit)
}

// peakHeap samples the heap in use until stopped and returns the maximum.
func peakHeap() (stop func() uint64) {
	var peak atomic.Uint64
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	return func() uint64 { close(done); <-finished; return peak.Load() }
}

func benchPipeline(b *testing.B, dbPath string) (*Pipeline, *storage.Store) {
	b.Helper()
	st, m := shippedStore(b, dbPath)
	client := fetch.New(fetch.Options{AllowPrivate: true, PerHostDelay: -1, PerHostConcurrency: 16, Timeout: 30 * time.Second})
	return &Pipeline{Store: st, Fetcher: client, Matcher: func() *matcher.Matcher { return m }, MaxArticleFetches: benchItemsPerFeed}, st
}

func benchSources(b *testing.B, st *storage.Store, base string, mode config.FetchArticles) []config.Source {
	srcs := make([]config.Source, benchFeeds)
	for n := range srcs {
		srcs[n] = config.Source{Name: "feed-" + strconv.Itoa(n), URL: base + "/feed/" + strconv.Itoa(n), Kind: config.KindFeed, FetchArticles: mode, Enabled: true}
		if err := st.UpsertSource(context.Background(), storage.Source{Name: srcs[n].Name, URL: srcs[n].URL, Kind: "feed", FromConfig: true, Enabled: true}); err != nil {
			b.Fatal(err)
		}
	}
	return srcs
}

func runIngestBench(b *testing.B, mode config.FetchArticles) {
	c := loadBenchCorpus(b)
	srv := benchServer(b, c, mode == config.FetchNever)
	var items, evidence int
	var elapsed, cpu, wait time.Duration
	var peak uint64
	for i := range b.N {
		b.StopTimer()
		pipe, st := benchPipeline(b, filepath.Join(b.TempDir(), fmt.Sprintf("bench-%d.db", i)))
		srcs := benchSources(b, st, srv.URL, mode)
		runtime.GC()
		stop := peakHeap()
		cpu0, wait0, _ := schedStat()
		b.StartTimer()
		start := time.Now()
		sum := pipe.RunOnce(context.Background(), srcs, 8)
		elapsed += time.Since(start)
		b.StopTimer()
		cpu1, wait1, _ := schedStat()
		cpu, wait = cpu+cpu1-cpu0, wait+wait1-wait0
		peak = max(peak, stop())
		for _, r := range sum.Results {
			if r.Err != nil {
				b.Fatalf("source %s: %v", r.Source, r.Err)
			}
			items += r.NewArticles
			evidence += r.NewEvidence
		}
		st.Close()
	}
	if want := b.N * benchFeeds * benchItemsPerFeed; items != want {
		b.Fatalf("stored %d articles, want %d", items, want)
	}
	b.ReportMetric(float64(items)/elapsed.Seconds(), "articles/s")
	reportSched(b, cpu, wait, items, "article")
	b.ReportMetric(float64(evidence)/float64(b.N), "evidence/op")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}

// BenchmarkIngestFeedsOnly is case (a): 200 feeds × 50 items carrying their
// full text, fetch_articles: never. Target ≥ 2,000 items/s on 2 cores.
func BenchmarkIngestFeedsOnly(b *testing.B) { runIngestBench(b, config.FetchNever) }

// BenchmarkIngestWithPages is case (b): the same feeds carry summaries and
// every item's page (from the extraction corpus) is fetched and extracted.
// Target ≥ 150 articles/s.
func BenchmarkIngestWithPages(b *testing.B) { runIngestBench(b, config.FetchAlways) }

// BenchmarkFloorParseFeeds is the floor for (a): gofeed parsing (through
// our feed package) of the same 200 feeds, nothing else.
func BenchmarkFloorParseFeeds(b *testing.B) {
	c := loadBenchCorpus(b)
	bodies := make([][]byte, benchFeeds)
	for n := range bodies {
		bodies[n] = c.feedBody("http://bench.example", n, true)
	}
	b.ResetTimer()
	items := 0
	cpu0, wait0, _ := schedStat()
	for range b.N {
		for _, body := range bodies {
			f, err := feed.Parse(body, "application/rss+xml", "http://bench.example/feed")
			if err != nil {
				b.Fatal(err)
			}
			items += len(f.Items)
		}
	}
	cpu1, wait1, _ := schedStat()
	b.ReportMetric(float64(items)/b.Elapsed().Seconds(), "items/s")
	reportSched(b, cpu1-cpu0, wait1-wait0, items, "item")
}

// BenchmarkFloorSQLiteInserts is the other floor: storing the same 10,000
// articles (with their simhashes and evidence precomputed). "serial" saves
// them one call after the other, so each is its own transaction; "32-callers"
// saves them from as many goroutines as ingestion runs item workers (8
// sources × 4), so the store's group commit batches them.
func BenchmarkFloorSQLiteInserts(b *testing.B) {
	c := loadBenchCorpus(b)
	set, _ := claims.Shipped()
	m, err := matcher.Compile(set)
	if err != nil {
		b.Fatal(err)
	}
	n := benchFeeds * benchItemsPerFeed
	arts := make([]storage.Article, n)
	finds := make([][]claims.Finding, n)
	now := time.Now().UTC()
	for k := range arts {
		body := c.bodies[k%len(c.bodies)]
		title := "Item " + strconv.Itoa(k)
		arts[k] = storage.Article{URL: "http://bench.example/page/" + strconv.Itoa(k), Title: title, Text: body, Source: "bench",
			Outlet: "bench.example", PublishedAt: now, FetchedAt: now, FirstSeenAt: now, PublishedFlag: storage.PublishedFeed,
			ContentHash: textsig.ContentHash(title + "\n" + body), SimHash: textsig.SimHash(body)}
		finds[k] = m.Match(matcher.Document{Title: title, Body: body})
	}
	for _, callers := range []int{1, 32} {
		name := "serial"
		if callers > 1 {
			name = strconv.Itoa(callers) + "-callers"
		}
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			var elapsed, cpu, wait time.Duration
			for i := range b.N {
				b.StopTimer()
				st, err := storage.Open(ctx, filepath.Join(b.TempDir(), fmt.Sprintf("floor-%d.db", i)))
				if err != nil {
					b.Fatal(err)
				}
				if _, err := st.SyncClaims(ctx, set); err != nil {
					b.Fatal(err)
				}
				var next atomic.Int64
				var wg sync.WaitGroup
				errs := make(chan error, callers)
				cpu0, wait0, _ := schedStat()
				b.StartTimer()
				start := time.Now()
				for range callers {
					wg.Go(func() {
						for k := int(next.Add(1) - 1); k < n; k = int(next.Add(1) - 1) {
							if _, err := st.SaveArticle(ctx, arts[k], finds[k]); err != nil {
								errs <- err
								return
							}
						}
					})
				}
				wg.Wait()
				elapsed += time.Since(start)
				b.StopTimer()
				cpu1, wait1, _ := schedStat()
				cpu, wait = cpu+cpu1-cpu0, wait+wait1-wait0
				close(errs)
				for err := range errs {
					b.Fatal(err)
				}
				st.Close()
			}
			b.ReportMetric(float64(n*b.N)/elapsed.Seconds(), "articles/s")
			reportSched(b, cpu, wait, n*b.N, "article")
		})
	}
}
