package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/claimwatch/claimwatch/internal/charset"
	"github.com/claimwatch/claimwatch/internal/config"
	"github.com/claimwatch/claimwatch/internal/feed"
	"github.com/claimwatch/claimwatch/internal/fetch"
	"github.com/claimwatch/claimwatch/internal/matcher"
	"github.com/claimwatch/claimwatch/internal/query"
	"github.com/claimwatch/claimwatch/internal/scrape"
	"github.com/claimwatch/claimwatch/storage"
)

// poll is the state of one Poll call.
type poll struct {
	p     *Pipeline
	src   config.Source
	state storage.SourceState
	res   *Result
	m     *matcher.Matcher
	rules storage.Rules // of m, recorded with every saved article

	notModified bool
	validators  []string // ETag, Last-Modified to keep
	// firstNotStored is the first store failure, for the poll's error.
	firstNotStored error

	mu sync.Mutex // guards res counters from the item workers

	// privateHost: the source's host is private (see onSourceHost),
	// looked up once a poll.
	privateOnce sync.Once
	privateHost bool
}

// newPoll starts a poll of src with the pipeline's current matcher; every
// article it saves records the rules it was matched with, so a reload in
// the middle is caught and re-matched (storage.Rules). state is nil for a
// search that records nothing on the source.
func (p *Pipeline) newPoll(src config.Source, state *storage.SourceState, res *Result) *poll {
	m := p.Matcher()
	pl := &poll{p: p, src: src, res: res, m: m, rules: storage.RulesOf(m.Claims())}
	if state != nil {
		pl.state = *state
	}
	return pl
}

// item is one candidate article, from a feed item, a listing link, a search
// result or a local file.
type item struct {
	link, guid      string
	title           string
	text            string // feed content or summary, plain text
	fullText        bool   // the feed carries the whole article (see fullBodyChars)
	published       pubTime
	html            []byte // set for local HTML files: the page itself
	htmlContentType string
	noFetch         bool // local backfill: never fetch the item's page
}

func (pl *poll) run(ctx context.Context) error {
	switch pl.src.Kind {
	case config.KindPage:
		return pl.runPage(ctx)
	case config.KindQuery:
		return pl.runQuery(ctx)
	case config.KindSitemap:
		return pl.runSitemap(ctx)
	default:
		if pl.src.IsLocal() {
			return pl.runLocal(ctx)
		}
		return pl.runFeed(ctx)
	}
}

// conditionalGet fetches the source's own URL with the stored validators
// and keeps the new ones; a nil response means not modified.
func (pl *poll) conditionalGet(ctx context.Context, req fetch.Request) (*fetch.Response, error) {
	// The operator named the source's URL, so its host may be private.
	req.URL, req.ETag, req.LastModified, req.Named = pl.src.URL, pl.state.ETag, pl.state.LastModified, true
	resp, err := pl.get(ctx, req)
	if err != nil {
		return nil, err
	}
	pl.validators = []string{resp.ETag, resp.LastModified}
	if resp.NotModified {
		pl.notModified = true
		return nil, nil
	}
	return resp, nil
}

// runFeed: a conditional GET of the feed, then its new items.
func (pl *poll) runFeed(ctx context.Context) error {
	resp, err := pl.conditionalGet(ctx, fetch.Request{
		Accept: "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, */*;q=0.8"})
	if err != nil || resp == nil {
		return err
	}
	f, err := feed.Parse(resp.Body, resp.ContentType, resp.URL)
	if err != nil {
		return err
	}
	return pl.process(ctx, feedItems(f.Items))
}

// runPage: the listing page, its links by CSS selector, then each article.
func (pl *poll) runPage(ctx context.Context) error {
	resp, err := pl.conditionalGet(ctx, fetch.Request{CheckRobots: true})
	if err != nil || resp == nil {
		return err
	}
	body, _, err := charset.DecodeHTML(resp.Body, resp.ContentType)
	if err != nil {
		return fmt.Errorf("page %s: %w", resp.URL, err)
	}
	links, err := scrape.Links(bytes.NewReader(body), resp.URL, scrape.Selectors(*pl.src.Page))
	if err != nil {
		return fmt.Errorf("page %s: %w", resp.URL, err)
	}
	items := make([]item, 0, len(links))
	for _, l := range links {
		items = append(items, item{link: l.URL, title: l.Title, published: pubTime{t: l.Published, from: storage.PublishedPage}})
	}
	return pl.process(ctx, items)
}

