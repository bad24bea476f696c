package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// nobody is the unprivileged user the read-only test runs commands as when
// the tests run as root (root ignores file permissions).
const nobody = 65534

// TestReadCommandsOnReadOnlyCopy runs every read command, as an
// unprivileged user (nobody when the tests run as root, else the user
// itself), over two read-only copies of a database — a `db backup` and a
// plain copy of a WAL-mode database file, as found on a read-only mount —
// each in a directory and a file without write permission. Every command
// must work and nothing may be written beside the copy (no -wal, -shm or
// journal).
func TestReadCommandsOnReadOnlyCopy(t *testing.T) {
	db, _ := onceDB(t)
	base, bin := unprivilegedTree(t)
	backupDir, walDir, out := filepath.Join(base, "backup"), filepath.Join(base, "wal"), filepath.Join(base, "out")
	for _, d := range []string{backupDir, walDir, out} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	os.Chmod(out, 0o777)
	if code, o, e := cli(t, "", "--db", db, "db", "backup", filepath.Join(backupDir, "cw.db")); code != 0 {
		t.Fatalf("db backup: exit %d %s %s", code, o, e)
	}
	walCopy := filepath.Join(walDir, "cw.db")
	copyCheckpointed(t, db, walCopy)
	if mode := journalMode(t, walCopy); mode != "wal" {
		t.Fatalf("the plain copy is in %s mode; the test wants a WAL-mode file", mode)
	}
	for _, dir := range []string{backupDir, walDir} {
		os.Chmod(filepath.Join(dir, "cw.db"), 0o444)
		os.Chmod(dir, 0o555)
	}

	commands := [][]string{
		{"status"},
		{"status", "--json"},
		{"evidence", "russia-arms-to-iran"},
		{"search", "Iran"},
		{"timeline", "russia-arms-to-iran"},
		{"verdict", "russia-arms-to-iran"},
		{"export", "evidence", "--format", "csv"},
		{"export", "status", "--format", "json"},
		{"sources", "list"},
		{"db", "check"},
	}
	for _, dir := range []string{backupDir, walDir} {
		copyPath := filepath.Join(dir, "cw.db")
		for _, args := range commands {
			stdout, stderr, err := runAs(t, bin, append([]string{"--db", copyPath}, args...)...)
			if err != nil {
				t.Errorf("%s over %s: %v\n%s%s", strings.Join(args, " "), filepath.Base(dir), err, stdout, stderr)
			}
		}
		dest := filepath.Join(out, filepath.Base(dir)+".db")
		if stdout, stderr, err := runAs(t, bin, "--db", copyPath, "db", "backup", dest); err != nil {
			t.Errorf("db backup of the read-only %s copy: %v\n%s%s", filepath.Base(dir), err, stdout, stderr)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 1 {
			t.Errorf("read commands left files beside the read-only %s copy: %v", filepath.Base(dir), entries)
		}
	}
}

// unprivilegedTree makes a directory tree the unprivileged user may enter
// (t.TempDir is private to us), removed when the test ends, holding a copy
// of the built binary (which lives in a private directory too).
func unprivilegedTree(t *testing.T) (base, bin string) {
	t.Helper()
	base, err := os.MkdirTemp("", "claimwatch-ro-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		filepath.Walk(base, func(p string, _ os.FileInfo, _ error) error { os.Chmod(p, 0o755); return nil })
		os.RemoveAll(base)
	})
	os.Chmod(base, 0o755)
	data, err := os.ReadFile(claimwatchBinary(t))
	if err != nil {
		t.Fatal(err)
	}
	bin = filepath.Join(base, "claimwatch")
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	return base, bin
}

// runAs runs the binary as the unprivileged user.
func runAs(t *testing.T, bin string, args ...string) (string, string, error) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.Env = append(os.Environ(), "HOME=/nonexistent", "XDG_DATA_HOME=/nonexistent")
	if os.Geteuid() == 0 {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
	}
	err := cmd.Run()
	return stdout.String(), stderr.String(), err
}

// copyCheckpointed copies a WAL-mode database file after folding its WAL
// in, so the copy is complete on its own but still marked WAL.
func copyCheckpointed(t *testing.T, src, dst string) {
	t.Helper()
	conn, err := sql.Open("sqlite", "file:"+src)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(context.Background(), `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	o, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	if _, err := io.Copy(o, in); err != nil {
		t.Fatal(err)
	}
}

// journalMode reads the journal mode recorded in a database file's header
// (bytes 18 and 19 are 2 for WAL) without opening it through SQLite.
func journalMode(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil || len(data) < 20 {
		t.Fatalf("read %s: %v", path, err)
	}
	if data[18] == 2 && data[19] == 2 {
		return "wal"
	}
	return "rollback"
}

// TestWriteCommandsOnReadOnlyDatabaseSayWhy: a command that writes (review,
// verdict --set, db prune) over a database this user cannot write is
// refused with exit 1 and a sentence naming the database and why, not
// SQLite's bare "attempt to write a readonly database", and nothing is
// written beside it.
func TestWriteCommandsOnReadOnlyDatabaseSayWhy(t *testing.T) {
	db, _ := onceDB(t)
	base, bin := unprivilegedTree(t)
	dir := filepath.Join(base, "ro")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	copyPath := filepath.Join(dir, "cw.db")
	copyCheckpointed(t, db, copyPath)
	os.Chmod(copyPath, 0o444)
	os.Chmod(dir, 0o555)
	for _, args := range [][]string{
		{"review", "1", "--stance", "irrelevant"},
		{"verdict", "russia-arms-to-iran", "--set", "developing", "--note", "n"},
		{"db", "prune", "--older-than", "90d"},
	} {
		stdout, stderr, err := runAs(t, bin, append([]string{"--db", copyPath}, args...)...)
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != exitFailure {
			t.Errorf("%s: %v, want exit 1\n%s%s", strings.Join(args, " "), err, stdout, stderr)
		}
		if !strings.Contains(stderr, "database "+copyPath+": this user cannot write it") {
			t.Errorf("%s: message %q does not say that the database is not writable", strings.Join(args, " "), stderr)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("refused writes left files beside the read-only copy: %v", entries)
	}
}
