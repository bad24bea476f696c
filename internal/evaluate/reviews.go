package evaluate

import (
	"fmt"

	"github.com/claimwatch/claimwatch/claims"
	"github.com/claimwatch/claimwatch/storage"
)

// Skipped counts reviews that could not be scored.
type Skipped struct {
	TextDropped int `json:"text_dropped"` // retention dropped the article text
	NotLoaded   int `json:"not_loaded"`   // the claim is no longer (or not) loaded
}

// FromReviews turns an analyst's reviews into items: the stored title and
// text are matched again, and the reviewed stance is the expected one for
// that claim only (irrelevant counts as none). Other claims are not scored
// on the text, as nobody said what they should be.
func FromReviews(rows []storage.Reviewed, loaded []string) ([]Item, Skipped) {
	known := map[string]bool{}
	for _, id := range loaded {
		known[id] = true
	}
	var items []Item
	var skipped Skipped
	for _, r := range rows {
		switch {
		case !known[r.ClaimID]:
			skipped.NotLoaded++
			continue
		case r.TextDropped:
			skipped.TextDropped++
			continue
		}
		want := r.ReviewStance
		if want == claims.Irrelevant {
			want = None
		}
		items = append(items, Item{
			Ref: fmt.Sprintf("evidence %d", r.EvidenceID), URL: r.URL, Title: r.Title, Body: r.Text,
			Expected: map[string]claims.Stance{r.ClaimID: want},
			Reasons:  map[string]string{r.ClaimID: r.Note},
		})
	}
	return items, skipped
}
