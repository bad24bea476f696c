package main

import "time"

// day formats a date for tables; the zero time prints as "-".
func day(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02")
}

// stamp formats a time as ISO 8601 UTC, the one format of every export.
func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
