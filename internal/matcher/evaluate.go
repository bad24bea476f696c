package matcher

import (
	"math"
	"slices"
	"sort"

	"github.com/claimwatch/claimwatch/claims"
)

// negationReach is how many words before a cue a negation flips it.
const negationReach = 4

// Scores. A scope starts at baseScore; a confirmed direction, an unhedged
// stance cue and the title add to it; hedging takes away and caps it at
// maxHedged. The document's
// confidence is its chosen scope's score plus a little for every further
// matching scope and for a title match elsewhere.
const (
	baseScore      = 0.4
	directedBonus  = 0.2
	cueBonus       = 0.15
	titleBonus     = 0.15
	hedgePenalty   = 0.15
	maxHedged      = 0.4
	extraScope     = 0.05
	maxExtraScopes = 0.2
	titleElsewhere = 0.1
)

// scope is one matching sentence (or window) of a text.
type scope struct {
	title            bool
	start, end       int // byte span of the snippet in its text
	focus            int // byte offset of the first hit, kept in a cut snippet
	stance           claims.Stance
	directed, hedged bool
	score            float64
}

// evalScope evaluates claim ci over words [a, b) given its hits there, and
// records the scope when the rule holds.
func (m *Matcher) evalScope(s *scratch, ci int32, hits []hit, a, b int32, title bool) {
	cc := &m.claims[ci]
	var present uint64
	for _, h := range hits {
		if h.kind == useGroup {
			present |= 1 << h.group
		}
	}
	if present&cc.all != cc.all || present&cc.none != 0 {
		return
	}
	directed := false
	for _, form := range cc.directions {
		if inOrder(hits, form) {
			directed = true
			break
		}
	}
	if cc.requireDir && !directed {
		return
	}
	hedged := anyIn(s.hedges, a, b)
	support, contradict := 0, 0
	for _, h := range hits {
		if h.kind != useSupport && h.kind != useContradict {
			continue
		}
		supports := h.kind == useSupport
		if anyIn(s.negs, max(a, h.pos-negationReach), h.pos) {
			supports = !supports
		}
		if supports {
			support++
		} else {
			contradict++
		}
	}
	sc := scope{title: title, directed: directed, hedged: hedged, stance: claims.Mentions, score: baseScore}
	switch {
	case hedged || support+contradict == 0:
	case contradict >= support:
		sc.stance = claims.Contradicts
	default:
		sc.stance = claims.Supports
	}
	if directed {
		sc.score += directedBonus
	}
	if sc.stance != claims.Mentions {
		sc.score += cueBonus
	}
	if title {
		sc.score += titleBonus
	}
	if hedged {
		sc.score = min(sc.score-hedgePenalty, maxHedged)
	}
	toks := s.toks.Tokens
	sc.start, sc.end = snippetSpan(&s.toks, int(toks[hits[0].pos].Sentence), int(toks[hits[len(hits)-1].end-1].Sentence)+1)
	sc.focus = int(toks[hits[0].pos].Start)

	terms := s.terms[ci]
	if len(terms) < len(cc.terms) {
		terms = make([]bool, len(cc.terms))
		s.terms[ci] = terms
	}
	for _, h := range hits {
		terms[h.term] = true
	}
	s.scopes[ci] = append(s.scopes[ci], sc)
}

// inOrder reports whether hits (sorted by position) hold the groups of form
// one after another, each starting after the previous one ends.
func inOrder(hits []hit, form []uint8) bool {
	next := int32(-1)
	k := 0
	for _, h := range hits {
		if h.kind == useGroup && h.group == form[k] && h.pos >= next {
			next = h.end
			k++
			if k == len(form) {
				return true
			}
		}
	}
	return false
}

// anyIn reports whether sorted positions hold one in [a, b).
func anyIn(pos []int32, a, b int32) bool {
	i := sort.Search(len(pos), func(i int) bool { return pos[i] >= a })
	return i < len(pos) && pos[i] < b
}

// evalWindows finds the windows of a window-scope claim: the shortest spans
// of at most window words holding all of its groups, taken left to right
// without overlap. Each is evaluated over the words of every window that
// could contain it, so a "none" group or a cue within reach counts.
func (m *Matcher) evalWindows(s *scratch, ci int32, hits []hit, title bool) {
	cc := &m.claims[ci]
	w := int32(cc.window)
	ntok := int32(len(s.toks.Tokens))
	var count [maxGroups]int32
	var have uint64
	l := 0
	for r := 0; r < len(hits); r++ {
		h := hits[r]
		if h.kind != useGroup || cc.all&(1<<h.group) == 0 {
			continue
		}
		count[h.group]++
		have |= 1 << h.group
		if have != cc.all {
			continue
		}
		// Shrink from the left while all groups stay covered.
		for ; l < r; l++ {
			g := hits[l]
			if g.kind != useGroup || cc.all&(1<<g.group) == 0 {
				continue
			}
			if count[g.group] == 1 {
				break
			}
			count[g.group]--
		}
		start, end := hits[l].pos, h.end
		if end-start > w {
			// Too wide: drop the leftmost group hit and go on.
			g := hits[l]
			count[g.group]--
			if count[g.group] == 0 {
				have &^= 1 << g.group
			}
			l++
			continue
		}
		a, b := max(0, end-w), min(ntok, start+w)
		lo := sort.Search(len(hits), func(i int) bool { return hits[i].pos >= a })
		hi := sort.Search(len(hits), func(i int) bool { return hits[i].pos >= b })
		m.evalScope(s, ci, hits[lo:hi], a, b, title)
		count = [maxGroups]int32{}
		have = 0
		l = r + 1
	}
}

// aggregate turns claim ci's matching scopes into its finding.
func (m *Matcher) aggregate(s *scratch, ci int32, doc Document) claims.Finding {
	cc := &m.claims[ci]
	scopes := s.scopes[ci]
	best := -1
	// The strongest scope with a stance decides; on a tie contradicts wins,
	// since a prediction should not look confirmed on balanced evidence.
	for i, sc := range scopes {
		if sc.stance == claims.Mentions {
			continue
		}
		if best < 0 || sc.score > scopes[best].score ||
			sc.score == scopes[best].score && sc.stance == claims.Contradicts && scopes[best].stance == claims.Supports {
			best = i
		}
	}
	if best < 0 {
		for i, sc := range scopes {
			if best < 0 || sc.score > scopes[best].score {
				best = i
			}
		}
	}
	chosen := scopes[best]
	inTitle := slices.ContainsFunc(scopes, func(sc scope) bool { return sc.title })
	conf := chosen.score + min(extraScope*float64(len(scopes)-1), maxExtraScopes)
	if inTitle && !chosen.title {
		conf += titleElsewhere
	}
	text := doc.Body
	if chosen.title {
		text = doc.Title
	}
	f := claims.Finding{
		ClaimID:    cc.claim.ID,
		Stance:     chosen.stance,
		Confidence: math.Round(min(max(conf, 0), 1)*100) / 100,
		Snippet:    snippetText(text, chosen.start, chosen.end, chosen.focus),
		Sentences:  len(scopes),
		InTitle:    inTitle,
		Directed:   chosen.directed,
	}
	for t, seen := range s.terms[ci] {
		if seen {
			f.MatchedTerms = append(f.MatchedTerms, cc.terms[t])
		}
	}
	return f
}
