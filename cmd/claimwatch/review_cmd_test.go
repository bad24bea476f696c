package main

import (
	"strings"
	"testing"

	"github.com/claimwatch/claimwatch/internal/report"
)

// statusOf returns one claim's status --json object.
func statusOf(t *testing.T, db, claim string) map[string]any {
	t.Helper()
	code, out, errOut := cli(t, "", "status", "--json", "--db", db)
	if code != 0 {
		t.Fatalf("status: exit %d: %s", code, errOut)
	}
	for _, m := range jsonLines(t, out) {
		if m["claim_id"] == claim {
			return m
		}
	}
	t.Fatalf("no status for %s:\n%s", claim, out)
	return nil
}

func counts(m map[string]any) [3]float64 {
	return [3]float64{m["supports"].(float64), m["contradicts"].(float64), m["mentions"].(float64)}
}

// TestReviewsChangeStatusCounts: a review moves an item between stances,
// "irrelevant" takes it out of the counts (still listed with --all), and the
// machine's stance is kept beside the analyst's.
func TestReviewsChangeStatusCounts(t *testing.T) {
	db := reportDB(t)
	fixClock(t, fixNow)
	if got := counts(statusOf(t, db, "arms")); got != [3]float64{2, 1, 0} {
		t.Fatalf("arms before: %v", got)
	}
	code, out, errOut := cli(t, "", "review", "1", "--stance", "contradicts", "--note", "misread", "--by", "alice", "--db", db)
	if code != 0 || !strings.Contains(out, "reviewed as contradicts by alice") || !strings.Contains(out, "machine's stance, supports, is kept") {
		t.Fatalf("review: exit %d: %s%s", code, out, errOut)
	}
	if got := counts(statusOf(t, db, "arms")); got != [3]float64{1, 2, 0} {
		t.Errorf("after supports → contradicts: %v, want [1 2 0]", got)
	}
	cli(t, "", "review", "2", "--stance", "irrelevant", "--db", db)
	st := statusOf(t, db, "arms")
	if got := counts(st); got != [3]float64{1, 1, 0} || st["stories"] != float64(1) || st["outlets"] != float64(2) {
		t.Errorf("after irrelevant: %v stories %v outlets %v, want [1 1 0], 1 story, 2 outlets", got, st["stories"], st["outlets"])
	}
	// Reviewing the irrelevant item back restores it.
	cli(t, "", "review", "5", "--stance", "mentions", "--db", db)
	if got := counts(statusOf(t, db, "arms")); got != [3]float64{1, 1, 1} {
		t.Errorf("after irrelevant → mentions: %v, want [1 1 1]", got)
	}
	_, out, _ = cli(t, "", "evidence", "arms", "--all", "--json", "--db", db)
	for _, m := range jsonLines(t, out) {
		if m["evidence_id"] == float64(1) && (m["stance"] != "contradicts" || m["machine_stance"] != "supports" || m["review_note"] != "misread") {
			t.Errorf("reviewed evidence 1: %v", m)
		}
		if m["evidence_id"] == float64(2) && m["stance"] != "irrelevant" {
			t.Errorf("evidence 2 with --all: %v", m)
		}
	}
}

// TestVerdictsChangeStatus: a verdict replaces "open", confirmed silences
// the expiry suggestion, and the history keeps every change with its
// author and note.
func TestVerdictsChangeStatus(t *testing.T) {
	db := reportDB(t)
	fixClock(t, fixNow)
	if st := statusOf(t, db, "arms"); st["verdict"] != "open" || st["suggest_expired"] != true {
		t.Fatalf("arms before: %v", st)
	}
	_, out, _ := cli(t, "", "verdict", "arms", "--db", db)
	if !strings.Contains(out, "arms: open") || !strings.Contains(out, "consider --set expired") {
		t.Errorf("verdict arms:\n%s", out)
	}
	for _, v := range []struct{ verdict, note, by string }{
		{"developing", "first deliveries reported", "alice"},
		{"confirmed", "Su-35s seen at Hamadan", "bob"},
	} {
		code, out, errOut := cli(t, "", "verdict", "arms", "--set", v.verdict, "--note", v.note, "--by", v.by, "--db", db)
		if code != 0 || !strings.Contains(out, "verdict "+v.verdict) {
			t.Fatalf("verdict --set %s: exit %d: %s%s", v.verdict, code, out, errOut)
		}
	}
	if st := statusOf(t, db, "arms"); st["verdict"] != "confirmed" || st["suggest_expired"] != false || st["verdict_at"] == "" {
		t.Errorf("arms after: %v", st)
	}
	_, out, _ = cli(t, "", "verdict", "arms", "--history", "--db", db)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.Contains(lines[1], "developing  alice  first deliveries reported") ||
		!strings.Contains(lines[2], "confirmed   bob    Su-35s seen at Hamadan") {
		t.Errorf("history:\n%s", out)
	}
	// Without --by the login name (or $USER) is recorded.
	cli(t, "", "verdict", "bank", "--set", "stalled", "--note", "no news", "--db", db)
	_, out, _ = cli(t, "", "verdict", "bank", "--history", "--db", db)
	if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 3 || strings.Fields(lines[2])[2] != report.Author("") {
		t.Errorf("bank history, want the last by %q:\n%s", report.Author(""), out)
	}
}

