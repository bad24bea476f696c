package main

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSourcesAddListRemove(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "cw.db")
	cfg := runConfig(t, dir, map[string]string{"from-file": "https://example.org/feed.xml"})
	base := []string{"--db", db, "--config", cfg}

	code, out, errOut := cli(t, "", append(base, "sources", "add", "https://news.example.net/rss", "--name", "Example News", "--tag", "iran")...)
	if code != 0 || !strings.Contains(out, "added Example News") {
		t.Fatalf("add: exit %d, %q %q", code, out, errOut)
	}
	// The config file's name wins, so adding it again is refused.
	if code, _, errOut := cli(t, "", append(base, "sources", "add", "https://x.example/rss", "--name", "from-file")...); code != exitUsage || !strings.Contains(errOut, "config file") {
		t.Fatalf("add clashing name: exit %d, %q", code, errOut)
	}
	if code, _, errOut := cli(t, "", append(base, "sources", "add", "ftp://x.example/rss")...); code != exitUsage {
		t.Fatalf("add ftp URL: exit %d, %q", code, errOut)
	}
	code, out, _ = cli(t, "", append(base, "sources", "list")...)
	if code != 0 || !strings.Contains(out, "Example News") || !strings.Contains(out, "from-file") || !strings.Contains(out, "added") {
		t.Fatalf("list: exit %d\n%s", code, out)
	}
	if code, _, errOut := cli(t, "", append(base, "sources", "remove", "from-file")...); code != exitUsage || !strings.Contains(errOut, "config file") {
		t.Fatalf("remove a config source: exit %d, %q", code, errOut)
	}
	if code, out, _ := cli(t, "", append(base, "sources", "remove", "example news")...); code != 0 || !strings.Contains(out, "removed") {
		t.Fatalf("remove: exit %d, %q", code, out)
	}
	if code, _, _ := cli(t, "", append(base, "sources", "remove", "Example News")...); code != exitUsage {
		t.Fatalf("remove twice: exit %d, want 2", code)
	}
}

func TestSourcesOPMLRoundTrip(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "cw.db")
	cfg := runConfig(t, dir, map[string]string{})
	opmlFile := filepath.Join(dir, "subs.opml")
	os.WriteFile(opmlFile, []byte(`<?xml version="1.0"?><opml version="2.0"><head><title>x</title></head><body>
<outline text="Iran"><outline text="Tehran Wire" type="rss" xmlUrl="https://wire.example.ir/rss"/>
<outline text="Moscow Daily" type="rss" xmlUrl="https://daily.example.ru/feed"/></outline></body></opml>`), 0o644)
	base := []string{"--db", db, "--config", cfg}
	code, out, errOut := cli(t, "", append(base, "sources", "import-opml", opmlFile)...)
	if code != 0 || !strings.Contains(out, "imported 2 of 2") {
		t.Fatalf("import: exit %d, %q %q", code, out, errOut)
	}
	exported := filepath.Join(dir, "out.opml")
	if code, _, errOut := cli(t, "", append(base, "sources", "export-opml", "-o", exported)...); code != 0 {
		t.Fatalf("export: exit %d, %q", code, errOut)
	}
	data, err := os.ReadFile(exported)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"https://wire.example.ir/rss", "https://daily.example.ru/feed", "Tehran Wire"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("exported OPML lacks %q:\n%s", want, data)
		}
	}
	bad := filepath.Join(dir, "bad.opml")
	os.WriteFile(bad, []byte("<opml><body>\n<outline xmlUrl=\"https://a.example/rss\">\n</body></opml>"), 0o644)
	if code, _, errOut := cli(t, "", append(base, "sources", "import-opml", bad)...); code != exitUsage || !strings.Contains(errOut, "bad.opml:") {
		t.Fatalf("bad OPML: exit %d, %q", code, errOut)
	}
}

func TestSourcesTestStoresNothing(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, testFeed, "http://"+r.Host)
	}))
	defer srv.Close()
	dir := t.TempDir()
	db := filepath.Join(dir, "cw.db")
	cfg := runConfig(t, dir, map[string]string{})
	code, out, errOut := cli(t, "", "--db", db, "--config", cfg, "sources", "test", srv.URL+"/feed.xml", "--fetch-articles", "never")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"Russia delivers S-400 to Iran", "russia-arms-to-iran supports", "2 article(s): 2 new would be stored, 0 already stored", "nothing was stored"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if _, err := os.Stat(db); err == nil {
		t.Error("sources test created the database")
	}
	code, _, errOut = cli(t, "", "--db", db, "--config", cfg, "sources", "test", srv.URL+"/x", "--kind", "nonsense")
	if code != exitUsage {
		t.Fatalf("bad kind: exit %d, %q", code, errOut)
	}
}

