package backfill

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

// TestFourShardsMergedAreOneRun: the inputs split 4 ways, each shard
// backfilled into its own database, the 4 merged: the evidence equals one
// unsharded run's, and the merged database knows every file is done.
func TestFourShardsMergedAreOneRun(t *testing.T) {
	dir := t.TempDir()
	var files []string
	for seed := range 8 {
		path, _ := writeWARC(t, dir, false, 6, uint64(100+seed))
		files = append(files, path)
	}
	whole := newEnv(t, filepath.Join(dir, "whole.db"))
	if _, err := Run(context.Background(), whole.options(), files); err != nil {
		t.Fatal(err)
	}
	want := evidenceSet(t, whole.store)

	var shardDBs, seen []string
	for k := range 4 {
		part := Shard(files, k, 4)
		seen = append(seen, part...)
		db := filepath.Join(dir, fmt.Sprintf("shard-%d.db", k))
		e := newEnv(t, db)
		if _, err := Run(context.Background(), e.options(), part); err != nil {
			t.Fatal(err)
		}
		e.store.Close()
		shardDBs = append(shardDBs, db)
	}
	sort.Strings(seen)
	if !slices.Equal(seen, files) {
		t.Fatalf("shards do not partition the inputs: %q", seen)
	}
	out := newEnv(t, filepath.Join(dir, "merged.db"))
	st, err := Merge(context.Background(), out.store, shardDBs)
	if err != nil {
		t.Fatal(err)
	}
	got := evidenceSet(t, out.store)
	if !slices.Equal(got, want) {
		t.Fatalf("merged evidence differs from one run (merge %+v)\nmerged:\n%s\nwhole:\n%s", st, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, f := range files {
		if cp, _ := out.store.Checkpoint(context.Background(), f); !cp.Done {
			t.Errorf("merged database lost the checkpoint of %s", f)
		}
	}
	if len(want) < len(evidencePages) {
		t.Fatalf("only %d evidence rows", len(want))
	}
}
