package report

import (
	"fmt"
	"time"
)

// Range is a half-open time range [Since, Until); a zero bound is open.
type Range struct {
	Since, Until time.Time
}

// ParseDate reads a --since or --until value: a date (YYYY-MM-DD, UTC
// midnight) or an RFC 3339 time. flag names the flag in the error.
func ParseDate(flag, value string) (time.Time, error) {
	if value == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.DateOnly, value); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, value); err == nil {
		return t.UTC(), nil
	}
	return time.Time{}, fmt.Errorf("%s %q: want a date YYYY-MM-DD or an RFC 3339 time such as 2020-01-10T15:04:05Z", flag, value)
}

// ParseRange reads --since (inclusive) and --until (exclusive); either may be
// empty. An empty range (since not before until) is an error, since it can
// only be a typing mistake.
func ParseRange(since, until string) (Range, error) {
	var r Range
	var err error
	if r.Since, err = ParseDate("--since", since); err != nil {
		return r, err
	}
	if r.Until, err = ParseDate("--until", until); err != nil {
		return r, err
	}
	if !r.Since.IsZero() && !r.Until.IsZero() && !r.Since.Before(r.Until) {
		return r, fmt.Errorf("--since %s is not before --until %s: the range is empty (since is inclusive, until exclusive)", since, until)
	}
	return r, nil
}

// DatesHelp is the sentence every command with --since/--until carries in
// its help.
const DatesHelp = `--since and --until take a date (YYYY-MM-DD, midnight UTC) or an RFC 3339
time (2020-01-10T15:04:05Z); since is inclusive and until exclusive, on the
article's published date: --since 2020-01-01 --until 2020-02-01 is January.`
