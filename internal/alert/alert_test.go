package alert

import (
	"context"
	"crypto/hmac"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/claimwatch/claimwatch/claims"
	"github.com/claimwatch/claimwatch/internal/config"
	"github.com/claimwatch/claimwatch/storage"
)

var testClaims = []claims.Claim{
	{ID: "su35-iran", Statement: "Russia will deliver Su-35 jets to Iran.", Tags: []string{"military"}, Hash: "h1", File: "c.yaml", Line: 1},
	{ID: "grain-deal", Statement: "The grain deal will be renewed.", Tags: []string{"trade"}, Hash: "h2", File: "c.yaml", Line: 9},
}

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time)     { c.mu.Lock(); c.t = t; c.mu.Unlock() }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// setup opens a store with the test claims and parses alerts YAML into
// rules whose route the store uses. The clock starts at the real time, as
// the store stamps alerts with it (the clock runs a second ahead).
func setup(t *testing.T, alertsYAML string) (*storage.Store, *Sender, *clock) {
	t.Helper()
	ctx := context.Background()
	st, err := storage.Open(ctx, filepath.Join(t.TempDir(), "cw.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.SyncClaims(ctx, testClaims); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse([]byte(alertsYAML), "alerts.yaml")
	if err != nil {
		t.Fatal(err)
	}
	rules, err := NewRules(cfg.Alerts, testClaims, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{t: time.Now().Add(time.Second)} // just after the store's own stamps
	st.SetAlertRoute(Route(rules, clk.now))
	return st, &Sender{Store: st, Rules: rules, Now: clk.now}, clk
}

// save stores article n (simhash sim; 0 means its own story) with one finding.
func save(t *testing.T, st *storage.Store, n int, sim uint64, claim string, stance claims.Stance, conf float64, pub time.Time) {
	t.Helper()
	if sim == 0 {
		sim = uint64(n)*0x9E3779B97F4A7C15 | 1
	}
	a := storage.Article{URL: fmt.Sprintf("https://outlet%d.example/story/%d", n, n), Title: fmt.Sprintf("Headline %d", n),
		Text: "Body.", Outlet: fmt.Sprintf("outlet%d.example", n), PublishedAt: pub, ContentHash: fmt.Sprintf("h%d", n), SimHash: sim}
	f := claims.Finding{ClaimID: claim, Stance: stance, Confidence: conf, Snippet: fmt.Sprintf("Snippet %d.", n), Sentences: 1}
	if _, err := st.SaveArticle(context.Background(), a, []claims.Finding{f}); err != nil {
		t.Fatal(err)
	}
}

// receiver is a webhook endpoint that fails the first `fail` requests.
type receiver struct {
	mu       sync.Mutex
	fail     int
	requests []*http.Request
	bodies   [][]byte
	accepted int
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.requests = append(rc.requests, r)
	rc.bodies = append(rc.bodies, body)
	if len(rc.requests) <= rc.fail {
		http.Error(w, "try later", http.StatusServiceUnavailable)
		return
	}
	rc.accepted++
}

func deliver(t *testing.T, s *Sender) Outcome {
	t.Helper()
	out, err := s.DeliverDue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return out
}

const hookSecret = "shared-secret"

// withWebhook serves rc and sets up one rule "ops" posting to it; extra are
// more lines of the rule, indented by four spaces.
func withWebhook(t *testing.T, rc *receiver, extra string) (*storage.Store, *Sender, *clock) {
	t.Helper()
	t.Setenv("CW_HOOK_SECRET", hookSecret)
	srv := httptest.NewServer(rc)
	t.Cleanup(srv.Close)
	return setup(t, "alerts:\n  - name: ops\n"+extra+"    webhook: {url: \""+srv.URL+"\", secret: \"${CW_HOOK_SECRET}\"}\n")
}

func TestWebhookGetsDocumentedSignedBody(t *testing.T) {
	rc := &receiver{}
	st, s, clk := withWebhook(t, rc, "    claims: [military]\n    min_confidence: 0.5\n")
	pub := time.Date(2026, 11, 29, 7, 30, 0, 0, time.UTC)
	save(t, st, 1, 0, "su35-iran", claims.Supports, 0.8, pub)
	save(t, st, 2, 0, "su35-iran", claims.Mentions, 0.9, pub)    // stance not wanted
	save(t, st, 3, 0, "su35-iran", claims.Contradicts, 0.3, pub) // below min confidence
	save(t, st, 4, 0, "grain-deal", claims.Supports, 0.9, pub)   // claim not wanted

	if out := deliver(t, s); out.Sent != 1 || out.Failed != 0 {
		t.Fatalf("outcome %+v, want 1 sent", out)
	}
	if len(rc.bodies) != 1 {
		t.Fatalf("receiver got %d requests, want 1", len(rc.bodies))
	}
	body, req := rc.bodies[0], rc.requests[0]
	if got, want := req.Header.Get(HeaderSignature), Sign([]byte(hookSecret), body); !hmac.Equal([]byte(got), []byte(want)) {
		t.Errorf("signature %q, want %q", got, want)
	}
	var p map[string]any
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatal(err)
	}
	ev, _ := st.ListEvidence(context.Background(), storage.EvidenceFilter{ClaimID: "su35-iran", Stance: claims.Supports})
	want := map[string]any{
		"type": "evidence", "rule": "ops", "claim": "su35-iran", "statement": testClaims[0].Statement,
		"stance": "supports", "confidence": 0.8, "snippet": "Snippet 1.", "title": "Headline 1",
		"url": "https://outlet1.example/story/1", "outlet": "outlet1.example", "published": "2026-11-29T07:30:00Z",
		"evidence_id": float64(ev[0].ID), "story_id": float64(ev[0].StoryID),
		"idempotency_key": storage.AlertKey("ops", "su35-iran", ev[0].URL),
	}
	for k, v := range want {
		if p[k] != v {
			t.Errorf("body %s = %v, want %v", k, p[k], v)
		}
	}
	if len(p) != len(want) {
		t.Errorf("body has %d fields, want %d: %s", len(p), len(want), body)
	}
	if req.Header.Get(HeaderIdempotencyKey) != p["idempotency_key"] {
		t.Errorf("Idempotency-Key header %q", req.Header.Get(HeaderIdempotencyKey))
	}
	// Acknowledged: never again.
	clk.add(time.Hour)
	if out := deliver(t, s); out.Sent != 0 || len(rc.bodies) != 1 {
		t.Fatalf("second pass sent %+v", out)
	}
}

func TestReceiverFailingThreeTimesGetsAlertOnce(t *testing.T) {
	rc := &receiver{fail: 3}
	st, s, clk := withWebhook(t, rc, "    backoff: 1m\n    retries: 5\n")
	save(t, st, 1, 0, "su35-iran", claims.Supports, 0.8, time.Now())
	for i, wantWait := range []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute} {
		if out := deliver(t, s); out.Failed != 1 {
			t.Fatalf("attempt %d: %+v, want a failure", i+1, out)
		}
		// Not before the backoff has passed.
		clk.add(wantWait - time.Second)
		if out := deliver(t, s); out.Failed+out.Sent != 0 {
			t.Fatalf("attempt %d retried before its backoff %v", i+1, wantWait)
		}
		clk.add(time.Second)
	}
	pending, _ := st.ListAlerts(context.Background(), storage.AlertFilter{})
	if len(pending) != 1 || !strings.Contains(pending[0].LastError, "503") {
		t.Fatalf("outbox before success: %+v", pending)
	}
	if out := deliver(t, s); out.Sent != 1 {
		t.Fatalf("fourth attempt: %+v", out)
	}
	clk.add(24 * time.Hour)
	deliver(t, s)
	if rc.accepted != 1 || len(rc.requests) != 4 {
		t.Fatalf("accepted %d of %d requests, want 1 of 4", rc.accepted, len(rc.requests))
	}
	key := rc.requests[0].Header.Get(HeaderIdempotencyKey)
	for _, r := range rc.requests {
		if r.Header.Get(HeaderIdempotencyKey) != key {
			t.Errorf("retries changed the idempotency key")
		}
	}
}

func TestRetriesSpentMarkFailedUntilRetried(t *testing.T) {
	rc := &receiver{fail: 2}
	st, s, clk := withWebhook(t, rc, "    backoff: 1m\n    retries: 2\n")
	ctx := context.Background()
	save(t, st, 1, 0, "su35-iran", claims.Supports, 0.8, time.Now())
	deliver(t, s)
	clk.add(time.Minute)
	deliver(t, s)
	clk.add(time.Hour)
	if out := deliver(t, s); out.Sent+out.Failed != 0 {
		t.Fatalf("a failed alert was tried again: %+v", out)
	}
	failed, _ := st.ListAlerts(ctx, storage.AlertFilter{Status: storage.AlertFailed})
	if len(failed) != 1 || failed[0].Attempts != 2 {
		t.Fatalf("failed = %+v", failed)
	}
	if n, err := st.RetryAlerts(ctx, "ops", clk.now()); err != nil || n != 1 {
		t.Fatalf("retry: %d, %v", n, err)
	}
	if out := deliver(t, s); out.Sent != 1 || rc.accepted != 1 {
		t.Fatalf("after retry: %+v, accepted %d", out, rc.accepted)
	}
}

func TestStoryFromFiveOutletsAlertsOnce(t *testing.T) {
	rc := &receiver{}
	st, s, _ := withWebhook(t, rc, "")
	for n := 1; n <= 5; n++ {
		save(t, st, n, 0x5555AAAA12345678, "su35-iran", claims.Supports, 0.8, time.Now())
	}
	if out := deliver(t, s); out.Sent != 1 || len(rc.bodies) != 1 {
		t.Fatalf("sent %+v, receiver got %d", out, len(rc.bodies))
	}
}

func TestDigestCollectsADayInOneMail(t *testing.T) {
	smtp := startSMTP(t, false)
	t.Setenv("CW_SMTP_PASSWORD", "pw-123")
	st, s, clk := setup(t, fmt.Sprintf(`
alerts:
  - name: morning
    mode: digest
    schedule: "0 8 * * *"
    stances: [supports, contradicts, mentions]
    email:
      host: 127.0.0.1
      port: %d
      username: alerts
      password: ${CW_SMTP_PASSWORD}
      from: claimwatch <alerts@example.org>
      to: [analyst@example.org]
`, smtp.port()))
	start := clk.now()
	next := Find(s.Rules, "morning").notBefore(start)
	step := next.Sub(start) / 4
	day := time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)
	save(t, st, 1, 0, "su35-iran", claims.Supports, 0.8, day.Add(6*time.Hour))
	clk.add(step)
	save(t, st, 2, 0, "su35-iran", claims.Contradicts, 0.7, day.Add(9*time.Hour))
	clk.add(step)
	save(t, st, 3, 0, "grain-deal", claims.Mentions, 0.6, day.Add(12*time.Hour))
	clk.add(step)
	save(t, st, 4, 0, "su35-iran", claims.Supports, 0.9, day.Add(15*time.Hour))

	clk.set(next.Add(-time.Second))
	if out := deliver(t, s); out.Sent != 0 || len(smtp.messages()) != 0 {
		t.Fatalf("digest went out before its schedule: %+v", out)
	}
	clk.set(next.Add(time.Second))
	save(t, st, 5, 0, "su35-iran", claims.Supports, 0.9, day.Add(20*time.Hour)) // for the next digest
	if out := deliver(t, s); out.Sent != 4 {
		al, _ := st.ListAlerts(context.Background(), storage.AlertFilter{})
		t.Fatalf("digest outcome %+v, want the 4 alerts of the day: %+v", out, al)
	}
	msgs := smtp.messages()
	if len(msgs) != 1 {
		t.Fatalf("got %d mails, want 1", len(msgs))
	}
	data := msgs[0].Data
	for _, want := range []string{
		"Subject: [claimwatch] morning: 4 new evidence for 2 claim(s)",
		"Content-Type: text/plain", "Content-Type: text/html",
		"2 supports, 1 contradicts", "1 mentions", "Headline 4", "multipart/alternative",
	} {
		if !strings.Contains(data, want) {
			t.Errorf("mail lacks %q:\n%s", want, data)
		}
	}
	// Newest first within a claim.
	if i4, i1 := strings.Index(data, "Headline 4"), strings.Index(data, "Headline 1"); i4 > i1 {
		t.Errorf("Headline 4 (newer) comes after Headline 1")
	}
	if !strings.Contains(data, "@claimwatch>") || !strings.Contains(data, "Message-ID: <") {
		t.Errorf("no Message-ID from the idempotency key:\n%s", data)
	}
	if a := smtp.auths(); len(a) != 1 || a[0] != "alerts:pw-123" {
		t.Errorf("auth %v", a)
	}
	// The late alert waits for the next digest.
	pending, _ := st.ListAlerts(context.Background(), storage.AlertFilter{Status: storage.AlertPending})
	if len(pending) != 1 {
		t.Fatalf("pending after the digest: %+v", pending)
	}
}

