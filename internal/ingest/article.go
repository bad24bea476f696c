package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"runtime/debug"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/claimwatch/claimwatch/claims"
	"github.com/claimwatch/claimwatch/internal/canonurl"
	"github.com/claimwatch/claimwatch/internal/charset"
	"github.com/claimwatch/claimwatch/internal/config"
	"github.com/claimwatch/claimwatch/internal/extract"
	"github.com/claimwatch/claimwatch/internal/fetch"
	"github.com/claimwatch/claimwatch/internal/matcher"
	"github.com/claimwatch/claimwatch/internal/newsdate"
	"github.com/claimwatch/claimwatch/internal/safetext"
	"github.com/claimwatch/claimwatch/internal/textsig"
	"github.com/claimwatch/claimwatch/storage"
)

// pubTime is a published time, where it was found, and why it cannot be
// fully trusted ("" when it can; see internal/newsdate).
type pubTime struct {
	t    time.Time
	from string // storage.Published*
	note string
}

// process turns the items into stored articles, a few at a time, until done
// or the context ends. Items already stored are skipped (idempotent polls).
func (pl *poll) process(ctx context.Context, items []item) error {
	workers := pl.p.ArticleWorkers
	if workers < 1 {
		workers = DefaultArticleWorkers
	}
	budget := &fetchBudget{left: pl.p.MaxArticleFetches}
	if budget.left < 1 {
		budget.left = DefaultMaxArticleFetches
	}

	// A full disk stops the poll: every item after it would fail the same
	// way, each with its own warning.
	parent := ctx
	ctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	queue := make(chan item)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for it := range queue {
				err := pl.safeArticle(ctx, it, budget)
				var ns notStoredError
				switch {
				case err == nil:
				case errors.As(err, &ns):
					pl.notStored(err)
					if errors.Is(err, storage.ErrDiskFull) {
						stop(err)
					} else if ctx.Err() == nil {
						pl.p.log().Warn("item not stored", "source", pl.src.Name, "link", it.link, "err", err)
					}
				case ctx.Err() == nil:
					pl.p.log().Warn("item skipped", "source", pl.src.Name, "link", it.link, "err", err)
					pl.mu.Lock()
					pl.res.ItemErrors++
					pl.mu.Unlock()
				}
			}
		}()
	}
	seen := map[string]bool{}
	unread := 0
	for _, it := range items {
		key := it.link + "\x00" + it.guid
		if seen[key] {
			continue
		}
		seen[key] = true
		if ctx.Err() != nil {
			unread++
			continue
		}
		select {
		case queue <- it:
		case <-ctx.Done():
			unread++
		}
	}
	close(queue)
	wg.Wait()
	if err := parent.Err(); err != nil {
		return fmt.Errorf("source %s: interrupted: %w", pl.src.Name, context.Cause(parent))
	}
	if cause := context.Cause(ctx); errors.Is(cause, storage.ErrDiskFull) {
		pl.mu.Lock()
		pl.res.NotStored += unread
		stored, left := pl.res.NewArticles, pl.res.NotStored
		pl.mu.Unlock()
		return fmt.Errorf("source %s: stopped after storing %d new article(s), %d item(s) left for the next poll: %w", pl.src.Name, stored, left, storage.ErrDiskFull)
	}
	return nil
}

// notStoredError is an item the store failed (not the source): the poll is
// partial and the item is read again next time.
type notStoredError struct{ err error }

func (e notStoredError) Error() string { return e.err.Error() }
func (e notStoredError) Unwrap() error { return e.err }

// notStored counts an item the store failed, keeping the first reason.
func (pl *poll) notStored(err error) {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	pl.res.NotStored++
	if pl.firstNotStored == nil {
		pl.firstNotStored = err
	}
}

// fetchBudget counts the article-page fetches a poll may still make.
type fetchBudget struct {
	mu   sync.Mutex
	left int
}

// take uses one fetch, if any is left.
func (b *fetchBudget) take() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.left == 0 {
		return false
	}
	b.left--
	return true
}

func (b *fetchBudget) spent() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.left == 0
}

// safeArticle is article with a panic turned into the item's error: one
// hostile item must not take down a daemon that runs for months.
func (pl *poll) safeArticle(ctx context.Context, it item, budget *fetchBudget) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("item %q: internal error: %v", it.link, r)
			pl.p.log().Error("panic while processing an item", "source", pl.src.Name, "link", it.link, "panic", r, "stack", string(debug.Stack()))
		}
	}()
	return pl.article(ctx, it, budget)
}

// deferItem counts an item left for the next poll.
func (pl *poll) deferItem() {
	pl.mu.Lock()
	pl.res.Deferred++
	pl.mu.Unlock()
}

