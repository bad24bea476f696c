//go:build linux

package backfill

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The peak-RSS benchmark runs the backfill in a child process (this test
// binary, told by the environment), so the figure is the backfill's own,
// not that of the benchmark that generated the WARC file in memory.
const (
	childWARC = "CLAIMWATCH_BENCH_BACKFILL_WARC"
	childDB   = "CLAIMWATCH_BENCH_BACKFILL_DB"
)

func TestMain(m *testing.M) {
	if warcPath := os.Getenv(childWARC); warcPath != "" {
		if err := backfillChild(warcPath, os.Getenv(childDB)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		// The kernel's high-water mark of this process's resident set. (A
		// parent's rusage of its child is no measure: it can carry the
		// parent's own peak across the fork.)
		status, err := os.ReadFile("/proc/self/status")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		for _, line := range strings.Split(string(status), "\n") {
			if strings.HasPrefix(line, "VmHWM:") {
				fmt.Println(line)
			}
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// backfillChild is what `claimwatch backfill FILE` does, without the CLI.
func backfillChild(warcPath, dbPath string) error {
	e, err := openEnv(dbPath)
	if err != nil {
		return err
	}
	defer e.store.Close()
	o := e.options()
	o.Workers = 0 // as the command: GOMAXPROCS
	s, err := Run(context.Background(), o, []string{warcPath})
	if err == nil && s.FilesDone != 1 {
		err = fmt.Errorf("backfill child: %d of 1 files done", s.FilesDone)
	}
	return err
}

// BenchmarkBackfillPeakRSS reports the peak resident memory of a backfill
// process over WARC files of two sizes: it must stay flat as the file
// grows (records are streamed, never held).
func BenchmarkBackfillPeakRSS(b *testing.B) {
	for _, unrelated := range []int{3000, 12000} {
		b.Run(fmt.Sprintf("records=%d", unrelated), func(b *testing.B) {
			dir := b.TempDir()
			path, n := writeWARC(b, dir, true, unrelated, 9)
			var peakKiB int64
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				cmd := exec.Command(os.Args[0], "-test.run=^$")
				cmd.Env = append(os.Environ(), childWARC+"="+path, childDB+"="+filepath.Join(dir, fmt.Sprintf("rss-%d.db", i)))
				out, err := cmd.Output()
				if err != nil {
					b.Fatalf("backfill child: %v\n%s", err, out)
				}
				var kib int64
				if _, err := fmt.Sscanf(strings.TrimSpace(string(out)), "VmHWM: %d kB", &kib); err != nil {
					b.Fatalf("backfill child said %q: %v", out, err)
				}
				peakKiB = max(peakKiB, kib)
			}
			b.ReportMetric(float64(peakKiB)/1024, "peak-RSS-MiB")
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
		})
	}
}
