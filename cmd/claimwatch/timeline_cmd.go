package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/claimwatch/claimwatch/internal/report"
)

func init() { register(timelineCommand) }

func timelineCommand(a *app) *cobra.Command {
	var (
		by     string
		dates  dateFlags
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "timeline CLAIM",
		Short: "A claim's evidence per day, week or month and stance",
		Long: `Count a claim's evidence per period of publication (--by day, week starting
Monday, or month; UTC) and effective stance, leaving out evidence reviewed
irrelevant and stale evidence. Periods without evidence show as zero. On a
terminal each period also gets a bar.

` + report.DatesHelp + `

With --json, prints JSON Lines with the columns of 'export timeline'.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, id := cmd.Context(), args[0]
			if err := checkPeriod(by); err != nil {
				return err
			}
			r, err := dates.parse()
			if err != nil {
				return err
			}
			s, err := a.openReadOnly(ctx)
			if err != nil {
				return err
			}
			inDB, err := a.checkClaim(ctx, s, id)
			if err != nil {
				return err
			}
			if !inDB {
				_, err := fmt.Fprintf(a.stdout, "no evidence for %s yet (not in the database)\n", id)
				return err
			}
			rows, err := s.Timeline(ctx, id, by, r.Since, r.Until)
			if err != nil {
				return err
			}
			if asJSON {
				return encodeLines(a, report.ClaimTimeline(id, rows), report.TimelineToJSON)
			}
			if len(rows) == 0 {
				_, err := fmt.Fprintf(a.stdout, "no evidence for %s in this range\n", id)
				return err
			}
			return report.WriteTimelineTable(a.terminal(), rows, isTerminal(a.stdout))
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&by, "by", "month", "period: day, week or month")
	dates.bind(fl)
	fl.BoolVar(&asJSON, "json", false, "print JSON Lines, one object per period")
	return cmd
}

func checkPeriod(by string) error {
	switch by {
	case "day", "week", "month":
		return nil
	}
	return usagef("--by %q: want day, week or month", by)
}
