// Package fetch is claimwatch's only door to the network: a polite, bounded
// HTTP client. It owns politeness (per-host concurrency and spacing,
// robots.txt, an honest User-Agent), limits (connect and total timeouts, a body
// cap enforced while reading, a redirect limit), conditional GET, and the SSRF
// guard that keeps fetches away from private addresses. It does not decode
// charsets or parse what it fetches (see internal/charset and internal/feed),
// and it keeps no per-source state beyond a robots.txt cache: recording errors
// and scheduling retries (see Backoff) is the caller's job.
package fetch

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Defaults applied by New to zero Options fields.
const (
	DefaultMaxBytes           = 10 << 20
	DefaultMaxRedirects       = 5
	DefaultPerHostConcurrency = 2
	DefaultPerHostDelay       = time.Second
	DefaultConnectTimeout     = 10 * time.Second
	DefaultTimeout            = 30 * time.Second
	defaultAccept             = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
)

// Options configure a Client. Zero values take the defaults above; for
// MaxRedirects and PerHostDelay a negative value means "none".
type Options struct {
	// UserAgent overrides the default "claimwatch/<Version> (+<Contact>)".
	UserAgent string
	// Version and Contact (a URL or mailto:) build the default User-Agent, so
	// site operators can see who is fetching and reach us.
	Version, Contact string
	// ConnectTimeout bounds the TCP (and TLS) handshake; Timeout bounds each
	// request from its start to the last body byte (per redirect hop, not
	// counting the wait for a per-host slot, which the caller's ctx bounds).
	ConnectTimeout, Timeout time.Duration
	MaxBytes                int64
	MaxRedirects            int
	PerHostConcurrency      int
	PerHostDelay            time.Duration
	// AllowPrivate turns the SSRF guard off for every request, including
	// links found in fetched content and redirects (fetch.allow_private).
	// Without it, only the host of a Request.Named URL may be non-public.
	AllowPrivate bool
	// PublicAddr, when set, replaces IsPublicAddr as the guard's test of an
	// address about to be dialled. Tests of other packages use it to count one
	// loopback port as public while the guard stays on for every other
	// address; production code leaves it nil.
	PublicAddr func(netip.AddrPort) bool
	// IgnoreRobots disables robots.txt checks even for requests asking for
	// them. (Respecting robots is the default; Go's zero value is false, so
	// the switch is phrased negatively.)
	IgnoreRobots bool
}

// Request is one GET.
type Request struct {
	URL string
	// ETag and LastModified are the validators from the previous fetch; when
	// set they are sent as If-None-Match / If-Modified-Since.
	ETag, LastModified string
	// CheckRobots asks for a robots.txt check (page and article fetches; feeds
	// are meant to be polled and are not checked).
	CheckRobots bool
	// AllowFile permits a file:// URL; set it only when the configuration
	// itself names the file, never for URLs found in fetched content.
	AllowFile bool
	// Accept overrides the Accept header.
	Accept string
	// Named says the operator named this URL — in the config, with `sources
	// add`, or on the command line — so its host may be private or loopback
	// (self-hosted RSS bridges, intranet feeds). A redirect to another host
	// passes the guard again, as do URLs found in fetched content (Named
	// false), unless Options.AllowPrivate.
	Named bool
}

// Response is a successful (2xx) or not-modified (304) answer.
type Response struct {
	URL         string // final URL after redirects
	Status      int
	NotModified bool
	Body        []byte // decoded (gzip removed), at most Options.MaxBytes
	ContentType string
	// ETag and LastModified to store for the next conditional GET; on a 304
	// that omits them, the request's validators are echoed back.
	ETag, LastModified string
	RetryAfter         time.Duration
	Bytes              int64 // len(Body)
}

// Client is safe for concurrent use; create one per process so that
// politeness limits and the connection pool are shared.
type Client struct {
	opts      Options
	userAgent string
	http      *http.Client
	transport *http.Transport
	// named serves the host of a Request.Named URL, without the guard; its
	// own connection pool keeps its connections from serving other requests.
	named          *http.Client
	namedTransport *http.Transport
	gates          *gates
	robots         perKey[robotsEntry]
	// allowAddr decides, at connect time, whether an address may be dialled.
	// Tests replace it to treat one loopback port as public.
	allowAddr func(netip.AddrPort) bool
}

