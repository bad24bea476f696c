package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/claimwatch/claimwatch/internal/evaluate"
)

func init() { register(evalCommand) }

// defaultWrong is how many wrong items eval lists unless --wrong says.
const defaultWrong = 20

func evalCommand(a *app) *cobra.Command {
	var (
		asJSON, baseline, reviews bool
		wrong                     int
		only                      []string
		minP, minR, minS          float64
	)
	cmd := &cobra.Command{
		Use:   "eval CASES.jsonl... | eval --reviews",
		Short: "Measure the matcher on labelled news items, or on the analyst's reviews",
		Long: `Match labelled texts with the loaded claims and report, per claim:
CASES (texts scored), GOLD≠NONE (expected to bear on the claim), FOUND (the
matcher reported the claim), PRECISION (found and expected / found), RECALL
(found and expected / expected; any stance counts as found), STANCE (n): of the
n texts expected supports or contradicts and found, the share found with that
stance. "all claims" sums the counts over the claims (micro average); "–" is
a figure with a zero denominator (null in JSON). Then a confusion matrix per
claim (expected stance × found stance) and the wrong items.

CASES.jsonl holds one labelled item per line (see the README):
  {"url", "outlet", "date", "title", "lead",
   "labels": [{"claim", "stance", "reason"}], "hard_negative", "found_via"}
The title is matched as the title, the lead as the body; a claim not in
labels is expected to be none.

With --reviews, the labels are the analyst's reviews in the database instead:
each reviewed piece of evidence has its stored title and text matched again
with the current claims, and the reviewed stance (irrelevant = none) is
expected for that claim. Run it after editing a claim to see what changed.
The database is opened read-only.

--min-precision, --min-recall and --min-stance apply to every claim on its own
(not to the all-claims row), and only to claims with at least one text
expected to bear on them; a figure that is undefined is not checked. Exit 1
when any is missed, naming the claim and figure; 2 for bad input.

--json prints one JSON document with everything (every wrong item unless
--wrong is given).`,
		RunE: func(cmd *cobra.Command, args []string) error {
			floors, err := floorFlags(cmd.Flags(), minP, minR, minS)
			if err != nil {
				return err
			}
			if wrong < -1 {
				return usagef("--wrong %d: want a count, 0 for none or -1 for all", wrong)
			}
			set, err := a.claims()
			if err != nil {
				return err
			}
			m, err := a.matcher()
			if err != nil {
				return err
			}
			var loaded []string
			for _, c := range set {
				loaded = append(loaded, c.ID)
			}
			ids := loaded
			if len(only) > 0 {
				ids = nil
				for _, id := range only {
					if !slices.Contains(loaded, id) {
						return usagef("--claim: %s", evaluate.UnknownClaim(id, loaded))
					}
					if !slices.Contains(ids, id) {
						ids = append(ids, id)
					}
				}
			}

			items, out, err := a.evalItems(cmd.Context(), args, reviews, only, loaded)
			if err != nil {
				return err
			}

			report := evaluate.Evaluate(m, ids, items)
			var base *evaluate.Report
			if baseline {
				bm, err := evaluate.Baseline(set)
				if err != nil {
					return err
				}
				r := evaluate.Evaluate(bm, ids, items)
				base = &r
			}
			below := report.Below(floors)
			if asJSON {
				if !cmd.Flags().Changed("wrong") {
					wrong = -1
				}
				err = out.write(a, report, base, wrong, floors, below)
			} else {
				err = writeEvalText(a, out, report, base, wrong, below)
			}
			if err != nil {
				return err
			}
			if len(below) > 0 {
				var what []string
				for _, b := range below {
					what = append(what, b.String())
				}
				return exitStatus{exitFailure, fmt.Errorf("%d figure(s) below the floors: %s", len(below), strings.Join(what, "; "))}
			}
			return nil
		},
	}
	cmd.AddCommand(evalSplitCommand(a))
	fl := cmd.Flags()
	fl.BoolVar(&asJSON, "json", false, "print one JSON document with every figure")
	fl.IntVar(&wrong, "wrong", defaultWrong, "list the first `N` wrong items (0: none, -1: all)")
	fl.BoolVar(&baseline, "baseline", false, "also score plain keyword co-occurrence (every 'all' group present, stance always mentions)")
	fl.BoolVar(&reviews, "reviews", false, "score against the analyst's reviews in the database instead of case files")
	fl.StringArrayVar(&only, "claim", nil, "score only this claim `ID` (repeatable)")
	fl.Float64Var(&minP, "min-precision", 0, "exit 1 when a claim's precision is below `F` (0 to 1)")
	fl.Float64Var(&minR, "min-recall", 0, "exit 1 when a claim's recall is below `F` (0 to 1)")
	fl.Float64Var(&minS, "min-stance", 0, "exit 1 when a claim's stance accuracy is below `F` (0 to 1)")
	return cmd
}

