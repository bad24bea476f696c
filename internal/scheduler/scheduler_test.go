package scheduler

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// waitFor polls cond until it holds or a generous deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(8 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// stopNow stops s with a generous deadline and fails if runs did not drain.
func stopNow(t *testing.T, s *Scheduler) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Stop(ctx); err != nil {
		t.Fatalf("Stop: %v", err)
	}
}

func counting(n *atomic.Int64) func(context.Context) {
	return func(context.Context) { n.Add(1) }
}

func TestScheduledJobsRun(t *testing.T) {
	t.Parallel()
	var a, b atomic.Int64
	var jitterAsked atomic.Int64
	s := New(Options{
		Jitter: 10 * time.Minute,
		Rand:   func(n int64) int64 { jitterAsked.Store(n); return 0 },
	})
	if err := s.Set([]Job{
		{Name: "a", Spec: "@every 1s", Run: counting(&a)},
		{Name: "b", Spec: "@every 1s", Run: counting(&b)},
	}); err != nil {
		t.Fatal(err)
	}
	s.Start()
	waitFor(t, "two runs of each job", func() bool { return a.Load() >= 2 && b.Load() >= 2 })
	stopNow(t, s)

	if got := jitterAsked.Load(); got != int64(10*time.Minute) {
		t.Errorf("Rand called with n = %d, want the Jitter %d", got, int64(10*time.Minute))
	}
	stats := s.Stats()
	if len(stats) != 2 || stats[0].Name != "a" || stats[1].Name != "b" {
		t.Fatalf("Stats = %+v, want a and b in order", stats)
	}
	if stats[0].Runs != a.Load() || stats[0].Spec != "@every 1s" || stats[0].Prev.IsZero() {
		t.Errorf("Stats[a] = %+v, want Runs %d and a previous trigger", stats[0], a.Load())
	}
	// Nothing runs after Stop.
	before := a.Load()
	time.Sleep(1200 * time.Millisecond)
	if a.Load() != before {
		t.Errorf("job ran after Stop: %d -> %d", before, a.Load())
	}
}

func TestOverlappingRunIsSkipped(t *testing.T) {
	t.Parallel()
	var runs atomic.Int64
	release := make(chan struct{})
	s := New(Options{})
	if err := s.Set([]Job{{Name: "slow", Spec: "@every 1s", Run: func(ctx context.Context) {
		runs.Add(1)
		select { // blocks up to 2.5 s, across at least two ticks
		case <-release:
		case <-time.After(2500 * time.Millisecond):
		}
	}}}); err != nil {
		t.Fatal(err)
	}
	s.Start()
	waitFor(t, "a skipped tick", func() bool { return s.Skipped("slow") >= 1 })
	if got := runs.Load(); got != 1 {
		t.Errorf("runs while the first was busy = %d, want 1 (overlap must skip, not stack)", got)
	}
	if got := s.Running(); !slices.Equal(got, []string{"slow"}) {
		t.Errorf("Running() = %v, want [slow]", got)
	}
	close(release)
	waitFor(t, "the job to finish", func() bool { return len(s.Running()) == 0 })
	stopNow(t, s)
}

// concurrencyProbe records the highest number of jobs inside Run at once.
type concurrencyProbe struct {
	now, max, total atomic.Int64
}

// job counts itself in, then waits until work returns.
func (p *concurrencyProbe) job(work func()) func(context.Context) {
	return func(context.Context) {
		n := p.now.Add(1)
		for m := p.max.Load(); n > m && !p.max.CompareAndSwap(m, n); m = p.max.Load() {
		}
		p.total.Add(1)
		work()
		p.now.Add(-1)
	}
}

func TestGlobalBoundWithRunNow(t *testing.T) {
	t.Parallel()
	var p concurrencyProbe
	hold := make(chan struct{})
	s := New(Options{MaxConcurrent: 2})
	var jobs []Job
	for _, name := range []string{"j1", "j2", "j3", "j4", "j5"} {
		jobs = append(jobs, Job{Name: name, Spec: "@hourly", Run: p.job(func() { <-hold })})
	}
	if err := s.Set(jobs); err != nil {
		t.Fatal(err)
	}
	for _, j := range jobs {
		if !s.RunNow(j.Name) {
			t.Fatalf("RunNow(%s) = false", j.Name)
		}
	}
	waitFor(t, "two jobs to take the slots", func() bool { return p.total.Load() == 2 })
	time.Sleep(50 * time.Millisecond) // give a broken bound the chance to show
	if got := p.total.Load(); got != 2 {
		t.Fatalf("%d jobs started with MaxConcurrent 2", got)
	}
	if got := len(s.Running()); got != 2 {
		t.Errorf("Running() has %d jobs, want 2", got)
	}
	close(hold)
	waitFor(t, "all five to run", func() bool { return p.total.Load() == 5 })
	stopNow(t, s)
	if got := p.max.Load(); got > 2 {
		t.Errorf("max concurrent = %d, want <= 2", got)
	}
}

