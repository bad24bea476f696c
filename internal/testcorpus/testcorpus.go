// Package testcorpus locates the shared, read-only test corpus
// (../shared/corpus beside the repository root) for tests and benchmarks.
package testcorpus

import (
	"os"
	"path/filepath"
	"testing"
)

// Dir returns the absolute path of ../shared/corpus relative to the
// repository root (the directory holding go.mod), failing tb with a clear
// message when it is missing.
func Dir(tb testing.TB) string {
	tb.Helper()
	wd, err := os.Getwd()
	if err != nil {
		tb.Fatalf("testcorpus: working directory: %v", err)
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			corpus := filepath.Join(filepath.Dir(dir), "shared", "corpus")
			if _, err := os.Stat(corpus); err != nil {
				tb.Fatalf("testcorpus: the shared corpus is missing: expected it at %s (../shared/corpus beside the repository root): %v", corpus, err)
			}
			return corpus
		}
		if filepath.Dir(dir) == dir {
			tb.Fatalf("testcorpus: no go.mod above %s", wd)
		}
	}
}

// Path joins elem onto Dir and fails tb when the result does not exist.
func Path(tb testing.TB, elem ...string) string {
	tb.Helper()
	p := filepath.Join(append([]string{Dir(tb)}, elem...)...)
	if _, err := os.Stat(p); err != nil {
		tb.Fatalf("testcorpus: %v", err)
	}
	return p
}
