package scrape

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/claimwatch/claimwatch/internal/testcorpus"
)

const listing = `<!doctype html>
<html><head><title>Politics</title></head>
<body>
<nav><a href="/">Home</a> <a href="javascript:void(0)">Menu</a></nav>
<main>
  <article class="teaser">
    <h3><a href="/news/441234/Russia-delivers-Su-35">  Russia   delivers
      Su-35 jets </a></h3>
    <time datetime="2024-03-05T10:30:00+03:30">5 March</time>
  </article>
  <article class="teaser">
    <h3 class="title">Iran, Russia sign <b>arms</b> deal</h3>
    <a class="more" href="news/441235?utm=1#comments">Read more</a>
    <span class="date">January 12, 2024</span>
  </article>
  <article class="teaser">
    <h3><a href="/news/441234/Russia-delivers-Su-35#top">duplicate of the first</a></h3>
  </article>
  <article class="teaser">
    <h3><a href="javascript:alert(1)">evil</a></h3>
    <h3><a href="mailto:desk@example.org">mail</a></h3>
  </article>
  <article class="teaser">
    <h3><a href="https://other.example/story" title="Offsite story"><img src="x.jpg"></a></h3>
    <span class="date">yesterday</span>
  </article>
</main>
</body></html>`

func TestLinks(t *testing.T) {
	got, err := Links(strings.NewReader(listing), "https://www.tehrantimes.com/section/politics",
		Selectors{Links: "article.teaser", Title: "h3", Date: "time, .date"})
	if err != nil {
		t.Fatal(err)
	}
	want := []Link{
		{URL: "https://www.tehrantimes.com/news/441234/Russia-delivers-Su-35", Title: "Russia delivers Su-35 jets",
			Published: time.Date(2024, 3, 5, 7, 0, 0, 0, time.UTC)},
		{URL: "https://www.tehrantimes.com/section/news/441235?utm=1", Title: "Iran, Russia sign arms deal",
			Published: time.Date(2024, 1, 12, 0, 0, 0, 0, time.UTC)},
		{URL: "https://other.example/story", Title: "Offsite story"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d links: %+v", len(got), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("link %d = %+v\nwant %+v", i, got[i], want[i])
		}
	}
}

func TestLinksAnchorSelectorAndBase(t *testing.T) {
	page := `<html><head><base href="https://cdn.example/site/"></head><body>
	<ul class="list"><li><a href="a.html">A story</a> <em>2024-02-01</em></li>
	<li><a href="../b.html">B story</a></li><li><a href="#">top</a></li><li><a>no href</a></li></ul></body></html>`
	got, err := Links(strings.NewReader(page), "https://www.example.org/list", Selectors{Links: "ul.list a", Date: "em"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].URL != "https://cdn.example/site/a.html" || got[1].URL != "https://cdn.example/b.html" {
		t.Fatalf("links = %+v", got)
	}
	if !got[0].Published.Equal(time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC)) || !got[1].Published.IsZero() {
		t.Errorf("dates = %v / %v (the date of one item must not leak to the next)", got[0].Published, got[1].Published)
	}
	if got[0].Title != "A story" {
		t.Errorf("title from link text = %q", got[0].Title)
	}
}

func TestLinksErrors(t *testing.T) {
	for _, tc := range []struct {
		page string
		sel  Selectors
		want string
	}{
		{"https://x.example/", Selectors{}, "no links selector"},
		{"https://x.example/", Selectors{Links: "a[href"}, "bad links selector"},
		{"https://x.example/", Selectors{Links: "a", Date: "time:nope"}, "bad date selector"},
		{"/relative/page", Selectors{Links: "a"}, "page URL must be absolute"},
		{"javascript:alert(1)", Selectors{Links: "a"}, "page URL must be absolute"},
	} {
		_, err := Links(strings.NewReader("<a href='/x'>x</a>"), tc.page, tc.sel)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Links(%q, %+v) err = %v, want …%s…", tc.page, tc.sel, err, tc.want)
		}
	}
}

func TestParseDate(t *testing.T) {
	want := time.Date(2020, 1, 10, 0, 0, 0, 0, time.UTC)
	for _, s := range []string{"2020-01-10", "2020/01/10", "10.01.2020", "January 10, 2020", "Jan 10, 2020", "10 January 2020", "10 Jan 2020", " 2020-01-10 "} {
		if got, ok := ParseDate(s); !ok || !got.Equal(want) {
			t.Errorf("ParseDate(%q) = %v, %v", s, got, ok)
		}
	}
	if got, ok := ParseDate("Fri, 10 Jan 2020 12:00:00 +0330"); !ok || !got.Equal(time.Date(2020, 1, 10, 8, 30, 0, 0, time.UTC)) {
		t.Errorf("RFC1123Z = %v, %v", got, ok)
	}
	for _, s := range []string{"", "yesterday", "2020-13-45"} {
		if _, ok := ParseDate(s); ok {
			t.Errorf("ParseDate(%q) accepted", s)
		}
	}
}

// TestLinksOnRealPage runs a generic selector over a real news page from the
// corpus: every link returned must be absolute http(s) and unique.
func TestLinksOnRealPage(t *testing.T) {
	path := testcorpus.Path(t, "article-extraction-benchmark", "html")
	entries, err := os.ReadDir(path)
	if err != nil || len(entries) == 0 {
		t.Fatalf("corpus pages: %v", err)
	}
	page := readGz(t, path+"/"+entries[0].Name())
	got, err := Links(strings.NewReader(page), "https://news.example/section/", Selectors{Links: "a"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) == 0 {
		t.Fatal("no links on a real page")
	}
	seen := map[string]bool{}
	for _, l := range got {
		if !strings.HasPrefix(l.URL, "http://") && !strings.HasPrefix(l.URL, "https://") || strings.Contains(l.URL, "#") {
			t.Errorf("bad link %q", l.URL)
		}
		if seen[l.URL] {
			t.Errorf("duplicate %q", l.URL)
		}
		seen[l.URL] = true
	}
}

func BenchmarkLinks(b *testing.B) {
	page := strings.Repeat(listing, 20)
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Links(strings.NewReader(page), "https://www.example.org/", Selectors{Links: "article.teaser", Title: "h3", Date: "time, .date"}); err != nil {
			b.Fatal(err)
		}
	}
}
