package extract

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func mustExtract(t *testing.T, page, pageURL string) *Page {
	t.Helper()
	p, err := Extract(context.Background(), strings.NewReader(page), pageURL)
	if err != nil {
		t.Fatalf("Extract: %v", err)
	}
	return p
}

const articleBody = `<article><p>Moscow and Tehran have drawn closer since January, officials on both sides said on Tuesday, as sanctions pushed the two governments into new trade and security arrangements.</p>
<p>The agreement covers oil swaps, grain deliveries and joint naval exercises in the Caspian Sea, according to a statement published by the Russian foreign ministry late on Monday.</p>
<p>Analysts cautioned that the partnership remains limited by competition in energy markets and by diverging interests in Syria, where both countries back the government.</p></article>`

func TestExtractMetadata(t *testing.T) {
	tests := []struct {
		name, page, pageURL string
		want                Page // Text is checked separately
	}{
		{
			name: "og and article meta",
			page: `<html lang="en-GB"><head><title>Russia and Iran | Example News</title>
<meta property="og:title" content="Russia and Iran draw closer">
<meta property="og:site_name" content="Example News">
<meta property="article:published_time" content="2020-01-07T10:30:00+03:00">
<meta name="description" content="Plain description">
<meta property="og:description" content="OG description">
<link rel="canonical" href="/world/russia-iran?utm_source=rss">
</head><body>` + articleBody + `</body></html>`,
			pageURL: "https://News.Example.com/a?id=1#top",
			want: Page{URL: "https://news.example.com/world/russia-iran", Title: "Russia and Iran draw closer",
				Published: time.Date(2020, 1, 7, 7, 30, 0, 0, time.UTC), PublishedFrom: "meta", Lang: "en-GB", Description: "OG description"},
		},
		{
			name: "json-ld article wins over meta",
			page: `<html><head><title>Ignored</title>
<meta property="article:published_time" content="2020-01-09T00:00:00Z">
<script type="application/ld+json">{"@context":"https://schema.org","@graph":[
 {"@type":"Organization","name":"Example"},
 {"@type":["NewsArticle"],"headline":"Headline from JSON-LD","datePublished":"2020-01-08T12:00:00-05:00","inLanguage":"fr-FR","description":"LD description"}]}</script>
</head><body>` + articleBody + `</body></html>`,
			pageURL: "http://example.com:80",
			want: Page{URL: "http://example.com/", Title: "Headline from JSON-LD",
				Published: time.Date(2020, 1, 8, 17, 0, 0, 0, time.UTC), PublishedFrom: "json-ld", Lang: "fr-FR", Description: "LD description"},
		},
		{
			name: "malformed json-ld with raw newlines still read",
			page: "<html><head><script type=\"application/ld+json\">{\"@type\":\"BlogPosting\",\"headline\":\"Line\none\",\"datePublished\":\"2019-11-19\"}</script>" +
				`<script type="application/ld+json">{not json</script></head><body>` + articleBody + `</body></html>`,
			pageURL: "https://blog.example.org/p",
			want: Page{URL: "https://blog.example.org/p", Title: "Line one",
				Published: time.Date(2019, 11, 19, 0, 0, 0, 0, time.UTC), PublishedFrom: "json-ld"},
		},
		{
			name: "title cleaned of site suffix, time element, og:locale",
			page: `<html><head><title>Talks stall in Vienna - Example Times</title>
<meta property="og:locale" content="de_DE"></head><body>
<time datetime="2018-05-01T08:00:00Z">updated</time>
<time datetime="2018-04-30T22:15:00+02:00" itemprop="datePublished">30 April</time>` + articleBody + `</body></html>`,
			pageURL: "https://www.exampletimes.com/vienna",
			want: Page{URL: "https://www.exampletimes.com/vienna", Title: "Talks stall in Vienna",
				Published: time.Date(2018, 4, 30, 20, 15, 0, 0, time.UTC), PublishedFrom: "time", Lang: "de-DE"},
		},
		{
			name: "pipe suffix dropped, h1 unused when title exists, no date",
			page: `<html lang="pt_br"><head><title>  Classificação
 NASCAR | Blog do Zé </title></head><body><h1>Other</h1>` + articleBody + `</body></html>`,
			pageURL: "https://example.br/x",
			want:    Page{URL: "https://example.br/x", Title: "Classificação NASCAR", Lang: "pt-BR"},
		},
		{
			name:    "site named by host words, en dash, prefix",
			page:    `<html><head><title>Vortex Cannon – About bugs – Vortex Cannon Entertainment</title></head><body>` + articleBody + `</body></html>`,
			pageURL: "https://vortexcannon.org/about-bugs/",
			want:    Page{URL: "https://vortexcannon.org/about-bugs/", Title: "About bugs"},
		},
		{
			name:    "dash inside a headline kept",
			page:    `<html><head><title>Russia - Iran relations after Soleimani</title></head><body>` + articleBody + `</body></html>`,
			pageURL: "https://example.com/",
			want:    Page{URL: "https://example.com/", Title: "Russia - Iran relations after Soleimani"},
		},
		{
			name:    "h1 when nothing else; no page URL and no canonical",
			page:    `<html><body><h1>Only a heading</h1>` + articleBody + `</body></html>`,
			pageURL: "",
			want:    Page{Title: "Only a heading"},
		},
		{
			name:    "absolute canonical without page URL; bad canonical ignored",
			page:    `<html><head><link rel="alternate canonical" href="HTTPS://Example.com/story/?fbclid=x"></head><body>` + articleBody + `</body></html>`,
			pageURL: "",
			want:    Page{URL: "https://example.com/story/"},
		},
		{
			name:    "non-http canonical falls back to the page URL",
			page:    `<html><head><link rel="canonical" href="ftp://example.com/x"><meta name="date" content="Tue, 07 Jan 2020 09:00:00 GMT"></head><body>` + articleBody + `</body></html>`,
			pageURL: "https://example.com/x?b=2&a=1",
			want:    Page{URL: "https://example.com/x?a=1&b=2", Published: time.Date(2020, 1, 7, 9, 0, 0, 0, time.UTC), PublishedFrom: "meta"},
		},
		{
			name:    "unparseable dates ignored",
			page:    `<html><head><meta property="article:published_time" content="yesterday"></head><body><time datetime="soon">x</time>` + articleBody + `</body></html>`,
			pageURL: "https://example.com/",
			want:    Page{URL: "https://example.com/"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mustExtract(t, tt.page, tt.pageURL)
			if got.URL != tt.want.URL {
				t.Errorf("URL = %q, want %q", got.URL, tt.want.URL)
			}
			if got.Title != tt.want.Title {
				t.Errorf("Title = %q, want %q", got.Title, tt.want.Title)
			}
			if !got.Published.Equal(tt.want.Published) || got.PublishedFrom != tt.want.PublishedFrom {
				t.Errorf("Published = %v from %q, want %v from %q", got.Published, got.PublishedFrom, tt.want.Published, tt.want.PublishedFrom)
			}
			if !got.Published.IsZero() && got.Published.Location() != time.UTC {
				t.Errorf("Published in %v, want UTC", got.Published.Location())
			}
			if got.Lang != tt.want.Lang {
				t.Errorf("Lang = %q, want %q", got.Lang, tt.want.Lang)
			}
			if got.Description != tt.want.Description {
				t.Errorf("Description = %q, want %q", got.Description, tt.want.Description)
			}
			if !strings.Contains(got.Text, "Caspian Sea") {
				t.Errorf("Text lacks the article: %q", got.Text)
			}
		})
	}
}

