// Package scheduler runs named jobs on cron specs for the claimwatch daemon:
// each news source is polled on its own schedule.
//
// Timing comes from github.com/robfig/cron/v3; this package adds what a
// polite poller needs on top: a run that is still busy when its next tick
// comes is skipped rather than stacked, a global bound on concurrent runs, a
// random delay before each scheduled run so that sources sharing a spec do
// not all fire in the same second, an atomic replace of the job set for
// SIGHUP reloads, and a shutdown that waits for in-flight runs up to a
// deadline and then cancels them.
//
// It knows nothing about sources or fetching; jobs are plain functions.
package scheduler

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/robfig/cron/v3"
)

// stopGrace is how long Stop waits for runs to return once their context has
// been cancelled at the deadline; a job that ignores its context is left
// behind after that.
const stopGrace = 2 * time.Second

// ErrStopped is returned by Set once Stop has been called.
var ErrStopped = errors.New("scheduler stopped")

// Job is one scheduled task.
type Job struct {
	// Name identifies the job in logs and stats, and across Set calls.
	Name string
	// Spec is a 5-field cron spec ("*/30 * * * *"), a descriptor (@hourly,
	// @daily, ...) or @every DURATION (at least 1s). A CRON_TZ=Zone prefix
	// overrides Options.Location for this job.
	Spec string
	// Run does the work. Its context is cancelled when Stop's deadline passes.
	Run func(ctx context.Context)
}

// Options configure a Scheduler; the zero value is usable.
type Options struct {
	// Location interprets cron specs; nil means time.Local.
	Location *time.Location
	// MaxConcurrent bounds running jobs across the scheduler; 0 means no bound.
	// A run waits for a slot, and gives up if the scheduler stops meanwhile.
	MaxConcurrent int
	// Jitter is the largest random delay added before each scheduled run
	// (RunNow runs at once).
	Jitter time.Duration
	// Logger receives skip, panic and reload messages; nil discards them.
	Logger *slog.Logger
	// Rand returns a number in [0, n); nil means math/rand/v2's Int64N.
	// Injectable so tests control the jitter.
	Rand func(n int64) int64
}

// JobStats is a snapshot of one job for status output.
type JobStats struct {
	Name    string
	Spec    string
	Runs    int64 // runs started
	Skipped int64 // triggers dropped because the previous run was still busy
	Running bool
	Next    time.Time // zero before Start
	Prev    time.Time // last scheduled trigger; zero if none yet
}

// Scheduler runs a set of Jobs. Create it with New, fill it with Set, then
// Start; Stop ends it for good.
type Scheduler struct {
	log    *slog.Logger
	rand   func(int64) int64
	jitter time.Duration
	parser cron.Parser
	cron   *cron.Cron
	slots  chan struct{} // nil when unbounded

	// jobCtx is handed to every run; cancelled at Stop's deadline.
	jobCtx    context.Context
	cancelJob context.CancelFunc
	stopping  chan struct{} // closed when Stop begins
	stopOnce  sync.Once
	drained   chan struct{} // closed when every run has returned after Stop

	mu      sync.Mutex
	jobs    map[string]*jobState
	stopped bool
	wg      sync.WaitGroup // runs in flight; Add only under mu while !stopped
}

type jobState struct {
	name  string
	spec  string       // guarded by Scheduler.mu
	entry cron.EntryID // guarded by Scheduler.mu

	run       atomic.Pointer[func(context.Context)]
	claimed   atomic.Bool // from trigger to return, including jitter and the wait for a slot
	executing atomic.Bool // inside Run
	runs      atomic.Int64
	skipped   atomic.Int64
}

