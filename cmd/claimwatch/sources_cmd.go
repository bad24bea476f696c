package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/claimwatch/claimwatch/claims"
	"github.com/claimwatch/claimwatch/internal/config"
	"github.com/claimwatch/claimwatch/internal/ingest"
	"github.com/claimwatch/claimwatch/internal/matcher"
	"github.com/claimwatch/claimwatch/internal/opml"
	"github.com/claimwatch/claimwatch/internal/report"
	"github.com/claimwatch/claimwatch/storage"
)

func init() { register(sourcesCommand) }

func sourcesCommand(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sources",
		Short: "List, add, remove, import, export and test news sources",
		Long: `Sources come from the config file (or the embedded defaults) and from
'sources add' / 'sources import-opml', which store them in the database. Both
kinds are polled side by side; when both define the same name, the config file
wins (it is what an operator reviews and versions).`,
	}
	cmd.AddCommand(sourcesListCommand(a), sourcesAddCommand(a), sourcesRemoveCommand(a),
		sourcesImportCommand(a), sourcesExportCommand(a), sourcesTestCommand(a))
	return cmd
}

// sourceView lists the sources a run would poll — the config file's and the
// added ones, the config winning a name clash — with their stored state. It
// changes nothing: only a run, holding the writer lock, stores the config's
// sources, so `sources list` with another --config cannot disturb a daemon.
func (a *app) sourceView(ctx context.Context) ([]storage.SourceWithState, error) {
	cfg, err := a.config()
	if err != nil {
		return nil, err
	}
	path, err := a.resolvedDBPath()
	if err != nil {
		return nil, err
	}
	stored := map[string]storage.SourceWithState{}
	if fileExists(path) {
		st, err := a.openReadOnly(ctx)
		if err != nil {
			return nil, err
		}
		all, err := st.ListSources(ctx)
		if err != nil {
			return nil, err
		}
		for _, s := range all {
			stored[strings.ToLower(s.Name)] = s
		}
	}
	var view []storage.SourceWithState
	for _, s := range cfg.Sources {
		row := storage.SourceWithState{Source: storage.Source{Name: s.Name, URL: s.URL, Kind: string(s.Kind), FromConfig: true, Enabled: s.Enabled}}
		if prev, ok := stored[strings.ToLower(s.Name)]; ok {
			row.State = prev.State
		}
		view = append(view, row)
	}
	for _, s := range stored {
		if _, inConfig := cfg.Source(s.Name); !s.FromConfig && !inConfig {
			view = append(view, s)
		}
	}
	sort.Slice(view, func(i, j int) bool { return strings.ToLower(view[i].Name) < strings.ToLower(view[j].Name) })
	return view, nil
}

func sourcesListCommand(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "Every source with its last success, last error, error count and next due time",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			all, err := a.sourceView(cmd.Context())
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(a.stdout)
				for _, s := range all {
					if err := enc.Encode(sourceJSON(s)); err != nil {
						return err
					}
				}
				return nil
			}
			tw := tabwriter.NewWriter(a.terminal(), 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tKIND\tFROM\tENABLED\tLAST POLL\tLAST SUCCESS\tERRORS\tNEXT DUE\tLAST ERROR")
			for _, s := range all {
				from := "added"
				if s.FromConfig {
					from = "config"
				}
				next := s.State.NextDue
				if s.State.BackoffUntil.After(next) {
					next = s.State.BackoffUntil
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%t\t%s\t%s\t%d\t%s\t%s\n", s.Name, s.Kind, from, s.Enabled,
					orDash(s.State.LastOutcome), when(s.State.LastSuccess), s.State.ErrorCount, when(next), report.Truncate(s.State.LastError, 60))
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON Lines")
	return cmd
}

// configOrigin names where the configuration came from: the config file,
// or the embedded defaults when no config file is given (their
// "defaults.yaml" is no file the operator could edit).
func configOrigin(configPath, file string) string {
	if configPath == "" {
		return "the embedded defaults (no --config)"
	}
	return "the config file " + file
}

// shellQuote quotes a source name for a command line to copy, when it holds
// more than letters, digits and a few safe characters.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.,:/@+=") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// when formats a time for a table as every other table and export does
// (RFC 3339 in UTC, so no reader takes it for local time); zero is "-".
func when(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return report.Stamp(t)
}

func sourceJSON(s storage.SourceWithState) map[string]any {
	return map[string]any{
		"name": s.Name, "url": s.URL, "kind": s.Kind, "from_config": s.FromConfig, "enabled": s.Enabled,
		"last_success": report.Stamp(s.State.LastSuccess), "last_attempt": report.Stamp(s.State.LastAttempt),
		"last_error": s.State.LastError, "error_count": s.State.ErrorCount, "last_status": s.State.LastStatus,
		"last_outcome":  s.State.LastOutcome,
		"backoff_until": report.Stamp(s.State.BackoffUntil), "next_due": report.Stamp(s.State.NextDue),
	}
}

// sourceFlags are the settings of `sources add` and `sources test`.
type sourceFlags struct {
	name, kind, schedule, fetchArticles string
	tags                                []string
	weight                              float64
	links, title, date                  string
	template                            string
	claims                              []string
}

func (f *sourceFlags) bind(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.name, "name", "", "source name (default: the URL's host)")
	fl.StringVar(&f.kind, "kind", "feed", "feed, page, query or sitemap")
	fl.StringVar(&f.schedule, "schedule", "", "cron spec or @every 30m (default: the config's default_schedule)")
	fl.StringVar(&f.fetchArticles, "fetch-articles", "auto", "auto, always or never")
	fl.StringSliceVar(&f.tags, "tag", nil, "tag (repeatable)")
	fl.Float64Var(&f.weight, "weight", 1, "how much the analyst trusts the source (0 < w <= 10)")
	fl.StringVar(&f.links, "links", "", "kind page: CSS selector of the article links")
	fl.StringVar(&f.title, "title-selector", "", "kind page: CSS selector of a link's title")
	fl.StringVar(&f.date, "date-selector", "", "kind page: CSS selector of a link's date")
	fl.StringVar(&f.template, "template", "", "kind query: google-news, gdelt, gdelt-json or a URL with {query}")
	fl.StringSliceVar(&f.claims, "claim", nil, "kind query: claim id to watch (repeatable; default all)")
}

