// Package ingest is one poll of a news source, end to end: fetch the feed,
// listing page, search feed or local files; turn each new item into an
// article (canonical URL, main text, date); match it against the claims; and
// store the article with its evidence in one transaction. It also records the
// poll's outcome, validators and backoff on the source.
//
// Scheduling is not here: `run --once` calls RunOnce, the daemon calls Poll
// from its scheduler.
package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/claimwatch/claimwatch/claims"
	"github.com/claimwatch/claimwatch/internal/config"
	"github.com/claimwatch/claimwatch/internal/fetch"
	"github.com/claimwatch/claimwatch/internal/matcher"
	"github.com/claimwatch/claimwatch/internal/safetext"
	"github.com/claimwatch/claimwatch/storage"
)

// Defaults for a Pipeline's zero fields.
const (
	// DefaultMaxArticleFetches bounds article-page fetches in one poll, so a
	// feed of 10,000 items cannot keep one poll busy for hours; the items
	// not reached are not stored and are picked up by the next poll.
	DefaultMaxArticleFetches = 200
	// DefaultArticleWorkers is how many items of one source are processed
	// at once (the fetcher's per-host limits still apply).
	DefaultArticleWorkers = 4
	// fullTextChars: feed text at least this long counts as the full
	// article, so fetch_articles: auto does not fetch the page.
	fullTextChars = 1200
	// An item whose content body (content:encoded, Atom content) is at least
	// fullBodyChars long and half as long again as its summary (or has no
	// summary beside it) carries the article too, however short it is.
	// Measured on testdata/corpus/feeds/real: large_atom.xml's 25 full-text
	// bodies run 490-10,853 characters beside truncated summaries of 259-402
	// (1.6 times and more); feeds whose content merely repeats the summary
	// (encoding_ISO-8859-1.xml, 145-370 characters) or that carry summaries
	// only (rdf, urdu, no_encoding) stay below, so their pages are fetched.
	fullBodyChars = 400
	// futureSlack tolerates clock skew before a date counts as future.
	futureSlack = 15 * time.Minute
)

// Pipeline polls sources into the store. Its fields are set once; Poll and
// RunOnce may run concurrently.
type Pipeline struct {
	Store   *storage.Store
	Fetcher *fetch.Client
	// Matcher returns the current compiled claims; the daemon swaps them on
	// SIGHUP, so it is read once per poll.
	Matcher func() *matcher.Matcher
	Log     *slog.Logger
	// Now is the clock (tests fix it).
	Now func() time.Time
	// MaxArticleFetches and ArticleWorkers: see the defaults above.
	MaxArticleFetches int
	ArticleWorkers    int
	// OnPoll, when set, sees every poll's result (metrics, progress).
	OnPoll func(Result)
	// OnArticle, when set, sees every newly stored article (metrics).
	OnArticle func(source string, saved storage.SaveResult, findings []claims.Finding)
	// Stopping, when set, is closed when the daemon begins to stop: a poll
	// that still has many requests ahead (a query source's search URLs)
	// drops them at once and counts as skipped, instead of running on until
	// the shutdown deadline cancels its context.
	Stopping <-chan struct{}
	// Preview, when set, makes polls dry runs (`sources test`): each article
	// goes to Preview instead of the store, and nothing at all is written;
	// Store may then be nil.
	Preview func(a storage.Article, findings []claims.Finding)
}

// Result is the outcome of one poll of one source.
type Result struct {
	Source      string
	Outcome     string // storage.Outcome*
	Status      int    // HTTP status of the source request, 0 when none
	Err         error
	NewArticles int
	NewEvidence int
	// Evidence counts new evidence by claim and stance.
	Evidence map[string]map[claims.Stance]int
	// ItemErrors counts items that could not be turned into articles (their
	// page failed and the feed had no text); the poll still succeeds.
	ItemErrors int
	// Deferred counts items left for the next poll because this poll's
	// article-fetch budget was spent.
	Deferred int
	// NotStored counts items that could not be stored (the database failed
	// them, or its disk filled before they were reached). The poll is then
	// partial and keeps the old validators, so the next poll reads them
	// again.
	NotStored  int
	Bytes      int64
	Duration   time.Duration
	BackoffTil time.Time
}

// Succeeded says the source answered (new items or not modified) and
// everything it offered was stored.
func (r Result) Succeeded() bool {
	return r.Outcome == storage.OutcomeOK || r.Outcome == storage.OutcomeNotModified
}

