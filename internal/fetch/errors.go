package fetch

import (
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Sentinel errors callers branch on (errors.Is). Every error returned by Get
// wraps one of these or a *StatusError together with the URL concerned.
var (
	// ErrTooLarge: the body (after content decoding) exceeded Options.MaxBytes.
	ErrTooLarge = errors.New("response body too large")
	// ErrTooManyRedirects: a redirect chain or loop went past Options.MaxRedirects.
	ErrTooManyRedirects = errors.New("too many redirects")
	// ErrDisallowedByRobots: the site's robots.txt forbids the path for our agent.
	ErrDisallowedByRobots = errors.New("disallowed by robots.txt")
	// ErrPrivateAddress: the host resolved to a loopback, private, link-local or
	// otherwise non-public address and Options.AllowPrivate is false.
	ErrPrivateAddress = errors.New("refusing to connect to a non-public address")
	// ErrScheme: the URL is not http or https (or file:// without Request.AllowFile).
	ErrScheme = errors.New("unsupported URL scheme")
)

// StatusError is a non-2xx, non-304 HTTP answer. RetryAfter is the server's
// Retry-After (seconds or HTTP date), zero when absent; it is filled for any
// status but matters for 429 and 503.
type StatusError struct {
	URL        string
	Code       int
	RetryAfter time.Duration
}

func (e *StatusError) Error() string {
	msg := fmt.Sprintf("fetch %s: HTTP %d %s", e.URL, e.Code, http.StatusText(e.Code))
	if e.RetryAfter > 0 {
		msg += fmt.Sprintf(" (retry after %s)", e.RetryAfter)
	}
	return msg
}

// Temporary reports whether the status is worth retrying later (rate limits and
// server-side trouble) rather than a permanent answer such as 404 or 410.
func (e *StatusError) Temporary() bool {
	return e.Code == http.StatusTooManyRequests || e.Code == http.StatusRequestTimeout || e.Code >= 500
}
