package main

import (
	"strings"
	"testing"
)

// TestSearchStarIsBadInput: `search '*'` and an oversized query are bad
// input (exit 2) explained in a sentence, not an SQL error with exit 1.
func TestSearchStarIsBadInput(t *testing.T) {
	db, _ := onceDB(t)
	for _, q := range []string{"*", "* OR *", strings.TrimSuffix(strings.Repeat("jets OR ", 100), " OR ")} {
		code, _, errOut := cli(t, "", "--db", db, "search", q)
		if code != exitUsage || strings.Contains(errOut, "SQL logic error") || !strings.Contains(errOut, "bad query") {
			t.Errorf("search %.40q: exit %d, stderr %q; want 2 and a sentence", q, code, errOut)
		}
	}
	if code, out, errOut := cli(t, "", "--db", db, "search", "S-400"); code != 0 || strings.Contains(out, "no articles match") {
		t.Errorf("search S-400: exit %d %q %q; want the stored article", code, out, errOut)
	}
}