func TestExtractTextKeepsParagraphsDropsChrome(t *testing.T) {
	page := `<html><head><title>T</title><style>p{}</style></head><body>
<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>
<div class="share">Share on Facebook Share on Twitter</div>` + articleBody + `
<footer>© 2020 Example News. All rights reserved. Privacy policy. Cookie settings.</footer>
<script>var tracking = "Caspian";</script></body></html>`
	got := mustExtract(t, page, "https://example.com/a").Text
	paras := strings.Split(got, "\n\n")
	if len(paras) != 3 || !strings.HasPrefix(paras[0], "Moscow and Tehran") || !strings.HasPrefix(paras[2], "Analysts cautioned") {
		t.Errorf("Text paragraphs = %q", paras)
	}
	for _, chrome := range []string{"Share on Facebook", "All rights reserved", "var tracking", "Sport"} {
		if strings.Contains(got, chrome) {
			t.Errorf("Text keeps page chrome %q: %q", chrome, got)
		}
	}
}

func TestExtractJSONLDBodyWhenPageHasNone(t *testing.T) {
	// A page rendered by script: the article is only in JSON-LD, as HTML.
	page := `<html><head><script type="application/ld+json">{"@type":"NewsArticle","headline":"H",
"articleBody":"<p>First paragraph of the wire story about Moscow &amp; Tehran and their long talks on oil, grain and the Caspian Sea.</p><p>Second paragraph, with more detail on the naval exercises planned for the spring and the sanctions that prompted them.</p>"}</script>
</head><body><div id="app">Loading…</div></body></html>`
	got := mustExtract(t, page, "https://example.com/a").Text
	want := "First paragraph of the wire story about Moscow & Tehran and their long talks on oil, grain and the Caspian Sea.\n\n" +
		"Second paragraph, with more detail on the naval exercises planned for the spring and the sanctions that prompted them."
	if got != want {
		t.Errorf("Text = %q, want %q", got, want)
	}
}

