// Package sitemap walks a news site's sitemaps for backfill: a sitemap
// index (found through robots.txt Sitemap: lines, or given), its child
// sitemaps filtered by lastmod to a date window, and the URL entries,
// including Google News entries (news:title, news:publication_date).
//
// Sitemaps are read as a stream, so an index of 100,000 entries costs its
// bytes, not a DOM; each sitemap is capped in bytes and in URL entries, a
// walk in sitemaps, and a sitemap met again (a loop) is not read twice.
// Fetching is the caller's (politeness and robots live in internal/fetch).
package sitemap

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"
)

// Limits of the sitemap protocol, used as defaults for Options' caps.
const (
	DefaultMaxBytes    = 50 << 20 // per sitemap, uncompressed
	DefaultMaxURLs     = 50_000   // entries per sitemap
	DefaultMaxSitemaps = 10_000   // sitemaps per walk
)

// Accept is the Accept header a sitemap is fetched with.
const Accept = "application/xml, text/xml;q=0.9, */*;q=0.5"

// Entry is one URL entry of a sitemap.
type Entry struct {
	URL     string
	LastMod time.Time
	// Title and Published come from a Google News entry, when it has one.
	Title     string
	Published time.Time
}

// Date is the entry's publication date, else its lastmod (zero if none).
func (e Entry) Date() time.Time {
	if !e.Published.IsZero() {
		return e.Published
	}
	return e.LastMod
}

// Options configure a walk.
type Options struct {
	// Fetch returns a sitemap's bytes (gzipped or not).
	Fetch func(ctx context.Context, url string) ([]byte, error)
	// Since and Until bound the window: [Since, Until); zero is open.
	Since, Until time.Time
	MaxBytes     int64
	MaxURLs      int
	MaxSitemaps  int
	// Skip, when set, says a child sitemap was already read in full (a
	// resumed walk).
	Skip func(sitemapURL string) bool
	// Done, when set, is called after a sitemap's entries were all handed
	// to the walk's callback.
	Done func(sitemapURL string) error
}

// Stats count a walk.
type Stats struct {
	Sitemaps, Skipped, Entries, InWindow int
	Capped                               []string // sitemaps cut at a cap
	Errors                               []error  // sitemaps that could not be read
}

// Walk reads the sitemap at root and, through index entries, its children,
// and calls fn for every URL entry dated in the window (undated entries are
// kept). A sitemap that cannot be read is recorded in Stats.Errors and the
// walk goes on; Walk fails only when fn or Done fails or ctx ends.
func Walk(ctx context.Context, root string, o Options, fn func(Entry) error) (Stats, error) {
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.MaxURLs <= 0 {
		o.MaxURLs = DefaultMaxURLs
	}
	if o.MaxSitemaps <= 0 {
		o.MaxSitemaps = DefaultMaxSitemaps
	}
	var st Stats
	seen := map[string]bool{}
	queue := []string{root}
	for len(queue) > 0 {
		if err := ctx.Err(); err != nil {
			return st, err
		}
		sm := queue[0]
		queue = queue[1:]
		if seen[sm] {
			continue // a loop, or listed twice
		}
		seen[sm] = true
		if st.Sitemaps == o.MaxSitemaps {
			st.Capped = append(st.Capped, sm)
			continue
		}
		if o.Skip != nil && sm != root && o.Skip(sm) {
			st.Skipped++
			continue
		}
		st.Sitemaps++
		body, err := o.Fetch(ctx, sm)
		if err != nil {
			if ctx.Err() != nil {
				return st, ctx.Err()
			}
			st.Errors = append(st.Errors, fmt.Errorf("sitemap %s: %w", sm, err))
			continue
		}
		children, capped, err := parse(body, o, &st, func(e Entry) error {
			st.Entries++
			if d := e.Date(); !d.IsZero() && (!o.Since.IsZero() && d.Before(o.Since) || !o.Until.IsZero() && !d.Before(o.Until)) {
				return nil
			}
			st.InWindow++
			return fn(e)
		})
		if capped {
			st.Capped = append(st.Capped, sm)
		}
		if err != nil {
			var fnErr callbackError
			if errors.As(err, &fnErr) {
				return st, fnErr.err
			}
			st.Errors = append(st.Errors, fmt.Errorf("sitemap %s: %w", sm, err))
			continue
		}
		for _, c := range children {
			// A child last modified before the window holds nothing in it.
			if !c.LastMod.IsZero() && !o.Since.IsZero() && c.LastMod.Before(o.Since) {
				continue
			}
			if ref, err := resolve(sm, c.URL); err == nil {
				queue = append(queue, ref)
			}
		}
		// A sitemap cut at a cap was not read whole: it is not done.
		if o.Done != nil && len(children) == 0 && !capped {
			if err := o.Done(sm); err != nil {
				return st, err
			}
		}
	}
	return st, nil
}

type callbackError struct{ err error }

