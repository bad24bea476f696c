package backfill

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/claimwatch/claimwatch/internal/config"
	"github.com/claimwatch/claimwatch/internal/query"
	"github.com/claimwatch/claimwatch/storage"
)

// QueryOptions say which dated searches to run.
type QueryOptions struct {
	// Since is where the windows start; zero means each claim's made date.
	// Until is where they end; zero means now.
	Since, Until time.Time
	Now          func() time.Time
}

// RunQueries runs each query source's searches for its claims once per
// window: month windows from Since (or the claim's made date) to Until,
// halved while a window returns the engine's maximum (down to one day).
// Each window finished is checkpointed and not searched again.
func RunQueries(ctx context.Context, o Options, qo QueryOptions, sources []config.Source) (Stats, error) {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if qo.Now == nil {
		qo.Now = time.Now
	}
	r := &run{o: o, started: time.Now()}
	stop := r.reportEvery(ctx)
	defer stop()
	for _, src := range sources {
		if src.Kind != config.KindQuery || src.Query == nil {
			continue
		}
		watched := map[string]bool{}
		for _, id := range src.Query.Claims {
			watched[id] = true
		}
		for _, c := range o.Matcher.Claims() {
			if len(watched) > 0 && !watched[c.ID] || !o.wantClaim(c.ID) {
				continue
			}
			urls, err := query.Build(src.Query.Template, c)
			if err != nil {
				o.Log.Warn("backfill: no search for claim", "source", src.Name, "claim", c.ID, "err", err)
				continue
			}
			since, until := qo.Since, qo.Until
			if since.IsZero() {
				since = c.Made
			}
			if until.IsZero() {
				until = qo.Now()
			}
			for _, u := range urls {
				r.files(1, 0, 0)
				if err := r.searchWindows(ctx, src, u, query.Months(since, until)); err != nil {
					if ctx.Err() != nil || errors.Is(err, errStore) {
						return r.snapshot(), err
					}
					o.Log.Error("backfill: search not finished", "source", src.Name, "claim", c.ID, "err", err)
					r.files(0, 0, 1)
					continue
				}
				r.files(0, 1, 0)
			}
		}
	}
	return r.snapshot(), nil
}

// splitMark in a window's checkpoint offset says the window returned the
// engine's maximum and was halved.
const splitMark = 1

// searchWindows runs one search over windows, narrowing full ones.
func (r *run) searchWindows(ctx context.Context, src config.Source, searchURL string, windows []query.Window) error {
	max := query.MaxResults(src.Query.Template)
	var firstErr error
	for len(windows) > 0 {
		w := windows[0]
		windows = windows[1:]
		key := fmt.Sprintf("query:%s:%s:%s", src.Name, searchURL, w)
		cp, err := r.o.Store.Checkpoint(ctx, key)
		if err != nil {
			return fmt.Errorf("%w: %w", errStore, err)
		}
		if cp.Done {
			continue
		}
		if cp.Offset == splitMark {
			a, b, _ := w.Halves()
			windows = append([]query.Window{a, b}, windows...)
			continue
		}
		dated, ok, err := query.Dated(src.Query.Template, searchURL, w)
		if err != nil {
			return fmt.Errorf("source %s: %w", src.Name, err)
		}
		if ok {
			n, res, err := r.o.Pipeline.Search(ctx, src, dated)
			r.c.records.Add(int64(n))
			r.c.stored.Add(int64(res.NewArticles))
			r.c.evidence.Add(int64(res.NewEvidence))
			r.c.failed.Add(int64(res.ItemErrors))
			if err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				r.o.Log.Warn("backfill: dated search failed", "source", src.Name, "url", dated, "err", err)
				if firstErr == nil {
					firstErr = err
				}
				continue // not checkpointed: the next run tries it again
			}
			if n >= max {
				if a, b, split := w.Halves(); split {
					// Remembered, so a later run goes straight to the halves,
					// which are checkpointed each.
					if err := r.o.Store.SaveCheckpoint(context.WithoutCancel(ctx), storage.Checkpoint{Input: key, Offset: splitMark}); err != nil {
						return fmt.Errorf("%w: %w", errStore, err)
					}
					windows = append([]query.Window{a, b}, windows...)
					continue
				}
			}
		}
		if err := r.o.Store.SaveCheckpoint(context.WithoutCancel(ctx), checkpointDone(key)); err != nil {
			return fmt.Errorf("%w: %w", errStore, err)
		}
	}
	return firstErr
}
