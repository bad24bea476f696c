package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/claimwatch/claimwatch/claims"
	"github.com/claimwatch/claimwatch/storage"
)

// The eval tests score test-jets, a claim kept in testdata, on six cases:
// found 1, 2, 3 and 6; expected 1 to 4; so precision and recall are 3/4,
// and both items expected supports or contradicts that are found have the
// expected stance.
const (
	evalClaims = "testdata/eval/claims"
	evalCases  = "testdata/eval/cases.jsonl"
)

func TestEvalCasesPrintsFiguresAndWrongItems(t *testing.T) {
	code, out, errOut := cli(t, "", "--claims", evalClaims, "eval", evalCases, "--claim", "test-jets", "--baseline")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, re := range []string{
		`(?m)^6 case\(s\) from testdata/eval/cases.jsonl$`,
		`(?m)^test-jets\s+6\s+4\s+4\s+0\.75\s+0\.75\s+1\.00 \(2\)$`,
		`(?m)^test-jets\s+6\s+4\s+4\s+0\.75\s+0\.75\s+0\.00 \(2\)$`, // the baseline: no stance
		`(?m)^test-jets\s+supports\s+1\s+0\s+0\s+1$`,
		`expected supports, got none\n  text:    Moscow handed warplanes to Tehran\.`,
		`expected none, got mentions\n  snippet: Russia and Iran discussed jets for Armenia\.`,
		`https://news\.example/6  \(testdata/eval/cases\.jsonl:6\)`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("output lacks %s:\n%s", re, out)
		}
	}
	if _, out, _ := cli(t, "", "--claims", evalClaims, "eval", evalCases, "--claim", "test-jets", "--wrong", "0"); strings.Contains(out, "expected supports") || !strings.Contains(out, "test-jets") {
		t.Errorf("--wrong 0 still lists wrong items:\n%s", out)
	}
}

func TestEvalFloorsExitOneNamingClaimAndFigure(t *testing.T) {
	args := []string{"--claims", evalClaims, "eval", evalCases, "--claim", "test-jets"}
	if code, _, errOut := cli(t, "", append(args, "--min-precision", "0.7", "--min-recall", "0.75", "--min-stance", "1")...); code != 0 {
		t.Fatalf("floors met: exit %d: %s", code, errOut)
	}
	code, out, errOut := cli(t, "", append(args, "--min-recall", "0.8", "--min-precision", "0.9")...)
	if code != exitFailure {
		t.Fatalf("floors missed: exit %d, want 1", code)
	}
	for _, want := range []string{"test-jets: precision 0.75 is below 0.90", "test-jets: recall 0.75 is below 0.80"} {
		if !strings.Contains(errOut, want) || !strings.Contains(out, want) {
			t.Errorf("missing %q in stderr %q / stdout", want, errOut)
		}
	}
}