// New builds a Client, filling defaults into zero Options fields.
func New(opts Options) *Client {
	opts.MaxBytes = orDefault(opts.MaxBytes, DefaultMaxBytes, false)
	opts.MaxRedirects = orDefault(opts.MaxRedirects, DefaultMaxRedirects, true)
	opts.PerHostConcurrency = orDefault(opts.PerHostConcurrency, DefaultPerHostConcurrency, false)
	opts.PerHostDelay = orDefault(opts.PerHostDelay, DefaultPerHostDelay, true)
	opts.ConnectTimeout = orDefault(opts.ConnectTimeout, DefaultConnectTimeout, false)
	opts.Timeout = orDefault(opts.Timeout, DefaultTimeout, false)
	if opts.Version == "" {
		opts.Version = "dev"
	}
	c := &Client{
		opts:      opts,
		userAgent: opts.UserAgent,
		gates:     &gates{concurrency: opts.PerHostConcurrency, delay: opts.PerHostDelay},
	}
	if c.userAgent == "" {
		c.userAgent = "claimwatch/" + opts.Version
		if opts.Contact != "" {
			c.userAgent += " (+" + opts.Contact + ")"
		}
	}
	c.allowAddr = func(ap netip.AddrPort) bool {
		if opts.AllowPrivate {
			return true
		}
		if opts.PublicAddr != nil {
			return opts.PublicAddr(ap)
		}
		return IsPublicAddr(ap.Addr())
	}

	c.transport, c.http = c.newHTTP(&net.Dialer{Timeout: opts.ConnectTimeout, KeepAlive: 30 * time.Second, Control: c.dialControl})
	c.namedTransport, c.named = c.newHTTP(&net.Dialer{Timeout: opts.ConnectTimeout, KeepAlive: 30 * time.Second})
	return c
}

func (c *Client) newHTTP(dialer *net.Dialer) (*http.Transport, *http.Client) {
	opts := c.opts
	t := &http.Transport{
		// No proxy: the SSRF guard checks the address we dial, which would be
		// the proxy's rather than the target's.
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   opts.PerHostConcurrency,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   opts.ConnectTimeout,
		ExpectContinueTimeout: time.Second,
		ResponseHeaderTimeout: opts.Timeout,
	}
	return t, &http.Client{
		Transport: t,
		// Redirects are followed by Get itself, so that every hop passes the
		// scheme check, robots.txt and the per-host limits.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// UserAgent is the User-Agent header the client sends.
func (c *Client) UserAgent() string { return c.userAgent }

// Close releases idle connections.
func (c *Client) Close() {
	c.transport.CloseIdleConnections()
	c.namedTransport.CloseIdleConnections()
}

// Get fetches req.URL, following up to MaxRedirects redirects. A 2xx answer
// returns its body; a 304 returns NotModified without reading a body; any
// other status returns a *StatusError. Every error names the URL.
func (c *Client) Get(ctx context.Context, req Request) (*Response, error) {
	return c.get(ctx, req, c.opts.MaxBytes)
}

func (c *Client) get(ctx context.Context, req Request, maxBytes int64) (*Response, error) {
	u, err := url.Parse(req.URL)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", req.URL, err)
	}
	switch u.Scheme {
	case "http", "https":
	case "file":
		if !req.AllowFile {
			return nil, fmt.Errorf("fetch %s: %w: file:// is only allowed for sources the configuration names", req.URL, ErrScheme)
		}
		return getFile(u, req, maxBytes)
	default:
		return nil, fmt.Errorf("fetch %s: %w %q (want http or https)", req.URL, ErrScheme, u.Scheme)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("fetch %s: URL has no host", req.URL)
	}

	namedHost := ""
	if req.Named {
		namedHost = hostKey(u)
	}
	for redirects := 0; ; redirects++ {
		// Only the named host itself escapes the guard, not where it
		// redirects to.
		named := namedHost != "" && hostKey(u) == namedHost
		if req.CheckRobots && !c.opts.IgnoreRobots {
			if err := c.checkRobots(ctx, u, named); err != nil {
				return nil, err
			}
		}
		resp, next, err := c.hop(ctx, u, req, named, maxBytes)
		if err != nil || next == nil {
			return resp, err
		}
		if redirects >= c.opts.MaxRedirects {
			return nil, fmt.Errorf("fetch %s: %w (more than %d; last hop %s -> %s)", req.URL, ErrTooManyRedirects, c.opts.MaxRedirects, u, next)
		}
		if next.Scheme != "http" && next.Scheme != "https" {
			return nil, fmt.Errorf("fetch %s: redirect to %s: %w", req.URL, next, ErrScheme)
		}
		u = next
	}
}

// hop performs one request. It returns either a response, an error, or the
// redirect target. named: u's host was named by the operator and may be
// non-public.
func (c *Client) hop(ctx context.Context, u *url.URL, req Request, named bool, maxBytes int64) (*Response, *url.URL, error) {
	release, err := c.gates.acquire(ctx, hostKey(u))
	if err != nil {
		return nil, nil, fmt.Errorf("fetch %s: waiting for a slot on %s: %w", u, u.Host, err)
	}
	defer release()

	ctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	hreq, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, nil, fmt.Errorf("fetch %s: %w", u, err)
	}
	hreq.Header.Set("User-Agent", c.userAgent)
	hreq.Header.Set("Accept", cmp.Or(req.Accept, defaultAccept))
	if req.ETag != "" {
		hreq.Header.Set("If-None-Match", req.ETag)
	}
	if req.LastModified != "" {
		hreq.Header.Set("If-Modified-Since", req.LastModified)
	}

	client := c.http
	if named {
		client = c.named
	}
	resp, err := client.Do(hreq)
	if err != nil {
		err = c.wrapNetErr(ctx, u, err)
		if errors.Is(err, ErrPrivateAddress) {
			err = fmt.Errorf("%w (%s; set fetch.allow_private: true in the config to allow non-public addresses)", err, privateOrigin(req))
		}
		return nil, nil, err
	}
	defer resp.Body.Close()

	switch code := resp.StatusCode; {
	case code == http.StatusMovedPermanently, code == http.StatusFound, code == http.StatusSeeOther,
		code == http.StatusTemporaryRedirect, code == http.StatusPermanentRedirect:
		loc, err := resp.Location()
		if err != nil {
			return nil, nil, fmt.Errorf("fetch %s: HTTP %d redirect without a usable Location: %w", u, code, err)
		}
		// Drain a little so the connection can be reused; a long redirect
		// body is simply cut off with the connection.
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
		return nil, loc, nil

	case code == http.StatusNotModified:
		return &Response{
			URL:          u.String(),
			Status:       code,
			NotModified:  true,
			ContentType:  resp.Header.Get("Content-Type"),
			ETag:         cmp.Or(resp.Header.Get("ETag"), req.ETag),
			LastModified: cmp.Or(resp.Header.Get("Last-Modified"), req.LastModified),
		}, nil, nil

	case code >= 200 && code < 300:
		if resp.ContentLength > maxBytes {
			return nil, nil, fmt.Errorf("fetch %s: %w: Content-Length %d exceeds the limit of %d bytes", u, ErrTooLarge, resp.ContentLength, maxBytes)
		}
		// The limit applies to the decoded body: the transport has already
		// removed gzip, so a compression bomb stops at maxBytes too.
		body, err := io.ReadAll(io.LimitReader(resp.Body, maxBytes+1))
		if err != nil {
			return nil, nil, c.wrapNetErr(ctx, u, err)
		}
		if int64(len(body)) > maxBytes {
			return nil, nil, fmt.Errorf("fetch %s: %w: body exceeds the limit of %d bytes", u, ErrTooLarge, maxBytes)
		}
		return &Response{
			URL:          u.String(),
			Status:       code,
			Body:         body,
			ContentType:  resp.Header.Get("Content-Type"),
			ETag:         resp.Header.Get("ETag"),
			LastModified: resp.Header.Get("Last-Modified"),
			RetryAfter:   parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()),
			Bytes:        int64(len(body)),
		}, nil, nil

	default:
		return nil, nil, &StatusError{URL: u.String(), Code: code, RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())}
	}
}

