package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"reflect"
	"sync"
	"sync/atomic"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/claimwatch/claimwatch/claims"
	"github.com/claimwatch/claimwatch/internal/config"
	"github.com/claimwatch/claimwatch/internal/health"
	"github.com/claimwatch/claimwatch/internal/ingest"
	"github.com/claimwatch/claimwatch/internal/matcher"
	"github.com/claimwatch/claimwatch/internal/metrics"
	"github.com/claimwatch/claimwatch/internal/scheduler"
	"github.com/claimwatch/claimwatch/storage"
)

const (
	// maxJitter spreads sources that share a spec over a few seconds; a
	// schedule shorter than ten times this gets a tenth of its interval
	// instead, so that the jitter never eats the interval.
	maxJitter = 10 * time.Second
	// healthMaxAge: /healthz turns unhealthy when no poll has succeeded for
	// this long, or for two of the longest schedule intervals if that is
	// longer (a set of @daily sources is not unhealthy after six hours).
	healthMaxAge = 6 * time.Hour
	// retentionEvery is how often the daemon drops old article text.
	retentionEvery = 24 * time.Hour
)

// Test hooks; production leaves them as they are.
var (
	// pollClock, when set, is the pipeline's clock: tests move it forward to
	// let a backoff pass without waiting for it.
	pollClock func() time.Time
	// reloadSignals delivers the reload requests (SIGHUP).
	reloadSignals = hangups
	// startupGrace is how long /healthz stays 200 after the start without
	// any successful poll: every source is polled at the start, so by then
	// a daemon whose every poll fails (offline, all URLs wrong) says so.
	startupGrace = 15 * time.Minute
)

// daemon is the long-running `claimwatch run`.
type daemon struct {
	a       *app
	o       runOptions
	rt      *runState
	sched   *scheduler.Scheduler
	metrics *metrics.Metrics

	retentionDays atomic.Int64 // from the config, changed by reloads

	mu      sync.Mutex
	backoff map[string]bool // sources currently in backoff, for the gauge
}

func (a *app) runDaemon(ctx context.Context, o runOptions) error {
	rt, err := a.prepare(ctx, o)
	if err != nil {
		return err
	}
	// The database is closed before the lock is released, so a writer
	// waiting for the lock (--wait) never overlaps with this one.
	defer func() {
		if err := rt.store.Close(); err != nil {
			a.log.Error("closing database", "err", err)
		}
		a.store = nil
		rt.lock.Release()
	}()
	if pollClock != nil {
		rt.pipe.Now = pollClock
	}
	d := &daemon{a: a, o: o, rt: rt, backoff: map[string]bool{}}
	d.retentionDays.Store(int64(rt.cfg.RetentionDays))
	d.metrics = metrics.New(metrics.WithDBSize(rt.store.Size), metrics.WithVersion(versionString()), metrics.WithLogger(a.log))
	rt.pipe.OnPoll = d.observe
	rt.pipe.OnArticle = func(_ string, saved storage.SaveResult, findings []claims.Finding) {
		if saved.New {
			d.metrics.AddArticles(1)
		}
		if saved.NewEvidence > 0 {
			for _, f := range findings {
				d.metrics.AddEvidence(f.ClaimID, string(f.Stance), 1)
			}
			rt.alerts.Wake()
		}
	}
	shortest, longest := intervals(rt.sources, rt.cfg.Location)
	d.sched = scheduler.New(scheduler.Options{Location: rt.cfg.Location, MaxConcurrent: rt.cfg.Fetch.Concurrency,
		Jitter: jitterFor(shortest), Logger: a.log})
	rt.pipe.Stopping = d.sched.Stopping()
	if err := d.sched.Set(d.jobs(rt.sources)); err != nil {
		return usageError{err}
	}
	d.metrics.SetSources(len(rt.sources))

	var ready atomic.Bool
	srv, err := d.serve(o, max(healthMaxAge, 2*longest), ready.Load)
	if err != nil {
		return err
	}
	// Listen for reloads before saying we run: a SIGHUP sent on seeing the
	// "running" line must not meet the default action (exit).
	hup, stopHup := reloadSignals()
	defer stopHup()

	d.sched.Start()
	for _, s := range rt.sources { // first poll now, not one interval from now
		d.sched.RunNow(s.Name)
	}
	retentionDone := d.startRetention(ctx)
	alertsDone := d.startAlerts(ctx)
	ready.Store(true)
	a.log.Info("claimwatch running", "sources", len(rt.sources), "claims", len(rt.matcher.Load().Claims()),
		"db", rt.store.Path(), "pid", os.Getpid())

	for running := true; running; {
		select {
		case <-hup:
			d.reload(ctx)
		case <-ctx.Done():
			running = false
		}
	}

	ready.Store(false)
	shutdown := o.shutdown(rt.cfg)
	a.log.Info("shutting down: waiting for polls in flight", "running", d.sched.Running(), "deadline", shutdown)
	stopCtx, cancel := context.WithTimeout(context.Background(), shutdown)
	defer cancel()
	if err := d.sched.Stop(stopCtx); err != nil {
		a.log.Warn("polls still running at the deadline were cancelled; what they completed is stored", "err", err)
	}
	<-retentionDone
	<-alertsDone
	if srv != nil {
		srv.Shutdown(stopCtx)
	}
	a.log.Info("stopped")
	return nil
}

