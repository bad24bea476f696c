package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/claimwatch/claimwatch/internal/lock"
)

// A misused subcommand points at its own help, not at the root's list of
// commands.
func TestUsageHintNamesTheMisusedCommand(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"verdict", "some-claim", "--jsn"}, "Run 'claimwatch verdict --help' for usage."},
		{[]string{"sources", "add", "Name", "http://example.org/feed"}, "Run 'claimwatch sources add --help' for usage."},
		{[]string{"frobnicate"}, "Run 'claimwatch --help' for usage."},
	} {
		code, _, errOut := cli(t, "", tc.args...)
		if code != exitUsage || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and %q", tc.args, code, errOut, tc.want)
		}
	}
}

// The hint of a run with nothing to poll gives the syntax 'sources add'
// really takes (URL, then --name), so that copying it works.
func TestNoSourcesHintGivesWorkingSourcesAdd(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "cw.db")
	cfg := runConfig(t, dir, nil)
	code, _, errOut := cli(t, "", "--db", db, "--config", cfg, "run", "--once")
	if code != exitUsage || !strings.Contains(errOut, "'claimwatch sources add URL --name NAME'") {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	code, out, errOut := cli(t, "", "--db", db, "--config", cfg, "sources", "add", "http://127.0.0.1:1/feed.xml", "--name", "NAME")
	if code != 0 {
		t.Fatalf("the hinted command line fails: exit %d %q %q", code, out, errOut)
	}
	// run --help lists that exit status among the 2s.
	if _, help, _ := cli(t, "", "run", "--help"); !strings.Contains(help, "2  bad usage or input: flags, config or claim files, no enabled source") {
		t.Errorf("run --help does not say that no enabled source exits 2:\n%s", help)
	}
}

// Tables print times as RFC 3339 in UTC, as verdicts, reviews and every
// export do, never as a bare "2006-01-02 15:04" a reader takes for local time.
func TestSourcesListTimesAreRFC3339(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, testFeed, "http://"+r.Host)
	}))
	defer srv.Close()
	dir := t.TempDir()
	args := []string{"--db", filepath.Join(dir, "cw.db"), "--config", runConfig(t, dir, map[string]string{"wire": srv.URL + "/feed.xml"})}
	if code, out, errOut := cli(t, "", append(args, "run", "--once")...); code != 0 {
		t.Fatalf("run --once: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut := cli(t, "", append(args, "sources", "list")...)
	if code != 0 {
		t.Fatalf("sources list: exit %d %q", code, errOut)
	}
	if !regexp.MustCompile(`wire .* \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ`).MatchString(out) {
		t.Errorf("sources list shows no RFC 3339 time:\n%s", out)
	}
	if m := regexp.MustCompile(`\d{4}-\d\d-\d\d \d\d:\d\d`).FindString(out); m != "" {
		t.Errorf("sources list shows %q, a time without its zone:\n%s", m, out)
	}
}

// Without --config the sources come from the embedded defaults: messages do
// not send the operator to edit "defaults.yaml", a file they do not have.
// A name with a space is quoted in the command line a message suggests.
func TestSourceNameClashMessages(t *testing.T) {
	t.Setenv("CLAIMWATCH_CONFIG", "")
	db := filepath.Join(t.TempDir(), "cw.db")
	code, _, errOut := cli(t, "", "--db", db, "sources", "add", "http://127.0.0.1:1/feed.xml", "--name", "Tehran Times")
	if code != exitUsage || strings.Contains(errOut, "defaults.yaml") || !strings.Contains(errOut, "embedded defaults") {
		t.Errorf("sources add over a default source: exit %d %q", code, errOut)
	}
	code, _, errOut = cli(t, "", "--db", db, "sources", "remove", "Tehran Times")
	if code != exitUsage || strings.Contains(errOut, "defaults.yaml") || !strings.Contains(errOut, "embedded default sources") {
		t.Errorf("sources remove of a default source: exit %d %q", code, errOut)
	}
	if _, err := os.Stat(db); err == nil {
		t.Error("a refused sources command created the database")
	}

	dir := t.TempDir()
	args := []string{"--db", filepath.Join(dir, "cw.db"), "--config", runConfig(t, dir, nil), "sources", "add", "http://127.0.0.1:1/feed.xml", "--name", "Two Words"}
	if code, _, errOut := cli(t, "", args...); code != 0 {
		t.Fatalf("sources add: exit %d %q", code, errOut)
	}
	code, _, errOut = cli(t, "", args...)
	if code != exitUsage || !strings.Contains(errOut, "claimwatch sources remove 'Two Words'") {
		t.Errorf("second sources add: exit %d %q; want the remove command with the name quoted", code, errOut)
	}
}

// run flags that would be ignored are refused: --listen with --once (the
// pass serves nothing) and a negative --shutdown-timeout (the default would
// silently apply).
func TestRunRefusesFlagsItWouldIgnore(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "cw.db")
	cfg := runConfig(t, dir, map[string]string{"wire": "http://127.0.0.1:1/feed.xml"})
	code, _, errOut := cli(t, "", "--db", db, "--config", cfg, "run", "--once", "--listen", "127.0.0.1:0")
	if code != exitUsage || !strings.Contains(errOut, "--listen") {
		t.Errorf("run --once --listen: exit %d %q", code, errOut)
	}
	// Bounded: accepted, the flag would start a daemon.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var stderr strings.Builder
	code = run(ctx, []string{"--db", db, "--config", cfg, "run", "--shutdown-timeout", "-5s"}, strings.NewReader(""), io.Discard, &stderr)
	errOut = stderr.String()
	if code != exitUsage || !strings.Contains(errOut, "--shutdown-timeout") {
		t.Errorf("run --shutdown-timeout -5s: exit %d %q", code, errOut)
	}
	if _, err := os.Stat(db); err == nil {
		t.Error("a refused run created the database")
	}
}

