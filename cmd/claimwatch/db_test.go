package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/claimwatch/claimwatch/storage"
)

// oldArticle stores an article first seen 100 days ago, with no evidence.
func oldArticle(t *testing.T, db string) int64 {
	t.Helper()
	st, err := storage.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	then := time.Now().AddDate(0, 0, -100)
	res, err := st.SaveArticle(context.Background(), storage.Article{
		URL: "https://old.example/a", Title: "An old story", Text: "Text of an old story about the weather.",
		Source: "old", Outlet: "old.example", PublishedAt: then, FetchedAt: then, FirstSeenAt: then,
		PublishedFlag: storage.PublishedFeed, ContentHash: "old-hash",
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return res.ArticleID
}

// onceDB makes a database with one pass over a feed with evidence.
func onceDB(t *testing.T) (db, cfg string) {
	t.Helper()
	fs := newFeedServer(t)
	dir := t.TempDir()
	db = filepath.Join(dir, "cw.db")
	cfg = daemonConfig(t, filepath.Join(dir, "c.yaml"), fs, "", "news")
	if code, out, errOut := cli(t, "", "--db", db, "--config", cfg, "run", "--once"); code != 0 {
		t.Fatalf("run --once: exit %d\n%s%s", code, out, errOut)
	}
	return db, cfg
}

func TestDBCheck(t *testing.T) {
	db, _ := onceDB(t)
	code, out, errOut := cli(t, "", "--db", db, "db", "check")
	if code != 0 || !strings.Contains(out, "ok:") {
		t.Fatalf("db check: exit %d %q %q", code, out, errOut)
	}
	missing := filepath.Join(t.TempDir(), "none.db")
	code, _, errOut = cli(t, "", "--db", missing, "db", "check")
	if code != exitFailure || !strings.Contains(errOut, "none.db") {
		t.Errorf("db check of a missing database: exit %d %q", code, errOut)
	}
	if fileExists(missing) {
		t.Error("db check created the database it was asked to check")
	}
}

func TestDBBackupWhileTheDaemonRuns(t *testing.T) {
	fs := newFeedServer(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "cw.db")
	cfg := daemonConfig(t, filepath.Join(dir, "c.yaml"), fs, "", "news")
	d := startInProcess(t, "--db", db, "--config", cfg, "run")
	waitFor(t, 30*time.Second, "the first poll", func() bool { return strings.Contains(d.log.String(), "source=news outcome=ok") }, d.log.String)

	dest := filepath.Join(dir, "backups", "copy.db")
	code, out, errOut := cli(t, "", "--db", db, "db", "backup", dest)
	if code != 0 || !strings.Contains(out, "backed up") {
		t.Fatalf("db backup: exit %d %q %q", code, out, errOut)
	}
	if code := d.stop(t); code != 0 {
		t.Fatalf("daemon: exit %d\n%s", code, d.log)
	}
	checkDB(t, dest)
	ev, err := openRO(t, dest).ListEvidence(context.Background(), storage.EvidenceFilter{ClaimID: "russia-arms-to-iran"})
	if err != nil || len(ev) != 1 {
		t.Errorf("the backup holds %d evidence rows (%v), want the one stored", len(ev), err)
	}

	// Never over an existing file.
	before, _ := os.ReadFile(dest)
	code, _, errOut = cli(t, "", "--db", db, "db", "backup", dest)
	if code != exitUsage || !strings.Contains(errOut, "exists") {
		t.Errorf("backup over an existing file: exit %d %q", code, errOut)
	}
	if after, _ := os.ReadFile(dest); string(before) != string(after) {
		t.Error("the existing backup was changed")
	}
}

func TestDBPruneDropsOldTextKeepsEvidence(t *testing.T) {
	db, _ := onceDB(t)
	id := oldArticle(t, db)
	for _, bad := range []string{"0d", "-3d", "soon", "1.5d"} {
		if code, _, errOut := cli(t, "", "--db", db, "db", "prune", "--older-than", bad); code != exitUsage || !strings.Contains(errOut, "--older-than") {
			t.Errorf("--older-than %s: exit %d %q", bad, code, errOut)
		}
	}
	code, out, errOut := cli(t, "", "--db", db, "db", "prune", "--older-than", "90d")
	if code != 0 || !strings.Contains(out, "dropped the text of 1 article") {
		t.Fatalf("db prune: exit %d %q %q", code, out, errOut)
	}
	st := openRO(t, db)
	a, err := st.Article(context.Background(), id)
	if err != nil || a.Text != "" || a.Title != "An old story" || a.URL != "https://old.example/a" {
		t.Errorf("old article after prune: %+v (%v), want its text gone and title and URL kept", a, err)
	}
	ev, err := st.ListEvidence(context.Background(), storage.EvidenceFilter{ClaimID: "russia-arms-to-iran"})
	if err != nil || len(ev) != 1 || ev[0].Snippet == "" {
		t.Errorf("evidence after prune: %+v (%v)", ev, err)
	}
	checkDB(t, db)
}

func TestDaemonAppliesRetentionAtStart(t *testing.T) {
	db, _ := onceDB(t)
	id := oldArticle(t, db)
	fs := newFeedServer(t)
	cfg := daemonConfig(t, filepath.Join(t.TempDir(), "c.yaml"), fs, "retention_days: 30\n", "news")
	d := startInProcess(t, "--db", db, "--config", cfg, "run")
	waitFor(t, 30*time.Second, "retention", func() bool {
		return strings.Contains(d.log.String(), "retention: dropped old article text\" articles=1")
	}, d.log.String)
	if code := d.stop(t); code != 0 {
		t.Fatalf("exit %d\n%s", code, d.log)
	}
	if a, err := openRO(t, db).Article(context.Background(), id); err != nil || a.Text != "" {
		t.Errorf("old article keeps its text after retention: %q (%v)", a.Text, err)
	}
}

func TestParseAge(t *testing.T) {
	for in, want := range map[string]time.Duration{"90d": 90 * 24 * time.Hour, "2w": 14 * 24 * time.Hour, "36h": 36 * time.Hour} {
		if got, err := parseAge(in); err != nil || got != want {
			t.Errorf("parseAge(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
}

// TestDBCheckNeverCreatesOrMigrates: `db check` of an empty (0-byte) file,
// as an interrupted copy leaves, is an error and leaves the file empty; the
// check opens read-only.
func TestDBCheckNeverCreatesOrMigrates(t *testing.T) {
	empty := filepath.Join(t.TempDir(), "empty.db")
	writeTestFile(t, empty, "")
	code, out, errOut := cli(t, "", "--db", empty, "db", "check")
	if code != exitFailure || strings.Contains(out, "ok:") || !strings.Contains(errOut, "empty") {
		t.Errorf("db check of a 0-byte file: exit %d %q %q; want 1 and the file called empty", code, out, errOut)
	}
	if fi, err := os.Stat(empty); err != nil || fi.Size() != 0 {
		t.Errorf("db check changed the file it checked (%v)", err)
	}
	for _, args := range [][]string{{"status"}, {"evidence", "russia-arms-to-iran"}, {"search", "Iran"}, {"timeline", "russia-arms-to-iran"}, {"export", "evidence"}} {
		code, _, errOut := cli(t, "", append([]string{"--db", empty}, args...)...)
		if code != exitFailure || !strings.Contains(errOut, "empty") {
			t.Errorf("%s on a 0-byte file: exit %d %q", args[0], code, errOut)
		}
		if fi, _ := os.Stat(empty); fi.Size() != 0 {
			t.Fatalf("%s wrote into the 0-byte file", args[0])
		}
	}
	db, _ := onceDB(t)
	if code, out, errOut := cli(t, "", "--db", db, "db", "check"); code != 0 || !strings.Contains(out, "ok:") {
		t.Errorf("db check of a good database: exit %d %q %q", code, out, errOut)
	}
}
