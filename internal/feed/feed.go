// Package feed parses RSS (0.9x, 1.0/RDF, 2.0), Atom (0.3, 1.0) and JSON Feed
// (1.0, 1.1) documents into claimwatch's own small Feed and Item types. It
// owns charset decoding before parsing (via internal/charset), turning
// untrusted markup into plain text, resolving relative links, dropping
// non-http(s) links and de-duplicating items; fetching is internal/fetch's job
// and deciding which items are new is the caller's.
package feed

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/mmcdole/gofeed"
	"github.com/mmcdole/gofeed/atom"
	gofeedjson "github.com/mmcdole/gofeed/json"
	"github.com/mmcdole/gofeed/rss"

	"github.com/claimwatch/claimwatch/internal/charset"
)

// Item is one entry. Title, Summary and Content are plain text (markup
// stripped, entities decoded); Content keeps paragraph breaks as newlines.
// Link is absolute http(s) or empty. Published and Updated are UTC, zero when
// missing, and kept even when in the future (callers clamp and flag those);
// callers that need one date should use Published, else Updated.
type Item struct {
	GUID, Link, Title, Summary, Content string
	Published                           time.Time
	Updated                             time.Time
	// DateNote says why the item's date cannot be fully trusted (an unknown
	// or ambiguous zone abbreviation, a date that could not be read); empty
	// when it can. See internal/newsdate.
	DateNote   string
	Authors    []string
	Categories []string
}

// Feed is a parsed feed. Format names the dialect, e.g. "rss 2.0", "rdf 1.0",
// "atom 1.0", "json 1.1".
type Feed struct {
	Title, Link, Language string
	Items                 []Item
	Format                string
}

// Errors callers can branch on; each is wrapped with the feed URL.
var (
	// ErrEmpty: the body is empty or blank.
	ErrEmpty = errors.New("empty body")
	// ErrNotFeed: the body is a well-formed document of another kind (an
	// HTML page, see *HTMLPageError, or XML/JSON that is no feed format).
	ErrNotFeed = errors.New("not a feed")
	// ErrMalformed: the body looks like a feed but cannot be parsed
	// (truncated XML, invalid JSON, ...).
	ErrMalformed = errors.New("malformed feed")
)

// HTMLPageError says the URL serves an HTML page. Alternates are the feeds
// the page advertises with <link rel="alternate">, absolute, for suggesting
// to the user.
type HTMLPageError struct {
	URL        string
	Alternates []string
}

func (e *HTMLPageError) Error() string {
	msg := fmt.Sprintf("feed %s: is an HTML page, not a feed", e.URL)
	switch len(e.Alternates) {
	case 0:
	case 1:
		msg += "; it advertises the feed " + e.Alternates[0]
	default:
		msg += fmt.Sprintf("; it advertises %d feeds, the first is %s", len(e.Alternates), e.Alternates[0])
	}
	return msg
}

func (e *HTMLPageError) Unwrap() error { return ErrNotFeed }

// Parse parses a feed body. contentType is the HTTP Content-Type (for its
// charset) and feedURL the address it came from, used to resolve relative
// links and named in every error.
func Parse(data []byte, contentType, feedURL string) (*Feed, error) {
	trimmed := bytes.TrimLeft(data, " \t\r\n\ufeff") // whitespace and a UTF-8 BOM
	if len(trimmed) == 0 {
		return nil, fmt.Errorf("feed %s: %w", feedURL, ErrEmpty)
	}

	var (
		parsed *gofeed.Feed
		root   string
		err    error
	)
	if trimmed[0] == '{' {
		// JSON is UTF-8 by definition (RFC 8259); no declaration to honour.
		root = "json"
		parsed, err = parseJSON(bytes.ToValidUTF8(trimmed, []byte("\uFFFD")))
	} else {
		var doc []byte
		if doc, _, err = charset.DecodeXML(data, contentType); err != nil {
			return nil, fmt.Errorf("feed %s: %w", feedURL, err)
		}
		doc = stripInvalidXMLChars(doc)
		root, err = rootElement(doc)
		if err != nil || !isFeedRoot(root) {
			return nil, notAFeed(data, contentType, feedURL, root, err)
		}
		parsed, err = parseXML(doc, root)
	}
	if err != nil {
		return nil, fmt.Errorf("feed %s: %w: %v", feedURL, ErrMalformed, err)
	}
	return convert(parsed, root, feedURL), nil
}

