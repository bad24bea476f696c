package main

import (
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/claimwatch/claimwatch/internal/report"
	"github.com/claimwatch/claimwatch/storage"
)

func init() { register(verdictCommand) }

func verdictCommand(a *app) *cobra.Command {
	var set, note, by string
	var history bool
	cmd := &cobra.Command{
		Use:   "verdict CLAIM [--set VERDICT --note TEXT [--by NAME] | --history]",
		Short: "Show, set or list the history of an analyst's verdict on a claim",
		Long: `Without flags, show a claim's current verdict. --set records a new one,
with a --note saying why (required); every change keeps the verdict, note,
author (--by, else the login name) and time, and --history lists them.

Verdicts: ` + strings.Join(storage.Verdicts, ", ") + `.
"expired" (the horizon passed without confirmation) is only ever set by an
analyst; status shows it as a suggestion.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, id := cmd.Context(), args[0]
			if set != "" && history {
				return usagef("--set and --history do not go together")
			}
			if set != "" {
				if !slices.Contains(storage.Verdicts, set) {
					return usagef("--set %q: want one of %s", set, strings.Join(storage.Verdicts, ", "))
				}
				if strings.TrimSpace(note) == "" {
					return usagef("--set needs a --note saying why")
				}
			} else if note != "" || by != "" {
				return usagef("--note and --by go with --set")
			}
			var s *storage.Store
			var err error
			if set != "" {
				s, err = a.openExisting(ctx)
			} else {
				s, err = a.openReadOnly(ctx)
			}
			if err != nil {
				return err
			}
			inDB, err := a.checkClaim(ctx, s, id)
			if err != nil {
				return err
			}
			if !inDB {
				if set != "" {
					return usagef("claim %q is not in the database yet: run 'claimwatch run --once' to sync the claim files first", id)
				}
				_, err := fmt.Fprintf(a.stdout, "%s: open (not in the database yet)\n", id)
				return err
			}
			switch {
			case set != "":
				author := report.Author(by)
				if err := s.SetVerdict(ctx, id, set, note, author); err != nil {
					return err
				}
				_, err = fmt.Fprintf(a.stdout, "%s: verdict %s, by %s\n", id, set, author)
				return err
			case history:
				return a.printVerdictHistory(cmd, s, id)
			}
			return a.printCurrentVerdict(cmd, s, id)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&set, "set", "", "record `VERDICT`: "+strings.Join(storage.Verdicts, ", "))
	fl.StringVar(&note, "note", "", "why the verdict (required with --set)")
	fl.StringVar(&by, "by", "", "record the verdict as `NAME` (default: the login name)")
	fl.BoolVar(&history, "history", false, "list every verdict given, oldest first")
	return cmd
}

func (a *app) printVerdictHistory(cmd *cobra.Command, s *storage.Store, id string) error {
	hist, err := s.VerdictHistory(cmd.Context(), id)
	if err != nil {
		return err
	}
	if len(hist) == 0 {
		_, err := fmt.Fprintf(a.stdout, "%s: no verdict given yet (open)\n", id)
		return err
	}
	tw := tabwriter.NewWriter(a.terminal(), 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "WHEN\tVERDICT\tBY\tNOTE")
	for _, v := range hist {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", report.Stamp(v.CreatedAt), v.Verdict, v.Author, v.Note)
	}
	return tw.Flush()
}

func (a *app) printCurrentVerdict(cmd *cobra.Command, s *storage.Store, id string) error {
	rows, err := report.Statuses(cmd.Context(), s, reportClock(), id)
	if err != nil {
		return err
	}
	if len(rows) != 1 {
		return fmt.Errorf("status of %s: %d rows", id, len(rows))
	}
	st := rows[0].Status
	fmt.Fprintf(a.stdout, "%s: %s", id, st.Verdict)
	if !st.VerdictAt.IsZero() {
		fmt.Fprintf(a.stdout, " (since %s)", report.Stamp(st.VerdictAt))
	}
	fmt.Fprintln(a.stdout)
	if st.SuggestExpired {
		fmt.Fprintf(a.stdout, "the horizon (%s) has passed without confirmation: consider --set expired\n", report.Day(*st.Horizon))
	}
	return nil
}