// serve starts the /healthz, /readyz and /metrics listener when --listen or
// the config asks for one.
func (d *daemon) serve(o runOptions, maxAge time.Duration, ready func() bool) (*http.Server, error) {
	listen := o.listen
	if listen == "" {
		listen = d.rt.cfg.Listen
	}
	if listen == "" {
		return nil, nil
	}
	hc := &health.Checker{DB: pinger{d.rt.store}, LastSuccess: d.metrics.LastSuccess, MaxAge: maxAge, Started: time.Now(), Grace: startupGrace, Ready: ready}
	mux := health.NewMux(hc, d.metrics.Handler())
	addr := health.ListenAddr(listen)
	dash, err := d.a.dashboard(d.rt.store, addr)
	if err != nil {
		return nil, err
	}
	if why := dash.Refused(); why != "" {
		d.a.log.Warn("dashboard refused; health and metrics are served", "reason", why)
	}
	mux.Handle("/", dash)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--listen %s: %w", listen, err)
	}
	d.a.log.Info("serving health and metrics", "addr", ln.Addr().String())
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			d.a.log.Error("http server", "err", err)
		}
	}()
	return srv, nil
}

// jobs makes one scheduler job per source.
func (d *daemon) jobs(sources []config.Source) []scheduler.Job {
	jobs := make([]scheduler.Job, 0, len(sources))
	for _, src := range sources {
		jobs = append(jobs, scheduler.Job{Name: src.Name, Spec: src.Schedule, Run: func(ctx context.Context) {
			d.rt.pipe.Poll(ctx, src, false)
			d.recordNextDue(src)
		}})
	}
	return jobs
}

// recordNextDue stores when the source's schedule fires next, for
// `sources list` (a backoff, when later, is shown instead).
func (d *daemon) recordNextDue(src config.Source) {
	sched, err := specParser.Parse(src.Schedule)
	if err != nil {
		return // the scheduler accepted it; nothing to show otherwise
	}
	loc := d.rt.cfg.Location
	if loc == nil {
		loc = time.UTC
	}
	next := sched.Next(time.Now().In(loc))
	if err := d.rt.store.SetNextDue(context.Background(), src.Name, next); err != nil {
		d.a.log.Debug("recording next due time", "source", src.Name, "err", err)
	}
}