func (e callbackError) Error() string { return e.err.Error() }

// parse streams one sitemap: URL entries go to fn, index entries are
// returned.
func parse(body []byte, o Options, st *Stats, fn func(Entry) error) (children []Entry, capped bool, err error) {
	var r io.Reader = bytes.NewReader(body)
	if len(body) > 2 && body[0] == 0x1f && body[1] == 0x8b {
		zr, err := gzip.NewReader(r)
		if err != nil {
			return nil, false, fmt.Errorf("gzip: %w", err)
		}
		r = zr
	}
	lim := &io.LimitedReader{R: r, N: o.MaxBytes}
	dec := xml.NewDecoder(bufio.NewReader(lim))
	dec.Strict = false
	var cur *Entry
	var inIndexEntry, rooted bool
	var field string
	urls := 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if lim.N <= 0 {
				return children, true, nil // cut at the byte cap: keep what was read
			}
			return children, false, fmt.Errorf("XML: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if !rooted {
				// An HTML error or login page served with 200 is not an
				// empty sitemap: read as one it would be checkpointed done.
				if t.Name.Local != "urlset" && t.Name.Local != "sitemapindex" {
					return nil, false, fmt.Errorf("not a sitemap: the document is <%s>, want <urlset> or <sitemapindex>", t.Name.Local)
				}
				rooted = true
			}
			switch name := t.Name.Local; name {
			case "url":
				cur, inIndexEntry = &Entry{}, false
			case "sitemap":
				cur, inIndexEntry = &Entry{}, true
			default:
				field = name
			}
		case xml.CharData:
			if cur == nil {
				continue
			}
			text := strings.TrimSpace(string(t))
			switch field {
			case "loc":
				cur.URL += text
			case "lastmod":
				cur.LastMod = parseDate(text)
			case "publication_date":
				cur.Published = parseDate(text)
			case "title":
				cur.Title += text
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "url":
				if cur != nil && cur.URL != "" && !inIndexEntry {
					urls++
					if urls > o.MaxURLs {
						return children, true, nil
					}
					if err := fn(*cur); err != nil {
						return children, false, callbackError{err}
					}
				}
				cur = nil
			case "sitemap":
				if cur != nil && cur.URL != "" && inIndexEntry {
					if len(children) >= o.MaxURLs {
						return children, true, nil
					}
					children = append(children, *cur)
				}
				cur = nil
			}
			field = ""
		}
	}
	if !rooted {
		return nil, false, errors.New("not a sitemap: the document has no XML element")
	}
	return children, false, nil
}

// parseDate reads W3C datetime forms (2006-01-02, with time, with zone).
func parseDate(s string) time.Time {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00", "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

func resolve(base, ref string) (string, error) {
	b, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	r, err := url.Parse(strings.TrimSpace(ref))
	if err != nil {
		return "", err
	}
	return b.ResolveReference(r).String(), nil
}

// Roots returns the sitemaps a site names: a URL with a path is a sitemap
// itself; a bare site's robots.txt is asked for its Sitemap: lines.
func Roots(ctx context.Context, site string, fetch func(ctx context.Context, url string) ([]byte, error)) ([]string, error) {
	if err := CheckSite(site); err != nil {
		return nil, err
	}
	u, _ := url.Parse(site)
	if strings.Trim(u.Path, "/") != "" {
		return []string{site}, nil
	}
	robots := u.ResolveReference(&url.URL{Path: "/robots.txt"}).String()
	body, err := fetch(ctx, robots)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", robots, err)
	}
	sms := FromRobots(robots, body)
	if len(sms) == 0 {
		return nil, fmt.Errorf("%s lists no Sitemap: lines; give the sitemap's URL", robots)
	}
	return sms, nil
}

// CheckSite refuses what Roots cannot read: anything but an http(s) URL
// with a host.
func CheckSite(site string) error {
	u, err := url.Parse(site)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return fmt.Errorf("sitemap %q: want an http(s) URL", site)
	}
	return nil
}

// FromRobots returns the Sitemap: lines of a robots.txt, resolved against
// its URL.
func FromRobots(robotsURL string, body []byte) []string {
	var out []string
	for _, line := range strings.Split(string(body), "\n") {
		key, val, ok := strings.Cut(strings.TrimSpace(line), ":")
		if !ok || !strings.EqualFold(strings.TrimSpace(key), "sitemap") {
			continue
		}
		if ref, err := resolve(robotsURL, strings.TrimSpace(val)); err == nil {
			out = append(out, ref)
		}
	}
	return out
}

// URLWords returns the words of a URL's path, for the prefilter: news
// sites put the headline in the slug.
func URLWords(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return ""
	}
	path, _ := url.PathUnescape(p.Path)
	return strings.Map(func(r rune) rune {
		switch r {
		case '/', '-', '_', '.', '+', '~':
			return ' '
		}
		return r
	}, path)
}