func TestExtractJSON(t *testing.T) {
	page := `<html lang="en"><head><title>Deal signed | Wire</title>
<link rel="canonical" href="https://wire.example/2024/deal?utm_source=x">
<meta property="article:published_time" content="2024-05-02T08:30:00+03:00"></head>
<body><article><h1>Deal signed</h1><p>Iran and the Eurasian Economic Union signed a free trade agreement in Moscow on Thursday, officials said.</p>
<p>The agreement removes duties on nearly nine in ten goods traded between the two sides.</p></article><footer>Subscribe now</footer></body></html>`
	path := filepath.Join(t.TempDir(), "page.html")
	os.WriteFile(path, []byte(page), 0o644)
	code, out, errOut := cli(t, "", "extract", path, "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	got := jsonLines(t, out)
	if len(got) != 1 {
		t.Fatalf("want one object, got %q", out)
	}
	o := got[0]
	if o["url"] != "https://wire.example/2024/deal" || o["published"] != "2024-05-02T05:30:00Z" ||
		!strings.Contains(o["text"].(string), "free trade agreement") || strings.Contains(o["text"].(string), "Subscribe") {
		t.Errorf("extract --json = %v", o)
	}
	if !strings.HasPrefix(o["title"].(string), "Deal signed") {
		t.Errorf("title %q", o["title"])
	}
}

// Listing sources under another config (or the defaults) must not rewrite
// the stored sources a daemon works with.
func TestSourcesListChangesNothing(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, testFeed, "http://"+r.Host)
	}))
	defer srv.Close()
	dir := t.TempDir()
	db := filepath.Join(dir, "cw.db")
	cfg := runConfig(t, dir, map[string]string{"local": srv.URL + "/feed.xml"})
	if code, out, errOut := cli(t, "", "--db", db, "--config", cfg, "run", "--once"); code != 0 {
		t.Fatalf("run: exit %d %s %s", code, out, errOut)
	}
	before, _ := os.ReadFile(db)
	code, out, _ := cli(t, "", "--db", db, "sources", "list") // the embedded defaults
	if code != 0 || !strings.Contains(out, "Tehran Times") || strings.Contains(out, "local ") {
		t.Fatalf("list on the defaults: exit %d\n%s", code, out)
	}
	if after, _ := os.ReadFile(db); !bytes.Equal(before, after) {
		t.Error("sources list changed the database")
	}
	code, out, _ = cli(t, "", "--db", db, "--config", cfg, "sources", "list", "--json")
	if code != 0 || !strings.Contains(out, `"name":"local"`) || strings.Contains(out, `"last_success":""`) {
		t.Fatalf("list with the run's config lost the source's state: exit %d\n%s", code, out)
	}
}

func TestReadCommandsRefuseABadConfig(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("fetch:\n  timeout: soon\n"), 0o644)
	for _, args := range [][]string{{"status"}, {"db", "check"}, {"evidence", "russia-arms-to-iran"}, {"sources", "list"}} {
		code, _, errOut := cli(t, "", append([]string{"--db", filepath.Join(dir, "cw.db"), "--config", bad}, args...)...)
		if code != exitUsage || !strings.Contains(errOut, "bad.yaml:2:") {
			t.Errorf("%v: exit %d, stderr %q; want 2 naming bad.yaml:2", args, code, errOut)
		}
	}
}

