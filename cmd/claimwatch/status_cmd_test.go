package main

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/claimwatch/claimwatch/claims"
	"github.com/claimwatch/claimwatch/storage"
)

// The report fixture: fixed times throughout, so exports are golden.
var (
	fixNow     = time.Date(2020, 3, 10, 0, 0, 0, 0, time.UTC)
	fixHorizon = time.Date(2020, 3, 1, 0, 0, 0, 0, time.UTC)
)

type fixItem struct {
	title, outlet string
	published     time.Time
	claim         string
	stance        claims.Stance
	simhash       uint64
}

// fixItems are in insertion order, so evidence ids are 1..5.
var fixItems = []fixItem{
	{"Russia delivers Su-35 jets to Iran", "a.example", time.Date(2020, 1, 31, 23, 59, 59, 0, time.UTC), "arms", claims.Supports, 0xAAAA_0000_0000_0001},
	{`=HYPERLINK("http://evil.example/x","Click")`, "b.example", time.Date(2020, 2, 1, 0, 0, 0, 0, time.UTC), "arms", claims.Contradicts, 0x1234_5678_9ABC_DEF0},
	// A syndicated copy of the first story (simhash within 3 bits).
	{"Tehran and Moscow talk arms", "c.example", time.Date(2020, 2, 15, 8, 0, 0, 0, time.UTC), "arms", claims.Mentions, 0xAAAA_0000_0000_0003},
	{"Mir and Shetab cards linked", "a.example", time.Date(2020, 3, 2, 10, 0, 0, 0, time.UTC), "bank", claims.Supports, 0x0F0F_0F0F_0F0F_0F0F},
	{"Arms fair in Dubai", "d.example", time.Date(2020, 3, 3, 9, 30, 0, 0, time.UTC), "arms", claims.Mentions, 0x7777_7777_7777_7777},
}

// reportDB builds the fixture database through storage's API and returns
// its path. Evidence 3 is reviewed mentions → supports, evidence 5
// irrelevant; claim bank has the verdict developing. Storage stamps
// first-seen, review and verdict times with its own clock, so those are
// then set to fixed values with SQL, for the golden files.
func reportDB(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "claimwatch.db")
	s, err := storage.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	made, horizon := time.Date(2020, 1, 10, 0, 0, 0, 0, time.UTC), fixHorizon
	cs := []claims.Claim{
		{ID: "arms", Statement: "Russia will sell Su-35 fighter jets to Iran.", Made: made, Horizon: &horizon, Hash: "h1"},
		{ID: "bank", Statement: "Iran and Russia will link their payment card systems.", Made: made, Hash: "h2"},
	}
	if _, err := s.SyncClaims(ctx, cs); err != nil {
		t.Fatal(err)
	}
	for i, it := range fixItems {
		a := storage.Article{
			URL: "https://" + it.outlet + "/news/" + strings.ToLower(strings.ReplaceAll(it.title[:8], " ", "-")), Title: it.title,
			Text:   "Officials in Moscow and Tehran spoke about " + strings.ToLower(it.title) + ".",
			Source: "wire-" + it.outlet[:1], Outlet: it.outlet, PublishedAt: it.published,
			FetchedAt: it.published.Add(90 * time.Minute), ContentHash: it.title, SimHash: it.simhash,
		}
		f := claims.Finding{ClaimID: it.claim, Stance: it.stance, Confidence: []float64{0.9, 0.55, 0.4, 0.8, 0.3}[i],
			Snippet: "“" + it.title + "”, officials said.", MatchedTerms: []string{"Russia", "Iran", "Su-35"}[:i%3+1], Sentences: 1}
		if _, err := s.SaveArticle(ctx, a, []claims.Finding{f}); err != nil {
			t.Fatal(err)
		}
	}
	must(t, s.Review(ctx, 3, claims.Supports, "-the piece reports the delivery", "tester"))
	must(t, s.Review(ctx, 5, claims.Irrelevant, "a trade fair", "tester"))
	must(t, s.SetVerdict(ctx, "bank", storage.VerdictDeveloping, "talks under way", "tester"))
	must(t, s.Close())

	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, `
		UPDATE evidence SET first_seen_at = (SELECT first_seen_at FROM articles WHERE id = evidence.article_id),
			updated_at = (SELECT first_seen_at FROM articles WHERE id = evidence.article_id);
		UPDATE evidence SET reviewed_at = '2020-03-05T12:00:00.000Z' WHERE reviewed_at IS NOT NULL;
		UPDATE reviews SET created_at = '2020-03-05T12:00:00.000Z';
		UPDATE verdicts SET created_at = '2020-03-06T12:00:00.000Z';`)
	if err != nil {
		t.Fatal(err)
	}
	return path
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// fixClock sets the report clock for one (sequential) test.
func fixClock(t *testing.T, now time.Time) {
	old := reportClock
	reportClock = func() time.Time { return now }
	t.Cleanup(func() { reportClock = old })
}

