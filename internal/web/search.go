package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/claimwatch/claimwatch/storage"
)

// searchLimit is the most hits a search page shows.
const searchLimit = 50

type searchPage struct {
	Q       string
	Problem string // a query FTS5 cannot read, in a sentence
	Hits    []searchHit
	Done    bool // a query was run
	ByRank  bool // best matches first instead of newest first
}

func (p searchPage) pageTitle() string {
	if p.Q == "" {
		return "Search"
	}
	return "Search: " + p.Q
}

type searchHit struct {
	storage.MarkedHit
	TitleMarked, SnippetMarked []segment
}

// search runs the full-text search; a query it cannot read is answered with
// a sentence on the page (status 400), never an error page.
func (s *Server) search(w http.ResponseWriter, r *http.Request) {
	p := searchPage{Q: strings.TrimSpace(r.FormValue("q")), ByRank: r.FormValue("sort") == "relevance"}
	if p.Q == "" {
		s.render(w, r, http.StatusOK, "search", p)
		return
	}
	p.Done = true
	hits, err := s.o.Store.SearchMarked(r.Context(), p.Q, searchLimit, p.ByRank)
	if errors.Is(err, storage.ErrBadQuery) {
		p.Problem = strings.TrimPrefix(err.Error(), "search: ")
		s.render(w, r, http.StatusBadRequest, "search", p)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, h := range hits {
		p.Hits = append(p.Hits, searchHit{MarkedHit: h, TitleMarked: markedSegments(h.Title), SnippetMarked: markedSegments(h.Snippet)})
	}
	s.render(w, r, http.StatusOK, "search", p)
}
