package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/claimwatch/claimwatch/internal/suggest"
)

// claimsSuggestCommand is `claims suggest`, added to the claims command.
func claimsSuggestCommand(a *app) *cobra.Command {
	var minCount, top int
	cmd := &cobra.Command{
		Use:   "suggest CLAIM",
		Short: "Propose cues and exclusions for a claim from the analyst's reviews (edits nothing)",
		Long: `Learn from the reviews of a claim's evidence which words and two-word phrases
(normalised: lower case, no accents) separate:

  - the stance the analyst chose from the matcher's, where the analyst
    overrode it to supports or contradicts (candidate stance cues), and
  - evidence reviewed irrelevant from relevant evidence (candidate
    exclusions).

Terms are looked for in each piece of evidence's matched sentence (snippet),
where a cue or an exclusion has to be to take effect, counted once per
review. Each is scored by the log-odds ratio with an informative Dirichlet
prior (Monroe, Colaresi & Quinn 2008), whose prior is the pooled counts:
a term must be frequent, and uneven, to score high.
Only terms in at least --min-count of the target reviews are listed, and
none the claim already has.

Ends with a YAML snippet of the terms with z >= 1.645 (5 %, one-sided) to
paste into the claim file; no claim file is changed. The database is opened
read-only.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if minCount < 1 {
				return usagef("--min-count %d: want 1 or more", minCount)
			}
			if top < 0 {
				return usagef("--top %d: want 0 (all) or more", top)
			}
			ctx := cmd.Context()
			s, err := a.openReadOnly(ctx)
			if err != nil {
				return err
			}
			id := args[0]
			if _, err := a.checkClaim(ctx, s, id); err != nil {
				return err
			}
			rows, err := s.ReviewedEvidence(ctx, id)
			if err != nil {
				return err
			}
			if len(rows) == 0 {
				_, err := fmt.Fprintf(a.stdout, "no reviewed evidence for %s yet: review some with 'claimwatch review ID --stance ...'\n", id)
				return err
			}
			o := suggest.Options{MinCount: minCount, Top: top}
			set, err := a.claims()
			if err != nil {
				return err
			}
			if c, err := findClaim(set, id); err == nil { // else stored but no longer loaded
				o.Skip = suggest.ClaimTerms(c)
			}
			reviews := make([]suggest.Review, 0, len(rows))
			for _, r := range rows {
				text := r.Snippet
				if text == "" {
					text = r.Title
				}
				reviews = append(reviews, suggest.Review{Text: text, Machine: r.MachineStance, Analyst: r.ReviewStance, Evidence: r.EvidenceID})
			}
			res := suggest.Suggest(reviews, o)
			fmt.Fprintf(a.stdout, "%s: %d reviewed piece(s) of evidence\n", id, len(rows))
			if err := suggest.WriteText(a.terminal(), res); err != nil {
				return err
			}
			_, err = fmt.Fprintf(a.terminal(), "\n%s", suggest.YAML(id, res))
			return err
		},
	}
	fl := cmd.Flags()
	fl.IntVar(&minCount, "min-count", 3, "list only terms in at least `N` of the target reviews")
	fl.IntVar(&top, "top", 15, "list at most `K` terms per comparison (0: all)")
	return cmd
}
