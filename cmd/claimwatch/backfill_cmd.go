package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/claimwatch/claimwatch/claims"
	"github.com/claimwatch/claimwatch/internal/backfill"
	"github.com/claimwatch/claimwatch/internal/config"
	"github.com/claimwatch/claimwatch/internal/lock"
	"github.com/claimwatch/claimwatch/internal/report"
	"github.com/claimwatch/claimwatch/internal/sitemap"
	"github.com/claimwatch/claimwatch/internal/warc"
	"github.com/claimwatch/claimwatch/storage"
)

func init() { register(backfillCommand) }

type backfillOptions struct {
	sitemaps     []string
	sources      []string
	claims       []string
	since, until string
	shard        string
	store        string
	wait         bool
	json         bool
	noPrefilter  bool
	alert        bool
}

func backfillCommand(a *app) *cobra.Command {
	var o backfillOptions
	cmd := &cobra.Command{
		Use:   "backfill [flags] [FILE|DIR|URL...]",
		Short: "Read history from WARC files, news sitemaps and dated searches into the database",
		Long: `Read the pages of WARC files (.warc or .warc.gz; paths, directories of them,
or http(s) URLs), and store the evidence they hold for the claims, as run
--once stores what the sources give today. With --sitemap SITE-OR-SITEMAP-URL,
read a news site's sitemaps (a bare site's robots.txt names them) for the
window --since/--until and fetch the entries whose title or URL words can hold
a claim's terms. With --source NAME, backfill a configured source: a query
source's searches run once per month window (narrowed while a window returns
the engine's maximum); a sitemap source's sitemaps are read for the window.
With no inputs at all, every enabled query and sitemap source is backfilled.
--claim ID narrows the searches and the prefilter to those claims (a page
that passes is still matched against every claim).

A cheap prefilter reads every page's text once; only pages where some claim's
terms can all be present are extracted and matched. With --store matched (the
default) only pages with evidence are stored; --store all keeps every page.

Progress is checkpointed in the database per file: after SIGINT or SIGKILL the
same command carries on where it stopped and stores nothing twice. Only one
claimwatch writes a database at a time: backfill refuses while another one
does, or waits for it with --wait.

Exit status: 0 every file read; 1 some file could not be read, or interrupted;
2 bad usage, config or claim files.`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.backfill(cmd, o, args)
		},
	}
	f := cmd.Flags()
	f.StringSliceVar(&o.sitemaps, "sitemap", nil, "read a news site's sitemaps: its address (robots.txt names them) or a sitemap URL; repeatable")
	f.StringSliceVar(&o.sources, "source", nil, "backfill the named query or sitemap source(s) for the window; repeatable (default with no other input: every enabled query and sitemap source)")
	f.StringSliceVar(&o.claims, "claim", nil, "only the claim `ID`'s searches and candidates; repeatable (default all claims)")
	f.StringVar(&o.since, "since", "", "sitemaps and searches: from `DATE` (YYYY-MM-DD; searches default to each claim's made date)")
	f.StringVar(&o.until, "until", "", "sitemaps and searches: before `DATE` (YYYY-MM-DD; default now)")
	f.StringVar(&o.shard, "shard", "", "take only shard `K/N` of the WARC inputs (0 <= K < N; every shard given the same list); merge shards with db merge")
	f.StringVar(&o.store, "store", "matched", "which pages to store: matched (pages with evidence) or all")
	f.BoolVar(&o.wait, "wait", false, "if another claimwatch holds the database, wait for it instead of refusing")
	f.BoolVar(&o.json, "json", false, "print the summary as JSON")
	f.BoolVar(&o.noPrefilter, "no-prefilter", false, "extract and match every page (slow; to compare)")
	f.BoolVar(&o.alert, "alert", false, "send the config's alerts for the evidence found (off: years of history would flood them)")
	return cmd
}

