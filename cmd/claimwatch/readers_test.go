package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/claimwatch/claimwatch/claims"
	"github.com/claimwatch/claimwatch/storage"
)

// TestReadersDuringWrites runs status, evidence, search and export in a loop
// while a writer stores articles: no command may fail on a busy or locked
// database, and every export must be a snapshot. Each article is stored with
// evidence for both claims in one transaction, so a torn export would show
// an article with one piece of evidence.
func TestReadersDuringWrites(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "claimwatch.db")
	st, err := storage.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	made := time.Date(2020, 1, 10, 0, 0, 0, 0, time.UTC)
	if _, err := st.SyncClaims(ctx, []claims.Claim{
		{ID: "arms", Statement: "Russia will sell Su-35 fighter jets to Iran.", Made: made, Hash: "h1"},
		{ID: "bank", Statement: "Iran and Russia will link their payment card systems.", Made: made, Hash: "h2"},
	}); err != nil {
		t.Fatal(err)
	}

	const articles = 200
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var writeErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(stop)
		for i := range articles {
			title := fmt.Sprintf("Moscow and Tehran talk arms and cards, report %d", i)
			a := storage.Article{
				URL: fmt.Sprintf("https://news.example/%d", i), Title: title,
				Text:   strings.Repeat(fmt.Sprintf("Report %d on Su-35 jets and Mir cards in Iran. ", i), 40),
				Source: "wire", Outlet: "news.example", PublishedAt: made.Add(time.Duration(i) * time.Hour),
				PublishedFlag: storage.PublishedFeed, FetchedAt: made, FirstSeenAt: made, ContentHash: title,
			}
			fs := []claims.Finding{
				{ClaimID: "arms", Stance: claims.Supports, Confidence: 0.9, Snippet: "Su-35 jets", MatchedTerms: []string{"Su-35"}, Sentences: 1},
				{ClaimID: "bank", Stance: claims.Mentions, Confidence: 0.5, Snippet: "Mir cards", MatchedTerms: []string{"Mir"}, Sentences: 1},
			}
			if _, err := st.SaveArticle(ctx, a, fs); err != nil {
				writeErr = err
				return
			}
		}
	}()

	commands := [][]string{
		{"status", "--json"},
		{"evidence", "arms", "--json"},
		{"search", "Su-35"},
		{"export", "evidence", "--format", "jsonl"},
	}
	rounds := 0
	for running := true; running; rounds++ {
		select {
		case <-stop:
			running = false // one more round over the finished database
		default:
		}
		for _, args := range commands {
			code, out, errOut := cli(t, "", append(args, "--db", db)...)
			if code != 0 {
				t.Fatalf("%s during writes: exit %d: %s", strings.Join(args, " "), code, errOut)
			}
			if low := strings.ToLower(errOut); strings.Contains(low, "busy") || strings.Contains(low, "locked") {
				t.Fatalf("%s during writes: %s", strings.Join(args, " "), errOut)
			}
			if args[0] == "export" {
				perURL := map[any]int{}
				for _, row := range jsonLines(t, out) {
					perURL[row["url"]]++
				}
				for url, n := range perURL {
					if n != 2 {
						t.Fatalf("export during writes is torn: %v has %d piece(s) of evidence, stored 2 at a time", url, n)
					}
				}
				if !running && len(perURL) != articles {
					t.Fatalf("final export: %d articles, want %d", len(perURL), articles)
				}
			}
		}
	}
	wg.Wait()
	if writeErr != nil {
		t.Fatalf("writer: %v", writeErr)
	}
	t.Logf("%d rounds of status, evidence, search and export during %d writes", rounds, articles)
}