func (p *Pipeline) now() time.Time {
	if p.Now != nil {
		return p.Now().UTC()
	}
	return time.Now().UTC()
}

func (p *Pipeline) log() *slog.Logger {
	if p.Log != nil {
		return p.Log
	}
	return slog.Default()
}

// ErrInBackoff is the reason a source in backoff is skipped.
var ErrInBackoff = errors.New("in backoff after failures")

// ErrStopping is the reason a poll cut short by the daemon's stop ended.
var ErrStopping = errors.New("the daemon is stopping")

// stopping says whether Stopping is closed (the context cancel that
// untilStopping arranges comes a moment later).
func (p *Pipeline) stopping() bool {
	select {
	case <-p.Stopping: // a nil channel is never ready
		return true
	default:
		return false
	}
}

// untilStopping returns ctx, also cancelled once Stopping is closed; release
// frees it.
func (p *Pipeline) untilStopping(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(ctx)
	if p.Stopping == nil {
		return ctx, cancel
	}
	go func() {
		select {
		case <-p.Stopping:
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx, cancel
}

// Poll polls one source once and records the outcome on it. With force, a
// source in backoff is polled anyway (sources test, a manual run).
func (p *Pipeline) Poll(ctx context.Context, src config.Source, force bool) Result {
	started := p.now()
	res := Result{Source: src.Name, Evidence: map[string]map[claims.Stance]int{}}
	var state storage.SourceState
	var err error
	if p.Preview == nil {
		state, err = p.Store.SourceState(ctx, src.Name)
	}
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		res.Outcome, res.Err = storage.OutcomeFailed, fmt.Errorf("source %s: reading its state: %w", src.Name, err)
		if ctx.Err() != nil {
			res.Outcome = storage.OutcomeSkipped // shutdown, not the source
		}
		return p.finish(ctx, res, state, started, false)
	}
	if !force && state.BackoffUntil.After(started) {
		res.Outcome = storage.OutcomeSkipped
		res.Err = fmt.Errorf("source %s: %w until %s (last error: %s)", src.Name, ErrInBackoff, state.BackoffUntil.Format(time.RFC3339), state.LastError)
		res.BackoffTil = state.BackoffUntil
		if p.OnPoll != nil {
			p.OnPoll(res)
		}
		return res
	}

	poll := p.newPoll(src, &state, &res)
	err = poll.run(ctx)
	p.rematchIfReloaded(ctx, poll.m)
	validators := poll.validators
	switch {
	case err != nil && (ctx.Err() != nil || errors.Is(err, ErrStopping)):
		// Stopped by shutdown, not the source's fault: no error count, no
		// backoff, and the old validators, so the next poll reads it again.
		res.Outcome, res.Err, validators = storage.OutcomeSkipped, err, nil
	case errors.Is(err, storage.ErrDiskFull):
		res.Outcome, res.Err = storage.OutcomePartial, err
	case err == nil && res.NotStored > 0:
		res.Outcome = storage.OutcomePartial
		res.Err = fmt.Errorf("source %s: %d item(s) could not be stored (first: %w); they are read again at the next poll", src.Name, res.NotStored, poll.firstNotStored)
	case err != nil:
		res.Outcome, res.Err = storage.OutcomeFailed, err
	case poll.notModified:
		res.Outcome = storage.OutcomeNotModified
	default:
		res.Outcome = storage.OutcomeOK
	}
	if res.Deferred > 0 || res.NotStored > 0 || res.Outcome == storage.OutcomePartial {
		// Items were left for the next poll: keeping the new validators
		// would turn that poll into a 304 and lose them.
		validators = nil
	}
	return p.finish(ctx, res, state, started, true, validators...)
}

// rematchIfReloaded matches again, with the live claims, what a poll that
// ran with an older claim set saved after the reload: the reload's own
// re-match ran before those saves.
func (p *Pipeline) rematchIfReloaded(ctx context.Context, used *matcher.Matcher) {
	live := p.Matcher()
	if p.Preview != nil || live == used {
		return
	}
	// Cut short by shutdown, the rest waits for the next start.
	if err := RematchOutdated(ctx, p.Store, live, p.log()); err != nil && ctx.Err() == nil {
		p.log().Error("re-matching articles saved with older claims (retried at the next reload or start)", "err", err)
	}
}

// finish records the poll on the source (validators, error count, backoff)
// and reports it.
func (p *Pipeline) finish(ctx context.Context, res Result, state storage.SourceState, started time.Time, record bool, validators ...string) Result {
	res.Duration = p.now().Sub(started)
	rec := storage.PollRecord{
		Source: res.Source, Started: started, Duration: res.Duration, Status: res.Status,
		Outcome: res.Outcome, NewArticles: res.NewArticles, NewEvidence: res.NewEvidence, Bytes: res.Bytes,
		ETag: state.ETag, LastModified: state.LastModified,
	}
	if len(validators) == 2 {
		rec.ETag, rec.LastModified = validators[0], validators[1]
	}
	if res.Err != nil {
		rec.Err = safetext.Line(res.Err.Error()) // may quote what a server sent
	}
	if res.Outcome == storage.OutcomeFailed {
		var retryAfter time.Duration
		var se *fetch.StatusError
		if errors.As(res.Err, &se) {
			retryAfter = se.RetryAfter
		}
		res.BackoffTil = started.Add(fetch.Backoff(state.ErrorCount+1, retryAfter))
		rec.BackoffUntil = res.BackoffTil
	}
	if record && p.Preview == nil {
		// The poll's context may be cancelled (shutdown); the record of what
		// was done must still be written.
		if err := p.Store.RecordPoll(context.WithoutCancel(ctx), rec); err != nil {
			p.log().Error("recording poll", "source", res.Source, "err", err)
		}
	}
	if p.OnPoll != nil {
		p.OnPoll(res)
	}
	return res
}

// Summary is what RunOnce did across all sources.
type Summary struct {
	Results []Result // sorted by source name
}

// Counts returns how many sources ended in each outcome.
func (s Summary) Counts() map[string]int {
	n := map[string]int{}
	for _, r := range s.Results {
		n[r.Outcome]++
	}
	return n
}

// AllFailed is true when sources were polled and none answered: each
// failed, or was skipped because it is in backoff after failing.
func (s Summary) AllFailed() bool {
	for _, r := range s.Results {
		if r.Succeeded() || r.Outcome == storage.OutcomePartial {
			return false
		}
	}
	return len(s.Results) > 0
}

// NotStored totals the items that could not be stored.
func (s Summary) NotStored() int {
	n := 0
	for _, r := range s.Results {
		n += r.NotStored
	}
	return n
}

// DiskFull returns the error of the first source stopped by a full
// database disk, or nil.
func (s Summary) DiskFull() error {
	for _, r := range s.Results {
		if errors.Is(r.Err, storage.ErrDiskFull) {
			return r.Err
		}
	}
	return nil
}

// Evidence totals new evidence by claim and stance.
func (s Summary) Evidence() map[string]map[claims.Stance]int {
	out := map[string]map[claims.Stance]int{}
	for _, r := range s.Results {
		for claim, byStance := range r.Evidence {
			if out[claim] == nil {
				out[claim] = map[claims.Stance]int{}
			}
			for st, n := range byStance {
				out[claim][st] += n
			}
		}
	}
	return out
}

// RunOnce polls every given source once, at most concurrency at a time (the
// fetcher's per-host limits apply on top), and returns when all are done.
// A full database disk stops the whole pass: the polls in flight end as
// skipped (keeping their validators) and the rest are not started.
func (p *Pipeline) RunOnce(ctx context.Context, sources []config.Source, concurrency int) Summary {
	if concurrency < 1 {
		concurrency = 1
	}
	ctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	results := make([]Result, len(sources))
	sem := make(chan struct{}, concurrency)
	var wg sync.WaitGroup
	for i, src := range sources {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
				defer func() { <-sem }()
				results[i] = p.Poll(ctx, src, false)
				if errors.Is(results[i].Err, storage.ErrDiskFull) && ctx.Err() == nil {
					stop(results[i].Err)
				}
			case <-ctx.Done():
				results[i] = Result{Source: src.Name, Outcome: storage.OutcomeSkipped, Err: fmt.Errorf("source %s: not polled: %w", src.Name, context.Cause(ctx))}
			}
		}()
	}
	wg.Wait()
	sort.Slice(results, func(i, j int) bool { return results[i].Source < results[j].Source })
	return Summary{Results: results}
}
