package main

import (
	"strconv"
	"strings"
	"testing"

	"github.com/claimwatch/claimwatch/internal/report"
)

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }
func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func TestEvidenceListing(t *testing.T) {
	db := reportDB(t)
	code, out, errOut := cli(t, "", "evidence", "arms", "--db", db)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	ids := firstColumn(out)
	// Newest first; evidence 5, reviewed irrelevant, is hidden.
	if ids != "3 2 1" {
		t.Errorf("ids %q, want 3 2 1:\n%s", ids, out)
	}
	if !strings.Contains(out, "supports*") || !strings.Contains(out, "reviewed by an analyst") {
		t.Errorf("review not marked:\n%s", out)
	}
	_, out, _ = cli(t, "", "evidence", "arms", "--all", "--db", db)
	if ids := firstColumn(out); ids != "5 3 2 1" || !strings.Contains(out, "irrelevant*") {
		t.Errorf("--all: ids %q:\n%s", ids, out)
	}
	_, out, _ = cli(t, "", "evidence", "arms", "--stance", "supports", "--db", db)
	if ids := firstColumn(out); ids != "3 1" {
		t.Errorf("--stance supports: ids %q", ids)
	}
	_, out, _ = cli(t, "", "evidence", "arms", "--source", "wire-b", "--db", db)
	if ids := firstColumn(out); ids != "2" {
		t.Errorf("--source wire-b: ids %q", ids)
	}
	// Source names compare case-insensitively; an unknown one is bad input.
	_, out, _ = cli(t, "", "evidence", "arms", "--source", "WIRE-B", "--db", db)
	if ids := firstColumn(out); ids != "2" {
		t.Errorf("--source WIRE-B: ids %q", ids)
	}
	code, _, errOut = cli(t, "", "evidence", "arms", "--source", "wire-z", "--db", db)
	if code != exitUsage || !strings.Contains(errOut, "known: wire-a, wire-b") {
		t.Errorf("--source wire-z: exit %d %q", code, errOut)
	}
	code, out, errOut = cli(t, "", "evidence", "arms", "--limit", "1", "--db", db)
	if ids := firstColumn(out); code != 0 || ids != "3" || !strings.Contains(errOut, "--limit 0") {
		t.Errorf("--limit 1: exit %d, ids %q, stderr %q", code, ids, errOut)
	}
	// A claim in the claim files but not yet in the database: no evidence,
	// not an error.
	code, out, _ = cli(t, "", "evidence", "russia-arms-to-iran", "--db", db)
	if code != 0 || !strings.Contains(out, "no evidence") {
		t.Errorf("shipped claim not in the database: exit %d, %q", code, out)
	}
}

// The listing shows each item's snippet and URL under its row, and
// evidence show gives one item in full.
func TestEvidenceSnippetAndShow(t *testing.T) {
	t.Setenv("COLUMNS", "") // not a terminal: the default width
	db := reportDB(t)
	code, out, errOut := cli(t, "", "evidence", "arms", "--db", db)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "3 ") {
			if i+2 >= len(lines) || !strings.HasPrefix(lines[i+1], "    ") || !strings.Contains(out, "    http") {
				t.Errorf("no snippet and URL under row 3:\n%s", out)
			}
		}
		if len([]rune(l)) > report.DefaultWidth {
			t.Errorf("line wider than %d columns: %q", report.DefaultWidth, l)
		}
	}
	code, out, errOut = cli(t, "", "evidence", "show", "5", "--db", db)
	if code != 0 {
		t.Fatalf("show: exit %d %s", code, errOut)
	}
	for _, want := range []string{"evidence 5: arms, irrelevant (reviewed; the machine's:", "url:", "outlet:", "matched:", "snippet:", "reviews:"} {
		if !strings.Contains(out, want) {
			t.Errorf("show lacks %q:\n%s", want, out)
		}
	}
	if code, _, errOut := cli(t, "", "evidence", "show", "999", "--db", db); code != exitUsage || !strings.Contains(errOut, "unknown evidence id 999") {
		t.Errorf("show 999: exit %d %q", code, errOut)
	}
}

// firstColumn returns the first field of each table row after the header.
func firstColumn(table string) string {
	var ids []string
	// Row lines start with the id; the snippet and URL lines under each
	// row are indented.
	for _, line := range strings.Split(table, "\n")[1:] {
		if line == "" || line[0] < '0' || line[0] > '9' {
			continue
		}
		ids = append(ids, strings.Fields(line)[0])
	}
	return strings.Join(ids, " ")
}

func TestSearchAndTimeline(t *testing.T) {
	db := reportDB(t)
	code, out, errOut := cli(t, "", "search", "Shetab", "--json", "--db", db)
	hits := jsonLines(t, out)
	if code != 0 || len(hits) != 1 || hits[0]["title"] != "Mir and Shetab cards linked" || !strings.Contains(strings.ToLower(hits[0]["snippet"].(string)), "[shetab]") {
		t.Fatalf("search: exit %d, %v, %s", code, hits, errOut)
	}
	_, out, _ = cli(t, "", "search", "moscow", "--claim", "bank", "--db", db)
	if !strings.Contains(out, "Mir and Shetab") || strings.Contains(out, "Su-35") {
		t.Errorf("search --claim bank:\n%s", out)
	}
	_, out, _ = cli(t, "", "search", "moscow", "--since", "2020-03-02", "--json", "--db", db)
	if n := len(jsonLines(t, out)); n != 2 {
		t.Errorf("search --since 2020-03-02: %d hits, want 2 (inclusive)", n)
	}

	code, out, errOut = cli(t, "", "timeline", "arms", "--by", "week", "--db", db)
	if code != 0 {
		t.Fatalf("timeline: exit %d: %s", code, errOut)
	}
	// Weeks start on Monday; the empty week between shows as zero; the
	// irrelevant item of March is not counted.
	want := "PERIOD SUP CON MEN TOTAL|2020-01-27 1 1 0 2|2020-02-03 0 0 0 0|2020-02-10 1 0 0 1"
	var got []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		got = append(got, strings.Join(strings.Fields(line), " "))
	}
	if strings.Join(got, "|") != want {
		t.Errorf("timeline:\n%s\nwant %s", out, want)
	}
	_, out, _ = cli(t, "", "timeline", "arms", "--since", "2020-02-01", "--until", "2020-03-01", "--json", "--db", db)
	rows := jsonLines(t, out)
	if len(rows) != 1 || rows[0]["period"] != "2020-02" || rows[0]["total"] != float64(2) {
		t.Errorf("timeline February: %v", rows)
	}
}
