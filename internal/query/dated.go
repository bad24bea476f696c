package query

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Window is a date range [From, To) of a dated search (backfill).
type Window struct{ From, To time.Time }

func (w Window) String() string {
	return w.From.Format(time.DateOnly) + ".." + w.To.Format(time.DateOnly)
}

// Months splits [since, until) into calendar-month windows (the first and
// last cut to the range), dates in UTC.
func Months(since, until time.Time) []Window {
	since, until = day(since), day(until)
	var out []Window
	for from := since; from.Before(until); {
		next := time.Date(from.Year(), from.Month()+1, 1, 0, 0, 0, 0, time.UTC)
		if next.After(until) {
			next = until
		}
		out = append(out, Window{from, next})
		from = next
	}
	return out
}

// Halves splits a window in two at a day boundary; ok is false for a
// window of one day, which cannot be narrowed.
func (w Window) Halves() (Window, Window, bool) {
	days := int(w.To.Sub(w.From).Hours() / 24)
	if days < 2 {
		return w, Window{}, false
	}
	mid := w.From.AddDate(0, 0, days/2)
	return Window{w.From, mid}, Window{mid, w.To}, true
}

func day(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// ErrNoDates: the search cannot be limited to a date range.
var ErrNoDates = errors.New("this search has no date operators: use google-news, gdelt, gdelt-json, or a template with {from} and {to}")

// gdeltStart is where GDELT DOC's article list begins.
var gdeltStart = time.Date(2017, 1, 1, 0, 0, 0, 0, time.UTC)

// MaxResults is how many results one search of the template returns at
// most: a window that returns as many may have had more, and is narrowed.
func MaxResults(template string) int {
	if template == GDELT || template == GDELTJSON {
		return gdeltMaxRecords
	}
	return 100 // Google News, and what a custom template is taken to give
}

const gdeltMaxRecords = 250

// Dated limits a search URL built by Build from template to a window:
// Google News gets after:/before: in its query, GDELT DOC startdatetime and
// enddatetime (and its largest page), a custom template its {from} and
// {to} (YYYY-MM-DD). ok is false when the engine has nothing in the window
// (GDELT before 2017).
func Dated(template, searchURL string, w Window) (dated string, ok bool, err error) {
	switch template {
	case GoogleNews:
		u, err := url.Parse(searchURL)
		if err != nil {
			return "", false, fmt.Errorf("dated search %s: %w", searchURL, err)
		}
		v := u.Query()
		// after: and before: name days outside the range.
		v.Set("q", v.Get("q")+" after:"+w.From.AddDate(0, 0, -1).Format(time.DateOnly)+" before:"+w.To.Format(time.DateOnly))
		u.RawQuery = v.Encode()
		return u.String(), true, nil
	case GDELT, GDELTJSON:
		if !w.To.After(gdeltStart) {
			return "", false, nil
		}
		from := w.From
		if from.Before(gdeltStart) {
			from = gdeltStart
		}
		u, err := url.Parse(searchURL)
		if err != nil {
			return "", false, fmt.Errorf("dated search %s: %w", searchURL, err)
		}
		v := u.Query()
		v.Del("timespan")
		v.Set("startdatetime", from.Format("20060102150405"))
		v.Set("enddatetime", w.To.Add(-time.Second).Format("20060102150405"))
		v.Set("maxrecords", fmt.Sprint(gdeltMaxRecords))
		u.RawQuery = v.Encode()
		return u.String(), true, nil
	}
	if !strings.Contains(searchURL, "{from}") || !strings.Contains(searchURL, "{to}") {
		return "", false, ErrNoDates
	}
	r := strings.NewReplacer("{from}", w.From.Format(time.DateOnly), "{to}", w.To.Format(time.DateOnly))
	return r.Replace(searchURL), true, nil
}
