package feed

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/url"
	"strings"

	"golang.org/x/net/html"

	"github.com/claimwatch/claimwatch/internal/charset"
)

// maxAlternates bounds how many advertised feeds an HTML page may suggest.
const maxAlternates = 20

// rootElement is the lower-cased local name of the document's first element.
func rootElement(doc []byte) (string, error) {
	d := xml.NewDecoder(bytes.NewReader(doc))
	d.Strict = false // HTML pages get as far as their root too
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	for {
		tok, err := d.RawToken()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return "", errors.New("no root element")
			}
			return "", err
		}
		if se, ok := tok.(xml.StartElement); ok {
			return strings.ToLower(se.Name.Local), nil
		}
	}
}

func isFeedRoot(root string) bool {
	return root == "rss" || root == "rdf" || root == "feed"
}

// notAFeed explains why a body that is not JSON did not pass as a feed.
func notAFeed(data []byte, contentType, feedURL, root string, rootErr error) error {
	if looksLikeHTML(data, contentType, root) {
		return &HTMLPageError{URL: feedURL, Alternates: alternates(data, contentType, feedURL)}
	}
	switch {
	case rootErr != nil && bytes.HasPrefix(bytes.TrimSpace(data), []byte("<")):
		return fmt.Errorf("feed %s: %w: invalid XML before the root element: %v", feedURL, ErrMalformed, rootErr)
	case rootErr != nil:
		return fmt.Errorf("feed %s: %w: the body is neither XML nor JSON", feedURL, ErrNotFeed)
	default:
		return fmt.Errorf("feed %s: %w: unknown format (XML root element <%s>, expected <rss>, <rdf:RDF> or <feed>)", feedURL, ErrNotFeed, root)
	}
}

func looksLikeHTML(data []byte, contentType, root string) bool {
	if root == "html" {
		return true
	}
	if mt, _, _ := mime.ParseMediaType(contentType); mt == "text/html" || mt == "application/xhtml+xml" {
		return true
	}
	head := bytes.ToLower(data[:min(len(data), 1024)])
	return bytes.Contains(head, []byte("<!doctype html")) || bytes.Contains(head, []byte("<html"))
}

var feedMediaTypes = map[string]bool{
	"application/rss+xml":   true,
	"application/atom+xml":  true,
	"application/rdf+xml":   true,
	"application/feed+json": true,
	"application/json":      true,
	"application/xml":       true,
	"text/xml":              true,
}

// alternates lists the feeds an HTML page advertises with
// <link rel="alternate" type="application/rss+xml" href="...">, resolved
// against <base href> or the page URL.
func alternates(data []byte, contentType, pageURL string) []string {
	doc, _, err := charset.DecodeHTML(data, contentType)
	if err != nil {
		return nil
	}
	base, _ := url.Parse(pageURL)
	var out []string
	seen := map[string]bool{}
	z := html.NewTokenizer(bytes.NewReader(doc))
	for len(out) < maxAlternates {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		name, hasAttr := z.TagName()
		if !hasAttr || (string(name) != "link" && string(name) != "base") {
			continue
		}
		attrs := map[string]string{}
		for more := true; more; {
			var k, v []byte
			k, v, more = z.TagAttr()
			attrs[strings.ToLower(string(k))] = strings.TrimSpace(string(v))
		}
		if string(name) == "base" {
			if b, err := url.Parse(attrs["href"]); err == nil && base != nil {
				base = base.ResolveReference(b)
			}
			continue
		}
		mt, _, _ := mime.ParseMediaType(attrs["type"])
		if !hasToken(attrs["rel"], "alternate") || !feedMediaTypes[mt] {
			continue
		}
		if link := resolveLink(base, attrs["href"]); link != "" && !seen[link] {
			seen[link] = true
			out = append(out, link)
		}
	}
	return out
}

func hasToken(list, token string) bool {
	for _, f := range strings.Fields(list) {
		if strings.EqualFold(f, token) {
			return true
		}
	}
	return false
}
