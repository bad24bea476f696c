package storage

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/claimwatch/claimwatch/claims"
)

func TestSearch(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	syncTest(t, s, "c1")
	texts := []struct{ title, text string }{
		{"Moscow and Tehran sign deal", "Russia will deliver S-400 missile systems to Iran, officials said."},
		{"Football results", "Tehran's team won the derby on Sunday."},
		{"Arms exports", "The Kremlin denied that Su-35 fighter jets had been sold."},
		{"Téhéran accents", "Les avions ont été livrés à Téhéran."},
	}
	var saved []SaveResult
	for i, x := range texts {
		a := article(i, t0.Add(time.Duration(i)*24*time.Hour))
		a.Title, a.Text = x.title, x.text
		var fs []claims.Finding
		if i == 0 || i == 2 {
			fs = append(fs, finding("c1", claims.Mentions))
		}
		saved = append(saved, mustSave(t, s, a, fs...))
	}
	hits, err := s.Search(ctx, "Tehran", SearchOptions{})
	if err != nil || len(hits) != 2 {
		t.Fatalf("Tehran: %+v, %v; want 2 hits", hits, err)
	}
	hits, err = s.Search(ctx, "teheran", SearchOptions{})
	if err != nil || len(hits) != 1 || hits[0].ArticleID != saved[3].ArticleID {
		t.Fatalf("teheran: %+v, %v; want Téhéran (accent-insensitive)", hits, err)
	}
	for _, q := range []string{`"fighter jets" OR "S-400"`, `"fighter jets" OR S-400`} {
		// Unquoted, S-400 would be FTS5 column syntax; it is searched as the name.
		hits, err = s.Search(ctx, q, SearchOptions{})
		if err != nil || len(hits) != 2 {
			t.Fatalf("%s: %+v, %v", q, hits, err)
		}
	}
	hits, err = s.Search(ctx, "deliver*", SearchOptions{})
	if err != nil || len(hits) != 1 || hits[0].ArticleID != saved[0].ArticleID || !strings.Contains(hits[0].Snippet, "[deliver]") ||
		hits[0].Title != texts[0].title || !hits[0].PublishedAt.Equal(t0) || hits[0].URL == "" {
		t.Fatalf("prefix query: %+v, %v", hits, err)
	}
	hits, _ = s.Search(ctx, "Tehran", SearchOptions{ClaimID: "c1"})
	if len(hits) != 1 || hits[0].ArticleID != saved[0].ArticleID {
		t.Fatalf("claim filter: %+v", hits)
	}
	hits, _ = s.Search(ctx, "Tehran", SearchOptions{Since: t0.Add(24 * time.Hour)})
	if len(hits) != 1 || hits[0].ArticleID != saved[1].ArticleID {
		t.Fatalf("since filter: %+v", hits)
	}
	hits, _ = s.Search(ctx, "Tehran", SearchOptions{Limit: 1})
	if len(hits) != 1 {
		t.Fatalf("limit: %+v", hits)
	}
	for _, q := range []string{"foo AND", `"unclosed`, "(a OR b", "nope: word", "   ", "AND"} {
		_, err := s.Search(ctx, q, SearchOptions{})
		if !errors.Is(err, ErrBadQuery) {
			t.Errorf("query %q: err = %v, want ErrBadQuery", q, err)
			continue
		}
		msg := err.Error()
		if !strings.HasPrefix(msg, fmt.Sprintf("search: bad query %q: ", q)) || strings.Contains(msg, "SQL logic error") {
			t.Errorf("query %q: message %q", q, msg)
		}
	}
}