// A daemon reads the added sources only at start and on SIGHUP: adding or
// removing one says so, rather than leaving the operator to wonder why the
// running daemon never polls it.
func TestSourcesAddAndRemoveSayWhenADaemonSeesThem(t *testing.T) {
	dir := t.TempDir()
	args := []string{"--db", filepath.Join(dir, "cw.db"), "--config", runConfig(t, dir, nil), "sources"}
	code, out, errOut := cli(t, "", append(args, "add", "http://127.0.0.1:1/feed.xml", "--name", "wire")...)
	if code != 0 || !strings.Contains(out, "added wire") || !strings.Contains(out, "kill -HUP") {
		t.Errorf("sources add: exit %d %q %q", code, out, errOut)
	}
	code, out, errOut = cli(t, "", append(args, "remove", "wire")...)
	if code != 0 || !strings.Contains(out, "removed wire") || !strings.Contains(out, "kill -HUP") {
		t.Errorf("sources remove: exit %d %q %q", code, out, errOut)
	}
}

// db --help says which maintenance commands work beside a running daemon:
// merge takes the writer lock and refuses a database a daemon holds, so
// the help may not say that none of them takes it.
func TestDBHelpSaysMergeTakesTheLock(t *testing.T) {
	_, help, _ := cli(t, "", "db", "--help")
	if strings.Contains(help, "None of these commands takes the") || !strings.Contains(help, "merge writes OUT.db as run does and takes that lock") {
		t.Errorf("db --help:\n%s", help)
	}
	dir := t.TempDir()
	out, in := filepath.Join(dir, "out.db"), badInputDB(t)
	l, err := lock.Acquire(out)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	code, _, errOut := cli(t, "", "--db", in, "db", "merge", out, in)
	if code != exitFailure || !strings.Contains(errOut, "in use by another claimwatch") {
		t.Errorf("db merge into a held database: exit %d %q", code, errOut)
	}
}

// A backup refused because its database is missing leaves no directories
// behind where it would have written the copy.
func TestRefusedBackupCreatesNoDirectory(t *testing.T) {
	dir := t.TempDir()
	dest := filepath.Join(dir, "new", "sub", "backup.db")
	code, _, errOut := cli(t, "", "--db", filepath.Join(dir, "missing.db"), "db", "backup", dest)
	if code == 0 || !strings.Contains(errOut, "missing.db") {
		t.Fatalf("backup of a missing database: exit %d %q", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "new")); err == nil {
		t.Error("the refused backup created the backup's directory")
	}
}

// Every command's long help reads on an 80-column terminal: no line runs
// past it (the dates paragraph was glued to the end of another sentence),
// and none ends in a space.
func TestLongHelpFitsEightyColumns(t *testing.T) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for i, l := range strings.Split(c.Long, "\n") {
			if n := utf8.RuneCountInString(l); n > 80 {
				t.Errorf("%s --help, line %d: %d columns: %q", c.CommandPath(), i+1, n, l)
			}
			if strings.TrimRight(l, " ") != l {
				t.Errorf("%s --help, line %d ends in a space: %q", c.CommandPath(), i+1, l)
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(newApp(nil, io.Discard, io.Discard).rootCommand())
}

// evidence show, "one piece of evidence in full", says in words where the
// date came from and, for a date the list marks with '?', why it cannot be
// trusted (the list sent the analyst to --json for that).
func TestEvidenceShowExplainsTheDate(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<item><title>Russia delivers S-400 to Iran</title><link>http://`+r.Host+`/a/1</link><pubDate>Thu, 01 Jan 1970 00:00:00 GMT</pubDate>
<description>Russia delivered the first S-400 air defence batteries to Iran on Monday, officials in Tehran said.</description></item>
</channel></rss>`)
	}))
	defer srv.Close()
	dir := t.TempDir()
	args := []string{"--db", filepath.Join(dir, "cw.db"), "--config", runConfig(t, dir, map[string]string{"wire": srv.URL + "/feed.xml"})}
	if code, out, errOut := cli(t, "", append(args, "run", "--once")...); code != 0 {
		t.Fatalf("run --once: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut := cli(t, "", append(args, "evidence", "show", "1")...)
	if code != 0 {
		t.Fatalf("evidence show: exit %d %q", code, errOut)
	}
	if !strings.Contains(out, "(no usable date: when first seen)") || strings.Contains(out, "first_seen") {
		t.Errorf("the date's provenance is not said in words:\n%s", out)
	}
	if !strings.Contains(out, "date note:  date 1970-01-01T00:00:00Z is before 1990") {
		t.Errorf("the date note is missing:\n%s", out)
	}
	// The list's legend points there.
	if _, out, _ := cli(t, "", append(args, "evidence", "russia-arms-to-iran")...); !strings.Contains(out, "evidence show ID") {
		t.Errorf("the list's '?' legend does not point at evidence show:\n%s", out)
	}
}