// specParser reads specs as the scheduler does.
var specParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// intervals returns the shortest and longest gap between two runs over the
// sources' schedules (zero when there are none).
func intervals(sources []config.Source, loc *time.Location) (shortest, longest time.Duration) {
	if loc == nil {
		loc = time.UTC
	}
	now := time.Now().In(loc)
	for _, s := range sources {
		sched, err := specParser.Parse(s.Schedule)
		if err != nil {
			continue // the scheduler reports it
		}
		first := sched.Next(now)
		gap := sched.Next(first).Sub(first)
		if gap <= 0 {
			continue
		}
		if shortest == 0 || gap < shortest {
			shortest = gap
		}
		longest = max(longest, gap)
	}
	return shortest, longest
}

// jitterFor caps the random delay before scheduled polls at a tenth of the
// shortest schedule interval.
func jitterFor(shortest time.Duration) time.Duration {
	if shortest <= 0 {
		return maxJitter
	}
	return min(maxJitter, shortest/10)
}

// observe logs one line per poll and feeds the metrics. A poll skipped for
// backoff did not fetch anything: it is logged at debug level and counted
// only in the backoff gauge.
func (d *daemon) observe(r ingest.Result) {
	level := slog.LevelInfo
	attrs := []any{"source", r.Source, "outcome", r.Outcome, "status", r.Status, "duration", r.Duration.Round(time.Millisecond),
		"new_articles", r.NewArticles, "new_evidence", r.NewEvidence}
	if r.Err != nil {
		attrs = append(attrs, "err", reason(r))
	}
	switch {
	case r.Outcome == storage.OutcomeFailed:
		level = slog.LevelWarn
		attrs = append(attrs, "backoff_until", r.BackoffTil.UTC().Format(time.RFC3339))
	case r.Outcome == storage.OutcomePartial:
		level = slog.LevelWarn
		attrs = append(attrs, "not_stored", r.NotStored)
	case r.Outcome == storage.OutcomeSkipped:
		level = slog.LevelDebug
	}
	d.a.log.Log(context.Background(), level, "poll", attrs...)
	if r.Outcome != storage.OutcomeSkipped {
		d.metrics.ObservePoll(r.Source, r.Outcome, r.Duration, r.Bytes) // log and metric use the same outcome names
	}
	d.mu.Lock()
	if r.Outcome == storage.OutcomeFailed || (r.Outcome == storage.OutcomeSkipped && !r.BackoffTil.IsZero()) {
		d.backoff[r.Source] = true
	} else {
		delete(d.backoff, r.Source)
	}
	d.metrics.SetBackoff(len(d.backoff))
	d.mu.Unlock()
}

// reload re-reads the config and claim files on SIGHUP. Anything bad keeps
// the running set untouched.
func (d *daemon) reload(ctx context.Context) {
	a, rt := d.a, d.rt
	a.log.Info("SIGHUP: reloading config and claims", "config", a.configPath)
	refuse := func(err error) {
		a.log.Error("reload refused; the running config and claims stay in force", "err", err)
	}
	cfg, err := loadConfig(a.configPath)
	if err != nil {
		refuse(err)
		return
	}
	dir := a.claimsFlag
	if dir == "" {
		dir = cfg.Claims
	}
	set, problems, err := claims.LoadSet(dir)
	if err != nil {
		refuse(fmt.Errorf("claims:\n%w", err))
		return
	}
	m, err := matcher.Compile(set)
	if err != nil {
		refuse(fmt.Errorf("compiling claims: %w", err))
		return
	}
	if err := checkQueryClaims(cfg, set); err != nil {
		refuse(err)
		return
	}
	rules, err := alertRules(cfg, set)
	if err != nil {
		refuse(err)
		return
	}
	for _, p := range problems {
		if p.Warning {
			a.log.Warn("claim file", "problem", p.String())
		}
	}
	// Read only: the store's sources are written once every check passed.
	sources, err := a.enabledSources(ctx, cfg, rt.store)
	if err == nil {
		sources, err = selectSources(sources, d.o.only)
	}
	if err != nil {
		refuse(err)
		return
	}
	if len(sources) == 0 {
		// As at start: a daemon left with nothing to poll would sit silent.
		refuse(fmt.Errorf("no enabled sources: nothing would be polled (config: %s); stop the daemon to pause it", orDefaults(a.configPath)))
		return
	}
	if err := d.sched.Set(d.jobs(sources)); err != nil {
		refuse(err)
		return
	}
	if err := storeConfigSources(ctx, cfg, rt.store); err != nil {
		a.log.Error("reload: storing config sources", "err", err)
	}
	for _, key := range restartOnly(rt.cfg, cfg) {
		a.log.Warn("reload: this setting changed but takes effect only at a restart", "key", key)
	}
	rt.matcher.Store(m)
	d.applyAlerts(rules)
	d.forgetRemoved(rt.sources, sources)
	added := newSources(rt.sources, sources)
	rt.cfg, rt.sources = cfg, sources
	d.retentionDays.Store(int64(cfg.RetentionDays))
	if err := a.syncClaims(ctx, rt.store, m); err != nil {
		a.log.Error("reload: storing claims", "err", err)
	}
	d.metrics.SetSources(len(sources))
	for _, name := range added { // polled now, like every source at start
		d.sched.RunNow(name)
	}
	a.log.Info("reloaded", "sources", len(sources), "claims", len(set))
}