// rssTranslator skips gofeed's search for an item image, which parses every
// description as an HTML document (a quarter of the parse time) for a field
// claimwatch does not use. Translators are stateless, so one is shared.
var rssTranslator = &gofeed.DefaultRSSTranslator{DisableContentImageScan: true}

func parseJSON(doc []byte) (*gofeed.Feed, error) {
	jf, err := (&gofeedjson.Parser{}).Parse(bytes.NewReader(doc))
	if err != nil {
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	if jf.Version == "" && len(jf.Items) == 0 {
		return nil, fmt.Errorf("JSON document has neither a JSON Feed version nor items")
	}
	return (&gofeed.DefaultJSONTranslator{}).Translate(jf)
}

func parseXML(doc []byte, root string) (*gofeed.Feed, error) {
	if root == "feed" {
		af, err := (&atom.Parser{}).Parse(bytes.NewReader(doc))
		if err != nil {
			return nil, wrapXMLErr(err)
		}
		return (&gofeed.DefaultAtomTranslator{}).Translate(af)
	}
	rf, err := (&rss.Parser{}).Parse(bytes.NewReader(doc))
	if err != nil {
		return nil, wrapXMLErr(err)
	}
	return rssTranslator.Translate(rf)
}

func wrapXMLErr(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("XML ends early (truncated download?): %w", err)
	}
	return fmt.Errorf("invalid XML: %w", err)
}

// stripInvalidXMLChars removes C0 control characters that XML 1.0 forbids
// and that careless feed generators emit, raw or as numeric references
// (&#27;, &#x1B;); the XML parser would reject the whole feed for one of
// them. Characters XML allows but a terminal obeys (C1 controls, bidi
// overrides) are removed later, at ingest (internal/safetext).
func stripInvalidXMLChars(b []byte) []byte {
	b = dropForbiddenCharRefs(b)
	bad := func(c byte) bool { return c < 0x20 && c != '\t' && c != '\n' && c != '\r' }
	i := bytes.IndexFunc(b, func(r rune) bool { return r < 0x20 && bad(byte(r)) })
	if i < 0 {
		return b
	}
	out := make([]byte, 0, len(b))
	out = append(out, b[:i]...)
	for _, c := range b[i:] {
		if !bad(c) {
			out = append(out, c)
		}
	}
	return out
}

// dropForbiddenCharRefs removes numeric character references to characters
// XML 1.0 forbids (controls other than tab, newline and CR; surrogates;
// U+FFFE, U+FFFF; beyond U+10FFFF). Other references are left to the parser.
func dropForbiddenCharRefs(b []byte) []byte {
	var out []byte // nil until a reference is dropped: most feeds need none
	last := 0      // b[last:] is not copied to out yet
	for from := 0; ; {
		i := bytes.Index(b[from:], []byte("&#"))
		if i < 0 {
			break
		}
		start := from + i
		if n, r, ok := charRef(b[start:]); ok && !xmlChar(r) {
			if out == nil {
				out = make([]byte, 0, len(b))
			}
			out = append(out, b[last:start]...)
			last = start + n
			from = last
		} else {
			from = start + 2
		}
	}
	if out == nil {
		return b
	}
	return append(out, b[last:]...)
}

// charRef parses a numeric reference at the start of b ("&#27;", "&#x1b;"),
// giving its length and value; ok is false when b does not start with one.
func charRef(b []byte) (n int, r rune, ok bool) {
	i, base := 2, rune(10)
	if i < len(b) && (b[i] == 'x' || b[i] == 'X') {
		i, base = 3, 16
	}
	digits := 0
	for ; i < len(b) && digits < 8; i, digits = i+1, digits+1 {
		d := rune(-1)
		switch c := b[i]; {
		case c >= '0' && c <= '9':
			d = rune(c - '0')
		case base == 16 && c >= 'a' && c <= 'f':
			d = rune(c-'a') + 10
		case base == 16 && c >= 'A' && c <= 'F':
			d = rune(c-'A') + 10
		}
		if d < 0 {
			break
		}
		r = r*base + d
	}
	if digits == 0 || i >= len(b) || b[i] != ';' {
		return 0, 0, false
	}
	return i + 1, r, true
}

// xmlChar reports whether XML 1.0 allows r in a document (its Char rule).
func xmlChar(r rune) bool {
	switch {
	case r == '\t' || r == '\n' || r == '\r':
		return true
	case r < 0x20:
		return false
	case r >= 0xd800 && r <= 0xdfff, r == 0xfffe, r == 0xffff, r > 0x10ffff:
		return false
	}
	return true
}
