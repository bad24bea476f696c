package backfill

import (
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/claimwatch/claimwatch/claims"
	"github.com/claimwatch/claimwatch/internal/ingest"
	"github.com/claimwatch/claimwatch/internal/matcher"
	"github.com/claimwatch/claimwatch/internal/testcorpus"
	"github.com/claimwatch/claimwatch/internal/warc"
	"github.com/claimwatch/claimwatch/storage"
)

var captured = time.Date(2021, 6, 1, 12, 0, 0, 0, time.UTC)

// evidencePages are generated articles that give evidence for the shipped
// claims, with the markup that could make a cheap reading miss a word:
// tags inside words, entities, JSON-LD, no date of their own.
var evidencePages = []string{
	`<html><head><title>Russia delivers jets</title><script type="application/ld+json">{"@type":"NewsArticle","headline":"Russia delivers jets","datePublished":"2021-05-02T08:00:00Z"}</script></head>
<body><article><h1>Russia delivers jets</h1><p>Moscow has begun deliv<b>ering</b> Su&#8209;35 fighter jets to Teh<i>ran</i>, officials said on Sunday.</p>
<p>The first aircraft landed at an air base near the capital, according to people familiar with the matter.</p></article></body></html>`,
	`<html><head><title>Refiners halt purchases</title></head><body><article><h1>Refiners halt purchases</h1>
<p>Chinese state refiners halted purchases of Iranian oil after U.<span>S.</span> sanctions were reimposed, traders said.</p>
<p>Shipments fell sharply in the following months as buyers looked elsewhere for crude.</p></article></body></html>`,
	`<html><head><title>Joint statement</title><meta property="article:published_time" content="2020-11-20T10:00:00Z"></head><body><article>
<p>Russia and Iran issued a joint statement coordinating their positions on Syria.</p><p>The statement followed talks in Moscow between the two foreign ministers.</p></article></body></html>`,
	`<html><head><title>Nuclear talks</title></head><body><main><p>Russia opposes Iran acquiring nuclear weapons, Deputy Foreign Minister Sergei Ryabkov said.</p>
<p>He spoke after a meeting with European diplomats in Vienna on the future of the agreement.</p></main></body></html>`,
	`<html><head><title>Trade deal</title></head><body><article><p>Iran and the Eurasian Economic Union signed a full free trade agreement in St Petersburg.</p>
<p>The agreement removes tariffs on most goods traded between the bloc and Iran.</p></article></body></html>`,
}

var fillerWords = strings.Fields(`the council weather football season market prices rain city school
students festival museum bridge traffic police court report company shares quarter profit garden
music film award coach player league hospital doctors nurses train station airport summer winter`)

// unrelatedPage is a news-like page of about 20 KB that no claim matches.
func unrelatedPage(rng *rand.Rand, i int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<html><head><title>Local news %d</title><style>p{margin:0}</style><script>var id=%d;</script></head><body><nav><a href=\"/\">Home</a></nav><article>", i, i)
	for p := 0; p < 40; p++ {
		b.WriteString("<p>")
		for w := 0; w < 70; w++ {
			b.WriteString(fillerWords[rng.IntN(len(fillerWords))])
			b.WriteByte(' ')
		}
		b.WriteString("today.</p>\n")
	}
	b.WriteString("</article></body></html>")
	return b.String()
}

// corpusPages returns the extraction benchmark's pages (raw bytes).
func corpusPages(tb testing.TB) []string {
	tb.Helper()
	dir := testcorpus.Path(tb, "article-extraction-benchmark", "html")
	names, _ := filepath.Glob(filepath.Join(dir, "*.html.gz"))
	sort.Strings(names)
	var out []string
	for _, n := range names {
		f, err := os.Open(n)
		if err != nil {
			tb.Fatal(err)
		}
		zr, err := gzip.NewReader(f)
		if err != nil {
			tb.Fatal(err)
		}
		b, err := io.ReadAll(zr)
		f.Close()
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, string(b))
	}
	return out
}

// writeWARC writes a .warc.gz of the benchmark pages, the evidence pages
// and unrelated generated pages (shuffled by seed), and returns its path
// and record count.
func writeWARC(tb testing.TB, dir string, corpus bool, unrelated int, seed uint64) (string, int) {
	tb.Helper()
	rng := rand.New(rand.NewPCG(seed, 7))
	type rec struct{ url, body string }
	var recs []rec
	if corpus {
		for i, p := range corpusPages(tb) {
			recs = append(recs, rec{fmt.Sprintf("https://bench.example/article/%d", i), p})
		}
	}
	for i, p := range evidencePages {
		recs = append(recs, rec{fmt.Sprintf("https://evidence.example/%d", i), p})
	}
	for i := range unrelated {
		recs = append(recs, rec{fmt.Sprintf("https://local.example/news/%d", i), unrelatedPage(rng, i)})
	}
	rng.Shuffle(len(recs), func(i, j int) { recs[i], recs[j] = recs[j], recs[i] })
	path := filepath.Join(dir, fmt.Sprintf("test-%d.warc.gz", seed))
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	w := warc.NewWriter(f, true)
	for _, r := range recs {
		msg := fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: %d\r\n\r\n%s", len(r.body), r.body)
		if err := w.Request(r.url, captured); err != nil {
			tb.Fatal(err)
		}
		if err := w.Response(r.url, captured, []byte(msg)); err != nil {
			tb.Fatal(err)
		}
	}
	return path, len(recs)
}

// env is a store with the shipped claims and a pipeline over it.
type env struct {
	store *storage.Store
	m     *matcher.Matcher
	pipe  *ingest.Pipeline
}

func newEnv(tb testing.TB, path string) *env {
	tb.Helper()
	e, err := openEnv(path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { e.store.Close() })
	return e
}

// openEnv opens the store at path with the shipped claims synced; the
// caller closes e.store. The peak-RSS child (rss_test.go) has no testing.TB.
func openEnv(path string, opts ...storage.Option) (*env, error) {
	ctx := context.Background()
	cs, err := claims.Shipped()
	if err != nil {
		return nil, err
	}
	m, err := matcher.Compile(cs)
	if err != nil {
		return nil, err
	}
	st, err := storage.Open(ctx, path, opts...)
	if err != nil {
		return nil, err
	}
	if _, err := st.SyncClaims(ctx, cs); err != nil {
		st.Close()
		return nil, err
	}
	return &env{store: st, m: m, pipe: &ingest.Pipeline{Store: st, Matcher: func() *matcher.Matcher { return m }}}, nil
}

func (e *env) options() Options {
	return Options{Store: e.store, Pipeline: e.pipe, Matcher: e.m, Workers: 2}
}

// evidenceSet is the store's evidence as comparable lines.
func evidenceSet(tb testing.TB, st *storage.Store) []string {
	tb.Helper()
	rows, err := st.ListEvidence(context.Background(), storage.EvidenceFilter{IncludeIrrelevant: true, IncludeStale: true})
	if err != nil {
		tb.Fatal(err)
	}
	var out []string
	for _, r := range rows {
		out = append(out, fmt.Sprintf("%s %s %s %.3f %s %s", r.URL, r.ClaimID, r.Stance, r.Confidence, r.PublishedAt.Format(time.RFC3339), r.PublishedFlag))
	}
	sort.Strings(out)
	return out
}
