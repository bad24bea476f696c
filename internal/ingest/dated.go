package ingest

import (
	"context"

	"github.com/claimwatch/claimwatch/claims"
	"github.com/claimwatch/claimwatch/internal/config"
)

// Search runs one search URL of a query source (a dated search built by
// backfill) and processes its items as a poll does: each item's page
// fetched, extracted, matched and stored. It returns how many items the
// search gave, so that a caller can narrow a window that returned the
// engine's maximum. Nothing is recorded on the source: its schedule,
// validators and backoff are the daemon's.
func (p *Pipeline) Search(ctx context.Context, src config.Source, searchURL string) (items int, res Result, err error) {
	res = Result{Source: src.Name, Evidence: map[string]map[claims.Stance]int{}}
	pl := p.newPoll(src, nil, &res)
	found, err := pl.searchFeed(ctx, searchURL)
	if err != nil {
		return 0, res, err
	}
	return len(found), res, pl.process(ctx, found)
}
