package alert

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/claimwatch/claimwatch/internal/config"
	"github.com/claimwatch/claimwatch/storage"
)

// DefaultEvery is how often a running Sender looks for due alerts when
// nothing wakes it sooner.
const DefaultEvery = 10 * time.Second

// batchLimit bounds the alerts one pass takes from the outbox for a rule
// (a digest of more goes out in several messages).
const batchLimit = 500

// Sender delivers the outbox: each-mode alerts one by one as soon as they
// are due, a digest rule's due alerts together in one message. An alert is
// marked sent only after its destination accepted it; a failure is retried
// after the rule's backoff (doubled each time) until its retries are spent,
// when it is marked failed (see `claimwatch alerts retry`).
type Sender struct {
	Store   *storage.Store
	Rules   []*Rule // set before Start; SetRules afterwards
	Log     *slog.Logger
	Now     func() time.Time // the clock; time.Now if nil
	Every   time.Duration    // DefaultEvery if zero
	Metrics *Metrics         // optional

	mu       sync.Mutex // guards Rules once started
	wakeOnce sync.Once
	wake     chan struct{}
}

func (s *Sender) wakeCh() chan struct{} {
	s.wakeOnce.Do(func() { s.wake = make(chan struct{}, 1) })
	return s.wake
}

// SetRules replaces the rules (a config reload); safe while running.
func (s *Sender) SetRules(rules []*Rule) {
	s.mu.Lock()
	s.Rules = rules
	s.mu.Unlock()
}

func (s *Sender) rules() []*Rule {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.Rules
}

// Outcome counts what a pass did.
type Outcome struct {
	Sent, Failed int // alerts (a digest counts each alert in it)
}

func (s *Sender) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Sender) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.New(slog.DiscardHandler)
}

// Wake makes a running Sender look at the outbox now (new evidence was
// stored). It never blocks.
func (s *Sender) Wake() {
	select {
	case s.wakeCh() <- struct{}{}:
	default:
	}
}

// Start runs the Sender until ctx ends; the returned channel closes when it
// has stopped. A delivery in flight at the end is abandoned unacknowledged,
// so it is sent again on the next start.
func (s *Sender) Start(ctx context.Context) <-chan struct{} {
	wake := s.wakeCh()
	done := make(chan struct{})
	every := s.Every
	if every <= 0 {
		every = DefaultEvery
	}
	go func() {
		defer close(done)
		s.failOrphans(ctx)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			if _, err := s.DeliverDue(ctx); err != nil && ctx.Err() == nil {
				s.log().Error("delivering alerts", "err", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			case <-wake:
			}
		}
	}()
	return done
}

// failOrphans marks failed the pending alerts of rules no longer
// configured, with that reason, so `alerts list` says why they wait.
func (s *Sender) failOrphans(ctx context.Context) {
	var names []string
	for _, r := range s.rules() {
		names = append(names, r.Name)
	}
	n, err := s.Store.FailOrphanAlerts(ctx, names, s.now())
	if err != nil {
		s.log().Error("alerts of removed rules", "err", err)
	} else if n > 0 {
		s.log().Warn("alerts of rules no longer in the config marked failed", "alerts", n)
	}
}

// DeliverDue sends every alert that is due now, once over.
func (s *Sender) DeliverDue(ctx context.Context) (Outcome, error) {
	var out Outcome
	var errs []error
	// Rule by rule, so one rule's backlog never hides another's alerts.
	for _, r := range s.rules() {
		if ctx.Err() != nil {
			break
		}
		rows, err := s.Store.DueAlerts(ctx, []string{r.Name}, s.now(), batchLimit)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if len(rows) == 0 {
			continue
		}
		// The rows' evidence in one query, not one per alert.
		ids := make([]int64, len(rows))
		for i, row := range rows {
			ids[i] = row.EvidenceID
		}
		ev, err := s.Store.EvidenceByIDs(ctx, ids)
		if err != nil {
			errs = append(errs, fmt.Errorf("rule %q: %w", r.Name, err))
			continue
		}
		if r.Mode == config.AlertDigest {
			_, err := s.deliver(ctx, r, rows, ev, &out)
			errs = append(errs, err)
			continue
		}
		for _, row := range rows {
			if ctx.Err() != nil {
				break
			}
			sent, err := s.deliver(ctx, r, []storage.OutboxAlert{row}, ev, &out)
			errs = append(errs, err)
			if !sent {
				// The destination is likely down: leave the rule's other
				// alerts for a later pass rather than wait out a timeout each.
				break
			}
		}
	}
	return out, errors.Join(errs...)
}

