//go:build unix

package factuality

import (
	"syscall"
	"testing"
	"time"
)

// BenchmarkClassify classifies the event of each labelled sentence in turn
// (English, Russian, Persian). Besides ns/op it reports cpu-ns/op, the
// process's CPU time per call, since a shared machine's load distorts the
// wall clock.
func BenchmarkClassify(b *testing.B) {
	cases := readCases(b, "en_tune.tsv")
	cases = append(cases, readCases(b, "ru.tsv")...)
	cases = append(cases, readCases(b, "fa.tsv")...)
	for _, c := range cases { // warm the cue cache: steady state
		Classify(c.tk, 0, len(c.tk.Tokens), c.pos, c.end)
	}
	var before, after syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &before)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		c := &cases[i%len(cases)]
		Classify(c.tk, 0, len(c.tk.Tokens), c.pos, c.end)
	}
	b.StopTimer()
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &after)
	cpu := time.Duration(after.Utime.Nano() + after.Stime.Nano() - before.Utime.Nano() - before.Stime.Nano())
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
}
