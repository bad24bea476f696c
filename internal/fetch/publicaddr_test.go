package fetch

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"testing"
	"time"
)

// TestOptionsPublicAddr: the exported hook lets other packages' tests count
// one loopback port as public while every other address stays guarded, and
// AllowPrivate still overrides it.
func TestOptionsPublicAddr(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "ok") }))
	defer srv.Close()
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "ok") }))
	defer other.Close()
	port := uint16(srv.Listener.Addr().(*net.TCPAddr).Port)
	public := func(ap netip.AddrPort) bool { return ap.Port() == port }

	c := New(Options{PerHostDelay: -1, Timeout: 2 * time.Second, PublicAddr: public})
	defer c.Close()
	ctx := context.Background()
	if _, err := c.Get(ctx, Request{URL: srv.URL}); err != nil {
		t.Errorf("the port counted as public: %v", err)
	}
	if _, err := c.Get(ctx, Request{URL: other.URL}); !errors.Is(err, ErrPrivateAddress) {
		t.Errorf("another loopback port: err %v, want ErrPrivateAddress", err)
	}
	open := New(Options{PerHostDelay: -1, Timeout: 2 * time.Second, PublicAddr: public, AllowPrivate: true})
	defer open.Close()
	if _, err := open.Get(ctx, Request{URL: other.URL}); err != nil {
		t.Errorf("AllowPrivate with the hook: %v", err)
	}
}

// PrivateHost: true only for a host the guard would refuse, by address or
// by every address its name resolves to.
func TestPrivateHost(t *testing.T) {
	ctx := context.Background()
	guarded := New(Options{PerHostDelay: -1})
	defer guarded.Close()
	for raw, want := range map[string]bool{
		"http://127.0.0.1:8080/feed": true,
		"http://[::1]/feed":          true,
		"http://localhost/feed":      true,
		"https://10.1.2.3/sitemap":   true,
		"http://8.8.8.8/feed":        false,
		"http://[2606:4700::1]/":     false,
		"http://127.0.0.1:notaport/": false,
	} {
		u, _ := url.Parse(raw)
		if got := guarded.PrivateHost(ctx, u); got != want {
			t.Errorf("PrivateHost(%s) = %t, want %t", raw, got, want)
		}
	}
	u, _ := url.Parse("http://127.0.0.1:8080/feed")
	open := New(Options{PerHostDelay: -1, AllowPrivate: true})
	defer open.Close()
	if open.PrivateHost(ctx, u) {
		t.Error("with AllowPrivate nothing needs extending, yet PrivateHost said true")
	}
	public := New(Options{PerHostDelay: -1, PublicAddr: func(ap netip.AddrPort) bool { return ap.Port() == 8080 }})
	defer public.Close()
	if public.PrivateHost(ctx, u) {
		t.Error("a host the guard counts as public was called private")
	}
}
