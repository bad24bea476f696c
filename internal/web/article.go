package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/claimwatch/claimwatch/storage"
)

type articlePage struct {
	Article  storage.Article
	Text     []segment
	Copies   []storage.StoryCopy
	Evidence []evidenceItem
}

func (p articlePage) pageTitle() string { return p.Article.Title }

// article shows an article's extracted text with the evidence sentences
// marked, the outlets that carried the same story, and its claims.
func (s *Server) article(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.badRequest(w, r, fmt.Sprintf("Article id %q is not a number.", r.PathValue("id")))
		return
	}
	a, err := s.o.Store.Article(ctx, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := articlePage{Article: a}
	ev, err := s.o.Store.ArticleEvidence(ctx, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var sentences []string
	for _, e := range ev {
		p.Evidence = append(p.Evidence, evidenceItem{EvidenceRow: e, Snippet: markTerms(e.Snippet, e.MatchedTerms)})
		sentences = append(sentences, e.Snippet)
	}
	p.Text = markSentences(a.Text, sentences)
	if a.StoryID != 0 {
		if p.Copies, err = s.o.Store.StoryCopies(ctx, a.StoryID); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.render(w, r, http.StatusOK, "article", p)
}
