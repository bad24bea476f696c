package extract

import (
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/claimwatch/claimwatch/internal/canonurl"
	"github.com/claimwatch/claimwatch/internal/newsdate"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/text/language"
)

// headFacts are the metadata elements of a page, gathered in one walk.
type headFacts struct {
	meta      map[string]string // lower-cased property/name/itemprop -> first non-empty content
	htmlLang  string
	title     string // <title>
	h1        string // first <h1>
	canonical string // href of the first <link rel=canonical>
	timeAttr  string // datetime of the publication <time>, see walkHead
	timeBest  bool   // timeAttr came from a <time> marked as the publication time
}

// readMetadata fills every Page field but Text and returns the page's
// JSON-LD for the body step.
func readMetadata(doc *html.Node, pageURL string) (*Page, linkedData, error) {
	f := walkHead(doc)
	ld := findLinkedData(doc)
	p := &Page{}

	var err error
	if p.URL, p.ClaimedCanonical, err = pageCanonical(pageURL, f.canonical); err != nil {
		return nil, ld, err
	}
	site := f.meta["og:site_name"]
	host := ""
	if u, err := url.Parse(p.URL); err == nil {
		host = u.Hostname()
	}
	for _, t := range []string{f.meta["og:title"], ld.Headline, f.title, f.meta["twitter:title"], f.h1} {
		if t = cleanTitle(t, site, host); t != "" {
			p.Title = t
			break
		}
	}
	p.Published, p.PublishedFrom, p.PublishedNote = published(f, ld)
	p.Lang = firstLang(f.htmlLang, f.meta["content-language"], f.meta["og:locale"], ld.Lang, f.meta["language"], f.meta["dc.language"])
	p.Description = firstNonEmpty(f.meta["og:description"], f.meta["description"], f.meta["twitter:description"], ld.Description)
	return p, ld, nil
}

func walkHead(doc *html.Node) headFacts {
	f := headFacts{meta: map[string]string{}}
	forEach(doc, func(n *html.Node) bool {
		switch n.DataAtom {
		case atom.Html:
			if f.htmlLang == "" {
				f.htmlLang = firstNonEmpty(attr(n, "lang"), attr(n, "xml:lang"))
			}
		case atom.Meta:
			content := strings.TrimSpace(attr(n, "content"))
			if content == "" {
				content = strings.TrimSpace(attr(n, "datetime"))
			}
			for _, key := range []string{attr(n, "property"), attr(n, "name"), attr(n, "itemprop"), attr(n, "http-equiv")} {
				key = strings.ToLower(strings.TrimSpace(key))
				if key != "" && content != "" && f.meta[key] == "" {
					f.meta[key] = content
				}
			}
		case atom.Title:
			if f.title == "" && n.Parent != nil && n.Parent.DataAtom == atom.Head {
				f.title = renderText(n)
			}
			return false
		case atom.H1:
			if f.h1 == "" {
				f.h1 = renderText(n)
			}
		case atom.Link:
			if f.canonical == "" && hasToken(attr(n, "rel"), "canonical") {
				f.canonical = strings.TrimSpace(attr(n, "href"))
			}
		case atom.Time:
			// Prefer a <time> marked as the publication time; else the
			// first one in the document.
			dt := strings.TrimSpace(attr(n, "datetime"))
			if dt == "" || f.timeBest {
				break
			}
			marked := strings.EqualFold(attr(n, "itemprop"), "datePublished") || hasAttr(n, "pubdate") ||
				strings.Contains(strings.ToLower(attr(n, "class")), "publish")
			if marked || f.timeAttr == "" {
				f.timeAttr, f.timeBest = dt, marked
			}
		case atom.Script, atom.Style, atom.Noscript, atom.Template, atom.Svg:
			return false
		}
		return true
	})
	return f
}

// pageCanonical resolves the page's canonical link against its URL and
// returns the URL the page is known by, and a canonical link that was
// refused because it names another site. A canonical link that does not
// resolve to an http(s) URL is ignored, as sites get it wrong; a bad
// pageURL is an error. Without a pageURL (a saved page) the canonical link
// is all there is, and is taken.
func pageCanonical(pageURL, canonical string) (string, string, error) {
	own := ""
	if pageURL != "" {
		var err error
		if own, err = canonurl.Canonicalize(pageURL); err != nil {
			return "", "", err
		}
	}
	if canonical == "" {
		return own, "", nil
	}
	base := pageURL
	if base == "" {
		base = canonical
	}
	claimed, err := canonurl.Resolve(base, canonical)
	switch {
	case err != nil:
		return own, "", nil
	case own == "" || canonurl.SameSite(own, claimed):
		return claimed, "", nil
	default:
		return own, claimed, nil
	}
}