// floorFlags returns the floors given on the command line, each in [0, 1].
func floorFlags(fl *pflag.FlagSet, p, r, s float64) (evaluate.Floors, error) {
	var f evaluate.Floors
	for _, x := range []struct {
		name string
		v    float64
		dst  **float64
	}{{"min-precision", p, &f.Precision}, {"min-recall", r, &f.Recall}, {"min-stance", s, &f.Stance}} {
		if !fl.Changed(x.name) {
			continue
		}
		if x.v < 0 || x.v > 1 {
			return f, usagef("--%s %v: want a figure from 0 to 1", x.name, x.v)
		}
		v := x.v
		*x.dst = &v
	}
	return f, nil
}

// evalItems reads the labelled items: the case files named, or with
// reviews the analyst's reviews (of the claims in only, or all).
func (a *app) evalItems(ctx context.Context, args []string, reviews bool, only, loaded []string) ([]evaluate.Item, evalOutput, error) {
	out := evalOutput{Source: "cases", Inputs: args}
	switch {
	case reviews && len(args) > 0:
		return nil, out, usagef("give case files or --reviews, not both")
	case reviews:
		s, err := a.openReadOnly(ctx)
		if err != nil {
			return nil, out, err
		}
		rows, err := s.ReviewedEvidence(ctx, only...)
		if err != nil {
			return nil, out, err
		}
		items, skipped := evaluate.FromReviews(rows, loaded)
		out.Source, out.Inputs, out.Skipped = "reviews", []string{s.Path()}, &skipped
		return items, out, nil
	case len(args) == 0:
		return nil, out, usagef("name one or more case files (CASES.jsonl), or give --reviews")
	}
	cases, err := evaluate.LoadCases(args...)
	if err != nil {
		return nil, out, asUsage(err)
	}
	if err := evaluate.CheckLabels(cases, loaded); err != nil {
		return nil, out, asUsage(err)
	}
	return evaluate.Items(cases), out, nil
}

// evalOutput is what eval says about its input beside the figures.
type evalOutput struct {
	Source  string            `json:"source"`            // cases or reviews
	Inputs  []string          `json:"inputs"`            // case files, or the database
	Skipped *evaluate.Skipped `json:"skipped,omitempty"` // reviews only
}

func writeEvalText(a *app, out evalOutput, r evaluate.Report, base *evaluate.Report, wrong int, below []evaluate.Shortfall) error {
	w := a.terminal()
	if out.Source == "reviews" {
		fmt.Fprintf(w, "%d reviewed piece(s) of evidence in %s", r.Items, strings.Join(out.Inputs, ", "))
		if n := out.Skipped.TextDropped + out.Skipped.NotLoaded; n > 0 {
			fmt.Fprintf(w, " (skipped: %d whose text retention dropped, %d of claims not loaded)", out.Skipped.TextDropped, out.Skipped.NotLoaded)
		}
		fmt.Fprintln(w)
	} else {
		fmt.Fprintf(w, "%d case(s) from %s\n", r.Items, strings.Join(out.Inputs, ", "))
	}
	if r.Items == 0 {
		_, err := fmt.Fprintln(w, "nothing to score")
		return err
	}
	fmt.Fprintln(w)
	if err := evaluate.WriteTable(w, r); err != nil {
		return err
	}
	if base != nil {
		fmt.Fprintln(w, "\nbaseline: plain keyword co-occurrence (every 'all' group present, stance always mentions)")
		if err := evaluate.WriteTable(w, *base); err != nil {
			return err
		}
	}
	fmt.Fprintln(w, "\nconfusion (rows: expected stance, columns: found stance; claims with nothing expected or found left out)")
	if err := evaluate.WriteConfusion(w, r); err != nil {
		return err
	}
	if wrong != 0 && len(r.Wrong) > 0 {
		fmt.Fprintln(w)
		if err := evaluate.WriteWrong(w, r, wrong); err != nil {
			return err
		}
	}
	if len(below) > 0 {
		fmt.Fprintln(w, "\nbelow the floors:")
		for _, b := range below {
			fmt.Fprintf(w, "  %s\n", b)
		}
	}
	return nil
}

