package feed

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestZoneAbbreviations: RSS items dated with the zone abbreviations news
// outlets use are read with their offsets, not as UTC; an unknown or an
// ambiguous abbreviation is flagged.
func TestZoneAbbreviations(t *testing.T) {
	cases := []struct {
		pubDate string
		want    time.Time
		flagged bool
	}{
		{"Tue, 03 Sep 2024 10:00:00 IRST", time.Date(2024, 9, 3, 6, 30, 0, 0, time.UTC), false},
		{"Tue, 03 Sep 2024 10:00:00 IRDT", time.Date(2024, 9, 3, 5, 30, 0, 0, time.UTC), false},
		{"Tue, 03 Sep 2024 10:00:00 MSK", time.Date(2024, 9, 3, 7, 0, 0, 0, time.UTC), false},
		{"Tue, 03 Sep 2024 10:00:00 EEST", time.Date(2024, 9, 3, 7, 0, 0, 0, time.UTC), false},
		{"Tue, 03 Dec 2024 10:00:00 EET", time.Date(2024, 12, 3, 8, 0, 0, 0, time.UTC), false},
		{"Tue, 03 Sep 2024 10:00:00 CEST", time.Date(2024, 9, 3, 8, 0, 0, 0, time.UTC), false},
		{"Tue, 03 Dec 2024 10:00:00 CET", time.Date(2024, 12, 3, 9, 0, 0, 0, time.UTC), false},
		{"Tue, 03 Sep 2024 10:00:00 GST", time.Date(2024, 9, 3, 6, 0, 0, 0, time.UTC), false},
		{"Tue, 03 Sep 2024 10:00:00 PKT", time.Date(2024, 9, 3, 5, 0, 0, 0, time.UTC), false},
		{"Tue, 03 Sep 2024 10:00:00 IST", time.Date(2024, 9, 3, 4, 30, 0, 0, time.UTC), true},
		{"Tue, 03 Sep 2024 10:00:00 JST", time.Date(2024, 9, 3, 1, 0, 0, 0, time.UTC), false},
		{"Tue, 03 Dec 2024 10:00:00 EST", time.Date(2024, 12, 3, 15, 0, 0, 0, time.UTC), false},
		{"Tue, 03 Sep 2024 10:00:00 EDT", time.Date(2024, 9, 3, 14, 0, 0, 0, time.UTC), false},
		{"Tue, 03 Dec 2024 10:00:00 PST", time.Date(2024, 12, 3, 18, 0, 0, 0, time.UTC), false},
		{"Tue, 03 Sep 2024 10:00:00 PDT", time.Date(2024, 9, 3, 17, 0, 0, 0, time.UTC), false},
		{"Tue, 03 Sep 2024 10:00:00 BST", time.Date(2024, 9, 3, 9, 0, 0, 0, time.UTC), false},
		{"Tue, 03 Sep 2024 10:00:00 GMT", time.Date(2024, 9, 3, 10, 0, 0, 0, time.UTC), false},
		{"Tue, 03 Sep 2024 10:00:00 UTC", time.Date(2024, 9, 3, 10, 0, 0, 0, time.UTC), false},
		{"Tue, 03 Sep 2024 10:00:00 +0330", time.Date(2024, 9, 3, 6, 30, 0, 0, time.UTC), false},
		{"2024-09-03 10:00:00 IRST", time.Date(2024, 9, 3, 6, 30, 0, 0, time.UTC), false},
		{"Tue, 03 Sep 2024 10:00:00 XYZT", time.Date(2024, 9, 3, 10, 0, 0, 0, time.UTC), true},
	}
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Tehran Wire</title><link>https://wire.example.ir/</link>`)
	for i, c := range cases {
		fmt.Fprintf(&b, `<item><title>Officials meet in Moscow (%d)</title><link>https://wire.example.ir/news/%d</link><guid>n%d</guid><pubDate>%s</pubDate><description>Iranian and Russian officials met on Tuesday.</description></item>`, i, i, i, c.pubDate)
	}
	b.WriteString(`</channel></rss>`)
	f, err := Parse([]byte(b.String()), "application/rss+xml", testFeedURL)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Items) != len(cases) {
		t.Fatalf("%d items, want %d", len(f.Items), len(cases))
	}
	for i, c := range cases {
		it := f.Items[i]
		if !it.Published.Equal(c.want) || it.Published.Location() != time.UTC {
			t.Errorf("%q: published %v, want %v", c.pubDate, it.Published, c.want)
		}
		if (it.DateNote != "") != c.flagged {
			t.Errorf("%q: date note %q, want flagged=%t", c.pubDate, it.DateNote, c.flagged)
		}
	}
}

// TestUnreadableDateIsFlagged: a date no layout reads is left zero (the
// caller uses the time first seen) and the item says why.
func TestUnreadableDateIsFlagged(t *testing.T) {
	body := `<rss version="2.0"><channel><title>T</title><item><title>A</title><link>https://a.example/1</link><pubDate>Sometime last week</pubDate></item></channel></rss>`
	f, err := Parse([]byte(body), "", testFeedURL)
	if err != nil {
		t.Fatal(err)
	}
	if it := f.Items[0]; !it.Published.IsZero() || !strings.Contains(it.DateNote, "Sometime last week") {
		t.Errorf("published %v, note %q; want zero and a note quoting the date", it.Published, it.DateNote)
	}
}
