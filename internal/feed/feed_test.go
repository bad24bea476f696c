package feed

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/claimwatch/claimwatch/internal/testcorpus"
)

const testFeedURL = "https://news.example.org/section/feed.xml"

// outcome is what Parse must make of one corpus file: either a feed
// (format, title, item count, first item's title and link) or an error.
type outcome struct {
	format, title string
	items         int
	firstTitle    string
	firstLink     string
	err           error // ErrEmpty, ErrMalformed, ErrNotFeed
	htmlPage      bool  // the error is an *HTMLPageError
}

var corpusOutcomes = map[string]outcome{
	"formats/atom03_feed.xml":             {format: "atom 0.3", title: "Feed Title"},
	"formats/atom10_feed.xml":             {format: "atom 1.0", title: "Feed Title"},
	"formats/empty_feed.xml":              {err: ErrEmpty},
	"formats/invalid.json":                {err: ErrMalformed},
	"formats/json10_feed.json":            {format: "json 1.0", title: "title", items: 1, firstTitle: "title", firstLink: "https://sample-json-feed.com/id"},
	"formats/json11_feed.json":            {format: "json 1.1", title: "title", items: 1, firstTitle: "title", firstLink: "https://sample-json-feed.com/id"},
	"formats/rdf_feed.xml":                {format: "rdf 1.0", title: "Feed Title"},
	"formats/rss_feed.xml":                {format: "rss 2.0", title: "Feed Title"},
	"formats/rss_feed_bom.xml":            {format: "rss 2.0", title: "Feed Title"},
	"formats/rss_feed_leading_spaces.xml": {format: "rss 2.0", title: "Feed Title"},
	"formats/sample.json":                 {format: "json 1.0", title: "title", items: 1, firstTitle: "title", firstLink: "https://sample-json-feed.com/id"},
	"formats/unknown_feed.xml":            {err: ErrNotFeed},

	"encoding/encoding-invalid-prolog.xml":                {format: "atom", title: "테스트 피드", items: 1, firstTitle: "Café"},
	"encoding/encoding-iso-8859-1-meta-after-1024.html":   {err: ErrNotFeed, htmlPage: true},
	"encoding/encoding-iso-8859-1.html":                   {err: ErrNotFeed, htmlPage: true},
	"encoding/encoding-iso-8859-1.xml":                    {format: "rss 2.0", title: "Café"},
	"encoding/encoding-koi8r.xml":                         {format: "rss 2.0", title: "Пример RSS ленты", items: 2, firstTitle: "Первая новость", firstLink: "http://example.com/post1"},
	"encoding/encoding-utf8-incorrect-prolog.xml":         {format: "atom", title: "테스트 피드", items: 1, firstTitle: "Café"},
	"encoding/encoding-utf8-meta-after-1024.html":         {err: ErrNotFeed, htmlPage: true},
	"encoding/encoding-utf8.html":                         {err: ErrNotFeed, htmlPage: true},
	"encoding/encoding-utf8.xml":                          {format: "atom", title: "테스트 피드", items: 1, firstTitle: "Café"},
	"encoding/encoding-windows-1252-incorrect-prolog.xml": {format: "rss 2.0", title: "Euro €"},
	"encoding/encoding-windows-1252.xml":                  {format: "rss 2.0", title: "Euro €"},
	"encoding/xml-iso88591.xml":                           {err: ErrNotFeed},
	"encoding/xml-iso88591_utf8_mismatch.xml":             {err: ErrNotFeed},
	"encoding/xml-koi8r.xml":                              {format: "rss 2.0", title: "Пример RSS ленты", items: 2, firstTitle: "Первая новость", firstLink: "http://example.com/post1"},

	"real/encoding_ISO-8859-1.xml": {format: "rss 2.0", title: "Golem.de", items: 40,
		firstTitle: "Red Dead Redemption 2: Hinweise auf PC-Umsetzung in App von Rockstar Games",
		firstLink:  "https://www.golem.de/news/red-dead-redemption-2-hinweise-auf-pc-umsetzung-in-app-von-rockstar-games-1810-137358-rss.html"},
	"real/encoding_WINDOWS-1251.xml": {format: "rss 2.0", title: "iBash.Org.Ru", items: 50, firstTitle: "Цитата #17703", firstLink: "http://ibash.org.ru/quote.php?id=17703"},
	"real/large_atom.xml":            {format: "atom 1.0", title: "Artificial truth", items: 25, firstTitle: "Using vale with vim", firstLink: "https://dustri.org/b/using-vale-with-vim.html"},
	"real/large_rss.xml":             {format: "rss 2.0", title: "Artificial truth", items: 25, firstTitle: "Using vale with vim", firstLink: "https://dustri.org/b/using-vale-with-vim.html"},
	// 10 <item>s, one of them entirely empty (no title, link or text).
	"real/no_encoding_ISO-8859-1.xml": {format: "rss 2.0", title: "Flux RSS du magazine de psychologie Le Cercle Psy", items: 9,
		firstTitle: "Perturbateurs endocriniens : quels effets sur le cerveau ?",
		firstLink:  "https://le-cercle-psy.scienceshumaines.com/perturbateurs-endocriniens-quels-effets-sur-le-cerveau_sh_39995"},
	"real/rdf_UTF8.xml": {format: "rdf 0.9", title: "heise online News", items: 60, firstTitle: "OLED-TVs: Vorsichtsmaßnahmen gegen Einbrennen",
		firstLink: "https://www.heise.de/newsticker/meldung/OLED-TVs-Vorsichtsmassnahmen-gegen-Einbrennen-4205274.html?wt_mc=rss.ho.beitrag.rdf"},
	"real/small_atom.xml": {format: "atom 1.0", title: "Recent Commits to v2:main", items: 20, firstTitle: "Parse podcast categories",
		firstLink: "https://github.com/miniflux/v2/commit/6d97f8b4582414b6ce69467656824690057d4793"},
	"real/urdu_UTF8.xml": {format: "rss 2.0", title: "BBC News اردو - پاکستان کے لیے امریکی امداد کی بہار و خزاں", items: 26,
		firstTitle: "امریکی عسکری امداد کی بندش کی وجوہات: انڈیا سے جنگ، جوہری پروگرام اور اب دہشت گردوں کی پشت پناہی",
		firstLink:  "http://www.bbc.com/urdu/pakistan-42575603"},
}

