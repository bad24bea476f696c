package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/claimwatch/claimwatch/internal/lock"
)

// cli runs one command line in-process.
func cli(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

func jsonLines(t *testing.T, s string) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("not JSON Lines: %q: %v", sc.Text(), err)
		}
		out = append(out, m)
	}
	return out
}

func TestMatchReportsDirectedArmsSale(t *testing.T) {
	code, out, errOut := cli(t, "Moscow has begun delivering Su-35 fighter jets to Tehran.\n", "match", "-", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var found bool
	for _, m := range jsonLines(t, out) {
		for _, key := range []string{"claim_id", "stance", "confidence", "snippet", "matched_terms"} {
			if _, ok := m[key]; !ok {
				t.Errorf("evidence object lacks %q: %v", key, m)
			}
		}
		if m["claim_id"] == "russia-arms-to-iran" {
			found = true
			if m["stance"] != "supports" {
				t.Errorf("stance %v, want supports", m["stance"])
			}
		}
	}
	if !found {
		t.Fatalf("russia-arms-to-iran not reported: %q", out)
	}
}

func TestMatchIgnoresReverseDirection(t *testing.T) {
	code, out, errOut := cli(t, "Iran has shipped hundreds of Shahed drones to Russia.\n", "match", "-", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, m := range jsonLines(t, out) {
		if m["claim_id"] == "russia-arms-to-iran" {
			t.Fatalf("Iranian drones for Russia reported as a Russian sale to Iran: %v", m)
		}
	}
}

func TestMatchHTMLFile(t *testing.T) {
	page := `<html><head><title>Arms</title></head><body><article><p>Russia delivered the first S-400 batteries to Iran on Monday, the defence ministry in Tehran said in a statement carried by state media.</p></article></body></html>`
	path := filepath.Join(t.TempDir(), "page.html")
	if err := os.WriteFile(path, []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := cli(t, "", "match", path)
	if code != 0 || !strings.Contains(out, "russia-arms-to-iran") || strings.Contains(out, "<p>") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

func TestMatchMissingFileIsBadInput(t *testing.T) {
	code, _, errOut := cli(t, "", "match", filepath.Join(t.TempDir(), "nope.txt"))
	if code != exitUsage || !strings.Contains(errOut, "nope.txt") {
		t.Fatalf("exit %d, stderr %q; want 2 naming the file", code, errOut)
	}
}

func TestClaimsCheckReportsFileLineAndExits2(t *testing.T) {
	path := filepath.Join(t.TempDir(), "broken.yaml")
	if err := os.WriteFile(path, []byte("id: ok-id\nstatement: x\nmade: 2020-02-30\nterms:\n  a: [Iran]\nmatch:\n  all: [a]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, _ := cli(t, "", "claims", "check", path)
	if code != exitUsage || !strings.Contains(out, path+":3:") {
		t.Fatalf("exit %d, output %q; want 2 and %s:3:", code, out, path)
	}
}

func TestClaimsCheckRunsTheExamples(t *testing.T) {
	path := filepath.Join(t.TempDir(), "jets.yaml")
	claim := "id: jets\nstatement: Russia will sell jets to Iran.\nmade: 2020-01-10\n" +
		"terms:\n  russia: [Russia]\n  iran: [Iran]\n  jets: [Su-35*]\n  transfer: [deliver*]\n" +
		"event:\n  all: [russia, iran, jets]\n  direction: [[russia, transfer, iran]]\n  trigger: [transfer]\n" +
		"examples:\n" +
		"  - {text: \"Russia delivered Su-35 jets to Iran.\", expect: supports}\n" +
		"  - {text: \"Russia will deliver Su-35 jets to Iran.\", expect: supports}\n"
	if err := os.WriteFile(path, []byte(claim), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, _ := cli(t, "", "claims", "check", path)
	if code != exitUsage || !strings.Contains(out, path+":15: example expects supports for jets, got mentions") {
		t.Fatalf("exit %d, output %q; want 2 and the wrong example at %s:15", code, out, path)
	}
	code, out, _ = cli(t, "", "claims", "check", filepath.Join("..", "..", "claims", "shipped"))
	if code != 0 || strings.Contains(out, "(error)") {
		t.Fatalf("the shipped claims: exit %d, output %q", code, out)
	}
}

func TestBrokenClaimsDirRefusesToLoad(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "x.yaml"), []byte("id: [\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := cli(t, "Russia delivered S-400 to Iran.", "--claims", dir, "match", "-")
	if code != exitUsage || !strings.Contains(errOut, "x.yaml:") {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
}

func TestClaimsListAndShow(t *testing.T) {
	code, out, _ := cli(t, "", "claims")
	for _, id := range []string{"russia-arms-to-iran", "eeu-iran-fta", "russia-curbs-iran-in-syria"} {
		if !strings.Contains(out, id) {
			t.Errorf("claims list lacks %s", id)
		}
	}
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	code, out, _ = cli(t, "", "claims", "show", "eeu-iran-fta")
	if code != 0 || !strings.Contains(out, "Eurasian Economic Union") {
		t.Fatalf("show: exit %d, %q", code, out)
	}
	for _, want := range []string{"about (a hit is a mention)", "event (within one sentence)", "trigger:  act, agreement", "examples: "} {
		if !strings.Contains(out, want) {
			t.Errorf("claims show lacks %q:\n%s", want, out)
		}
	}
	if code, _, errOut := cli(t, "", "claims", "show", "no-such-claim"); code != exitUsage || !strings.Contains(errOut, "no-such-claim") {
		t.Fatalf("unknown id: exit %d, %q", code, errOut)
	}
}

func TestBadUsageExits2(t *testing.T) {
	for _, args := range [][]string{{"bogus"}, {"match", "--nope"}, {"claims", "show"}, {"--log-format", "xml", "version"}} {
		if code, _, _ := cli(t, "", args...); code != exitUsage {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}

const testFeed = `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<item><title>Russia delivers S-400 to Iran</title><link>%[1]s/a/1</link><pubDate>Mon, 02 Sep 2024 10:00:00 GMT</pubDate>
<description>Russia delivered the first S-400 air defence batteries to Iran on Monday, officials in Tehran said.</description></item>
<item><title>Unrelated</title><link>%[1]s/a/2</link><description>Football results from the weekend.</description></item>
</channel></rss>`

// runConfig writes a config naming the given feed URLs, reaching the
// loopback test server deliberately (allow_private).
func runConfig(t *testing.T, dir string, feeds map[string]string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("fetch:\n  allow_private: true\n  per_host_delay: 0s\n  timeout: 5s\n  connect_timeout: 2s\n")
	if len(feeds) == 0 {
		b.WriteString("sources: []\n")
	} else {
		b.WriteString("sources:\n")
	}
	for name, url := range feeds {
		fmt.Fprintf(&b, "  - name: %s\n    url: %s\n    fetch_articles: never\n", name, url)
	}
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestRunOnce(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/feed.xml":
			fmt.Fprintf(w, testFeed, "http://"+r.Host)
		default:
			http.Error(w, "no", http.StatusInternalServerError)
		}
	}))
	defer srv.Close()
	dir := t.TempDir()
	db := filepath.Join(dir, "cw.db")

	cfg := runConfig(t, dir, map[string]string{"good": srv.URL + "/feed.xml", "bad": srv.URL + "/bad.xml"})
	code, out, errOut := cli(t, "", "--db", db, "--config", cfg, "run", "--once")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"1 ok", "1 failed", "new articles: 2", "russia-arms-to-iran", "bad.xml"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	// Idempotent: nothing new the second time.
	code, out, _ = cli(t, "", "--db", db, "--config", cfg, "run", "--once")
	if code != 0 || !strings.Contains(out, "new articles: 0") || !strings.Contains(out, "new evidence: 0") {
		t.Fatalf("second pass: exit %d\n%s", code, out)
	}

	// Only failing sources: exit 1.
	failing := runConfig(t, t.TempDir(), map[string]string{"bad": srv.URL + "/bad.xml"})
	if code, out, _ := cli(t, "", "--db", filepath.Join(dir, "other.db"), "--config", failing, "run", "--once"); code != exitFailure {
		t.Fatalf("all failing: exit %d, want 1\n%s", code, out)
	}

	// A bad config: exit 2, database untouched.
	badCfg := filepath.Join(dir, "bad.yaml")
	os.WriteFile(badCfg, []byte("sources:\n  - name: x\n    url: ftp://example.org/feed\n    kynd: feed\n"), 0o644)
	before, _ := os.ReadFile(db)
	code, _, errOut = cli(t, "", "--db", db, "--config", badCfg, "run", "--once")
	if code != exitUsage || !strings.Contains(errOut, "bad.yaml:") {
		t.Fatalf("bad config: exit %d, %q", code, errOut)
	}
	if after, _ := os.ReadFile(db); !bytes.Equal(before, after) {
		t.Error("a bad config changed the database")
	}
}

func TestRunOnceRefusesWhileAnotherWriterHoldsTheDatabase(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "cw.db")
	l, err := lock.Acquire(db)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	cfg := runConfig(t, dir, map[string]string{})
	code, _, errOut := cli(t, "", "--db", db, "--config", cfg, "run", "--once")
	if code != exitFailure || !strings.Contains(errOut, "in use by another claimwatch") {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
}

// Papercuts of a first session: a mistyped flag gets a suggestion,
// --version works as a flag, export with no argument lists what it exports.
func TestFirstSessionPapercuts(t *testing.T) {
	code, _, errOut := cli(t, "", "run", "--onse")
	if code != exitUsage || !strings.Contains(errOut, "did you mean --once?") {
		t.Errorf("run --onse: exit %d %q", code, errOut)
	}
	code, _, errOut = cli(t, "", "evidence", "x", "--limt", "3")
	if code != exitUsage || !strings.Contains(errOut, "did you mean --limit?") {
		t.Errorf("evidence --limt: exit %d %q", code, errOut)
	}
	code, out, _ := cli(t, "", "--version")
	_, want, _ := cli(t, "", "version")
	if code != 0 || out != want || !strings.HasPrefix(out, "claimwatch ") {
		t.Errorf("--version: exit %d %q, want %q", code, out, want)
	}
	code, _, errOut = cli(t, "", "export")
	if code != exitUsage || !strings.Contains(errOut, "evidence, status or timeline") {
		t.Errorf("export with no argument: exit %d %q", code, errOut)
	}
}

// A source skipped for backoff is named once in its summary line.
func TestSkipLineNamesSourceOnce(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusBadGateway)
	}))
	defer srv.Close()
	dir := t.TempDir()
	args := []string{"--db", filepath.Join(dir, "cw.db"), "--config", runConfig(t, dir, map[string]string{"brokenwire": srv.URL + "/feed.xml"}), "run", "--once"}
	cli(t, "", args...)
	_, out, _ := cli(t, "", args...)
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, "skipped ") && strings.Contains(line, "brokenwire") {
			if n := strings.Count(line, "brokenwire"); n != 1 {
				t.Errorf("skip line names the source %d times: %q", n, line)
			}
			return
		}
	}
	t.Errorf("no skip line for the source in backoff:\n%s", out)
}
