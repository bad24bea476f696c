package storage

import (
	"context"
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/claimwatch/claimwatch/claims"
)

func TestMaintenance(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	syncTest(t, s, "c1")
	for i := 0; i < 4; i++ {
		mustSave(t, s, article(i, t0.Add(time.Duration(i)*24*time.Hour)), finding("c1", claims.Supports))
	}
	problems, err := s.Check(ctx)
	if err != nil || len(problems) != 0 {
		t.Fatalf("Check on a healthy database = %v, %v", problems, err)
	}
	// Damage the full-text index behind the triggers' back.
	if _, err := s.w.ExecContext(ctx, `INSERT INTO articles_fts (articles_fts, rowid, title, text) VALUES ('delete', 1, ?, ?)`,
		article(0, t0).Title, article(0, t0).Text); err != nil {
		t.Fatal(err)
	}
	problems, err = s.Check(ctx)
	if err != nil || len(problems) != 1 || !strings.Contains(problems[0], "full-text") {
		t.Fatalf("Check with a damaged index = %v, %v", problems, err)
	}
	if _, err := s.w.ExecContext(ctx, `INSERT INTO articles_fts (articles_fts) VALUES ('rebuild')`); err != nil {
		t.Fatal(err)
	}

	// Retention: texts of articles first seen before day 2 go; evidence stays.
	n, err := s.DropOldText(ctx, t0.Add(48*time.Hour))
	if err != nil || n != 2 {
		t.Fatalf("DropOldText = %d, %v; want 2", n, err)
	}
	if n, _ := s.DropOldText(ctx, t0.Add(48*time.Hour)); n != 0 {
		t.Fatalf("second DropOldText cleared %d", n)
	}
	a, _ := s.Article(ctx, 1)
	if a.Text != "" || a.Title == "" || a.URL == "" {
		t.Fatalf("dropped article = %+v", a)
	}
	if hits, _ := s.Search(ctx, "Body", SearchOptions{}); len(hits) != 2 {
		t.Fatalf("text search after retention: %d hits, want 2", len(hits))
	}
	if hits, _ := s.Search(ctx, "Article", SearchOptions{}); len(hits) != 4 {
		t.Fatalf("title search after retention: %d hits, want 4", len(hits))
	}
	if ev, _ := s.ListEvidence(ctx, EvidenceFilter{}); len(ev) != 4 || ev[3].Snippet == "" {
		t.Fatalf("evidence after retention: %d rows", len(ev))
	}
	if problems, err := s.Check(ctx); err != nil || len(problems) != 0 {
		t.Fatalf("Check after retention = %v, %v", problems, err)
	}

	// Backup: a consistent copy that opens and holds the data.
	dest := filepath.Join(t.TempDir(), "backup.db")
	if err := s.Backup(ctx, dest); err != nil {
		t.Fatal(err)
	}
	// The reader pool is read-only again afterwards.
	for i := 0; i < 10; i++ {
		if _, err := s.r.ExecContext(ctx, `DELETE FROM evidence`); err == nil {
			t.Fatal("reader connection writable after Backup")
		}
	}
	if err := s.Backup(ctx, dest); !errors.Is(err, fs.ErrExist) || !strings.Contains(err.Error(), dest) {
		t.Fatalf("second backup to the same file: %v", err)
	}
	b, err := OpenReadOnly(ctx, dest)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if ev, _ := b.ListEvidence(ctx, EvidenceFilter{}); len(ev) != 4 {
		t.Fatalf("backup holds %d evidence rows, want 4", len(ev))
	}
	// Read-only, the check is complete too (the full-text index's coverage
	// of the articles is read from its document table).
	problems, err = b.Check(ctx)
	if err != nil || len(problems) != 0 {
		t.Fatalf("Check read-only = %v, %v", problems, err)
	}
	if err := b.Backup(ctx, dest+"2"); err != nil {
		t.Fatalf("backup of a read-only store: %v", err)
	}
	size, err := s.Size(ctx)
	if err != nil || size < 4096 {
		t.Fatalf("Size = %d, %v", size, err)
	}
}