// source builds and validates a source from the flags.
func (f *sourceFlags) source(cfg *config.Config, rawURL string) (config.Source, error) {
	src := config.Source{
		Name: f.name, URL: rawURL, Kind: config.Kind(f.kind), Schedule: f.schedule,
		FetchArticles: config.FetchArticles(f.fetchArticles), Tags: f.tags, Weight: f.weight, Enabled: true,
	}
	if src.Name == "" {
		if u, err := url.Parse(rawURL); err == nil && u.Host != "" {
			src.Name = strings.TrimPrefix(u.Hostname(), "www.")
		} else {
			src.Name = rawURL
		}
	}
	if src.Schedule == "" {
		src.Schedule = cfg.DefaultSchedule
	}
	switch src.Kind {
	case config.KindPage:
		src.Page = &config.Page{Links: f.links, Title: f.title, Date: f.date}
	case config.KindQuery:
		src.Query = &config.Query{Template: f.template, Claims: f.claims}
		src.URL = ""
	}
	if err := src.Validate(); err != nil {
		return src, usageError{err}
	}
	return src, nil
}

func storeAdded(ctx context.Context, st *storage.Store, src config.Source) error {
	raw, err := json.Marshal(src)
	if err != nil {
		return err
	}
	return st.UpsertSource(ctx, storage.Source{Name: src.Name, URL: src.URL, Kind: string(src.Kind), Config: raw, Enabled: src.Enabled})
}

// daemonHint follows a change to the added sources: the next run --once
// sees it, but a daemon reads the sources only at start and at SIGHUP.
const daemonHint = "run --once sees this at its next pass; a running daemon (claimwatch run) after a reload (kill -HUP PID) or a restart"

func sourcesAddCommand(a *app) *cobra.Command {
	var f sourceFlags
	cmd := &cobra.Command{
		Use:   "add URL",
		Short: "Add a source to the database (the config file wins on a name clash)",
		Long: `Add a source to the database (the config file wins on a name clash).

The next 'run --once' polls it; a running daemon reads the sources only at
start and on SIGHUP, so reload it (kill -HUP PID) or restart it.`,
		Args: cobra.RangeArgs(0, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := a.config()
			if err != nil {
				return err
			}
			rawURL := ""
			if len(args) == 1 {
				rawURL = args[0]
			} else if f.kind != string(config.KindQuery) {
				return usagef("sources add: a URL is required for kind %s", f.kind)
			}
			src, err := f.source(cfg, rawURL)
			if err != nil {
				return err
			}
			if _, ok := cfg.Source(src.Name); ok {
				return usagef("sources add: a source named %q is already defined in %s, and it would win; choose another --name", src.Name, configOrigin(a.configPath, cfg.File))
			}
			st, err := a.openStore(cmd.Context())
			if err != nil {
				return err
			}
			added, err := addedSources(cmd.Context(), st)
			if err != nil {
				return err
			}
			for _, s := range added {
				if strings.EqualFold(s.Name, src.Name) {
					return usagef("sources add: a source named %q is already added (%s); remove it first (claimwatch sources remove %s) or choose another --name", s.Name, s.URL, shellQuote(s.Name))
				}
			}
			for _, s := range append(cfg.Sources, added...) {
				if src.URL != "" && s.URL == src.URL {
					fmt.Fprintf(a.stderr, "warning: %s is already watched as source %q; adding it as %q too\n", src.URL, s.Name, src.Name)
				}
			}
			if err := storeAdded(cmd.Context(), st, src); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "added %s (%s, %s)\n", src.Name, src.Kind, src.Schedule)
			fmt.Fprintln(a.stdout, daemonHint)
			return nil
		},
	}
	f.bind(cmd)
	return cmd
}