// newSources names the sources of current that old lacks.
func newSources(old, current []config.Source) []string {
	had := map[string]bool{}
	for _, s := range old {
		had[s.Name] = true
	}
	var names []string
	for _, s := range current {
		if !had[s.Name] {
			names = append(names, s.Name)
		}
	}
	return names
}

// restartOnly names the settings that differ between old and new but are
// fixed for the life of the process.
func restartOnly(old, new *config.Config) []string {
	var keys []string
	if old.DB != new.DB {
		keys = append(keys, "db")
	}
	if !reflect.DeepEqual(old.Fetch, new.Fetch) {
		keys = append(keys, "fetch")
	}
	if old.Timezone != new.Timezone {
		keys = append(keys, "timezone")
	}
	if old.Listen != new.Listen {
		keys = append(keys, "listen")
	}
	return keys
}

// forgetRemoved drops the metric series and backoff marks of sources that a
// reload removed.
func (d *daemon) forgetRemoved(old, current []config.Source) {
	kept := map[string]bool{}
	for _, s := range current {
		kept[s.Name] = true
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, s := range old {
		if !kept[s.Name] {
			d.metrics.ForgetSource(s.Name)
			delete(d.backoff, s.Name)
		}
	}
	d.metrics.SetBackoff(len(d.backoff))
}

// startRetention drops stored article text older than retention_days at
// start and then daily, until ctx ends; the returned channel closes when
// it has stopped.
func (d *daemon) startRetention(ctx context.Context) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(retentionEvery)
		defer t.Stop()
		for {
			d.applyRetention(ctx)
			select {
			case <-t.C:
			case <-ctx.Done():
				return
			}
		}
	}()
	return done
}

func (d *daemon) applyRetention(ctx context.Context) {
	days := d.retentionDays.Load()
	if days <= 0 {
		return
	}
	cutoff := time.Now().AddDate(0, 0, -int(days))
	n, err := d.rt.store.DropOldText(ctx, cutoff)
	if err != nil {
		if ctx.Err() == nil {
			d.a.log.Error("retention", "err", err)
		}
		return
	}
	d.a.log.Info("retention: dropped old article text", "articles", n, "older_than", cutoff.UTC().Format(time.DateOnly))
}

// pinger adapts the store to the health checker: a query must go through
// (a source that cannot exist is looked up; not found is the healthy answer).
type pinger struct{ st *storage.Store }

func (p pinger) Ping(ctx context.Context) error {
	_, err := p.st.SourceState(ctx, "\x00ping")
	if errors.Is(err, storage.ErrNotFound) {
		return nil
	}
	return err
}