func TestExtractCorpusPages(t *testing.T) {
	byID := map[string]benchPage{}
	for _, p := range loadBenchmark(t) {
		byID[p.ID[:12]] = p
	}
	tests := []struct {
		id, title, published, from, lang string
	}{
		// WSJ: NewsArticle JSON-LD.
		{"042bb7b5feda", "Google Stadia, Microsoft xCloud, Apple Arcade: So Many Ways to Play…and Pay", "2019-11-19T13:03", "json-ld", "en-US"},
		// hosted.ap.org: article:published_time meta only.
		{"", "UK Tories under fire for Twitter name switch during debate", "2019-11-20T11:01", "meta", "en"},
		// Portuguese blog: Yoast JSON-LD graph, date in -03:00.
		{"11ea381ad92b", "Classificação NASCAR", "2010-10-22T23:13", "json-ld", ""},
	}
	for _, tt := range tests {
		pg, ok := byID[tt.id]
		if tt.id == "" {
			for _, p := range byID {
				if strings.Contains(p.URL, "hosted.ap.org/citizensvoice/article/2896af") {
					pg, ok = p, true
				}
			}
		}
		if !ok {
			t.Fatalf("corpus page %q missing", tt.id)
		}
		got := mustExtract(t, string(pg.HTML), pg.URL)
		if got.Title != tt.title {
			t.Errorf("%s: Title = %q, want %q", pg.URL, got.Title, tt.title)
		}
		pub := ""
		if !got.Published.IsZero() {
			pub = got.Published.Format("2006-01-02T15:04")
		}
		if pub != tt.published || got.PublishedFrom != tt.from {
			t.Errorf("%s: Published = %q from %q, want %q from %q", pg.URL, pub, got.PublishedFrom, tt.published, tt.from)
		}
		if tt.lang != "" && got.Lang != tt.lang {
			t.Errorf("%s: Lang = %q, want %q", pg.URL, got.Lang, tt.lang)
		}
		if tp, fp, fn := pageCounts(pg.Truth, got.Text); tp < 0.8 {
			t.Errorf("%s: only %.2f of shingles shared with the ground truth (fp %.2f, fn %.2f)", pg.URL, tp, fp, fn)
		}
	}
}

func TestExtractErrors(t *testing.T) {
	ctx := context.Background()
	if _, err := Extract(ctx, endless{}, "https://example.com/big"); !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "https://example.com/big") {
		t.Errorf("oversized page: err = %v, want ErrTooLarge naming the URL", err)
	}
	if _, err := Text(endless{}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("Text of oversized page: err = %v, want ErrTooLarge", err)
	}
	// The bound itself is inclusive.
	if b, err := readBounded(strings.NewReader("0123456789"), 10); err != nil || len(b) != 10 {
		t.Errorf("readBounded at the limit = %d bytes, %v", len(b), err)
	}
	if _, err := readBounded(strings.NewReader("0123456789X"), 10); !errors.Is(err, ErrTooLarge) {
		t.Errorf("readBounded past the limit: err = %v, want ErrTooLarge", err)
	}
	if _, err := Extract(ctx, strings.NewReader("<p>x</p>"), "ftp://example.com/x"); err == nil || !strings.Contains(err.Error(), "ftp://example.com/x") {
		t.Errorf("non-http page URL: err = %v, want an error naming it", err)
	}
	if _, err := Extract(ctx, strings.NewReader("<p>x</p>"), "http://[::1"); err == nil || !strings.Contains(err.Error(), "http://[::1") {
		t.Errorf("unparseable page URL: err = %v, want an error naming it", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := Extract(cancelled, strings.NewReader(articleBody), "https://example.com/"); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: err = %v, want context.Canceled", err)
	}
	if _, err := Extract(ctx, iotestErrReader{}, "https://example.com/r"); err == nil || !strings.Contains(err.Error(), "boom") {
		t.Errorf("failing reader: err = %v, want its error", err)
	}
}

// endless is a page that never ends.
type endless struct{}

func (endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'a'
	}
	return len(p), nil
}

type iotestErrReader struct{}

func (iotestErrReader) Read([]byte) (int, error) { return 0, errors.New("boom") }

