package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/claimwatch/claimwatch/claims"
	"github.com/claimwatch/claimwatch/internal/report"
	"github.com/claimwatch/claimwatch/storage"
)

func init() { register(evidenceCommand) }

// defaultEvidenceLimit keeps a terminal listing readable; --limit 0 lifts it.
const defaultEvidenceLimit = 50

func evidenceCommand(a *app) *cobra.Command {
	var (
		stance, source string
		dates          dateFlags
		limit          int
		all, asJSON    bool
	)
	cmd := &cobra.Command{
		Use:   "evidence CLAIM",
		Short: "List a claim's evidence, newest first, with the ids 'review' takes",
		Long: `List the evidence stored for a claim, newest first (by published date).

STANCE is the effective stance: the analyst's review if any (starred), else
the machine's. Evidence reviewed irrelevant, and evidence the claim no longer
matches since it changed (stale), is hidden unless --all is given.

` + report.DatesHelp + `

With --json, prints JSON Lines with the columns of 'export evidence'.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			f := storage.EvidenceFilter{ClaimID: args[0], Source: source, Limit: limit, IncludeIrrelevant: all, IncludeStale: all}
			if stance != "" {
				st, err := claims.ParseStance(stance, true)
				if err != nil {
					return usagef("--stance: %w", err)
				}
				f.Stance = st
			}
			if limit < 0 {
				return usagef("--limit %d: want 0 (no limit) or more", limit)
			}
			r, err := dates.parse()
			if err != nil {
				return err
			}
			f.Since, f.Until = r.Since, r.Until
			s, err := a.openReadOnly(ctx)
			if err != nil {
				return err
			}
			if _, err := a.checkClaim(ctx, s, args[0]); err != nil {
				return err
			}
			rows, err := s.ListEvidence(ctx, f)
			if err != nil {
				return err
			}
			if asJSON {
				return encodeLines(a, rows, report.EvidenceToJSON)
			}
			if len(rows) == 0 {
				_, err := fmt.Fprintf(a.stdout, "no evidence for %s matches\n", args[0])
				return err
			}
			if err := report.WriteEvidenceTable(a.terminal(), rows); err != nil {
				return err
			}
			if limit > 0 && len(rows) == limit {
				fmt.Fprintf(a.stderr, "(the newest %d shown: --limit 0 lists all)\n", limit)
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&stance, "stance", "", "only evidence of this effective `stance`: supports, contradicts, mentions or irrelevant")
	dates.bind(fl)
	fl.StringVar(&source, "source", "", "only evidence from the source called `NAME`")
	fl.IntVar(&limit, "limit", defaultEvidenceLimit, "show at most `N` items (0: all)")
	fl.BoolVar(&all, "all", false, "include evidence reviewed irrelevant and stale evidence")
	fl.BoolVar(&asJSON, "json", false, "print JSON Lines, one object per evidence item")
	return cmd
}