// A URL the operator names may be loopback without fetch.allow_private, as
// with match (self-hosted RSS bridges, intranet feeds).
func TestSourcesTestNamedLoopbackURL(t *testing.T) {
	srv := testFeedServer(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "c.yaml")
	if err := os.WriteFile(cfg, []byte("fetch:\n  per_host_delay: 0s\nsources: []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := cli(t, "", "--db", filepath.Join(dir, "cw.db"), "--config", cfg, "sources", "test", srv.URL+"/feed.xml", "--fetch-articles", "never")
	if code != 0 || !strings.Contains(out, "2 article(s)") {
		t.Errorf("sources test of a loopback feed: exit %d %q %q", code, out, errOut)
	}
}

// sources test takes a configured source's name as well as a URL, and says
// which of the articles are new and which are already stored.
func TestSourcesTestByNameCountsNewAndStored(t *testing.T) {
	srv := testFeedServer(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "cw.db")
	cfg := runConfig(t, dir, map[string]string{"Wire": srv.URL + "/feed.xml"})
	code, out, errOut := cli(t, "", "--db", db, "--config", cfg, "sources", "test", "wire")
	if code != 0 || !strings.Contains(out, "2 article(s): 2 new would be stored, 0 already stored") {
		t.Fatalf("before any run: exit %d %q %q", code, out, errOut)
	}
	if code, _, errOut := cli(t, "", "--db", db, "--config", cfg, "run", "--once"); code != 0 {
		t.Fatalf("run --once: exit %d %q", code, errOut)
	}
	code, out, errOut = cli(t, "", "--db", db, "--config", cfg, "sources", "test", "WIRE")
	if code != 0 || !strings.Contains(out, "2 article(s): 0 new would be stored, 2 already stored") || !strings.Contains(out, "(already stored)") {
		t.Errorf("after a run: exit %d %q %q", code, out, errOut)
	}
	code, _, errOut = cli(t, "", "--db", db, "--config", cfg, "sources", "test", "nosuch")
	if code != exitUsage || !strings.Contains(errOut, "known: Wire") {
		t.Errorf("unknown name: exit %d %q", code, errOut)
	}
}

// Adding a name twice is refused (exit 2) and keeps the first source; the
// same URL under a second name is added with a warning.
func TestSourcesAddRefusesDuplicateNameWarnsSameURL(t *testing.T) {
	dir := t.TempDir()
	base := []string{"--db", filepath.Join(dir, "cw.db"), "--config", runConfig(t, dir, map[string]string{"from-file": "https://example.org/feed.xml"})}
	if code, _, errOut := cli(t, "", append(base, "sources", "add", "https://news.example.net/rss", "--name", "Wire")...); code != 0 {
		t.Fatalf("first add: exit %d %q", code, errOut)
	}
	code, out, errOut := cli(t, "", append(base, "sources", "add", "https://other.example.net/rss", "--name", "wire")...)
	if code != exitUsage || strings.Contains(out, "added") || !strings.Contains(errOut, `"Wire" is already added`) {
		t.Errorf("same name again: exit %d %q %q", code, out, errOut)
	}
	code, out, errOut = cli(t, "", append(base, "sources", "add", "https://news.example.net/rss", "--name", "Wire 2")...)
	if code != 0 || !strings.Contains(out, "added Wire 2") || !strings.Contains(errOut, `already watched as source "Wire"`) {
		t.Errorf("same URL, new name: exit %d %q %q", code, out, errOut)
	}
	if _, _, errOut := cli(t, "", append(base, "sources", "add", "https://example.org/feed.xml", "--name", "copy")...); !strings.Contains(errOut, `already watched as source "from-file"`) {
		t.Errorf("URL of a config source: no warning in %q", errOut)
	}
	_, out, _ = cli(t, "", append(base, "sources", "list", "--json")...)
	if !strings.Contains(out, "news.example.net") || strings.Contains(out, "other.example.net") {
		t.Errorf("the refused add changed the first source:\n%s", out)
	}
}

// testFeedServer serves testFeed (two articles) at every path.
func testFeedServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, testFeed, "http://"+r.Host)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// OPML export writes only what OPML expresses (feeds by http(s) URL), says
// what it left out, and with -o what it wrote.
func TestSourcesExportOPMLOnlyFeeds(t *testing.T) {
	dir := t.TempDir()
	backfill := t.TempDir()
	cfg := filepath.Join(dir, "c.yaml")
	if err := os.WriteFile(cfg, []byte(`sources:
  - name: Wire
    url: https://wire.example/rss
  - name: Listing
    url: https://list.example/politics/
    kind: page
    page: {links: "h3 a"}
  - name: Saved
    url: `+backfill+`
  - name: Search
    kind: query
    query: {template: gdelt}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "subs.opml")
	code, _, errOut := cli(t, "", "--db", filepath.Join(dir, "cw.db"), "--config", cfg, "sources", "export-opml", "-o", out)
	if code != 0 || !strings.Contains(errOut, "wrote 1 feed(s) to "+out) ||
		!strings.Contains(errOut, "left out 3 source(s) OPML cannot express") || !strings.Contains(errOut, "Listing (page)") ||
		!strings.Contains(errOut, "Saved (local file)") || !strings.Contains(errOut, "Search (query)") {
		t.Fatalf("export-opml: exit %d %q", code, errOut)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "https://wire.example/rss") || strings.Contains(string(data), "list.example") || strings.Contains(string(data), backfill) {
		t.Errorf("exported OPML:\n%s", data)
	}
}
