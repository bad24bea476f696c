package ingest

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/claimwatch/claimwatch/claims"
	"github.com/claimwatch/claimwatch/internal/config"
	"github.com/claimwatch/claimwatch/internal/fetch"
	"github.com/claimwatch/claimwatch/internal/matcher"
	"github.com/claimwatch/claimwatch/storage"
)

// Limits of the hostile-source tests: short, so that hangs and drips end
// quickly, and a small body cap, so that bombs are cut early.
const (
	hostileTimeout  = 3 * time.Second
	hostileMaxBytes = 2 << 20
)

// hostile is a set of loopback servers, each path one misbehaviour.
type hostile struct {
	main    *httptest.Server // the "public" server: most behaviours
	robots  *httptest.Server // a public site whose robots.txt disallows everything
	private *httptest.Server // stands for an internal host: must never be reached
	hangURL string           // accepts connections and never answers
	refused string           // nothing listens there

	privateHits   atomic.Int64
	robotsArticle atomic.Int64 // article requests that reached the robots server
	publicPorts   map[uint16]bool
	mu            sync.Mutex
	hits          map[string]int
	many          []byte // the 10,000-item feed, built before serving
}

// hostileItem is an RSS item; empty fields are left out.
type hostileItem struct{ title, link, guid, date, desc string }

func rss(items ...hostileItem) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title>`)
	for _, it := range items {
		b.WriteString("<item>")
		for _, f := range [][2]string{{"title", it.title}, {"link", it.link}, {"guid", it.guid}, {"pubDate", it.date}, {"description", it.desc}} {
			if f[1] != "" {
				fmt.Fprintf(&b, "<%s>%s</%[1]s>", f[0], f[1])
			}
		}
		b.WriteString("</item>")
	}
	b.WriteString("</channel></rss>")
	return b.String()
}

// healthyFeed is three ordinary items with full text, one a claim's evidence.
func healthyFeed() string {
	return rss(
		hostileItem{title: "Russia starts Su-35 deliveries to Iran", link: "https://news.example/h/1", guid: "h1",
			date: "Tue, 03 Sep 2024 10:00:00 GMT", desc: fullText},
		hostileItem{title: "Markets in Tehran", link: "https://news.example/h/2", guid: "h2",
			date: "Tue, 03 Sep 2024 11:00:00 GMT", desc: strings.Repeat("The Tehran stock exchange rose for a third day on hopes of new trade. ", 20)},
		hostileItem{title: "Caspian weather", link: "https://news.example/h/3", guid: "h3",
			date: "Tue, 03 Sep 2024 12:00:00 GMT", desc: strings.Repeat("Storms are expected over the Caspian Sea later this week. ", 25)},
	)
}

func newHostile(t *testing.T) *hostile {
	t.Helper()
	h := &hostile{hits: map[string]int{}}
	h.private = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.privateHits.Add(1)
		fmt.Fprint(w, "<html><body><p>internal secrets: root:x:0:0</p></body></html>")
	}))
	t.Cleanup(h.private.Close)

	h.robots = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			fmt.Fprint(w, "User-agent: *\nDisallow: /\n")
		case "/feed.xml":
			w.Header().Set("Content-Type", "application/rss+xml")
			base := "http://" + r.Host
			fmt.Fprint(w, rss(
				hostileItem{title: "Iran and Russia sign a gas memorandum", link: base + "/a/1", guid: "r1", date: "Mon, 02 Sep 2024 08:00:00 GMT",
					desc: "Gazprom and the National Iranian Gas Company signed a memorandum in Tehran."},
				hostileItem{title: "Robots-only title", link: base + "/a/2", guid: "r2", date: "Mon, 02 Sep 2024 09:00:00 GMT"},
			))
		default:
			h.robotsArticle.Add(1)
			fmt.Fprint(w, "<html><body><p>should never be fetched</p></body></html>")
		}
	}))
	t.Cleanup(h.robots.Close)

	h.main = httptest.NewServer(http.HandlerFunc(h.serve))
	t.Cleanup(h.main.Close)
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?><rss version="2.0"><channel><title>many</title>`)
	for i := range 10000 {
		fmt.Fprintf(&b, "<item><title>Item %d</title><link>%s/many/%d</link><guid>m%d</guid><description>Summary %d.</description></item>", i, h.main.URL, i, i, i)
	}
	b.WriteString("</channel></rss>")
	h.many = []byte(b.String())

	// A listener that accepts and then says nothing.
	hang, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns sync.WaitGroup
	held := make(chan net.Conn, 64)
	conns.Add(1)
	go func() {
		defer conns.Done()
		for {
			c, err := hang.Accept()
			if err != nil {
				return
			}
			held <- c
		}
	}()
	t.Cleanup(func() {
		hang.Close()
		conns.Wait()
		close(held)
		for c := range held {
			c.Close()
		}
	})
	h.hangURL = "http://" + hang.Addr().String() + "/feed.xml"

	// A port nothing listens on.
	gone, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h.refused = "http://" + gone.Addr().String() + "/feed.xml"
	gone.Close()

	h.publicPorts = map[uint16]bool{}
	for _, u := range []string{h.main.URL, h.robots.URL, h.hangURL, h.refused} {
		ap := netip.MustParseAddrPort(strings.TrimPrefix(strings.TrimSuffix(u, "/feed.xml"), "http://"))
		h.publicPorts[ap.Port()] = true
	}
	return h
}

