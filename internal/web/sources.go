package web

import (
	"net/http"
	"sort"
	"time"

	"github.com/claimwatch/claimwatch/storage"
)

type sourcesPage struct {
	Now     time.Time
	Sources []sourceRow
	Failing int
}

func (sourcesPage) pageTitle() string { return "Sources" }

type sourceRow struct {
	storage.SourceWithState
	Articles  int
	Failing   bool
	InBackoff bool
}

// sources lists every source's polling health, failing ones first.
func (s *Server) sources(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	srcs, err := s.o.Store.ListSources(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	counts, err := s.o.Store.ArticlesPerSource(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	now := s.o.Now()
	p := sourcesPage{Now: now}
	for _, src := range srcs {
		row := sourceRow{SourceWithState: src, Articles: counts[src.Name],
			Failing: src.State.ErrorCount > 0, InBackoff: src.State.BackoffUntil.After(now)}
		if row.Failing {
			p.Failing++
		}
		p.Sources = append(p.Sources, row)
	}
	sort.SliceStable(p.Sources, func(i, j int) bool {
		a, b := p.Sources[i], p.Sources[j]
		if a.Failing != b.Failing {
			return a.Failing
		}
		if a.State.ErrorCount != b.State.ErrorCount {
			return a.State.ErrorCount > b.State.ErrorCount
		}
		return a.Name < b.Name
	})
	s.render(w, r, http.StatusOK, "sources", p)
}