func sourcesRemoveCommand(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "remove NAME",
		Short: "Remove an added source (sources from the config file are removed by editing it)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := a.config()
			if err != nil {
				return err
			}
			if _, ok := cfg.Source(args[0]); ok {
				if a.configPath == "" {
					return usagef("sources remove: %q is one of the embedded default sources; to drop it, write a config file (--config) whose sources: list leaves it out", args[0])
				}
				return usagef("sources remove: %q comes from the config file %s; remove it there", args[0], cfg.File)
			}
			st, err := a.openExisting(cmd.Context())
			if err != nil {
				return err
			}
			stored, err := st.ListSources(cmd.Context())
			if err != nil {
				return err
			}
			name := ""
			for _, s := range stored { // names compare case-insensitively, as in the config
				if strings.EqualFold(s.Name, args[0]) {
					name = s.Name
				}
			}
			if name == "" {
				return usagef("sources remove: no added source named %q", args[0])
			}
			if err := st.RemoveSource(cmd.Context(), name); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "removed %s (its articles and evidence are kept)\n", name)
			fmt.Fprintln(a.stdout, daemonHint)
			return nil
		},
	}
}

func sourcesImportCommand(a *app) *cobra.Command {
	var f sourceFlags
	cmd := &cobra.Command{
		Use:   "import-opml FILE",
		Short: "Add every feed of an OPML file (as exported by feed readers)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := a.config()
			if err != nil {
				return err
			}
			file, err := os.Open(args[0])
			if err != nil {
				return usageError{err}
			}
			defer file.Close()
			outlines, err := opml.Parse(file, args[0])
			if err != nil {
				return usageError{err}
			}
			if len(outlines) == 0 {
				return usagef("%s: no feed outlines (outline elements with an xmlUrl) found", args[0])
			}
			// Validate everything before storing anything.
			var srcs []config.Source
			seen := map[string]bool{}
			for _, o := range outlines {
				each := f // the flags are the defaults of every outline
				each.name = o.Title
				each.tags = append([]string(nil), f.tags...)
				if o.Category != "" {
					each.tags = append(each.tags, o.Category)
				}
				src, err := each.source(cfg, o.XMLURL)
				if err != nil {
					return usagef("%s: outline %q: %w", args[0], o.Title, err)
				}
				if key := strings.ToLower(src.Name); seen[key] {
					return usagef("%s: two feeds are named %q; rename one before importing", args[0], src.Name)
				} else {
					seen[key] = true
				}
				srcs = append(srcs, src)
			}
			st, err := a.openStore(cmd.Context())
			if err != nil {
				return err
			}
			added := 0
			for _, src := range srcs {
				if _, ok := cfg.Source(src.Name); ok {
					a.log.Warn("skipped: the config file defines this name", "source", src.Name)
					continue
				}
				if err := storeAdded(cmd.Context(), st, src); err != nil {
					return err
				}
				added++
			}
			fmt.Fprintf(a.stdout, "imported %d of %d feeds from %s\n", added, len(srcs), args[0])
			if added > 0 {
				fmt.Fprintln(a.stdout, daemonHint)
			}
			return nil
		},
	}
	f.bind(cmd)
	return cmd
}

func sourcesExportCommand(a *app) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "export-opml",
		Short: "Write the feed sources as OPML (standard output, or -o FILE); page, query and local sources are left out, and listed",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out != "" {
				if err := report.CheckOutputPath(out); err != nil {
					return usageError{err}
				}
			}
			all, err := a.sourceView(cmd.Context())
			if err != nil {
				return err
			}
			// OPML lists feeds by URL: page selectors, search queries and
			// local files have no place in it, so they are left out, and said.
			var outlines []opml.Outline
			var left []string
			for _, s := range all {
				switch {
				case s.Kind == string(config.KindQuery):
					left = append(left, s.Name+" (query)")
				case s.Kind == string(config.KindPage):
					left = append(left, s.Name+" (page)")
				case s.Kind == string(config.KindSitemap):
					left = append(left, s.Name+" (sitemap)")
				case !strings.HasPrefix(s.URL, "http://") && !strings.HasPrefix(s.URL, "https://"):
					left = append(left, s.Name+" (local file)")
				default:
					outlines = append(outlines, opml.Outline{Title: s.Name, XMLURL: s.URL})
				}
			}
			write := func(w io.Writer) error { return opml.Write(w, "claimwatch sources", outlines) }
			if out == "" {
				err = write(a.stdout)
			} else if err = report.WriteFileAtomic(out, write); err == nil {
				fmt.Fprintf(a.stderr, "wrote %d feed(s) to %s\n", len(outlines), out)
			}
			if err == nil && len(left) > 0 {
				fmt.Fprintf(a.stderr, "left out %d source(s) OPML cannot express: %s\n", len(left), strings.Join(left, ", "))
			}
			return err
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "write to `FILE` instead of standard output")
	return cmd
}

