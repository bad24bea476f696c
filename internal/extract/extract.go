// Package extract reduces an article page to its main text and metadata:
// canonical URL, title, publication time, language and description.
//
// Main text comes from go-trafilatura (precision focus) with readeck's
// go-readability and DOM Distiller as its fallbacks, the combination that
// scored best on the shared article-extraction benchmark (see
// extract_f1_test.go). The page's JSON-LD articleBody is used only when the
// extractors find much less text than it holds: where both exist it is
// often truncated or marked up and scores worse.
//
// The package does not fetch pages or decode charsets: input is UTF-8 HTML.
package extract

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	readability "codeberg.org/readeck/go-readability/v2"
	trafilatura "github.com/markusmobius/go-trafilatura"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// MaxPageBytes bounds the HTML read from one page (10 MiB): larger pages are
// not articles, and parsing them would cost memory out of proportion.
const MaxPageBytes = 10 << 20

// ErrTooLarge is wrapped by Extract and Text when the input exceeds MaxPageBytes.
var ErrTooLarge = errors.New("page larger than 10 MiB")

// Page is what Extract finds in an article page.
type Page struct {
	// URL is the page's <link rel=canonical> resolved and canonicalised,
	// when it is on the page's own site (see canonurl.SameSite) or the page
	// URL is not known; else the given URL canonicalised ("" if neither is
	// known).
	URL string
	// ClaimedCanonical is a canonical link to another site, refused: any
	// page could otherwise claim another outlet's article URL and have the
	// genuine article skipped as a duplicate.
	ClaimedCanonical string
	Title            string
	// Published is the publication time in UTC, zero if unknown.
	Published time.Time
	// PublishedFrom names the source of Published: "json-ld", "meta",
	// "time" (a <time datetime> element) or "" when unknown.
	PublishedFrom string
	// PublishedNote says why Published cannot be fully trusted (an unknown
	// or ambiguous zone abbreviation), empty when it can.
	PublishedNote string
	// Lang is a BCP 47 tag ("en", "pt-BR"), "" if the page does not say.
	Lang        string
	Text        string // main text, paragraphs separated by blank lines
	Description string
}

// Extract reads an article page (UTF-8 HTML, at most MaxPageBytes) and returns
// its main text and metadata. pageURL is where the page was fetched from;
// it may be empty for local files. The work is CPU-bound; ctx is checked
// between stages.
func Extract(ctx context.Context, r io.Reader, pageURL string) (*Page, error) {
	doc, err := parseBounded(ctx, r)
	if err != nil {
		return nil, fmt.Errorf("extract %s: %w", pageURL, err)
	}
	var base *url.URL
	if pageURL != "" {
		if base, err = url.Parse(pageURL); err != nil {
			return nil, fmt.Errorf("extract %s: page URL: %w", pageURL, err)
		}
	}
	page, ld, err := readMetadata(doc, pageURL)
	if err != nil {
		return nil, fmt.Errorf("extract %s: %w", pageURL, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("extract %s: %w", pageURL, err)
	}
	page.Text = mainText(doc, base, ld.Body)
	return page, nil
}

// Text reduces an HTML page (at most MaxPageBytes) to all its readable text,
// for pages where Extract finds no article.
func Text(r io.Reader) (string, error) {
	doc, err := parseBounded(context.Background(), r)
	if err != nil {
		return "", fmt.Errorf("html to text: %w", err)
	}
	return renderText(doc), nil
}

func parseBounded(ctx context.Context, r io.Reader) (*html.Node, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b, err := readBounded(r, MaxPageBytes)
	if err != nil {
		return nil, err
	}
	doc, err := html.Parse(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("parse HTML: %w", err)
	}
	return doc, ctx.Err()
}

// readBounded reads all of r, failing with ErrTooLarge past limit bytes.
func readBounded(r io.Reader, limit int) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, int64(limit)+1))
	if err != nil {
		return nil, fmt.Errorf("read page: %w", err)
	}
	if len(b) > limit {
		return nil, fmt.Errorf("%w: stopped reading after %d bytes", ErrTooLarge, limit)
	}
	return b, nil
}

// mainText runs the extractor combination chosen by measurement.
func mainText(doc *html.Node, base *url.URL, ldBody string) string {
	opts := trafilatura.Options{
		OriginalURL:     base,
		Focus:           trafilatura.FavorPrecision,
		EnableFallback:  true,
		ExcludeComments: true,
		// Publication dates come from readMetadata; trafilatura's own date
		// search scans the whole page with many regular expressions.
		HtmlDateMode: trafilatura.Disabled,
	}
	// readeck's fork of go-readability scores better here than the one
	// trafilatura bundles, so hand its result in as the readability candidate.
	if art, err := readability.FromDocument(doc, base); err == nil && art.Node != nil {
		opts.FallbackCandidates = &trafilatura.FallbackCandidates{Readability: art.Node}
	}
	var text string
	if res, err := trafilatura.ExtractDocument(doc, opts); err == nil && res != nil && res.ContentNode != nil {
		text = renderText(res.ContentNode)
	}
	// A page rendered by script may carry its article only in JSON-LD.
	if body := linkedDataText(ldBody); len(strings.Fields(text))*2 < len(strings.Fields(body)) {
		return body
	}
	return text
}

// linkedDataText turns a JSON-LD articleBody, which some sites fill with
// HTML, into plain text.
func linkedDataText(body string) string {
	if body == "" {
		return ""
	}
	if !strings.Contains(body, "<") {
		return strings.TrimSpace(html.UnescapeString(body))
	}
	nodes, err := html.ParseFragment(strings.NewReader(body), &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div})
	if err != nil {
		return strings.TrimSpace(html.UnescapeString(body))
	}
	root := &html.Node{Type: html.ElementNode, Data: "div"}
	for _, n := range nodes {
		root.AppendChild(n)
	}
	return renderText(root)
}
