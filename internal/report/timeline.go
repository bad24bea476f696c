package report

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/claimwatch/claimwatch/storage"
)

// TimelineRow is one claim's evidence counts in one period.
type TimelineRow struct {
	ClaimID string
	storage.TimelineRow
}

// Total is the counted evidence of the period, all stances.
func (r TimelineRow) Total() int { return r.Supports + r.Contradicts + r.Mentions }

// TimelineColumns are the timeline export's columns, in order.
var TimelineColumns = []string{"claim_id", "period", "supports", "contradicts", "mentions", "total"}

// TimelineJSON is the JSON shape of one timeline row.
type TimelineJSON struct {
	ClaimID     string `json:"claim_id"`
	Period      string `json:"period"`
	Supports    int    `json:"supports"`
	Contradicts int    `json:"contradicts"`
	Mentions    int    `json:"mentions"`
	Total       int    `json:"total"`
}

// ClaimTimeline labels storage's timeline rows with their claim.
func ClaimTimeline(claimID string, rows []storage.TimelineRow) []TimelineRow {
	out := make([]TimelineRow, len(rows))
	for i, r := range rows {
		out[i] = TimelineRow{ClaimID: claimID, TimelineRow: r}
	}
	return out
}

// TimelineToJSON converts a row to its JSON shape.
func TimelineToJSON(r TimelineRow) TimelineJSON {
	return TimelineJSON{ClaimID: r.ClaimID, Period: r.Period, Supports: r.Supports,
		Contradicts: r.Contradicts, Mentions: r.Mentions, Total: r.Total()}
}

type timelineRecord TimelineRow

func (r timelineRecord) jsonValue() any { return TimelineToJSON(TimelineRow(r)) }

func (r timelineRecord) csvCells(buf []string) []string {
	return append(buf, Inert(r.ClaimID), r.Period, itoa(r.Supports), itoa(r.Contradicts), itoa(r.Mentions),
		itoa(TimelineRow(r).Total()))
}

// ExportTimeline writes timeline rows in format.
func ExportTimeline(w io.Writer, format Format, rows []TimelineRow) error {
	recs := make([]timelineRecord, len(rows))
	for i, r := range rows {
		recs[i] = timelineRecord(r)
	}
	if err := writeAll(w, format, TimelineColumns, recs); err != nil {
		return fmt.Errorf("export timeline: %w", err)
	}
	return nil
}

// barWidth is the longest bar of the timeline chart, in characters.
const barWidth = 40

// Bar glyphs, one per stance.
const (
	barSupports    = "█"
	barContradicts = "▒"
	barMentions    = "·"
)

// WriteTimelineTable prints a claim's timeline; with bars, each period also
// gets a bar of its counts, scaled to the busiest period, and a legend.
func WriteTimelineTable(w io.Writer, rows []storage.TimelineRow, bars bool) error {
	peak := 0
	for _, r := range rows {
		peak = max(peak, r.Supports+r.Contradicts+r.Mentions)
	}
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	header := "PERIOD\tSUP\tCON\tMEN\tTOTAL"
	if bars {
		header += "\t"
	}
	fmt.Fprintln(tw, header)
	for _, r := range rows {
		total := r.Supports + r.Contradicts + r.Mentions
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d", r.Period, r.Supports, r.Contradicts, r.Mentions, total)
		if bars {
			fmt.Fprintf(tw, "\t%s", Bar(r, peak, barWidth))
		}
		fmt.Fprintln(tw)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if bars && peak > 0 {
		_, err := fmt.Fprintf(w, "\n%s supports  %s contradicts  %s mentions  (longest bar: %d)\n",
			barSupports, barContradicts, barMentions, peak)
		return err
	}
	return nil
}

// Bar draws one period's counts as a bar of about width characters at the peak,
// one segment per stance; a non-zero count never disappears.
func Bar(r storage.TimelineRow, peak, width int) string {
	if peak <= 0 {
		return ""
	}
	seg := func(n int) int {
		if n == 0 {
			return 0
		}
		return max(1, (n*width+peak/2)/peak)
	}
	return strings.Repeat(barSupports, seg(r.Supports)) +
		strings.Repeat(barContradicts, seg(r.Contradicts)) +
		strings.Repeat(barMentions, seg(r.Mentions))
}