func sourcesTestCommand(a *app) *cobra.Command {
	var f sourceFlags
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "test URL|NAME",
		Short: "Fetch a source (a URL, or a configured source's name) once and show what would be stored; store nothing",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := a.config()
			if err != nil {
				return err
			}
			m, err := a.matcher()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			// An existing database says which articles are already stored;
			// without one, every article is new.
			var st *storage.Store
			if path, err := a.resolvedDBPath(); err == nil && fileExists(path) {
				if st, err = a.openReadOnly(ctx); err != nil {
					return err
				}
			}
			src, err := a.sourceToTest(ctx, cfg, st, &f, args[0])
			if err != nil {
				return err
			}
			n, stored := 0, 0
			enc, out := json.NewEncoder(a.stdout), a.terminal() // Preview calls come one at a time
			pipe := &ingest.Pipeline{Fetcher: fetcherFor(cfg), Matcher: func() *matcher.Matcher { return m }, Log: a.log,
				Preview: func(art storage.Article, findings []claims.Finding) {
					n++
					known := false
					if st != nil {
						known, _ = st.HasArticle(ctx, art.URL) // a failed look-up counts as new
					}
					if known {
						stored++
					}
					if asJSON {
						obj := previewJSON(art, findings)
						obj["already_stored"] = known
						enc.Encode(obj)
						return
					}
					mark := ""
					if known {
						mark = "  (already stored)"
					}
					fmt.Fprintf(out, "%s  %s%s\n  %s\n", report.Day(art.PublishedAt), art.Title, mark, art.URL)
					for _, fd := range findings {
						fmt.Fprintf(out, "    %s %s (%.2f): %s\n", fd.ClaimID, fd.Stance, fd.Confidence, report.Truncate(fd.Snippet, 120))
					}
				}}
			res := pipe.Poll(cmd.Context(), src, true)
			if res.Err != nil {
				return res.Err
			}
			if !asJSON {
				fmt.Fprintf(a.stdout, "\n%s: %s, %d article(s): %d new would be stored, %d already stored (HTTP %d, %d bytes); nothing was stored\n", src.Name, res.Outcome, n, n-stored, stored, res.Status, res.Bytes)
			}
			return nil
		},
	}
	f.bind(cmd)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON Lines, one object per article")
	return cmd
}

// sourceToTest is the configured or added source named arg, or a new source
// for the URL arg built from the flags.
func (a *app) sourceToTest(ctx context.Context, cfg *config.Config, st *storage.Store, f *sourceFlags, arg string) (config.Source, error) {
	if strings.Contains(arg, "://") || filepath.IsAbs(arg) {
		return f.source(cfg, arg)
	}
	if src, ok := cfg.Source(arg); ok {
		return src, nil
	}
	var names []string
	for _, s := range cfg.Sources {
		names = append(names, s.Name)
	}
	if st != nil {
		added, err := addedSources(ctx, st)
		if err != nil {
			return config.Source{}, err
		}
		for _, s := range added {
			if strings.EqualFold(s.Name, arg) {
				return s, nil
			}
			names = append(names, s.Name)
		}
	}
	return config.Source{}, usagef("sources test: %q is neither a URL nor the name of a source (known: %s)", arg, strings.Join(names, ", "))
}

func previewJSON(art storage.Article, findings []claims.Finding) map[string]any {
	ev := make([]findingJSON, 0, len(findings))
	for _, f := range findings {
		ev = append(ev, findingJSON{ClaimID: f.ClaimID, Stance: string(f.Stance), Confidence: round2(f.Confidence),
			Snippet: f.Snippet, MatchedTerms: f.MatchedTerms, Sentences: f.Sentences, InTitle: f.InTitle, Directed: f.Directed})
	}
	return map[string]any{"url": art.URL, "title": art.Title, "published": report.Stamp(art.PublishedAt),
		"published_from": art.PublishedFlag, "chars": len(art.Text), "evidence": ev}
}