func TestCorpusFeeds(t *testing.T) {
	feeds := testcorpus.Path(t, "feeds")
	seen := 0
	for _, sub := range []string{"formats", "encoding", "real"} {
		entries, err := os.ReadDir(filepath.Join(feeds, sub))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			name := sub + "/" + e.Name()
			want, ok := corpusOutcomes[name]
			if !ok {
				t.Errorf("%s: no expected outcome in corpusOutcomes; add one", name)
				continue
			}
			seen++
			t.Run(name, func(t *testing.T) {
				data, err := os.ReadFile(filepath.Join(feeds, name))
				if err != nil {
					t.Fatal(err)
				}
				url := "https://example.org/" + name
				f, err := Parse(data, "", url)
				if want.err != nil {
					checkError(t, err, want, url)
					return
				}
				if err != nil {
					t.Fatalf("Parse: %v", err)
				}
				if f.Format != want.format || f.Title != want.title || len(f.Items) != want.items {
					t.Fatalf("got format %q title %q with %d items; want %q %q %d", f.Format, f.Title, len(f.Items), want.format, want.title, want.items)
				}
				if want.items > 0 && (f.Items[0].Title != want.firstTitle || f.Items[0].Link != want.firstLink) {
					t.Errorf("first item %q <%s>, want %q <%s>", f.Items[0].Title, f.Items[0].Link, want.firstTitle, want.firstLink)
				}
				checkItemsSane(t, f)
			})
		}
	}
	if seen != len(corpusOutcomes) {
		t.Errorf("corpusOutcomes has %d entries, %d files found", len(corpusOutcomes), seen)
	}
}

func checkError(t *testing.T, err error, want outcome, url string) {
	t.Helper()
	if !errors.Is(err, want.err) {
		t.Fatalf("err = %v, want %v", err, want.err)
	}
	if !strings.Contains(err.Error(), url) {
		t.Errorf("error %q does not name %s", err, url)
	}
	var hp *HTMLPageError
	if got := errors.As(err, &hp); got != want.htmlPage {
		t.Errorf("HTMLPageError = %v, want %v (%v)", got, want.htmlPage, err)
	}
}

// checkItemsSane holds for every item of every feed.
func checkItemsSane(t *testing.T, f *Feed) {
	t.Helper()
	guids, links := map[string]bool{}, map[string]bool{}
	for i, it := range f.Items {
		if it.Link != "" && !strings.HasPrefix(it.Link, "http://") && !strings.HasPrefix(it.Link, "https://") {
			t.Errorf("item %d: link %q is not http(s)", i, it.Link)
		}
		for _, s := range []string{it.Title, it.Summary, it.Content} {
			if strings.Contains(s, "<p>") || strings.Contains(s, "&amp;") || strings.Contains(s, "<script") {
				t.Errorf("item %d: markup left in %.80q", i, s)
			}
		}
		if (it.GUID != "" && guids[it.GUID]) || (it.Link != "" && links[it.Link]) {
			t.Errorf("item %d: duplicate GUID %q or link %q", i, it.GUID, it.Link)
		}
		guids[it.GUID], links[it.Link] = true, true
	}
}

