package main

import (
	"context"
	"crypto/sha256"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/claimwatch/claimwatch/claims"
	"github.com/claimwatch/claimwatch/storage"
)

// badInputDB is a database with one claim and one piece of evidence, closed
// so that its bytes can be compared after each bad command.
func badInputDB(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "claimwatch.db")
	st, err := storage.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	made := time.Date(2020, 1, 10, 0, 0, 0, 0, time.UTC)
	if _, err := st.SyncClaims(ctx, []claims.Claim{{ID: "arms", Statement: "Russia will sell Su-35 fighter jets to Iran.", Made: made, Hash: "h1"}}); err != nil {
		t.Fatal(err)
	}
	a := storage.Article{URL: "https://news.example/1", Title: "Su-35 jets for Iran", Text: "Russia delivered Su-35 jets to Iran.",
		PublishedAt: made, PublishedFlag: storage.PublishedFeed, FetchedAt: made, FirstSeenAt: made, ContentHash: "c1"}
	if _, err := st.SaveArticle(ctx, a, []claims.Finding{{ClaimID: "arms", Stance: claims.Supports, Confidence: 0.9, Snippet: "Su-35 jets", Sentences: 1}}); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	return db
}

// dbDigest hashes the database file and its write-ahead log, if any.
func dbDigest(t *testing.T, db string) [32]byte {
	t.Helper()
	h := sha256.New()
	for _, p := range []string{db, db + "-wal"} {
		data, err := os.ReadFile(p)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		h.Write([]byte(p))
		h.Write(data)
	}
	var sum [32]byte
	copy(sum[:], h.Sum(nil))
	return sum
}

// expectBadInput runs one command line that must be refused: exit code 2,
// a message matching want, and the database byte-identical.
func expectBadInput(t *testing.T, db string, want *regexp.Regexp, args ...string) {
	t.Helper()
	before := dbDigest(t, db)
	code, _, errOut := cli(t, "", args...)
	if code != exitUsage {
		t.Errorf("claimwatch %s: exit %d, want %d (stderr %q)", strings.Join(args, " "), code, exitUsage, errOut)
	}
	if !want.MatchString(errOut) {
		t.Errorf("claimwatch %s: message %q does not match %s", strings.Join(args, " "), errOut, want)
	}
	if dbDigest(t, db) != before {
		t.Errorf("claimwatch %s: the database changed", strings.Join(args, " "))
	}
}

// fileLine matches "NAME:LINE" for a file, as every message about a bad file
// must name it.
func fileLine(path string) *regexp.Regexp {
	return regexp.MustCompile(regexp.QuoteMeta(path) + `:\d+`)
}

func TestBadClaimFiles(t *testing.T) {
	db := badInputDB(t)
	files, err := filepath.Glob(filepath.Join("..", "..", "claims", "testdata", "bad", "*.yaml"))
	if err != nil || len(files) < 20 {
		t.Fatalf("%d bad claim files found (%v); want at least 20", len(files), err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			// Each file alone in an overlay directory, as an analyst's would be.
			dir := t.TempDir()
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, filepath.Base(file))
			writeTestFile(t, path, string(data))
			// An empty file has no line to point at; its name must do.
			where := fileLine(path)
			if filepath.Base(file) == "empty.yaml" {
				where = regexp.MustCompile(regexp.QuoteMeta(path) + `: `)
			}
			expectBadInput(t, db, where, "--db", db, "--claims", dir, "match", "-")
			code, out, errOut := cli(t, "", "claims", "check", path)
			if code != exitUsage || !where.MatchString(out+errOut) {
				t.Errorf("claims check %s: exit %d, %q", path, code, out+errOut)
			}
		})
	}
}

func TestBadConfigFiles(t *testing.T) {
	db := badInputDB(t)
	files, err := filepath.Glob(filepath.Join("testdata", "badinput", "config", "*.yaml"))
	if err != nil || len(files) < 10 {
		t.Fatalf("%d bad config files (%v); want at least 10", len(files), err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			expectBadInput(t, db, fileLine(file), "--db", db, "--config", file, "run", "--once")
		})
	}
}

func TestBadOPMLFiles(t *testing.T) {
	db := badInputDB(t)
	files, err := filepath.Glob(filepath.Join("testdata", "badinput", "opml", "*.opml"))
	if err != nil || len(files) < 9 {
		t.Fatalf("%d bad OPML files (%v); want at least 9", len(files), err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			expectBadInput(t, db, fileLine(file), "--db", db, "sources", "import-opml", file)
		})
	}
}

func TestBadArguments(t *testing.T) {
	db := badInputDB(t)
	for _, tc := range []struct {
		want string // in the message
		args []string
	}{
		{"unknown flag", []string{"status", "--no-such-flag"}},
		{"unknown command", []string{"frobnicate"}},
		{"2020-13-45", []string{"evidence", "arms", "--since", "2020-13-45"}},
		{"yesterday", []string{"export", "evidence", "--until", "yesterday"}},
		{"no-such-claim", []string{"evidence", "no-such-claim"}},
		{"no-such-claim", []string{"timeline", "no-such-claim"}},
		{"99999", []string{"review", "99999", "--stance", "supports"}},
		{"abc", []string{"review", "abc", "--stance", "supports"}},
		{"sideways", []string{"review", "1", "--stance", "sideways"}},
		{"xml", []string{"export", "evidence", "--format", "xml"}},
		{"accepts 1 arg", []string{"evidence"}},
		{"1 arg", []string{"search"}},
		{"--log-level", []string{"--log-level", "loud", "status"}},
	} {
		t.Run(strings.Join(tc.args, "_"), func(t *testing.T) {
			expectBadInput(t, db, regexp.MustCompile(regexp.QuoteMeta(tc.want)), append([]string{"--db", db}, tc.args...)...)
		})
	}
}
