package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/claimwatch/claimwatch/internal/config"
	"github.com/claimwatch/claimwatch/internal/metrics"
	"github.com/claimwatch/claimwatch/storage"
)

// envAsMain makes the test binary behave as the claimwatch binary, so the
// signal and lock tests run real processes without a separate build.
const envAsMain = "CLAIMWATCH_TEST_AS_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(envAsMain) == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// syncBuffer collects a daemon's log while it writes from many goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitFor polls cond until it holds, failing the test after timeout.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool, log func() string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s; log:\n%s", timeout, what, log())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// feedServer serves testFeed at /NAME.xml for any NAME, counting requests
// per path; handlers registered in slow take over a path.
type feedServer struct {
	*httptest.Server
	mu       sync.Mutex
	hits     map[string]int
	failing  map[string]bool
	inFlight map[string]int
	maxIn    map[string]int // most requests to one path in flight at once
	// delay, when set for a path, holds the answer that long (or until the
	// client goes away).
	delay map[string]time.Duration
	// started receives the path of every request that reaches a delay.
	started chan string
}

func newFeedServer(t *testing.T) *feedServer {
	fs := &feedServer{hits: map[string]int{}, failing: map[string]bool{}, inFlight: map[string]int{}, maxIn: map[string]int{},
		delay: map[string]time.Duration{}, started: make(chan string, 100)}
	fs.Server = httptest.NewServer(http.HandlerFunc(fs.serve))
	t.Cleanup(fs.Close)
	return fs
}

func (fs *feedServer) serve(w http.ResponseWriter, r *http.Request) {
	fs.mu.Lock()
	path := r.URL.Path
	fs.hits[path]++
	fs.inFlight[path]++
	fs.maxIn[path] = max(fs.maxIn[path], fs.inFlight[path])
	fail, delay := fs.failing[path], fs.delay[path]
	fs.mu.Unlock()
	defer func() {
		fs.mu.Lock()
		fs.inFlight[path]--
		fs.mu.Unlock()
	}()
	if delay > 0 {
		fs.started <- r.URL.Path
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
	}
	if fail {
		http.Error(w, "upstream broken", http.StatusBadGateway)
		return
	}
	w.Header().Set("Content-Type", "application/rss+xml")
	// Links unique per feed, so every source stores its own articles.
	fmt.Fprintf(w, testFeed, "http://"+r.Host+strings.TrimSuffix(r.URL.Path, ".xml"))
}

func (fs *feedServer) count(path string) int {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.hits[path]
}

func (fs *feedServer) set(path string, failing bool, delay time.Duration) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.failing[path] = failing
	fs.delay[path] = delay
}

// daemonConfig writes a config polling each named feed of fs every second.
func daemonConfig(t *testing.T, path string, fs *feedServer, extra string, names ...string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("fetch:\n  allow_private: true\n  per_host_delay: 0s\n  timeout: 10s\n  connect_timeout: 2s\n")
	b.WriteString(extra)
	b.WriteString("sources:\n")
	for _, name := range names {
		fmt.Fprintf(&b, "  - name: %s\n    url: %s/%s.xml\n    schedule: '@every 1s'\n    fetch_articles: never\n", name, fs.URL, name)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// inProcess is a daemon running inside the test process.
type inProcess struct {
	cancel context.CancelFunc
	done   chan int
	log    *syncBuffer
}

func startInProcess(t *testing.T, args ...string) *inProcess {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	d := &inProcess{cancel: cancel, done: make(chan int, 1), log: &syncBuffer{}}
	go func() { d.done <- run(ctx, args, strings.NewReader(""), io.Discard, d.log) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-d.done:
		case <-time.After(30 * time.Second):
			t.Error("daemon did not stop")
		}
	})
	return d
}

// stop is SIGTERM for the in-process daemon: it returns the exit code.
func (d *inProcess) stop(t *testing.T) int {
	t.Helper()
	d.cancel()
	select {
	case code := <-d.done:
		d.done <- code // for the cleanup
		return code
	case <-time.After(30 * time.Second):
		t.Fatalf("daemon did not stop; log:\n%s", d.log)
		return -1
	}
}

