package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

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
	for _, args := range [][]string{{"--store", "some", file}, {filepath.Join(t.TempDir(), "missing.warc")}, {}, {"--sitemap", "https://news.example/", "--since", "2021-13-01"}} {
		cmd := backfillCmd(t, bin, db, cfg, args...)
		out, err := cmd.CombinedOutput()
		if cmd.ProcessState.ExitCode() != 2 {
			t.Fatalf("backfill %q: exit %d (%v), want 2\n%s", args, cmd.ProcessState.ExitCode(), err, out)
		}
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
