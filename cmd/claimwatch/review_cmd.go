package main

import (
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/claimwatch/claimwatch/claims"
	"github.com/claimwatch/claimwatch/internal/report"
)

func init() { register(reviewCommand) }

func reviewCommand(a *app) *cobra.Command {
	var stance, note, by string
	cmd := &cobra.Command{
		Use:   "review EVIDENCE_ID --stance supports|contradicts|mentions|irrelevant",
		Short: "Record an analyst's stance on one piece of evidence",
		Long: `Record an analyst's stance on a piece of evidence (ids come from
'claimwatch evidence CLAIM'). The analyst's stance is stored beside the
machine's, never over it, and counts in status, timelines and exports from
now on; earlier reviews stay as history. "irrelevant" takes the item out of
every count while keeping it visible with 'evidence --all'.

The review is recorded as --by, else the login name.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil || id <= 0 {
				return usagef("evidence id %q: want the number shown by 'claimwatch evidence CLAIM'", args[0])
			}
			st, err := claims.ParseStance(stance, true)
			if err != nil {
				return usagef("--stance: %w", err)
			}
			s, err := a.openExisting(cmd.Context())
			if err != nil {
				return err
			}
			author := report.Author(by)
			if err := s.Review(cmd.Context(), id, st, note, author); err != nil {
				return notFoundAsUsage(err, fmt.Sprintf("unknown evidence id %d (ids are listed by 'claimwatch evidence CLAIM')", id))
			}
			row, err := s.Evidence(cmd.Context(), id)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintf(a.terminal(), "evidence %d (%s, %q): reviewed as %s by %s; the machine's stance, %s, is kept\n",
				id, row.ClaimID, report.Truncate(row.Title, 60), st, author, row.MachineStance)
			return err
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&stance, "stance", "", "the analyst's `stance`: supports, contradicts, mentions or irrelevant (required)")
	fl.StringVar(&note, "note", "", "why, in a few words")
	fl.StringVar(&by, "by", "", "record the review as `NAME` (default: the login name)")
	cmd.MarkFlagRequired("stance")
	return cmd
}
