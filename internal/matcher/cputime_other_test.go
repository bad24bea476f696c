//go:build !unix

package matcher

import "time"

// processCPU is unknown here; the CPU-time metric is then left out.
func processCPU() time.Duration { return 0 }
