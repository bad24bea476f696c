package backfill

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/claimwatch/claimwatch/storage"
)

// TestPrefilterLosesNothing backfills the benchmark corpus, generated
// evidence pages and generated unrelated pages twice, with the prefilter and
// without it: the evidence stored must be the same, row for row.
func TestPrefilterLosesNothing(t *testing.T) {
	dir := t.TempDir()
	path, n := writeWARC(t, dir, true, 60, 1)
	var sets [2][]string
	var stats [2]Stats
	for i, noPrefilter := range []bool{false, true} {
		e := newEnv(t, filepath.Join(dir, []string{"with.db", "without.db"}[i]))
		o := e.options()
		o.NoPrefilter = noPrefilter
		st, err := Run(context.Background(), o, []string{path})
		if err != nil {
			t.Fatal(err)
		}
		if st.Records != int64(n) || st.FilesDone != 1 || st.Ignored != int64(n) {
			t.Fatalf("noPrefilter=%v: %+v, want %d records and as many requests ignored", noPrefilter, st, n)
		}
		sets[i], stats[i] = evidenceSet(t, e.store), st
	}
	if len(sets[0]) < len(evidencePages) {
		t.Fatalf("only %d evidence rows: the generated evidence pages should give at least %d", len(sets[0]), len(evidencePages))
	}
	if !slices.Equal(sets[0], sets[1]) {
		t.Fatalf("evidence differs\nwith prefilter:\n%s\nwithout:\n%s", strings.Join(sets[0], "\n"), strings.Join(sets[1], "\n"))
	}
	if stats[0].Candidates >= stats[1].Candidates/5 {
		t.Fatalf("prefilter let %d of %d pages through: it filters nothing", stats[0].Candidates, stats[1].Candidates)
	}
	t.Logf("%d records, %d candidates with the prefilter, %d evidence rows", n, stats[0].Candidates, len(sets[0]))
	for _, line := range sets[0] {
		if strings.Contains(line, "evidence.example/1 ") && !strings.HasSuffix(line, "first_seen") {
			t.Errorf("a page without a date of its own is dated by the capture, flagged first_seen: %s", line)
		}
		if strings.Contains(line, "evidence.example/0 ") && !strings.Contains(line, "2021-05-02T08:00:00Z page") {
			t.Errorf("a page's own JSON-LD date wins over the capture date: %s", line)
		}
	}
}

// TestStoreAllKeepsEveryPage: --store all keeps unrelated pages too; the
// default keeps only pages with evidence.
func TestStoreAllKeepsEveryPage(t *testing.T) {
	dir := t.TempDir()
	path, n := writeWARC(t, dir, false, 20, 2)
	for _, all := range []bool{false, true} {
		e := newEnv(t, filepath.Join(dir, map[bool]string{false: "matched.db", true: "all.db"}[all]))
		o := e.options()
		o.StoreAll = all
		st, err := Run(context.Background(), o, []string{path})
		if err != nil {
			t.Fatal(err)
		}
		want := int64(len(evidencePages))
		if all {
			want = int64(n)
		}
		if st.Stored != want {
			t.Fatalf("store all=%v: stored %d articles, want %d (%+v)", all, st.Stored, want, st)
		}
	}
}

// TestRunAgainStoresNothing: a finished file is not read again, and a file
// whose checkpoint is reset is read again without storing anything twice.
func TestRunAgainStoresNothing(t *testing.T) {
	dir := t.TempDir()
	path, _ := writeWARC(t, dir, false, 50, 3)
	e := newEnv(t, filepath.Join(dir, "x.db"))
	first, err := Run(context.Background(), e.options(), []string{path})
	if err != nil {
		t.Fatal(err)
	}
	before := evidenceSet(t, e.store)
	again, err := Run(context.Background(), e.options(), []string{path})
	if err != nil || again.Records != 0 || again.FilesDone != 1 {
		t.Fatalf("second run read a finished file: %+v, %v", again, err)
	}
	cp, _ := e.store.Checkpoint(context.Background(), path)
	cp.Done, cp.Offset = false, 0
	if err := e.store.SaveCheckpoint(context.Background(), cp); err != nil {
		t.Fatal(err)
	}
	third, err := Run(context.Background(), e.options(), []string{path})
	if err != nil || third.Stored != 0 || third.Evidence != 0 || third.Known != first.Stored {
		t.Fatalf("re-read: %+v, %v; want every candidate known, nothing stored", third, err)
	}
	if after := evidenceSet(t, e.store); !slices.Equal(before, after) {
		t.Fatalf("evidence changed on a re-read")
	}
}

// The ETA goes by this run's rate: bytes read before a resume do not make
// the run look faster than it is.
func TestETA(t *testing.T) {
	for _, c := range []struct {
		name string
		s    Stats
		want time.Duration
		ok   bool
	}{
		{"half the bytes in a minute", Stats{Size: 1000, Offset: 500, Elapsed: time.Minute}, time.Minute, true},
		{"resumed at 400, 100 more in a minute", Stats{Size: 1000, Offset: 500, Resumed: 400, Elapsed: time.Minute}, 5 * time.Minute, true},
		{"nothing read yet", Stats{Size: 1000, Offset: 400, Resumed: 400, Elapsed: time.Minute}, 0, false},
		{"searches: 1 of 4 done", Stats{Files: 4, FilesDone: 1, Elapsed: time.Minute}, 3 * time.Minute, true},
		{"searches: none done", Stats{Files: 4, Elapsed: time.Minute}, 0, false},
	} {
		got, ok := c.s.ETA()
		if ok != c.ok || got.Round(time.Second) != c.want {
			t.Errorf("%s: ETA %v %v, want %v %v", c.name, got, ok, c.want, c.ok)
		}
	}
}

// TestDiskFullEndsTheRun: when the database cannot grow, the run stops
// with ErrDiskFull and the file is not checkpointed done; the pages the
// store refused are not counted as failed pages and passed over.
func TestDiskFullEndsTheRun(t *testing.T) {
	dir := t.TempDir()
	path, _ := writeWARC(t, dir, false, 200, 4)
	db := filepath.Join(dir, "full.db")
	newEnv(t, db).store.Close()
	info, err := os.Stat(db)
	if err != nil {
		t.Fatal(err)
	}
	e, err := openEnv(db, storage.WithMaxPageCount(int(info.Size()/4096)+12))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.store.Close() })
	o := e.options()
	o.StoreAll = true
	st, err := Run(context.Background(), o, []string{path})
	if !errors.Is(err, storage.ErrDiskFull) {
		t.Fatalf("run on a full disk: %v (%+v), want ErrDiskFull", err, st)
	}
	if cp, _ := e.store.Checkpoint(context.Background(), path); cp.Done {
		t.Fatalf("a file whose pages the store refused is checkpointed done")
	}
}