func TestEmailOverImplicitTLSWithAuth(t *testing.T) {
	smtp := startSMTP(t, true)
	st, s, _ := setup(t, fmt.Sprintf(`
alerts:
  - name: mail
    email: {host: 127.0.0.1, port: %d, security: tls, username: u, password: p, from: a@example.org, to: [b@example.org]}
`, smtp.port()))
	save(t, st, 1, 0, "su35-iran", claims.Supports, 0.8, time.Now())
	if out := deliver(t, s); out.Sent != 1 || len(smtp.messages()) != 1 || fmt.Sprint(smtp.auths()) != "[u:p]" {
		t.Fatalf("outcome %+v, %d mails, auth %v", out, len(smtp.messages()), smtp.auths())
	}
}

func TestEmailEachUsesKeyAsMessageID(t *testing.T) {
	smtp := startSMTP(t, false)
	st, s, _ := setup(t, fmt.Sprintf(`
alerts:
  - name: mail
    email: {host: 127.0.0.1, port: %d, security: none, from: a@example.org, to: [b@example.org]}
`, smtp.port()))
	save(t, st, 1, 0, "su35-iran", claims.Supports, 0.8, time.Now())
	deliver(t, s)
	msgs := smtp.messages()
	if len(msgs) != 1 {
		t.Fatalf("got %d mails", len(msgs))
	}
	al, _ := st.ListAlerts(context.Background(), storage.AlertFilter{})
	if want := "Message-ID: <" + al[0].IdempotencyKey + "@claimwatch>"; !strings.Contains(msgs[0].Data, want) {
		t.Errorf("mail lacks %q:\n%s", want, msgs[0].Data)
	}
}