func openRO(t *testing.T, db string) *storage.Store {
	t.Helper()
	st, err := storage.OpenReadOnly(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// sourceState reads a source's polling state; the zero state (and an error
// count of -1) while the daemon has not created the database or the source.
func sourceState(db, name string) storage.SourceState {
	none := storage.SourceState{ErrorCount: -1}
	st, err := storage.OpenReadOnly(context.Background(), db)
	if err != nil {
		return none
	}
	defer st.Close()
	s, err := st.SourceState(context.Background(), name)
	if err != nil {
		return none
	}
	return s
}

func checkDB(t *testing.T, db string) {
	t.Helper()
	st, err := storage.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	problems, err := st.Check(context.Background())
	if err != nil || len(problems) > 0 {
		t.Fatalf("database check: %v %q", err, problems)
	}
}

func TestDaemonPollsEachSourceOnItsSchedule(t *testing.T) {
	fs := newFeedServer(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "cw.db")
	cfg := daemonConfig(t, filepath.Join(dir, "c.yaml"), fs, "", "alpha", "beta")
	d := startInProcess(t, "--db", db, "--config", cfg, "--log-format", "json", "run")
	waitFor(t, 30*time.Second, "three polls of each source", func() bool {
		return fs.count("/alpha.xml") >= 3 && fs.count("/beta.xml") >= 3
	}, d.log.String)
	if code := d.stop(t); code != 0 {
		t.Fatalf("exit %d\n%s", code, d.log)
	}

	// One JSON line per poll, with the fields an operator filters on.
	polls := map[string]int{}
	for _, line := range jsonLines(t, d.log.String()) {
		if line["msg"] != "poll" {
			continue
		}
		for _, key := range []string{"source", "outcome", "status", "duration", "new_articles", "new_evidence"} {
			if _, ok := line[key]; !ok {
				t.Errorf("poll line lacks %q: %v", key, line)
			}
		}
		if line["outcome"] != storage.OutcomeOK || line["status"] != float64(200) {
			t.Errorf("poll line %v, want ok with status 200", line)
		}
		polls[line["source"].(string)]++
	}
	if polls["alpha"] < 3 || polls["beta"] < 3 {
		t.Errorf("poll lines per source %v, want at least 3 each", polls)
	}

	st := openRO(t, db)
	for _, name := range []string{"alpha", "beta"} {
		log, err := st.FetchLog(context.Background(), name, 0)
		if err != nil || len(log) < 3 {
			t.Errorf("%s: fetch log has %d polls (%v), want at least 3", name, len(log), err)
		}
	}
	// Both feeds carry the same story: stored once, one piece of evidence.
	ev, err := st.ListEvidence(context.Background(), storage.EvidenceFilter{ClaimID: "russia-arms-to-iran"})
	if err != nil || len(ev) != 1 || ev[0].Stance != "supports" {
		t.Errorf("evidence for russia-arms-to-iran: %+v (%v), want one supporting row", ev, err)
	}
}

func TestDaemonSkipsAPollStillRunning(t *testing.T) {
	fs := newFeedServer(t)
	fs.set("/slow.xml", false, 2500*time.Millisecond)
	dir := t.TempDir()
	db := filepath.Join(dir, "cw.db")
	cfg := daemonConfig(t, filepath.Join(dir, "c.yaml"), fs, "", "slow", "quick")
	d := startInProcess(t, "--db", db, "--config", cfg, "run")
	// The slow source's ticks are skipped while its poll runs; the quick
	// source keeps its pace meanwhile.
	waitFor(t, 30*time.Second, "two skipped ticks of the slow source and three polls of the quick one", func() bool {
		return strings.Count(d.log.String(), "previous run still busy, skipping\" job=slow") >= 2 && fs.count("/quick.xml") >= 3
	}, d.log.String)
	if code := d.stop(t); code != 0 {
		t.Fatalf("exit %d\n%s", code, d.log)
	}
	fs.mu.Lock()
	stacked := fs.maxIn["/slow.xml"]
	fs.mu.Unlock()
	if stacked != 1 {
		t.Errorf("%d fetches of the slow source in flight at once; its polls were stacked", stacked)
	}
}

// movableClock is the pipeline clock of the backoff test: real time plus an
// offset the test moves forward to let a backoff expire.
type movableClock struct{ offset atomic.Int64 }

func (c *movableClock) now() time.Time { return time.Now().Add(time.Duration(c.offset.Load())) }

func (c *movableClock) advance(d time.Duration) { c.offset.Add(int64(d)) }

func TestDaemonBackoffGrowsAndRecovers(t *testing.T) {
	clock := &movableClock{}
	pollClock = clock.now
	t.Cleanup(func() { pollClock = nil })
	fs := newFeedServer(t)
	fs.set("/flaky.xml", true, 0)
	dir := t.TempDir()
	db := filepath.Join(dir, "cw.db")
	cfg := daemonConfig(t, filepath.Join(dir, "c.yaml"), fs, "", "flaky")
	d := startInProcess(t, "--db", db, "--config", cfg, "--log-level", "debug", "run")

	backoff := func() (int, time.Duration) {
		s := sourceState(db, "flaky")
		return s.ErrorCount, s.BackoffUntil.Sub(s.LastAttempt)
	}
	waitFor(t, 30*time.Second, "the first failure", func() bool { n, _ := backoff(); return n == 1 }, d.log.String)
	if _, wait := backoff(); wait != time.Minute {
		t.Fatalf("first backoff %v, want 1m", wait)
	}
	// In backoff: ticks keep coming but the source is not fetched.
	waitFor(t, 30*time.Second, "two ticks skipped for backoff", func() bool {
		return strings.Count(d.log.String(), "outcome=skipped") >= 2
	}, d.log.String)
	if n := fs.count("/flaky.xml"); n != 1 {
		t.Fatalf("fetched %d times during the backoff, want 1", n)
	}

	clock.advance(61 * time.Second)
	waitFor(t, 30*time.Second, "the second failure", func() bool { n, _ := backoff(); return n == 2 }, d.log.String)
	if _, wait := backoff(); wait != 2*time.Minute {
		t.Fatalf("second backoff %v, want 2m (doubling)", wait)
	}

	fs.set("/flaky.xml", false, 0)
	clock.advance(121 * time.Second)
	waitFor(t, 30*time.Second, "recovery", func() bool { n, _ := backoff(); return n == 0 }, d.log.String)
	if s := sourceState(db, "flaky"); !s.BackoffUntil.IsZero() || s.LastSuccess.IsZero() {
		t.Errorf("after recovery: backoff until %v, last success %v", s.BackoffUntil, s.LastSuccess)
	}
	before := fs.count("/flaky.xml")
	waitFor(t, 30*time.Second, "polls on schedule again", func() bool { return fs.count("/flaky.xml") >= before+2 }, d.log.String)
	if code := d.stop(t); code != 0 {
		t.Fatalf("exit %d\n%s", code, d.log)
	}
}

var listenAddr = regexp.MustCompile(`serving health and metrics" addr=(\S+)`)

func TestDaemonHealthReadinessAndMetrics(t *testing.T) {
	fs := newFeedServer(t)
	fs.set("/broken.xml", true, 0)
	dir := t.TempDir()
	db := filepath.Join(dir, "cw.db")
	cfg := daemonConfig(t, filepath.Join(dir, "c.yaml"), fs, "", "good", "broken")
	d := startInProcess(t, "--db", db, "--config", cfg, "run", "--listen", "127.0.0.1:0")
	var base string
	waitFor(t, 30*time.Second, "the listen address", func() bool {
		m := listenAddr.FindStringSubmatch(d.log.String())
		if m != nil {
			base = "http://" + m[1]
		}
		return m != nil
	}, d.log.String)
	waitFor(t, 30*time.Second, "both first polls", func() bool {
		return strings.Contains(d.log.String(), "source=good outcome=ok") && strings.Contains(d.log.String(), "source=broken outcome=failed")
	}, d.log.String)

	get := func(path string) (int, string) {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	code, body := get("/healthz")
	var rep struct {
		Status, DB string
		Age        *int64 `json:"last_success_age_seconds"`
	}
	if err := json.Unmarshal([]byte(body), &rep); err != nil || code != 200 || rep.Status != "ok" || rep.DB != "ok" || rep.Age == nil {
		t.Errorf("/healthz: %d %s (%v)", code, body, err)
	}
	if code, body := get("/readyz"); code != 200 {
		t.Errorf("/readyz: %d %s", code, body)
	}
	_, body = get("/metrics")
	for _, want := range []string{
		`claimwatch_polls_total{outcome="ok",source="good"}`,
		`claimwatch_polls_total{outcome="failed",source="broken"} 1`,
		`claimwatch_fetch_duration_seconds_count{kind="feed"}`,
		`claimwatch_fetched_bytes_total{kind="feed"}`,
		`claimwatch_articles_stored_total 2`,
		`claimwatch_evidence_total{claim="russia-arms-to-iran",stance="supports"} 1`,
		`claimwatch_sources_in_backoff 1`,
		`claimwatch_sources 2`,
		`claimwatch_database_size_bytes`,
		`claimwatch_last_success_timestamp_seconds`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if t.Failed() {
		t.Logf("/metrics:\n%s", body)
	}

	// The Docker HEALTHCHECK command against the same endpoint.
	if code, out, errOut := cli(t, "", "healthcheck", "--url", base+"/healthz"); code != 0 || !strings.Contains(out, "healthy") {
		t.Errorf("healthcheck: exit %d %q %q", code, out, errOut)
	}
	if code := d.stop(t); code != 0 {
		t.Fatalf("exit %d\n%s", code, d.log)
	}
	code, _, errOut := cli(t, "", "healthcheck", "--url", base+"/healthz", "--timeout", "2s")
	if code != exitFailure || !strings.Contains(errOut, "unhealthy") {
		t.Errorf("healthcheck of a stopped daemon: exit %d %q", code, errOut)
	}
}

// A daemon whose every poll fails is unhealthy once the start-up grace is
// over, long before the 6 h max age.
func TestDaemonUnhealthyWhenEveryPollFails(t *testing.T) {
	startupGrace = 0
	t.Cleanup(func() { startupGrace = 15 * time.Minute })
	fs := newFeedServer(t)
	fs.set("/broken.xml", true, 0)
	dir := t.TempDir()
	cfg := daemonConfig(t, filepath.Join(dir, "c.yaml"), fs, "", "broken")
	d := startInProcess(t, "--db", filepath.Join(dir, "cw.db"), "--config", cfg, "run", "--listen", "127.0.0.1:0")
	var base string
	waitFor(t, 30*time.Second, "the first failed poll", func() bool {
		m := listenAddr.FindStringSubmatch(d.log.String())
		if m != nil {
			base = "http://" + m[1]
		}
		return m != nil && strings.Contains(d.log.String(), "source=broken outcome=failed")
	}, d.log.String)
	resp, err := http.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), "no successful poll since the start") {
		t.Errorf("/healthz with every poll failed: %d %s", resp.StatusCode, body)
	}
	code, out, errOut := cli(t, "", "healthcheck", "--url", base+"/healthz")
	if code != exitFailure || strings.Contains(out, "healthy") || !strings.Contains(errOut, "no successful poll") {
		t.Errorf("healthcheck: exit %d %q %q", code, out, errOut)
	}
	if code := d.stop(t); code != 0 {
		t.Fatalf("exit %d\n%s", code, d.log)
	}
}

func TestHealthcheckReportsTheReason(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprint(w, `{"status":"unhealthy","reason":"no successful poll for 7h"}`)
	}))
	defer srv.Close()
	code, _, errOut := cli(t, "", "healthcheck", "--url", srv.URL+"/healthz")
	if code != exitFailure || !strings.Contains(errOut, "no successful poll for 7h") || !strings.Contains(errOut, "503") {
		t.Errorf("exit %d %q", code, errOut)
	}
}