// privateOrigin says where a refused URL came from, for the refusal.
func privateOrigin(req Request) string {
	if req.Named {
		return "a redirect away from the host named in " + req.URL
	}
	return "a URL found in fetched content, not one named in the config, with 'sources add' or on the command line"
}

// wrapNetErr names the URL once (dropping url.Error's own copy) and reports
// our own timeout as context.DeadlineExceeded whatever layer noticed it.
func (c *Client) wrapNetErr(ctx context.Context, u *url.URL, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if errors.Is(err, ErrPrivateAddress) {
		return fmt.Errorf("fetch %s: %w", u, err)
	}
	if ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
		err = fmt.Errorf("%w (%v)", ctx.Err(), err)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("fetch %s: timed out (limit %s): %w", u, c.opts.Timeout, err)
	}
	return fmt.Errorf("fetch %s: %w", u, err)
}

// orDefault maps zero to def; a negative v means "none" (zero) when
// negativeIsNone, and is otherwise treated like zero.
func orDefault[T int | int64 | time.Duration](v, def T, negativeIsNone bool) T {
	switch {
	case v > 0:
		return v
	case v < 0 && negativeIsNone:
		return 0
	}
	return def
}

// hostKey identifies a host for politeness: name and non-default port.
func hostKey(u *url.URL) string {
	host := strings.ToLower(u.Hostname())
	if p := u.Port(); p != "" && !(u.Scheme == "http" && p == "80") && !(u.Scheme == "https" && p == "443") {
		return net.JoinHostPort(host, p)
	}
	return host
}

// parseRetryAfter reads delta-seconds or an HTTP date; anything else, or a
// date in the past, is zero.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		if secs > int64(retryAfterMax/time.Second) { // also avoids overflow
			return retryAfterMax
		}
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return min(t.Sub(now), retryAfterMax)
	}
	return 0
}
