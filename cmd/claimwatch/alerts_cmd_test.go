package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/claimwatch/claimwatch/internal/alert"
)

// hookReceiver is a webhook endpoint for the tests. While failing it answers
// 503; while hanging it holds every request open (never acknowledging it)
// and reports its arrival on arrived.
type hookReceiver struct {
	*httptest.Server
	mu       sync.Mutex
	failing  bool
	hanging  bool
	arrived  chan string
	accepted []map[string]any
	keys     []string // Idempotency-Key of every request
	badSig   int
}

const hookSecret = "cmd-test-secret"

func newHookReceiver(t *testing.T) *hookReceiver {
	h := &hookReceiver{arrived: make(chan string, 10)}
	h.Server = httptest.NewServer(http.HandlerFunc(h.serve))
	t.Cleanup(h.Close)
	return h
}

func (h *hookReceiver) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	key := r.Header.Get(alert.HeaderIdempotencyKey)
	h.mu.Lock()
	h.keys = append(h.keys, key)
	if r.Header.Get(alert.HeaderSignature) != alert.Sign([]byte(hookSecret), body) {
		h.badSig++
	}
	failing, hanging := h.failing, h.hanging
	h.mu.Unlock()
	switch {
	case hanging:
		h.arrived <- key
		<-r.Context().Done()
		return
	case failing:
		http.Error(w, "receiver down", http.StatusServiceUnavailable)
		return
	}
	var p map[string]any
	if err := json.Unmarshal(body, &p); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	h.mu.Lock()
	h.accepted = append(h.accepted, p)
	h.mu.Unlock()
}

func (h *hookReceiver) set(failing, hanging bool) {
	h.mu.Lock()
	h.failing, h.hanging = failing, hanging
	h.mu.Unlock()
}

// got returns the accepted payloads and the count of bad signatures.
func (h *hookReceiver) got() ([]map[string]any, int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]map[string]any(nil), h.accepted...), h.badSig
}

func (h *hookReceiver) acceptedKeys() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, p := range h.accepted {
		out = append(out, p["idempotency_key"].(string))
	}
	return out
}