// deliver sends rows as one message (one alert, or a digest), their
// evidence taken from ev, records the outcome and reports whether the
// destination accepted it. Only a failure to record (or a missing evidence
// row) is an error: a failed send is the alerts' state, retried later.
func (s *Sender) deliver(ctx context.Context, r *Rule, rows []storage.OutboxAlert, ev map[int64]storage.EvidenceRow, out *Outcome) (bool, error) {
	ids := make([]int64, len(rows))
	payloads := make([]Payload, 0, len(rows))
	since := rows[0].CreatedAt
	for i, row := range rows {
		ids[i] = row.ID
		e, ok := ev[row.EvidenceID]
		if !ok {
			return false, fmt.Errorf("alert %d: evidence %d: %w", row.ID, row.EvidenceID, storage.ErrNotFound)
		}
		payloads = append(payloads, newPayload(r.Name, row.IdempotencyKey, e))
		if row.CreatedAt.Before(since) {
			since = row.CreatedAt
		}
	}
	var v any = payloads[0]
	if r.Mode == config.AlertDigest {
		v = newDigest(r.Name, payloads, since, s.now())
	}
	m, err := newMessage(v)
	if err == nil {
		err = r.dest.send(ctx, m)
	}
	// Record the outcome even when shutting down: an acknowledged alert
	// must be marked sent, or it would go out again.
	rec := context.WithoutCancel(ctx)
	if err == nil {
		if err := s.Store.MarkAlertsSent(rec, ids, s.now()); err != nil {
			return true, fmt.Errorf("rule %q: delivered but not recorded (it will be sent again): %w", r.Name, err)
		}
		out.Sent += len(ids)
		s.Metrics.delivered(r.Name, "sent", len(ids))
		s.log().Info("alert sent", "rule", r.Name, "alerts", len(ids), "key", m.key)
		return true, nil
	}
	if ctx.Err() != nil {
		return false, nil // abandoned at shutdown: still pending, not a failed attempt
	}
	next := s.now().Add(r.backoff(rows[0].Attempts))
	if rerr := s.Store.MarkAlertsFailed(rec, ids, err.Error(), next, r.Retries); rerr != nil {
		return false, fmt.Errorf("rule %q: recording a failed delivery: %w", r.Name, rerr)
	}
	out.Failed += len(ids)
	s.Metrics.delivered(r.Name, "failed", len(ids))
	s.log().Warn("alert delivery failed", "rule", r.Name, "alerts", len(ids), "attempt", rows[0].Attempts+1,
		"retries", r.Retries, "next", next, "err", err)
	return false, nil
}

// backoff is the wait after a failed attempt that followed attempts earlier
// ones: the rule's backoff, doubled each time, at most an hour (or the
// backoff itself when that is longer).
func (r *Rule) backoff(attempts int) time.Duration {
	limit := max(time.Hour, r.Backoff)
	d := r.Backoff
	for range attempts {
		if d >= limit/2 {
			return limit
		}
		d *= 2
	}
	return d
}

// Test sends one sample alert through the rule (or a sample digest for a
// digest rule) without touching the outbox.
func (r *Rule) Test(ctx context.Context, now time.Time) error {
	p := Payload{Type: "evidence", Rule: r.Name, IdempotencyKey: "test-" + now.UTC().Format("20060102T150405Z"),
		Claim: "sample-claim", Statement: "This is a sample alert from claimwatch alerts test.", Stance: "supports",
		Confidence: 0.9, Snippet: "A sample snippet.", Title: "Sample article", URL: "https://example.com/sample",
		Outlet: "example.com", Published: now.UTC(), EvidenceID: 0, StoryID: 0}
	var v any = p
	if r.Mode == config.AlertDigest {
		v = newDigest(r.Name, []Payload{p}, now, now)
	}
	m, err := newMessage(v)
	if err != nil {
		return err
	}
	return r.dest.send(ctx, m)
}
