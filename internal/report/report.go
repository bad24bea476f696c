// Package report turns what storage keeps into what analysts read: status
// rows with trend arrows, evidence and timeline tables, and exports in CSV
// (RFC 4180, spreadsheet-safe), JSON and JSON Lines that stream row by row.
//
// It owns presentation and file formats only; queries live in storage, flags
// and exit codes in cmd/claimwatch.
package report

import (
	"fmt"
	"strconv"
	"time"
)

// Format is an export file format.
type Format string

const (
	CSV   Format = "csv"
	JSON  Format = "json"  // one JSON array
	JSONL Format = "jsonl" // JSON Lines: one object per line
)

// ParseFormat accepts csv, json and jsonl.
func ParseFormat(s string) (Format, error) {
	switch f := Format(s); f {
	case CSV, JSON, JSONL:
		return f, nil
	}
	return "", fmt.Errorf("unknown format %q: want csv, json or jsonl", s)
}

// Stamp formats a time as RFC 3339 in UTC ("2020-01-10T12:00:00Z"), the one
// time format of every export; the zero time is empty.
func Stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// Day formats a date for tables; the zero time prints as "-".
func Day(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.DateOnly)
}

func itoa(n int) string     { return strconv.Itoa(n) }
func i64toa(n int64) string { return strconv.FormatInt(n, 10) }

// Truncate shortens s to at most n runes, marking the cut with "…".
func Truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