func TestJitterFollowsTheShortestSchedule(t *testing.T) {
	for _, c := range []struct {
		spec string
		want time.Duration
	}{
		{"@every 1s", 100 * time.Millisecond},
		{"@every 30s", 3 * time.Second},
		{"*/30 * * * *", maxJitter},
		{"@hourly", maxJitter},
	} {
		shortest, _ := intervals([]config.Source{{Name: "x", Schedule: c.spec}}, nil)
		if got := jitterFor(shortest); got != c.want {
			t.Errorf("%s: jitter %v, want %v", c.spec, got, c.want)
		}
	}
	if _, longest := intervals([]config.Source{{Name: "a", Schedule: "@every 1m"}, {Name: "b", Schedule: "@daily"}}, nil); longest != 24*time.Hour {
		t.Errorf("longest interval %v, want 24h", longest)
	}
}

// process is a claimwatch process: the test binary run as main.
type process struct {
	cmd  *exec.Cmd
	log  *syncBuffer
	done chan struct{}
	code int
}

func spawn(t *testing.T, args ...string) *process {
	t.Helper()
	p := &process{log: &syncBuffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(os.Args[0], args...)
	p.cmd.Env = append(os.Environ(), envAsMain+"=1")
	p.cmd.Stdout = p.log
	p.cmd.Stderr = p.log
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.cmd.Wait()
		p.code = p.cmd.ProcessState.ExitCode()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.done
	})
	return p
}

