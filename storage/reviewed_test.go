package storage

import (
	"context"
	"testing"
	"time"

	"github.com/claimwatch/claimwatch/claims"
)

func TestReviewedEvidenceListsOnlyReviewedRowsWithTheirText(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	syncTest(t, s, "c1", "c2")
	mustSave(t, s, article(1, t0), finding("c1", claims.Supports), finding("c2", claims.Mentions))
	old := t0.Add(-48 * time.Hour)
	mustSave(t, s, article(2, old), finding("c1", claims.Mentions))
	mustSave(t, s, article(3, t0), finding("c1", claims.Mentions)) // never reviewed
	ev, err := s.ListEvidence(ctx, EvidenceFilter{IncludeIrrelevant: true, IncludeStale: true})
	if err != nil {
		t.Fatal(err)
	}
	byArticle := map[string]int64{}
	for _, e := range ev {
		byArticle[e.ClaimID+e.URL] = e.ID
	}
	e1 := byArticle["c1"+article(1, t0).URL]
	e2 := byArticle["c1"+article(2, old).URL]
	e3 := byArticle["c2"+article(1, t0).URL]
	for _, r := range []struct {
		id int64
		st claims.Stance
	}{{e1, claims.Mentions}, {e1, claims.Irrelevant}, {e2, claims.Supports}, {e3, claims.Contradicts}} {
		if err := s.Review(ctx, r.id, r.st, "note", "ana"); err != nil {
			t.Fatal(err)
		}
	}
	// Retention drops article 2's text: it is still listed, marked.
	if _, err := s.DropOldText(ctx, t0.Add(-24*time.Hour)); err != nil {
		t.Fatal(err)
	}

	all, err := s.ReviewedEvidence(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 3 {
		t.Fatalf("got %d reviewed rows, want 3: %+v", len(all), all)
	}
	got := map[int64]Reviewed{}
	for _, r := range all {
		got[r.EvidenceID] = r
	}
	if r := got[e1]; r.ReviewStance != claims.Irrelevant || r.MachineStance != claims.Supports || r.ClaimID != "c1" ||
		r.Title != article(1, t0).Title || r.Snippet == "" || r.Note != "note" {
		t.Errorf("e1 = %+v; want the latest review (irrelevant) beside the machine's supports", r)
	}
	if r := got[e2]; !r.TextDropped || r.Text != "" || r.ReviewStance != claims.Supports {
		t.Errorf("e2 = %+v; want its dropped text flagged", r)
	}

	only, err := s.ReviewedEvidence(ctx, "c2")
	if err != nil || len(only) != 1 || only[0].EvidenceID != e3 || only[0].Text != article(1, t0).Text {
		t.Errorf("c2 only = %+v, %v", only, err)
	}
}
