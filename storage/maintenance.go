package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"modernc.org/sqlite"
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
		// The full-text integrity-check command is an INSERT, which a
		// read-only connection refuses. integrity_check above has checked
		// the index's structure; that it covers exactly the articles is
		// checked on its per-document table.
		more, err := s.checkFTSCoverage(ctx)
		if err != nil {
			return nil, fmt.Errorf("check %s: full-text index: %w", s.path, err)
		}
		return append(problems, more...), nil
	}
	// Rank 1 also compares the index with the articles table (external content).
	if _, err := s.w.ExecContext(ctx, `INSERT INTO articles_fts (articles_fts, rank) VALUES ('integrity-check', 1)`); err != nil {
		problems = append(problems, "full-text index: "+err.Error()+" (rebuild it with: INSERT INTO articles_fts(articles_fts) VALUES('rebuild'))")
	}
	return problems, nil
}

// checkFTSCoverage compares the full-text index's document list with the
// articles, reading only.
func (s *Store) checkFTSCoverage(ctx context.Context) ([]string, error) {
	var missing, extra int
	err := s.r.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM articles a WHERE NOT EXISTS (SELECT 1 FROM articles_fts_docsize d WHERE d.id = a.id)),
		(SELECT count(*) FROM articles_fts_docsize d WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.id = d.id))`).Scan(&missing, &extra)
	if err != nil {
		return nil, err
	}
	var problems []string
	if missing > 0 || extra > 0 {
		problems = append(problems, fmt.Sprintf("full-text index: %d article(s) missing from it, %d entry(ies) for no article (rebuild it with: INSERT INTO articles_fts(articles_fts) VALUES('rebuild'))", missing, extra))
	}
	return problems, nil
}

// afterBackupCopy, when set (tests), runs between copying a backup to its
// temporary file and verifying it.
var afterBackupCopy func(tmp string) error

// Backup writes a consistent copy of the database to dest while others keep
// reading and writing, and refuses to overwrite dest. The copy is made under
// a temporary name in dest's directory, from one read snapshot (SQLite's
// online backup, inside a read transaction that also counts the rows);
// switched to rollback-journal mode (journal_mode=DELETE) and compacted, so
// that the one file is the whole database and opens on read-only media;
// verified (integrity_check, and every table's row count equal to the
// snapshot's); synced; and only then renamed to dest. A backup that fails
// or is interrupted leaves nothing under dest.
func (s *Store) Backup(ctx context.Context, dest string) (err error) {
	abs, err := filepath.Abs(dest)
	if err != nil {
		return fmt.Errorf("backup to %s: %w", dest, err)
	}
	if _, err := os.Stat(abs); err == nil {
		return fmt.Errorf("backup to %s: %w: the file exists and is not overwritten", dest, fs.ErrExist)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("backup to %s: %w", dest, err)
	}
	f, err := os.CreateTemp(filepath.Dir(abs), "."+filepath.Base(abs)+".partial-*")
	if err != nil {
		return fmt.Errorf("backup to %s: %w", dest, err)
	}
	tmp := f.Name()
	f.Close()
	defer func() {
		if err != nil {
			for _, p := range []string{tmp, tmp + "-journal", tmp + "-wal", tmp + "-shm"} {
				os.Remove(p)
			}
		}
	}()
	counts, err := s.copyTo(ctx, tmp)
	if err != nil {
		return fmt.Errorf("backup to %s: copy: %w", dest, err)
	}
	if afterBackupCopy != nil {
		if err := afterBackupCopy(tmp); err != nil {
			return fmt.Errorf("backup to %s: %w", dest, err)
		}
	}
	if err := finishCopy(ctx, tmp, counts); err != nil {
		return fmt.Errorf("backup to %s: the copy failed verification, nothing was written under its name: %w", dest, err)
	}
	if err := syncFile(tmp); err != nil {
		return fmt.Errorf("backup to %s: %w", dest, err)
	}
	if err := publish(tmp, abs); err != nil {
		return fmt.Errorf("backup to %s: %w", dest, err)
	}
	if err := syncFile(filepath.Dir(abs)); err != nil {
		return fmt.Errorf("backup to %s: sync its directory: %w", dest, err)
	}
	return nil
}

// copyTo copies the database page by page into tmp with SQLite's online
// backup, inside a read transaction that first counts each table's rows:
// the backup uses the connection's open transaction, so the counts and the
// copy are the same snapshot however much others write meanwhile.
func (s *Store) copyTo(ctx context.Context, tmp string) (map[string]int64, error) {
	conn, err := s.r.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `BEGIN`); err != nil {
		return nil, err
	}
	defer conn.ExecContext(context.Background(), `ROLLBACK`)
	counts, err := countRows(ctx, conn)
	if err != nil {
		return nil, err
	}
	err = conn.Raw(func(dc any) error {
		b, ok := dc.(interface {
			NewBackup(string) (*sqlite.Backup, error)
		})
		if !ok {
			return fmt.Errorf("the SQLite driver offers no online backup")
		}
		bk, err := b.NewBackup(tmp)
		if err != nil {
			return err
		}
		for more := true; more; {
			if err := ctx.Err(); err != nil {
				bk.Finish()
				return err
			}
			if more, err = bk.Step(1024); err != nil {
				bk.Finish()
				return err
			}
		}
		return bk.Finish()
	})
	return counts, err
}

// queryer is what countRows needs of a connection or a pool.
type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// countRows counts the rows of every table of the schema (the full-text
// index's shadow tables aside, which integrity_check covers), so a table a
// later migration adds is verified without being listed here.
func countRows(ctx context.Context, q queryer) (map[string]int64, error) {
	var names sql.NullString
	if err := q.QueryRowContext(ctx, `SELECT group_concat(name, ',') FROM sqlite_schema
		WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'articles_fts%'`).Scan(&names); err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	counts := map[string]int64{}
	for _, table := range strings.Split(names.String, ",") {
		if table == "" {
			continue
		}
		var n int64
		if err := q.QueryRowContext(ctx, `SELECT count(*) FROM "`+table+`"`).Scan(&n); err != nil {
			return nil, fmt.Errorf("count %s: %w", table, err)
		}
		counts[table] = n
	}
	return counts, nil
}

// finishCopy puts the copy in rollback-journal mode, compacts it, and
// verifies it against the source snapshot's row counts.
func finishCopy(ctx context.Context, tmp string, want map[string]int64) error {
	db, err := sql.Open("sqlite", dsn(tmp, []string{"mode=rw"}))
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	var mode string
	if err := db.QueryRowContext(ctx, `PRAGMA journal_mode = DELETE`).Scan(&mode); err != nil {
		return fmt.Errorf("journal mode: %w", err)
	}
	if mode != "delete" {
		return fmt.Errorf("journal mode is %s, want delete", mode)
	}
	if _, err := db.ExecContext(ctx, `VACUUM`); err != nil {
		return fmt.Errorf("compact: %w", err)
	}
	var msg string
	if err := db.QueryRowContext(ctx, `PRAGMA integrity_check(1)`).Scan(&msg); err != nil {
		return fmt.Errorf("integrity_check: %w", err)
	}
	if msg != "ok" {
		return fmt.Errorf("integrity_check: %s", msg)
	}
	got, err := countRows(ctx, db)
	if err != nil {
		return err
	}
	for table, n := range want {
		if got[table] != n {
			return fmt.Errorf("%s: %d rows in the copy, %d in the database", table, got[table], n)
		}
	}
	return nil
}

// publish gives the finished copy its name. A hard link fails instead of
// replacing a file made under that name meanwhile; where the file system
// has no hard links, a rename after checking the name is still free.
func publish(tmp, dest string) error {
	err := os.Link(tmp, dest)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%w: the file appeared during the backup and is not overwritten", err)
	}
	if err != nil {
		if _, serr := os.Lstat(dest); !errors.Is(serr, fs.ErrNotExist) {
			return err
		}
		return os.Rename(tmp, dest)
	}
	os.Remove(tmp) // the copy is in place under dest; a leftover name is harmless
	return nil
}

// syncFile flushes a file (or directory) to stable storage.
func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
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
