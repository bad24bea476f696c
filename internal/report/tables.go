package report

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/claimwatch/claimwatch/storage"
)

// titleWidth keeps an evidence or search row within a 120-column terminal.
const titleWidth = 60

// WriteEvidenceTable prints evidence rows for a terminal, with the ids that
// `claimwatch review` takes, each followed by its snippet wrapped to width
// and its URL: the snippet is what an analyst reads. A reviewed stance is
// starred; evidence the changed claim no longer matches is marked stale.
func WriteEvidenceTable(w io.Writer, rows []storage.EvidenceRow, width int) error {
	// The columns are aligned over all rows first, then the snippets go in
	// between (a line without tabs would end tabwriter's column block).
	var table bytes.Buffer
	tw := tabwriter.NewWriter(&table, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tPUBLISHED\tSTANCE\tCONF\tOUTLET\tTITLE")
	reviewed, doubtful := false, false
	for _, r := range rows {
		day := Day(r.PublishedAt)
		if r.DateNote != "" {
			day += "?"
			doubtful = true
		}
		stance := string(r.Stance)
		if r.Reviewed {
			stance += "*"
			reviewed = true
		}
		if r.Stale {
			stance += " (stale)"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", r.ID, day, stance,
			strconv.FormatFloat(r.Confidence, 'f', 2, 64), r.Outlet, Truncate(r.Title, titleWidth))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	const indent = "    "
	lines := strings.Split(strings.TrimSuffix(table.String(), "\n"), "\n")
	var b strings.Builder
	b.WriteString(lines[0] + "\n")
	for i, r := range rows {
		b.WriteString(lines[i+1] + "\n")
		for _, l := range Wrap(r.Snippet, width-len(indent)) {
			b.WriteString(indent + l + "\n")
		}
		b.WriteString(indent + r.URL + "\n\n")
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return err
	}
	if reviewed {
		if _, err := fmt.Fprintln(w, "* reviewed by an analyst (the machine's stance is kept: see --json)"); err != nil {
			return err
		}
	}
	if doubtful {
		if _, err := fmt.Fprintln(w, "? a date that cannot be fully trusted (evidence show ID, or date_note in --json, says why)"); err != nil {
			return err
		}
	}
	return nil
}

// SearchJSON is the JSON shape of one search hit.
type SearchJSON struct {
	ArticleID   int64  `json:"article_id"`
	PublishedAt string `json:"published_at"`
	Title       string `json:"title"`
	URL         string `json:"url"`
	Snippet     string `json:"snippet"`
}

// SearchToJSON converts a hit to its JSON shape.
func SearchToJSON(h storage.SearchHit) SearchJSON {
	return SearchJSON{ArticleID: h.ArticleID, PublishedAt: Stamp(h.PublishedAt), Title: h.Title, URL: h.URL, Snippet: h.Snippet}
}

// WriteSearchHits prints search hits for a terminal: date, title and URL,
// then the snippet with the matched words in [brackets].
func WriteSearchHits(w io.Writer, hits []storage.SearchHit) error {
	for _, h := range hits {
		if _, err := fmt.Fprintf(w, "%s  %s\n  %s\n  %s\n\n", Day(h.PublishedAt), Truncate(h.Title, titleWidth+20), h.URL, h.Snippet); err != nil {
			return err
		}
	}
	return nil
}
