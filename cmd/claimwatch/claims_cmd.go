package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/claimwatch/claimwatch/claims"
	"github.com/claimwatch/claimwatch/internal/matcher"
	"github.com/claimwatch/claimwatch/internal/report"
)

func init() { register(claimsCommand) }

func claimsCommand(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "claims",
		Short: "List the loaded claims (shipped, plus --claims DIR)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			set, err := a.claims()
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(a.terminal(), 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tMADE\tHORIZON\tSTATEMENT")
			for _, c := range set {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.ID, report.Day(c.Made), horizon(c), report.Truncate(c.Statement, 80))
			}
			return tw.Flush()
		},
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "show ID",
		Short: "Show one claim: statement, source, rules and cues",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			set, err := a.claims()
			if err != nil {
				return err
			}
			c, err := findClaim(set, args[0])
			if err != nil {
				return err
			}
			printClaim(a, c)
			return nil
		},
	})
	cmd.AddCommand(&cobra.Command{
		Use:   "check FILE...",
		Short: "Validate claim files and run their examples; print every problem as file:line:column; exit 2 on errors",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			set, problems, err := claims.LoadFiles(args...)
			if err == nil {
				// The files are valid: now see that each claim gives
				// what its examples expect.
				exampleProblems, err := matcher.CheckExamples(set)
				if err != nil {
					return usageError{err}
				}
				problems = append(problems, exampleProblems...)
			}
			for _, p := range problems {
				kind := "error"
				if p.Warning {
					kind = "warning"
				}
				fmt.Fprintf(a.stdout, "%s (%s)\n", p.String(), kind)
			}
			if n := len(problems.Errors()); n > 0 {
				return usageError{fmt.Errorf("%d problem(s) in claim files: %w", n, errSilent)}
			}
			fmt.Fprintf(a.stdout, "ok: %s\n", strings.Join(args, ", "))
			return nil
		},
	})
	cmd.AddCommand(claimsSuggestCommand(a))
	return cmd
}

// findClaim looks a claim up by id; an unknown id is bad input.
func findClaim(set []claims.Claim, id string) (claims.Claim, error) {
	var ids []string
	for _, c := range set {
		if c.ID == id {
			return c, nil
		}
		ids = append(ids, c.ID)
	}
	return claims.Claim{}, usageError{fmt.Errorf("unknown claim %q (known: %s)", id, strings.Join(ids, ", "))}
}

func printClaim(a *app, c claims.Claim) {
	w := a.terminal()
	fmt.Fprintf(w, "%s\n  %s\n\n", c.ID, c.Statement)
	fmt.Fprintf(w, "made:     %s\nhorizon:  %s\n", report.Day(c.Made), horizon(c))
	if s := c.Source; s.Publisher != "" || s.Title != "" || s.URL != "" {
		fmt.Fprintf(w, "source:   %s\n", strings.Join(nonEmpty(s.Publisher, s.Title, s.URL), " — "))
	}
	if len(c.Tags) > 0 {
		fmt.Fprintf(w, "tags:     %s\n", strings.Join(c.Tags, ", "))
	}
	fmt.Fprintf(w, "file:     %s:%d\n\nterm groups:\n", c.File, c.Line)
	for _, g := range c.Groups {
		fmt.Fprintf(w, "  %-12s %s\n", g.Name, strings.Join(g.Terms, " | "))
	}
	if c.About != nil {
		printRule(w, "about (a hit is a mention)", *c.About)
	}
	printRule(w, "event", c.Rule)
	for _, d := range c.Rule.Direction {
		fmt.Fprintf(w, "  direction: %s\n", strings.Join(d, " … "))
	}
	if c.Rule.RequireDirection {
		fmt.Fprintln(w, "  (a direction form must hold)")
	}
	if len(c.Rule.Trigger) > 0 {
		fmt.Fprintf(w, "  trigger:  %s (its clause's factuality gives the stance)\n", strings.Join(c.Rule.Trigger, ", "))
	}
	fmt.Fprintf(w, "\nstance cues:\n  supports:    %s\n  contradicts: %s\n", strings.Join(c.Cues.Supports, " | "), strings.Join(c.Cues.Contradicts, " | "))
	fmt.Fprintf(w, "\nexamples: %d (claims check runs them)\n", len(c.Examples))
}

// printRule prints one of a claim's rules: its scope and its groups.
func printRule(w io.Writer, name string, r claims.Rule) {
	scope := string(r.Scope)
	if r.Scope == claims.ScopeWindow {
		scope = fmt.Sprintf("window of %d words", r.Window)
	}
	fmt.Fprintf(w, "\n%s (within one %s):\n  all of:  %s\n", name, scope, strings.Join(r.All, ", "))
	if len(r.None) > 0 {
		fmt.Fprintf(w, "  none of: %s\n", strings.Join(r.None, ", "))
	}
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

func horizon(c claims.Claim) string {
	if c.Horizon == nil {
		return "-"
	}
	return report.Day(*c.Horizon)
}
