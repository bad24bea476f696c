package newsdate

import (
	"testing"
	"time"
)

func TestResolve(t *testing.T) {
	parse := func(layout, s string) time.Time {
		t.Helper()
		v, err := time.Parse(layout, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	cases := []struct {
		raw    string
		parsed time.Time
		want   time.Time
		noted  bool
	}{
		{"Tue, 03 Sep 2024 10:00:00 MSK", parse(time.RFC1123, "Tue, 03 Sep 2024 10:00:00 MSK"), time.Date(2024, 9, 3, 7, 0, 0, 0, time.UTC), false},
		// A numeric offset wins over the abbreviation after it.
		{"Tue, 03 Sep 2024 10:00:00 +0300 (MSK)", parse("Mon, 02 Jan 2006 15:04:05 -0700 (MST)", "Tue, 03 Sep 2024 10:00:00 +0300 (MSK)"), time.Date(2024, 9, 3, 7, 0, 0, 0, time.UTC), false},
		{"2024-09-03T10:00:00Z", parse(time.RFC3339, "2024-09-03T10:00:00Z"), time.Date(2024, 9, 3, 10, 0, 0, 0, time.UTC), false},
		// AM/PM is no zone.
		{"Sep 3, 2024 10:00:00 AM", parse("Jan 2, 2006 3:04:05 PM", "Sep 3, 2024 10:00:00 AM"), time.Date(2024, 9, 3, 10, 0, 0, 0, time.UTC), false},
		{"(MSK) 2024", time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), false},
		{"2024-09-03 10:00:00 CST", parse("2006-01-02 15:04:05 MST", "2024-09-03 10:00:00 CST"), time.Date(2024, 9, 3, 16, 0, 0, 0, time.UTC), true},
	}
	for _, c := range cases {
		got, note := Resolve(c.raw, c.parsed)
		if !got.Equal(c.want) || got.Location() != time.UTC || (note != "") != c.noted {
			t.Errorf("Resolve(%q) = %v, %q; want %v, noted=%t", c.raw, got, note, c.want, c.noted)
		}
	}
}

func TestPlausible(t *testing.T) {
	if Plausible(time.Unix(0, 0)) || Plausible(time.Date(1989, 12, 31, 23, 59, 59, 0, time.UTC)) {
		t.Error("a date before 1990 is plausible")
	}
	if !Plausible(time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Error("1990-01-01 is not plausible")
	}
}