// TestReportBadInputExits2: bad dates, unknown ids and malformed input are
// bad usage (exit 2) with a message naming what was wrong.
func TestReportBadInputExits2(t *testing.T) {
	db := reportDB(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"evidence", "arms", "--since", "2020-13-01"}, `--since "2020-13-01": want a date YYYY-MM-DD or an RFC 3339 time`},
		{[]string{"evidence", "arms", "--until", "31/01/2020"}, `--until "31/01/2020"`},
		{[]string{"evidence", "arms", "--since", "2020-02-01", "--until", "2020-01-01"}, "the range is empty"},
		{[]string{"export", "evidence", "--until", "tomorrow"}, `--until "tomorrow"`},
		{[]string{"timeline", "arms", "--since", "2020-1-1"}, `--since "2020-1-1"`},
		{[]string{"search", "moscow", "--since", "last week"}, `--since "last week"`},
		{[]string{"evidence", "nope"}, `unknown claim "nope" (known: arms, bank,`},
		{[]string{"timeline", "nope"}, `unknown claim "nope"`},
		{[]string{"verdict", "nope", "--history"}, `unknown claim "nope"`},
		{[]string{"verdict", "nope", "--set", "confirmed", "--note", "x"}, `unknown claim "nope"`},
		{[]string{"export", "timeline", "--claim", "nope"}, `unknown claim "nope"`},
		{[]string{"search", "moscow", "--claim", "nope"}, `unknown claim "nope"`},
		{[]string{"review", "999", "--stance", "supports"}, "unknown evidence id 999"},
		{[]string{"review", "abc", "--stance", "supports"}, `evidence id "abc": want the number`},
		{[]string{"review", "1", "--stance", "maybe"}, `unknown stance "maybe"`},
		{[]string{"review", "1"}, `required flag(s) "stance" not set`},
		{[]string{"evidence", "arms", "--stance", "sideways"}, `unknown stance "sideways"`},
		{[]string{"verdict", "arms", "--set", "true"}, `--set "true": want one of open, developing`},
		{[]string{"verdict", "arms", "--set", "confirmed"}, "--set needs a --note"},
		{[]string{"verdict", "arms", "--set", "confirmed", "--note", "x", "--history"}, "do not go together"},
		{[]string{"verdict", "russia-arms-to-iran", "--set", "confirmed", "--note", "x"}, "not in the database yet"},
		{[]string{"export", "evidence", "--format", "xlsx"}, `unknown format "xlsx"`},
		{[]string{"export", "claims"}, `export "claims": want evidence, status or timeline`},
		{[]string{"export", "status", "--since", "2020-01-01"}, "export status takes no --since"},
		{[]string{"timeline", "arms", "--by", "year"}, `--by "year": want day, week or month`},
		{[]string{"search", `"unbalanced`}, "not valid search syntax"},
		{[]string{"search", "moscow", "--limit", "0"}, "--limit 0"},
	} {
		code, out, errOut := cli(t, "", append(c.args, "--db", db)...)
		if code != exitUsage || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args, code, errOut, c.want)
		}
		if strings.Contains(errOut, "SQL") || strings.Contains(errOut, "sqlite") {
			t.Errorf("%v: database error leaked: %s", c.args, errOut)
		}
		if out != "" {
			t.Errorf("%v: wrote to standard output: %q", c.args, out)
		}
	}
	// Nothing of that reached the database.
	if st := statusOf(t, db, "arms"); st["verdict"] != "open" || counts(st) != [3]float64{2, 1, 0} {
		t.Errorf("bad input changed the database: %v", st)
	}
}