func (p *process) waitLog(t *testing.T, timeout time.Duration, substr string) {
	t.Helper()
	waitFor(t, timeout, fmt.Sprintf("%q in the log", substr), func() bool { return strings.Contains(p.log.String(), substr) }, p.log.String)
}

// startupTimeout is generous: a race-instrumented process initialises its
// dependencies (go-dateparser's tables) for seconds on a loaded machine.
const startupTimeout = 60 * time.Second

// waitRunning waits for the daemon's "running" line.
func (p *process) waitRunning(t *testing.T) {
	t.Helper()
	p.waitLog(t, startupTimeout, "claimwatch running")
}

func (p *process) signal(t *testing.T, sig syscall.Signal) {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
}

// wait returns the exit code, failing if the process runs past timeout.
func (p *process) wait(t *testing.T, timeout time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
		return p.code
	case <-time.After(timeout):
		t.Fatalf("still running after %v; log:\n%s", timeout, p.log)
		return -1
	}
}

func TestSIGTERMLetsTheSlowPollFinish(t *testing.T) {
	t.Parallel()
	fs := newFeedServer(t)
	fs.set("/slow.xml", false, 1500*time.Millisecond)
	dir := t.TempDir()
	db := filepath.Join(dir, "cw.db")
	cfg := daemonConfig(t, filepath.Join(dir, "c.yaml"), fs, "", "slow")
	p := spawn(t, "--db", db, "--config", cfg, "run", "--shutdown-timeout", "10s")
	select {
	case <-fs.started:
	case <-time.After(startupTimeout):
		t.Fatalf("the slow fetch never started; log:\n%s", p.log)
	}
	sent := time.Now()
	p.signal(t, syscall.SIGTERM)
	if code := p.wait(t, 15*time.Second); code != 0 {
		t.Fatalf("exit %d\n%s", code, p.log)
	}
	if took := time.Since(sent); took > 12*time.Second {
		t.Errorf("took %v to stop, past the 10s deadline", took)
	}
	if !strings.Contains(p.log.String(), "source=slow outcome=ok") {
		t.Errorf("the poll in flight did not complete:\n%s", p.log)
	}
	checkDB(t, db)
	polls, err := openRO(t, db).FetchLog(context.Background(), "slow", 0)
	if err != nil || len(polls) != 1 || polls[0].Outcome != storage.OutcomeOK || polls[0].NewArticles != 2 {
		t.Fatalf("fetch log %+v (%v), want the one completed poll with 2 new articles", polls, err)
	}
}

