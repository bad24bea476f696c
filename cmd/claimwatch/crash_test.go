package main

import (
	"compress/gzip"
	"context"
	"database/sql"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/claimwatch/claimwatch/internal/testcorpus"
	"github.com/claimwatch/claimwatch/storage"
)

// Environment knobs of the crash test, so a failure can be replayed and a
// long run made on demand:
//
//	CLAIMWATCH_CRASH_SEED=123 CLAIMWATCH_CRASH_KILLS=200 go test -run TestKillDuringRunOnce ./cmd/claimwatch
const (
	envCrashSeed  = "CLAIMWATCH_CRASH_SEED"
	envCrashKills = "CLAIMWATCH_CRASH_KILLS"
)

var (
	binaryOnce sync.Once
	binaryPath string
	binaryErr  error
)

// claimwatchBinary builds the command once per test process, without -race,
// so subprocess tests see the binary as it ships.
func claimwatchBinary(t *testing.T) string {
	t.Helper()
	binaryOnce.Do(func() {
		dir, err := os.MkdirTemp("", "claimwatch-bin-")
		if err != nil {
			binaryErr = err
			return
		}
		binaryPath = filepath.Join(dir, "claimwatch")
		out, err := exec.Command("go", "build", "-o", binaryPath, ".").CombinedOutput()
		if err != nil {
			binaryErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binaryErr != nil {
		t.Fatal(binaryErr)
	}
	return binaryPath
}

// crashCorpus is a directory of saved pages and feeds for a local source:
// some of the benchmark's real article pages, real feeds, and pages written
// to match the shipped claims so that there is evidence to lose.
func crashCorpus(t *testing.T, pages int) string {
	t.Helper()
	dir := t.TempDir()
	htmlDir := testcorpus.Path(t, "article-extraction-benchmark", "html")
	names, err := filepath.Glob(filepath.Join(htmlDir, "*.html.gz"))
	if err != nil || len(names) == 0 {
		t.Fatalf("no benchmark pages in %s (%v)", htmlDir, err)
	}
	sort.Strings(names)
	for _, name := range names[:min(pages, len(names))] {
		gunzipTo(t, name, filepath.Join(dir, strings.TrimSuffix(filepath.Base(name), ".gz")))
	}
	for _, feed := range []string{"small_atom.xml", "rdf_UTF8.xml"} {
		data, err := os.ReadFile(testcorpus.Path(t, "feeds", "real", feed))
		if err != nil {
			t.Fatal(err)
		}
		writeTestFile(t, filepath.Join(dir, feed), string(data))
	}
	cities := []string{"Hamadan", "Isfahan", "Tabriz", "Shiraz", "Mashhad", "Bandar Abbas", "Kerman", "Yazd", "Qom", "Ahvaz"}
	for i := range 30 {
		city := cities[i%len(cities)]
		body := fmt.Sprintf(`Moscow has begun delivering %d Su-35 fighter jets to Tehran, officials said on day %d. The aircraft arrived at an air base near %s.`, i+2, i+1, city)
		if i%2 == 1 {
			body = fmt.Sprintf(`Iran's free trade agreement with the Eurasian Economic Union entered into force in week %d, the commission said, removing duties on %d goods traded through %s.`, i+1, 100+i, city)
		}
		page := fmt.Sprintf(`<!doctype html><html lang="en"><head><title>Report %d from %s</title>
<meta property="article:published_time" content="2024-09-%02dT08:00:00Z"></head><body><article><h1>Report %d from %s</h1>
<p>%s</p><p>Report number %d was filed from %s, where correspondents spoke to %d people about the news.</p></article></body></html>`,
			i, city, i%28+1, i, city, body, i, city, 3+i)
		writeTestFile(t, filepath.Join(dir, fmt.Sprintf("claim-%02d.html", i)), page)
	}
	return dir
}

func gunzipTo(t *testing.T, src, dst string) {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	zr, err := gzip.NewReader(in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	if _, err := io.Copy(out, zr); err != nil {
		t.Fatal(err)
	}
}

func writeTestFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// localConfig writes a config with one local-directory source.
func localConfig(t *testing.T, corpus string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "claimwatch.yaml")
	writeTestFile(t, path, fmt.Sprintf("sources:\n  - name: corpus\n    url: %s\n    kind: feed\n", corpus))
	return path
}

// dbCheck verifies a database left behind by a killed writer and returns
// its evidence as a sorted set of "claim stance url" lines.
func dbCheck(t *testing.T, dbPath string) []string {
	t.Helper()
	ctx := context.Background()
	if _, err := os.Stat(dbPath); os.IsNotExist(err) {
		return nil // killed before the database was created
	}
	st, err := storage.Open(ctx, dbPath)
	if err != nil {
		t.Fatalf("reopening %s after a kill: %v", dbPath, err)
	}
	defer st.Close()
	problems, err := st.Check(ctx)
	if err != nil || len(problems) > 0 {
		t.Fatalf("after a kill: check: %v %v", problems, err)
	}
	db, err := sql.Open("sqlite", "file:"+dbPath+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for what, query := range map[string]string{
		"integrity_check is not ok":       `SELECT count(*) FROM pragma_integrity_check WHERE integrity_check <> 'ok'`,
		"evidence without its article":    `SELECT count(*) FROM evidence WHERE article_id NOT IN (SELECT id FROM articles)`,
		"articles stored twice by URL":    `SELECT count(*) FROM (SELECT url FROM articles GROUP BY url HAVING count(*) > 1)`,
		"articles stored twice by text":   `SELECT count(*) FROM (SELECT content_hash FROM articles WHERE content_hash <> '' GROUP BY content_hash HAVING count(*) > 1)`,
		"evidence stored twice":           `SELECT count(*) FROM (SELECT 1 FROM evidence GROUP BY claim_id, article_id HAVING count(*) > 1)`,
		"articles missing from the index": `SELECT (SELECT count(*) FROM articles) - (SELECT count(*) FROM articles_fts)`,
	} {
		var n int
		if err := db.QueryRow(query).Scan(&n); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if n != 0 {
			t.Fatalf("after a kill: %d %s", n, what)
		}
	}
	rows, err := db.Query(`SELECT e.claim_id, e.stance, a.url FROM evidence e JOIN articles a ON a.id = e.article_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var set []string
	for rows.Next() {
		var claim, stance, url string
		if err := rows.Scan(&claim, &stance, &url); err != nil {
			t.Fatal(err)
		}
		set = append(set, claim+" "+stance+" "+url)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	sort.Strings(set)
	return set
}

// runOnceCmd is `claimwatch run --once` on a database and config; a run
// that hangs is killed after runLimit and fails the test.
func runOnceCmd(t *testing.T, bin, dbPath, cfg string) *exec.Cmd {
	ctx, cancel := context.WithTimeout(context.Background(), runLimit)
	t.Cleanup(cancel)
	return exec.CommandContext(ctx, bin, "--db", dbPath, "--config", cfg, "--log-level", "error", "run", "--once")
}

// runLimit bounds one subprocess run, far above what the corpus needs.
const runLimit = 2 * time.Minute

// runToEnd runs `run --once` to completion.
func runToEnd(t *testing.T, bin, dbPath, cfg string) {
	t.Helper()
	if out, err := runOnceCmd(t, bin, dbPath, cfg).CombinedOutput(); err != nil {
		t.Fatalf("run --once on %s: %v\n%s", dbPath, err, out)
	}
}

// TestKillDuringRunOnce kills `run --once` with SIGKILL at random moments,
// checks the database after every kill, and checks that a clean run after
// the kills ends with the evidence of a run never interrupted. A round is
// a fresh database killed until a run gets to finish by itself.
func TestKillDuringRunOnce(t *testing.T) {
	kills := 16
	if v := os.Getenv(envCrashKills); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("%s=%q: want a positive number", envCrashKills, v)
		}
		kills = n
	}
	seed := uint64(time.Now().UnixNano())
	if v := os.Getenv(envCrashSeed); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("%s=%q: want a number", envCrashSeed, v)
		}
		seed = n
	}
	t.Logf("seed %d (replay with %s=%d %s=%d)", seed, envCrashSeed, seed, envCrashKills, kills)
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))

	started := time.Now()
	bin := claimwatchBinary(t)
	t.Logf("built the binary in %s", time.Since(started).Round(time.Millisecond))
	cfg := localConfig(t, crashCorpus(t, 8))
	dir := t.TempDir()

	// The reference: one run never interrupted.
	refDB := filepath.Join(dir, "reference.db")
	started = time.Now()
	runToEnd(t, bin, refDB, cfg)
	full := time.Since(started)
	want := dbCheck(t, refDB)
	if len(want) < 20 {
		t.Fatalf("the reference run found %d pieces of evidence; the corpus should give at least 20", len(want))
	}
	t.Logf("reference run: %s, %d pieces of evidence", full.Round(time.Millisecond), len(want))

	killed, rounds := 0, 0
	for killed < kills {
		rounds++
		dbPath := filepath.Join(dir, fmt.Sprintf("round-%d.db", rounds))
		for {
			cmd := runOnceCmd(t, bin, dbPath, cfg)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			// Anywhere in a whole run's time, a little past it included:
			// later runs of a round have less to do and often finish first.
			delay := time.Duration(rng.Int64N(int64(full + full/10)))
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("round %d: a run finished with %v", rounds, err)
				}
			case <-time.After(delay):
				cmd.Process.Signal(syscall.SIGKILL)
				<-done
				killed++
				dbCheck(t, dbPath)
				if killed < kills {
					continue
				}
				// The last kill: finish the round with a clean run.
				runToEnd(t, bin, dbPath, cfg)
			}
			break
		}
		got := dbCheck(t, dbPath)
		if diff := setDiff(want, got); diff != "" {
			t.Fatalf("round %d (seed %d): after the kills the evidence differs from an uninterrupted run:\n%s", rounds, seed, diff)
		}
	}
	t.Logf("survived %d SIGKILLs in %d rounds (%s)", killed, rounds, time.Since(started).Round(time.Millisecond))
}

// setDiff lists lines only in want (-) or only in got (+).
func setDiff(want, got []string) string {
	in := map[string]int{}
	for _, w := range want {
		in[w]--
	}
	for _, g := range got {
		in[g]++
	}
	var out []string
	for line, n := range in {
		switch {
		case n < 0:
			out = append(out, "- "+line)
		case n > 0:
			out = append(out, "+ "+line)
		}
	}
	sort.Strings(out)
	if len(out) > 20 {
		out = append(out[:20], fmt.Sprintf("… and %d more", len(out)-20))
	}
	return strings.Join(out, "\n")
}
