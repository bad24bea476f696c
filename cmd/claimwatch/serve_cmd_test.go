package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

func TestWebHashPassword(t *testing.T) {
	code, out, errOut := cli(t, "correct horse battery\n", "web", "hash-password")
	hash := strings.TrimSpace(out)
	if code != 0 || bcrypt.CompareHashAndPassword([]byte(hash), []byte("correct horse battery")) != nil {
		t.Fatalf("exit %d, %q %q", code, out, errOut)
	}
	if code, _, errOut := cli(t, "short\n", "web", "hash-password"); code != exitUsage || !strings.Contains(errOut, "too short") {
		t.Errorf("short password: exit %d %q", code, errOut)
	}
}

func TestBadWebConfigIsBadInput(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "c.yaml")
	os.WriteFile(cfg, []byte("sources: []\nweb:\n  users:\n    alice: hunter2\n"), 0o644)
	code, _, errOut := cli(t, "", "--db", filepath.Join(dir, "cw.db"), "--config", cfg, "run", "--once")
	if code != exitUsage || !strings.Contains(errOut, "c.yaml:4:") || !strings.Contains(errOut, "bcrypt") {
		t.Errorf("exit %d, %q", code, errOut)
	}
}

// serveInProcess runs `serve` and returns its base URL.
func serveInProcess(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out, errOut := &syncBuffer{}, &syncBuffer{}
	done := make(chan int, 1)
	go func() { done <- run(ctx, args, strings.NewReader(""), out, errOut) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Error("serve did not stop")
		}
	})
	addr := regexp.MustCompile(`on (http://\S+)/ `)
	var base string
	waitFor(t, 10*time.Second, "the dashboard's address", func() bool {
		if m := addr.FindStringSubmatch(out.String()); m != nil {
			base = m[1]
		}
		return base != ""
	}, errOut.String)
	return base
}

func httpGet(t *testing.T, url string, user, pass string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestServeRefusesAnExposedAddressWithoutSignIn(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "cw.db")
	feed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, testFeed, "http://"+r.Host)
	}))
	defer feed.Close()
	cfg := runConfig(t, dir, map[string]string{"local": feed.URL + "/feed.xml"})
	if code, out, errOut := cli(t, "", "--db", db, "--config", cfg, "run", "--once"); code != exitFailure && code != 0 {
		t.Fatalf("run --once: %d %s %s", code, out, errOut)
	}
	code, _, errOut := cli(t, "", "--db", db, "--config", cfg, "serve", "--listen", "0.0.0.0:0")
	if code != exitUsage || !strings.Contains(errOut, "no sign-in is configured") {
		t.Fatalf("exposed without sign-in: exit %d %q", code, errOut)
	}
	if code, _, errOut := cli(t, "", "--db", filepath.Join(dir, "missing.db"), "--config", cfg, "serve"); code == 0 || !strings.Contains(errOut, "missing.db") {
		t.Errorf("missing database: exit %d %q", code, errOut)
	}

	// With a user configured, the same address serves, to that user only.
	code, hash, _ := cli(t, "correct horse battery\n", "web", "hash-password")
	if code != 0 {
		t.Fatal("hash-password failed")
	}
	withUser := filepath.Join(dir, "users.yaml")
	os.WriteFile(withUser, []byte("sources: []\nweb:\n  users:\n    alice: \""+strings.TrimSpace(hash)+"\"\n"), 0o644)
	base := serveInProcess(t, "--db", db, "--config", withUser, "serve", "--listen", "0.0.0.0:0")
	base = strings.Replace(base, "0.0.0.0", "127.0.0.1", 1)
	base = strings.Replace(base, "[::]", "127.0.0.1", 1)
	if code, _ := httpGet(t, base+"/", "", ""); code != http.StatusUnauthorized {
		t.Errorf("anonymous: %d", code)
	}
	if code, body := httpGet(t, base+"/", "alice", "correct horse battery"); code != 200 || !strings.Contains(body, "russia-arms-to-iran") {
		t.Errorf("alice: %d", code)
	}
}

func TestDaemonServesTheDashboardBesideHealth(t *testing.T) {
	fs := newFeedServer(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "cw.db")
	cfg := daemonConfig(t, filepath.Join(dir, "c.yaml"), fs, "", "good")
	// 0.0.0.0 without sign-in: health and metrics stay open, the dashboard refuses.
	d := startInProcess(t, "--db", db, "--config", cfg, "run", "--listen", "0.0.0.0:0")
	var base string
	waitFor(t, 30*time.Second, "the listen address and a poll", func() bool {
		if m := listenAddr.FindStringSubmatch(d.log.String()); m != nil {
			base = "http://" + strings.NewReplacer("0.0.0.0", "127.0.0.1", "[::]", "127.0.0.1").Replace(m[1])
		}
		return base != "" && strings.Contains(d.log.String(), "source=good outcome=ok")
	}, d.log.String)
	if !strings.Contains(d.log.String(), "dashboard refused") {
		t.Errorf("no warning that the dashboard is refused:\n%s", d.log)
	}
	for path, want := range map[string]int{"/healthz": 200, "/readyz": 200, "/metrics": 200, "/": 403, "/claims/russia-arms-to-iran": 403} {
		if code, body := httpGet(t, base+path, "", ""); code != want {
			t.Errorf("%s: %d, want %d: %s", path, code, want, body)
		}
	}
	d.stop(t)

	// On loopback the daemon serves the dashboard over what it stores.
	d = startInProcess(t, "--db", db, "--config", cfg, "run", "--listen", "127.0.0.1:0")
	base = ""
	waitFor(t, 30*time.Second, "the listen address", func() bool {
		if m := listenAddr.FindStringSubmatch(d.log.String()); m != nil {
			base = "http://" + m[1]
		}
		return base != ""
	}, d.log.String)
	if code, body := httpGet(t, base+"/claims/russia-arms-to-iran", "", ""); code != 200 || !strings.Contains(body, `<dd class="supports" data-count="supports">1</dd>`) {
		t.Errorf("claim page from the daemon: %d", code)
	}
}
