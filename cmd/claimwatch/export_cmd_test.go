package main

import (
	"context"
	"encoding/csv"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/claimwatch/claimwatch/internal/report"
	"github.com/claimwatch/claimwatch/storage"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestExportGolden: every export kind in every format, over the fixture.
func TestExportGolden(t *testing.T) {
	db := reportDB(t)
	fixClock(t, fixNow)
	for _, kind := range []string{"evidence", "status", "timeline"} {
		for _, format := range []string{"csv", "json", "jsonl"} {
			t.Run(kind+"."+format, func(t *testing.T) {
				code, out, errOut := cli(t, "", "export", kind, "--format", format, "--db", db)
				if code != 0 {
					t.Fatalf("exit %d: %s", code, errOut)
				}
				golden := filepath.Join("testdata", "export_"+kind+"."+format+".golden")
				if *update {
					must(t, os.MkdirAll("testdata", 0o755))
					must(t, os.WriteFile(golden, []byte(out), 0o644))
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run go test -update to create it)", err)
				}
				if out != string(want) {
					t.Errorf("export %s --format %s differs from %s:\n got:\n%s\nwant:\n%s", kind, format, golden, out, want)
				}
			})
		}
	}
}

// TestExportEvidenceCSVRoundTrip: the CSV read back with encoding/csv holds
// the rows ListEvidence gives, in order, every column.
func TestExportEvidenceCSVRoundTrip(t *testing.T) {
	db := reportDB(t)
	code, out, errOut := cli(t, "", "export", "evidence", "--all", "--db", db)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	s, err := storage.OpenReadOnly(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rows, err := s.ListEvidence(context.Background(), storage.EvidenceFilter{IncludeIrrelevant: true, IncludeStale: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(fixItems) || len(recs) != len(rows)+1 {
		t.Fatalf("%d CSV records for %d rows (want %d rows and a header)", len(recs), len(rows), len(fixItems))
	}
	if strings.Join(recs[0], ",") != "evidence_id,claim_id,claim_statement,stance,machine_stance,confidence,published_at,first_seen_at,source,outlet,title,url,snippet,matched_terms,story_id,review_note" {
		t.Errorf("header %q", recs[0])
	}
	for i, r := range rows {
		got := recs[i+1]
		want := []string{
			itoa64(r.ID), r.ClaimID, r.ClaimStatement, string(r.Stance), string(r.MachineStance), ftoa(r.Confidence),
			report.Stamp(r.PublishedAt), report.Stamp(r.FirstSeenAt), r.Source, r.Outlet, report.Inert(r.Title), r.URL,
			report.Inert(r.Snippet), strings.Join(r.MatchedTerms, "; "), itoa64(r.StoryID), report.Inert(r.ReviewNote),
		}
		if strings.Join(got, "\x00") != strings.Join(want, "\x00") {
			t.Errorf("row %d\n got %q\nwant %q", i, got, want)
		}
	}
}

// TestExportCSVInjection: a feed title "=HYPERLINK(...)" and a note
// starting with "-" come out as inert text; our own numbers are untouched.
func TestExportCSVInjection(t *testing.T) {
	db := reportDB(t)
	_, out, _ := cli(t, "", "export", "evidence", "--db", db)
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string][]string{}
	for _, r := range recs[1:] {
		byID[r[0]] = r
	}
	if got := byID["2"][10]; got != `'=HYPERLINK("http://evil.example/x","Click")` {
		t.Errorf("hostile title cell %q", got)
	}
	if got := byID["3"][15]; got != "'-the piece reports the delivery" {
		t.Errorf("review note cell %q", got)
	}
	if got := byID["2"][5]; got != "0.55" {
		t.Errorf("confidence cell %q", got)
	}
	for _, r := range recs[1:] {
		for _, cell := range r {
			if cell != "" && strings.ContainsAny(cell[:1], "=+-@\t\r") {
				t.Errorf("cell %q would be a formula", cell)
			}
		}
	}
	// JSON is not for spreadsheets: the title stays as written.
	_, out, _ = cli(t, "", "export", "evidence", "--format", "jsonl", "--claim", "arms", "--db", db)
	found := false
	for _, m := range jsonLines(t, out) {
		found = found || m["title"] == `=HYPERLINK("http://evil.example/x","Click")`
	}
	if !found {
		t.Errorf("JSON Lines lost the raw title:\n%s", out)
	}
}

// TestExportDateEdges: --since is inclusive and --until exclusive, for dates
// and RFC 3339 times, in export and evidence alike. Evidence 1 is published
// 2020-01-31T23:59:59Z, evidence 2 at 2020-02-01T00:00:00Z.
func TestExportDateEdges(t *testing.T) {
	db := reportDB(t)
	for _, c := range []struct {
		args []string
		want string // evidence ids, newest first
	}{
		{[]string{"--since", "2020-02-01"}, "4 3 2"},
		{[]string{"--until", "2020-02-01"}, "1"},
		{[]string{"--since", "2020-01-31T23:59:59Z", "--until", "2020-02-01T00:00:00Z"}, "1"},
		{[]string{"--since", "2020-02-01T00:00:00Z", "--until", "2020-02-01T00:00:01Z"}, "2"},
		{[]string{"--since", "2020-02-01T01:00:00+01:00", "--until", "2020-02-15"}, "2"},
		{[]string{"--since", "2020-03-04"}, ""},
	} {
		for _, cmd := range [][]string{{"export", "evidence", "--format", "jsonl"}, {"evidence", "arms", "--json"}, {"evidence", "bank", "--json"}} {
			code, out, errOut := cli(t, "", append(append(cmd, c.args...), "--db", db)...)
			if code != 0 {
				t.Fatalf("%v %v: exit %d: %s", cmd, c.args, code, errOut)
			}
			var ids []string
			for _, m := range jsonLines(t, out) {
				ids = append(ids, itoa64(int64(m["evidence_id"].(float64))))
			}
			want := c.want
			if cmd[0] == "evidence" { // one claim only
				var keep []string
				for _, id := range strings.Fields(c.want) {
					if (id == "4") == (cmd[1] == "bank") {
						keep = append(keep, id)
					}
				}
				want = strings.Join(keep, " ")
			}
			if got := strings.Join(ids, " "); got != want {
				t.Errorf("%v %v: evidence %q, want %q", cmd, c.args, got, want)
			}
		}
	}
}

func TestExportToFile(t *testing.T) {
	db := reportDB(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "evidence.csv")
	code, stdout, errOut := cli(t, "", "export", "evidence", "-o", out, "--db", db)
	if code != 0 || stdout != "" || !strings.Contains(errOut, "exported 4 evidence rows") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, errOut)
	}
	_, direct, _ := cli(t, "", "export", "evidence", "--db", db)
	if got, _ := os.ReadFile(out); string(got) != direct {
		t.Errorf("file differs from standard output:\n%s\n%s", got, direct)
	}
	// Bad input writes nothing, not even an empty file.
	bad := filepath.Join(dir, "bad.csv")
	if code, _, _ := cli(t, "", "export", "evidence", "--since", "someday", "-o", bad, "--db", db); code != exitUsage || fileExists(bad) {
		t.Errorf("bad --since: exit %d, file created %v", code, fileExists(bad))
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("left in the directory: %v", ents)
	}
}
