package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/claimwatch/claimwatch/internal/report"
	"github.com/claimwatch/claimwatch/storage"
)

func init() { register(exportCommand) }

// exportOptions are export's flags.
type exportOptions struct {
	format, claimID, output, by string
	dates                       dateFlags
	all                         bool
}

func exportCommand(a *app) *cobra.Command {
	var o exportOptions
	cmd := &cobra.Command{
		Use:   "export evidence|status|timeline",
		Short: "Export evidence, status or timelines as CSV, JSON or JSON Lines",
		Long: `Export to standard output, or with -o to a file written whole or not at all
(a temporary file in the same directory, renamed on success; a file replaced
keeps its permissions).

CSV (the default) is RFC 4180, UTF-8, with a header row; times are RFC 3339
in UTC ("2020-01-10T12:00:00Z"). Text from the news that would start with =,
+, -, @, a tab or a carriage return is prefixed with ' so spreadsheets do
not run it as a formula. JSON is one array, JSON Lines one object per line,
both with the CSV column names and unaltered text.

evidence: ` + joinColumns(report.EvidenceColumns) + `
  (stance is the effective stance, after review; matched_terms are joined
  with "; "; --all adds evidence reviewed irrelevant and stale evidence)
status:   ` + joinColumns(report.StatusColumns) + `
timeline: ` + joinColumns(report.TimelineColumns) + `
  (per --by period; every stored claim unless --claim)

` + report.DatesHelp + `
(evidence and timeline only: status is as of now.)`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("export: say what to export: evidence, status or timeline (e.g. 'claimwatch export evidence -o evidence.csv')")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.export(cmd.Context(), args[0], o)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.format, "format", "csv", "csv, json or jsonl")
	fl.StringVar(&o.claimID, "claim", "", "only claim `ID`")
	o.dates.bind(fl)
	fl.StringVarP(&o.output, "output", "o", "", "write to `FILE` instead of standard output")
	fl.StringVar(&o.by, "by", "month", "timeline period: day, week or month")
	fl.BoolVar(&o.all, "all", false, "evidence: include evidence reviewed irrelevant and stale evidence")
	return cmd
}

// joinColumns lists column names for the help.
func joinColumns(cols []string) string {
	// Wrapped under the first line's label ("evidence: ") within 80
	// columns, with no space left at a line's end.
	const indent, width = 10, 80
	var b strings.Builder
	col := indent
	for i, c := range cols {
		switch {
		case i == 0:
		case col+len(", ")+len(c)+len(",") > width:
			b.WriteString(",\n" + strings.Repeat(" ", indent))
			col = indent
		default:
			b.WriteString(", ")
			col += len(", ")
		}
		b.WriteString(c)
		col += len(c)
	}
	return b.String()
}

// export checks every input before writing a byte, then writes.
func (a *app) export(ctx context.Context, kind string, o exportOptions) error {
	format, err := report.ParseFormat(o.format)
	if err != nil {
		return usagef("--format: %w", err)
	}
	r, err := o.dates.parse()
	if err != nil {
		return err
	}
	switch kind {
	case "evidence", "timeline":
	case "status":
		if o.dates.since != "" || o.dates.until != "" {
			return usagef("export status takes no --since or --until: status is as of now")
		}
	default:
		return usagef("export %q: want evidence, status or timeline", kind)
	}
	if kind == "timeline" {
		if err := checkPeriod(o.by); err != nil {
			return err
		}
	}
	if o.output != "" {
		if err := report.CheckOutputPath(o.output); err != nil {
			return usageError{err}
		}
	}
	s, err := a.openReadOnly(ctx)
	if err != nil {
		return err
	}
	inDB := true
	if o.claimID != "" {
		if inDB, err = a.checkClaim(ctx, s, o.claimID); err != nil {
			return err
		}
	}
	var write func(w io.Writer) (int, error)
	switch kind {
	case "evidence":
		f := storage.EvidenceFilter{ClaimID: o.claimID, Since: r.Since, Until: r.Until, IncludeIrrelevant: o.all, IncludeStale: o.all}
		write = func(w io.Writer) (int, error) { return report.ExportEvidence(ctx, s, f, format, w) }
	case "status":
		rows, err := report.Statuses(ctx, s, reportClock(), o.claimID)
		if err != nil {
			return err
		}
		write = func(w io.Writer) (int, error) { return len(rows), report.ExportStatus(w, format, rows) }
	case "timeline":
		rows, err := a.timelines(ctx, s, o, r, inDB)
		if err != nil {
			return err
		}
		write = func(w io.Writer) (int, error) { return len(rows), report.ExportTimeline(w, format, rows) }
	}
	if o.output == "" {
		bw := bufio.NewWriterSize(a.stdout, 64<<10)
		if _, err := write(bw); err != nil {
			return err
		}
		return bw.Flush()
	}
	var n int
	err = report.WriteFileAtomic(o.output, func(w io.Writer) error {
		n, err = write(w)
		return err
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stderr, "exported %d %s rows to %s\n", n, kind, o.output)
	return nil
}

// timelines gathers the timeline of --claim, or of every stored claim.
func (a *app) timelines(ctx context.Context, s *storage.Store, o exportOptions, r report.Range, inDB bool) ([]report.TimelineRow, error) {
	var ids []string
	switch {
	case o.claimID != "" && inDB:
		ids = []string{o.claimID}
	case o.claimID == "":
		stored, err := s.Claims(ctx)
		if err != nil {
			return nil, err
		}
		for _, c := range stored {
			ids = append(ids, c.ID)
		}
	}
	var out []report.TimelineRow
	for _, id := range ids {
		rows, err := s.Timeline(ctx, id, o.by, r.Since, r.Until)
		if err != nil {
			return nil, err
		}
		out = append(out, report.ClaimTimeline(id, rows)...)
	}
	return out, nil
}
