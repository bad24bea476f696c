// Package scrape reads article links from a news listing page that has no
// feed (a `kind: page` source), using CSS selectors from the config. It
// returns links only; fetching the articles and extracting their text is the
// job of the fetch and extract packages.
package scrape

import (
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/cascadia"
)

// Selectors are CSS selectors for a listing page. Links is required: it
// selects the article anchors, or elements holding one (a teaser <div>, an
// <h3>). Title and Date are optional and are looked up within each link's
// element or its nearest enclosing element that has a match (the teaser).
type Selectors struct {
	Links, Title, Date string
}

// Link is one article found on a listing page.
type Link struct {
	URL       string // absolute http(s) URL, without fragment
	Title     string
	Published time.Time // zero when the page gives no readable date
}

// teaserDepth bounds how far up from a link Title and Date are looked for,
// so one teaser's title is never taken from the whole page.
const teaserDepth = 4

// Links returns the article links of the page read from r, which was
// fetched from pageURL, in page order and without duplicates. Links are
// resolved against the page URL (or its <base href>); only http and https
// links are kept, so javascript:, mailto: and the like are refused.
func Links(r io.Reader, pageURL string, sel Selectors) ([]Link, error) {
	base, err := url.Parse(pageURL)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https" && base.Scheme != "file") {
		return nil, fmt.Errorf("scrape %s: page URL must be absolute http(s) or file", pageURL)
	}
	if err := sel.compile(); err != nil {
		return nil, fmt.Errorf("scrape %s: %w", pageURL, err)
	}
	doc, err := goquery.NewDocumentFromReader(r)
	if err != nil {
		return nil, fmt.Errorf("scrape %s: parse HTML: %w", pageURL, err)
	}
	if href, ok := doc.Find("base[href]").First().Attr("href"); ok {
		if b, err := base.Parse(strings.TrimSpace(href)); err == nil {
			base = b
		}
	}
	var out []Link
	seen := map[string]bool{}
	doc.Find(sel.Links).Each(func(_ int, el *goquery.Selection) {
		a := anchor(el)
		if a == nil {
			return
		}
		href, _ := a.Attr("href")
		u, ok := resolve(base, href)
		if !ok || seen[u] {
			return
		}
		seen[u] = true
		link := Link{URL: u, Title: collapse(a.Text())}
		if t := within(el, sel.Title, sel.Links); t != nil {
			if s := collapse(t.Text()); s != "" {
				link.Title = s
			}
		}
		if link.Title == "" {
			link.Title = collapse(a.AttrOr("title", ""))
		}
		if d := within(el, sel.Date, sel.Links); d != nil {
			link.Published = date(d)
		}
		out = append(out, link)
	})
	return out, nil
}

func (s Selectors) compile() error {
	if strings.TrimSpace(s.Links) == "" {
		return fmt.Errorf("no links selector")
	}
	for _, c := range []struct{ name, css string }{{"links", s.Links}, {"title", s.Title}, {"date", s.Date}} {
		if c.css == "" {
			continue
		}
		// goquery treats a bad selector as matching nothing; say so instead.
		if _, err := cascadia.Compile(c.css); err != nil {
			return fmt.Errorf("bad %s selector %q: %v", c.name, c.css, err)
		}
	}
	return nil
}

// anchor finds the link of a selected element: the element itself, its
// first anchor descendant, or its enclosing anchor.
func anchor(el *goquery.Selection) *goquery.Selection {
	if goquery.NodeName(el) == "a" {
		if _, ok := el.Attr("href"); ok {
			return el
		}
	}
	if a := el.Find("a[href]").First(); a.Length() > 0 {
		return a
	}
	if a := el.Closest("a[href]"); a.Length() > 0 {
		return a
	}
	return nil
}

// within finds the first match of css in el or in the nearest of its
// ancestors (up to teaserDepth) that has one. It stops at an ancestor that
// holds other link matches too: that is the list, not this item's teaser.
func within(el *goquery.Selection, css, links string) *goquery.Selection {
	if css == "" {
		return nil
	}
	cur := el
	for range teaserDepth + 1 {
		if cur.Length() == 0 || goquery.NodeName(cur) == "body" {
			return nil
		}
		items := cur.Find(links).Length()
		if cur.Is(links) {
			items++
		}
		if items > 1 {
			return nil
		}
		if cur.Is(css) {
			return cur
		}
		if m := cur.Find(css).First(); m.Length() > 0 {
			return m
		}
		cur = cur.Parent()
	}
	return nil
}

func resolve(base *url.URL, href string) (string, bool) {
	href = strings.TrimSpace(href)
	if href == "" || strings.HasPrefix(href, "#") {
		return "", false
	}
	u, err := base.Parse(href)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", false
	}
	u.Fragment = ""
	u.RawFragment = ""
	return u.String(), true
}

func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

// dateLayouts are the date forms news listings commonly print.
var dateLayouts = []string{
	time.RFC3339,
	"2006-01-02T15:04:05",
	"2006-01-02T15:04",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04",
	"2006-01-02",
	"2006/01/02",
	"02.01.2006",
	time.RFC1123Z,
	time.RFC1123,
	"Mon, 2 Jan 2006 15:04:05 -0700",
	"January 2, 2006",
	"January 2, 2006 15:04",
	"Jan 2, 2006",
	"Jan. 2, 2006",
	"2 January 2006",
	"2 Jan 2006",
	"02 Jan 2006 15:04",
}

// date reads a date element: its datetime (or content) attribute, else its
// text. Dates without a zone are taken as UTC; unreadable dates give zero.
func date(el *goquery.Selection) time.Time {
	for _, attr := range []string{"datetime", "content"} {
		if v, ok := el.Attr(attr); ok {
			if t, ok := ParseDate(v); ok {
				return t
			}
		}
	}
	t, _ := ParseDate(el.Text())
	return t
}

// ParseDate reads a date in one of the common listing-page forms.
func ParseDate(s string) (time.Time, bool) {
	s = collapse(s)
	if s == "" {
		return time.Time{}, false
	}
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}
