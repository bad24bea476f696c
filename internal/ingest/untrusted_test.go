package ingest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/claimwatch/claimwatch/internal/config"
	"github.com/claimwatch/claimwatch/internal/safetext"
	"github.com/claimwatch/claimwatch/storage"
)

// servePaths serves fixed bodies by path on loopback; any other path is
// 404.
func servePaths(t *testing.T, bodies map[string]string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := bodies[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		switch {
		case strings.HasSuffix(r.URL.Path, ".json"):
			w.Header().Set("Content-Type", "application/feed+json")
		case strings.HasSuffix(r.URL.Path, ".xml"):
			w.Header().Set("Content-Type", "application/rss+xml")
		default:
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
		}
		w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestIngestStripsTerminalControls: a JSON Feed whose escapes carry ESC
// sequences (clear screen, OSC 52 clipboard write), a C1 CSI and a bidi
// override stores title, text and snippet without any of them.
func TestIngestStripsTerminalControls(t *testing.T) {
	ctx := context.Background()
	feedJSON := `{"version":"https://jsonfeed.org/version/1.1","title":"Wire","items":[{"id":"1",
		"url":"https://wire.example/russia-jets",
		"title":"\u001b]52;c;ZXZpbA==\u0007Russia \u202edelivers\u202c Su-35 jets to Iran\u001b[2J",
		"content_text":"Moscow has begun delivering Su-35 fighter jets to Tehran\u009b31m, two officials said.\u001b]0;pwned\u0007 Russia will supply more weapons to Iran, officials said.\nThe arms deal marks the largest transfer in decades.",
		"date_published":"2024-09-03T10:00:00Z"}]}`
	srv := servePaths(t, map[string]string{"/feed.json": feedJSON})
	f := newFixture(t)
	src := feedSource("wire", srv.URL+"/feed.json")
	src.FetchArticles = config.FetchNever
	res := f.pipe.Poll(ctx, f.source(t, src), false)
	if res.Outcome != storage.OutcomeOK || res.NewArticles != 1 {
		t.Fatalf("outcome %s, new %d, err %v", res.Outcome, res.NewArticles, res.Err)
	}
	arts := allArticles(t, f.store)
	if len(arts) != 1 {
		t.Fatalf("%d articles stored", len(arts))
	}
	a := arts[0]
	for field, s := range map[string]string{"title": a.Title, "text": a.Text, "outlet": a.Outlet} {
		if r, bad := safetext.Unsafe(s); bad {
			t.Errorf("stored %s holds %U: %q", field, r, s)
		}
	}
	if want := "]52;c;ZXZpbA==Russia delivers Su-35 jets to Iran[2J"; a.Title != want {
		t.Errorf("title = %q, want %q", a.Title, want)
	}
	if !strings.Contains(a.Text, "\nThe arms deal") {
		t.Errorf("text lost its newline: %q", a.Text)
	}
	rows, err := f.store.ListEvidence(ctx, storage.EvidenceFilter{IncludeStale: true, IncludeIrrelevant: true})
	if err != nil || len(rows) == 0 {
		t.Fatalf("evidence: %d rows, %v", len(rows), err)
	}
	for _, r := range rows {
		if c, bad := safetext.Unsafe(r.Snippet); bad {
			t.Errorf("snippet holds %U: %q", c, r.Snippet)
		}
	}
}

// TestFeedDatesResolvedAndFlagged: an RSS feed of a Tehran outlet, dated in
// IRST, is stored at the right UTC time; an epoch placeholder date becomes
// the time first seen and is flagged; an unknown zone is flagged.
func TestFeedDatesResolvedAndFlagged(t *testing.T) {
	ctx := context.Background()
	rss := `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Tehran Wire</title><link>https://wire.example.ir/</link>
<item><title>Iran and Russia sign a gas deal</title><link>https://wire.example.ir/news/1</link><guid>1</guid>
<pubDate>Tue, 03 Sep 2024 10:00:00 IRST</pubDate><description>Iranian and Russian officials signed a gas supply deal in Tehran on Tuesday.</description></item>
<item><title>Archive: talks in Moscow</title><link>https://wire.example.ir/news/2</link><guid>2</guid>
<pubDate>Thu, 01 Jan 1970 00:00:00 GMT</pubDate><description>Officials met in Moscow to discuss trade.</description></item>
<item><title>Oil exports rise</title><link>https://wire.example.ir/news/3</link><guid>3</guid>
<pubDate>Tue, 03 Sep 2024 10:00:00 XYZT</pubDate><description>Iran's oil exports rose in August, the ministry said.</description></item>
</channel></rss>`
	srv := servePaths(t, map[string]string{"/feed.xml": rss})
	f := newFixture(t)
	src := feedSource("tehran", srv.URL+"/feed.xml")
	src.FetchArticles = config.FetchNever
	if res := f.pipe.Poll(ctx, f.source(t, src), false); res.Outcome != storage.OutcomeOK || res.NewArticles != 3 {
		t.Fatalf("outcome %s, new %d, err %v", res.Outcome, res.NewArticles, res.Err)
	}
	byTitle := indexBy(allArticles(t, f.store), titleOf)
	irst := byTitle["Iran and Russia sign a gas deal"]
	if want := time.Date(2024, 9, 3, 6, 30, 0, 0, time.UTC); !irst.PublishedAt.Equal(want) || irst.PublishedFlag != storage.PublishedFeed || irst.DateNote != "" {
		t.Errorf("IRST item: %v (%s, note %q), want %v from the feed, no note", irst.PublishedAt, irst.PublishedFlag, irst.DateNote, want)
	}
	epoch := byTitle["Archive: talks in Moscow"]
	if !epoch.PublishedAt.Equal(f.now) || epoch.PublishedFlag != storage.PublishedFirstSeen || !strings.Contains(epoch.DateNote, "1970-01-01") {
		t.Errorf("1970 item: %v (%s, note %q), want the time first seen, flagged", epoch.PublishedAt, epoch.PublishedFlag, epoch.DateNote)
	}
	unknown := byTitle["Oil exports rise"]
	if !strings.Contains(unknown.DateNote, "XYZT") {
		t.Errorf("unknown zone: note %q, want it named", unknown.DateNote)
	}
}

// TestForgedCanonicalIsRefused: a page on one site naming another outlet's
// article as its canonical URL is stored under its own URL, with the claim
// recorded, and the genuine article, polled later, is stored too rather
// than skipped as a duplicate. A canonical link on the page's own site is
// still followed. (127.0.0.1 and localhost are two sites: hosts the public
// suffix list cannot place must match exactly.)
func TestForgedCanonicalIsRefused(t *testing.T) {
	ctx := context.Background()
	mux := map[string]string{} // filled once the server's URL is known
	genuine := servePaths(t, mux)
	genuineURL := strings.Replace(genuine.URL, "127.0.0.1", "localhost", 1)
	story := genuineURL + "/world/su-35-deliveries"
	mux["/feed.xml"] = `<rss version="2.0"><channel><title>Genuine Wire</title>
<item><title>Russia starts Su-35 deliveries to Iran</title><link>` + story + `</link><guid>g1</guid>
<pubDate>Tue, 03 Sep 2024 10:00:00 GMT</pubDate><description>Short.</description></item></channel></rss>`
	mux["/world/su-35-deliveries"] = `<html><head><title>Russia starts Su-35 deliveries to Iran</title>
<link rel="canonical" href="/world/su-35-deliveries?utm_source=rss"></head><body><article>
<p>` + fullText + `</p></article></body></html>`

	attacker := servePaths(t, map[string]string{
		"/feed.xml": `<rss version="2.0"><channel><title>Copies</title>
<item><title>Su-35 jets: the real story</title><link>/copy/1</link><guid>c1</guid><description>Short.</description></item></channel></rss>`,
		"/copy/1": `<html><head><title>Su-35 jets: the real story</title>
<link rel="canonical" href="` + story + `"></head><body><article>
<p>Moscow has cancelled every delivery of Su-35 fighter jets to Tehran, a source claimed, and Iran will never receive them.
The officials, who spoke on condition of anonymity, said the deal had collapsed over the price and over Russia's own needs.
Analysts were surprised by the reversal, which no government confirmed on Tuesday or on Wednesday.</p></article></body></html>`,
	})

	f := newFixture(t)
	evil := feedSource("copies", attacker.URL+"/feed.xml")
	evil.FetchArticles = config.FetchAlways
	if res := f.pipe.Poll(ctx, f.source(t, evil), false); res.Outcome != storage.OutcomeOK || res.NewArticles != 1 {
		t.Fatalf("attacker poll: outcome %s, new %d, err %v", res.Outcome, res.NewArticles, res.Err)
	}
	wire := feedSource("wire", genuineURL+"/feed.xml")
	wire.FetchArticles = config.FetchAlways
	if res := f.pipe.Poll(ctx, f.source(t, wire), false); res.Outcome != storage.OutcomeOK || res.NewArticles != 1 {
		t.Fatalf("genuine poll: outcome %s, new %d, err %v; the genuine article must be stored", res.Outcome, res.NewArticles, res.Err)
	}
	byURL := indexBy(allArticles(t, f.store), func(a storage.Article) string { return a.URL })
	copyURL := attacker.URL + "/copy/1"
	if a, ok := byURL[copyURL]; !ok || a.ClaimedURL != story {
		t.Errorf("the copy: stored %t, claimed %q; want it under its own URL %s with the claim %s (stored: %v)", ok, a.ClaimedURL, copyURL, story, keys(byURL))
	}
	if a, ok := byURL[story]; !ok || a.Source != "wire" || a.ClaimedURL != "" {
		t.Errorf("the genuine article: stored %t, source %q, claimed %q; want it under %s from wire (same-site canonical followed)", ok, a.Source, a.ClaimedURL, story)
	}
}

func keys(m map[string]storage.Article) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