func TestText(t *testing.T) {
	got, err := Text(strings.NewReader(`<html><head><title>Skip me</title><script>x()</script></head><body>
<h1>Heading</h1><p>One   two
three.</p><ul><li>first</li><li>second</li></ul>Line<br>break <b>bo</b>ld
<table><tr><td>a</td><td>b</td></tr></table><noscript>no</noscript></body></html>`))
	if err != nil {
		t.Fatal(err)
	}
	want := "Heading\n\nOne two three.\n\nfirst\n\nsecond\n\nLine\nbreak bold\n\na b"
	if got != want {
		t.Errorf("Text = %q, want %q", got, want)
	}
	if got, err := Text(strings.NewReader("")); err != nil || got != "" {
		t.Errorf("Text(empty) = %q, %v", got, err)
	}
}

func FuzzExtract(f *testing.F) {
	f.Add([]byte(`<html lang="en"><head><title>a | b</title><script type="application/ld+json">{"@type":"Article","datePublished":"2020-01-01"}</script></head><body><p>x</p></body></html>`), "https://example.com/")
	f.Add([]byte("<p>\xff\xfe invalid \xc3 utf-8 <time datetime=\"2020-13-45\">"), "")
	f.Add([]byte(`<table><td><table><td><svg><math><p>deep`), "http://x/")
	// A slice of a real page's head keeps the seed small but realistic.
	for _, pg := range loadBenchmark(f)[:3] {
		f.Add(pg.HTML[:min(len(pg.HTML), 4096)], pg.URL)
	}
	f.Fuzz(func(t *testing.T, page []byte, pageURL string) {
		p, err := Extract(context.Background(), bytes.NewReader(page), pageURL)
		if err != nil {
			return
		}
		if !p.Published.IsZero() && (p.Published.Location() != time.UTC || p.PublishedFrom == "") {
			t.Errorf("Published %v from %q", p.Published, p.PublishedFrom)
		}
		if _, err := Text(bytes.NewReader(page)); err != nil {
			t.Errorf("Text failed where Extract did not: %v", err)
		}
	})
}

// TestPageDateZoneAbbreviation: a page dated with a zone abbreviation is
// read with its offset; an ambiguous one is noted.
func TestPageDateZoneAbbreviation(t *testing.T) {
	for date, want := range map[string]struct {
		t     time.Time
		noted bool
	}{
		"Tue, 03 Sep 2024 10:00:00 MSK": {time.Date(2024, 9, 3, 7, 0, 0, 0, time.UTC), false},
		"Tue, 03 Sep 2024 10:00:00 IST": {time.Date(2024, 9, 3, 4, 30, 0, 0, time.UTC), true},
	} {
		p := mustExtract(t, `<html><head><meta property="article:published_time" content="`+date+`"></head><body>`+articleBody+`</body></html>`, "https://news.example.com/a")
		if !p.Published.Equal(want.t) || (p.PublishedNote != "") != want.noted {
			t.Errorf("%q: published %v, note %q; want %v, noted=%t", date, p.Published, p.PublishedNote, want.t, want.noted)
		}
	}
}

// TestCanonicalOnlyOnTheSameSite: a canonical link on the page's own site
// (another subdomain included) names the page; one on another site is
// refused, the page keeping its own URL and the claim recorded.
func TestCanonicalOnlyOnTheSameSite(t *testing.T) {
	page := func(canonical string) string {
		return `<html><head><title>Russia and Iran</title><link rel="canonical" href="` + canonical + `"></head><body>` + articleBody + `</body></html>`
	}
	p := mustExtract(t, page("https://www.example.co.uk/world/russia-iran?utm_source=x"), "https://news.example.co.uk/a?id=7")
	if p.URL != "https://www.example.co.uk/world/russia-iran" || p.ClaimedCanonical != "" {
		t.Errorf("same site: URL %q, claimed %q; want the canonical adopted", p.URL, p.ClaimedCanonical)
	}
	p = mustExtract(t, page("https://www.reuters.com/world/genuine-story"), "https://evil.example/copy?id=7")
	if p.URL != "https://evil.example/copy?id=7" || p.ClaimedCanonical != "https://www.reuters.com/world/genuine-story" {
		t.Errorf("other site: URL %q, claimed %q; want the page's own URL and the claim recorded", p.URL, p.ClaimedCanonical)
	}
	// A public suffix is no site: one github.io page cannot speak for another.
	p = mustExtract(t, page("https://victim.github.io/post"), "https://attacker.github.io/post")
	if p.URL != "https://attacker.github.io/post" || p.ClaimedCanonical != "https://victim.github.io/post" {
		t.Errorf("github.io: URL %q, claimed %q", p.URL, p.ClaimedCanonical)
	}
	// A saved page has no site to compare: its canonical link names it.
	if p = mustExtract(t, page("https://www.reuters.com/world/genuine-story"), ""); p.URL != "https://www.reuters.com/world/genuine-story" {
		t.Errorf("no page URL: URL %q, want the canonical", p.URL)
	}
}
