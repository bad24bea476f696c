package feed

import (
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mmcdole/gofeed"
	"golang.org/x/net/html"

	"github.com/claimwatch/claimwatch/internal/newsdate"
)

// maxTitleRunes bounds a title, which is shown whole in every list. A
// summary is not cut: it is what the article is matched against, and a cut
// would silently lose evidence past it (the feed itself is bounded by the
// fetcher's size cap).
const maxTitleRunes = 1000

func convert(f *gofeed.Feed, root, feedURL string) *Feed {
	base, err := url.Parse(feedURL)
	if err != nil || !base.IsAbs() {
		base = nil
	}
	out := &Feed{
		Title:    truncate(plainText(f.Title, false), maxTitleRunes),
		Link:     resolveLink(base, f.Link),
		Language: strings.TrimSpace(f.Language),
		Format:   format(f, root),
		Items:    make([]Item, 0, len(f.Items)),
	}
	seenGUID := make(map[string]bool, len(f.Items))
	seenLink := make(map[string]bool, len(f.Items))
	for _, it := range f.Items {
		if it == nil {
			continue
		}
		item := Item{
			GUID:       strings.TrimSpace(it.GUID),
			Link:       resolveLink(base, itemLink(it)),
			Title:      truncate(plainText(it.Title, false), maxTitleRunes),
			Summary:    plainText(it.Description, false),
			Content:    plainText(it.Content, true),
			Authors:    authors(it),
			Categories: categories(it.Categories),
		}
		item.Published, item.Updated, item.DateNote = itemDates(it)
		if item.Title == "" && item.Link == "" && item.Summary == "" && item.Content == "" {
			continue // nothing to show or match
		}
		if (item.GUID != "" && seenGUID[item.GUID]) || (item.Link != "" && seenLink[item.Link]) {
			continue // the first occurrence wins
		}
		seenGUID[item.GUID] = true
		seenLink[item.Link] = true
		out.Items = append(out.Items, item)
	}
	return out
}

// format is e.g. "rss 2.0", "rdf 1.0", "atom 0.3", "json 1.1".
func format(f *gofeed.Feed, root string) string {
	kind := f.FeedType
	if root == "rdf" {
		kind = "rdf"
	}
	version := f.FeedVersion
	if i := strings.LastIndex(version, "/version/"); i >= 0 { // JSON Feed's URL form
		version = version[i+len("/version/"):]
	}
	if version == "" {
		return kind
	}
	return kind + " " + version
}

func itemLink(it *gofeed.Item) string {
	if it.Link != "" {
		return it.Link
	}
	for _, l := range it.Links {
		if l != "" {
			return l
		}
	}
	return ""
}

// resolveLink makes raw absolute against base and keeps it only if it is
// http(s): javascript:, data: and friends never leave this package.
func resolveLink(base *url.URL, raw string) string {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return u.String()
}

// itemDates returns the item's published and updated times in UTC, with
// zone abbreviations read by their offsets, and a note on the date callers
// use (published, else updated) when it cannot be fully trusted. Dates are
// kept as the feed gives them, future ones included: deciding that a "2099"
// placeholder is a publisher bug (clamping and flagging it) is the caller's
// job, which knows the time the item was first seen.
func itemDates(it *gofeed.Item) (published, updated time.Time, note string) {
	published, pubNote := resolve(it.Published, it.PublishedParsed)
	updated, updNote := resolve(it.Updated, it.UpdatedParsed)
	if !published.IsZero() || strings.TrimSpace(it.Published) != "" {
		return published, updated, pubNote
	}
	return published, updated, updNote
}

// resolve reads one parsed date; a date given but unreadable is zero, with
// a note quoting it.
func resolve(raw string, parsed *time.Time) (time.Time, string) {
	if parsed == nil || parsed.IsZero() {
		if raw = strings.TrimSpace(raw); raw != "" {
			return time.Time{}, fmt.Sprintf("date %q not understood", truncate(raw, 64))
		}
		return time.Time{}, ""
	}
	return newsdate.Resolve(raw, *parsed)
}

func authors(it *gofeed.Item) []string {
	people := it.Authors
	if len(people) == 0 && it.Author != nil {
		people = []*gofeed.Person{it.Author}
	}
	names := make([]string, 0, len(people))
	for _, p := range people {
		if p == nil {
			continue
		}
		name := plainText(p.Name, false)
		if name == "" {
			name = strings.TrimSpace(p.Email)
		}
		names = append(names, name)
	}
	return uniqueNonEmpty(names)
}

func categories(in []string) []string {
	out := make([]string, 0, len(in))
	for _, c := range in {
		out = append(out, truncate(plainText(c, false), maxTitleRunes))
	}
	return uniqueNonEmpty(out)
}

func uniqueNonEmpty(in []string) []string {
	var out []string
	seen := make(map[string]bool, len(in))
	for _, s := range in {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func truncate(s string, maxRunes int) string {
	if len(s) <= maxRunes || utf8.RuneCountInString(s) <= maxRunes {
		return s
	}
	n := 0
	for i := range s {
		if n == maxRunes-1 {
			return strings.TrimSpace(s[:i]) + "…"
		}
		n++
	}
	return s
}

// skippedElements hold code or embedded documents, never readable text.
var skippedElements = map[string]bool{
	"script": true, "style": true, "noscript": true, "template": true, "iframe": true,
	"object": true, "embed": true, "svg": true, "math": true, "head": true, "textarea": true,
}

// blockElements end a line of text.
var blockElements = map[string]bool{
	"p": true, "div": true, "br": true, "li": true, "ul": true, "ol": true, "h1": true, "h2": true,
	"h3": true, "h4": true, "h5": true, "h6": true, "blockquote": true, "pre": true, "tr": true,
	"table": true, "section": true, "article": true, "header": true, "footer": true, "figure": true,
	"figcaption": true, "hr": true, "dd": true, "dt": true, "dl": true,
}

// wordBreakElements separate words without ending a line; other inline
// elements (b, a, sub) may sit inside a word.
var wordBreakElements = map[string]bool{"td": true, "th": true, "img": true, "input": true, "wbr": true}

// plainText strips markup and decodes entities from untrusted feed text.
// With keepBreaks, block elements become line breaks (one per paragraph);
// otherwise all whitespace collapses to single spaces.
func plainText(s string, keepBreaks bool) string {
	if !strings.Contains(s, "<") {
		// No markup: skip the tokenizer (and its buffer) for the common case.
		if strings.Contains(s, "&") {
			s = html.UnescapeString(s)
		}
		return collapse(s, keepBreaks)
	}
	var b strings.Builder
	b.Grow(len(s))
	skipDepth := 0
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return collapse(b.String(), keepBreaks)
		case html.TextToken:
			if skipDepth == 0 {
				b.Write(z.Text())
			}
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			name, _ := z.TagName()
			tag := string(name)
			switch {
			case skippedElements[tag] && tt == html.StartTagToken:
				skipDepth++
			case skippedElements[tag] && tt == html.EndTagToken:
				skipDepth = max(0, skipDepth-1)
			case blockElements[tag]:
				b.WriteByte('\n')
			case wordBreakElements[tag]:
				b.WriteByte(' ')
			}
		}
	}
}

func collapse(s string, keepBreaks bool) string {
	if !keepBreaks {
		return strings.Join(strings.Fields(s), " ")
	}
	lines := strings.Split(s, "\n")
	out := lines[:0]
	for _, l := range lines {
		if l = strings.Join(strings.Fields(l), " "); l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