// write prints the JSON document: the input, the figures, the baseline's,
// the floors and what fell below them.
func (out evalOutput) write(a *app, r evaluate.Report, base *evaluate.Report, wrong int, f evaluate.Floors, below []evaluate.Shortfall) error {
	doc := struct {
		evalOutput
		evaluate.ReportJSON
		WrongTotal int                  `json:"wrong_total"`
		Baseline   *evaluate.ReportJSON `json:"baseline,omitempty"`
		Floors     map[string]*float64  `json:"floors"`
		Below      []evaluate.Shortfall `json:"below"`
	}{evalOutput: out, ReportJSON: r.JSON(), WrongTotal: len(r.Wrong), Below: below,
		Floors: map[string]*float64{"precision": f.Precision, "recall": f.Recall, "stance": f.Stance}}
	if wrong >= 0 && wrong < len(doc.Wrong) {
		doc.Wrong = doc.Wrong[:wrong]
	}
	if base != nil {
		b := base.JSON()
		b.Wrong = nil
		doc.Baseline = &b
	}
	if doc.Below == nil {
		doc.Below = []evaluate.Shortfall{}
	}
	enc := json.NewEncoder(a.stdout)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// evalSplitCommand is `eval split`: the tune and test halves of case files.
func evalSplitCommand(a *app) *cobra.Command {
	var outDir string
	cmd := &cobra.Command{
		Use:   "split CASES.jsonl... --out-dir DIR",
		Short: "Split case files into DIR/tune.jsonl (about 60 %) and DIR/test.jsonl by a fixed hash of each URL",
		Long: `Copy every case, its line as written, to DIR/tune.jsonl or DIR/test.jsonl:
tune when FNV-1a (32 bit) of the URL, modulo 100, is below 60. The split
depends on the URL alone, so adding cases never moves old ones to the other
half. Existing files are never overwritten.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if outDir == "" {
				return usagef("--out-dir is required")
			}
			var tune, test bytes.Buffer
			var nTune, nTest int
			for _, p := range args {
				f, err := os.Open(p)
				if err != nil {
					return usageError{err}
				}
				a1, b1, err := evaluate.SplitCases(f, p, &tune, &test)
				f.Close()
				if err != nil {
					return usageError{err}
				}
				nTune, nTest = nTune+a1, nTest+b1
			}
			if err := os.MkdirAll(outDir, 0o755); err != nil {
				return err
			}
			// Both halves are refused before either is written, so a refusal
			// leaves no lone half behind.
			for _, name := range []string{"tune.jsonl", "test.jsonl"} {
				path := filepath.Join(outDir, name)
				if _, err := os.Lstat(path); err == nil {
					return usagef("%s already exists; remove it or choose another --out-dir", path)
				}
			}
			for _, out := range []struct {
				name string
				data []byte
			}{{"tune.jsonl", tune.Bytes()}, {"test.jsonl", test.Bytes()}} {
				path := filepath.Join(outDir, out.name)
				f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
				if errors.Is(err, fs.ErrExist) {
					return usagef("%s already exists; remove it or choose another --out-dir", path)
				}
				if err != nil {
					return err
				}
				if _, err := f.Write(out.data); err != nil {
					f.Close()
					return fmt.Errorf("writing %s: %w", path, err)
				}
				if err := f.Close(); err != nil {
					return fmt.Errorf("writing %s: %w", path, err)
				}
			}
			_, err := fmt.Fprintf(a.stdout, "%d case(s) to %s, %d to %s\n", nTune, filepath.Join(outDir, "tune.jsonl"), nTest, filepath.Join(outDir, "test.jsonl"))
			return err
		},
	}
	cmd.Flags().StringVar(&outDir, "out-dir", "", "write tune.jsonl and test.jsonl into `DIR` (required)")
	return cmd
}