func TestNotifyThroughServiceURL(t *testing.T) {
	rc := &receiver{}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	st, s, _ := setup(t, `
alerts:
  - name: chat
    notify: {urls: ["generic+`+srv.URL+`/notify?template=json"]}
`)
	save(t, st, 1, 0, "su35-iran", claims.Supports, 0.8, time.Now())
	if out := deliver(t, s); out.Sent != 1 {
		t.Fatalf("outcome %+v", out)
	}
	if len(rc.bodies) != 1 || !strings.Contains(string(rc.bodies[0]), "Headline 1") || rc.requests[0].URL.Path != "/notify" {
		t.Fatalf("service got %q", rc.bodies)
	}
}

func TestRuleTestSendsSample(t *testing.T) {
	rc := &receiver{}
	st, s, clk := withWebhook(t, rc, "")
	if err := Find(s.Rules, "OPS").Test(context.Background(), clk.now()); err != nil {
		t.Fatal(err)
	}
	if len(rc.bodies) != 1 || !strings.Contains(string(rc.bodies[0]), `"claim":"sample-claim"`) {
		t.Fatalf("got %q", rc.bodies)
	}
	if al, _ := st.ListAlerts(context.Background(), storage.AlertFilter{}); len(al) != 0 {
		t.Errorf("a test alert went into the outbox: %+v", al)
	}
}