func TestEvalJSON(t *testing.T) {
	code, out, errOut := cli(t, "", "--claims", evalClaims, "eval", evalCases, "--json", "--baseline", "--min-stance", "0.9")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var doc struct {
		Source string `json:"source"`
		Items  int    `json:"items"`
		Claims []struct {
			Claim     string                    `json:"claim"`
			Precision *float64                  `json:"precision"`
			Recall    *float64                  `json:"recall"`
			Stance    *float64                  `json:"stance_accuracy"`
			StanceN   int                       `json:"stance_n"`
			Confusion map[string]map[string]int `json:"confusion"`
		} `json:"claims"`
		All struct {
			Cases int `json:"cases"`
		} `json:"all"`
		Wrong []struct {
			Ref, Claim, Expected, Got, URL string
		} `json:"wrong"`
		WrongTotal int `json:"wrong_total"`
		Baseline   *struct {
			Claims []struct {
				Claim  string   `json:"claim"`
				Stance *float64 `json:"stance_accuracy"`
			} `json:"claims"`
		} `json:"baseline"`
		Floors map[string]*float64 `json:"floors"`
		Below  []any               `json:"below"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("not one JSON document: %v\n%s", err, out)
	}
	if doc.Source != "cases" || doc.Items != 6 || doc.Baseline == nil || doc.Below == nil || *doc.Floors["stance"] != 0.9 || doc.Floors["recall"] != nil {
		t.Errorf("document: %+v", doc)
	}
	var jets bool
	for _, c := range doc.Claims {
		if c.Claim != "test-jets" {
			// Shipped claims: nothing in these cases is expected of them.
			if c.Recall != nil {
				t.Errorf("%s: recall %v with nothing expected, want null", c.Claim, *c.Recall)
			}
			continue
		}
		jets = true
		if *c.Precision != 0.75 || *c.Recall != 0.75 || *c.Stance != 1 || c.StanceN != 2 || c.Confusion["none"]["mentions"] != 1 {
			t.Errorf("test-jets: %+v", c)
		}
	}
	if !jets || doc.All.Cases != 6*len(doc.Claims) {
		t.Errorf("claims %+v, all.cases %d", doc.Claims, doc.All.Cases)
	}
	if doc.WrongTotal != len(doc.Wrong) || doc.WrongTotal < 2 {
		t.Errorf("--json lists %d of %d wrong items, want all", len(doc.Wrong), doc.WrongTotal)
	}
	for _, c := range doc.Baseline.Claims {
		if c.Claim == "test-jets" && (c.Stance == nil || *c.Stance != 0) {
			t.Errorf("baseline stance for test-jets: %v, want 0", c.Stance)
		}
	}
}

func TestEvalBadInputExitsTwo(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := `{"url":"https://x/1","title":"Russia delivered jets to Iran","lead":"","labels":[]}` + "\n"
	broken := write("broken.jsonl", good+`{"url": "https://x/2", "title": "t", "labels": [}`+"\n")
	typo := write("typo.jsonl", `{"url":"https://x/3","title":"t","labels":[{"claim":"test-jet","stance":"supports"}]}`+"\n")
	ok := write("ok.jsonl", good)
	for _, tc := range []struct {
		want *regexp.Regexp
		args []string
	}{
		{fileLine(broken), []string{"eval", broken}},
		{regexp.MustCompile(regexp.QuoteMeta(typo) + `:1: unknown claim "test-jet" \(did you mean "test-jets"\?\); known: .*test-jets`), []string{"eval", typo}},
		{regexp.MustCompile(`nope\.jsonl`), []string{"eval", filepath.Join(dir, "nope.jsonl")}},
		{regexp.MustCompile(`case files`), []string{"eval"}},
		{regexp.MustCompile(`not both`), []string{"eval", "--reviews", ok}},
		{regexp.MustCompile(`--min-recall 1\.5: want a figure from 0 to 1`), []string{"eval", ok, "--min-recall", "1.5"}},
		{regexp.MustCompile(`--wrong -2`), []string{"eval", ok, "--wrong", "-2"}},
		{regexp.MustCompile(`--claim: unknown claim "test-jetz" \(did you mean "test-jets"\?\)`), []string{"eval", ok, "--claim", "test-jetz"}},
		{regexp.MustCompile(`unknown flag: --min-recal \(did you mean --min-recall\?\)`), []string{"eval", ok, "--min-recal", "0.5"}},
		{regexp.MustCompile(`unknown flag: --bogus\n`), []string{"eval", ok, "--bogus"}},
	} {
		code, _, errOut := cli(t, "", append([]string{"--claims", evalClaims}, tc.args...)...)
		if code != exitUsage || !tc.want.MatchString(errOut) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %s", tc.args, code, errOut, tc.want)
		}
	}
}

func TestEvalHelp(t *testing.T) {
	code, out, _ := cli(t, "", "eval", "--help")
	if code != 0 || !strings.Contains(out, "--min-precision") || !strings.Contains(out, "--reviews") || !strings.Contains(out, "micro average") {
		t.Fatalf("exit %d, help:\n%s", code, out)
	}
}

// reviewSeed is one article with test-jets evidence and, unless analyst is
// empty, the analyst's review of it.
type reviewSeed struct {
	title, text      string
	machine, analyst claims.Stance
}

// seedReviews builds a database holding the test-jets claim and the seeds.
func seedReviews(t *testing.T, seeds []reviewSeed) string {
	t.Helper()
	ctx := context.Background()
	set, _, err := claims.LoadFiles(filepath.Join(evalClaims, "test-jets.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(t.TempDir(), "claimwatch.db")
	st, err := storage.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.SyncClaims(ctx, set); err != nil {
		t.Fatal(err)
	}
	day := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	for i, x := range seeds {
		a := storage.Article{URL: fmt.Sprintf("https://news.example/r/%d", i), Title: x.title, Text: x.text,
			PublishedAt: day, FetchedAt: day, FirstSeenAt: day, ContentHash: fmt.Sprint(i)}
		res, err := st.SaveArticle(ctx, a, []claims.Finding{{ClaimID: "test-jets", Stance: x.machine, Confidence: 0.5, Snippet: x.text, Sentences: 1}})
		if err != nil {
			t.Fatal(err)
		}
		if x.analyst == "" {
			continue
		}
		rows, err := st.ListEvidence(ctx, storage.EvidenceFilter{ClaimID: "test-jets", IncludeIrrelevant: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if r.ArticleID == res.ArticleID {
				if err := st.Review(ctx, r.ID, x.analyst, "note "+x.title, "ana"); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	return db
}

// reviewedDB holds three reviewed articles and one unreviewed, which must
// not count:
//
//	1: delivered, reviewed supports   → found supports: right
//	2: Armenia, reviewed irrelevant   → found mentions: a false find
//	3: other words, reviewed supports → found nothing: a miss
func reviewedDB(t *testing.T) string {
	return seedReviews(t, []reviewSeed{
		{"Jets for Iran", "Russia delivered jets to Iran on Monday.", claims.Supports, claims.Supports},
		{"Jets for Armenia", "Russia and Iran discussed jets for Armenia.", claims.Mentions, claims.Irrelevant},
		{"Warplanes", "Moscow handed warplanes to Tehran.", claims.Mentions, claims.Supports},
		{"Unreviewed", "Russia cancelled the jets for Iran.", claims.Contradicts, ""},
	})
}

func TestEvalReviewsScoresTheCurrentClaimsAgainstTheAnalyst(t *testing.T) {
	db := reviewedDB(t)
	before := dbDigest(t, db)
	code, out, errOut := cli(t, "", "--claims", evalClaims, "--db", db, "eval", "--reviews", "--claim", "test-jets")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, re := range []string{
		`(?m)^3 reviewed piece\(s\) of evidence in `,
		`(?m)^test-jets\s+3\s+2\s+2\s+0\.50\s+0\.50\s+1\.00 \(1\)$`,
		`expected none, got mentions\n  title:   Jets for Armenia`,
		`expected supports, got none\n  title:   Warplanes\n  label:   note Warplanes\n.*\(evidence \d+\)`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("output lacks %s:\n%s", re, out)
		}
	}
	if dbDigest(t, db) != before {
		t.Error("eval --reviews changed the database")
	}

	code, out, _ = cli(t, "", "--claims", evalClaims, "--db", db, "eval", "--reviews", "--json", "--min-precision", "0.6")
	if code != exitFailure || !strings.Contains(out, `"source": "reviews"`) || !strings.Contains(out, `"not_loaded": 0`) {
		t.Errorf("--json with a floor missed: exit %d\n%s", code, out)
	}

	missing := filepath.Join(t.TempDir(), "none.db")
	if code, _, _ := cli(t, "", "--claims", evalClaims, "--db", missing, "eval", "--reviews"); code == 0 {
		t.Error("eval --reviews on a missing database succeeded")
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Errorf("eval --reviews created %s", missing)
	}
}

func TestEvalSplitWritesBothHalvesAndNeverOverwrites(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "halves")
	code, out, errOut := cli(t, "", "eval", "split", evalCases, "--out-dir", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	tune, _ := os.ReadFile(filepath.Join(dir, "tune.jsonl"))
	test, _ := os.ReadFile(filepath.Join(dir, "test.jsonl"))
	orig, _ := os.ReadFile(evalCases)
	nt, ns := strings.Count(string(tune), "\n"), strings.Count(string(test), "\n")
	if nt+ns != 6 || !strings.Contains(out, fmt.Sprintf("%d case(s) to", nt)) {
		t.Errorf("%d + %d lines, output %q", nt, ns, out)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(tune)+string(test)), "\n") {
		if !strings.Contains(string(orig), line) {
			t.Errorf("line not copied as written: %s", line)
		}
	}
	if code, _, errOut := cli(t, "", "eval", "split", evalCases, "--out-dir", dir); code != exitUsage || !strings.Contains(errOut, "already exists") {
		t.Errorf("second split: exit %d, %q", code, errOut)
	}
	if after, _ := os.ReadFile(filepath.Join(dir, "tune.jsonl")); string(after) != string(tune) {
		t.Error("tune.jsonl overwritten")
	}
	// With only test.jsonl in the way, the refusal writes no tune.jsonl.
	if err := os.Remove(filepath.Join(dir, "tune.jsonl")); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := cli(t, "", "eval", "split", evalCases, "--out-dir", dir); code != exitUsage || !strings.Contains(errOut, "test.jsonl already exists") {
		t.Errorf("split onto test.jsonl alone: exit %d, %q", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "tune.jsonl")); err == nil {
		t.Error("a refused split left tune.jsonl behind")
	}
}
