package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/claimwatch/claimwatch/internal/report"
	"github.com/claimwatch/claimwatch/storage"
)

func init() { register(searchCommand) }

func searchCommand(a *app) *cobra.Command {
	var (
		claimID, since, until string
		limit                 int
		asJSON                bool
	)
	cmd := &cobra.Command{
		Use:   "search QUERY",
		Short: "Full-text search over stored articles, with the matches highlighted",
		Long: `Search the titles and texts of stored articles, best matches first. The
query is SQLite FTS5 syntax: words (all must occur), "exact phrases", OR,
NOT, prefix* and parentheses; words are matched without regard to case or
accents. Hyphenated names outside quotes (Su-35, S-400) are searched as
phrases. In snippets the matched words are in [brackets].

--claim keeps articles that are evidence for that claim.

` + report.DatesHelp + `

A query is at most 1000 bytes and 64 words or phrases, and a search may
take 15 seconds; past these bounds it is refused with a sentence saying so
(exit 2 for the query, 1 for the time).

With --json, prints JSON Lines: article_id, published_at, title, url, snippet.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			o := storage.SearchOptions{ClaimID: claimID, Limit: limit}
			if limit <= 0 {
				return usagef("--limit %d: want 1 or more", limit)
			}
			r, err := report.ParseRange(since, until)
			if err != nil {
				return asUsage(err)
			}
			o.Since, o.Until = r.Since, r.Until
			s, err := a.openReadOnly(ctx)
			if err != nil {
				return err
			}
			if claimID != "" {
				if _, err := a.checkClaim(ctx, s, claimID); err != nil {
					return err
				}
			}
			hits, err := s.Search(ctx, strings.Join(args, " "), o)
			if errors.Is(err, storage.ErrBadQuery) {
				return usageError{err}
			}
			if err != nil {
				return err
			}
			if asJSON {
				return encodeLines(a, hits, report.SearchToJSON)
			}
			if len(hits) == 0 {
				_, err := fmt.Fprintln(a.stdout, "no articles match")
				return err
			}
			return report.WriteSearchHits(a.terminal(), hits)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&claimID, "claim", "", "only articles that are evidence for claim `ID`")
	fl.StringVar(&since, "since", "", "only articles published at or after `DATE` (YYYY-MM-DD or RFC 3339; inclusive)")
	fl.StringVar(&until, "until", "", "only articles published before `DATE` (YYYY-MM-DD or RFC 3339; exclusive)")
	fl.IntVar(&limit, "limit", 20, "show at most `N` articles")
	fl.BoolVar(&asJSON, "json", false, "print JSON Lines, one object per article")
	return cmd
}