func TestSIGTERMCancelsAtTheDeadlineAndTheNextStartCarriesOn(t *testing.T) {
	t.Parallel()
	fs := newFeedServer(t)
	fs.set("/stuck.xml", false, time.Hour)
	dir := t.TempDir()
	db := filepath.Join(dir, "cw.db")
	cfg := daemonConfig(t, filepath.Join(dir, "c.yaml"), fs, "shutdown_timeout: 1s\n", "stuck", "steady")
	p := spawn(t, "--db", db, "--config", cfg, "run")
	select {
	case <-fs.started:
	case <-time.After(startupTimeout):
		t.Fatalf("the stuck fetch never started; log:\n%s", p.log)
	}
	p.waitLog(t, 30*time.Second, "source=steady outcome=ok")
	p.signal(t, syscall.SIGTERM)
	// The 1s deadline, then up to the scheduler's grace for the cancelled
	// poll to record itself.
	if code := p.wait(t, 8*time.Second); code != 0 {
		t.Fatalf("exit %d\n%s", code, p.log)
	}
	if !strings.Contains(p.log.String(), "were cancelled") {
		t.Errorf("no word of the cancelled poll:\n%s", p.log)
	}
	checkDB(t, db)

	before := fs.count("/steady.xml")
	p2 := spawn(t, "--db", db, "--config", cfg, "run")
	waitFor(t, startupTimeout, "the restarted daemon to poll", func() bool { return fs.count("/steady.xml") > before }, p2.log.String)
	p2.waitLog(t, 30*time.Second, "source=steady outcome=ok")
	p2.signal(t, syscall.SIGINT)
	if code := p2.wait(t, 8*time.Second); code != 0 {
		t.Fatalf("restart: exit %d\n%s", code, p2.log)
	}
	checkDB(t, db)
	polls, err := openRO(t, db).FetchLog(context.Background(), "steady", 0)
	if err != nil || len(polls) < 2 {
		t.Fatalf("steady: %d polls over both runs (%v), want at least 2", len(polls), err)
	}
}

