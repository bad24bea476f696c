package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/claimwatch/claimwatch/internal/backfill"
	"github.com/claimwatch/claimwatch/internal/warc"
)

// backfillWARC writes the crash corpus's pages and unrelated filler pages
// into one .warc.gz.
func backfillWARC(t *testing.T, corpus string, filler int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "history.warc.gz")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := warc.NewWriter(f, true)
	day := time.Date(2022, 1, 2, 3, 4, 5, 0, time.UTC)
	add := func(url, page string) {
		msg := fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: %d\r\n\r\n%s", len(page), page)
		if err := w.Response(url, day, []byte(msg)); err != nil {
			t.Fatal(err)
		}
	}
	names, _ := filepath.Glob(filepath.Join(corpus, "*.html"))
	for i, name := range names {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		add(fmt.Sprintf("https://archive.example/page/%d", i), string(data))
		for j := range filler / len(names) {
			add(fmt.Sprintf("https://filler.example/%d/%d", i, j),
				fmt.Sprintf("<html><head><title>Weather %d %d</title></head><body><p>%s</p></body></html>", i, j, strings.Repeat("Rain and sun over the hills today. ", 200)))
		}
	}
	return path
}

func backfillCmd(t *testing.T, bin, dbPath, cfg string, args ...string) *exec.Cmd {
	ctx, cancel := context.WithTimeout(context.Background(), runLimit)
	t.Cleanup(cancel)
	return exec.CommandContext(ctx, bin, append([]string{"--db", dbPath, "--config", cfg, "--log-level", "error", "backfill"}, args...)...)
}

// TestBackfillCommand: the JSON summary, a second run that finds the file
// done, and bad usage refused with exit 2.
func TestBackfillCommand(t *testing.T) {
	bin := claimwatchBinary(t)
	corpus := crashCorpus(t, 4)
	cfg := localConfig(t, corpus)
	file := backfillWARC(t, corpus, 40)
	db := filepath.Join(t.TempDir(), "b.db")
	out, err := backfillCmd(t, bin, db, cfg, "--json", file).Output()
	if err != nil {
		t.Fatalf("backfill: %v\n%s", err, out)
	}
	var sum map[string]any
	if err := json.Unmarshal(out, &sum); err != nil {
		t.Fatalf("--json output %q: %v", out, err)
	}
	if sum["files_done"] != 1.0 || sum["new_evidence"].(float64) < 20 || sum["new_articles"].(float64) != 30 {
		t.Fatalf("summary %v: want the file done, the 30 claim pages stored with their evidence", sum)
	}
	out, err = backfillCmd(t, bin, db, cfg, file).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "records 0 ") || !strings.Contains(string(out), "files 1/1") {
		t.Fatalf("second run: %v\n%s", err, out)
	}
	for _, bad := range []struct {
		args []string
		says string
	}{
		{[]string{"--store", "some", file}, "--store"},
		{[]string{filepath.Join(t.TempDir(), "missing.warc")}, "missing.warc"},
		{[]string{}, "no enabled query or sitemap source"},
		{[]string{"--sitemap", "https://news.example/", "--since", "2021-13-01"}, "2021-13-01"},
		{[]string{"--sitemap", "news.example/sitemap.xml"}, `--sitemap: sitemap "news.example/sitemap.xml": want an http(s) URL`},
		{[]string{"--claim", "no-such-claim", file}, `--claim "no-such-claim": no such claim`},
		{[]string{"--source", "corpus"}, "--source corpus: a feed source"},
	} {
		cmd := backfillCmd(t, bin, db, cfg, bad.args...)
		out, err := cmd.CombinedOutput()
		if cmd.ProcessState.ExitCode() != 2 || !strings.Contains(string(out), bad.says) {
			t.Fatalf("backfill %q: exit %d (%v), want 2 and %q said\n%s", bad.args, cmd.ProcessState.ExitCode(), err, bad.says, out)
		}
	}
}

