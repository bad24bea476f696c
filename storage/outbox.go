package storage

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/claimwatch/claimwatch/claims"
)

// Alert outbox states.
const (
	AlertPending = "pending"
	AlertSent    = "sent"
	AlertFailed  = "failed"
)

// AlertTarget is one alert rule that wants a new piece of evidence, and the
// earliest time it may be sent (a digest's next run; zero: at once).
type AlertTarget struct {
	Rule      string
	NotBefore time.Time
}

// AlertRoute names the alert rules that want a newly stored piece of
// evidence. It runs inside the writer's transaction, so it must be quick and
// must not call the Store.
type AlertRoute func(claimID string, stance claims.Stance, confidence float64) []AlertTarget

// SetAlertRoute makes SaveArticle record an alert in the outbox, in the
// transaction that stores the evidence, for every new evidence row route
// wants. nil (the default) records none: bulk paths such as backfills do not
// alert unless they set a route. Rematch never alerts.
func (s *Store) SetAlertRoute(route AlertRoute) {
	if route == nil {
		s.alertRoute.Store(nil)
		return
	}
	s.alertRoute.Store(&route)
}

type noAlertsKey struct{}

// WithoutAlerts returns a context whose SaveArticle calls record no alerts,
// for bulk work on a store that has a route.
func WithoutAlerts(ctx context.Context) context.Context {
	return context.WithValue(ctx, noAlertsKey{}, true)
}

// routeFor is the route a SaveArticle call with ctx uses (nil: none).
func (s *Store) routeFor(ctx context.Context) AlertRoute {
	if off, _ := ctx.Value(noAlertsKey{}).(bool); off {
		return nil
	}
	if r := s.alertRoute.Load(); r != nil {
		return *r
	}
	return nil
}

const (
	qEvidenceID  = `SELECT id FROM evidence WHERE claim_id = ? AND article_id = ?`
	qArticleURL  = `SELECT url FROM articles WHERE id = ?`
	qInsertAlert = `
		INSERT INTO alert_outbox (rule, claim_id, story_id, evidence_id, idempotency_key, created_at, next_attempt_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (rule, claim_id, story_id) DO NOTHING`
)

// enqueueAlerts records the alerts route wants for a new evidence row of
// article a. A story already alerted for the claim under a rule is skipped.
func enqueueAlerts(w *stmtTx, route AlertRoute, a *Article, f evidenceRow, now time.Time) error {
	targets := route(f.ClaimID, f.Stance, f.Confidence)
	if len(targets) == 0 {
		return nil
	}
	var evidenceID int64
	if err := w.scanRow(qEvidenceID, []any{f.ClaimID, a.ID}, &evidenceID); err != nil {
		return fmt.Errorf("alert outbox: evidence id: %w", err)
	}
	story := a.StoryID
	if story == 0 {
		story = a.ID
	}
	// The key names the story by its first article's URL: story ids are
	// this database's own, and another database (rebuilt, a second
	// instance) numbers other stories alike. Read, not taken from a: a
	// copy saved under a new URL carries the stored article's id.
	storyURL := a.URL
	if err := w.scanRow(qArticleURL, []any{story}, &storyURL); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("alert outbox: story %d: %w", story, err)
	}
	for _, t := range targets {
		next := t.NotBefore
		if next.Before(now) {
			next = now
		}
		if _, err := w.exec(qInsertAlert, t.Rule, f.ClaimID, story, evidenceID,
			AlertKey(t.Rule, f.ClaimID, storyURL), dbTime(now), dbTime(next)); err != nil {
			return fmt.Errorf("alert outbox: rule %q: %w", t.Rule, err)
		}
	}
	return nil
}

// AlertKey is the idempotency key of the alert of rule for a claim's story,
// named by the URL of the story's first article: the same wherever and
// however often it is computed, so a receiver can drop a redelivery, and
// different for another story in another database.
func AlertKey(rule, claimID, storyURL string) string {
	sum := sha256.Sum256([]byte(rule + "\x00" + claimID + "\x00" + storyURL))
	return hex.EncodeToString(sum[:16])
}

// OutboxAlert is one alert in the outbox.
type OutboxAlert struct {
	ID             int64
	Rule           string
	ClaimID        string
	StoryID        int64
	EvidenceID     int64
	IdempotencyKey string
	Status         string
	Attempts       int
	LastError      string
	CreatedAt      time.Time
	NextAttemptAt  time.Time
	SentAt         time.Time
}

const outboxColumns = `id, rule, claim_id, story_id, evidence_id, idempotency_key, status, attempts, last_error,
	created_at, next_attempt_at, sent_at`

func (s *Store) queryAlerts(ctx context.Context, query string, args ...any) ([]OutboxAlert, error) {
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []OutboxAlert
	for rows.Next() {
		var a OutboxAlert
		var created, next, sent sql.NullString
		if err := rows.Scan(&a.ID, &a.Rule, &a.ClaimID, &a.StoryID, &a.EvidenceID, &a.IdempotencyKey, &a.Status,
			&a.Attempts, &a.LastError, &created, &next, &sent); err != nil {
			return nil, err
		}
		a.CreatedAt, a.NextAttemptAt, a.SentAt = mustTime(created), mustTime(next), mustTime(sent)
		out = append(out, a)
	}
	return out, rows.Err()
}

