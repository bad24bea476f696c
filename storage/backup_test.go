package storage

import (
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/claimwatch/claimwatch/claims"
)

// TestInterruptedBackupLeavesNoFileUnderTheFinalName: a backup is copied
// to a temporary name in the target directory and renamed only once it is
// verified; one cut short (here: its copy truncated before verification)
// fails, and nothing is left under the final name or the temporary one.
func TestInterruptedBackupLeavesNoFileUnderTheFinalName(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	syncTest(t, s, "c1")
	for i := range 20 {
		mustSave(t, s, article(i, t0), finding("c1", claims.Supports))
	}
	dir := t.TempDir()
	dest := filepath.Join(dir, "copy.db")
	var during []string
	afterBackupCopy = func(tmp string) error {
		if _, err := os.Stat(dest); !errors.Is(err, fs.ErrNotExist) {
			during = append(during, "final name exists while copying")
		}
		if filepath.Dir(tmp) != dir {
			during = append(during, "temporary copy "+tmp+" not in the target directory")
		}
		return os.Truncate(tmp, 4096) // the copy is cut short
	}
	t.Cleanup(func() { afterBackupCopy = nil })
	err := s.Backup(ctx, dest)
	if err == nil {
		t.Fatal("a backup whose copy was cut short succeeded")
	}
	if len(during) > 0 {
		t.Error(strings.Join(during, "; "))
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("after a failed backup the directory holds %v, want nothing", entries)
	}

	afterBackupCopy = nil
	if err := s.Backup(ctx, dest); err != nil {
		t.Fatal(err)
	}
	b, err := OpenReadOnly(ctx, dest)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	var mode string
	if err := b.r.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "delete" {
		t.Errorf("backup journal mode %q (%v), want delete: a single complete file", mode, err)
	}
	if rows, err := b.ListEvidence(ctx, EvidenceFilter{}); err != nil || len(rows) != 20 {
		t.Errorf("backup holds %d evidence rows (%v), want 20", len(rows), err)
	}
}

// TestOpenReadOnlyNeverCreatesOrMigrates: a missing or empty file is an
// error and stays as it was; an older schema is not migrated.
func TestOpenReadOnlyNeverCreatesOrMigrates(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.db")
	if _, err := OpenReadOnly(ctx, missing); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("missing file: err = %v, want an error naming it", err)
	}
	if _, err := os.Stat(missing); !errors.Is(err, fs.ErrNotExist) {
		t.Error("OpenReadOnly created the missing file")
	}
	empty := filepath.Join(dir, "empty.db")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenReadOnly(ctx, empty); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Errorf("0-byte file: err = %v, want it called empty", err)
	}
	if fi, _ := os.Stat(empty); fi.Size() != 0 {
		t.Errorf("OpenReadOnly wrote %d bytes into an empty file", fi.Size())
	}
	old := filepath.Join(dir, "old.db")
	s, err := Open(ctx, old)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	db, err := sql.Open("sqlite", "file:"+old)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`PRAGMA user_version = 2`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := OpenReadOnly(ctx, old); err == nil {
		t.Error("OpenReadOnly accepted an old schema")
	}
	db, _ = sql.Open("sqlite", "file:"+old+"?mode=ro")
	defer db.Close()
	var v int
	if err := db.QueryRow(`PRAGMA user_version`).Scan(&v); err != nil || v != 2 {
		t.Errorf("schema version after OpenReadOnly: %d (%v), want 2 (not migrated)", v, err)
	}
}

// TestReadOnlyCheckFindsAnIncompleteIndex: checked read-only, an article
// missing from the full-text index is still reported.
func TestReadOnlyCheckFindsAnIncompleteIndex(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	for i := range 3 {
		mustSave(t, s, article(i, t0))
	}
	a := article(0, t0)
	if _, err := s.w.ExecContext(ctx, `INSERT INTO articles_fts (articles_fts, rowid, title, text) VALUES ('delete', 1, ?, ?)`, a.Title, a.Text); err != nil {
		t.Fatal(err)
	}
	ro, err := OpenReadOnly(ctx, s.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	problems, err := ro.Check(ctx)
	if err != nil || len(problems) != 1 || !strings.Contains(problems[0], "1 article(s) missing") {
		t.Fatalf("read-only check of an index missing an article = %v, %v", problems, err)
	}
}