func (a *app) backfill(cmd *cobra.Command, o backfillOptions, args []string) error {
	if o.store != "matched" && o.store != "all" {
		return usagef("--store %q: want matched or all", o.store)
	}
	window, err := report.ParseRange(o.since, o.until)
	if err != nil {
		return usageError{err}
	}
	for _, site := range o.sitemaps {
		if err := sitemap.CheckSite(site); err != nil {
			return usagef("--sitemap: %v", err)
		}
	}
	files, err := warc.Expand(args)
	if err != nil {
		return usagef("%v", err)
	}
	if o.shard != "" {
		var k, n int
		if _, err := fmt.Sscanf(o.shard, "%d/%d", &k, &n); err != nil || n < 1 || k < 0 || k >= n || fmt.Sprintf("%d/%d", k, n) != o.shard {
			return usagef("--shard %q: want K/N with 0 <= K < N, as 2/8", o.shard)
		}
		files = backfill.Shard(files, k, n)
	}
	ctx := cmd.Context()
	var progress *progressWriter
	if isTerminal(a.stderr) {
		// Log records go through it too (set before prepare, whose parts
		// keep the logger), so that none is glued to the live line.
		progress = &progressWriter{w: a.stderr}
		a.logTo(progress)
	}
	rt, err := a.prepare(ctx, runOptions{wait: o.wait, sourcesOptional: true})
	if err != nil {
		return err
	}
	defer rt.lock.Release()
	// A wrong --source or --claim is bad input before hours of WARC
	// reading, not after.
	queries, sitemapSources, err := backfillSources(rt.sources, o, len(args) == 0 && len(o.sitemaps) == 0)
	if err != nil {
		return err
	}
	if err := knownClaims(rt.matcher.Load().Claims(), o.claims); err != nil {
		return err
	}
	if (o.since != "" || o.until != "") && len(o.sitemaps)+len(queries)+len(sitemapSources) == 0 {
		a.log.Warn("backfill: --since and --until bound sitemaps and searches only; WARC files are read whole")
	}
	if o.alert {
		// Delivered at the end like run --once's, whatever came of the pass.
		defer a.deliverAlertsOnce(ctx, rt)
	} else {
		ctx = storage.WithoutAlerts(ctx)
	}
	bo := backfill.Options{
		Store: rt.store, Pipeline: rt.pipe, Matcher: rt.matcher.Load(),
		StoreAll: o.store == "all", NoPrefilter: o.noPrefilter, Claims: o.claims,
		HTTP: &http.Client{}, Log: a.log,
	}
	if progress != nil {
		bo.Progress = func(s backfill.Stats) {
			progress.show(liveProgressLine(s, report.Width(a.stderr)))
		}
	}
	stats, err := backfill.Run(ctx, bo, files)
	if err == nil && len(queries) > 0 {
		var q backfill.Stats
		q, err = backfill.RunQueries(ctx, bo, backfill.QueryOptions{Since: window.Since, Until: window.Until}, queries)
		stats = stats.Add(q)
	}
	so := backfill.SitemapOptions{Fetcher: rt.pipe.Fetcher, Since: window.Since, Until: window.Until}
	if err == nil && len(o.sitemaps) > 0 {
		var sm backfill.Stats
		sm, err = backfill.RunSitemaps(ctx, bo, so, o.sitemaps)
		stats = stats.Add(sm)
	}
	for _, src := range sitemapSources {
		if err != nil {
			break
		}
		// Stored under the source's name, as its polls store them.
		sbo := bo
		sbo.Source = src.Name
		var sm backfill.Stats
		sm, err = backfill.RunSitemaps(ctx, sbo, so, []string{src.URL})
		stats = stats.Add(sm)
	}
	if progress != nil {
		progress.clear()
	}
	if o.json {
		if jerr := writeBackfillJSON(a.stdout, stats, err); jerr != nil {
			return jerr
		}
	} else {
		fmt.Fprintln(a.stdout, progressLine(stats, false))
	}
	switch {
	case err != nil && ctx.Err() != nil:
		return exitStatus{exitFailure, errors.New("interrupted; what was finished is stored and checkpointed: run the same command again to carry on")}
	case err != nil:
		return exitStatus{exitFailure, err}
	case stats.FilesFailed > 0:
		return exitStatus{exitFailure, fmt.Errorf("%d of %d file(s) not finished (see the log)", stats.FilesFailed, stats.Files)}
	}
	return nil
}

// progressWriter keeps a live progress line and log records apart on a
// terminal: a record first clears the line, which the next update draws
// again below it.
type progressWriter struct {
	mu    sync.Mutex
	w     io.Writer
	shown bool
}

func (p *progressWriter) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clearLocked()
	return p.w.Write(b)
}

func (p *progressWriter) show(line string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, "\r\033[K%s", line)
	p.shown = true
}

func (p *progressWriter) clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clearLocked()
}

func (p *progressWriter) clearLocked() {
	if p.shown {
		fmt.Fprint(p.w, "\r\033[K")
		p.shown = false
	}
}

// backfillSources picks the configured sources to backfill: those named
// with --source (each must be a query or sitemap source), or, when
// nothing else was given, every enabled one of those kinds.
func backfillSources(all []config.Source, o backfillOptions, nothingElse bool) (queries, sitemaps []config.Source, err error) {
	picked := all
	if len(o.sources) > 0 {
		if picked, err = selectSources(all, o.sources); err != nil {
			return nil, nil, err
		}
	}
	for _, src := range picked {
		switch src.Kind {
		case config.KindQuery:
			queries = append(queries, src)
		case config.KindSitemap:
			sitemaps = append(sitemaps, src)
		default:
			if len(o.sources) > 0 {
				return nil, nil, usagef("--source %s: a %s source has no history to backfill; backfill reads query and sitemap sources", src.Name, src.Kind)
			}
		}
	}
	if len(o.sources) == 0 && !nothingElse {
		return nil, nil, nil // only the WARC files and --sitemap given
	}
	if len(queries)+len(sitemaps) == 0 {
		return nil, nil, usagef("backfill: nothing to read: give WARC files, directories or URLs, --sitemap, or --source; the config has no enabled query or sitemap source")
	}
	return queries, sitemaps, nil
}