// New makes a stopped scheduler with no jobs.
func New(opts Options) *Scheduler {
	loc := opts.Location
	if loc == nil {
		loc = time.Local
	}
	s := &Scheduler{
		log:      opts.Logger,
		rand:     opts.Rand,
		jitter:   opts.Jitter,
		parser:   cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor),
		cron:     cron.New(cron.WithLocation(loc), cron.WithLogger(cron.DiscardLogger)),
		stopping: make(chan struct{}),
		drained:  make(chan struct{}),
		jobs:     make(map[string]*jobState),
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.rand == nil {
		s.rand = rand.Int64N
	}
	if opts.MaxConcurrent > 0 {
		s.slots = make(chan struct{}, opts.MaxConcurrent)
	}
	s.jobCtx, s.cancelJob = context.WithCancel(context.Background())
	return s
}

// Set replaces the job set. Every job is checked first (non-empty unique
// name, a Run func, a spec that parses); on any problem the error lists them
// all and the current set stays as it was. Jobs whose Name and Spec are
// unchanged keep their schedule and their stats (their Run func is
// replaced); a job whose spec changed is rescheduled; jobs missing from the
// new set are unscheduled, though a run in progress finishes.
func (s *Scheduler) Set(jobs []Job) error {
	schedules := make([]cron.Schedule, len(jobs))
	seen := make(map[string]bool, len(jobs))
	var problems []error
	for i, j := range jobs {
		switch {
		case j.Name == "":
			problems = append(problems, fmt.Errorf("job #%d (spec %q): empty name", i+1, j.Spec))
			continue
		case seen[j.Name]:
			problems = append(problems, fmt.Errorf("job %q: name used twice", j.Name))
			continue
		case j.Run == nil:
			problems = append(problems, fmt.Errorf("job %q: no Run func", j.Name))
		}
		seen[j.Name] = true
		sched, err := s.parser.Parse(j.Spec)
		if err != nil {
			problems = append(problems, fmt.Errorf("job %q: bad schedule %q: %w", j.Name, j.Spec, err))
			continue
		}
		schedules[i] = sched
	}
	if len(problems) > 0 {
		return fmt.Errorf("scheduler: job set not changed: %w", errors.Join(problems...))
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return ErrStopped
	}
	var added, changed, removed int
	for name, st := range s.jobs {
		if !seen[name] {
			s.cron.Remove(st.entry)
			delete(s.jobs, name)
			removed++
		}
	}
	for i, j := range jobs {
		st := s.jobs[j.Name]
		switch {
		case st == nil:
			st = &jobState{name: j.Name}
			s.jobs[j.Name] = st
			added++
		case st.spec != j.Spec:
			s.cron.Remove(st.entry)
			changed++
		default:
			st.run.Store(&j.Run)
			continue
		}
		st.run.Store(&j.Run)
		st.spec = j.Spec
		st.entry = s.cron.Schedule(schedules[i], tick{s: s, st: st, spec: j.Spec})
	}
	s.log.Info("scheduler: job set updated", "jobs", len(jobs), "added", added, "changed", changed, "removed", removed)
	return nil
}

// tick is what cron fires; spec tells a stale entry (rescheduled or removed
// meanwhile) from the current one.
type tick struct {
	s    *Scheduler
	st   *jobState
	spec string
}

func (t tick) Run() {
	if t.s.claim(t.st, t.spec) {
		t.s.execute(t.st, true)
	}
}

// Start begins scheduling. It does nothing after Stop or when already started.
func (s *Scheduler) Start() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.stopped {
		s.cron.Start()
	}
}

// RunNow triggers the named job at once (without jitter, but within the
// global bound). It reports false when there is no such job, the scheduler
// is stopped, or the job is already running (which counts as a skip).
func (s *Scheduler) RunNow(name string) bool {
	s.mu.Lock()
	st := s.jobs[name]
	s.mu.Unlock()
	if st == nil || !s.claim(st, "") {
		return false
	}
	go s.execute(st, false)
	return true
}

// claim marks st as busy and registers the run with the wait group; it
// refuses when stopped, when st is no longer scheduled under spec (spec ""
// skips that check), or when the previous run is still busy.
func (s *Scheduler) claim(st *jobState, spec string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped || s.jobs[st.name] != st || (spec != "" && st.spec != spec) {
		return false
	}
	if !st.claimed.CompareAndSwap(false, true) {
		n := st.skipped.Add(1)
		s.log.Info("scheduler: previous run still busy, skipping", "job", st.name, "skipped_total", n)
		return false
	}
	s.wg.Add(1)
	return true
}

