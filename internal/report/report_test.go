package report

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/claimwatch/claimwatch/claims"
	"github.com/claimwatch/claimwatch/storage"
)

var day0 = time.Date(2020, 1, 10, 0, 0, 0, 0, time.UTC)

// fixture is a small store: two claims, evidence of every stance, one
// hostile title, one review to irrelevant and one from mentions to supports.
func fixture(t testing.TB) *storage.Store {
	t.Helper()
	ctx := context.Background()
	s, err := storage.Open(ctx, filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	horizon := day0.AddDate(1, 0, 0)
	cs := []claims.Claim{
		{ID: "arms", Statement: "Russia will sell arms to Iran.", Made: day0, Horizon: &horizon, Hash: "a"},
		{ID: "bank", Statement: "-Iran and Russia will link their banks.", Made: day0, Hash: "b"},
	}
	if _, err := s.SyncClaims(ctx, cs); err != nil {
		t.Fatal(err)
	}
	type item struct {
		title  string
		days   int
		claim  string
		stance claims.Stance
	}
	items := []item{
		{"Russia delivers Su-35 jets to Iran", 0, "arms", claims.Supports},
		{`=HYPERLINK("http://evil.example","click")`, 1, "arms", claims.Contradicts},
		{"Tehran talks, Moscow listens", 2, "arms", claims.Mentions},
		{"Banks link up, say officials", 3, "bank", claims.Supports},
		{"+1 more on arms", 3, "arms", claims.Mentions},
	}
	for i, it := range items {
		a := storage.Article{
			URL: fmt.Sprintf("https://news%d.example/a/%d", i%3, i), Title: it.title,
			Text:   fmt.Sprintf("Body %d: Russia and Iran, Su-35 fighter jets and banks.", i),
			Source: "wire", Outlet: fmt.Sprintf("news%d.example", i%3),
			PublishedAt: day0.AddDate(0, 0, it.days).Add(9 * time.Hour), FetchedAt: day0.AddDate(0, 0, it.days).Add(10 * time.Hour),
			ContentHash: fmt.Sprint("h", i), SimHash: uint64(i+1) * 0x9E3779B97F4A7C15,
		}
		f := claims.Finding{ClaimID: it.claim, Stance: it.stance, Confidence: 0.25 * float64(i%4+1),
			Snippet: "@" + it.title, MatchedTerms: []string{"Russia", "Iran"}, Sentences: 1}
		if _, err := s.SaveArticle(ctx, a, []claims.Finding{f}); err != nil {
			t.Fatal(err)
		}
	}
	ev, err := s.ListEvidence(ctx, storage.EvidenceFilter{ClaimID: "arms"})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ev {
		switch e.Title {
		case "Tehran talks, Moscow listens":
			mustReview(t, s, e.ID, claims.Irrelevant, "not about arms")
		case "+1 more on arms":
			mustReview(t, s, e.ID, claims.Supports, "-read the whole piece")
		}
	}
	return s
}

func mustReview(t testing.TB, s *storage.Store, id int64, st claims.Stance, note string) {
	t.Helper()
	if err := s.Review(context.Background(), id, st, note, "tester"); err != nil {
		t.Fatal(err)
	}
}

func TestParseDate(t *testing.T) {
	for _, c := range []struct {
		in   string
		want time.Time
	}{
		{"", time.Time{}},
		{"2020-01-10", day0},
		{"2020-01-10T15:04:05Z", day0.Add(15*time.Hour + 4*time.Minute + 5*time.Second)},
		{"2020-01-10T15:04:05+02:00", day0.Add(13*time.Hour + 4*time.Minute + 5*time.Second)},
	} {
		got, err := ParseDate("--since", c.in)
		if err != nil || !got.Equal(c.want) || got.Location() != time.UTC {
			t.Errorf("ParseDate(%q) = %v, %v; want %v UTC", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"2020-13-01", "10/01/2020", "2020-01-10 15:04", "yesterday"} {
		_, err := ParseDate("--until", bad)
		if err == nil || !strings.Contains(err.Error(), "--until") || !strings.Contains(err.Error(), bad) {
			t.Errorf("ParseDate(%q) error %v, want one naming the flag and value", bad, err)
		}
	}
	if _, err := ParseRange("2020-02-01", "2020-01-01"); err == nil {
		t.Error("ParseRange accepted since after until")
	}
	if _, err := ParseRange("2020-01-01", "2020-01-01"); err == nil {
		t.Error("ParseRange accepted an empty range")
	}
}

// TestInertQuotedFormula: a cell that already starts with a quote before a
// formula character gets its own quote, so a reader stripping one leading
// quote (as the README advises) gets the original cell, never a formula.
func TestInertQuotedFormula(t *testing.T) {
	for _, in := range []string{"'=HYPERLINK(\"x\")", "'+1", "'-2+3", "'@SUM(A1)", "'\tcmd", "'\rcmd"} {
		got := Inert(in)
		if got != "'"+in {
			t.Errorf("Inert(%q) = %q, want %q", in, got, "'"+in)
		}
		if stripped := got[1:]; stripped != in {
			t.Errorf("Inert(%q) minus one quote = %q, want the original", in, stripped)
		}
	}
	for _, in := range []string{"'quoted", "'", "''=x", "it's"} {
		if got := Inert(in); got != in {
			t.Errorf("Inert(%q) = %q, want it unchanged", in, got)
		}
	}
}

func TestInert(t *testing.T) {
	for in, want := range map[string]string{
		"=HYPERLINK(\"x\")": "'=HYPERLINK(\"x\")",
		"+1":                "'+1",
		"-2+3":              "'-2+3",
		"@SUM(A1)":          "'@SUM(A1)",
		"\tcmd":             "'\tcmd",
		"\rcmd":             "'\rcmd",
		"":                  "",
		"Russia = Iran":     "Russia = Iran",
		"'quoted":           "'quoted",
	} {
		if got := Inert(in); got != want {
			t.Errorf("Inert(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestExportEvidenceRoundTrip: the CSV export, read back with encoding/csv,
// holds exactly the rows StreamEvidence gives, cell by cell, in order.
func TestExportEvidenceRoundTrip(t *testing.T) {
	ctx := context.Background()
	s := fixture(t)
	f := storage.EvidenceFilter{IncludeIrrelevant: true}
	var buf bytes.Buffer
	n, err := ExportEvidence(ctx, s, f, CSV, &buf)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(recs[0], ",") != strings.Join(EvidenceColumns, ",") {
		t.Fatalf("header %v", recs[0])
	}
	var want [][]string
	err = s.StreamEvidence(ctx, f, func(r storage.EvidenceRow) error {
		want = append(want, []string{fmt.Sprint(r.ID), r.ClaimID, Inert(r.ClaimStatement), string(r.Stance), string(r.MachineStance),
			fmt.Sprint(r.Confidence), r.PublishedAt.UTC().Format(time.RFC3339), r.FirstSeenAt.UTC().Format(time.RFC3339),
			r.Source, r.Outlet, Inert(r.Title), r.URL, Inert(r.Snippet), strings.Join(r.MatchedTerms, "; "),
			fmt.Sprint(r.StoryID), Inert(r.ReviewNote)})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != 5 || len(want) != 5 || len(recs)-1 != n {
		t.Fatalf("exported %d rows (%d records), streamed %d; want 5", n, len(recs)-1, len(want))
	}
	for i := range want {
		if fmt.Sprintf("%q", recs[i+1]) != fmt.Sprintf("%q", want[i]) {
			t.Errorf("row %d\n got %q\nwant %q", i, recs[i+1], want[i])
		}
	}
	// The hostile title and the notes starting with "-" come out inert.
	for _, r := range recs[1:] {
		for _, cell := range r {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("live formula cell %q", cell)
			}
		}
	}
}

func TestExportEvidenceJSONFormats(t *testing.T) {
	ctx := context.Background()
	s := fixture(t)
	f := storage.EvidenceFilter{ClaimID: "arms"}
	var arr, lines bytes.Buffer
	if _, err := ExportEvidence(ctx, s, f, JSON, &arr); err != nil {
		t.Fatal(err)
	}
	if _, err := ExportEvidence(ctx, s, f, JSONL, &lines); err != nil {
		t.Fatal(err)
	}
	var fromArr []EvidenceJSON
	if err := json.Unmarshal(arr.Bytes(), &fromArr); err != nil {
		t.Fatalf("JSON export is not a JSON array: %v\n%s", err, arr.String())
	}
	var fromLines []EvidenceJSON
	for _, line := range strings.Split(strings.TrimSuffix(lines.String(), "\n"), "\n") {
		var e EvidenceJSON
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("JSON Lines line %q: %v", line, err)
		}
		fromLines = append(fromLines, e)
	}
	// arms has four items, one reviewed irrelevant and so left out.
	if len(fromArr) != 3 || fmt.Sprint(fromArr) != fmt.Sprint(fromLines) {
		t.Fatalf("json %d rows, jsonl %d rows, or they differ:\n%v\n%v", len(fromArr), len(fromLines), fromArr, fromLines)
	}
	// JSON keeps text raw (no spreadsheet quoting) and the stance effective.
	for _, e := range fromArr {
		if e.Title == "+1 more on arms" && (e.Stance != "supports" || e.MachineStance != "mentions" || e.ReviewNote != "-read the whole piece") {
			t.Errorf("reviewed row %+v", e)
		}
	}
	var empty bytes.Buffer
	if _, err := ExportEvidence(ctx, s, storage.EvidenceFilter{ClaimID: "nobody"}, JSON, &empty); err != nil || strings.TrimSpace(empty.String()) != "[]" {
		t.Errorf("empty JSON export %q, %v; want []", empty.String(), err)
	}
}

func TestStatusesAndExport(t *testing.T) {
	ctx := context.Background()
	s := fixture(t)
	now := day0.AddDate(1, 0, 1) // past the arms horizon
	rows, err := Statuses(ctx, s, now, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 {
		t.Fatalf("%d rows", len(rows))
	}
	arms := rows[0]
	// supports: the Su-35 item and the one reviewed to supports; the
	// irrelevant review is left out of every count.
	if arms.Supports != 2 || arms.Contradicts != 1 || arms.Mentions != 0 || !arms.SuggestExpired {
		t.Fatalf("arms status %+v", arms)
	}
	if want := day0.AddDate(0, 0, 3).Add(9 * time.Hour); !arms.LastEvidence.Equal(want) {
		t.Errorf("last evidence %v, want %v", arms.LastEvidence, want)
	}
	if got := VerdictLabel(arms.Status); got != "open (expired?)" {
		t.Errorf("label %q", got)
	}
	var buf bytes.Buffer
	if err := ExportStatus(&buf, CSV, rows); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 || len(recs[0]) != len(StatusColumns) {
		t.Fatalf("status CSV %q", recs)
	}
	// The bank statement starts with "-": inert.
	if recs[2][1] != "'-Iran and Russia will link their banks." {
		t.Errorf("bank statement cell %q", recs[2][1])
	}
	one, err := Statuses(ctx, s, now, "bank")
	if err != nil || len(one) != 1 || one[0].ClaimID != "bank" {
		t.Errorf("Statuses(bank) = %+v, %v", one, err)
	}
}

func TestArrows(t *testing.T) {
	for _, c := range []struct {
		a, b        int
		arrow, word string
	}{{3, 1, "↑", "up"}, {1, 3, "↓", "down"}, {2, 2, "→", "flat"}, {0, 0, "→", "flat"}} {
		if Arrow(c.a, c.b) != c.arrow || TrendWord(c.a, c.b) != c.word {
			t.Errorf("%d vs %d: %s %s", c.a, c.b, Arrow(c.a, c.b), TrendWord(c.a, c.b))
		}
	}
}

func TestBar(t *testing.T) {
	peak := storage.TimelineRow{Supports: 10, Contradicts: 6, Mentions: 4}
	if got := Bar(peak, 20, 20); got != strings.Repeat("█", 10)+strings.Repeat("▒", 6)+strings.Repeat("·", 4) {
		t.Errorf("peak bar %q", got)
	}
	// One item among a busy peak still shows.
	if got := Bar(storage.TimelineRow{Contradicts: 1}, 1000, 40); got != "▒" {
		t.Errorf("small bar %q", got)
	}
	if got := Bar(storage.TimelineRow{}, 0, 40); got != "" {
		t.Errorf("empty bar %q", got)
	}
	var buf bytes.Buffer
	rows := []storage.TimelineRow{{Period: "2020-01", Supports: 2}, {Period: "2020-02"}}
	if err := WriteTimelineTable(&buf, rows, true); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "2020-01  2    0    0    2      "+strings.Repeat("█", barWidth)) || !strings.Contains(buf.String(), "supports") {
		t.Errorf("timeline with bars:\n%s", buf.String())
	}
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.csv")
	if err := os.WriteFile(path, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := WriteFileAtomic(path, func(w io.Writer) error {
		io.WriteString(w, "half a file")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err %v, want boom", err)
	}
	if got, _ := os.ReadFile(path); string(got) != "old\n" {
		t.Errorf("failed write changed the file: %q", got)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("temporary file left behind: %v", ents)
	}
	if err := WriteFileAtomic(path, func(w io.Writer) error { _, err := io.WriteString(w, "new\n"); return err }); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); string(got) != "new\n" {
		t.Errorf("file %q, want new", got)
	}
	if info, _ := os.Stat(path); info.Mode().Perm() != 0o644 {
		t.Errorf("new file mode %v, want 0644", info.Mode().Perm())
	}
	// A file the analyst made private stays private when replaced.
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(path, func(w io.Writer) error { _, err := io.WriteString(w, "newer\n"); return err }); err != nil {
		t.Fatal(err)
	}
	if info, _ := os.Stat(path); info.Mode().Perm() != 0o600 {
		t.Errorf("replaced private file has mode %v, want 0600 kept", info.Mode().Perm())
	}
	if err := WriteFileAtomic(filepath.Join(dir, "missing", "x.csv"), func(io.Writer) error { return nil }); err == nil {
		t.Error("no error for a missing directory")
	}
}

func TestAuthor(t *testing.T) {
	if Author("alice") != "alice" {
		t.Error("--by ignored")
	}
	if Author("") == "" {
		t.Error("no default author")
	}
}

func TestParseFormat(t *testing.T) {
	for _, ok := range []string{"csv", "json", "jsonl"} {
		if f, err := ParseFormat(ok); err != nil || string(f) != ok {
			t.Errorf("ParseFormat(%q) = %q, %v", ok, f, err)
		}
	}
	if _, err := ParseFormat("xlsx"); err == nil {
		t.Error("xlsx accepted")
	}
}