// fetcher is a client with the SSRF guard on, where the test servers'
// ports (but not the private server's) count as public addresses.
func (h *hostile) fetcher() *fetch.Client {
	return fetch.New(fetch.Options{
		Timeout: hostileTimeout, ConnectTimeout: hostileTimeout, MaxBytes: hostileMaxBytes,
		PerHostDelay: -1, PerHostConcurrency: 8,
		PublicAddr: func(ap netip.AddrPort) bool {
			return h.publicPorts[ap.Port()] || fetch.IsPublicAddr(ap.Addr())
		},
	})
}

func (h *hostile) hit(path string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.hits[path]
}

// zeros is a reusable block for the endless bodies.
var zeros = make([]byte, 64<<10)

// bomb is a gzip stream of endless zeros, cheap to serve: head starts it
// (gzip header and the first megabyte), and block, one more megabyte of
// zeros, may follow it any number of times because it only refers back to
// zeros.
var bomb = func() (b struct{ head, block []byte }) {
	var buf bytes.Buffer
	gz, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	mb := make([]byte, 1<<20)
	gz.Write(mb)
	gz.Flush()
	b.head = bytes.Clone(buf.Bytes())
	buf.Reset()
	gz.Write(mb)
	gz.Flush()
	b.block = bytes.Clone(buf.Bytes())
	return b
}()

