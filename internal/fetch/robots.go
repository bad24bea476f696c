package fetch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"sync"
	"time"

	"github.com/temoto/robotstxt"
)

const (
	// robotsAgent is the product token matched against robots.txt groups.
	robotsAgent = "claimwatch"
	// robotsTTL: how long a fetched robots.txt (or its 4xx absence) is used;
	// RFC 9309 asks crawlers not to cache for more than 24 h.
	robotsTTL = time.Hour
	// robotsErrorTTL: a 5xx answer means "disallow all for now" (RFC 9309
	// §2.3.1.4); ask again sooner than for a real file.
	robotsErrorTTL = 10 * time.Minute
	// robotsMaxBytes is the parsing limit RFC 9309 requires at least.
	robotsMaxBytes = 500 << 10
)

type robotsEntry struct {
	mu      sync.Mutex // held while fetching, so a host is asked once
	data    *robotstxt.RobotsData
	expires time.Time
}

// checkRobots returns ErrDisallowedByRobots (wrapped with the URL) when the
// origin's robots.txt forbids u for our agent. named: u's host was named by
// the operator (robots.txt is read from the same host).
func (c *Client) checkRobots(ctx context.Context, u *url.URL, named bool) error {
	origin := u.Scheme + "://" + u.Host
	e := c.robots.get(origin, func() *robotsEntry { return &robotsEntry{} })
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.data == nil || time.Now().After(e.expires) {
		data, ttl, err := c.fetchRobots(ctx, origin, named)
		if err != nil {
			return fmt.Errorf("fetch %s: %w", u, err)
		}
		e.data, e.expires = data, time.Now().Add(ttl)
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	if u.RawQuery != "" {
		path += "?" + u.RawQuery
	}
	if !e.data.TestAgent(path, robotsAgent) {
		return fmt.Errorf("fetch %s: %w", u, ErrDisallowedByRobots)
	}
	return nil
}

// fetchRobots gets origin/robots.txt through the normal, polite path. A 4xx
// allows everything, a 5xx disallows everything for robotsErrorTTL; a network
// failure is returned (the page itself would fail the same way).
func (c *Client) fetchRobots(ctx context.Context, origin string, named bool) (*robotstxt.RobotsData, time.Duration, error) {
	resp, err := c.get(ctx, Request{URL: origin + "/robots.txt", Accept: "text/plain", Named: named}, robotsMaxBytes)
	var se *StatusError
	switch {
	case errors.As(err, &se):
		data, perr := robotstxt.FromStatusAndBytes(se.Code, nil)
		if perr != nil { // 1xx or other odd codes: treat like unreachable
			return nil, 0, fmt.Errorf("robots.txt: HTTP %d", se.Code)
		}
		if se.Code >= 500 {
			return data, robotsErrorTTL, nil
		}
		return data, robotsTTL, nil
	case errors.Is(err, ErrTooLarge):
		slog.Warn("robots.txt too large, treating as allow-all", slog.String("origin", origin))
		return allowAllRobots(), robotsTTL, nil
	case err != nil:
		return nil, 0, fmt.Errorf("robots.txt: %w", err)
	}
	data, err := robotstxt.FromBytes(resp.Body)
	if err != nil {
		// A file we cannot parse expresses no rule we can honour.
		slog.Warn("unparsable robots.txt, treating as allow-all", slog.String("origin", origin), slog.Any("err", err))
		return allowAllRobots(), robotsTTL, nil
	}
	return data, robotsTTL, nil
}

func allowAllRobots() *robotstxt.RobotsData {
	data, _ := robotstxt.FromStatusAndBytes(404, nil)
	return data
}