func TestRealFeedFields(t *testing.T) {
	read := func(name string) *Feed {
		data, err := os.ReadFile(testcorpus.Path(t, "feeds", "real", name))
		if err != nil {
			t.Fatal(err)
		}
		f, err := Parse(data, "application/xml", testFeedURL)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	rss := read("large_rss.xml")
	first := rss.Items[0]
	if want := time.Date(2024, 3, 10, 16, 15, 0, 0, time.UTC); !first.Published.Equal(want) || first.Published.Location() != time.UTC {
		t.Errorf("Published = %v, want %v in UTC", first.Published, want)
	}
	// The description is escaped HTML: it must come out as text.
	if !strings.Contains(first.Summary, "LWN recently published an excellent (subscriber only) article on vale, an editorial style linter.") {
		t.Errorf("Summary = %.200q", first.Summary)
	}

	atom := read("large_atom.xml")
	if a := atom.Items[0].Authors; len(a) != 1 || a[0] != "jvoisin" {
		t.Errorf("Authors = %q", a)
	}
	if atom.Link != "https://dustri.org/b/" {
		t.Errorf("feed Link = %q", atom.Link)
	}
	if !atom.Items[0].Updated.Equal(atom.Items[0].Published) || atom.Items[0].Updated.IsZero() {
		t.Errorf("Updated = %v, Published = %v", atom.Items[0].Updated, atom.Items[0].Published)
	}

	golem := read("encoding_ISO-8859-1.xml")
	var text strings.Builder
	for _, it := range golem.Items {
		text.WriteString(it.Title + " " + it.Summary + " " + it.Content + " ")
	}
	for _, w := range []string{"München", "Datenschutzbehörde"} {
		if !strings.Contains(text.String(), w) {
			t.Errorf("Golem items lack %q", w)
		}
	}
	if golem.Language != "" && golem.Language != "de" {
		t.Errorf("Language = %q", golem.Language)
	}
}

func TestParseErrorsNameURL(t *testing.T) {
	large, err := os.ReadFile(testcorpus.Path(t, "feeds", "real", "large_rss.xml"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, body, contentType string
		want                    error
	}{
		{"blank", " \n\t ", "", ErrEmpty},
		{"truncated XML", string(large[:len(large)/2]), "application/rss+xml", ErrMalformed},
		{"truncated in the prolog", `<?xml version="1.0"`, "", ErrMalformed},
		{"invalid JSON", `{"version": "https://jsonfeed.org/version/1.1", "items": [`, "application/feed+json", ErrMalformed},
		{"JSON that is no feed", `{"hello": "world"}`, "application/json", ErrMalformed},
		{"plain text", "this is not a feed", "text/plain", ErrNotFeed},
		{"unknown XML root", `<?xml version="1.0"?><opml version="2.0"><body/></opml>`, "text/xml", ErrNotFeed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.body), tt.contentType, testFeedURL)
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), testFeedURL) {
				t.Fatalf("err = %v, want %v naming the URL", err, tt.want)
			}
		})
	}
}

func TestHTMLPageSuggestsFeeds(t *testing.T) {
	page := `<!DOCTYPE html><html><head><title>News</title>
<base href="https://news.example.org/en/">
<link rel="stylesheet" href="/style.css">
<link rel="alternate" type="application/rss+xml" title="RSS" href="rss.xml">
<link rel="Alternate" type="application/atom+xml" href="https://news.example.org/atom.xml">
<link rel="alternate" type="application/rss+xml" href="rss.xml">
<link rel="alternate" type="text/html" hreflang="fr" href="/fr/">
<link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
</head><body><p>Hello</p></body></html>`
	_, err := Parse([]byte(page), "text/html; charset=utf-8", "https://news.example.org/")
	var hp *HTMLPageError
	if !errors.As(err, &hp) || !errors.Is(err, ErrNotFeed) {
		t.Fatalf("err = %v, want *HTMLPageError", err)
	}
	want := []string{"https://news.example.org/en/rss.xml", "https://news.example.org/atom.xml"}
	if fmt.Sprint(hp.Alternates) != fmt.Sprint(want) {
		t.Errorf("Alternates = %q, want %q", hp.Alternates, want)
	}
	if !strings.Contains(err.Error(), "is an HTML page, not a feed") || !strings.Contains(err.Error(), want[0]) {
		t.Errorf("message %q", err)
	}
}

