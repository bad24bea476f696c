// Package health serves the daemon's operational endpoints — /healthz
// (alive and doing its job), /readyz (done starting) and /metrics — and the
// client side used by `claimwatch healthcheck`, since the container image
// has no shell or curl for a Docker HEALTHCHECK.
//
// It decides nothing about polling; the daemon hands it a database to ping
// and a function saying when a poll last succeeded.
package health

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

const (
	// pingTimeout bounds the database check so a wedged database answers
	// 503 rather than hanging the probe.
	pingTimeout = 2 * time.Second
	// probeTimeout is Probe's limit when ctx has none sooner; Docker kills
	// slow health checks anyway.
	probeTimeout = 5 * time.Second
)

// Checker answers /healthz and /readyz. Nil funcs and a nil DB are skipped.
type Checker struct {
	DB interface {
		Ping(ctx context.Context) error
	}
	// LastSuccess is when a poll last succeeded; zero if never.
	LastSuccess func() time.Time
	// MaxAge is how old the last success may be before the daemon counts as
	// unhealthy; 0 disables the check.
	MaxAge time.Duration
	// Started is when the daemon started: within Grace of it, no success
	// yet is fine (the first polls may not have finished). A daemon whose
	// every poll fails turns unhealthy once Grace is over, not MaxAge later.
	Started time.Time
	// Grace is the start-up grace period; 0 gives none.
	Grace time.Duration
	// Ready reports that start-up is complete.
	Ready func() bool
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Report is the /healthz body.
type Report struct {
	Status                string `json:"status"` // "ok" or "unhealthy"
	DB                    string `json:"db"`     // "ok", "skipped" or "error: ..."
	LastSuccess           string `json:"last_success,omitempty"`
	LastSuccessAgeSeconds *int64 `json:"last_success_age_seconds,omitempty"`
	Reason                string `json:"reason,omitempty"`
}

// Check runs the health checks; Healthz serves its result.
func (c *Checker) Check(ctx context.Context) Report {
	now := time.Now()
	if c.Now != nil {
		now = c.Now()
	}
	rep := Report{Status: "ok", DB: "skipped"}
	var reasons []string
	if c.DB != nil {
		ctx, cancel := context.WithTimeout(ctx, pingTimeout)
		err := c.DB.Ping(ctx)
		cancel()
		if err != nil {
			rep.DB = "error: " + err.Error()
			reasons = append(reasons, "database ping failed: "+err.Error())
		} else {
			rep.DB = "ok"
		}
	}
	var last time.Time
	if c.LastSuccess != nil {
		last = c.LastSuccess()
	}
	if !last.IsZero() {
		rep.LastSuccess = last.UTC().Format(time.RFC3339)
		age := int64(now.Sub(last) / time.Second)
		rep.LastSuccessAgeSeconds = &age
	}
	if c.MaxAge > 0 {
		recent := !last.IsZero() && now.Sub(last) <= c.MaxAge
		starting := last.IsZero() && !c.Started.IsZero() && now.Sub(c.Started) < c.Grace
		switch {
		case recent || starting:
		case last.IsZero():
			reasons = append(reasons, fmt.Sprintf("no successful poll since the start %s ago (start-up grace %s)", now.Sub(c.Started).Round(time.Second), c.Grace))
		default:
			reasons = append(reasons, fmt.Sprintf("no successful poll for %s (max age %s)", now.Sub(last).Round(time.Second), c.MaxAge))
		}
	}
	if len(reasons) > 0 {
		rep.Status = "unhealthy"
		rep.Reason = strings.Join(reasons, "; ")
	}
	return rep
}

// Healthz answers 200 with a Report when healthy, 503 with the reason
// otherwise.
func (c *Checker) Healthz(w http.ResponseWriter, r *http.Request) {
	rep := c.Check(r.Context())
	code := http.StatusOK
	if rep.Status != "ok" {
		code = http.StatusServiceUnavailable
	}
	writeJSON(w, code, rep)
}

// Readyz answers 200 once Ready reports true, 503 before.
func (c *Checker) Readyz(w http.ResponseWriter, r *http.Request) {
	if c.Ready != nil && !c.Ready() {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "not ready"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v) // a write error means the prober left; nothing to do
}

// NewMux routes /healthz, /readyz and, when metrics is not nil, /metrics.
func NewMux(c *Checker, metrics http.Handler) *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", c.Healthz)
	mux.HandleFunc("GET /readyz", c.Readyz)
	if metrics != nil {
		mux.Handle("GET /metrics", metrics)
	}
	return mux
}

// ListenAddr applies the --listen convention: an address without a host
// binds loopback only, so exposing the endpoints beyond the machine takes
// an explicit host. ":9090" and "9090" become "127.0.0.1:9090"; addresses
// with a host ("0.0.0.0:9090", "[::]:9090", "localhost:9090") are kept, as
// is anything unparsable, for net.Listen to report.
func ListenAddr(addr string) string {
	addr = strings.TrimSpace(addr)
	if addr != "" && strings.Trim(addr, "0123456789") == "" {
		return net.JoinHostPort("127.0.0.1", addr)
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil || host != "" {
		return addr
	}
	return net.JoinHostPort("127.0.0.1", port)
}

// Probe GETs url and fails unless the answer is 200; the error carries the
// status and the start of the body (the unhealthy reason). A url without a
// scheme gets http://.
func Probe(ctx context.Context, url string) error {
	if !strings.Contains(url, "://") {
		url = "http://" + url
	}
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("healthcheck %s: %w", url, err)
	}
	// No proxy: the target is the daemon itself, normally on loopback.
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		// One line: a Docker health log or a cron mail, not a page of HTML
		// from whatever answered at a wrong address.
		return fmt.Errorf("healthcheck %s: %s: %s", url, resp.Status, strings.Join(strings.Fields(string(snippet)), " "))
	}
	return nil
}