// TestBackfillSitemapSource: with no inputs, backfill reads the config's
// sitemap source for the window, on the operator's own (loopback) host,
// and stores the articles under the source's name.
func TestBackfillSitemapSource(t *testing.T) {
	bin := claimwatchBinary(t)
	page := `<html><head><title>Iran and the Eurasian Economic Union sign a free trade agreement</title></head><body><article>
<h1>Iran and the Eurasian Economic Union sign a free trade agreement</h1>
<p>Iran and the Eurasian Economic Union signed a full free trade agreement in St Petersburg on Monday, officials said.</p>
<p>The agreement removes tariffs on most goods traded between the bloc and Iran, according to the signed text.</p></article></body></html>`
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			fmt.Fprintf(w, "Sitemap: %s/news.xml\n", srv.URL)
		case "/news.xml":
			fmt.Fprintf(w, `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>%[1]s/2023/iran-eaeu-fta</loc><news:news><news:publication_date>2023-12-25</news:publication_date><news:title>Iran and the Eurasian Economic Union sign a free trade agreement</news:title></news:news></url>
<url><loc>%[1]s/2019/iran-eaeu-fta</loc><news:news><news:publication_date>2019-10-01</news:publication_date><news:title>Iran and the Eurasian Economic Union sign a free trade agreement</news:title></news:news></url>
</urlset>`, srv.URL)
		case "/2023/iran-eaeu-fta", "/2019/iran-eaeu-fta":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, page)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	cfg := filepath.Join(t.TempDir(), "claimwatch.yaml")
	writeTestFile(t, cfg, fmt.Sprintf("sources:\n  - name: eaeu-site\n    url: %s\n    kind: sitemap\n", srv.URL))
	db := filepath.Join(t.TempDir(), "s.db")
	out, err := backfillCmd(t, bin, db, cfg, "--json", "--since", "2020-01-01").Output()
	if err != nil {
		t.Fatalf("backfill: %v\n%s", err, out)
	}
	var sum map[string]any
	if err := json.Unmarshal(out, &sum); err != nil {
		t.Fatalf("--json output %q: %v", out, err)
	}
	if sum["new_articles"] != 1.0 || sum["new_evidence"].(float64) < 1 {
		t.Fatalf("summary %v: want the 2023 article stored with its evidence, the 2019 one outside the window", sum)
	}
	list, err := exec.Command(bin, "--db", db, "--config", cfg, "evidence", "eeu-iran-fta", "--json").Output()
	if err != nil || !strings.Contains(string(list), `"source":"eaeu-site"`) {
		t.Fatalf("evidence list: %v\n%s\nwant the evidence under the source eaeu-site", err, list)
	}

	// The same site given with --sitemap, from a config with no sources at
	// all: a sitemap (or WARC) backfill needs none, and the loopback site
	// the operator named on the command line may be read.
	empty := filepath.Join(t.TempDir(), "empty.yaml")
	writeTestFile(t, empty, "sources: []\n")
	db2 := filepath.Join(t.TempDir(), "s2.db")
	out, err = backfillCmd(t, bin, db2, empty, "--json", "--since", "2020-01-01", "--sitemap", srv.URL).CombinedOutput()
	if err != nil || !strings.Contains(string(out), `"new_articles": 1`) {
		t.Fatalf("backfill --sitemap with no configured sources: %v\n%s", err, out)
	}
}

