package web

import (
	"context"
	"sync"
	"time"

	"github.com/claimwatch/claimwatch/internal/report"
	"github.com/claimwatch/claimwatch/storage"
)

// statusTTL is how long the board's status rows are served before they are
// recomputed. Computing them aggregates every piece of evidence with its
// article (a second or two for 200,000 rows), too slow for every page view; the
// daemon's new evidence shows up within statusTTL, and the dashboard's own
// reviews and verdicts at once.
const statusTTL = 15 * time.Second

// statusCache holds the latest status rows of every claim. After statusTTL
// a request still gets the rows it holds while one refresh runs in the
// background, so only the very first request (or the first after one of
// the dashboard's own writes) waits for the aggregation.
type statusCache struct {
	mu         sync.Mutex
	rows       []report.StatusRow
	at         time.Time // when rows were computed; zero: none or invalidated
	gen        int       // bumped by invalidate, so an older refresh is dropped
	refreshing bool
	timelines  map[string]timelineEntry
}

// get returns every claim's status rows.
func (c *statusCache) get(ctx context.Context, s *Server) ([]report.StatusRow, error) {
	c.mu.Lock()
	if !c.at.IsZero() {
		rows := c.rows
		if time.Since(c.at) > statusTTL && !c.refreshing {
			c.refreshing = true
			go c.refresh(s, c.gen)
		}
		c.mu.Unlock()
		return rows, nil
	}
	gen := c.gen
	c.mu.Unlock()
	rows, err := report.Statuses(ctx, s.o.Store, s.o.Now(), "")
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.gen == gen {
		c.rows, c.at = rows, time.Now()
	}
	c.mu.Unlock()
	return rows, nil
}

func (c *statusCache) refresh(s *Server, gen int) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	rows, err := report.Statuses(ctx, s.o.Store, s.o.Now(), "")
	c.mu.Lock()
	defer c.mu.Unlock()
	c.refreshing = false
	if err != nil {
		s.o.Log.Warn("dashboard: refreshing claim status", "err", err)
		return
	}
	if c.gen == gen { // not invalidated meanwhile
		c.rows, c.at = rows, time.Now()
	}
}

// invalidate makes the next request compute the rows afresh: after a
// review or a verdict, the analyst sees its effect at once.
func (c *statusCache) invalidate() {
	c.mu.Lock()
	c.at, c.rows, c.timelines = time.Time{}, nil, nil
	c.gen++
	c.mu.Unlock()
}

// claimStatus is one claim's row from the cache.
func (c *statusCache) claimStatus(ctx context.Context, s *Server, id string) (report.StatusRow, bool, error) {
	rows, err := c.get(ctx, s)
	if err != nil {
		return report.StatusRow{}, false, err
	}
	for _, r := range rows {
		if r.ClaimID == id {
			return r, true, nil
		}
	}
	return report.StatusRow{}, false, nil
}

// timelineEntry is one claim timeline as last computed.
type timelineEntry struct {
	rows []storage.TimelineRow
	at   time.Time
	gen  int
}

// timeline returns a claim's timeline, computed at most once per statusTTL
// (and afresh after the dashboard's own writes), like the status rows: on a
// large claim it reads every counted piece of evidence.
func (c *statusCache) timeline(ctx context.Context, s *Server, claimID, by string, since, until time.Time) ([]storage.TimelineRow, error) {
	key := claimID + "|" + by + "|" + since.String() + "|" + until.String()
	c.mu.Lock()
	e, ok := c.timelines[key]
	gen := c.gen
	c.mu.Unlock()
	if ok && e.gen == gen && time.Since(e.at) <= statusTTL {
		return e.rows, nil
	}
	rows, err := s.o.Store.Timeline(ctx, claimID, by, since, until)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.timelines == nil || len(c.timelines) > maxCachedTimelines {
		c.timelines = map[string]timelineEntry{}
	}
	c.timelines[key] = timelineEntry{rows: rows, at: time.Now(), gen: gen}
	c.mu.Unlock()
	return rows, nil
}

// maxCachedTimelines bounds the cache: date filters make many keys.
const maxCachedTimelines = 256
