//go:build unix

package matcher

import (
	"syscall"
	"time"
)

// processCPU returns the CPU time the process has used. Benchmarks report
// throughput per CPU second besides per wall second, because a shared
// machine's load distorts the wall clock.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
