package storage

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// Check verifies the database: SQLite's integrity_check, foreign_key_check
// and the full-text index's integrity-check against the articles. It
// returns the problems found, each a sentence; none means healthy. The
// full-text check needs a writable store and is skipped (with a problem
// saying so) on a read-only one.
func (s *Store) Check(ctx context.Context) ([]string, error) {
	var problems []string
	rows, err := s.r.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return nil, fmt.Errorf("check %s: integrity_check: %w", s.path, err)
	}
	for rows.Next() {
		var msg string
		if err := rows.Scan(&msg); err != nil {
			rows.Close()
			return nil, fmt.Errorf("check %s: integrity_check: %w", s.path, err)
		}
		if msg != "ok" {
			problems = append(problems, "integrity: "+msg)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("check %s: integrity_check: %w", s.path, err)
	}

	rows, err = s.r.QueryContext(ctx, `PRAGMA foreign_key_check`)
	if err != nil {
		return nil, fmt.Errorf("check %s: foreign_key_check: %w", s.path, err)
	}
	for rows.Next() {
		var table, parent string
		var rowid sql.NullInt64
		var fkid int
		if err := rows.Scan(&table, &rowid, &parent, &fkid); err != nil {
			rows.Close()
			return nil, fmt.Errorf("check %s: foreign_key_check: %w", s.path, err)
		}
		problems = append(problems, fmt.Sprintf("foreign key: %s row %d points to a missing %s row", table, rowid.Int64, parent))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("check %s: foreign_key_check: %w", s.path, err)
	}

	if s.w == nil {
		return append(problems, "full-text index: not checked (database opened read-only)"), nil
	}
	// Rank 1 also compares the index with the articles table (external content).
	if _, err := s.w.ExecContext(ctx, `INSERT INTO articles_fts (articles_fts, rank) VALUES ('integrity-check', 1)`); err != nil {
		problems = append(problems, "full-text index: "+err.Error()+" (rebuild it with: INSERT INTO articles_fts(articles_fts) VALUES('rebuild'))")
	}
	return problems, nil
}

// Backup writes a consistent copy of the database to dest (VACUUM INTO),
// while others keep reading and writing. It refuses to overwrite dest.
func (s *Store) Backup(ctx context.Context, dest string) error {
	abs, err := filepath.Abs(dest)
	if err != nil {
		return fmt.Errorf("backup to %s: %w", dest, err)
	}
	if _, err := os.Stat(abs); err == nil {
		return fmt.Errorf("backup to %s: %w: the file exists and is not overwritten", dest, fs.ErrExist)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("backup to %s: %w", dest, err)
	}
	// VACUUM INTO only reads this database, but SQLite refuses it under
	// query_only, which guards the reader pool; lift it on one connection.
	conn, err := s.r.Conn(ctx)
	if err != nil {
		return fmt.Errorf("backup to %s: %w", dest, err)
	}
	defer conn.Close()
	if s.w != nil {
		if _, err := conn.ExecContext(ctx, `PRAGMA query_only = 0`); err != nil {
			return fmt.Errorf("backup to %s: %w", dest, err)
		}
		defer func() {
			if _, err := conn.ExecContext(context.Background(), `PRAGMA query_only = 1`); err != nil {
				// Never hand a writable connection back to the reader pool.
				conn.Raw(func(any) error { return driver.ErrBadConn })
			}
		}()
	}
	if _, err := conn.ExecContext(ctx, `VACUUM INTO ?`, abs); err != nil {
		return fmt.Errorf("backup to %s: %w", dest, err)
	}
	return nil
}

// dropBatch bounds how many articles one retention transaction clears.
const dropBatch = 1000

// DropOldText is retention: it clears the text (and so the full-text entry
// of the text; titles stay searchable) of articles first seen before
// olderThan, keeping the articles' URLs, titles and dates and all their
// evidence and snippets. It returns how many articles it cleared. It works
// in batches so ingestion is not held up for long.
func (s *Store) DropOldText(ctx context.Context, olderThan time.Time) (int, error) {
	total := 0
	for {
		var n int64
		err := s.writeTx(ctx, func(tx *sql.Tx) error {
			res, err := tx.ExecContext(ctx, `
				UPDATE articles SET text = '', text_dropped_at = ?
				WHERE id IN (SELECT id FROM articles WHERE first_seen_at < ? AND text_dropped_at IS NULL LIMIT ?)`,
				dbTime(s.now()), dbTime(olderThan), dropBatch)
			if err != nil {
				return err
			}
			n, err = res.RowsAffected()
			return err
		})
		if err != nil {
			return total, fmt.Errorf("drop text older than %s: %w", olderThan.Format(time.DateOnly), err)
		}
		total += int(n)
		if n < dropBatch {
			return total, nil
		}
	}
}

// Size returns the bytes the database occupies on disk: the main file and
// its write-ahead log.
func (s *Store) Size(ctx context.Context) (int64, error) {
	var total int64
	for _, p := range []string{s.path, s.path + "-wal"} {
		fi, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) && p != s.path {
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("size of %s: %w", s.path, err)
		}
		total += fi.Size()
	}
	return total, ctx.Err()
}
