// Package newsdate decides how far a date found in a feed or a page can be
// trusted. Go's time.Parse knows no zone abbreviation but UTC and the host's
// own: "10:00 IRST" parses as 10:00 in a made-up zone with offset zero, six
// and a half hours wrong for Tehran. Resolve reads such dates again with a
// table of the abbreviations news sites use, and says when a date is a
// guess. Plausible rejects dates no news article can have.
package newsdate

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// zone is an abbreviation's offset; ambiguous marks an abbreviation with
// another common reading, whose dates are used but flagged.
type zone struct {
	offset    int // seconds east of UTC
	ambiguous string
}

const hour = 3600

// zones are the abbreviations found in news feeds, read the way the outlets
// that use them mean them. Ambiguous ones take their most common reading in
// news and are flagged:
//   - IST is India (+05:30), the reading of Indian and Pakistani outlets,
//     which publish far more with it than Israeli (+02:00) or Irish (+01:00)
//     ones;
//   - CST is US Central (-06:00), not China (+08:00), as in gofeed;
//   - AST is Arabia (+03:00), for Gulf outlets, not Atlantic (-04:00).
//
// BST (British Summer Time) and GST (Gulf, +04:00) are taken as certain.
var zones = map[string]zone{
	"UT": {0, ""}, "UTC": {0, ""}, "GMT": {0, ""}, "Z": {0, ""},
	"WET": {0, ""}, "WEST": {1 * hour, ""}, "BST": {1 * hour, ""},
	"CET": {1 * hour, ""}, "CEST": {2 * hour, ""}, "MET": {1 * hour, ""}, "MEST": {2 * hour, ""},
	"WAT": {1 * hour, ""}, "CAT": {2 * hour, ""}, "SAST": {2 * hour, ""}, "EAT": {3 * hour, ""},
	"EET": {2 * hour, ""}, "EEST": {3 * hour, ""}, "IDT": {3 * hour, ""},
	"MSK": {3 * hour, ""}, "MSD": {4 * hour, ""}, "TRT": {3 * hour, ""},
	"AST":  {3 * hour, "AST read as Arabia Standard Time, +03:00 (also Atlantic, -04:00)"},
	"IRST": {3*hour + 1800, ""}, "IRDT": {4*hour + 1800, ""},
	"GST": {4 * hour, ""}, "AZT": {4 * hour, ""}, "AMT": {4 * hour, ""}, "GET": {4 * hour, ""},
	"AFT": {4*hour + 1800, ""},
	"PKT": {5 * hour, ""}, "UZT": {5 * hour, ""},
	"IST": {5*hour + 1800, "IST read as India Standard Time, +05:30 (also Israel, +02:00; Ireland, +01:00)"},
	"NPT": {5*hour + 2700, ""},
	"ICT": {7 * hour, ""}, "WIB": {7 * hour, ""},
	"HKT": {8 * hour, ""}, "SGT": {8 * hour, ""}, "PHT": {8 * hour, ""}, "AWST": {8 * hour, ""},
	"JST": {9 * hour, ""}, "KST": {9 * hour, ""},
	"AEST": {10 * hour, ""}, "AEDT": {11 * hour, ""},
	"NZST": {12 * hour, ""}, "NZDT": {13 * hour, ""},
	"EST": {-5 * hour, ""}, "EDT": {-4 * hour, ""},
	"CST": {-6 * hour, "CST read as US Central Standard Time, -06:00 (also China, +08:00)"},
	"CDT": {-5 * hour, ""},
	"MST": {-7 * hour, ""}, "MDT": {-6 * hour, ""},
	"PST": {-8 * hour, ""}, "PDT": {-7 * hour, ""},
	"AKST": {-9 * hour, ""}, "AKDT": {-8 * hour, ""}, "HST": {-10 * hour, ""},
}

// zoneTail splits a date that ends in a zone abbreviation ("… 10:00:00
// IRST", "… 10:00 (MSK)") into the date and time before it and the
// abbreviation.
var zoneTail = regexp.MustCompile(`^(.*\d)\s*\(?([A-Za-z]{1,6})\)?$`)

// numericOffset matches a date and time ending in a numeric UTC offset,
// which is authoritative whatever abbreviation follows it.
var numericOffset = regexp.MustCompile(`(?:[+-]\d{2}:?\d{2}|GMT[+-]\d{1,4})$`)

// wallLayouts read the date and time before a zone abbreviation.
var wallLayouts = []string{
	"Mon, 02 Jan 2006 15:04:05",
	"Mon, 2 Jan 2006 15:04:05",
	"Mon, 02 Jan 2006 15:04",
	"Mon, 2 Jan 2006 15:04",
	"Mon, 02 Jan 06 15:04:05",
	"Monday, 02-Jan-06 15:04:05",
	"Monday, 2 January 2006 15:04:05",
	"Mon, 2 January 2006 15:04:05",
	"Mon, January 2, 2006 15:04:05",
	"02 Jan 2006 15:04:05",
	"2 Jan 2006 15:04:05",
	"02 Jan 2006 15:04",
	"2 January 2006 15:04:05",
	"January 2, 2006 15:04:05",
	"Jan 2, 2006 15:04:05",
	"2006-01-02 15:04:05",
	"2006-01-02T15:04:05",
	"2006-01-02 15:04",
	"2006-01-02T15:04",
	"2006-01-02T15:04:05.999999999",
}

// Resolve returns the time raw names, in UTC. parsed is what a feed or page
// parser made of raw: it is kept when raw carries a numeric offset or no
// zone abbreviation, and otherwise read again, the wall clock in raw taken
// in the abbreviation's zone from the table. The note says why the date
// cannot be fully trusted (an unknown or ambiguous abbreviation) and is
// empty when it can.
func Resolve(raw string, parsed time.Time) (time.Time, string) {
	raw = strings.TrimSpace(raw)
	m := zoneTail.FindStringSubmatch(raw)
	if parsed.IsZero() || m == nil || numericOffset.MatchString(strings.TrimSpace(m[1])) {
		return parsed.UTC(), ""
	}
	wall, abbr := strings.TrimSpace(m[1]), strings.ToUpper(m[2])
	if abbr == "AM" || abbr == "PM" {
		return parsed.UTC(), ""
	}
	z, known := zones[abbr]
	if !known {
		if len(abbr) < 2 {
			return parsed.UTC(), "" // a military letter zone, or no zone at all
		}
		return parsed.UTC(), fmt.Sprintf("unknown time zone %q read as UTC", m[2])
	}
	for _, layout := range wallLayouts {
		if t, err := time.Parse(layout, wall); err == nil {
			return t.Add(-time.Duration(z.offset) * time.Second).UTC(), z.ambiguous
		}
	}
	return parsed.UTC(), z.ambiguous // a form we do not know: the parser's reading
}

// Earliest is the oldest publication date claimwatch believes: the claims
// it watches were made decades later, and older dates in feeds are
// placeholders (0001-01-01, the Unix epoch) or typos, not history.
var Earliest = time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)

// Plausible reports whether t can be an article's publication date. Dates
// in the future are the caller's business (they are clamped to the fetch
// time).
func Plausible(t time.Time) bool { return !t.Before(Earliest) }
