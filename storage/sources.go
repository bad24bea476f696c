package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Source is a news source to poll. Config is opaque to storage: the fetcher
// owns its meaning.
type Source struct {
	Name, URL, Kind string
	Config          json.RawMessage
	// FromConfig is true for sources defined in the config file, false for
	// those added from the command line; SyncConfigSources only removes the
	// former.
	FromConfig bool
	Enabled    bool
}

// SourceState is what the poller remembers about a source between polls.
type SourceState struct {
	ETag, LastModified string
	LastSuccess        time.Time
	LastAttempt        time.Time
	BackoffUntil       time.Time
	NextDue            time.Time
	LastError          string
	ErrorCount         int
	LastStatus         int
	// LastOutcome is the outcome of the last poll that was not skipped
	// ("" before the first).
	LastOutcome string
}

// SourceWithState is a source and its polling state.
type SourceWithState struct {
	Source
	State SourceState
}

// PollRecord is the outcome of one poll of a source.
type PollRecord struct {
	Source                   string
	Started                  time.Time
	Duration                 time.Duration
	Status                   int    // HTTP status, 0 when none
	Outcome                  string // ok | not_modified | partial | failed | skipped
	Err                      string
	NewArticles, NewEvidence int
	Bytes                    int64
	// ETag and LastModified are the validators to send next time.
	ETag, LastModified string
	// BackoffUntil: do not poll before this time (zero clears it).
	BackoffUntil time.Time
	// NextDue: when the scheduler plans the next poll (zero leaves it as is).
	NextDue time.Time
}

// Poll outcomes.
const (
	OutcomeOK          = "ok"
	OutcomeNotModified = "not_modified"
	// OutcomePartial: the source answered but some of its articles could
	// not be stored (database busy, disk full); the old validators are kept
	// so that the next poll reads the items again.
	OutcomePartial = "partial"
	OutcomeFailed  = "failed"
	OutcomeSkipped = "skipped"
)

// UpsertSource adds a source or updates its definition, keeping its polling
// state.
func (s *Store) UpsertSource(ctx context.Context, src Source) error {
	if err := s.writeTx(ctx, func(tx *sql.Tx) error { return upsertSource(ctx, tx, src, s.now()) }); err != nil {
		return fmt.Errorf("save source %q: %w", src.Name, err)
	}
	return nil
}

func upsertSource(ctx context.Context, tx *sql.Tx, src Source, now time.Time) error {
	if src.Name == "" {
		return errors.New("source has no name")
	}
	cfg := string(src.Config)
	if cfg == "" {
		cfg = "{}"
	}
	if !json.Valid([]byte(cfg)) {
		return fmt.Errorf("config is not valid JSON: %.60q", cfg)
	}
	_, err := tx.ExecContext(ctx, `
		INSERT INTO sources (name, url, kind, config, from_config, enabled, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET
			-- A new URL or kind is a new source as far as failures go: the
			-- backoff belonged to the old one, so a source fixed in the config
			-- is polled at once. (SET reads the row as it was, so these see
			-- the old url and kind.)
			error_count = CASE WHEN sources.url <> excluded.url OR sources.kind <> excluded.kind THEN 0 ELSE sources.error_count END,
			backoff_until = CASE WHEN sources.url <> excluded.url OR sources.kind <> excluded.kind THEN NULL ELSE sources.backoff_until END,
			url = excluded.url, kind = excluded.kind, config = excluded.config,
			from_config = excluded.from_config, enabled = excluded.enabled, updated_at = excluded.updated_at`,
		src.Name, src.URL, src.Kind, cfg, boolInt(src.FromConfig), boolInt(src.Enabled), dbTime(now), dbTime(now))
	return err
}

