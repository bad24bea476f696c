package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

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
			if source != "" {
				if f.Source, err = knownSource(ctx, s, source); err != nil {
					return err
				}
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
			if err := report.WriteEvidenceTable(a.terminal(), rows, report.Width(a.stdout)); err != nil {
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
	cmd.AddCommand(evidenceShowCommand(a))
	return cmd
}

// knownSource is the stored name of the source called name, compared
// case-insensitively as source names are everywhere; an unknown name is a
// usage error listing the known ones.
func knownSource(ctx context.Context, s *storage.Store, name string) (string, error) {
	names, err := s.SourceNames(ctx)
	if err != nil {
		return "", err
	}
	for _, n := range names {
		if strings.EqualFold(n, name) {
			return n, nil
		}
	}
	return "", usagef("--source %q: no such source (known: %s)", name, strings.Join(names, ", "))
}

func evidenceShowCommand(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "show ID",
		Short: "One piece of evidence in full: snippet, article, matched terms, other outlets of the story, reviews",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil || id <= 0 {
				return usagef("evidence id %q: want the number shown by 'claimwatch evidence CLAIM'", args[0])
			}
			s, err := a.openReadOnly(ctx)
			if err != nil {
				return err
			}
			row, err := s.Evidence(ctx, id)
			if err != nil {
				return notFoundAsUsage(err, fmt.Sprintf("unknown evidence id %d (ids are listed by 'claimwatch evidence CLAIM')", id))
			}
			var story []storage.StoryCopy
			if row.StoryID != 0 {
				copies, err := s.StoryCopies(ctx, row.StoryID)
				if err != nil {
					return err
				}
				for _, c := range copies {
					if c.ArticleID != row.ArticleID {
						story = append(story, c)
					}
				}
			}
			reviews, err := s.ReviewHistory(ctx, id)
			if err != nil {
				return err
			}
			return writeEvidenceDetail(a.terminal(), row, story, reviews, report.Width(a.stdout))
		},
	}
}

// dateProvenance says in words where a published date came from
// (storage.Published*), rather than the stored code ("first_seen").
func dateProvenance(flag string) string {
	switch flag {
	case storage.PublishedFeed:
		return "date from the feed"
	case storage.PublishedPage:
		return "date from the page"
	case storage.PublishedFirstSeen:
		return "no usable date: when first seen"
	case storage.PublishedFutureClamped:
		return "a date in the future: when fetched"
	}
	return "date from " + flag
}

func writeEvidenceDetail(w io.Writer, r storage.EvidenceRow, story []storage.StoryCopy, reviews []storage.Review, width int) error {
	var b strings.Builder
	stance := string(r.Stance)
	if r.Reviewed {
		stance += fmt.Sprintf(" (reviewed; the machine's: %s)", r.MachineStance)
	}
	fmt.Fprintf(&b, "evidence %d: %s, %s, confidence %.2f\n", r.ID, r.ClaimID, stance, r.Confidence)
	fmt.Fprintf(&b, "claim:      %s\n", r.ClaimStatement)
	fmt.Fprintf(&b, "title:      %s\n", r.Title)
	fmt.Fprintf(&b, "outlet:     %s (source %s)\n", r.Outlet, r.Source)
	fmt.Fprintf(&b, "published:  %s (%s)\n", report.Day(r.PublishedAt), dateProvenance(r.PublishedFlag))
	if r.DateNote != "" { // the '?' of the evidence list, explained
		fmt.Fprintf(&b, "date note:  %s\n", r.DateNote)
	}
	fmt.Fprintf(&b, "url:        %s\n", r.URL)
	fmt.Fprintf(&b, "matched:    %s\n", strings.Join(r.MatchedTerms, ", "))
	b.WriteString("snippet:\n")
	for _, l := range report.Wrap(r.Snippet, width-4) {
		b.WriteString("    " + l + "\n")
	}
	if len(story) > 0 {
		b.WriteString("the same story elsewhere:\n")
		for _, art := range story {
			fmt.Fprintf(&b, "    %s  %s  %s\n", report.Day(art.PublishedAt), art.Outlet, art.URL)
		}
	}
	if len(reviews) > 0 {
		b.WriteString("reviews:\n")
		for _, rv := range reviews {
			fmt.Fprintf(&b, "    %s  %s by %s", report.Stamp(rv.CreatedAt), rv.Stance, rv.Author)
			if rv.Note != "" {
				fmt.Fprintf(&b, ": %s", rv.Note)
			}
			b.WriteString("\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
