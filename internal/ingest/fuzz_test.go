package ingest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/claimwatch/claimwatch/claims"
	"github.com/claimwatch/claimwatch/internal/canonurl"
	"github.com/claimwatch/claimwatch/internal/config"
	"github.com/claimwatch/claimwatch/internal/fetch"
	"github.com/claimwatch/claimwatch/internal/matcher"
	"github.com/claimwatch/claimwatch/internal/testcorpus"
	"github.com/claimwatch/claimwatch/storage"
)

// FuzzItemToArticle runs whole preview polls of a local source holding an
// arbitrary body, seeded with the corpus feeds: feed.Parse, item-to-article
// conversion (canonical URL, text, dates, hashes) and matching, all in
// memory (Preview set, no store, no network: local items are never
// fetched). A poll must never panic, and every article it produces must be
// one the store can take.
func FuzzItemToArticle(f *testing.F) {
	// Small files only: the mutator works best on short inputs.
	paths, _ := filepath.Glob(filepath.Join(testcorpus.Dir(f), "feeds", "*", "*"))
	for _, p := range paths {
		if data, err := os.ReadFile(p); err == nil && len(data) <= 32<<10 {
			f.Add(data)
		}
	}
	f.Add([]byte(`<rss version="2.0"><channel><item><title>Russia and Iran sign a free trade agreement</title><link>HTTP://WWW.Example.com:80/a/../b?utm_source=x#f</link><pubDate>Mon, 02 Jan 3020 00:00:00 GMT</pubDate></item><item><guid>g</guid><description>no link</description></item></channel></rss>`))
	f.Add([]byte(articleTwo))

	set, err := claims.Shipped()
	if err != nil {
		f.Fatal(err)
	}
	m, err := matcher.Compile(set)
	if err != nil {
		f.Fatal(err)
	}
	now := time.Date(2024, 9, 4, 12, 0, 0, 0, time.UTC)
	// Fuzz workers are processes, each running its inputs one at a time, so
	// one file per process is enough.
	path := filepath.Join(f.TempDir(), "source.xml")
	fetcher := fetch.New(fetch.Options{PerHostDelay: -1, Timeout: 5 * time.Second})
	src := config.Source{Name: "fuzz", URL: path, Kind: config.KindFeed, FetchArticles: config.FetchAlways, Enabled: true, Weight: 1}

	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		var got []storage.Article
		p := &Pipeline{
			Fetcher: fetcher,
			Matcher: func() *matcher.Matcher { return m },
			Now:     func() time.Time { return now },
			Preview: func(a storage.Article, _ []claims.Finding) { got = append(got, a) },
		}
		res := p.Poll(context.Background(), src, true)
		switch res.Outcome {
		case storage.OutcomeOK:
		case storage.OutcomeFailed:
			if res.Err == nil || !strings.Contains(res.Err.Error(), "fuzz") {
				t.Fatalf("failed poll without an error naming the source: %v", res.Err)
			}
		default:
			t.Fatalf("outcome %q (%v)", res.Outcome, res.Err)
		}
		if res.NewArticles != 0 || res.NewEvidence != 0 {
			t.Fatalf("a preview counted stored articles: %+v", res)
		}
		seen := map[string]bool{}
		for _, a := range got {
			checkArticle(t, a, now)
			if seen[a.URL] {
				t.Fatalf("article %s previewed twice", a.URL)
			}
			seen[a.URL] = true
		}
	})
}

// checkArticle holds for every article a poll hands to the store.
func checkArticle(t *testing.T, a storage.Article, now time.Time) {
	t.Helper()
	switch {
	case strings.HasPrefix(a.URL, "http://"), strings.HasPrefix(a.URL, "https://"):
		if again, err := canonurl.Canonicalize(a.URL); err != nil || again != a.URL {
			t.Fatalf("article URL %q is not canonical: %q, %v", a.URL, again, err)
		}
	case strings.HasPrefix(a.URL, "urn:claimwatch:fuzz:"), strings.HasPrefix(a.URL, "file:"):
	default:
		t.Fatalf("article URL %q: not http(s), file or urn:claimwatch", a.URL)
	}
	if strings.TrimSpace(a.Title) == "" && strings.TrimSpace(a.Text) == "" {
		t.Fatalf("article %s: no title and no text", a.URL)
	}
	for field, s := range map[string]string{"title": a.Title, "text": a.Text, "lang": a.Lang} {
		if !utf8.ValidString(s) {
			t.Fatalf("article %s: %s is not valid UTF-8: %q", a.URL, field, s)
		}
	}
	if a.Source != "fuzz" || a.ContentHash == "" {
		t.Fatalf("article %s: source %q, content hash %q", a.URL, a.Source, a.ContentHash)
	}
	if a.PublishedAt.IsZero() || a.PublishedAt.After(now.Add(futureSlack)) || a.PublishedAt.Location() != time.UTC {
		t.Fatalf("article %s: published %v (%s), now %v", a.URL, a.PublishedAt, a.PublishedFlag, now)
	}
	switch a.PublishedFlag {
	case storage.PublishedFeed, storage.PublishedPage, storage.PublishedFirstSeen, storage.PublishedFutureClamped:
	default:
		t.Fatalf("article %s: published flag %q", a.URL, a.PublishedFlag)
	}
}
