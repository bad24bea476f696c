package ingest

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/claimwatch/claimwatch/internal/fetch"
	"github.com/claimwatch/claimwatch/internal/prefilter"
	"github.com/claimwatch/claimwatch/internal/sitemap"
	"github.com/claimwatch/claimwatch/storage"
)

const (
	// SitemapLookback is how far back a poll of a sitemap source reads:
	// a Google News sitemap lists the articles of the last two days, and
	// anything older is backfill's (claimwatch backfill --source).
	SitemapLookback = 48 * time.Hour
	// sitemapsPerPoll caps the sitemaps one poll reads: an index whose
	// children carry no lastmod would otherwise be read whole every time.
	sitemapsPerPoll = 50
)

// runSitemap polls a news site's sitemaps like a feed: the entries dated
// within SitemapLookback whose title or URL words can hold some claim's
// terms become items, and their pages are fetched. Undated entries are
// left to backfill: a poll cannot tell a new one from the site's archive.
func (pl *poll) runSitemap(ctx context.Context) error {
	site, err := url.Parse(pl.src.URL)
	if err != nil {
		return fmt.Errorf("source %s: %w", pl.src.Name, err)
	}
	// The source's own URL gets a conditional GET: an unchanged sitemap
	// costs one 304. A bare site's robots.txt is read each time.
	var root []byte
	if strings.Trim(site.Path, "/") != "" {
		resp, err := pl.conditionalGet(ctx, fetch.Request{Accept: sitemap.Accept})
		if err != nil || resp == nil {
			return err
		}
		root = resp.Body
	}
	get := func(ctx context.Context, u string) ([]byte, error) {
		if u == pl.src.URL && root != nil {
			b := root
			root = nil
			return b, nil
		}
		// The operator named the site: its own host may be private.
		resp, err := pl.get(ctx, fetch.Request{URL: u, Accept: sitemap.Accept, Named: pl.onSourceHost(ctx, u)})
		if err != nil {
			return nil, err
		}
		return resp.Body, nil
	}
	roots, err := sitemap.Roots(ctx, pl.src.URL, get)
	if err != nil {
		return fmt.Errorf("source %s: %w", pl.src.Name, err)
	}
	since := pl.p.now().Add(-SitemapLookback)
	filter := prefilter.New(pl.m)
	var items []item
	var errs []error
	undated, read, children, capped := 0, 0, 0, 0
	for _, r := range roots {
		st, err := sitemap.Walk(ctx, r, sitemap.Options{Fetch: get, Since: since, MaxSitemaps: sitemapsPerPoll}, func(e sitemap.Entry) error {
			switch {
			case e.Date().IsZero():
				undated++
			case filter.Entry(e.Title, sitemap.URLWords(e.URL)):
				items = append(items, item{link: e.URL, title: e.Title, published: pubTime{t: e.Date(), from: storage.PublishedFeed}})
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("source %s: sitemap %s: %w", pl.src.Name, r, err)
		}
		read += st.Sitemaps - len(st.Errors)
		children += st.Sitemaps - 1 // beyond the root: an index
		capped += len(st.Capped)
		errs = append(errs, st.Errors...)
		if len(st.Capped) > 0 {
			pl.p.log().Warn("sitemaps left unread this poll", "source", pl.src.Name, "capped", len(st.Capped), "first", st.Capped[0])
		}
	}
	if read == 0 && len(errs) > 0 {
		return fmt.Errorf("source %s: no sitemap could be read: %w", pl.src.Name, errors.Join(errs...))
	}
	if len(errs) > 0 {
		pl.p.log().Warn("sitemaps not read", "source", pl.src.Name, "failed", len(errs), "first_err", errs[0])
	}
	if children > 0 || capped > 0 || len(errs) > 0 {
		// An index can stay the same while its children change, and a
		// child left unread must be tried again: only a sitemap read whole
		// on its own may answer the next poll with a 304.
		pl.validators = []string{"", ""}
	}
	if undated > 0 {
		pl.p.log().Debug("undated sitemap entries left to backfill", "source", pl.src.Name, "entries", undated)
	}
	return pl.process(ctx, items)
}
