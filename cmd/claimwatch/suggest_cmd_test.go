package main

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/claimwatch/claimwatch/claims"
)

// Twelve reviews put aside as irrelevant all mention Armenia; twelve the
// analyst raised from mentions to supports say Iran "took possession".
func TestClaimsSuggestProposesExclusionAndCue(t *testing.T) {
	topics := []string{"talks", "trade", "border", "gas", "rail", "wheat", "power", "troops", "ports", "banks", "oil", "roads"}
	var seeds []reviewSeed
	for i, v := range topics {
		seeds = append(seeds,
			reviewSeed{fmt.Sprint("irrelevant ", i), fmt.Sprintf("Russia and Iran on %s and jets. Armenia.", v), claims.Mentions, claims.Irrelevant},
			reviewSeed{fmt.Sprint("relevant ", i), fmt.Sprintf("Russia and Iran on %s and jets.", v), claims.Mentions, claims.Mentions})
		seeds = append(seeds, reviewSeed{fmt.Sprint("override ", i), fmt.Sprintf("Iran took possession of %s jets from Russia.", v), claims.Mentions, claims.Supports})
	}
	seeds = append(seeds, reviewSeed{"unreviewed", "Russia, Iran and Armenia: jets.", claims.Mentions, ""})
	db := seedReviews(t, seeds)
	before := dbDigest(t, db)

	code, out, errOut := cli(t, "", "--claims", evalClaims, "--db", db, "claims", "suggest", "test-jets")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, re := range []string{
		`(?m)^test-jets: 36 reviewed piece\(s\) of evidence$`,
		`(?m)^exclusions: 12 reviewed irrelevant, against 24 the relevant ones\n\s+TERM.*\n\s+armenia\s+12\s+0\s+\d\.\d\d$`,
		`(?m)^supports cues: 12 reviewed supports where the matcher said otherwise, against 12 `,
		`(?m)^\s+took possession\s+12\s+0\s+`,
		`(?m)^terms:\n  exclude: \[armenia\]\nevent:\n  none: \[exclude\]\nabout:  # if the claim has one\n  none: \[exclude\]$`,
		`(?m)^  supports: \[.*"took possession"`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("output lacks %s:\n%s", re, out)
		}
	}
	// The claim's own terms are never proposed.
	if regexp.MustCompile(`(?m)^\s+(iran|russia|jets)\s+\d`).MatchString(out) {
		t.Errorf("proposes a term the claim already has:\n%s", out)
	}
	if dbDigest(t, db) != before {
		t.Error("claims suggest changed the database")
	}

	if code, out, _ := cli(t, "", "--claims", evalClaims, "--db", db, "claims", "suggest", "test-jets", "--min-count", "13"); code != 0 || strings.Contains(out, "armenia") {
		t.Errorf("--min-count 13: exit %d, still proposes armenia:\n%s", code, out)
	}
	for _, args := range [][]string{
		{"claims", "suggest", "no-such-claim"},
		{"claims", "suggest", "test-jets", "--min-count", "0"},
		{"claims", "suggest"},
	} {
		if code, _, _ := cli(t, "", append([]string{"--claims", evalClaims, "--db", db}, args...)...); code != exitUsage {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}
