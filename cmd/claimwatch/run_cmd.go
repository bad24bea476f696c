package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/claimwatch/claimwatch/claims"
	"github.com/claimwatch/claimwatch/internal/alert"
	"github.com/claimwatch/claimwatch/internal/config"
	"github.com/claimwatch/claimwatch/internal/ingest"
	"github.com/claimwatch/claimwatch/internal/lock"
	"github.com/claimwatch/claimwatch/internal/matcher"
	"github.com/claimwatch/claimwatch/storage"
)

func init() { register(runCommand) }

type runOptions struct {
	once            bool
	wait            bool
	listen          string
	only            []string
	shutdownTimeout time.Duration
	// sourcesOptional: a backfill of WARC files or a --sitemap needs no
	// configured source (backfill says itself when it has nothing to read).
	sourcesOptional bool
}

func runCommand(a *app) *cobra.Command {
	var o runOptions
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Watch the sources: as a daemon, or one pass with --once",
		Long: `Poll every enabled source on its schedule, match new articles against the
claims and store articles and evidence in the database.

With --once, poll every enabled source once, print a summary and exit:
  0  at least one source succeeded (or was not modified) and every article
     read was stored
  1  every source failed, or some article could not be stored (the poll is
     "partial" and the next pass reads the items again); a full disk stops
     the pass at once
  2  bad usage or input: flags, config or claim files, no enabled source
Only one claimwatch writes a database at a time: a second run refuses at once,
or waits for the first with --wait.

Without --once, run until SIGINT or SIGTERM (graceful: in-flight polls finish or
are cancelled after --shutdown-timeout); SIGHUP reloads the config and claim
files, keeping the old ones if the new ones are bad.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.shutdownTimeout < 0 {
				return usagef("--shutdown-timeout %s: want a positive duration, such as 30s", o.shutdownTimeout)
			}
			if o.once && cmd.Flags().Changed("listen") {
				// Accepting it would promise endpoints that never answer.
				return usagef("--listen serves the daemon's endpoints, but run --once exits after its pass and serves nothing: drop --listen (for the dashboard over the database, run 'claimwatch serve')")
			}
			if o.once {
				return a.runOnce(cmd.Context(), o)
			}
			return a.runDaemon(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.once, "once", false, "poll every enabled source once and exit")
	f.BoolVar(&o.wait, "wait", false, "if another claimwatch holds the database, wait for it instead of refusing")
	f.StringVar(&o.listen, "listen", "", "serve /healthz, /readyz, /metrics and the dashboard on `ADDR` (\":9090\" means loopback; not with --once); overrides the config")
	f.StringSliceVar(&o.only, "source", nil, "poll only the named source(s)")
	f.DurationVar(&o.shutdownTimeout, "shutdown-timeout", 0, "how long in-flight polls may finish after SIGTERM (default from config, 20s)")
	return cmd
}

// runState is everything a pass or the daemon works with.
type runState struct {
	cfg     *config.Config
	store   *storage.Store
	lock    *lock.Lock
	pipe    *ingest.Pipeline
	matcher atomic.Pointer[matcher.Matcher]
	sources []config.Source
	alerts  *alert.Sender // delivers the alert outbox (see alerts_cmd.go)
}

// prepare loads config and claims, takes the writer lock, opens the database
// and builds the pipeline. Input problems come back as usage errors.
func (a *app) prepare(ctx context.Context, o runOptions) (*runState, error) {
	cfg, err := a.config()
	if err != nil {
		return nil, err
	}
	m, err := a.matcher()
	if err != nil {
		return nil, err
	}
	if err := checkQueryClaims(cfg, m.Claims()); err != nil {
		return nil, err
	}
	rules, err := alertRules(cfg, m.Claims())
	if err != nil {
		return nil, err
	}
	path, err := a.resolvedDBPath()
	if err != nil {
		return nil, err
	}
	if err := checkDBPath(path, false); err != nil {
		return nil, err
	}
	// The lock file lives beside the database, so its directory comes first.
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("database directory: %w", err)
	}
	rt := &runState{cfg: cfg}
	if o.wait {
		rt.lock, err = lock.AcquireWait(ctx, path, 0)
	} else {
		rt.lock, err = lock.Acquire(path)
	}
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			rt.lock.Release()
		}
	}()
	if rt.store, err = a.openStore(ctx); err != nil {
		return nil, err
	}
	rt.matcher.Store(m)
	if err = a.syncClaims(ctx, rt.store, m); err != nil {
		return nil, err
	}
	a.setupAlerts(rt, rules)
	if rt.sources, err = a.sources(ctx, cfg, rt.store); err != nil {
		return nil, err
	}
	if rt.sources, err = selectSources(rt.sources, o.only); err != nil {
		return nil, err
	}
	if len(rt.sources) == 0 && !o.sourcesOptional {
		// A daemon with nothing to poll would sit silent forever.
		err = usagef("no enabled sources: nothing to poll (config: %s); set enabled: true on a source there, or add one with 'claimwatch sources add URL --name NAME'", orDefaults(a.configPath))
		return nil, err
	}
	rt.pipe = &ingest.Pipeline{Store: rt.store, Fetcher: fetcherFor(cfg), Matcher: rt.matcher.Load, Log: a.log}
	return rt, nil
}

// orDefaults names the config file, or the embedded defaults when none.
func orDefaults(configPath string) string {
	if configPath == "" {
		return "the embedded defaults"
	}
	return configPath
}

func selectSources(all []config.Source, only []string) ([]config.Source, error) {
	if len(only) == 0 {
		return all, nil
	}
	var out []config.Source
	for _, name := range only {
		found := false
		for _, s := range all {
			if strings.EqualFold(s.Name, name) {
				out = append(out, s)
				found = true
			}
		}
		if !found {
			return nil, usagef("--source %q: no enabled source of that name", name)
		}
	}
	return out, nil
}

// shutdownTimeout: the flag, else the config.
func (o runOptions) shutdown(cfg *config.Config) time.Duration {
	if o.shutdownTimeout > 0 {
		return o.shutdownTimeout
	}
	if cfg.ShutdownTimeout > 0 {
		return cfg.ShutdownTimeout
	}
	return 20 * time.Second
}

// graceful returns a context that ends shutdown after parent ends, so work
// in flight at a signal may finish within the deadline.
func graceful(parent context.Context, shutdown time.Duration) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(parent))
	go func() {
		select {
		case <-parent.Done():
			select {
			case <-time.After(shutdown):
				cancel()
			case <-ctx.Done():
			}
		case <-ctx.Done():
		}
	}()
	return ctx, cancel
}

func (a *app) runOnce(ctx context.Context, o runOptions) error {
	rt, err := a.prepare(ctx, o)
	if err != nil {
		return err
	}
	defer rt.lock.Release()
	work, cancel := graceful(ctx, o.shutdown(rt.cfg))
	defer cancel()
	progress := newProgress(a.stderr, len(rt.sources))
	rt.pipe.OnPoll = progress.done
	started := time.Now()
	sum := rt.pipe.RunOnce(work, rt.sources, rt.cfg.Fetch.Concurrency)
	progress.finish()
	writeSummary(a.terminal(), sum, time.Since(started))
	// What was stored is alerted even when the pass stopped short.
	a.deliverAlertsOnce(work, rt)
	if err := sum.DiskFull(); err != nil {
		return exitStatus{exitFailure, fmt.Errorf("the pass stopped: %w; free space, then run again: nothing stored is lost and %d item(s) not stored will be read again", storage.ErrDiskFull, sum.NotStored())}
	}
	if n := sum.NotStored(); n > 0 {
		return exitStatus{exitFailure, fmt.Errorf("%d article(s) could not be stored (see the partial sources above); the next pass reads them again", n)}
	}
	if sum.AllFailed() {
		return exitStatus{exitFailure, fmt.Errorf("all %d source(s) failed", len(sum.Results))}
	}
	if ctx.Err() != nil {
		return exitStatus{exitFailure, errors.New("interrupted; what was complete is stored")}
	}
	return nil
}

// progress shows "polled 3/12 sources" on a terminal while a pass runs.
type progress struct {
	w     io.Writer
	total int
	n     atomic.Int64
	tty   bool
}

func newProgress(w io.Writer, total int) *progress {
	return &progress{w: w, total: total, tty: isTerminal(w)}
}

func (p *progress) done(r ingest.Result) {
	n := p.n.Add(1)
	if p.tty {
		fmt.Fprintf(p.w, "\r\033[Kpolled %d/%d sources (last: %s, %s)", n, p.total, r.Source, r.Outcome)
	}
}

func (p *progress) finish() {
	if p.tty {
		fmt.Fprint(p.w, "\r\033[K")
	}
}

// writeSummary prints what a pass did: per-source outcomes and reasons, new
// articles, and new evidence per claim and stance.
func writeSummary(w io.Writer, sum ingest.Summary, took time.Duration) {
	counts := sum.Counts()
	articles, evidence, deferred := 0, 0, 0
	for _, r := range sum.Results {
		articles += r.NewArticles
		evidence += r.NewEvidence
		deferred += r.Deferred
	}
	fmt.Fprintf(w, "sources: %d ok, %d not modified, %d partial, %d failed, %d skipped (%s)\n",
		counts[storage.OutcomeOK], counts[storage.OutcomeNotModified], counts[storage.OutcomePartial],
		counts[storage.OutcomeFailed], counts[storage.OutcomeSkipped], took.Round(time.Millisecond))
	diskFull := sum.DiskFull() != nil
	for _, r := range sum.Results {
		// On a full disk the pass stops: one line says why, not one per
		// source it stopped.
		if r.Err != nil && !(diskFull && r.Outcome == storage.OutcomeSkipped && errors.Is(r.Err, storage.ErrDiskFull)) {
			fmt.Fprintf(w, "  %-8s %s: %s\n", r.Outcome, r.Source, reason(r))
		}
	}
	fmt.Fprintf(w, "new articles: %d\nnew evidence: %d\n", articles, evidence)
	if n := sum.NotStored(); n > 0 {
		fmt.Fprintf(w, "not stored: %d item(s) (read again at the next pass)\n", n)
	}
	if deferred > 0 {
		fmt.Fprintf(w, "left for the next pass: %d item(s) (the article-fetch budget of a poll was spent)\n", deferred)
	}
	byClaim := sum.Evidence()
	ids := make([]string, 0, len(byClaim))
	for id := range byClaim {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	if len(ids) > 0 {
		tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  CLAIM\tSUPPORTS\tCONTRADICTS\tMENTIONS")
		for _, id := range ids {
			s := byClaim[id]
			fmt.Fprintf(tw, "  %s\t%d\t%d\t%d\n", id, s[claims.Supports], s[claims.Contradicts], s[claims.Mentions])
		}
		tw.Flush()
	}
}

// reason is a poll's error without the "source NAME: " its line already
// carries.
func reason(r ingest.Result) string {
	return strings.TrimPrefix(r.Err.Error(), "source "+r.Source+": ")
}

// hangups delivers SIGHUP for config reloads.
func hangups() (<-chan os.Signal, func()) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGHUP)
	return ch, func() { signal.Stop(ch) }
}
