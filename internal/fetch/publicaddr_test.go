package fetch

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
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