// alertConfig writes a config polling feedURL once per run, with a webhook
// alert rule (extra YAML lines go into the rule).
func alertConfig(t *testing.T, feedURL, hookURL, extra string) string {
	t.Helper()
	t.Setenv("CLAIMWATCH_TEST_HOOK_SECRET", hookSecret)
	cfg := fmt.Sprintf(`fetch:
  allow_private: true
  per_host_delay: 0s
  timeout: 5s
  connect_timeout: 2s
sources:
  - name: wire
    url: %s
    fetch_articles: never
alerts:
  - name: ops
    backoff: 1s
%s    webhook:
      url: %s
      secret: ${CLAIMWATCH_TEST_HOOK_SECRET}
`, feedURL, extra, hookURL)
	path := filepath.Join(t.TempDir(), "claimwatch.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func oneFeedServer(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, testFeed, "http://"+r.Host)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// alertRun sets up a feed with one alerting item, a webhook receiver, a
// database path and a config (extra: more lines of the alert rule).
func alertRun(t *testing.T, extra string) (hook *hookReceiver, db, cfg string) {
	t.Helper()
	hook = newHookReceiver(t)
	feed := oneFeedServer(t)
	return hook, filepath.Join(t.TempDir(), "cw.db"), alertConfig(t, feed.URL+"/feed.xml", hook.URL, extra)
}

func TestRunOnceSendsSignedAlertOnceAndListShowsIt(t *testing.T) {
	hook, db, cfg := alertRun(t, "")
	for range 2 {
		if code, out, errOut := cli(t, "", "--db", db, "--config", cfg, "run", "--once"); code != 0 {
			t.Fatalf("run --once: exit %d\n%s\n%s", code, out, errOut)
		}
	}
	accepted, badSig := hook.got()
	if len(accepted) != 1 || badSig != 0 {
		t.Fatalf("receiver accepted %d alerts (%d bad signatures), want 1 signed", len(accepted), badSig)
	}
	p := accepted[0]
	if p["claim"] != "russia-arms-to-iran" || p["stance"] != "supports" || p["title"] != "Russia delivers S-400 to Iran" {
		t.Errorf("payload %v", p)
	}
	code, out, _ := cli(t, "", "--db", db, "--config", cfg, "alerts", "list")
	if code != 0 || !strings.Contains(out, "ops") || !strings.Contains(out, "sent") || !strings.Contains(out, "russia-arms-to-iran") {
		t.Errorf("alerts list: exit %d\n%s", code, out)
	}
}

func TestFailedAlertsAreListedAndRetried(t *testing.T) {
	hook, db, cfg := alertRun(t, "    retries: 1\n")
	hook.set(true, false)
	code, out, errOut := cli(t, "", "--db", db, "--config", cfg, "run", "--once")
	if code != 0 || !strings.Contains(out, "alerts: 0 sent, 1 failed") {
		t.Fatalf("run --once: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, _ = cli(t, "", "--db", db, "--config", cfg, "alerts", "list", "--state", "failed")
	if code != 0 || !strings.Contains(out, "failed") || !strings.Contains(out, "503") {
		t.Fatalf("alerts list --state failed: exit %d\n%s", code, out)
	}
	if strings.Contains(out+errOut, hookSecret) {
		t.Errorf("the secret was printed")
	}
	if code, _, errOut := cli(t, "", "--db", db, "--config", cfg, "alerts", "list", "--limit", "-1"); code != exitUsage || !strings.Contains(errOut, "--limit -1") {
		t.Errorf("alerts list --limit -1: exit %d, stderr %q; want a usage error", code, errOut)
	}
	hook.set(false, false)
	if code, out, _ := cli(t, "", "--db", db, "--config", cfg, "alerts", "retry"); code != 0 || !strings.Contains(out, "1 failed alert(s) queued again") {
		t.Fatalf("alerts retry: exit %d %s", code, out)
	}
	if code, out, errOut := cli(t, "", "--db", db, "--config", cfg, "run", "--once"); code != 0 || !strings.Contains(out, "alerts: 1 sent") {
		t.Fatalf("run --once after retry: exit %d\n%s\n%s", code, out, errOut)
	}
	if accepted, _ := hook.got(); len(accepted) != 1 {
		t.Fatalf("accepted %d, want 1", len(accepted))
	}
}

func TestAlertsTestSendsASample(t *testing.T) {
	hook := newHookReceiver(t)
	cfg := alertConfig(t, "https://feeds.example/x.xml", hook.URL, "")
	db := filepath.Join(t.TempDir(), "cw.db")
	if code, out, errOut := cli(t, "", "--db", db, "--config", cfg, "alerts", "test", "ops"); code != 0 || !strings.Contains(out, "sample sent") {
		t.Fatalf("alerts test: exit %d %s %s", code, out, errOut)
	}
	if accepted, _ := hook.got(); len(accepted) != 1 || accepted[0]["claim"] != "sample-claim" {
		t.Fatalf("receiver got %v", accepted)
	}
	if code, _, errOut := cli(t, "", "--db", db, "--config", cfg, "alerts", "test", "nope"); code != exitUsage || !strings.Contains(errOut, `no alert rule named "nope"`) {
		t.Errorf("unknown rule: exit %d %s", code, errOut)
	}
}

func TestBadAlertsConfigIsPlacedAndExits2(t *testing.T) {
	path := filepath.Join(t.TempDir(), "claimwatch.yaml")
	writeTestFile(t, path, "alerts:\n  - name: ops\n    stances: [supports, agrees]\n    webhook: {url: \"https://hooks.example/x\"}\n")
	code, _, errOut := cli(t, "", "--db", filepath.Join(t.TempDir(), "cw.db"), "--config", path, "run", "--once")
	if want := path + `:3:25: unknown stance "agrees"`; code != exitUsage || !strings.Contains(errOut, want) {
		t.Fatalf("exit %d, stderr %q; want 2 and %q", code, errOut, want)
	}
}

func TestDaemonDeliversAlertsAndCountsThem(t *testing.T) {
	hook := newHookReceiver(t)
	fs := newFeedServer(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "cw.db")
	t.Setenv("CLAIMWATCH_TEST_HOOK_SECRET", hookSecret)
	extra := fmt.Sprintf("alerts:\n  - name: ops\n    webhook: {url: %q, secret: \"${CLAIMWATCH_TEST_HOOK_SECRET}\"}\n", hook.URL)
	cfg := daemonConfig(t, filepath.Join(dir, "c.yaml"), fs, extra, "good")
	d := startInProcess(t, "--db", db, "--config", cfg, "run", "--listen", "127.0.0.1:0")
	waitFor(t, 30*time.Second, "the alert", func() bool { return len(hook.acceptedKeys()) == 1 }, d.log.String)
	m := listenAddr.FindStringSubmatch(d.log.String())
	if m == nil {
		t.Fatalf("no listen address in\n%s", d.log)
	}
	var body string
	waitFor(t, 10*time.Second, "the sent alert in the metrics", func() bool {
		resp, err := http.Get("http://" + m[1] + "/metrics")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		body = string(b)
		return strings.Contains(body, `claimwatch_alerts{rule="ops",state="sent"} 1`)
	}, func() string { return body })
	for _, want := range []string{`claimwatch_alert_deliveries_total{outcome="sent",rule="ops"} 1`, `claimwatch_alert_oldest_pending_age_seconds 0`} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	// More polls of the same feed: nothing new to say.
	waitFor(t, 30*time.Second, "two more polls", func() bool { return fs.count("/good.xml") >= 3 }, d.log.String)
	if code := d.stop(t); code != 0 {
		t.Fatalf("exit %d\n%s", code, d.log)
	}
	if accepted, badSig := hook.got(); len(accepted) != 1 || badSig != 0 {
		t.Fatalf("receiver accepted %d alerts (%d bad signatures), want 1", len(accepted), badSig)
	}
	if strings.Contains(d.log.String(), hookSecret) || strings.Contains(d.log.String(), hook.URL) {
		t.Errorf("the log shows the webhook secret or URL:\n%s", d.log)
	}
}

// TestSIGKILLBetweenStoreAndSendDeliversOnceAfterRestart kills `run --once`
// while the receiver holds the alert's request unanswered: the evidence and
// its alert are stored, the delivery never acknowledged. The next run sends
// it (with the same idempotency key) and a third run sends nothing.
func TestSIGKILLBetweenStoreAndSendDeliversOnceAfterRestart(t *testing.T) {
	hook, db, cfg := alertRun(t, "")
	hook.set(false, true)

	p := spawn(t, "--db", db, "--config", cfg, "--log-level", "error", "run", "--once")
	var hungKey string
	select {
	case hungKey = <-hook.arrived:
	case <-time.After(60 * time.Second):
		t.Fatalf("no alert request arrived; log:\n%s", p.log)
	}
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-p.done

	hook.set(false, false)
	for run := 1; run <= 2; run++ {
		if code, out, errOut := cli(t, "", "--db", db, "--config", cfg, "run", "--once"); code != 0 {
			t.Fatalf("run %d after the kill: exit %d\n%s\n%s", run, code, out, errOut)
		}
	}
	keys := hook.acceptedKeys()
	if len(keys) != 1 || keys[0] != hungKey {
		t.Fatalf("accepted %v after the restart, want exactly the killed delivery %s", keys, hungKey)
	}
}
