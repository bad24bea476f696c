package fetch

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// testClient allows loopback (httptest) and keeps politeness delays short.
func testClient(t *testing.T, opts Options) *Client {
	t.Helper()
	opts.AllowPrivate = true
	if opts.PerHostDelay == 0 {
		opts.PerHostDelay = -1
	}
	if opts.Timeout == 0 {
		opts.Timeout = 5 * time.Second
	}
	c := New(opts)
	t.Cleanup(c.Close)
	return c
}

func TestConditionalGetETag(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"v1"`)
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, "<rss/>")
	}))
	defer srv.Close()
	c := testClient(t, Options{})

	first, err := c.Get(context.Background(), Request{URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if first.NotModified || string(first.Body) != "<rss/>" || first.ETag != `"v1"` || first.ContentType != "application/rss+xml" || first.Bytes != 6 {
		t.Fatalf("first fetch: %+v", first)
	}
	second, err := c.Get(context.Background(), Request{URL: srv.URL, ETag: first.ETag})
	if err != nil {
		t.Fatal(err)
	}
	if !second.NotModified || second.Status != http.StatusNotModified || len(second.Body) != 0 || second.ETag != `"v1"` {
		t.Fatalf("conditional fetch: %+v", second)
	}
}

func TestConditionalGetLastModified(t *testing.T) {
	const lastMod = "Mon, 06 Jan 2020 10:00:00 GMT"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-Modified-Since") == lastMod {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Last-Modified", lastMod)
		fmt.Fprint(w, "body")
	}))
	defer srv.Close()
	c := testClient(t, Options{})

	first, err := c.Get(context.Background(), Request{URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if first.LastModified != lastMod {
		t.Fatalf("LastModified = %q", first.LastModified)
	}
	second, err := c.Get(context.Background(), Request{URL: srv.URL, LastModified: first.LastModified})
	if err != nil {
		t.Fatal(err)
	}
	// The 304 carries no validators: the request's are echoed for storage.
	if !second.NotModified || second.LastModified != lastMod {
		t.Fatalf("conditional fetch: %+v", second)
	}
}

func TestNotModifiedWithoutValidators(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotModified)
	}))
	defer srv.Close()
	resp, err := testClient(t, Options{}).Get(context.Background(), Request{URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if !resp.NotModified || resp.ETag != "" || resp.LastModified != "" {
		t.Fatalf("got %+v", resp)
	}
}

func TestUserAgentAndAccept(t *testing.T) {
	var ua, accept atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ua.Store(r.UserAgent())
		accept.Store(r.Header.Get("Accept"))
	}))
	defer srv.Close()
	c := testClient(t, Options{Version: "1.2.3", Contact: "https://example.org/claimwatch"})
	if _, err := c.Get(context.Background(), Request{URL: srv.URL, Accept: "application/rss+xml"}); err != nil {
		t.Fatal(err)
	}
	if got, want := ua.Load(), "claimwatch/1.2.3 (+https://example.org/claimwatch)"; got != want {
		t.Errorf("User-Agent = %q, want %q", got, want)
	}
	if got := accept.Load(); got != "application/rss+xml" {
		t.Errorf("Accept = %q", got)
	}
}

// streamZeros writes up to total bytes in 32 KiB chunks, stopping when the
// client goes away, and reports how much it managed to write.
func streamZeros(w http.ResponseWriter, total int64, written *atomic.Int64) {
	buf := make([]byte, 32<<10)
	for written.Load() < total {
		n, err := w.Write(buf)
		written.Add(int64(n))
		if err != nil {
			return
		}
	}
}

func TestSizeCapStreamedBody(t *testing.T) {
	const huge = 200 << 20
	var written atomic.Int64
	done := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer close(done)
		streamZeros(w, huge, &written) // chunked: no Content-Length to refuse early
	}))
	defer srv.Close()
	c := testClient(t, Options{MaxBytes: 1 << 20})

	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := c.Get(context.Background(), Request{URL: srv.URL})
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), srv.URL) || !strings.Contains(err.Error(), "1048576") {
		t.Fatalf("err = %v, want ErrTooLarge naming the URL and limit", err)
	}
	<-done
	if w := written.Load(); w >= huge {
		t.Errorf("server wrote the whole %d bytes: the client did not stop reading", w)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
		t.Errorf("allocated %d bytes to refuse a body capped at 1 MiB", alloc)
	}
}

func TestSizeCapContentLength(t *testing.T) {
	var written atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(200<<20))
		streamZeros(w, 200<<20, &written)
	}))
	defer srv.Close()
	_, err := testClient(t, Options{MaxBytes: 1 << 20}).Get(context.Background(), Request{URL: srv.URL})
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "Content-Length") {
		t.Fatalf("err = %v, want ErrTooLarge from Content-Length", err)
	}
}

// gzipBomb returns members gzip members of 1 MiB of zeros each, concatenated
// (gzip readers decode multi-member streams): about 1 KiB on the wire per MiB.
func gzipBomb(t *testing.T, members int) []byte {
	t.Helper()
	var member bytes.Buffer
	gz, _ := gzip.NewWriterLevel(&member, gzip.BestCompression)
	if _, err := gz.Write(make([]byte, 1<<20)); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return bytes.Repeat(member.Bytes(), members)
}

func TestSizeCapGzipBomb(t *testing.T) {
	bomb := gzipBomb(t, 1024) // 1 GiB decoded
	var acceptEncoding atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		acceptEncoding.Store(r.Header.Get("Accept-Encoding"))
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Length", strconv.Itoa(len(bomb)))
		_, _ = w.Write(bomb)
	}))
	defer srv.Close()
	c := testClient(t, Options{MaxBytes: 2 << 20})

	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	resp, err := c.Get(context.Background(), Request{URL: srv.URL})
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, resp = %v; want ErrTooLarge", err, resp)
	}
	if ae, _ := acceptEncoding.Load().(string); !strings.Contains(ae, "gzip") {
		t.Fatalf("Accept-Encoding = %q: the transport did not negotiate gzip, so the test proves nothing", ae)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
		t.Errorf("allocated %d bytes to refuse a body capped at 2 MiB", alloc)
	}
}

func TestGzipDecodedBelowCap(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		gz := gzip.NewWriter(w)
		fmt.Fprint(gz, "hello, compressed world")
		_ = gz.Close()
	}))
	defer srv.Close()
	resp, err := testClient(t, Options{}).Get(context.Background(), Request{URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if string(resp.Body) != "hello, compressed world" {
		t.Fatalf("body = %q", resp.Body)
	}
}

func TestRedirects(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/loop/a", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop/b", http.StatusFound) })
	mux.HandleFunc("/loop/b", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop/a", http.StatusMovedPermanently)
	})
	// /chain/N redirects N times before answering.
	mux.HandleFunc("/chain/{n}", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.PathValue("n"))
		if n == 0 {
			fmt.Fprint(w, "end of chain")
			return
		}
		http.Redirect(w, r, fmt.Sprintf("/chain/%d", n-1), http.StatusTemporaryRedirect)
	})
	mux.HandleFunc("/to-file", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "file:///etc/passwd", http.StatusFound)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c := testClient(t, Options{MaxRedirects: 3})
	ctx := context.Background()

	resp, err := c.Get(ctx, Request{URL: srv.URL + "/chain/3"})
	if err != nil {
		t.Fatalf("chain of 3 with limit 3: %v", err)
	}
	if resp.URL != srv.URL+"/chain/0" || string(resp.Body) != "end of chain" {
		t.Fatalf("final URL %q body %q", resp.URL, resp.Body)
	}
	for _, path := range []string{"/chain/4", "/loop/a"} {
		_, err := c.Get(ctx, Request{URL: srv.URL + path})
		if !errors.Is(err, ErrTooManyRedirects) || !strings.Contains(err.Error(), srv.URL+path) {
			t.Errorf("%s: err = %v, want ErrTooManyRedirects naming the URL", path, err)
		}
	}
	if _, err := c.Get(ctx, Request{URL: srv.URL + "/to-file", AllowFile: true}); !errors.Is(err, ErrScheme) {
		t.Errorf("redirect to file://: err = %v, want ErrScheme", err)
	}
	noRedirects := testClient(t, Options{MaxRedirects: -1})
	if _, err := noRedirects.Get(ctx, Request{URL: srv.URL + "/chain/1"}); !errors.Is(err, ErrTooManyRedirects) {
		t.Errorf("MaxRedirects -1: err = %v, want ErrTooManyRedirects", err)
	}
}

func TestStatusErrors(t *testing.T) {
	retryDate := time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)
	tests := []struct {
		code       int
		retryAfter string
		wantMin    time.Duration
		wantMax    time.Duration
		temporary  bool
	}{
		{http.StatusTooManyRequests, "120", 120 * time.Second, 120 * time.Second, true},
		{http.StatusTooManyRequests, retryDate, 58 * time.Minute, time.Hour, true},
		{http.StatusServiceUnavailable, "30", 30 * time.Second, 30 * time.Second, true},
		{http.StatusServiceUnavailable, "soon", 0, 0, true},
		{http.StatusInternalServerError, "", 0, 0, true},
		{http.StatusBadGateway, "", 0, 0, true},
		{http.StatusNotFound, "", 0, 0, false},
		{http.StatusGone, "", 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d %s", tt.code, tt.retryAfter), func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.retryAfter != "" {
					w.Header().Set("Retry-After", tt.retryAfter)
				}
				w.WriteHeader(tt.code)
			}))
			defer srv.Close()
			_, err := testClient(t, Options{}).Get(context.Background(), Request{URL: srv.URL + "/feed"})
			var se *StatusError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, want *StatusError", err)
			}
			if se.Code != tt.code || se.URL != srv.URL+"/feed" || !strings.Contains(err.Error(), srv.URL) {
				t.Errorf("StatusError = %+v (%v)", se, err)
			}
			if se.RetryAfter < tt.wantMin || se.RetryAfter > tt.wantMax {
				t.Errorf("RetryAfter = %s, want in [%s, %s]", se.RetryAfter, tt.wantMin, tt.wantMax)
			}
			if se.Temporary() != tt.temporary {
				t.Errorf("Temporary() = %v", se.Temporary())
			}
		})
	}
}

func TestTimeoutAcceptThenHang(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, conn) // accept and never answer
			mu.Unlock()
		}
	}()
	defer func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	}()
	url := "http://" + ln.Addr().String() + "/hang"
	_, err = testClient(t, Options{Timeout: 200 * time.Millisecond}).Get(context.Background(), Request{URL: url})
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), url) {
		t.Fatalf("err = %v, want a deadline error naming %s", err, url)
	}
}

func TestTimeoutHeadersThenDrip(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		for {
			if _, err := w.Write([]byte("x")); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}))
	defer srv.Close()
	_, err := testClient(t, Options{Timeout: 300 * time.Millisecond}).Get(context.Background(), Request{URL: srv.URL})
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), srv.URL) {
		t.Fatalf("err = %v, want a deadline error naming the URL", err)
	}
}

func TestConnectionRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	url := "http://" + addr + "/"
	_, err = testClient(t, Options{Timeout: time.Second}).Get(context.Background(), Request{URL: url})
	if err == nil || !strings.Contains(err.Error(), url) || errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want a connection error naming %s", err, url)
	}
	var opErr *net.OpError
	if !errors.As(err, &opErr) {
		t.Errorf("err = %v, want a *net.OpError inside", err)
	}
}

func TestSchemes(t *testing.T) {
	c := testClient(t, Options{})
	for _, u := range []string{"ftp://example.org/feed", "javascript:alert(1)", "gopher://example.org/", "file:///etc/hostname"} {
		_, err := c.Get(context.Background(), Request{URL: u})
		if !errors.Is(err, ErrScheme) || !strings.Contains(err.Error(), u) {
			t.Errorf("%s: err = %v, want ErrScheme naming the URL", u, err)
		}
	}
}

func TestFileURLs(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "feed.xml")
	if err := os.WriteFile(path, []byte("<rss/>"), 0o644); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.xml")
	if err := os.WriteFile(big, make([]byte, 2048), 0o644); err != nil {
		t.Fatal(err)
	}
	c := testClient(t, Options{MaxBytes: 1024})
	ctx := context.Background()

	resp, err := c.Get(ctx, Request{URL: "file://" + path, AllowFile: true})
	if err != nil {
		t.Fatal(err)
	}
	if string(resp.Body) != "<rss/>" || resp.Status != 200 || resp.ContentType == "" || resp.LastModified == "" {
		t.Fatalf("got %+v", resp)
	}
	again, err := c.Get(ctx, Request{URL: "file://" + path, AllowFile: true, LastModified: resp.LastModified})
	if err != nil || !again.NotModified {
		t.Fatalf("conditional file read: %+v, %v", again, err)
	}
	if _, err := c.Get(ctx, Request{URL: "file://" + path}); !errors.Is(err, ErrScheme) {
		t.Errorf("without AllowFile: err = %v, want ErrScheme", err)
	}
	if _, err := c.Get(ctx, Request{URL: "file://" + dir, AllowFile: true}); err == nil || !strings.Contains(err.Error(), "directory") {
		t.Errorf("directory: err = %v, want a directory error", err)
	}
	if _, err := c.Get(ctx, Request{URL: "file://" + big, AllowFile: true}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("big file: err = %v, want ErrTooLarge", err)
	}
	if _, err := c.Get(ctx, Request{URL: "file://" + filepath.Join(dir, "missing.xml"), AllowFile: true}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: err = %v, want ErrNotExist", err)
	}
}

func TestRobots(t *testing.T) {
	var robotsHits atomic.Int32
	robots := map[string]func(w http.ResponseWriter){
		"disallow-all": func(w http.ResponseWriter) { fmt.Fprint(w, "User-agent: *\nDisallow: /\n") },
		"ours-private": func(w http.ResponseWriter) {
			fmt.Fprint(w, "User-agent: otherbot\nDisallow: /\n\nUser-agent: claimwatch\nDisallow: /private\n")
		},
		"missing":     func(w http.ResponseWriter) { http.NotFound(w, nil) },
		"server-down": func(w http.ResponseWriter) { w.WriteHeader(http.StatusServiceUnavailable) },
	}
	newServer := func(kind string) *httptest.Server {
		return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/robots.txt" {
				robotsHits.Add(1)
				robots[kind](w)
				return
			}
			fmt.Fprint(w, "page")
		}))
	}
	tests := []struct {
		robots, path string
		allowed      bool
	}{
		{"disallow-all", "/article", false},
		{"ours-private", "/private/x", false},
		{"ours-private", "/public/x", true},
		{"missing", "/article", true},
		{"server-down", "/article", false},
	}
	for _, tt := range tests {
		t.Run(tt.robots+tt.path, func(t *testing.T) {
			srv := newServer(tt.robots)
			defer srv.Close()
			robotsHits.Store(0)
			c := testClient(t, Options{})
			for range 3 {
				_, err := c.Get(context.Background(), Request{URL: srv.URL + tt.path, CheckRobots: true})
				if tt.allowed && err != nil {
					t.Fatalf("err = %v, want allowed", err)
				}
				if !tt.allowed && (!errors.Is(err, ErrDisallowedByRobots) || !strings.Contains(err.Error(), srv.URL+tt.path)) {
					t.Fatalf("err = %v, want ErrDisallowedByRobots naming the URL", err)
				}
			}
			if n := robotsHits.Load(); n != 1 {
				t.Errorf("robots.txt fetched %d times, want once (cached)", n)
			}
			// Feeds are fetched without CheckRobots, and IgnoreRobots overrides.
			if _, err := c.Get(context.Background(), Request{URL: srv.URL + tt.path}); err != nil {
				t.Errorf("without CheckRobots: %v", err)
			}
			ignoring := testClient(t, Options{IgnoreRobots: true})
			if _, err := ignoring.Get(context.Background(), Request{URL: srv.URL + tt.path, CheckRobots: true}); err != nil {
				t.Errorf("with IgnoreRobots: %v", err)
			}
		})
	}
}

func TestPerHostConcurrency(t *testing.T) {
	const limit = 2
	var inFlight, peak atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(30 * time.Millisecond)
	}))
	defer srv.Close()
	c := testClient(t, Options{PerHostConcurrency: limit})
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			if _, err := c.Get(context.Background(), Request{URL: srv.URL}); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if p := peak.Load(); p != limit {
		t.Fatalf("peak concurrent requests = %d, want the limit %d (never more, and the limit should be used)", p, limit)
	}
}

func TestPerHostDelay(t *testing.T) {
	const delay = 80 * time.Millisecond
	var mu sync.Mutex
	var starts []time.Time
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		starts = append(starts, time.Now())
		mu.Unlock()
	}))
	defer srv.Close()
	c := testClient(t, Options{PerHostDelay: delay, PerHostConcurrency: 4})
	begin := time.Now()
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if _, err := c.Get(context.Background(), Request{URL: srv.URL}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if len(starts) != 4 {
		t.Fatalf("%d requests arrived", len(starts))
	}
	// The client reserves start slots delay apart, so the i-th request
	// cannot arrive before i delays have passed. (A lower bound only: a
	// loaded machine delays requests, and gaps between two arrivals shrink
	// when the earlier one was delayed, so they are not compared.)
	slices.SortFunc(starts, func(a, b time.Time) int { return a.Compare(b) })
	for i, at := range starts {
		if got, want := at.Sub(begin), time.Duration(i)*delay; got < want {
			t.Errorf("request %d arrived %s after the first call, want at least %s", i, got, want)
		}
	}
}

func TestWaitForSlotHonoursContext(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	c := testClient(t, Options{PerHostDelay: time.Hour})
	if _, err := c.Get(context.Background(), Request{URL: srv.URL}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := c.Get(ctx, Request{URL: srv.URL})
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "waiting for a slot") {
		t.Fatalf("err = %v, want the caller's deadline while waiting for the host", err)
	}
}

func TestSSRFGuard(t *testing.T) {
	var privateHits atomic.Int32
	private := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		privateHits.Add(1)
		fmt.Fprint(w, "internal secrets")
	}))
	defer private.Close()
	public := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, private.URL+"/latest/meta-data/", http.StatusFound)
	}))
	defer public.Close()
	publicPort := public.Listener.Addr().(*net.TCPAddr).Port

	c := New(Options{PerHostDelay: -1, Timeout: 2 * time.Second})
	defer c.Close()
	// Treat the "public" server's loopback port as a public address; every
	// other address goes through the real check.
	c.allowAddr = func(ap netip.AddrPort) bool {
		return int(ap.Port()) == publicPort || IsPublicAddr(ap.Addr())
	}

	ctx := context.Background()
	for _, u := range []string{private.URL, strings.Replace(private.URL, "127.0.0.1", "localhost", 1)} {
		if _, err := c.Get(ctx, Request{URL: u}); !errors.Is(err, ErrPrivateAddress) || !strings.Contains(err.Error(), u) {
			t.Errorf("direct %s: err = %v, want ErrPrivateAddress naming the URL", u, err)
		}
	}
	if _, err := c.Get(ctx, Request{URL: public.URL + "/feed"}); !errors.Is(err, ErrPrivateAddress) {
		t.Errorf("redirect to a private host: err = %v, want ErrPrivateAddress", err)
	}
	if n := privateHits.Load(); n != 0 {
		t.Errorf("the private server was reached %d times", n)
	}
}

func TestIsPublicAddr(t *testing.T) {
	tests := map[string]bool{
		"8.8.8.8":                true,
		"93.184.216.34":          true,
		"2606:4700::1111":        true,
		"127.0.0.1":              false,
		"10.1.2.3":               false,
		"172.16.0.1":             false,
		"192.168.1.1":            false,
		"169.254.169.254":        false,
		"100.64.0.1":             false,
		"0.0.0.0":                false,
		"224.0.0.1":              false,
		"255.255.255.255":        false,
		"::1":                    false,
		"::":                     false,
		"fe80::1":                false,
		"fc00::1":                false,
		"fd12:3456::1":           false,
		"ff02::1":                false,
		"::ffff:127.0.0.1":       false,
		"::ffff:169.254.169.254": false,
	}
	for s, want := range tests {
		if got := IsPublicAddr(netip.MustParseAddr(s)); got != want {
			t.Errorf("IsPublicAddr(%s) = %v, want %v", s, got, want)
		}
	}
}

func TestBackoff(t *testing.T) {
	tests := []struct {
		n          int
		retryAfter time.Duration
		want       time.Duration
	}{
		{0, 0, 0},
		{1, 0, time.Minute},
		{2, 0, 2 * time.Minute},
		{5, 0, 16 * time.Minute},
		{11, 0, 1024 * time.Minute},
		{12, 0, 24 * time.Hour},
		{1000, 0, 24 * time.Hour},
		{1, time.Hour, time.Hour},
		{5, time.Minute, 16 * time.Minute},
		{1, 30 * 24 * time.Hour, 7 * 24 * time.Hour},
	}
	for _, tt := range tests {
		if got := Backoff(tt.n, tt.retryAfter); got != tt.want {
			t.Errorf("Backoff(%d, %s) = %s, want %s", tt.n, tt.retryAfter, got, tt.want)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2020, 1, 6, 12, 0, 0, 0, time.UTC)
	tests := map[string]time.Duration{
		"":                               0,
		"0":                              0,
		"-5":                             0,
		"90":                             90 * time.Second,
		"Mon, 06 Jan 2020 12:10:00 GMT":  10 * time.Minute,
		"Mon, 06 Jan 2020 11:00:00 GMT":  0, // in the past
		"Monday, 06-Jan-20 13:00:00 GMT": time.Hour,
		"99999999999":                    retryAfterMax,
		"tomorrow":                       0,
	}
	for in, want := range tests {
		if got := parseRetryAfter(in, now); got != want {
			t.Errorf("parseRetryAfter(%q) = %s, want %s", in, got, want)
		}
	}
}

// Each redirect hop is checked against its own host's robots.txt.
func TestRobotsCheckedOnEveryRedirectHop(t *testing.T) {
	var pageHits atomic.Int32
	closed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			fmt.Fprint(w, "User-agent: claimwatch\nDisallow: /\n")
			return
		}
		pageHits.Add(1)
	}))
	defer closed.Close()
	open := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		http.Redirect(w, r, closed.URL+"/article", http.StatusMovedPermanently)
	}))
	defer open.Close()
	_, err := testClient(t, Options{}).Get(context.Background(), Request{URL: open.URL + "/short-link", CheckRobots: true})
	if !errors.Is(err, ErrDisallowedByRobots) || !strings.Contains(err.Error(), closed.URL+"/article") {
		t.Fatalf("err = %v, want ErrDisallowedByRobots for the redirect target", err)
	}
	if n := pageHits.Load(); n != 0 {
		t.Errorf("the disallowed page was fetched %d times", n)
	}
}

// An operator-named URL may be loopback or private; a redirect leaving its
// host, and an unnamed URL (a link found in content), still meet the guard,
// and each refusal says where the URL came from and names the switch.
func TestSSRFGuardNamedURLs(t *testing.T) {
	private := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/moved" {
			http.Redirect(w, r, "/feed", http.StatusFound) // same host: still named
			return
		}
		fmt.Fprint(w, "intranet feed")
	}))
	defer private.Close()
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "another internal host")
	}))
	defer other.Close()
	leaving := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/x", http.StatusFound)
	}))
	defer leaving.Close()

	c := New(Options{PerHostDelay: -1, Timeout: 2 * time.Second})
	defer c.Close()
	ctx := context.Background()
	for _, u := range []string{private.URL + "/feed", private.URL + "/moved"} {
		resp, err := c.Get(ctx, Request{URL: u, Named: true})
		if err != nil || string(resp.Body) != "intranet feed" {
			t.Errorf("named %s: %v", u, err)
		}
	}
	_, err := c.Get(ctx, Request{URL: leaving.URL, Named: true})
	if !errors.Is(err, ErrPrivateAddress) || !strings.Contains(err.Error(), "redirect away from the host named in "+leaving.URL) ||
		!strings.Contains(err.Error(), "fetch.allow_private") {
		t.Errorf("named URL redirecting to another private host: %v", err)
	}
	_, err = c.Get(ctx, Request{URL: private.URL + "/feed"})
	if !errors.Is(err, ErrPrivateAddress) || !strings.Contains(err.Error(), "found in fetched content") || !strings.Contains(err.Error(), "fetch.allow_private") {
		t.Errorf("unnamed private URL: %v", err)
	}
	// The named host's open connection must not serve an unnamed request.
	if _, err := c.Get(ctx, Request{URL: private.URL + "/feed"}); !errors.Is(err, ErrPrivateAddress) {
		t.Errorf("unnamed request after a named one to the same host: %v", err)
	}
}