func (h *hostile) serve(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	h.hits[r.URL.Path]++
	h.mu.Unlock()
	base := "http://" + r.Host
	rssType := func() { w.Header().Set("Content-Type", "application/rss+xml") }
	switch p := r.URL.Path; {
	case p == "/healthy.xml":
		rssType()
		fmt.Fprint(w, healthyFeed())
	case p == "/drip.xml":
		rssType()
		w.WriteHeader(http.StatusOK)
		fl := w.(http.Flusher)
		for _, c := range []byte(healthyFeed()) {
			w.Write([]byte{c})
			fl.Flush()
			select {
			case <-time.After(time.Second):
			case <-r.Context().Done():
				return
			}
		}
	case p == "/500.xml", p == "/502.xml", p == "/503.xml":
		code := map[string]int{"/500.xml": 500, "/502.xml": 502, "/503.xml": 503}[p]
		http.Error(w, "trouble", code)
	case p == "/429s.xml":
		w.Header().Set("Retry-After", "7200")
		http.Error(w, "slow down", http.StatusTooManyRequests)
	case p == "/429d.xml":
		w.Header().Set("Retry-After", time.Now().Add(3*time.Hour).UTC().Format(http.TimeFormat))
		http.Error(w, "slow down", http.StatusTooManyRequests)
	case p == "/loop.xml":
		http.Redirect(w, r, "/loop.xml", http.StatusMovedPermanently)
	case strings.HasPrefix(p, "/chain/"):
		var n int
		fmt.Sscanf(p, "/chain/%d", &n)
		http.Redirect(w, r, fmt.Sprintf("/chain/%d", n+1), http.StatusFound)
	case p == "/bomb.xml":
		// Gzip of a gigabyte of zeros, about a megabyte on the wire.
		rssType()
		w.Header().Set("Content-Encoding", "gzip")
		if _, err := w.Write(bomb.head); err != nil {
			return
		}
		for range 1 << 10 {
			if _, err := w.Write(bomb.block); err != nil {
				return
			}
		}
	case p == "/huge.xml":
		// 200 MB, streamed without a Content-Length.
		rssType()
		w.Write([]byte(`<?xml version="1.0"?><rss version="2.0"><channel><title>`))
		for written := 0; written < 200<<20; written += len(zeros) {
			if _, err := w.Write(zeros); err != nil {
				return
			}
		}
	case p == "/html.xml":
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html><head><title>Home</title><link rel="alternate" type="application/rss+xml" href="%s/healthy.xml"></head><body><p>Welcome.</p></body></html>`, base)
	case p == "/truncated.xml":
		rssType()
		full := healthyFeed()
		fmt.Fprint(w, full[:len(full)*2/3])
	case p == "/badutf8.xml":
		w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
		fmt.Fprint(w, rss(hostileItem{title: "Broken \xff\xfe bytes in \xc3 the title", link: base + "/p/utf8", guid: "u1",
			date: "Mon, 02 Sep 2024 08:00:00 GMT", desc: strings.Repeat("Invalid \xe2\x82 sequences \xed\xa0\x80 in the text of the item. ", 40)}))
	case p == "/wrongcharset.xml":
		// Declared UTF-8, written in windows-1251 (Cyrillic): every byte
		// above 0x7f is invalid UTF-8 as declared.
		w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
		cp1251 := []byte{0xcc, 0xee, 0xf1, 0xea, 0xe2, 0xe0, 0x20, 0xe8, 0x20, 0xd2, 0xe5, 0xe3, 0xe5, 0xf0, 0xe0, 0xed} // "Москва и Тегеран"
		fmt.Fprint(w, rss(hostileItem{title: string(cp1251), link: base + "/p/cp1251", guid: "c1",
			date: "Mon, 02 Sep 2024 08:00:00 GMT", desc: strings.Repeat(string(cp1251)+" ", 100)}))
	case p == "/empty.xml":
		rssType()
		w.WriteHeader(http.StatusOK)
	case p == "/304.xml":
		w.WriteHeader(http.StatusNotModified)
	case p == "/many.xml":
		rssType()
		w.Write(h.many)
	case strings.HasPrefix(p, "/many/"):
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<html><head><title>Page %[1]s</title></head><body><article><p>Article number %[1]s from the long feed, about trade between Iran and its neighbours in the Caspian region.</p><p>It has a second paragraph, number %[1]s, so the extractor sees a real article body.</p></article></body></html>`, strings.TrimPrefix(p, "/many/"))
	case p == "/odd.xml":
		rssType()
		fmt.Fprint(w, rss(
			hostileItem{title: "No link at all", guid: "o-nolink", date: "Mon, 02 Sep 2024 08:00:00 GMT", desc: "An item without a link, kept under a made-up address."},
			hostileItem{title: "No date at all", link: base + "/p/nodate", guid: "o-nodate", desc: strings.Repeat("An undated item with a long text. ", 50)},
			hostileItem{title: "From the future", link: base + "/p/future", guid: "o-future", date: "Sat, 03 Jan 2099 10:00:00 GMT", desc: strings.Repeat("Dated in 2099. ", 100)},
			hostileItem{title: "Duplicate one", link: base + "/p/dup", guid: "o-dup", date: "Mon, 02 Sep 2024 08:00:00 GMT", desc: strings.Repeat("First copy of a duplicated item. ", 50)},
			hostileItem{title: "Duplicate two", link: base + "/p/dup", guid: "o-dup", date: "Mon, 02 Sep 2024 08:00:00 GMT", desc: strings.Repeat("Second copy of a duplicated item. ", 50)},
			hostileItem{title: strings.Repeat("Huge title ", 100000), link: base + "/p/bigtitle", guid: "o-big", date: "Mon, 02 Sep 2024 08:00:00 GMT", desc: strings.Repeat("The item with a megabyte title. ", 50)},
			hostileItem{link: base + "/bigpage", guid: "o-bigpage", date: "Mon, 02 Sep 2024 08:00:00 GMT", desc: "Untitled in the feed; its page has a 100 KB title."},
		))
	case p == "/markup.xml":
		rssType()
		fmt.Fprint(w, rss(
			hostileItem{title: "&lt;script&gt;alert(1)&lt;/script&gt;Russia &lt;b&gt;sells&lt;/b&gt; jets", link: base + "/p/markup1", guid: "x1",
				date: "Mon, 02 Sep 2024 08:00:00 GMT", desc: "<![CDATA[<p>Text <script>alert(2)</script><b>bold</b> <img src=x onerror=alert(3)> <a href=\"javascript:alert(4)\">click</a> and more text that is long enough.</p>]]>"},
			hostileItem{title: "<![CDATA[<b>Bold</b> title <script>alert(5)</script>]]>", link: "javascript:alert(6)", guid: "x2",
				date: "Mon, 02 Sep 2024 08:00:00 GMT", desc: "A summary of an item whose link is javascript."},
			hostileItem{title: "Local file link", link: "file:///etc/passwd", guid: "x3", date: "Mon, 02 Sep 2024 08:00:00 GMT", desc: "An item linking to a local file."},
		))
	case p == "/ssrf.xml":
		rssType()
		fmt.Fprint(w, rss(
			hostileItem{title: "Redirects inside", link: base + "/to-private", guid: "s1", date: "Mon, 02 Sep 2024 08:00:00 GMT", desc: "Short summary one."},
			hostileItem{title: "Links inside", link: h.private.URL + "/latest/meta-data/", guid: "s2", date: "Mon, 02 Sep 2024 08:00:00 GMT", desc: "Short summary two."},
			hostileItem{title: "Metadata service", link: "http://169.254.169.254/latest/meta-data/", guid: "s3", date: "Mon, 02 Sep 2024 08:00:00 GMT", desc: "Short summary three."},
			hostileItem{title: "Localhost by name", link: strings.Replace(h.private.URL, "127.0.0.1", "localhost", 1) + "/admin", guid: "s4", date: "Mon, 02 Sep 2024 08:00:00 GMT"},
		))
	case p == "/to-private":
		http.Redirect(w, r, h.private.URL+"/secret", http.StatusFound)
	case p == "/bigpage":
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		big := strings.Repeat("Enormous page title ", 5000) // 100 KB
		fmt.Fprintf(w, "<html><head><title>%s</title></head><body><article><p>%s</p></article></body></html>", big,
			strings.Repeat("The body of the page with the enormous title, long enough to count as an article. ", 10))
	case strings.HasPrefix(p, "/p/"):
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, "<html><body><p>short</p></body></html>")
	default:
		http.NotFound(w, r)
	}
}

