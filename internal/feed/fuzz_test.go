package feed

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/claimwatch/claimwatch/internal/charset"
	"github.com/claimwatch/claimwatch/internal/testcorpus"
)

// maxSeedBytes keeps fuzz seeds small: the mutator works best on short
// inputs, and the big real feeds are covered by TestCorpusFeeds.
const maxSeedBytes = 32 << 10

// FuzzParse feeds arbitrary bodies to Parse, seeded with the corpus feeds.
// Parsing must never panic, errors must name the feed URL, and every item
// must keep Item's promises: http(s)-or-empty links, UTF-8 text, no markup
// that came in as markup.
func FuzzParse(f *testing.F) {
	// Small files only: the mutator works best on short inputs.
	paths, _ := filepath.Glob(filepath.Join(testcorpus.Dir(f), "feeds", "*", "*"))
	for _, p := range paths {
		if data, err := os.ReadFile(p); err == nil && len(data) <= maxSeedBytes {
			f.Add(data, "")
		}
	}
	f.Add([]byte(`<rss version="2.0"><channel><item><title>a &lt;b&gt;</title><link>javascript:x()</link><description><![CDATA[<p>x</p><script>alert(1)</script>]]></description></item></channel></rss>`), "application/rss+xml; charset=iso-8859-1")
	f.Add([]byte(`{"version":"https://jsonfeed.org/version/1.1","items":[{"id":"1","url":"/a","content_html":"<script>x</script>y"}]}`), "application/feed+json")

	const feedURL = "https://feeds.example.org/news/rss"
	f.Fuzz(func(t *testing.T, data []byte, contentType string) {
		parsed, err := Parse(data, contentType, feedURL)
		if err != nil {
			if !strings.Contains(err.Error(), feedURL) {
				t.Fatalf("error does not name the feed URL: %v", err)
			}
			return
		}
		// Markup can only survive as text when the input spelled it as an
		// escape (&lt;script, \u003cscript); otherwise none may be left.
		escaped := hasEscapes(data)
		if doc, _, err := charset.DecodeXML(data, contentType); err == nil && hasEscapes(doc) {
			escaped = true
		}
		for i, it := range parsed.Items {
			if it.Link != "" && !strings.HasPrefix(it.Link, "http://") && !strings.HasPrefix(it.Link, "https://") {
				t.Fatalf("item %d: link %q is neither http(s) nor empty", i, it.Link)
			}
			for field, s := range map[string]string{"title": it.Title, "summary": it.Summary, "content": it.Content, "guid": it.GUID} {
				if !utf8.ValidString(s) {
					t.Fatalf("item %d: %s is not valid UTF-8: %q", i, field, s)
				}
				if !escaped && strings.Contains(strings.ToLower(s), "<script") {
					t.Fatalf("item %d: %s keeps a script tag: %q", i, field, s)
				}
			}
			if !it.Published.IsZero() && it.Published.Location().String() != "UTC" {
				t.Fatalf("item %d: published %v is not UTC", i, it.Published)
			}
		}
	})
}

// hasEscapes says whether b has character references or JSON \u escapes,
// through which a '<' can reach plain text legitimately.
func hasEscapes(b []byte) bool {
	return bytes.IndexByte(b, '&') >= 0 || bytes.Contains(b, []byte(`\u`))
}
