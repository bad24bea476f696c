package backfill

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/claimwatch/claimwatch/internal/canonurl"
	"github.com/claimwatch/claimwatch/internal/charset"
	"github.com/claimwatch/claimwatch/internal/fetch"
	"github.com/claimwatch/claimwatch/internal/ingest"
	"github.com/claimwatch/claimwatch/internal/prefilter"
	"github.com/claimwatch/claimwatch/internal/sitemap"
	"github.com/claimwatch/claimwatch/storage"
)

// SitemapOptions add to Options what a sitemap backfill needs.
type SitemapOptions struct {
	Fetcher      *fetch.Client // polite: per-host delay, robots.txt for pages
	Since, Until time.Time
}

// RunSitemaps backfills from news sitemaps. Each root is a sitemap (index)
// URL, or a site's address, whose robots.txt Sitemap: lines are then read.
// An entry whose title and URL words cannot hold any claim's terms is not
// fetched (a site of a million URLs costs its candidates); an entry with
// neither a title nor words in its URL is fetched, since nothing can be
// told from it. With NoPrefilter every entry in the window is fetched. A child sitemap read in full is checkpointed and not read
// again by a later run.
func RunSitemaps(ctx context.Context, o Options, so SitemapOptions, roots []string) (Stats, error) {
	if o.Source == "" {
		o.Source = DefaultSource
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	r := &run{o: o, started: time.Now()}
	stop := r.reportEvery(ctx)
	defer stop()
	var titles, pages *prefilter.Filter
	if !o.NoPrefilter {
		fm, err := o.filterMatcher()
		if err != nil {
			return Stats{}, err
		}
		titles = prefilter.New(fm)
		if !o.StoreAll {
			pages = prefilter.New(fm)
		}
	}
	for _, root := range roots {
		// The operator named the site: its own host may be private (an
		// intranet archive), other hosts its sitemaps point to may not.
		named := onPrivateHost(ctx, so.Fetcher, root)
		get := func(ctx context.Context, u string) ([]byte, error) {
			resp, err := so.Fetcher.Get(ctx, fetch.Request{URL: u, Named: named(u), Accept: sitemap.Accept})
			if err != nil {
				return nil, err
			}
			return resp.Body, nil
		}
		sitemaps, err := sitemap.Roots(ctx, root, get)
		if err != nil {
			o.Log.Error("backfill: no sitemaps", "site", root, "err", err)
			r.files(1, 0, 1) // the site stands for its sitemaps: "1 of 1 not finished"
			continue
		}
		r.files(len(sitemaps), 0, 0)
		for _, sm := range sitemaps {
			st, err := sitemap.Walk(ctx, sm, sitemap.Options{
				Fetch: get, Since: so.Since, Until: so.Until,
				Skip: func(child string) bool {
					cp, err := o.Store.Checkpoint(ctx, sitemapKey(so, child))
					return err == nil && cp.Done
				},
				Done: func(child string) error {
					return o.Store.SaveCheckpoint(context.WithoutCancel(ctx), checkpointDone(sitemapKey(so, child)))
				},
			}, func(e sitemap.Entry) error {
				return r.sitemapEntry(ctx, so, titles, pages, named, e)
			})
			for _, e := range st.Errors {
				o.Log.Warn("backfill: sitemap not read", "err", e)
			}
			for _, c := range st.Capped {
				o.Log.Warn("backfill: sitemap cut at a cap", "sitemap", c)
			}
			if err != nil {
				return r.snapshot(), fmt.Errorf("backfill from %s: %w", sm, err)
			}
			if len(st.Errors) > 0 {
				r.files(0, 0, 1)
			} else {
				r.files(0, 1, 0)
			}
		}
	}
	return r.snapshot(), nil
}

func checkpointDone(input string) storage.Checkpoint {
	return storage.Checkpoint{Input: input, Done: true}
}

// sitemapEntry fetches, prefilters and stores one entry's page.
func (r *run) sitemapEntry(ctx context.Context, so SitemapOptions, titles, pages *prefilter.Filter, named func(string) bool, e sitemap.Entry) error {
	r.c.records.Add(1)
	if titles != nil && !titles.Entry(e.Title, sitemap.URLWords(e.URL)) {
		return nil
	}
	if canon, err := canonurl.Canonicalize(e.URL); err != nil {
		r.c.failed.Add(1)
		r.o.Log.Warn("backfill: sitemap entry's URL not usable", "url", e.URL, "err", err)
		return nil
	} else if known, err := r.o.Store.HasArticle(ctx, canon); err == nil && known {
		r.c.known.Add(1)
		return nil
	}
	resp, err := so.Fetcher.Get(ctx, fetch.Request{URL: e.URL, CheckRobots: true, Named: named(e.URL)})
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		r.c.failed.Add(1)
		r.o.Log.Warn("backfill: page not fetched", "url", e.URL, "err", err)
		return nil
	}
	r.c.bytes.Add(int64(len(resp.Body)))
	body, _, err := charset.DecodeHTML(resp.Body, resp.ContentType)
	if err != nil {
		r.c.failed.Add(1)
		r.o.Log.Warn("backfill: page not decoded", "url", e.URL, "err", err)
		return nil
	}
	if pages != nil && !pages.Page(body) {
		return nil
	}
	r.c.candidates.Add(1)
	res, err := r.o.Pipeline.StoreArchived(ctx, r.o.Source, ingest.Archived{URL: resp.URL, Body: body, Captured: e.Date()}, r.o.StoreAll)
	return r.count(ctx, e.URL, res, err)
}

// onPrivateHost says whether a URL is on the host (and port) of root while
// that host is private (fetch.Client.PrivateHost): the operator named the
// site, so its sitemaps and pages may be on a private address (an intranet
// archive). A public site's links keep passing the guard.
func onPrivateHost(ctx context.Context, f *fetch.Client, root string) func(string) bool {
	ru, err := url.Parse(root)
	private := err == nil && ru.Host != "" && f.PrivateHost(ctx, ru)
	return func(u string) bool {
		pu, err := url.Parse(u)
		return private && err == nil && strings.EqualFold(pu.Host, ru.Host)
	}
}

// sitemapKey is a sitemap's checkpoint: read for this window. A later run
// with another window reads it again for the entries it did not take.
func sitemapKey(so SitemapOptions, sitemapURL string) string {
	day := func(t time.Time) string {
		if t.IsZero() {
			return "-"
		}
		return t.UTC().Format(time.DateOnly)
	}
	return "sitemap:" + day(so.Since) + ".." + day(so.Until) + ":" + sitemapURL
}