// publishedMeta are <meta> keys that carry the publication time, best first.
var publishedMeta = []string{
	"article:published_time", "og:article:published_time", "og:published_time",
	"datepublished", "article.published", "article_date_original", "publication_date",
	"publishdate", "publish_date", "publish-date", "pubdate", "published_time",
	"parsely-pub-date", "sailthru.date", "cxenseparse:recs:publishtime", "rnews:datepublished",
	"dc.date.issued", "dcterms.issued", "dc.date.created", "dcterms.created", "dc.date", "dcterms.date",
	"originalpublicationdate", "og:pubdate", "date", "displaydate",
}

func published(f headFacts, ld linkedData) (time.Time, string, string) {
	if t, note, ok := parseTime(ld.Published); ok {
		return t, "json-ld", note
	}
	for _, key := range publishedMeta {
		if t, note, ok := parseTime(f.meta[key]); ok {
			return t, "meta", note
		}
	}
	if t, note, ok := parseTime(f.timeAttr); ok {
		return t, "time", note
	}
	return time.Time{}, "", ""
}

// timeLayouts are the machine-readable date forms found in article pages.
// Layouts without a zone are read as UTC.
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02T15:04:05.999999999Z07",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999 Z07:00",
	"2006-01-02 15:04:05.999999999 -0700",
	"2006-01-02 15:04:05.999999999 -0700 MST",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02 15:04",
	"2006-01-02",
	"2006/01/02 15:04:05",
	"2006/01/02",
	"20060102",
	time.RFC1123Z,
	time.RFC1123,
	"Mon, 2 Jan 2006 15:04:05 -0700",
	"Mon, 2 Jan 2006 15:04:05 MST",
	"January 2, 2006 3:04 PM",
	"January 2, 2006",
	"Jan 2, 2006",
	"2 January 2006",
}

// parseTime reads s in any of timeLayouts and returns it in UTC, with zone
// abbreviations read by their offsets and a note when the zone is unknown
// or ambiguous (see internal/newsdate).
func parseTime(s string) (time.Time, string, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, "", false
	}
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			if t.Year() < 1900 || t.Year() > 2200 {
				return time.Time{}, "", false
			}
			t, note := newsdate.Resolve(s, t)
			return t, note, true
		}
	}
	return time.Time{}, "", false
}

// titleSeparators split a page title from the site name around it.
var titleSeparators = []string{" | ", " – ", " — ", " - ", " :: ", " · ", " » ", " // "}

// cleanTitle collapses white space and drops a site-name prefix or suffix:
// one that names the site (og:site_name or the host), or after a " | ", a
// short last part (at most four words, shorter than the rest).
func cleanTitle(title, site, host string) string {
	title = strings.Join(strings.Fields(title), " ")
	for _, sep := range titleSeparators {
		if i := strings.LastIndex(title, sep); i > 0 {
			head, tail := title[:i], title[i+len(sep):]
			if namesSite(tail, site, host) ||
				sep == " | " && len(strings.Fields(tail)) <= 4 && len(tail) < len(head) {
				return cleanTitle(head, site, host)
			}
		}
		if i := strings.Index(title, sep); i > 0 {
			if head, tail := title[:i], title[i+len(sep):]; tail != "" && namesSite(head, site, host) {
				return cleanTitle(tail, site, host)
			}
		}
	}
	return title
}

// namesSite reports whether part of a title is the site's name: equal to
// og:site_name, or opening with words that spell a label of the host
// ("BBC News" on bbc.co.uk, "Vortex Cannon Entertainment" on
// vortexcannon.org).
func namesSite(part, site, host string) bool {
	part = strings.TrimSpace(part)
	if part == "" {
		return false
	}
	if site != "" && strings.EqualFold(part, strings.TrimSpace(site)) {
		return true
	}
	if host == "" {
		return false
	}
	for _, label := range strings.Split(strings.ToLower(host), ".") {
		if len(label) < 3 || label == "www" || label == "com" || label == "news" {
			continue
		}
		spelled := ""
		for _, w := range strings.Fields(part) {
			if spelled += alnum(w); spelled == label {
				return true
			}
			if !strings.HasPrefix(label, spelled) {
				break
			}
		}
	}
	return false
}

func alnum(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return unicode.ToLower(r)
		}
		return -1
	}, s)
}

// firstLang returns the first value that parses as a language tag, in
// canonical BCP 47 form ("en_us" -> "en-US").
func firstLang(values ...string) string {
	for _, v := range values {
		v = strings.TrimSpace(strings.ReplaceAll(v, "_", "-"))
		if i := strings.IndexAny(v, ", "); i >= 0 { // "en, fr"
			v = v[:i]
		}
		if v == "" {
			continue
		}
		if tag, err := language.Parse(v); err == nil && tag != language.Und {
			return tag.String()
		}
	}
	return ""
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}

func hasToken(list, token string) bool {
	for _, t := range strings.Fields(list) {
		if strings.EqualFold(t, token) {
			return true
		}
	}
	return false
}

func hasAttr(n *html.Node, name string) bool {
	for _, a := range n.Attr {
		if strings.EqualFold(a.Key, name) {
			return true
		}
	}
	return false
}