// errDeferred marks an item left for the next poll (fetch budget spent).
var errDeferred = errors.New("article fetch budget of this poll spent; left for the next poll")

// article builds, matches and stores one item.
func (pl *poll) article(ctx context.Context, it item, budget *fetchBudget) error {
	now := pl.p.now()
	link, err := itemURL(it, pl.src)
	if err != nil {
		return err
	}
	// An item that needs its page once the budget is spent waits for the
	// next poll whether or not it is stored: asking the store would only
	// cost a query per item of a huge feed.
	if it.html == nil && pl.wantPage(it, link) && budget.spent() {
		pl.deferItem()
		return nil
	}
	if have, err := pl.have(ctx, link); err != nil || have {
		return storeErr(err)
	}
	a := storage.Article{URL: link, Title: it.title, Text: it.text, Source: pl.src.Name, Outlet: outlet(link),
		FetchedAt: now, FirstSeenAt: now, MatchedWith: pl.rules}
	pub := it.published

	page, err := pl.page(ctx, it, link, budget)
	switch {
	case errors.Is(err, errDeferred):
		pl.deferItem()
		return nil
	case err != nil && strings.TrimSpace(it.text) == "":
		return err
	case err != nil && errors.Is(err, fetch.ErrPrivateAddress):
		// Not a page that is down but a setting (fetch.allow_private), which
		// the operator can only fix if told: every such page is skipped.
		pl.p.log().Warn("article page refused; keeping the feed text", "source", pl.src.Name, "url", link, "err", err)
	case err != nil:
		pl.p.log().Debug("article page unavailable; keeping the feed text", "source", pl.src.Name, "url", link, "err", err)
	case page != nil:
		if page.URL != "" && page.URL != link {
			if have, err := pl.have(ctx, page.URL); err != nil || have {
				return storeErr(err)
			}
			a.URL, a.Outlet = page.URL, outlet(page.URL)
		}
		a.ClaimedURL = page.ClaimedCanonical
		if len(strings.TrimSpace(page.Text)) > len(strings.TrimSpace(a.Text)) {
			a.Text = page.Text
		}
		if a.Title == "" {
			a.Title = page.Title
		}
		a.Lang = page.Lang
		if pub.t.IsZero() && !page.Published.IsZero() {
			pub = pubTime{t: page.Published, from: storage.PublishedPage, note: page.PublishedNote}
		}
	}
	// Feed and page text is untrusted: what would act on a terminal is
	// removed before it is matched, stored or shown (see internal/safetext).
	a.Title, a.Text = clampTitle(safetext.Line(a.Title)), safetext.Clean(a.Text)
	if strings.TrimSpace(a.Text) == "" && strings.TrimSpace(a.Title) == "" {
		return fmt.Errorf("article %s: no title and no text", link)
	}
	a.PublishedAt, a.PublishedFlag, a.DateNote = publishedAt(pub, now)
	a.ContentHash = textsig.ContentHash(a.Title + "\n" + a.Text)
	a.SimHash = textsig.SimHash(a.Text)

	findings := pl.m.Match(matcher.Document{Title: a.Title, Body: a.Text})
	if pl.p.Preview != nil {
		pl.mu.Lock()
		defer pl.mu.Unlock()
		pl.p.Preview(a, findings)
		return nil
	}
	saved, err := pl.p.Store.SaveArticle(ctx, a, findings)
	if err != nil {
		return storeErr(fmt.Errorf("storing %s: %w", a.URL, err))
	}
	if pl.p.OnArticle != nil && (saved.New || saved.NewEvidence > 0) {
		pl.p.OnArticle(pl.src.Name, saved, findings)
	}
	pl.mu.Lock()
	defer pl.mu.Unlock()
	if saved.New {
		pl.res.NewArticles++
	}
	pl.res.NewEvidence += saved.NewEvidence
	if saved.NewEvidence > 0 {
		for _, f := range findings {
			if pl.res.Evidence[f.ClaimID] == nil {
				pl.res.Evidence[f.ClaimID] = map[claims.Stance]int{}
			}
			pl.res.Evidence[f.ClaimID][f.Stance]++
		}
	}
	return nil
}

// storeErr marks a failure of the store, not of the item.
func storeErr(err error) error {
	if err == nil {
		return nil
	}
	return notStoredError{err}
}

// have says whether the article is already stored (never, in a preview).
func (pl *poll) have(ctx context.Context, canonicalURL string) (bool, error) {
	if pl.p.Preview != nil {
		return false, nil
	}
	return pl.p.Store.HasArticle(ctx, canonicalURL)
}

