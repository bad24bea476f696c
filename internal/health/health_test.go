package health

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

type fakeDB struct{ err error }

func (f fakeDB) Ping(context.Context) error { return f.err }

var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func at(t time.Time) func() time.Time { return func() time.Time { return t } }

// get serves one request through h and decodes the JSON body.
func get(t *testing.T, h http.Handler, path string) (int, map[string]any) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("%s: Content-Type %q", path, ct)
	}
	var body map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("%s: body %q: %v", path, rec.Body, err)
	}
	return rec.Code, body
}

func TestHealthz(t *testing.T) {
	cases := []struct {
		name       string
		c          Checker
		wantCode   int
		wantDB     string
		wantReason string // substring; "" means no reason field
		wantAge    float64
	}{
		{
			name:     "recent success",
			c:        Checker{DB: fakeDB{}, LastSuccess: at(now.Add(-10 * time.Second)), MaxAge: time.Hour, Started: now.Add(-48 * time.Hour)},
			wantCode: 200, wantDB: "ok", wantAge: 10,
		},
		{
			name:     "stale success",
			c:        Checker{DB: fakeDB{}, LastSuccess: at(now.Add(-2 * time.Hour)), MaxAge: time.Hour, Started: now.Add(-48 * time.Hour)},
			wantCode: 503, wantDB: "ok", wantAge: 7200,
			wantReason: "no successful poll for 2h0m0s (max age 1h0m0s)",
		},
		{
			name:     "no success yet, within the start-up grace",
			c:        Checker{DB: fakeDB{}, LastSuccess: at(time.Time{}), MaxAge: time.Hour, Started: now.Add(-5 * time.Minute), Grace: 15 * time.Minute},
			wantCode: 200, wantDB: "ok", wantAge: -1,
		},
		{
			// Every poll failed since the start: unhealthy once the grace
			// is over, although the start is well within MaxAge.
			name:     "no success, grace over, within max age",
			c:        Checker{DB: fakeDB{}, LastSuccess: at(time.Time{}), MaxAge: 6 * time.Hour, Started: now.Add(-20 * time.Minute), Grace: 15 * time.Minute},
			wantCode: 503, wantDB: "ok", wantAge: -1,
			wantReason: "no successful poll since the start 20m0s ago (start-up grace 15m0s)",
		},
		{
			name:     "no success since a start long ago",
			c:        Checker{DB: fakeDB{}, LastSuccess: at(time.Time{}), MaxAge: time.Hour, Started: now.Add(-3 * time.Hour), Grace: 15 * time.Minute},
			wantCode: 503, wantDB: "ok", wantAge: -1,
			wantReason: "no successful poll since the start",
		},
		{
			name:     "no grace configured",
			c:        Checker{DB: fakeDB{}, LastSuccess: at(time.Time{}), MaxAge: time.Hour, Started: now.Add(-time.Second)},
			wantCode: 503, wantDB: "ok", wantAge: -1,
			wantReason: "no successful poll since the start",
		},
		{
			name:     "age check off",
			c:        Checker{DB: fakeDB{}, LastSuccess: at(now.Add(-30 * 24 * time.Hour))},
			wantCode: 200, wantDB: "ok", wantAge: 30 * 24 * 3600,
		},
		{
			name:     "database down",
			c:        Checker{DB: fakeDB{errors.New("database is closed")}, LastSuccess: at(now.Add(-time.Second)), MaxAge: time.Hour},
			wantCode: 503, wantDB: "error: database is closed", wantAge: 1,
			wantReason: "database ping failed: database is closed",
		},
		{
			name:     "nothing configured",
			c:        Checker{},
			wantCode: 200, wantDB: "skipped", wantAge: -1,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.c.Now = at(now)
			code, body := get(t, http.HandlerFunc(tc.c.Healthz), "/healthz")
			if code != tc.wantCode {
				t.Errorf("code %d, want %d (body %v)", code, tc.wantCode, body)
			}
			wantStatus := "ok"
			if tc.wantCode != 200 {
				wantStatus = "unhealthy"
			}
			if body["status"] != wantStatus || body["db"] != tc.wantDB {
				t.Errorf("status %v db %v, want %s %s", body["status"], body["db"], wantStatus, tc.wantDB)
			}
			reason, _ := body["reason"].(string)
			if (tc.wantReason == "") != (reason == "") || !strings.Contains(reason, tc.wantReason) {
				t.Errorf("reason %q, want %q", reason, tc.wantReason)
			}
			age, hasAge := body["last_success_age_seconds"].(float64)
			if tc.wantAge < 0 {
				if hasAge || body["last_success"] != nil {
					t.Errorf("last success fields present without a success: %v", body)
				}
			} else if !hasAge || age != tc.wantAge {
				t.Errorf("age %v, want %v", body["last_success_age_seconds"], tc.wantAge)
			}
		})
	}
}

