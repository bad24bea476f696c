package main

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/claimwatch/claimwatch/internal/safetext"
)

// hostileText holds what a terminal would obey: ESC sequences (clear
// screen, OSC 52 clipboard write, OSC 0 window title), a C1 CSI, a carriage
// return and a bidi override.
const hostileText = "\x1b[2J\x1b]52;c;ZXZpbA==\x07\x1b]0;pwned\x07Su-35 \u009b31m\rjets \u202eIran\u202c"

// TestTerminalOutputIsSanitised: in a database written before ingest
// cleaned text (or by another tool), titles, outlets, snippets, notes and
// source errors hold terminal controls. The table and text outputs print
// none of them; --json keeps the stored text exactly.
func TestTerminalOutputIsSanitised(t *testing.T) {
	db := reportDB(t)
	raw, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	_, err = raw.ExecContext(ctx, `
		UPDATE articles SET title = ? || title, outlet = ? || outlet;
		UPDATE evidence SET snippet = ? || snippet;
		UPDATE verdicts SET note = ?;
		INSERT INTO sources (name, url, kind, last_error, error_count, created_at, updated_at)
			VALUES ('evil', 'https://evil.example/rss', 'feed', ?, 1, '2020-01-01T00:00:00.000Z', '2020-01-01T00:00:00.000Z');`,
		hostileText, "\x1b[31m", hostileText, hostileText, hostileText)
	raw.Close()
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"evidence", "arms", "--all"},
		{"evidence", "show", "1"},
		{"search", "jets"},
		{"status"},
		{"verdict", "bank", "--history"},
		{"sources", "list"},
	} {
		code, out, errOut := cli(t, "", append(args, "--db", db)...)
		if code != 0 {
			t.Errorf("%s: exit %d: %s", strings.Join(args, " "), code, errOut)
			continue
		}
		if r, bad := safetext.Unsafe(out); bad {
			t.Errorf("%s printed %U:\n%q", strings.Join(args, " "), r, out)
		}
		if strings.Join(args, " ") != "status" && !strings.Contains(out, "Su-35") {
			t.Errorf("%s lost the text around the controls:\n%s", strings.Join(args, " "), out)
		}
	}
	_, out, _ := cli(t, "", "evidence", "arms", "--json", "--db", db)
	if !strings.Contains(out, `\u001b[2J`) || !strings.Contains(out, "\u202e") {
		t.Errorf("evidence --json is not lossless:\n%s", out)
	}
}

// JSON logs carry feed text and remote errors; read on a terminal (docker
// logs, journalctl) they must not hold C1 controls or bidi overrides raw,
// which the JSON encoder would leave as they are.
func TestJSONLogsAreTerminalSafe(t *testing.T) {
	var stderr strings.Builder
	a := newApp(strings.NewReader(""), io.Discard, &stderr)
	a.logFormat, a.logLevel = "json", "info"
	if err := a.setup(nil); err != nil {
		t.Fatal(err)
	}
	a.log.Warn("item skipped "+hostileText, "title", hostileText, "err", errors.New(hostileText),
		slog.Group("poll", "source", hostileText))
	out := stderr.String()
	if r, bad := safetext.Unsafe(strings.TrimSuffix(out, "\n")); bad {
		t.Errorf("JSON log line holds %U raw:\n%q", r, out)
	}
	if strings.Count(out, "Su-35") != 4 || !strings.Contains(out, "Iran") {
		t.Errorf("the log lost the text around the controls:\n%s", out)
	}
}
