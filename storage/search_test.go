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
	hits, err = s.Search(ctx, `"fighter jets" OR S-400`, SearchOptions{})
	if err == nil {
		t.Fatalf("S-400 unquoted is FTS5 column syntax; want ErrBadQuery, got %+v", hits)
	}
	hits, err = s.Search(ctx, `"fighter jets" OR "S-400"`, SearchOptions{})
	if err != nil || len(hits) != 2 {
		t.Fatalf("phrase query: %+v, %v", hits, err)
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