// TestSearchRefusesUnsearchableAndOversizedQueries: a lone '*' (and other
// queries FTS5 rejects without a "syntax error") is a plain sentence, and a
// query past the length or term bound is refused before SQLite sees it.
func TestSearchRefusesUnsearchableAndOversizedQueries(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	mustSave(t, s, article(1, t0))
	for _, q := range []string{"*", "**", "* OR *", "(*)", "^", "\"\" *"} {
		_, err := s.Search(ctx, q, SearchOptions{})
		if !errors.Is(err, ErrBadQuery) {
			t.Errorf("query %q: err = %v, want ErrBadQuery", q, err)
			continue
		}
		if msg := err.Error(); strings.Contains(msg, "SQL logic error") || strings.Contains(msg, "fts5") {
			t.Errorf("query %q: message %q is SQLite's, not a sentence", q, msg)
		}
	}
	many := strings.TrimSuffix(strings.Repeat("jets OR ", MaxSearchTerms+1), " OR ")
	if len(many) > MaxSearchQueryBytes {
		t.Fatalf("test query of %d bytes trips the length bound first", len(many))
	}
	_, err := s.Search(ctx, many, SearchOptions{})
	if !errors.Is(err, ErrBadQuery) || !strings.Contains(err.Error(), fmt.Sprint(MaxSearchTerms)) {
		t.Errorf("%d terms: err = %v, want ErrBadQuery naming the bound", MaxSearchTerms+1, err)
	}
	long := strings.Repeat("a", MaxSearchQueryBytes+1)
	_, err = s.Search(ctx, long, SearchOptions{})
	if !errors.Is(err, ErrBadQuery) || !strings.Contains(err.Error(), fmt.Sprint(MaxSearchQueryBytes)) || strings.Contains(err.Error(), long) {
		t.Errorf("%d bytes: err = %.200v, want ErrBadQuery naming the bound without echoing the query", len(long), err)
	}
	if hits, err := s.Search(ctx, strings.TrimSuffix(strings.Repeat("jets OR ", MaxSearchTerms), " OR "), SearchOptions{}); err != nil || len(hits) != 1 {
		t.Errorf("%d terms (the bound): %v, %v; want the one article", MaxSearchTerms, hits, err)
	}
}

// TestSearchDeadline: a search that outlives its time bound ends with
// ErrSearchTimeout and a sentence saying what to do, not "interrupted".
func TestSearchDeadline(t *testing.T) {
	s := openTest(t)
	mustSave(t, s, article(1, t0))
	_, err := s.Search(context.Background(), "jets", SearchOptions{Timeout: time.Nanosecond})
	if !errors.Is(err, ErrSearchTimeout) || !strings.Contains(err.Error(), "narrow") {
		t.Fatalf("err = %v, want ErrSearchTimeout with advice", err)
	}
}

func TestSearchHighlightsWholeTokens(t *testing.T) {
	for in, want := range map[string]string{
		"Russia sold [Su]-35 jets":      "Russia sold [Su-35] jets",
		"[Iran]'s air force":            "[Iran's] air force",
		"the S-[400] systems":           "the [S-400] systems",
		"[Su]-[35] jets":                "[Su]-[35] jets",
		"plain [Tehran], and [Moscow].": "plain [Tehran], and [Moscow].",
		"…[Téhéran] reçoit":             "…[Téhéran] reçoit",
		"no highlight at all":           "no highlight at all",
	} {
		if got := wholeTokens(in); got != want {
			t.Errorf("wholeTokens(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSearchUntilIsExclusive(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	var saved []SaveResult
	for i := range 3 {
		a := article(i, t0.Add(time.Duration(i)*24*time.Hour))
		a.Text = "Tehran and Moscow met again."
		saved = append(saved, mustSave(t, s, a))
	}
	hits, err := s.Search(ctx, "Tehran", SearchOptions{Since: t0.Add(24 * time.Hour), Until: t0.Add(48 * time.Hour)})
	if err != nil || len(hits) != 1 || hits[0].ArticleID != saved[1].ArticleID {
		t.Fatalf("since day 2, until day 3: %+v, %v; want only the second article", hits, err)
	}
}

// The dashboard's search obeys the same bounds as the CLI's.
func TestSearchMarkedIsBounded(t *testing.T) {
	s := openTest(t)
	long := strings.Repeat("iran OR ", MaxSearchTerms) + "iran"
	for _, q := range []string{"*", long} {
		if _, err := s.SearchMarked(context.Background(), q, 10, false); !errors.Is(err, ErrBadQuery) {
			t.Errorf("SearchMarked(%.40q): err = %v, want ErrBadQuery", q, err)
		}
	}
}

func TestQuoteHyphenated(t *testing.T) {
	for in, want := range map[string]string{
		`Su-35 Iran`:             `"Su-35" Iran`,
		`"S-400 batteries" OR x`: `"S-400 batteries" OR x`,
		`(S-400 OR Su-35) NOT a`: `("S-400" OR "Su-35") NOT a`,
		`plain words`:            `plain words`,
	} {
		if got := quoteHyphenated(in); got != want {
			t.Errorf("quoteHyphenated(%q) = %q, want %q", in, got, want)
		}
	}
}