func TestHealthzReportsLastSuccessTime(t *testing.T) {
	last := time.Date(2026, 3, 1, 11, 59, 0, 0, time.FixedZone("MSK", 3*3600))
	c := Checker{LastSuccess: at(last), Now: at(now)}
	_, body := get(t, http.HandlerFunc(c.Healthz), "/healthz")
	if body["last_success"] != "2026-03-01T08:59:00Z" {
		t.Errorf("last_success = %v, want UTC RFC 3339", body["last_success"])
	}
}

func TestReadyz(t *testing.T) {
	ready := false
	c := Checker{Ready: func() bool { return ready }}
	if code, body := get(t, http.HandlerFunc(c.Readyz), "/readyz"); code != 503 || body["status"] != "not ready" {
		t.Errorf("before ready: %d %v", code, body)
	}
	ready = true
	if code, body := get(t, http.HandlerFunc(c.Readyz), "/readyz"); code != 200 || body["status"] != "ready" {
		t.Errorf("after ready: %d %v", code, body)
	}
}

func TestNewMuxRoutes(t *testing.T) {
	metrics := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "claimwatch_up 1\n")
	})
	mux := NewMux(&Checker{Ready: func() bool { return false }}, metrics)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	for path, want := range map[string]int{"/healthz": 200, "/readyz": 503, "/metrics": 200, "/other": 404} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s = %d, want %d", path, resp.StatusCode, want)
		}
		if path == "/metrics" && string(body) != "claimwatch_up 1\n" {
			t.Errorf("/metrics body %q is not the metrics handler's", body)
		}
	}
	resp, err := http.Post(srv.URL+"/healthz", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /healthz = %d, want 405", resp.StatusCode)
	}

	noMetrics := httptest.NewServer(NewMux(&Checker{}, nil))
	defer noMetrics.Close()
	resp, err = http.Get(noMetrics.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("/metrics without a handler = %d, want 404", resp.StatusCode)
	}
}

func TestListenAddr(t *testing.T) {
	for in, want := range map[string]string{
		":9090":          "127.0.0.1:9090",
		"9090":           "127.0.0.1:9090",
		" :8080 ":        "127.0.0.1:8080",
		"0.0.0.0:9090":   "0.0.0.0:9090",
		"[::]:9090":      "[::]:9090",
		"localhost:9090": "localhost:9090",
		"10.0.0.5:9090":  "10.0.0.5:9090",
		"":               "",
		"nonsense":       "nonsense",
	} {
		if got := ListenAddr(in); got != want {
			t.Errorf("ListenAddr(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestProbe(t *testing.T) {
	var healthy atomic.Bool
	healthy.Store(true)
	c := &Checker{LastSuccess: func() time.Time {
		if healthy.Load() {
			return time.Now()
		}
		return time.Now().Add(-3 * time.Hour)
	}, MaxAge: time.Hour}
	srv := httptest.NewServer(NewMux(c, nil))
	defer srv.Close()
	ctx := context.Background()

	if err := Probe(ctx, srv.URL+"/healthz"); err != nil {
		t.Errorf("healthy: %v", err)
	}
	// Without a scheme, as people type it.
	if err := Probe(ctx, strings.TrimPrefix(srv.URL, "http://")+"/healthz"); err != nil {
		t.Errorf("healthy, no scheme: %v", err)
	}
	healthy.Store(false)
	err := Probe(ctx, srv.URL+"/healthz")
	if err == nil {
		t.Fatal("unhealthy daemon probed as healthy")
	}
	for _, want := range []string{srv.URL + "/healthz", "503 Service Unavailable", "no successful poll for 3h0m0s"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}

	srv.Close()
	if err := Probe(ctx, srv.URL+"/healthz"); err == nil || !strings.Contains(err.Error(), srv.URL) {
		t.Errorf("closed server: %v, want an error naming the URL", err)
	}
}

// Whatever answers at a wrong address (a proxy, another server's error
// page) is quoted on one line, not as a page of HTML in the health log.
func TestProbeQuotesAnErrorPageOnOneLine(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "<!DOCTYPE HTML>\n<html>\n  <body>\n    <h1>Not here</h1>\n  </body>\n</html>", http.StatusNotFound)
	}))
	defer srv.Close()
	err := Probe(context.Background(), srv.URL+"/wrong")
	if err == nil {
		t.Fatal("a 404 probed as healthy")
	}
	if strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "404 Not Found: <!DOCTYPE HTML> <html> <body> <h1>Not here</h1>") {
		t.Errorf("error %q: want the page on one line", err)
	}
}

func TestProbeHonoursContext(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := Probe(ctx, srv.URL); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("hanging server: %v, want DeadlineExceeded", err)
	}
}