func TestSIGHUPReloadsAGoodConfigAndRefusesABadOne(t *testing.T) {
	t.Parallel()
	fs := newFeedServer(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "cw.db")
	cfgPath := filepath.Join(dir, "c.yaml")
	daemonConfig(t, cfgPath, fs, "", "first")
	p := spawn(t, "--db", db, "--config", cfgPath, "run")
	p.waitRunning(t)
	p.waitLog(t, 30*time.Second, "source=first outcome=ok")

	// A bad config: refused with the file and line, the old source goes on.
	bad := "sources:\n  - name: first\n    url: " + fs.URL + "/first.xml\n    schedul: '@every 1s'\n"
	if err := os.WriteFile(cfgPath, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	p.signal(t, syscall.SIGHUP)
	p.waitLog(t, 30*time.Second, "reload refused")
	if !strings.Contains(p.log.String(), "c.yaml:4:5") {
		t.Errorf("the refusal does not name the file and line:\n%s", p.log)
	}
	before := fs.count("/first.xml")
	waitFor(t, 30*time.Second, "the old source to keep being polled", func() bool { return fs.count("/first.xml") >= before+2 }, p.log.String)

	// A config with every source disabled: refused, as at start.
	if err := os.WriteFile(cfgPath, []byte("sources:\n  - name: first\n    url: "+fs.URL+"/first.xml\n    enabled: false\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p.signal(t, syscall.SIGHUP)
	waitFor(t, 30*time.Second, "the reload down to no source to be refused", func() bool {
		return strings.Contains(p.log.String(), "no enabled sources: nothing would be polled")
	}, p.log.String)
	before = fs.count("/first.xml")
	waitFor(t, 30*time.Second, "the old source to keep being polled", func() bool { return fs.count("/first.xml") >= before+2 }, p.log.String)

	// ...and the store still holds the running source as it runs: enabled.
	ro, err := storage.OpenReadOnly(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	stored, err := ro.ListSources(context.Background())
	ro.Close()
	if err != nil || len(stored) != 1 || !stored[0].Enabled {
		var held []string
		for _, src := range stored {
			held = append(held, fmt.Sprintf("%s (enabled %t)", src.Name, src.Enabled))
		}
		t.Errorf("after the refused reload the store holds %v (%v); want the running source, enabled", held, err)
	}

	// A good config with a second source: it starts being polled.
	daemonConfig(t, cfgPath, fs, "", "first", "second")
	p.signal(t, syscall.SIGHUP)
	p.waitLog(t, 30*time.Second, "msg=reloaded sources=2")
	waitFor(t, 30*time.Second, "the new source to be polled", func() bool { return fs.count("/second.xml") >= 2 }, p.log.String)
	p.signal(t, syscall.SIGTERM)
	if code := p.wait(t, 10*time.Second); code != 0 {
		t.Fatalf("exit %d\n%s", code, p.log)
	}
}

// With every source disabled, `run` and `run --once` refuse with exit 2
// and say how to enable one, instead of starting a daemon that never polls.
func TestRunRefusesZeroEnabledSources(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "c.yaml")
	if err := os.WriteFile(cfg, []byte("sources:\n  - name: wire\n    url: https://example.org/feed.xml\n    enabled: false\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"run"}, {"run", "--once"}} {
		code, _, errOut := cli(t, "", append([]string{"--db", filepath.Join(dir, "cw.db"), "--config", cfg}, args...)...)
		if code != exitUsage || !strings.Contains(errOut, "no enabled sources") || !strings.Contains(errOut, cfg) || !strings.Contains(errOut, "enabled: true") {
			t.Errorf("%v: exit %d %q", args, code, errOut)
		}
	}
}

// The outcome a poll line logs is the label its metric carries.
func TestOutcomeNamesMatchMetricLabels(t *testing.T) {
	for stored, metric := range map[string]string{
		storage.OutcomeOK: metrics.OutcomeOK, storage.OutcomeNotModified: metrics.OutcomeNotModified, storage.OutcomeFailed: metrics.OutcomeFailed,
	} {
		if stored != metric {
			t.Errorf("poll log says %q, metric label %q", stored, metric)
		}
	}
}