func TestGlobalBoundWithCron(t *testing.T) {
	t.Parallel()
	var p concurrencyProbe
	s := New(Options{MaxConcurrent: 2})
	var jobs []Job
	for _, name := range []string{"c1", "c2", "c3", "c4"} {
		// All four fire on the same second; each holds its slot a while.
		jobs = append(jobs, Job{Name: name, Spec: "@every 1s", Run: p.job(func() { time.Sleep(100 * time.Millisecond) })})
	}
	if err := s.Set(jobs); err != nil {
		t.Fatal(err)
	}
	s.Start()
	waitFor(t, "every job to run", func() bool { return p.total.Load() >= 4 })
	stopNow(t, s)
	if got := p.max.Load(); got > 2 {
		t.Errorf("max concurrent = %d, want <= 2", got)
	}
}

func TestSetBadSpecKeepsOldSet(t *testing.T) {
	t.Parallel()
	var good atomic.Int64
	s := New(Options{})
	if err := s.Set([]Job{{Name: "good", Spec: "@every 1s", Run: counting(&good)}}); err != nil {
		t.Fatal(err)
	}
	s.Start()
	defer stopNow(t, s)

	err := s.Set([]Job{
		{Name: "other", Spec: "*/5 * * * *", Run: counting(&good)},
		{Name: "feed-broken", Spec: "*/5 * *", Run: counting(&good)},
		{Name: "feed-nonsense", Spec: "@sometimes", Run: counting(&good)},
	})
	if err == nil {
		t.Fatal("Set with bad specs succeeded")
	}
	for _, want := range []string{`"feed-broken"`, `"*/5 * *"`, `"feed-nonsense"`, `"@sometimes"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
	if strings.Contains(err.Error(), `"other"`) {
		t.Errorf("error %q blames the valid job", err)
	}
	stats := s.Stats()
	if len(stats) != 1 || stats[0].Name != "good" {
		t.Fatalf("after a failed Set the jobs are %+v, want only the old one", stats)
	}
	waitFor(t, "the old job to keep running", func() bool { return good.Load() >= 1 })
}

func TestSetRejectsBadJobs(t *testing.T) {
	t.Parallel()
	run := func(context.Context) {}
	cases := []struct {
		name string
		jobs []Job
		want string
	}{
		{"empty name", []Job{{Spec: "@hourly", Run: run}}, "job #1 (spec \"@hourly\"): empty name"},
		{"duplicate", []Job{{Name: "x", Spec: "@hourly", Run: run}, {Name: "x", Spec: "@daily", Run: run}}, `job "x": name used twice`},
		{"no run", []Job{{Name: "y", Spec: "@hourly"}}, `job "y": no Run func`},
		{"empty spec", []Job{{Name: "z", Run: run}}, `job "z": bad schedule ""`},
	}
	for _, c := range cases {
		s := New(Options{})
		err := s.Set(c.jobs)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error containing %q", c.name, err, c.want)
		}
		if len(s.Stats()) != 0 {
			t.Errorf("%s: jobs were added despite the error", c.name)
		}
	}
}

func TestSetKeepsUnchangedSchedules(t *testing.T) {
	t.Parallel()
	var oldRuns, newRuns atomic.Int64
	s := New(Options{})
	if err := s.Set([]Job{
		{Name: "same", Spec: "@hourly", Run: counting(&oldRuns)},
		{Name: "changed", Spec: "@hourly", Run: counting(&oldRuns)},
		{Name: "gone", Spec: "@hourly", Run: counting(&oldRuns)},
	}); err != nil {
		t.Fatal(err)
	}
	s.Start()
	defer stopNow(t, s)
	entry := func(name string) int {
		s.mu.Lock()
		defer s.mu.Unlock()
		if st := s.jobs[name]; st != nil {
			return int(st.entry)
		}
		return -1
	}
	sameEntry, changedEntry := entry("same"), entry("changed")
	if err := s.Set([]Job{
		{Name: "same", Spec: "@hourly", Run: counting(&newRuns)},
		{Name: "changed", Spec: "@daily", Run: counting(&newRuns)},
		{Name: "new", Spec: "@hourly", Run: counting(&newRuns)},
	}); err != nil {
		t.Fatal(err)
	}
	if got := entry("same"); got != sameEntry {
		t.Errorf("unchanged job was rescheduled: entry %d -> %d", sameEntry, got)
	}
	if got := entry("changed"); got == changedEntry || got < 0 {
		t.Errorf("changed spec kept entry %d", got)
	}
	if entry("gone") != -1 || entry("new") < 0 {
		t.Errorf("gone/new not applied: %+v", s.Stats())
	}
	if n := len(s.cron.Entries()); n != 3 {
		t.Errorf("cron has %d entries, want 3 (old ones removed)", n)
	}
	// The unchanged job runs its new function.
	if !s.RunNow("same") {
		t.Fatal("RunNow(same) = false")
	}
	waitFor(t, "the new Run func", func() bool { return newRuns.Load() == 1 })
	if oldRuns.Load() != 0 {
		t.Errorf("old Run func called %d times", oldRuns.Load())
	}
}

func TestStopWaitsForInFlight(t *testing.T) {
	t.Parallel()
	var finished, sawCancel atomic.Bool
	started := make(chan struct{})
	s := New(Options{})
	if err := s.Set([]Job{{Name: "j", Spec: "@hourly", Run: func(ctx context.Context) {
		close(started)
		time.Sleep(200 * time.Millisecond)
		sawCancel.Store(ctx.Err() != nil)
		finished.Store(true)
	}}}); err != nil {
		t.Fatal(err)
	}
	s.Start()
	s.RunNow("j")
	<-started
	stopNow(t, s)
	if !finished.Load() {
		t.Error("Stop returned before the running job finished")
	}
	if sawCancel.Load() {
		t.Error("job context was cancelled although Stop's deadline had not passed")
	}
	if s.RunNow("j") {
		t.Error("RunNow after Stop started a run")
	}
	if err := s.Set(nil); !errors.Is(err, ErrStopped) {
		t.Errorf("Set after Stop: %v, want ErrStopped", err)
	}
}

func TestStopCancelsAtDeadline(t *testing.T) {
	t.Parallel()
	var returned atomic.Bool
	started := make(chan struct{})
	s := New(Options{})
	if err := s.Set([]Job{{Name: "stubborn", Spec: "@hourly", Run: func(ctx context.Context) {
		close(started)
		<-ctx.Done()
		returned.Store(true)
	}}}); err != nil {
		t.Fatal(err)
	}
	s.Start()
	s.RunNow("stubborn")
	<-started
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := s.Stop(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Stop = %v, want DeadlineExceeded", err)
	}
	if !returned.Load() {
		t.Error("Stop returned before the cancelled job did")
	}
}

func TestWaitingForSlotGivesUpOnStop(t *testing.T) {
	t.Parallel()
	var waiterRan atomic.Bool
	started := make(chan struct{})
	s := New(Options{MaxConcurrent: 1})
	if err := s.Set([]Job{
		{Name: "holder", Spec: "@hourly", Run: func(ctx context.Context) { close(started); <-ctx.Done() }},
		{Name: "waiter", Spec: "@hourly", Run: func(context.Context) { waiterRan.Store(true) }},
	}); err != nil {
		t.Fatal(err)
	}
	s.RunNow("holder")
	<-started
	if !s.RunNow("waiter") {
		t.Fatal("RunNow(waiter) = false")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := s.Stop(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Stop = %v, want DeadlineExceeded (holder ignores everything but cancellation)", err)
	}
	if waiterRan.Load() {
		t.Error("the waiting job ran after Stop began")
	}
}

func TestStopAbandonsRunsInJitter(t *testing.T) {
	t.Parallel()
	var ran atomic.Bool
	var once sync.Once
	inJitter := make(chan struct{})
	s := New(Options{
		Jitter: time.Hour,
		Rand:   func(n int64) int64 { once.Do(func() { close(inJitter) }); return n - 1 },
	})
	if err := s.Set([]Job{{Name: "late", Spec: "@every 1s", Run: func(context.Context) { ran.Store(true) }}}); err != nil {
		t.Fatal(err)
	}
	s.Start()
	select {
	case <-inJitter:
	case <-time.After(8 * time.Second):
		t.Fatal("no scheduled trigger")
	}
	if s.RunNow("late") {
		t.Error("RunNow started a second run while the first waited out its jitter")
	}
	stopNow(t, s) // fails unless the jittered run gives up at once
	if ran.Load() {
		t.Error("job ran although its jitter was an hour")
	}
}

func TestPanickingJobIsContained(t *testing.T) {
	t.Parallel()
	var calls atomic.Int64
	s := New(Options{})
	if err := s.Set([]Job{{Name: "p", Spec: "@hourly", Run: func(context.Context) {
		calls.Add(1)
		panic("boom")
	}}}); err != nil {
		t.Fatal(err)
	}
	if !s.RunNow("p") {
		t.Fatal("RunNow = false")
	}
	waitFor(t, "the panicking run to end", func() bool { return calls.Load() == 1 && len(s.Running()) == 0 })
	if !s.RunNow("p") {
		t.Fatal("job could not run again after a panic")
	}
	waitFor(t, "the second run", func() bool { return calls.Load() == 2 })
	stopNow(t, s)
	if s.RunNow("missing") {
		t.Error("RunNow of an unknown job = true")
	}
}