// DueAlerts returns the pending alerts of the named rules whose time has
// come at now, oldest first; limit 0 means no limit.
func (s *Store) DueAlerts(ctx context.Context, rules []string, now time.Time, limit int) ([]OutboxAlert, error) {
	if len(rules) == 0 {
		return nil, nil
	}
	args := []any{AlertPending, dbTime(now)}
	for _, r := range rules {
		args = append(args, r)
	}
	q := `SELECT ` + outboxColumns + ` FROM alert_outbox WHERE status = ? AND next_attempt_at <= ?
		AND rule IN (` + placeholders(len(rules)) + `) ORDER BY id`
	if limit > 0 {
		q += ` LIMIT ?`
		args = append(args, limit)
	}
	out, err := s.queryAlerts(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("due alerts: %w", err)
	}
	return out, nil
}

// AlertFilter selects outbox rows for ListAlerts. Zero fields do not filter.
type AlertFilter struct {
	Status string
	Rule   string
	Limit  int
}

// ListAlerts returns the outbox rows f selects, newest first.
func (s *Store) ListAlerts(ctx context.Context, f AlertFilter) ([]OutboxAlert, error) {
	var where []string
	var args []any
	if f.Status != "" {
		where, args = append(where, `status = ?`), append(args, f.Status)
	}
	if f.Rule != "" {
		where, args = append(where, `rule = ?`), append(args, f.Rule)
	}
	q := `SELECT ` + outboxColumns + ` FROM alert_outbox`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	q += ` ORDER BY id DESC`
	if f.Limit > 0 {
		q += ` LIMIT ?`
		args = append(args, f.Limit)
	}
	out, err := s.queryAlerts(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list alerts: %w", err)
	}
	return out, nil
}

// MarkAlertsSent records that the alerts were delivered (acknowledged by the
// receiver): they are never sent again.
func (s *Store) MarkAlertsSent(ctx context.Context, ids []int64, now time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	args := []any{AlertSent, dbTime(now)}
	for _, id := range ids {
		args = append(args, id)
	}
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE alert_outbox SET status = ?, sent_at = ?, attempts = attempts + 1,
			last_error = '' WHERE id IN (`+placeholders(len(ids))+`) AND status = 'pending'`, args...)
		return err
	})
	if err != nil {
		return fmt.Errorf("mark alerts sent: %w", err)
	}
	return nil
}

// MarkAlertsFailed records a failed delivery: the alerts are tried again at
// next, or marked failed once they have had maxAttempts attempts.
func (s *Store) MarkAlertsFailed(ctx context.Context, ids []int64, reason string, next time.Time, maxAttempts int) error {
	if len(ids) == 0 {
		return nil
	}
	args := []any{maxAttempts, AlertFailed, AlertPending, reason, dbTime(next)}
	for _, id := range ids {
		args = append(args, id)
	}
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE alert_outbox SET
			status = CASE WHEN attempts + 1 >= ? THEN ? ELSE ? END,
			attempts = attempts + 1, last_error = ?, next_attempt_at = ?
			WHERE id IN (`+placeholders(len(ids))+`) AND status = 'pending'`, args...)
		return err
	})
	if err != nil {
		return fmt.Errorf("mark alerts failed: %w", err)
	}
	return nil
}

// RetryAlerts makes failed alerts (of one rule, or all when rule is empty)
// pending again, due at now, with their attempts reset. It returns how many.
func (s *Store) RetryAlerts(ctx context.Context, rule string, now time.Time) (int, error) {
	var n int64
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE alert_outbox SET status = 'pending', attempts = 0, next_attempt_at = ?
			WHERE status = 'failed' AND (? = '' OR rule = ?)`, dbTime(now), rule, rule)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("retry alerts: %w", err)
	}
	return int(n), nil
}

// FailOrphanAlerts marks failed the pending alerts of rules not in rules
// (removed or renamed in the config), so they do not wait forever; `alerts
// retry` queues them again. It returns how many.
func (s *Store) FailOrphanAlerts(ctx context.Context, rules []string, now time.Time) (int, error) {
	args := []any{"rule no longer in the config", dbTime(now)}
	q := `UPDATE alert_outbox SET status = 'failed', last_error = ?, next_attempt_at = ? WHERE status = 'pending'`
	if len(rules) > 0 {
		q += ` AND rule NOT IN (` + placeholders(len(rules)) + `)`
		for _, r := range rules {
			args = append(args, r)
		}
	}
	var n int64
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, q, args...)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("fail orphan alerts: %w", err)
	}
	return int(n), nil
}

// AlertCount is how many outbox rows a rule has in a state.
type AlertCount struct {
	Rule, Status string
	N            int
}

// AlertStats counts the outbox by rule and state, and returns when the
// oldest pending alert was queued (zero when none is pending).
func (s *Store) AlertStats(ctx context.Context) ([]AlertCount, time.Time, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT rule, status, COUNT(*) FROM alert_outbox GROUP BY rule, status ORDER BY rule, status`)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("alert stats: %w", err)
	}
	defer rows.Close()
	var out []AlertCount
	for rows.Next() {
		var c AlertCount
		if err := rows.Scan(&c.Rule, &c.Status, &c.N); err != nil {
			return nil, time.Time{}, fmt.Errorf("alert stats: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, time.Time{}, fmt.Errorf("alert stats: %w", err)
	}
	var oldest sql.NullString
	if err := s.r.QueryRowContext(ctx, `SELECT MIN(created_at) FROM alert_outbox WHERE status = 'pending'`).Scan(&oldest); err != nil {
		return nil, time.Time{}, fmt.Errorf("alert stats: oldest pending: %w", err)
	}
	return out, mustTime(oldest), nil
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}
