package ingest

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/claimwatch/claimwatch/internal/feed"
	"github.com/claimwatch/claimwatch/internal/testcorpus"
	"github.com/claimwatch/claimwatch/storage"
)

// fetch_articles: auto decides "full text already" from the feed itself, on
// the real feeds of the corpus: the full-text Atom feed needs no page
// fetch, teasers and summary-only feeds do.
func TestFullTextDecidedFromTheCorpusFeeds(t *testing.T) {
	for file, wantFull := range map[string]int{
		"large_atom.xml":          25, // content bodies of 490+ characters beside ~300-character summaries
		"encoding_ISO-8859-1.xml": 0,  // content repeats the short summary
		"rdf_UTF8.xml":            0,  // summaries only
		"urdu_UTF8.xml":           0,
	} {
		data, err := os.ReadFile(testcorpus.Path(t, "feeds", "real", file))
		if err != nil {
			t.Fatal(err)
		}
		f, err := feed.Parse(data, "", "https://example.org/")
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		full := 0
		for _, it := range feedItems(f.Items) {
			if it.fullText {
				full++
			}
		}
		if full != wantFull {
			t.Errorf("%s: %d of %d items carry the article, want %d", file, full, len(f.Items), wantFull)
		}
	}
}

// A 7-item feed whose content:encoded holds short articles (under the
// 1200-character rule) costs no page fetch under fetch_articles: auto.
func TestFullTextFeedCostsNoPageFetches(t *testing.T) {
	body := strings.Repeat("Moscow and Tehran signed further agreements on trade and transport this week. ", 9) // ~700 chars
	var pages atomic.Int64
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/feed.xml" {
			pages.Add(1)
			http.NotFound(w, r)
			return
		}
		var items strings.Builder
		for i := range 7 {
			fmt.Fprintf(&items, `<item><title>Story %d</title><link>%s/story/%d</link><guid>s%d</guid>
<description>Moscow and Tehran signed further agreements…</description>
<content:encoded><![CDATA[<p>%s</p><p>Story %d.</p>]]></content:encoded></item>`, i, srv.URL, i, i, body, i)
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>t</title>%s</channel></rss>`, items.String())
	}))
	defer srv.Close()
	f := newFixture(t)
	res := f.pipe.Poll(context.Background(), f.source(t, feedSource("wire", srv.URL+"/feed.xml")), false)
	if res.Outcome != storage.OutcomeOK || res.NewArticles != 7 {
		t.Fatalf("outcome %s, %d new articles, err %v", res.Outcome, res.NewArticles, res.Err)
	}
	if n := pages.Load(); n != 0 {
		t.Errorf("%d article pages fetched for a feed carrying the full text, want 0", n)
	}
}
