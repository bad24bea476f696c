package storage

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

// Migrations are numbered SQL files, applied in order, each in its own
// transaction together with the PRAGMA user_version that records it. They are
// append-only: a shipped file is never edited.
//
//go:embed migrations/*.sql
var migrationFS embed.FS

type migration struct {
	version int
	name    string
	sql     string
}

var migrations = loadMigrations()

// loadMigrations reads the embedded files and checks they are numbered
// 1, 2, 3... without gaps; a mistake there is a programming error.
func loadMigrations() []migration {
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		panic(err)
	}
	sort.Strings(names)
	var ms []migration
	for i, name := range names {
		base := path.Base(name)
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v != i+1 {
			panic(fmt.Sprintf("storage: migration %s: want a name starting %04d_", name, i+1))
		}
		body, err := migrationFS.ReadFile(name)
		if err != nil {
			panic(err)
		}
		ms = append(ms, migration{version: v, name: base, sql: string(body)})
	}
	return ms
}

// SchemaVersion is the schema version this binary writes.
func SchemaVersion() int { return len(migrations) }

func tooNew(path string, have, want int) error {
	return fmt.Errorf("%w: %s has schema version %d but this claimwatch knows only up to version %d; use a newer claimwatch",
		ErrSchemaTooNew, path, have, want)
}

// migrate applies the migrations the database has not seen yet.
func (s *Store) migrate(ctx context.Context) error {
	var v int
	if err := s.w.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return fmt.Errorf("open database %s: read schema version: %w", s.path, err)
	}
	if v > len(migrations) {
		return tooNew(s.path, v, len(migrations))
	}
	for _, m := range migrations[v:] {
		err := s.writeTx(ctx, func(tx *sql.Tx) error {
			// Re-read inside the write lock: another process may have
			// migrated in the meantime.
			var cur int
			if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&cur); err != nil {
				return err
			}
			if cur >= m.version {
				return nil
			}
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", m.version))
			return err
		})
		if err != nil {
			return fmt.Errorf("migrate database %s to version %d (%s): %w", s.path, m.version, m.name, err)
		}
	}
	return nil
}