func TestUnknownClaimOrTagIsAProblem(t *testing.T) {
	cfg, err := config.Parse([]byte("alerts:\n  - name: a\n    claims: [nope]\n    webhook: {url: https://x.example}\n"), "c.yaml")
	if err != nil {
		t.Fatal(err)
	}
	_, err = NewRules(cfg.Alerts, testClaims, nil)
	if err == nil || !strings.Contains(err.Error(), `c.yaml:2:1: alert "a": claims: "nope" is neither`) {
		t.Fatalf("err = %v", err)
	}
}

func TestBackoffDoublesToACap(t *testing.T) {
	r := &Rule{Alert: config.Alert{Backoff: 10 * time.Minute}}
	for attempts, want := range []time.Duration{10 * time.Minute, 20 * time.Minute, 40 * time.Minute, time.Hour, time.Hour} {
		if got := r.backoff(attempts); got != want {
			t.Errorf("backoff(%d) = %v, want %v", attempts, got, want)
		}
	}
}

func TestNotifyErrorsHideTokens(t *testing.T) {
	n := &notify{secrets: urlSecrets([]string{"slack://hook:T000-secret-token@channel?x=abcdefgh"})}
	got := n.redact(`Post "https://hooks.slack.com/services/T000-secret-token": x=abcdefgh refused`)
	if strings.Contains(got, "secret-token") || strings.Contains(got, "abcdefgh") {
		t.Errorf("redacted = %q", got)
	}
}

func TestADownDestinationCostsOneAttemptPerPass(t *testing.T) {
	rc := &receiver{fail: 1000}
	st, s, clk := withWebhook(t, rc, "    backoff: 1m\n")
	for n := 1; n <= 3; n++ {
		save(t, st, n, 0, "su35-iran", claims.Supports, 0.8, time.Now())
	}
	if out := deliver(t, s); out.Failed != 1 || len(rc.requests) != 1 {
		t.Fatalf("first pass: %+v, %d requests; want one attempt", out, len(rc.requests))
	}
	// The next passes reach the others; none is lost or skipped for good.
	deliver(t, s)
	deliver(t, s)
	if len(rc.requests) != 3 {
		t.Fatalf("%d requests after three passes, want 3", len(rc.requests))
	}
	rc.fail = 0
	clk.add(time.Minute)
	if out := deliver(t, s); out.Sent != 3 || rc.accepted != 3 {
		t.Fatalf("after recovery: %+v, accepted %d", out, rc.accepted)
	}
}