// SyncConfigSources makes the config-file sources match srcs (each stored
// with FromConfig set): it upserts them and removes config sources no longer
// listed. Sources added from the command line are left alone. It returns
// the names removed.
func (s *Store) SyncConfigSources(ctx context.Context, srcs []Source) (removed []string, err error) {
	err = s.writeTx(ctx, func(tx *sql.Tx) error {
		removed = nil
		keep := map[string]bool{}
		for _, src := range srcs {
			src.FromConfig = true
			if err := upsertSource(ctx, tx, src, s.now()); err != nil {
				return fmt.Errorf("source %q: %w", src.Name, err)
			}
			keep[src.Name] = true
		}
		rows, err := tx.QueryContext(ctx, `SELECT name FROM sources WHERE from_config = 1 ORDER BY name`)
		if err != nil {
			return err
		}
		var names []string
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				rows.Close()
				return err
			}
			names = append(names, n)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, n := range names {
			if keep[n] {
				continue
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM sources WHERE name = ?`, n); err != nil {
				return err
			}
			removed = append(removed, n)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sync config sources: %w", err)
	}
	return removed, nil
}

// RemoveSource deletes a source and its state (its articles and fetch log
// stay). It returns ErrNotFound when there is no such source.
func (s *Store) RemoveSource(ctx context.Context, name string) error {
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		return execOne(ctx, tx, `DELETE FROM sources WHERE name = ?`, name)
	})
	if err != nil {
		return fmt.Errorf("remove source %q: %w", name, err)
	}
	return nil
}

const sourceColumns = `name, url, kind, config, from_config, enabled, etag, last_modified,
	last_success, last_attempt, backoff_until, next_due, last_error, error_count, last_status, last_outcome`

func scanSource(sc interface{ Scan(...any) error }) (SourceWithState, error) {
	var sw SourceWithState
	var cfg string
	var success, attempt, backoff, due sql.NullString
	err := sc.Scan(&sw.Name, &sw.URL, &sw.Kind, &cfg, &sw.FromConfig, &sw.Enabled, &sw.State.ETag,
		&sw.State.LastModified, &success, &attempt, &backoff, &due, &sw.State.LastError,
		&sw.State.ErrorCount, &sw.State.LastStatus, &sw.State.LastOutcome)
	if err != nil {
		return sw, err
	}
	sw.Config = json.RawMessage(cfg)
	sw.State.LastSuccess, sw.State.LastAttempt = mustTime(success), mustTime(attempt)
	sw.State.BackoffUntil, sw.State.NextDue = mustTime(backoff), mustTime(due)
	return sw, nil
}

// ListSources returns all sources with their state, by name.
func (s *Store) ListSources(ctx context.Context) ([]SourceWithState, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+sourceColumns+` FROM sources ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list sources: %w", err)
	}
	defer rows.Close()
	var out []SourceWithState
	for rows.Next() {
		sw, err := scanSource(rows)
		if err != nil {
			return nil, fmt.Errorf("list sources: %w", err)
		}
		out = append(out, sw)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list sources: %w", err)
	}
	return out, nil
}

// SourceState returns one source's polling state, or ErrNotFound.
func (s *Store) SourceState(ctx context.Context, name string) (SourceState, error) {
	sw, err := scanSource(s.r.QueryRowContext(ctx, `SELECT `+sourceColumns+` FROM sources WHERE name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return SourceState{}, fmt.Errorf("source %q state: %w", name, err)
	}
	return sw.State, nil
}

// SetNextDue records when the scheduler plans to poll a source next.
func (s *Store) SetNextDue(ctx context.Context, name string, due time.Time) error {
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		return execOne(ctx, tx, `UPDATE sources SET next_due = ? WHERE name = ?`, dbTime(due), name)
	})
	if err != nil {
		return fmt.Errorf("source %q: set next due: %w", name, err)
	}
	return nil
}

// RecordPoll updates a source's state from one poll and appends the poll to
// the fetch log, in one transaction. ok and not_modified count as successes
// (error count reset); failed increments the error count and keeps the old
// validators; partial (the source answered, some articles could not be
// stored) keeps the old validators, so the next poll reads the feed again,
// and leaves the error count and last success alone; skipped is only
// logged. ETag and LastModified are replaced after ok (a server may stop
// sending them) and kept after not_modified unless new ones are given. It
// returns ErrNotFound for an unknown source.
func (s *Store) RecordPoll(ctx context.Context, p PollRecord) error {
	var update string
	args := []any{}
	started := dbTime(p.Started)
	switch p.Outcome {
	case OutcomeOK:
		update = `etag = ?, last_modified = ?, last_success = ?, last_attempt = ?, last_error = '', error_count = 0, last_status = ?, last_outcome = 'ok'`
		args = append(args, p.ETag, p.LastModified, started, started, p.Status)
	case OutcomeNotModified:
		update = `etag = CASE WHEN ? <> '' THEN ? ELSE etag END,
			last_modified = CASE WHEN ? <> '' THEN ? ELSE last_modified END,
			last_success = ?, last_attempt = ?, last_error = '', error_count = 0, last_status = ?, last_outcome = 'not_modified'`
		args = append(args, p.ETag, p.ETag, p.LastModified, p.LastModified, started, started, p.Status)
	case OutcomePartial:
		update = `last_attempt = ?, last_error = ?, last_status = ?, last_outcome = 'partial'`
		args = append(args, started, p.Err, p.Status)
	case OutcomeFailed:
		update = `last_attempt = ?, last_error = ?, error_count = error_count + 1, last_status = ?, last_outcome = 'failed'`
		args = append(args, started, p.Err, p.Status)
	case OutcomeSkipped:
		update = `name = name`
	default:
		return fmt.Errorf("record poll of %q: unknown outcome %q: want ok, not_modified, partial, failed or skipped", p.Source, p.Outcome)
	}
	update += `, backoff_until = ?`
	args = append(args, dbTime(p.BackoffUntil))
	if !p.NextDue.IsZero() {
		update += `, next_due = ?`
		args = append(args, dbTime(p.NextDue))
	}
	args = append(args, p.Source)
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		if err := execOne(ctx, tx, `UPDATE sources SET `+update+` WHERE name = ?`, args...); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `
			INSERT INTO fetch_log (source, started, duration_ms, status, outcome, error, new_articles, new_evidence, bytes)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			p.Source, started, p.Duration.Milliseconds(), p.Status, p.Outcome, p.Err,
			p.NewArticles, p.NewEvidence, p.Bytes)
		return err
	})
	if err != nil {
		return fmt.Errorf("record poll of %q: %w", p.Source, err)
	}
	return nil
}

// FetchLog returns the latest polls, newest first; source "" means all.
func (s *Store) FetchLog(ctx context.Context, source string, limit int) ([]PollRecord, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := s.r.QueryContext(ctx, `
		SELECT source, started, duration_ms, status, outcome, error, new_articles, new_evidence, bytes
		FROM fetch_log WHERE ? = '' OR source = ? ORDER BY started DESC, id DESC LIMIT ?`, source, source, limit)
	if err != nil {
		return nil, fmt.Errorf("fetch log: %w", err)
	}
	defer rows.Close()
	var out []PollRecord
	for rows.Next() {
		var p PollRecord
		var started sql.NullString
		var ms int64
		if err := rows.Scan(&p.Source, &started, &ms, &p.Status, &p.Outcome, &p.Err, &p.NewArticles, &p.NewEvidence, &p.Bytes); err != nil {
			return nil, fmt.Errorf("fetch log: %w", err)
		}
		p.Started, p.Duration = mustTime(started), time.Duration(ms)*time.Millisecond
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("fetch log: %w", err)
	}
	return out, nil
}