// TestKillDuringBackfill kills backfill with SIGKILL at random moments;
// after each kill the database checks clean, and the same command run on
// to the end gives exactly the evidence of an uninterrupted backfill.
func TestKillDuringBackfill(t *testing.T) {
	kills := 8
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 1))
	bin := claimwatchBinary(t)
	corpus := crashCorpus(t, 8)
	cfg := localConfig(t, corpus)
	file := backfillWARC(t, corpus, 600)
	dir := t.TempDir()

	ref := filepath.Join(dir, "reference.db")
	started := time.Now()
	if out, err := backfillCmd(t, bin, ref, cfg, file).CombinedOutput(); err != nil {
		t.Fatalf("reference backfill: %v\n%s", err, out)
	}
	full := time.Since(started)
	want := dbCheck(t, ref)
	if len(want) < 20 {
		t.Fatalf("reference backfill found %d pieces of evidence, want at least 20", len(want))
	}
	db := filepath.Join(dir, "killed.db")
	killed, finished := 0, 0
	for killed < kills {
		cmd := backfillCmd(t, bin, db, cfg, file)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("a backfill finished with %v", err)
			}
			finished++
			if diff := setDiff(want, dbCheck(t, db)); diff != "" {
				t.Fatalf("after %d kills the evidence differs from an uninterrupted backfill:\n%s", killed, diff)
			}
			db = filepath.Join(dir, fmt.Sprintf("killed-%d.db", killed)) // a fresh database for the next kills
		case <-time.After(time.Duration(rng.Int64N(int64(full)))):
			cmd.Process.Signal(syscall.SIGKILL)
			<-done
			killed++
			dbCheck(t, db)
		}
	}
	if out, err := backfillCmd(t, bin, db, cfg, file).CombinedOutput(); err != nil {
		t.Fatalf("final backfill: %v\n%s", err, out)
	}
	if diff := setDiff(want, dbCheck(t, db)); diff != "" {
		t.Fatalf("after the kills the evidence differs from an uninterrupted backfill:\n%s", diff)
	}
	t.Logf("survived %d SIGKILLs (%d runs finished between them); reference run %s", killed, finished, full.Round(time.Millisecond))
}

// TestBackfillShardsAndMerge: backfill --shard K/4 four times, db merge the
// four databases: the evidence of one unsharded backfill.
func TestBackfillShardsAndMerge(t *testing.T) {
	bin := claimwatchBinary(t)
	corpus := crashCorpus(t, 4)
	cfg := localConfig(t, corpus)
	var files []string
	for range 6 {
		files = append(files, backfillWARC(t, corpus, 10))
	}
	dir := t.TempDir()
	whole := filepath.Join(dir, "whole.db")
	if out, err := backfillCmd(t, bin, whole, cfg, files...).CombinedOutput(); err != nil {
		t.Fatalf("backfill: %v\n%s", err, out)
	}
	merge := []string{"--db", filepath.Join(dir, "unused.db"), "--config", cfg, "db", "merge", filepath.Join(dir, "merged.db")}
	for k := range 4 {
		db := filepath.Join(dir, fmt.Sprintf("shard-%d.db", k))
		args := append([]string{"--shard", fmt.Sprintf("%d/4", k)}, files...)
		if out, err := backfillCmd(t, bin, db, cfg, args...).CombinedOutput(); err != nil {
			t.Fatalf("shard %d: %v\n%s", k, err, out)
		}
		merge = append(merge, db)
	}
	if out, err := exec.Command(bin, merge...).CombinedOutput(); err != nil {
		t.Fatalf("db merge: %v\n%s", err, out)
	}
	want, got := dbCheck(t, whole), dbCheck(t, filepath.Join(dir, "merged.db"))
	if diff := setDiff(want, got); diff != "" || len(want) < 20 {
		t.Fatalf("merged shards differ from one backfill (%d rows):\n%s", len(want), diff)
	}
	cmd := backfillCmd(t, bin, whole, cfg, "--shard", "4/4", files[0])
	if out, _ := cmd.CombinedOutput(); cmd.ProcessState.ExitCode() != 2 {
		t.Fatalf("--shard 4/4: exit %d, want 2\n%s", cmd.ProcessState.ExitCode(), out)
	}
}

