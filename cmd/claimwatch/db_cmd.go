package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

func init() { register(dbCommand) }

func dbCommand(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "db",
		Short: "Check, back up and prune the database (safe while the daemon runs); merge backfill shards",
		Long: `Maintenance of the SQLite database. check, backup and prune do not take the
writer lock that 'claimwatch run' holds: they work beside a running daemon
(check and backup only read; SQLite serialises prune's few writes with the
daemon's). merge writes OUT.db as run does and takes that lock, so it
refuses an OUT.db that a running claimwatch holds.`,
	}
	cmd.AddCommand(dbCheckCommand(a), dbBackupCommand(a), dbPruneCommand(a), dbMergeCommand(a))
	return cmd
}

func dbCheckCommand(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "check",
		Short: "Verify integrity, foreign keys and the full-text index; exit 1 on any problem",
		Long: `Verify the database: SQLite's integrity check (the full-text index's
structure included), foreign keys, and that the full-text index covers
exactly the articles. The check opens the file read-only: it never creates,
migrates or changes what it checks, so it works on a backup on read-only
media, and a missing or empty (0-byte) file is an error.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := a.openReadOnly(cmd.Context())
			if err != nil {
				return err
			}
			problems, err := st.Check(cmd.Context())
			if err != nil {
				return err
			}
			for _, p := range problems {
				fmt.Fprintln(a.stdout, p)
			}
			if len(problems) > 0 {
				return exitStatus{exitFailure, fmt.Errorf("database %s: %d problem(s) found", st.Path(), len(problems))}
			}
			fmt.Fprintf(a.stdout, "ok: %s passed integrity, foreign key and full-text checks\n", st.Path())
			return nil
		},
	}
}

func dbBackupCommand(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "backup FILE",
		Short: "Write a consistent copy of the database to FILE, even while the daemon writes",
		Long: `Write a consistent snapshot of the database to FILE, safe to take while
'claimwatch run' is polling. The copy is written under a temporary name in
FILE's directory, put in rollback-journal mode (one self-contained file that
opens on read-only media), compacted, verified (integrity check, and every
table's row count equal to the snapshot's), synced, and only then given its
name: an interrupted or failed backup leaves nothing under FILE. FILE must
not exist yet.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dest := args[0]
			if fileExists(dest) {
				return usagef("backup to %s: the file exists and is not overwritten", dest)
			}
			// The database first: a backup refused for it creates no directory.
			st, err := a.openReadOnly(cmd.Context())
			if err != nil {
				return err
			}
			if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
				return fmt.Errorf("backup directory: %w", err)
			}
			started := time.Now()
			if err := st.Backup(cmd.Context(), dest); err != nil {
				return err // Backup leaves nothing under dest
			}
			info, err := os.Stat(dest)
			if err != nil {
				return fmt.Errorf("backup to %s: %w", dest, err)
			}
			fmt.Fprintf(a.stdout, "backed up %s to %s (%d bytes, %s)\n", st.Path(), dest, info.Size(), time.Since(started).Round(time.Millisecond))
			return nil
		},
	}
}

func dbPruneCommand(a *app) *cobra.Command {
	var olderThan string
	cmd := &cobra.Command{
		Use:   "prune --older-than AGE",
		Short: "Drop the stored text of old articles, keeping evidence, snippets, titles and URLs",
		Long: `Clear the full text of articles first seen longer ago than AGE (90d, 12w,
or a Go duration such as 2160h). Their URLs, titles, dates, evidence, snippets,
reviews and verdicts stay; only re-matching a changed claim cannot look at
their text any more. The daemon does the same daily when retention_days is set.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			age, err := parseAge(olderThan)
			if err != nil {
				return usagef("--older-than %q: %v", olderThan, err)
			}
			st, err := a.openExisting(cmd.Context())
			if err != nil {
				return err
			}
			cutoff := time.Now().Add(-age)
			n, err := st.DropOldText(cmd.Context(), cutoff)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "dropped the text of %d article(s) first seen before %s\n", n, cutoff.UTC().Format(time.RFC3339))
			return nil
		},
	}
	cmd.Flags().StringVar(&olderThan, "older-than", "", "`AGE` of the text to drop: 90d, 12w or a duration like 2160h (required)")
	cmd.MarkFlagRequired("older-than")
	return cmd
}

// parseAge reads 90d (days), 12w (weeks) or a Go duration; it must be
// positive.
func parseAge(s string) (time.Duration, error) {
	var d time.Duration
	unit := map[byte]time.Duration{'d': 24 * time.Hour, 'w': 7 * 24 * time.Hour}
	if n := len(s); n > 1 && unit[s[n-1]] != 0 {
		count, err := strconv.Atoi(strings.TrimSpace(s[:n-1]))
		if err != nil {
			return 0, fmt.Errorf("want a whole number of days or weeks, like 90d or 12w")
		}
		d = time.Duration(count) * unit[s[n-1]]
	} else {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			return 0, fmt.Errorf("want 90d, 12w or a duration like 2160h")
		}
	}
	if d <= 0 {
		return 0, fmt.Errorf("must be positive")
	}
	return d, nil
}
