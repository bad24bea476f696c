package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/claimwatch/claimwatch/claims"
)

func TestParseAlerts(t *testing.T) {
	dir := t.TempDir()
	pwFile := filepath.Join(dir, "smtp-password")
	if err := os.WriteFile(pwFile, []byte("s3cret-from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("CW_TEST_HOOK_SECRET", "hook-key")
	src := fmt.Sprintf(`
alerts:
  - name: ops
    claims: [su35-iran, military]
    stances: [supports]
    min_confidence: 0.6
    retries: 3
    backoff: 5s
    webhook:
      url: https://hooks.example/claimwatch
      secret: ${CW_TEST_HOOK_SECRET}
  - name: morning
    mode: digest
    schedule: "0 8 * * *"
    email:
      host: smtp.example.org
      username: alerts
      password_file: %s
      from: claimwatch <alerts@example.org>
      to: [analyst@example.org]
  - name: chat
    notify:
      urls: ["ntfy://ntfy.example/topic"]
`, pwFile)
	c, err := Parse([]byte(src), "claimwatch.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Alerts) != 3 {
		t.Fatalf("alerts = %+v", c.Alerts)
	}
	ops, morning, chat := c.Alerts[0], c.Alerts[1], c.Alerts[2]
	if ops.Webhook == nil || ops.Webhook.Secret.Reveal() != "hook-key" || ops.MinConfidence != 0.6 ||
		ops.Retries != 3 || ops.Backoff != 5*time.Second || len(ops.Stances) != 1 || ops.Stances[0] != claims.Supports ||
		strings.Join(ops.Claims, ",") != "su35-iran,military" || ops.Line != 3 {
		t.Errorf("ops = %+v", ops)
	}
	if morning.Mode != AlertDigest || morning.Email == nil || morning.Email.Password.Reveal() != "s3cret-from-file" ||
		morning.Email.Port != 587 || morning.Email.Security != "starttls" {
		t.Errorf("morning = %+v", morning)
	}
	if chat.Mode != AlertEach || len(chat.Stances) != 2 || chat.Notify == nil || len(chat.Notify.URLs) != 1 {
		t.Errorf("chat = %+v", chat)
	}
	// Secrets never print.
	for _, s := range []string{fmt.Sprint(ops.Webhook.Secret), fmt.Sprintf("%v %+v %#v", *ops.Webhook, *morning.Email, morning.Email.Password)} {
		if strings.Contains(s, "hook-key") || strings.Contains(s, "s3cret") {
			t.Errorf("secret printed: %s", s)
		}
	}
}

func TestBadAlertsArePlacedProblems(t *testing.T) {
	for _, tc := range []struct{ name, yaml, want string }{
		{"unknown key", "alerts:\n  - name: a\n    webhok: {url: https://x.example}\n", "x.yaml:3:5: unknown key \"webhok\" in an alert (did you mean \"webhook\"?)"},
		{"bad stance", "alerts:\n  - name: a\n    stances: [supports, agrees]\n    webhook: {url: https://x.example}\n", "x.yaml:3:25: unknown stance \"agrees\""},
		{"digest without schedule", "alerts:\n  - name: a\n    mode: digest\n    webhook: {url: https://x.example}\n", "x.yaml:3:11: alert \"a\": mode: digest needs a schedule"},
		{"bad schedule", "alerts:\n  - name: a\n    mode: digest\n    schedule: every day\n    webhook: {url: https://x.example}\n", "x.yaml:4:15: alert \"a\": schedule: bad schedule"},
		{"no destination", "alerts:\n  - name: a\n    claims: [x]\n", "x.yaml:2:5: alert \"a\" needs exactly one destination"},
		{"unset env", "alerts:\n  - name: a\n    webhook:\n      url: https://x.example\n      secret: ${CW_TEST_SURELY_UNSET}\n", "x.yaml:5:15: environment variable CW_TEST_SURELY_UNSET is not set"},
		{"missing password file", "alerts:\n  - name: a\n    email: {host: h, from: a@b.example, to: [c@d.example], password_file: /nonexistent/pw}\n", "x.yaml:3:75: password_file: open /nonexistent/pw"},
		{"confidence range", "alerts:\n  - name: a\n    min_confidence: 2\n    webhook: {url: https://x.example}\n", "x.yaml:3:21: alert \"a\": min_confidence must be between 0 and 1"},
		{"repeated name", "alerts:\n  - name: a\n    webhook: {url: https://x.example}\n  - name: A\n    webhook: {url: https://x.example}\n", "x.yaml:4:11: alert name \"A\" repeated"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.yaml), "x.yaml")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v\nwant it to contain %q", err, tc.want)
			}
			if _, ok := AsProblems(err); !ok {
				t.Errorf("error is not Problems: %T", err)
			}
		})
	}
}
