package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/claimwatch/claimwatch/internal/report"
	"github.com/claimwatch/claimwatch/storage"
)

func init() { register(statusCommand) }

// reportClock ends the trend windows of status; tests fix it.
var reportClock = time.Now

func statusCommand(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "status [CLAIM]",
		Short: "One row per claim (or only CLAIM): verdict, evidence counts, stories, outlets, last evidence, trend",
		Long: `Show every stored claim's verdict and computed signal.

SUP, CON and MEN count evidence by stance, after analysts' reviews; evidence
reviewed irrelevant, and evidence a changed claim no longer matches, is not
counted. STORIES counts syndicated copies once, OUTLETS distinct hosts. LAST
is the newest counted evidence. TREND compares the evidence of the last 30
(and 90) days with the 30 (90) days before: ↑ more, ↓ less, → the same.
"open (expired?)" means the claim's horizon has passed without a verdict of
confirmed: a suggestion to the analyst ('claimwatch verdict ID --set ...'),
never set by itself.

With --json, prints JSON Lines with the columns of 'export status'.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := a.openReadOnly(cmd.Context())
			if err != nil {
				return err
			}
			only := ""
			if len(args) == 1 {
				only = args[0]
				if _, err := a.checkClaim(cmd.Context(), s, only); err != nil {
					return err
				}
			}
			rows, err := report.Statuses(cmd.Context(), s, reportClock(), only)
			if err != nil {
				return err
			}
			if asJSON {
				return encodeLines(a, rows, report.StatusToJSON)
			}
			if len(rows) == 0 {
				_, err := fmt.Fprintln(a.stdout, "no claims in the database yet (run 'claimwatch run --once')")
				return err
			}
			return report.WriteStatusTable(a.terminal(), rows)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON Lines, one object per claim")
	return cmd
}

// The helpers below are shared by the report commands (status, evidence,
// review, verdict, search, timeline, export).

// encodeLines prints rows as JSON Lines, converted by toJSON.
func encodeLines[R, J any](a *app, rows []R, toJSON func(R) J) error {
	enc := json.NewEncoder(a.stdout)
	enc.SetEscapeHTML(false)
	for _, r := range rows {
		if err := enc.Encode(toJSON(r)); err != nil {
			return err
		}
	}
	return nil
}

// dateFlags are --since and --until.
type dateFlags struct{ since, until string }

func (d *dateFlags) bind(fs *pflag.FlagSet) {
	fs.StringVar(&d.since, "since", "", "only evidence published at or after `DATE` (YYYY-MM-DD or RFC 3339; inclusive)")
	fs.StringVar(&d.until, "until", "", "only evidence published before `DATE` (YYYY-MM-DD or RFC 3339; exclusive)")
}

func (d *dateFlags) parse() (report.Range, error) {
	r, err := report.ParseRange(d.since, d.until)
	return r, asUsage(err)
}

// checkClaim accepts a claim id the database knows (retired claims
// included) or the loaded claim files define; inDB is false for a claim
// defined in the files but not yet synced by a run. Any other id is bad
// input, answered with the known ids.
func (a *app) checkClaim(ctx context.Context, s *storage.Store, id string) (inDB bool, err error) {
	stored, err := s.Claims(ctx)
	if err != nil {
		return false, err
	}
	var known []string
	for _, c := range stored {
		if c.ID == id {
			return true, nil
		}
		known = append(known, c.ID)
	}
	set, err := a.claims()
	if err != nil {
		return false, err
	}
	for _, c := range set {
		if c.ID == id {
			return false, nil
		}
		known = append(known, c.ID)
	}
	slices.Sort(known)
	return false, usagef("unknown claim %q (known: %s)", id, strings.Join(slices.Compact(known), ", "))
}

// notFoundAsUsage turns storage.ErrNotFound into bad input with msg.
func notFoundAsUsage(err error, msg string) error {
	if errors.Is(err, storage.ErrNotFound) {
		return usageError{errors.New(msg)}
	}
	return err
}