func TestStatusTable(t *testing.T) {
	db := reportDB(t)
	fixClock(t, fixNow)
	code, out, errOut := cli(t, "", "status", "--db", db)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 {
		t.Fatalf("status:\n%s", out)
	}
	// arms: 2 supports (one by review), 1 contradicts, the irrelevant item
	// not counted; 2 stories (the syndicated copy counts once); horizon
	// passed with no verdict. Last 30 days: evidence 3 (Feb 15); the 30
	// before: evidence 1 and 2 (Jan 31, Feb 1).
	arms := strings.Fields(lines[1])
	want := []string{"arms", "open", "(expired?)", "2", "1", "0", "2", "3", "2020-02-15", "↓", "↑"}
	if strings.Join(arms[:len(want)], " ") != strings.Join(want, " ") {
		t.Errorf("arms row %q\nwant prefix %q", arms, want)
	}
	bank := strings.Fields(lines[2])
	if strings.Join(bank[:9], " ") != "bank developing 1 0 0 1 1 2020-03-02 ↑" {
		t.Errorf("bank row %q", bank)
	}
}

// status CLAIM shows that claim's row only; an unknown id is bad input.
func TestStatusOneClaim(t *testing.T) {
	db := reportDB(t)
	fixClock(t, fixNow)
	code, out, errOut := cli(t, "", "status", "bank", "--db", db)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 2 || !strings.HasPrefix(lines[1], "bank ") {
		t.Errorf("status bank: exit %d %q %q", code, out, errOut)
	}
	if code, _, errOut := cli(t, "", "status", "nosuch", "--db", db); code != exitUsage || !strings.Contains(errOut, "bank") {
		t.Errorf("status nosuch: exit %d %q", code, errOut)
	}
}

func TestStatusJSON(t *testing.T) {
	db := reportDB(t)
	fixClock(t, fixNow)
	code, out, errOut := cli(t, "", "status", "--json", "--db", db)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	rows := jsonLines(t, out)
	if len(rows) != 2 || rows[0]["claim_id"] != "arms" || rows[0]["suggest_expired"] != true || rows[1]["verdict"] != "developing" {
		t.Fatalf("status --json: %v", rows)
	}
}

// A directory as the database, or a path in a missing directory, is
// answered in plain words (not "disk I/O error"), and a wrong path does not
// suggest a run that would create a new database there.
func TestDatabasePathMistakes(t *testing.T) {
	dir := t.TempDir()
	cfg := runConfig(t, dir, map[string]string{"w": "https://example.org/feed.xml"})
	for _, args := range [][]string{{"status"}, {"run", "--once"}} {
		code, _, errOut := cli(t, "", append(args, "--db", dir, "--config", cfg)...)
		if code != exitUsage || !strings.Contains(errOut, "is a directory; --db takes the database file") {
			t.Errorf("%v --db DIR: exit %d %q", args, code, errOut)
		}
	}
	wrong := filepath.Join(dir, "no-such-dir", "cw.db")
	code, _, errOut := cli(t, "", "status", "--db", wrong)
	if code != exitUsage || !strings.Contains(errOut, "does not exist; check --db") || strings.Contains(errOut, "run --once") {
		t.Errorf("status --db in a missing directory: exit %d %q", code, errOut)
	}
}

func TestReportCommandsNeedADatabase(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "none.db")
	for _, args := range [][]string{
		{"status"}, {"evidence", "arms"}, {"export", "evidence"}, {"review", "1", "--stance", "supports"},
		{"verdict", "arms", "--set", "confirmed", "--note", "x"},
	} {
		code, _, errOut := cli(t, "", append(args, "--db", missing)...)
		if code != exitFailure || !strings.Contains(errOut, "run 'claimwatch run --once' first") {
			t.Errorf("%v on a missing database: exit %d, %s", args, code, errOut)
		}
	}
	if fileExists(missing) {
		t.Error("a report command created the database")
	}
}