// The live progress line ends with an ETA once there is a rate; the final
// summary has none.
func TestBackfillProgressLineETA(t *testing.T) {
	s := backfill.Stats{Files: 2, Records: 300, Bytes: 60e6, Size: 1 << 20, Offset: 1 << 19, Elapsed: 30 * time.Second}
	live := progressLine(s, true)
	if !strings.HasSuffix(live, ", ETA 30s") || !strings.Contains(live, "records 300 (10/s), 60.0 MB (2.0 MB/s)") {
		t.Errorf("live line %q: want the rates and to end with the ETA 30s", live)
	}
	if final := progressLine(s, false); strings.Contains(final, "ETA") {
		t.Errorf("final line %q has an ETA", final)
	}
	if start := progressLine(backfill.Stats{Files: 1, Elapsed: time.Second}, true); !strings.HasSuffix(start, "ETA unknown") {
		t.Errorf("line before any progress %q: want ETA unknown", start)
	}
}

// On a terminal narrower than the full line, the live line still fits in
// one row (a wrapped one leaves a row behind at every update) and keeps
// the ETA.
func TestBackfillProgressLineFitsTheTerminal(t *testing.T) {
	s := backfill.Stats{Files: 2, Records: 123456, Bytes: 9e8, Size: 1 << 30, Offset: 1 << 29, Evidence: 42, Elapsed: 95 * time.Second}
	if wide := liveProgressLine(s, 400); wide != progressLine(s, true) {
		t.Errorf("wide terminal: %q, want the full line", wide)
	}
	for _, width := range []int{80, 40} {
		line := liveProgressLine(s, width)
		if n := utf8.RuneCountInString(line); n >= width || !strings.HasSuffix(line, ", ETA 1m35s") || width == 80 && !strings.Contains(line, "new evidence 42") {
			t.Errorf("%d columns: %q (%d runes): want fewer runes than columns, ending with the ETA", width, line, n)
		}
	}
}

// A log record during a backfill on a terminal starts on a clean row: it
// was glued to the end of the live progress line.
func TestBackfillLogRecordClearsTheProgressLine(t *testing.T) {
	var buf strings.Builder
	p := &progressWriter{w: &buf}
	p.show("files 0/1")
	fmt.Fprint(p, "level=WARN msg=x\n")
	fmt.Fprint(p, "level=WARN msg=y\n")
	p.show("files 1/1")
	p.clear()
	p.clear()
	want := "\r\033[Kfiles 0/1\r\033[Klevel=WARN msg=x\nlevel=WARN msg=y\n\r\033[Kfiles 1/1\r\033[K"
	if buf.String() != want {
		t.Errorf("terminal got %q\nwant %q", buf.String(), want)
	}
}

// --since and --until do not bound WARC files: an operator who gives them
// with WARC files only is told so, not left to think history was windowed.
func TestBackfillWindowWithWARCFilesOnlyWarns(t *testing.T) {
	corpus := crashCorpus(t, 1)
	cfg := localConfig(t, corpus)
	file := backfillWARC(t, corpus, 0)
	db := filepath.Join(t.TempDir(), "w.db")
	code, _, errOut := cli(t, "", "--db", db, "--config", cfg, "backfill", "--since", "2024-09-10", file)
	if code != 0 || !strings.Contains(errOut, "WARC files are read whole") {
		t.Fatalf("exit %d, stderr %q: want the warning", code, errOut)
	}
	code, _, errOut = cli(t, "", "--db", db, "--config", cfg, "backfill", file)
	if code != 0 || strings.Contains(errOut, "read whole") {
		t.Fatalf("without a window: exit %d, stderr %q", code, errOut)
	}
}

// An input of db merge that is not a claimwatch database is bad input
// (exit 2) named in the message, and OUT is not created.
func TestDBMergeRefusesANonDatabase(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.db")
	if err := os.WriteFile(junk, []byte("not a database, just text\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "merged.db")
	code, _, errOut := cli(t, "", "--db", out, "db", "merge", out, junk)
	if code != 2 || !strings.Contains(errOut, "junk.db") {
		t.Fatalf("exit %d, stderr %q: want 2 naming junk.db", code, errOut)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Fatalf("merged.db created for a refused merge (%v)", err)
	}
}