func TestFeedServedAsTextHTMLStillParses(t *testing.T) {
	body := `<rss version="2.0"><channel><title>T</title><item><title>One</title><link>/a</link></item></channel></rss>`
	f, err := Parse([]byte(body), "text/html", testFeedURL)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Items) != 1 || f.Items[0].Link != "https://news.example.org/a" {
		t.Fatalf("items = %+v", f.Items)
	}
}

func TestUntrustedItems(t *testing.T) {
	body := `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Hostile &lt;b&gt;feed&lt;/b&gt;</title><link>/</link>
<item><title>&lt;script&gt;alert(1)&lt;/script&gt;Iran &amp;amp; Russia &lt;b&gt;talk&lt;/b&gt;</title>
  <link>../articles/one.html</link><guid isPermaLink="false">one</guid>
  <description>&lt;p&gt;First &amp;eacute;t&amp;eacute;.&lt;/p&gt;&lt;style&gt;p{}&lt;/style&gt;&lt;p&gt;Second&amp;nbsp;para.&lt;/p&gt;</description>
  <pubDate>Mon, 06 Jan 2020 10:00:00 +0300</pubDate></item>
<item><title>Bad link</title><link>javascript:alert(document.cookie)</link><guid>two</guid>
  <pubDate>Fri, 01 Jan 2099 00:00:00 GMT</pubDate></item>
<item><title>Duplicate GUID</title><link>https://news.example.org/other</link><guid>one</guid></item>
<item><title>Duplicate link</title><link>https://news.example.org/articles/one.html</link><guid>three</guid></item>
<item><title>No link, no date</title></item>
<item><title>Data link</title><link>data:text/html,hi</link></item>
<item><title>` + strings.Repeat("long ", 400) + `</title><link>https://news.example.org/long</link></item>
</channel></rss>`
	f, err := Parse([]byte(body), "application/rss+xml", testFeedURL)
	if err != nil {
		t.Fatal(err)
	}
	if f.Title != "Hostile feed" || f.Link != "https://news.example.org/" {
		t.Errorf("feed title %q link %q", f.Title, f.Link)
	}
	var titles []string
	for _, it := range f.Items {
		titles = append(titles, strings.TrimSpace(it.Title[:min(len(it.Title), 20)]))
	}
	if want := "[Iran & Russia talk Bad link No link, no date Data link long long long long]"; fmt.Sprint(titles) != want {
		t.Fatalf("titles = %s\nwant     %s", fmt.Sprint(titles), want)
	}
	one := f.Items[0]
	if one.Link != "https://news.example.org/articles/one.html" || one.GUID != "one" {
		t.Errorf("item one: link %q guid %q", one.Link, one.GUID)
	}
	if one.Summary != "First été. Second\u00a0para." && one.Summary != "First été. Second para." {
		t.Errorf("Summary = %q", one.Summary)
	}
	if want := time.Date(2020, 1, 6, 7, 0, 0, 0, time.UTC); !one.Published.Equal(want) {
		t.Errorf("Published = %v", one.Published)
	}
	bad := f.Items[1]
	if bad.Link != "" || bad.Published.Year() != 2099 {
		t.Errorf("javascript: item kept link %q, or its 2099 date (left for the caller to clamp) became %v", bad.Link, bad.Published)
	}
	if f.Items[3].Link != "" {
		t.Errorf("data: link kept: %q", f.Items[3].Link)
	}
	long := f.Items[4].Title
	if n := len([]rune(long)); n != maxTitleRunes || !strings.HasSuffix(long, "…") {
		t.Errorf("long title has %d runes (ends %q), want %d ending in …", n, long[len(long)-10:], maxTitleRunes)
	}
}

