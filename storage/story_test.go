package storage

import (
	"context"
	"strings"
	"testing"
)

// TestExactCopyStoryIsAnIndexLookup: finding the story of an exact copy
// must read one entry of a covering index, not sort every earlier copy
// (which made ingesting n identical texts quadratic), and every copy still
// joins the first copy's story.
func TestExactCopyStoryIsAnIndexLookup(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	rows, err := s.r.QueryContext(ctx, `EXPLAIN QUERY PLAN `+qExactStory, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	rows.Close()
	p := strings.Join(plan, "; ")
	if !strings.Contains(p, "COVERING INDEX") || strings.Contains(p, "TEMP B-TREE") {
		t.Errorf("exact-copy story lookup plan %q: want a covering index search and no sort", p)
	}
	var first int64
	for i := range 5 {
		a := article(i, t0)
		a.SimHash = 0x5555aaaa3333cccc
		res := mustSave(t, s, a)
		if i == 0 {
			first = res.ArticleID
		}
		if res.StoryID != first {
			t.Errorf("copy %d in story %d, want the first copy's %d", i, res.StoryID, first)
		}
	}
}