// runQuery: the search feeds built from each watched claim's terms.
func (pl *poll) runQuery(ctx context.Context) error {
	watched := map[string]bool{}
	for _, id := range pl.src.Query.Claims {
		watched[id] = true
	}
	var urls []string
	for _, c := range pl.m.Claims() {
		if len(watched) > 0 && !watched[c.ID] {
			continue
		}
		u, err := query.Build(pl.src.Query.Template, c)
		if err != nil {
			return fmt.Errorf("source %s: claim %s: %w", pl.src.Name, c.ID, err)
		}
		urls = append(urls, u...)
	}
	// A stop abandons the remaining URLs at once: a query source may hold
	// dozens, each waiting on the search service's rate limit.
	qctx, release := pl.p.untilStopping(ctx)
	defer release()
	var items []item
	var firstErr error
	ok, failed := 0, 0
	for i, u := range urls {
		if qctx.Err() != nil || pl.p.stopping() {
			if ctx.Err() == nil {
				return fmt.Errorf("source %s: stopping, %d of %d search URL(s) not read: %w", pl.src.Name, len(urls)-i, len(urls), ErrStopping)
			}
			return ctx.Err()
		}
		got, err := pl.searchFeed(qctx, u)
		if err != nil {
			if qctx.Err() != nil {
				continue // the check above reports the stop
			}
			failed++
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		ok++
		items = append(items, got...)
	}
	if (qctx.Err() != nil || pl.p.stopping()) && ctx.Err() == nil {
		return fmt.Errorf("source %s: stopping: %w", pl.src.Name, ErrStopping)
	}
	// One line per poll, however many URLs failed (offline, every one does).
	if failed > 0 {
		pl.p.log().Warn("search feeds failed", "source", pl.src.Name, "failed", failed, "of", len(urls), "first_err", firstErr)
	}
	if ok == 0 && firstErr != nil {
		return fmt.Errorf("source %s: all %d search URL(s) failed; the first: %w", pl.src.Name, len(urls), firstErr)
	}
	return pl.process(ctx, items)
}

func (pl *poll) searchFeed(ctx context.Context, u string) ([]item, error) {
	resp, err := pl.get(ctx, fetch.Request{URL: u, Named: true}) // built from the operator's template
	if err != nil {
		return nil, err
	}
	if pl.src.Query.Template == query.GDELTJSON {
		arts, err := query.ParseGDELTJSON(resp.Body)
		if err != nil {
			return nil, fmt.Errorf("search %s: %w", u, err)
		}
		items := make([]item, 0, len(arts))
		for _, a := range arts {
			items = append(items, item{link: a.URL, title: a.Title, published: pubTime{t: a.Seendate, from: storage.PublishedFeed}})
		}
		return items, nil
	}
	f, err := feed.Parse(resp.Body, resp.ContentType, resp.URL)
	if err != nil {
		return nil, err
	}
	return feedItems(f.Items), nil
}

// runLocal reads a saved feed or page, or a directory of them (backfill).
// Nothing is fetched from the network for local sources.
func (pl *poll) runLocal(ctx context.Context) error {
	path := localPath(pl.src.URL)
	info, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("source %s: %w", pl.src.Name, err)
	}
	files := []string{path}
	if info.IsDir() {
		entries, err := os.ReadDir(path)
		if err != nil {
			return fmt.Errorf("source %s: %w", pl.src.Name, err)
		}
		files = files[:0]
		for _, e := range entries {
			if e.Type().IsRegular() && !strings.HasPrefix(e.Name(), ".") {
				files = append(files, filepath.Join(path, e.Name()))
			}
		}
		sort.Strings(files)
	}
	var items []item
	readable := 0
	for _, file := range files {
		got, err := pl.localFile(ctx, file)
		if err != nil {
			pl.p.log().Warn("local file skipped", "source", pl.src.Name, "file", file, "err", err)
			pl.res.ItemErrors++
			continue
		}
		readable++
		items = append(items, got...)
	}
	if readable == 0 && len(files) > 0 {
		return fmt.Errorf("source %s: none of %d file(s) in %s could be read as a feed or page", pl.src.Name, len(files), path)
	}
	return pl.process(ctx, items)
}

func (pl *poll) localFile(ctx context.Context, file string) ([]item, error) {
	fileURL := (&url.URL{Scheme: "file", Path: file}).String()
	resp, err := pl.get(ctx, fetch.Request{URL: fileURL, AllowFile: true})
	if err != nil {
		return nil, err
	}
	f, err := feed.Parse(resp.Body, resp.ContentType, fileURL)
	if err == nil {
		items := feedItems(f.Items)
		for i := range items {
			items[i].noFetch = true
		}
		return items, nil
	}
	var htmlErr *feed.HTMLPageError
	if !errors.As(err, &htmlErr) {
		return nil, err
	}
	return []item{{link: fileURL, html: resp.Body, htmlContentType: resp.ContentType}}, nil
}

func localPath(u string) string {
	if strings.HasPrefix(u, "file://") {
		if parsed, err := url.Parse(u); err == nil {
			return parsed.Path
		}
	}
	return u
}

// get fetches through the shared client and counts bytes and the source
// request's status.
func (pl *poll) get(ctx context.Context, req fetch.Request) (*fetch.Response, error) {
	resp, err := pl.p.Fetcher.Get(ctx, req)
	var se *fetch.StatusError
	pl.mu.Lock()
	defer pl.mu.Unlock()
	switch {
	case err == nil:
		pl.res.Bytes += resp.Bytes
		if pl.res.Status == 0 {
			pl.res.Status = resp.Status
		}
	case errors.As(err, &se):
		if pl.res.Status == 0 {
			pl.res.Status = se.Code
		}
	}
	return resp, err
}

func feedItems(in []feed.Item) []item {
	out := make([]item, 0, len(in))
	for _, it := range in {
		text := it.Content
		if len(text) < len(it.Summary) {
			text = it.Summary
		}
		pub := pubTime{t: it.Published, from: storage.PublishedFeed, note: it.DateNote}
		if pub.t.IsZero() {
			pub.t = it.Updated
		}
		out = append(out, item{link: it.Link, guid: it.GUID, title: it.Title, text: text, published: pub, fullText: carriesArticle(it)})
	}
	return out
}

// carriesArticle says whether a feed item holds the article itself rather
// than a teaser: a long text, or a content body well beyond its summary.
func carriesArticle(it feed.Item) bool {
	if max(len(it.Content), len(it.Summary)) >= fullTextChars {
		return true
	}
	return len(it.Content) >= fullBodyChars && (it.Summary == "" || 2*len(it.Content) >= 3*len(it.Summary))
}