// hostileFixture is a store and pipeline wired to the hostile servers, on
// the real clock (Retry-After dates are relative to it).
func hostileFixture(t *testing.T, h *hostile) (*storage.Store, *Pipeline) {
	t.Helper()
	st, m := shippedStore(t, filepath.Join(t.TempDir(), "cw.db"))
	fc := h.fetcher()
	t.Cleanup(fc.Close)
	return st, &Pipeline{Store: st, Fetcher: fc, Matcher: func() *matcher.Matcher { return m }}
}

func register(t *testing.T, st *storage.Store, srcs ...config.Source) []config.Source {
	t.Helper()
	for _, src := range srcs {
		if err := st.UpsertSource(context.Background(), storage.Source{Name: src.Name, URL: src.URL, Kind: string(src.Kind), FromConfig: true, Enabled: true}); err != nil {
			t.Fatal(err)
		}
	}
	return srcs
}

// allArticles reads every stored article by id (ids are dense from 1; a
// run of misses ends the scan).
func allArticles(t *testing.T, st *storage.Store) []storage.Article {
	t.Helper()
	var out []storage.Article
	misses := 0
	for id := int64(1); misses < 50; id++ {
		a, err := st.Article(context.Background(), id)
		if errors.Is(err, storage.ErrNotFound) {
			misses++
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		misses = 0
		out = append(out, a)
	}
	return out
}

// indexBy maps articles by key (their title, their URL).
func indexBy(arts []storage.Article, key func(storage.Article) string) map[string]storage.Article {
	out := make(map[string]storage.Article, len(arts))
	for _, a := range arts {
		out[key(a)] = a
	}
	return out
}

func titleOf(a storage.Article) string { return a.Title }

func bySource(all []storage.Article, source string) []storage.Article {
	var out []storage.Article
	for _, a := range all {
		if a.Source == source {
			out = append(out, a)
		}
	}
	return out
}

// failedWith asserts a failed poll stored as a readable error naming url.
func failedWith(t *testing.T, st *storage.Store, res Result, url string, wants ...string) {
	t.Helper()
	state, err := st.SourceState(context.Background(), res.Source)
	if err != nil {
		t.Fatalf("%s: state: %v", res.Source, err)
	}
	if res.Outcome != storage.OutcomeFailed || state.ErrorCount != 1 || !state.BackoffUntil.After(time.Now()) {
		t.Errorf("%s: outcome %s, error count %d, backoff until %v; want failed, 1, a backoff", res.Source, res.Outcome, state.ErrorCount, state.BackoffUntil)
	}
	if !strings.Contains(state.LastError, url) || !utf8.ValidString(state.LastError) || len(state.LastError) > 2000 {
		t.Errorf("%s: stored error %q does not name %s readably", res.Source, state.LastError, url)
	}
	for _, w := range wants {
		if !strings.Contains(strings.ToLower(state.LastError), w) {
			t.Errorf("%s: stored error %q does not say %q", res.Source, state.LastError, w)
		}
	}
}

// sane asserts stored articles are plain, valid, bounded text.
func sane(t *testing.T, arts []storage.Article) {
	t.Helper()
	for _, a := range arts {
		for field, s := range map[string]string{"url": a.URL, "title": a.Title, "text": a.Text} {
			if !utf8.ValidString(s) {
				t.Errorf("article %s: %s is not valid UTF-8: %q", a.URL, field, trim(s))
			}
			if strings.ContainsAny(s, "\x00") {
				t.Errorf("article %s: %s holds a NUL byte", a.URL, field)
			}
		}
		if len(a.Title) > maxTitleBytes {
			t.Errorf("article %s: title of %d bytes stored, want at most %d", a.URL, len(a.Title), maxTitleBytes)
		}
		if !strings.HasPrefix(a.URL, "http://") && !strings.HasPrefix(a.URL, "https://") && !strings.HasPrefix(a.URL, "urn:claimwatch:") {
			t.Errorf("article stored under %q: want http(s) or a made-up urn", a.URL)
		}
		if a.PublishedAt.After(time.Now().Add(time.Minute)) {
			t.Errorf("article %s: published %v, in the future", a.URL, a.PublishedAt)
		}
	}
}

func trim(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

// TestHostileSources polls one source per misbehaviour and one healthy
// source in a single RunOnce, and checks each ends as a stored, readable
// error or as sane articles, while the healthy source is unaffected.
func TestHostileSources(t *testing.T) {
	ctx := context.Background()
	h := newHostile(t)
	st, pipe := hostileFixture(t, h)
	u := func(path string) string { return h.main.URL + path }

	sources := register(t, st,
		feedSource("healthy", u("/healthy.xml")),
		feedSource("refused", h.refused),
		feedSource("hang", h.hangURL),
		feedSource("drip", u("/drip.xml")),
		feedSource("s500", u("/500.xml")),
		feedSource("s502", u("/502.xml")),
		feedSource("s503", u("/503.xml")),
		feedSource("r429s", u("/429s.xml")),
		feedSource("r429d", u("/429d.xml")),
		feedSource("loop", u("/loop.xml")),
		feedSource("chain", u("/chain/0")),
		feedSource("bomb", u("/bomb.xml")),
		feedSource("huge", u("/huge.xml")),
		feedSource("html", u("/html.xml")),
		feedSource("truncated", u("/truncated.xml")),
		feedSource("badutf8", u("/badutf8.xml")),
		feedSource("wrongcharset", u("/wrongcharset.xml")),
		feedSource("empty", u("/empty.xml")),
		feedSource("nov", u("/304.xml")),
		feedSource("many", u("/many.xml")),
		feedSource("odd", u("/odd.xml")),
		feedSource("markup", u("/markup.xml")),
		feedSource("robots", h.robots.URL+"/feed.xml"),
		feedSource("ssrf", u("/ssrf.xml")),
	)
	// A small fetch budget keeps the 10,000-item feed quick under -race.
	pipe.MaxArticleFetches = 25
	sum := pipe.RunOnce(ctx, sources, len(sources))
	res := map[string]Result{}
	for _, r := range sum.Results {
		res[r.Source] = r
	}
	all := allArticles(t, st)
	sane(t, all)

	t.Run("healthy", func(t *testing.T) {
		r := res["healthy"]
		if r.Outcome != storage.OutcomeOK || r.NewArticles != 3 || r.ItemErrors != 0 {
			t.Fatalf("outcome %s, new %d, item errors %d, err %v; want ok, 3, 0", r.Outcome, r.NewArticles, r.ItemErrors, r.Err)
		}
		for _, n := range []string{"1", "2", "3"} {
			if ok, err := st.HasArticle(ctx, "https://news.example/h/"+n); err != nil || !ok {
				t.Errorf("healthy article %s not stored (%v)", n, err)
			}
		}
		if got := r.Evidence["russia-arms-to-iran"][claims.Supports]; got != 1 {
			t.Errorf("healthy evidence %v, want the arms sale", r.Evidence)
		}
	})
	t.Run("refused", func(t *testing.T) { failedWith(t, st, res["refused"], h.refused, "refused") })
	t.Run("hang", func(t *testing.T) { failedWith(t, st, res["hang"], h.hangURL, "timed out") })
	t.Run("drip", func(t *testing.T) { failedWith(t, st, res["drip"], u("/drip.xml"), "timed out") })
	for _, code := range []string{"500", "502", "503"} {
		t.Run("status"+code, func(t *testing.T) {
			failedWith(t, st, res["s"+code], u("/"+code+".xml"), code)
			if res["s"+code].Status != map[string]int{"500": 500, "502": 502, "503": 503}[code] {
				t.Errorf("status %d", res["s"+code].Status)
			}
		})
	}
	for name, want := range map[string]time.Duration{"r429s": 2 * time.Hour, "r429d": 3 * time.Hour} {
		t.Run(name, func(t *testing.T) {
			path := map[string]string{"r429s": "/429s.xml", "r429d": "/429d.xml"}[name]
			failedWith(t, st, res[name], u(path), "429")
			state, _ := st.SourceState(ctx, name)
			if wait := state.BackoffUntil.Sub(state.LastAttempt); wait < want-time.Minute || wait > want+time.Minute {
				t.Errorf("backoff of %v after Retry-After, want about %v", wait, want)
			}
		})
	}
	t.Run("loop", func(t *testing.T) { failedWith(t, st, res["loop"], u("/loop.xml"), "too many redirects") })
	t.Run("chain", func(t *testing.T) {
		failedWith(t, st, res["chain"], u("/chain/0"), "too many redirects")
		if n := h.hit("/chain/7"); n != 0 {
			t.Errorf("followed the chain to hop 7 (%d requests); the limit is %d", n, fetch.DefaultMaxRedirects)
		}
	})
	t.Run("bomb", func(t *testing.T) { failedWith(t, st, res["bomb"], u("/bomb.xml"), "too large") })
	t.Run("huge", func(t *testing.T) { failedWith(t, st, res["huge"], u("/huge.xml"), "too large") })
	t.Run("html", func(t *testing.T) {
		failedWith(t, st, res["html"], u("/html.xml"), "html")
		state, _ := st.SourceState(ctx, "html")
		if !strings.Contains(state.LastError, u("/healthy.xml")) {
			t.Errorf("error %q does not suggest the feed the page advertises", state.LastError)
		}
	})
	t.Run("truncated", func(t *testing.T) {
		r := res["truncated"]
		if r.Outcome == storage.OutcomeFailed {
			failedWith(t, st, r, u("/truncated.xml"))
			return
		}
		// A parser that recovers what it can must keep only whole items.
		arts := bySource(all, "truncated")
		if r.Outcome != storage.OutcomeOK || len(arts) == 0 || len(arts) > 2 {
			t.Fatalf("outcome %s with %d articles, err %v", r.Outcome, len(arts), r.Err)
		}
	})
	t.Run("badutf8", func(t *testing.T) {
		arts := bySource(all, "badutf8")
		if res["badutf8"].Outcome != storage.OutcomeOK || len(arts) != 1 {
			t.Fatalf("outcome %s, %d articles, err %v; want ok and the item", res["badutf8"].Outcome, len(arts), res["badutf8"].Err)
		}
		if !strings.Contains(arts[0].Title, "Broken") || !strings.Contains(arts[0].Text, "sequences") {
			t.Errorf("stored %q / %q: the valid parts are lost", arts[0].Title, trim(arts[0].Text))
		}
	})
	t.Run("wrongcharset", func(t *testing.T) {
		arts := bySource(all, "wrongcharset")
		if res["wrongcharset"].Outcome != storage.OutcomeOK || len(arts) != 1 {
			t.Fatalf("outcome %s, %d articles, err %v", res["wrongcharset"].Outcome, len(arts), res["wrongcharset"].Err)
		}
	})
	t.Run("empty", func(t *testing.T) { failedWith(t, st, res["empty"], u("/empty.xml"), "empty") })
	t.Run("304", func(t *testing.T) {
		r := res["nov"]
		state, _ := st.SourceState(ctx, "nov")
		if r.Outcome != storage.OutcomeNotModified || state.ErrorCount != 0 || state.ETag != "" || state.LastModified != "" {
			t.Errorf("outcome %s, state %+v; want not modified, no error, no validators", r.Outcome, state)
		}
	})
	t.Run("many", func(t *testing.T) {
		r := res["many"]
		if r.Outcome != storage.OutcomeOK || r.NewArticles != pipe.MaxArticleFetches {
			t.Fatalf("outcome %s, new %d, err %v; want ok and the fetch budget of %d", r.Outcome, r.NewArticles, r.Err, pipe.MaxArticleFetches)
		}
		pages := 0
		h.mu.Lock()
		for p, n := range h.hits {
			if strings.HasPrefix(p, "/many/") {
				pages += n
			}
		}
		h.mu.Unlock()
		if pages != pipe.MaxArticleFetches {
			t.Errorf("%d article pages fetched, want the budget %d", pages, pipe.MaxArticleFetches)
		}
	})
	t.Run("odd", func(t *testing.T) {
		arts := bySource(all, "odd")
		if r := res["odd"]; r.Outcome != storage.OutcomeOK || len(arts) != 6 {
			t.Fatalf("outcome %s, %d articles (err %v); want ok and 6 (the duplicate once)", r.Outcome, len(arts), r.Err)
		}
		byTitle := indexBy(arts, titleOf)
		if a := byTitle["No link at all"]; !strings.HasPrefix(a.URL, "urn:claimwatch:odd:") {
			t.Errorf("the item with no link stored under %q", a.URL)
		}
		if a := byTitle["No date at all"]; a.PublishedFlag != storage.PublishedFirstSeen {
			t.Errorf("undated item: flag %q", a.PublishedFlag)
		}
		if a := byTitle["From the future"]; a.PublishedFlag != storage.PublishedFutureClamped || a.PublishedAt.Year() == 2099 {
			t.Errorf("2099 item: %v (%s)", a.PublishedAt, a.PublishedFlag)
		}
		for _, prefix := range []string{"Huge title", "Enormous page title"} {
			var big storage.Article
			for _, a := range arts {
				if strings.HasPrefix(a.Title, prefix) {
					big = a
				}
			}
			if big.URL == "" || !strings.HasSuffix(big.Title, "…") {
				t.Errorf("the megabyte title %q… stored as %d bytes %q; want it cut short and marked", prefix, len(big.Title), trim(big.Title))
			}
		}
	})
	t.Run("markup", func(t *testing.T) {
		arts := bySource(all, "markup")
		if r := res["markup"]; r.Outcome != storage.OutcomeOK || len(arts) != 3 {
			t.Fatalf("outcome %s, %d articles (err %v)", r.Outcome, len(arts), r.Err)
		}
		for _, a := range arts {
			for field, s := range map[string]string{"title": a.Title, "text": a.Text} {
				low := strings.ToLower(s)
				for _, bad := range []string{"<script", "</script", "<b>", "<img", "onerror", "javascript:", "<a "} {
					if strings.Contains(low, bad) {
						t.Errorf("article %s: %s %q keeps markup %q", a.URL, field, s, bad)
					}
				}
			}
			if strings.HasPrefix(a.URL, "javascript:") || strings.HasPrefix(a.URL, "file:") {
				t.Errorf("article stored under %q", a.URL)
			}
			if strings.Contains(a.Text, "root:") {
				t.Errorf("article %s holds a local file's contents", a.URL)
			}
		}
	})
	t.Run("robots", func(t *testing.T) {
		r := res["robots"]
		arts := bySource(all, "robots")
		if r.Outcome != storage.OutcomeOK || len(arts) != 1 || r.ItemErrors != 1 {
			t.Fatalf("outcome %s, %d articles, %d item errors (err %v); want the feed read, its text kept, the textless item skipped",
				r.Outcome, len(arts), r.ItemErrors, r.Err)
		}
		if n := h.robotsArticle.Load(); n != 0 {
			t.Errorf("%d article requests reached a site whose robots.txt disallows everything", n)
		}
	})
	t.Run("ssrf", func(t *testing.T) {
		r := res["ssrf"]
		if r.Outcome != storage.OutcomeOK {
			t.Fatalf("outcome %s: %v", r.Outcome, r.Err)
		}
		if n := h.privateHits.Load(); n != 0 {
			t.Errorf("the private server was reached %d times", n)
		}
		for _, a := range bySource(all, "ssrf") {
			if strings.Contains(a.Text, "secret") {
				t.Errorf("article %s holds the private server's page", a.URL)
			}
		}
		if h.hit("/to-private") != 1 {
			t.Errorf("the redirecting page was requested %d times, want 1", h.hit("/to-private"))
		}
	})
}

// TestHostileBodiesStayBounded polls a gzip bomb and a 200 MB body and
// checks the bytes allocated stay near the body cap, not the body size.
func TestHostileBodiesStayBounded(t *testing.T) {
	h := newHostile(t)
	st, pipe := hostileFixture(t, h)
	sources := register(t, st, feedSource("bomb", h.main.URL+"/bomb.xml"), feedSource("huge", h.main.URL+"/huge.xml"))
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	sum := pipe.RunOnce(context.Background(), sources, 1)
	runtime.ReadMemStats(&after)
	for _, r := range sum.Results {
		if !errors.Is(r.Err, fetch.ErrTooLarge) {
			t.Errorf("%s: err %v, want too large", r.Source, r.Err)
		}
	}
	// Both bodies together are over a gigabyte; reading each to the 2 MiB cap
	// costs a few times the cap.
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
		t.Errorf("allocated %d MiB polling two oversized bodies capped at %d MiB", alloc>>20, hostileMaxBytes>>20)
	}
}

func TestClampTitle(t *testing.T) {
	long := strings.Repeat("word ", maxTitleBytes)
	wide := strings.Repeat("é", maxTitleBytes) // two bytes each, no spaces
	for name, in := range map[string]string{"spaces": long, "multibyte": wide} {
		got := clampTitle(in)
		if len(got) > maxTitleBytes || !utf8.ValidString(got) || !strings.HasSuffix(got, "…") || len(got) < maxTitleBytes/2 {
			t.Errorf("%s: clamped to %d bytes, valid %v, %q", name, len(got), utf8.ValidString(got), trim(got))
		}
	}
	if got := clampTitle("Short title"); got != "Short title" {
		t.Errorf("a short title changed to %q", got)
	}
}

// TestLocalSourceNeverReadsLinkedFiles: a configured local directory is
// read, but file:// links inside its feeds and pages are not followed.
func TestLocalSourceNeverReadsLinkedFiles(t *testing.T) {
	ctx := context.Background()
	h := newHostile(t)
	st, pipe := hostileFixture(t, h)
	secret := filepath.Join(t.TempDir(), "passwd")
	writeFile(t, secret, "root:x:0:0:secret-marker:/root:/bin/sh\n")
	dir := t.TempDir()
	secretURL := "file://" + secret
	writeFile(t, filepath.Join(dir, "feed.xml"), rss(
		hostileItem{title: "Points at a local file", link: secretURL, guid: "f1", date: "Mon, 02 Sep 2024 08:00:00 GMT", desc: "A summary whose link is a local file."},
		hostileItem{title: "Points at a relative file", link: "../passwd", guid: "f2", date: "Mon, 02 Sep 2024 08:00:00 GMT", desc: "Another summary, relative link."},
	))
	writeFile(t, filepath.Join(dir, "page.html"), `<html><head><title>Saved page</title><link rel="canonical" href="`+secretURL+`"></head>
<body><article><p>A saved page whose canonical link names a local file, with <a href="`+secretURL+`">a link</a> to it as well. It is long enough to be an article body.</p></article></body></html>`)
	src := register(t, st, config.Source{Name: "local", URL: dir, Kind: config.KindFeed, FetchArticles: config.FetchAlways, Enabled: true})[0]
	if r := pipe.Poll(ctx, src, false); r.Outcome != storage.OutcomeOK {
		t.Fatalf("outcome %s: %v", r.Outcome, r.Err)
	}
	arts := allArticles(t, st)
	if len(arts) != 3 {
		t.Errorf("%d articles stored, want the two feed items and the page", len(arts))
	}
	for _, a := range arts {
		if strings.Contains(a.Text+a.Title, "secret-marker") {
			t.Errorf("article %s holds the linked file's contents", a.URL)
		}
		if strings.Contains(a.URL, secret) {
			t.Errorf("article stored under the linked file's URL %s", a.URL)
		}
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