// execute runs a claimed job: jitter, a slot, then Run. Waiting ends early
// when Stop begins.
func (s *Scheduler) execute(st *jobState, withJitter bool) {
	defer s.wg.Done()
	defer st.claimed.Store(false)

	if withJitter && s.jitter > 0 {
		t := time.NewTimer(time.Duration(s.rand(int64(s.jitter))))
		select {
		case <-t.C:
		case <-s.stopping:
			t.Stop()
			return
		}
	}
	if s.slots != nil {
		select {
		case s.slots <- struct{}{}:
			defer func() { <-s.slots }()
		case <-s.stopping:
			s.log.Debug("scheduler: stopping, run abandoned while waiting for a slot", "job", st.name)
			return
		}
	}
	// select picks at random among ready cases; do not start new work once
	// Stop has begun even if a slot was free too.
	select {
	case <-s.stopping:
		return
	default:
	}

	st.executing.Store(true)
	defer st.executing.Store(false)
	st.runs.Add(1)
	start := time.Now()
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("scheduler: job panicked", "job", st.name, "panic", fmt.Sprint(p))
		}
		s.log.Debug("scheduler: run finished", "job", st.name, "duration", time.Since(start))
	}()
	(*st.run.Load())(s.jobCtx)
}

// Stop ends scheduling and waits for runs in flight until ctx is done; then
// it cancels their context, waits up to a couple of seconds more for them to
// return, and reports ctx.Err(). Runs still waiting for jitter or a slot are
// dropped at once. Calling Stop again waits again.
func (s *Scheduler) Stop(ctx context.Context) error {
	s.stopOnce.Do(func() {
		s.mu.Lock()
		s.stopped = true
		s.mu.Unlock()
		close(s.stopping)
		s.cron.Stop()
		go func() {
			s.wg.Wait()
			close(s.drained)
		}()
	})
	select {
	case <-s.drained:
		s.cancelJob()
		return nil
	case <-ctx.Done():
	}
	s.log.Warn("scheduler: stop deadline passed, cancelling running jobs", "running", s.Running())
	s.cancelJob()
	t := time.NewTimer(stopGrace)
	defer t.Stop()
	select {
	case <-s.drained:
	case <-t.C:
		s.log.Warn("scheduler: jobs ignored cancellation", "running", s.Running())
	}
	return ctx.Err()
}

// Stopping is closed when Stop begins, so runs can drop work not yet started
// without waiting for the deadline to cancel their context.
func (s *Scheduler) Stopping() <-chan struct{} { return s.stopping }

// Running lists the jobs inside their Run func now, sorted.
func (s *Scheduler) Running() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var names []string
	for name, st := range s.jobs {
		if st.executing.Load() {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

// Skipped is the number of triggers of the named job dropped because its
// previous run was still busy.
func (s *Scheduler) Skipped(name string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st := s.jobs[name]; st != nil {
		return st.skipped.Load()
	}
	return 0
}

// Stats is a snapshot of every job, sorted by name.
func (s *Scheduler) Stats() []JobStats {
	entries := make(map[cron.EntryID]cron.Entry)
	for _, e := range s.cron.Entries() {
		entries[e.ID] = e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]JobStats, 0, len(s.jobs))
	for _, st := range s.jobs {
		e := entries[st.entry]
		out = append(out, JobStats{
			Name:    st.name,
			Spec:    st.spec,
			Runs:    st.runs.Load(),
			Skipped: st.skipped.Load(),
			Running: st.executing.Load(),
			Next:    e.Next,
			Prev:    e.Prev,
		})
	}
	slices.SortFunc(out, func(a, b JobStats) int { return cmp.Compare(a.Name, b.Name) })
	return out
}
