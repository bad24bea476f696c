package fetch

import "time"

const (
	backoffBase = time.Minute
	backoffMax  = 24 * time.Hour
	// retryAfterMax bounds a server's Retry-After so that a bogus value (a
	// date years ahead) cannot silence a source forever.
	retryAfterMax = 7 * 24 * time.Hour
)

// Backoff is how long to wait before retrying a source after errorCount
// consecutive failures: 1 min · 2^(errorCount-1), capped at 24 h, or the
// server's Retry-After when that is longer (itself capped at 7 days). It is
// deterministic; callers wanting jitter add it themselves.
func Backoff(errorCount int, retryAfter time.Duration) time.Duration {
	var d time.Duration
	if errorCount > 0 {
		d = backoffMax
		if errorCount <= 30 { // beyond that the shift alone overflows the cap
			if e := backoffBase << (errorCount - 1); e < backoffMax {
				d = e
			}
		}
	}
	retryAfter = min(retryAfter, retryAfterMax)
	return max(d, retryAfter)
}