// knownClaims refuses a --claim that names no loaded claim.
func knownClaims(loaded []claims.Claim, want []string) error {
	var ids []string
	for _, c := range loaded {
		ids = append(ids, c.ID)
	}
	for _, id := range want {
		if !slices.Contains(ids, id) {
			return usagef("--claim %q: no such claim (claims: %s)", id, strings.Join(ids, ", "))
		}
	}
	return nil
}

// progressLine is the one-line account of a backfill, live (with an ETA
// once there is a rate to go by) and final.
func progressLine(s backfill.Stats, live bool) string {
	rate, byteRate := perSecond(s, float64(s.Records)), perSecond(s, float64(s.Bytes)/1e6)
	line := fmt.Sprintf("files %d/%d (%d failed), records %d (%.0f/s), %.1f MB (%.1f MB/s), candidates %d, new articles %d, new evidence %d, already stored %d, skipped %d, took %s",
		s.FilesDone, s.Files, s.FilesFailed, s.Records, rate, float64(s.Bytes)/1e6, byteRate, s.Candidates, s.Stored, s.Evidence, s.Known, s.Skipped+s.Failed, s.Elapsed.Round(time.Millisecond))
	if !live {
		return line
	}
	return line + ", " + etaText(s)
}

// perSecond is n over the time the backfill took (0 before it started).
func perSecond(s backfill.Stats, n float64) float64 {
	if secs := s.Elapsed.Seconds(); secs > 0 {
		return n / secs
	}
	return 0
}

func etaText(s backfill.Stats) string {
	if left, ok := s.ETA(); ok {
		return "ETA " + left.Round(time.Second).String()
	}
	return "ETA unknown"
}

// liveProgressLine is the live line in fewer columns than the terminal's
// width: "\r" returns only to the start of the last row of a wrapped line,
// so a longer one would leave a trail of rows at every update. Narrower
// terminals get the essentials, still ending with the ETA.
func liveProgressLine(s backfill.Stats, width int) string {
	if line := progressLine(s, true); utf8.RuneCountInString(line) < width {
		return line
	}
	head := []rune(fmt.Sprintf("files %d/%d, records %d (%.0f/s), %.1f MB, new evidence %d",
		s.FilesDone, s.Files, s.Records, perSecond(s, float64(s.Records)), float64(s.Bytes)/1e6, s.Evidence))
	tail := ", " + etaText(s)
	if room := width - 1 - utf8.RuneCountInString(tail); len(head) > room {
		head = head[:max(room, 0)]
	}
	return string(head) + tail
}

func writeBackfillJSON(w io.Writer, s backfill.Stats, runErr error) error {
	out := map[string]any{
		"files": s.Files, "files_done": s.FilesDone, "files_failed": s.FilesFailed,
		"records": s.Records, "ignored_records": s.Ignored, "skipped_records": s.Skipped,
		"candidates": s.Candidates, "already_stored": s.Known, "new_articles": s.Stored,
		"new_evidence": s.Evidence, "failed_pages": s.Failed, "payload_bytes": s.Bytes,
		"seconds": s.Elapsed.Seconds(),
	}
	if runErr != nil {
		out["error"] = runErr.Error()
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// dbMergeCommand is `db merge OUT.db IN.db...`: shards of a backfill into
// one database.
func dbMergeCommand(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "merge OUT.db IN.db...",
		Short: "Merge databases (backfill shards) into one",
		Long: `Save every article of the input databases, with its evidence, into OUT.db
(created if missing): deduplicated by canonical URL and content hash, grouped
into stories, backfill checkpoints kept. Reviews are not carried over.`,
		Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			// An input that is not a claimwatch database is bad input,
			// refused before OUT is created.
			for _, in := range args[1:] {
				if err := checkMergeInput(ctx, in); err != nil {
					return usagef("db merge: %v", err)
				}
			}
			m, err := a.matcher()
			if err != nil {
				return err
			}
			l, err := lock.Acquire(args[0])
			if err != nil {
				return err
			}
			defer l.Release()
			out, err := storage.Open(ctx, args[0])
			if err != nil {
				return fmt.Errorf("db merge: %w", err)
			}
			defer out.Close()
			if err := a.syncClaims(ctx, out, m); err != nil {
				return err
			}
			st, err := backfill.Merge(ctx, out, args[1:])
			if err != nil {
				return exitStatus{exitFailure, err}
			}
			fmt.Fprintf(a.stdout, "merged %d database(s): %d articles read, %d new, %d new evidence, %d checkpoints\n",
				len(args)-1, st.Articles, st.NewArticles, st.NewEvidence, st.Checkpoints)
			return nil
		},
	}
}

// checkMergeInput opens a db merge input read-only and reads its backfill
// checkpoints: a missing file, a directory, or a file that is not a
// claimwatch database fails here.
func checkMergeInput(ctx context.Context, path string) error {
	in, err := storage.OpenReadOnly(ctx, path)
	if err != nil {
		return err
	}
	defer in.Close()
	if _, err := in.Checkpoints(ctx); err != nil {
		return fmt.Errorf("%s is not a claimwatch database: %w", path, err)
	}
	return nil
}
