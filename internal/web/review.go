package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/claimwatch/claimwatch/claims"
	"github.com/claimwatch/claimwatch/storage"
)

// maxNote bounds a review or verdict note.
const maxNote = 2000

// reviewResult is the answer to an in-place review (the script asks for
// JSON): the row's new stance and the claim's new counts.
type reviewResult struct {
	EvidenceID    int64  `json:"evidence_id"`
	ClaimID       string `json:"claim_id"`
	Stance        string `json:"stance"`
	MachineStance string `json:"machine_stance"`
	Author        string `json:"author"`
	Supports      int    `json:"supports"`
	Contradicts   int    `json:"contradicts"`
	Mentions      int    `json:"mentions"`
	Stories       int    `json:"stories"`
	Outlets       int    `json:"outlets"`
}

func wantsJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/json")
}

// review records the analyst's stance on one piece of evidence, as the
// signed-in user, then goes back to the page it came from (at the row), or
// answers JSON to the in-page script.
func (s *Server) review(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.badRequest(w, r, fmt.Sprintf("Evidence id %q is not a number.", r.PathValue("id")))
		return
	}
	st, err := claims.ParseStance(r.FormValue("stance"), true)
	if err != nil {
		s.badRequest(w, r, fmt.Sprintf("Stance %q: choose supports, contradicts, mentions or irrelevant.", r.FormValue("stance")))
		return
	}
	note := strings.TrimSpace(r.FormValue("note"))
	if len(note) > maxNote {
		s.badRequest(w, r, fmt.Sprintf("The note is %d characters long; keep it under %d.", len(note), maxNote))
		return
	}
	author := userOf(r)
	err = s.o.Store.Review(ctx, id, st, note, author)
	s.status.invalidate()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	row, err := s.o.Store.Evidence(ctx, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.o.Log.Info("review", "evidence", id, "claim", row.ClaimID, "stance", st, "by", author)
	if wantsJSON(r) {
		st, ok, err := s.status.claimStatus(ctx, s, row.ClaimID)
		if err != nil || !ok {
			s.fail(w, r, errors.Join(err, fmt.Errorf("status of %s after the review", row.ClaimID)))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(reviewResult{EvidenceID: id, ClaimID: row.ClaimID, Stance: string(row.Stance),
			MachineStance: string(row.MachineStance), Author: author, Supports: st.Supports, Contradicts: st.Contradicts,
			Mentions: st.Mentions, Stories: st.Stories, Outlets: st.Outlets})
		return
	}
	back := localReturn(r.FormValue("return"), "/claims/"+row.ClaimID)
	http.Redirect(w, r, back+"#ev-"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

// setVerdict records a verdict with its note, as the signed-in user.
func (s *Server) setVerdict(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id := r.PathValue("id")
	verdict := r.FormValue("verdict")
	if !slices.Contains(storage.Verdicts, verdict) {
		s.badRequest(w, r, fmt.Sprintf("Verdict %q: choose one of %s.", verdict, strings.Join(storage.Verdicts, ", ")))
		return
	}
	note := strings.TrimSpace(r.FormValue("note"))
	if note == "" {
		s.badRequest(w, r, "A verdict needs a note saying why: go back and write one.")
		return
	}
	if len(note) > maxNote {
		s.badRequest(w, r, fmt.Sprintf("The note is %d characters long; keep it under %d.", len(note), maxNote))
		return
	}
	err := s.o.Store.SetVerdict(ctx, id, verdict, note, userOf(r))
	s.status.invalidate()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.o.Log.Info("verdict", "claim", id, "verdict", verdict, "by", userOf(r))
	http.Redirect(w, r, "/claims/"+id+"#verdict", http.StatusSeeOther)
}
