package ingest

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/claimwatch/claimwatch/storage"
)

// TestEvidencePastTwentyThousandCharsOfADescription: a feed description
// longer than 20,000 characters is matched whole (with fetch_articles: auto
// the page is not fetched, since the feed carries the text), and the stored
// text is the text that was matched.
func TestEvidencePastTwentyThousandCharsOfADescription(t *testing.T) {
	ctx := context.Background()
	filler := strings.Repeat("The weather in the capital stayed mild and dry through the week. ", 400) // 26,000 chars
	const evidence = "Moscow has begun delivering Su-35 fighter jets to Tehran, two officials said on Tuesday."
	var pageHits int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/feed.xml" {
			pageHits++
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<item><title>A long day</title><link>http://%s/long</link><pubDate>Tue, 03 Sep 2024 10:00:00 GMT</pubDate>
<description>%s %s</description></item></channel></rss>`, r.Host, filler, evidence)
	}))
	t.Cleanup(srv.Close)
	f := newFixture(t)
	src := f.source(t, feedSource("long", srv.URL+"/feed.xml"))
	res := f.pipe.Poll(ctx, src, false)
	if res.Outcome != storage.OutcomeOK || res.NewArticles != 1 {
		t.Fatalf("poll: %s, %d new, %v", res.Outcome, res.NewArticles, res.Err)
	}
	if pageHits != 0 {
		t.Errorf("the page was fetched %d times; the feed carried the whole text", pageHits)
	}
	rows, err := f.store.ListEvidence(ctx, storage.EvidenceFilter{ClaimID: "russia-arms-to-iran"})
	if err != nil || len(rows) != 1 {
		t.Fatalf("evidence past character %d of the description: %d rows (%v), want 1", len(filler), len(rows), err)
	}
	a, err := f.store.Article(ctx, rows[0].ArticleID)
	if err != nil || !strings.Contains(a.Text, evidence) {
		t.Errorf("stored text (%d chars, %v) lacks the matched sentence", len(a.Text), err)
	}
}
