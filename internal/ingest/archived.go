package ingest

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/claimwatch/claimwatch/claims"
	"github.com/claimwatch/claimwatch/internal/canonurl"
	"github.com/claimwatch/claimwatch/internal/extract"
	"github.com/claimwatch/claimwatch/internal/matcher"
	"github.com/claimwatch/claimwatch/internal/safetext"
	"github.com/claimwatch/claimwatch/internal/textsig"
	"github.com/claimwatch/claimwatch/storage"
)

// Archived is a page read from an archive (a WARC record): its bytes are at
// hand, so nothing is fetched.
type Archived struct {
	URL  string
	Body []byte // UTF-8 HTML
	// Captured is when the archive took the page: its date when the page
	// gives none of its own, flagged first_seen.
	Captured time.Time
}

// ArchivedResult is what became of an archived page.
type ArchivedResult struct {
	// Known: an article of that canonical URL is already stored, so the
	// page was not extracted again (a resumed backfill, an overlap).
	Known    bool
	Findings []claims.Finding
	Stored   bool
	Saved    storage.SaveResult
}

// StoreArchived extracts, matches and stores one archived page for source,
// deduplicated like every article. With keepAll false a page that gives no
// evidence is not stored (an archive's unrelated pages are counted, not
// kept).
func (p *Pipeline) StoreArchived(ctx context.Context, source string, pg Archived, keepAll bool) (ArchivedResult, error) {
	var res ArchivedResult
	link := pg.URL
	if !strings.HasPrefix(link, "file:") {
		var err error
		if link, err = canonurl.Canonicalize(pg.URL); err != nil {
			return res, fmt.Errorf("archived page %q: %w", pg.URL, err)
		}
	}
	if have, err := p.Store.HasArticle(ctx, link); err != nil || have {
		res.Known = have
		return res, err
	}
	page, err := extract.Extract(ctx, bytes.NewReader(pg.Body), link)
	if err != nil {
		return res, fmt.Errorf("archived page %s: %w", link, err)
	}
	if page.URL != "" && page.URL != link {
		if have, err := p.Store.HasArticle(ctx, page.URL); err != nil || have {
			res.Known = have
			return res, err
		}
		link = page.URL
	}
	now := p.now()
	// Archived text is as untrusted as feed text (see internal/safetext).
	a := storage.Article{URL: link, Title: clampTitle(safetext.Line(page.Title)), Text: safetext.Clean(page.Text),
		Source: source, Outlet: outlet(link), Lang: page.Lang, FetchedAt: now, FirstSeenAt: now,
		ClaimedURL: page.ClaimedCanonical}
	if strings.TrimSpace(a.Text) == "" && strings.TrimSpace(a.Title) == "" {
		return res, fmt.Errorf("archived page %s: no title and no text", link)
	}
	pub := pubTime{t: page.Published, from: storage.PublishedPage, note: page.PublishedNote}
	if pub.t.IsZero() && !pg.Captured.IsZero() {
		pub = pubTime{t: pg.Captured, from: storage.PublishedFirstSeen}
	}
	a.PublishedAt, a.PublishedFlag, a.DateNote = publishedAt(pub, now)
	a.ContentHash = textsig.ContentHash(a.Title + "\n" + a.Text)
	a.SimHash = textsig.SimHash(a.Text)
	m := p.Matcher()
	res.Findings = m.Match(matcher.Document{Title: a.Title, Body: a.Text})
	if !keepAll && len(res.Findings) == 0 {
		return res, nil
	}
	// As a poll's articles do: a reload during the backfill is caught and
	// the page re-matched with the new rules.
	a.MatchedWith = storage.RulesOf(m.Claims())
	if res.Saved, err = p.Store.SaveArticle(ctx, a, res.Findings); err != nil {
		return res, fmt.Errorf("storing %s: %w", a.URL, err)
	}
	res.Stored = true
	if p.OnArticle != nil && (res.Saved.New || res.Saved.NewEvidence > 0) {
		p.OnArticle(source, res.Saved, res.Findings)
	}
	return res, nil
}