func TestContentKeepsParagraphs(t *testing.T) {
	body := `<feed xmlns="http://www.w3.org/2005/Atom"><title type="text">A &amp; B</title>
<entry><id>urn:x:1</id><title type="html">Sanctions &amp;lt;update&amp;gt;</title><link href="/x/1"/>
<content type="html">&lt;h2&gt;Head&lt;/h2&gt;&lt;p&gt;One &lt;b&gt;bold&lt;/b&gt; line.&lt;/p&gt;&lt;script&gt;evil()&lt;/script&gt;&lt;ul&gt;&lt;li&gt;a&lt;/li&gt;&lt;li&gt;b&lt;/li&gt;&lt;/ul&gt;</content>
<author><name>Ana</name></author><author><name>Ana</name></author><category term="Iran"/><category term="Iran"/><category term="Russia"/>
</entry></feed>`
	f, err := Parse([]byte(body), "", testFeedURL)
	if err != nil {
		t.Fatal(err)
	}
	it := f.Items[0]
	if f.Title != "A & B" || it.Title != "Sanctions <update>" {
		t.Errorf("titles %q / %q", f.Title, it.Title)
	}
	if it.Content != "Head\nOne bold line.\na\nb" {
		t.Errorf("Content = %q", it.Content)
	}
	if fmt.Sprint(it.Authors) != "[Ana]" || fmt.Sprint(it.Categories) != "[Iran Russia]" {
		t.Errorf("authors %q categories %q", it.Authors, it.Categories)
	}
	if it.Link != "https://news.example.org/x/1" {
		t.Errorf("Link = %q", it.Link)
	}
}

func TestControlCharactersDoNotSinkTheFeed(t *testing.T) {
	body := "<rss version=\"2.0\"><channel><title>T\x0b</title><item><title>Form\x0cfeed</title><link>https://a.example/1</link></item></channel></rss>"
	f, err := Parse([]byte(body), "", testFeedURL)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Items) != 1 || f.Items[0].Title != "Formfeed" {
		t.Fatalf("items = %+v", f.Items)
	}
}

// bigRSS builds an RSS feed of n distinct items, with HTML descriptions
// when withHTML is set.
func bigRSS(n int, withHTML bool) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Big</title>`)
	for i := range n {
		desc := fmt.Sprintf("Body %d", i)
		if withHTML {
			desc = "&lt;p&gt;" + desc + "&lt;/p&gt;"
		}
		fmt.Fprintf(&b, "<item><title>Item %d &amp; more</title><link>https://big.example/a/%d</link><guid>g%d</guid><pubDate>Mon, 06 Jan 2020 10:00:00 GMT</pubDate><description>%s</description></item>", i, i, i, desc)
	}
	b.WriteString(`</channel></rss>`)
	return []byte(b.String())
}

func TestTenThousandItems(t *testing.T) {
	// Plain-text descriptions keep this quick under -race; BenchmarkParse
	// measures the HTML case.
	f, err := Parse(bigRSS(10000, false), "", testFeedURL)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Items) != 10000 || f.Items[9999].Title != "Item 9999 & more" || f.Items[9999].Summary != "Body 9999" {
		t.Fatalf("%d items, last %+v", len(f.Items), f.Items[len(f.Items)-1])
	}
}

func BenchmarkParse(b *testing.B) {
	for _, name := range []string{"large_rss.xml", "large_atom.xml"} {
		data, err := os.ReadFile(testcorpus.Path(b, "feeds", "real", name))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) { benchParse(b, data) })
	}
	b.Run("synthetic_10000_items", func(b *testing.B) { benchParse(b, bigRSS(10000, true)) })
}

func benchParse(b *testing.B, data []byte) {
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	items := 0
	for b.Loop() {
		f, err := Parse(data, "", testFeedURL)
		if err != nil {
			b.Fatal(err)
		}
		items += len(f.Items)
	}
	b.ReportMetric(float64(items)/b.Elapsed().Seconds(), "items/s")
}

// TestControlCharacterReferenceKeepsTheFeed: a real feed with numeric
// references to characters XML 1.0 forbids (ESC, decimal and hex) is still
// read: the references are dropped, every item is kept.
func TestControlCharacterReferenceKeepsTheFeed(t *testing.T) {
	data, err := os.ReadFile(testcorpus.Path(t, "feeds", "real", "large_rss.xml"))
	if err != nil {
		t.Fatal(err)
	}
	clean, err := Parse(data, "", testFeedURL)
	if err != nil {
		t.Fatal(err)
	}
	const title = "<title>Using vale with vim</title>"
	if !bytes.Contains(data, []byte(title)) {
		t.Fatal("corpus feed changed: first item title not found")
	}
	injected := bytes.Replace(data, []byte(title), []byte("<title>Using&#27;[2J vale&#x1b; with&#0; vim</title>"), 1)
	f, err := Parse(injected, "", testFeedURL)
	if err != nil {
		t.Fatalf("one control-character reference sank the feed: %v", err)
	}
	if len(f.Items) != len(clean.Items) {
		t.Fatalf("%d items, want %d", len(f.Items), len(clean.Items))
	}
	if got, want := f.Items[0].Title, "Using[2J vale with vim"; got != want {
		t.Errorf("title = %q, want %q", got, want)
	}
}