// page returns the item's article page extracted, or nil when the page is
// not to be fetched.
func (pl *poll) page(ctx context.Context, it item, link string, budget *fetchBudget) (*extract.Page, error) {
	body, contentType := it.html, it.htmlContentType
	if body == nil {
		if !pl.wantPage(it, link) {
			return nil, nil
		}
		if !budget.take() {
			return nil, errDeferred
		}
		resp, err := pl.get(ctx, fetch.Request{URL: link, CheckRobots: true, Named: pl.onSourceHost(ctx, link)})
		if err != nil {
			return nil, err
		}
		body, contentType, link = resp.Body, resp.ContentType, resp.URL
	}
	utf8Body, _, err := charset.DecodeHTML(body, contentType)
	if err != nil {
		return nil, fmt.Errorf("article %s: %w", link, err)
	}
	pageURL := link
	if strings.HasPrefix(link, "file:") {
		pageURL = "" // a saved page: only its own canonical link names it
	}
	page, err := extract.Extract(ctx, bytes.NewReader(utf8Body), pageURL)
	if err != nil {
		return nil, fmt.Errorf("article %s: %w", link, err)
	}
	return page, nil
}

// onSourceHost says whether link is on the host (and port) of the
// source's own URL while that host is private (fetch.Client.PrivateHost):
// the operator named it, so its pages may be on a private address as the
// feed or sitemap itself may (an intranet news site). A public source's
// links keep passing the guard.
func (pl *poll) onSourceHost(ctx context.Context, link string) bool {
	src, err := url.Parse(pl.src.URL)
	if err != nil || src.Host == "" {
		return false
	}
	u, err := url.Parse(link)
	if err != nil || !strings.EqualFold(u.Host, src.Host) {
		return false
	}
	pl.privateOnce.Do(func() { pl.privateHost = pl.p.Fetcher.PrivateHost(ctx, src) })
	return pl.privateHost
}

// wantPage applies the source's fetch_articles setting.
func (pl *poll) wantPage(it item, link string) bool {
	if it.noFetch || !strings.HasPrefix(link, "http") {
		return false
	}
	switch pl.src.FetchArticles {
	case config.FetchAlways:
		return true
	case config.FetchNever:
		return false
	default: // auto: only when the feed carries a summary, not the article
		return !it.fullText
	}
}

// itemURL is the canonical URL an item is stored under. Items with no link
// get a stable made-up one, so that they are still deduplicated.
func itemURL(it item, src config.Source) (string, error) {
	if it.link != "" {
		if strings.HasPrefix(it.link, "file:") {
			return it.link, nil
		}
		u, err := canonurl.Canonicalize(it.link)
		if err != nil {
			return "", fmt.Errorf("item link: %w", err)
		}
		return u, nil
	}
	if strings.TrimSpace(it.title+it.text) == "" {
		return "", fmt.Errorf("item %q of %s: no link, title or text", it.guid, src.Name)
	}
	key := it.guid
	if key == "" {
		key = it.title + "\n" + it.text
	}
	return "urn:claimwatch:" + url.PathEscape(src.Name) + ":" + textsig.ContentHash(key)[:24], nil
}

func outlet(link string) string {
	u, err := url.Parse(link)
	if err != nil || u.Host == "" {
		return ""
	}
	return safetext.Line(strings.TrimPrefix(strings.ToLower(u.Hostname()), "www."))
}

// publishedAt stores dates in UTC. A missing date, or one before 1990 (a
// placeholder such as the Unix epoch, not history: counted as evidence it
// would predate every claim), becomes the time first seen; a future one is
// clamped to now. Both are flagged, and the note says why.
func publishedAt(p pubTime, now time.Time) (time.Time, string, string) {
	switch {
	case p.t.IsZero():
		return now, storage.PublishedFirstSeen, p.note
	case !newsdate.Plausible(p.t):
		return now, storage.PublishedFirstSeen, fmt.Sprintf("date %s is before %d: the time first seen is used",
			p.t.UTC().Format(time.RFC3339), newsdate.Earliest.Year())
	case p.t.After(now.Add(futureSlack)):
		return now, storage.PublishedFutureClamped, fmt.Sprintf("date %s is in the future: clamped to the time fetched",
			p.t.UTC().Format(time.RFC3339))
	default:
		return p.t.UTC(), p.from, p.note
	}
}

// maxTitleBytes bounds a stored title: a page may carry a title of any size,
// and a title is shown whole in every list and export.
const maxTitleBytes = 2048

// clampTitle cuts an oversized title at a word boundary and marks the cut.
func clampTitle(s string) string {
	if len(s) <= maxTitleBytes {
		return s
	}
	const mark = "…"
	cut := maxTitleBytes - len(mark)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	if sp := strings.LastIndexAny(s[:cut], " \t\n"); sp > cut/2 {
		cut = sp
	}
	return strings.TrimSpace(s[:cut]) + mark
}
