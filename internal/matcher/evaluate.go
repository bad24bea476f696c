package matcher

import (
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/claimwatch/claimwatch/claims"
	"github.com/claimwatch/claimwatch/internal/factuality"
)

// cueReach is how many words before a cue may govern it.
const cueReach = 5

// Scores. An event scope starts at eventScore, a topic-only scope at
// aboutScore; a stance read from the event word's clause adds factualBonus,
// one read from claim cues alone adds cueBonus; a confirmed direction and
// the title add theirs, halved for a mention, so that talk of an event
// never reads as confident. The document's confidence is its chosen
// scope's score plus a little for every further matching scope and for a
// title match elsewhere.
const (
	eventScore     = 0.3
	aboutScore     = 0.25
	factualBonus   = 0.4
	cueBonus       = 0.3
	directedBonus  = 0.1
	titleBonus     = 0.1
	extraScope     = 0.05
	maxExtraScopes = 0.2
	titleElsewhere = 0.1
)

// scope is one matching sentence (or window) of a text.
type scope struct {
	title      bool
	wordA      int32 // the core words [wordA, wordB), to skip overlaps
	wordB      int32
	start, end int // byte span of the snippet in its text
	focus      int // byte offset of the first hit, kept in a cut snippet
	stance     claims.Stance
	directed   bool
	score      float64
	reason     string
}

// evalScope evaluates rule r of claim ci over words [a, b) given its hits
// there, and records the scope when the rule holds and no scope of this
// text from s.scopes[ci][from] on already covers its core, words [ca, cb)
// (the sentence, or the window's shortest span).
func (m *Matcher) evalScope(s *scratch, ci int32, r *rule, hits []hit, a, b, ca, cb int32, title bool, from int) {
	cc := &m.claims[ci]
	var present uint64
	for _, h := range hits {
		if h.kind == useGroup {
			present |= 1 << h.group
		}
	}
	if present&r.all != r.all || present&r.none != 0 {
		return
	}
	directed := false
	for _, form := range r.directions {
		if inOrder(hits, form) {
			directed = true
			break
		}
	}
	if r.requireDir && !directed {
		return
	}
	for _, sc := range s.scopes[ci][from:] {
		if sc.wordA < cb && ca < sc.wordB {
			return
		}
	}
	sc := scope{title: title, wordA: ca, wordB: cb, directed: directed}
	sc.stance, sc.reason, sc.score = m.stance(s, r, hits, a, b)
	bonus := 0.0
	if directed {
		bonus += directedBonus
	}
	if title {
		bonus += titleBonus
	}
	if sc.stance == claims.Mentions {
		bonus /= 2
	}
	sc.score += bonus
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

// stance reads a matching scope's stance: from the factuality of the
// clause of its first factual trigger word, unless every claim cue says
// the opposite; else from the votes of the cues (each weighed by its own
// clause); else mentions. It returns the reason and the scope's score
// before the direction and title bonuses.
func (m *Matcher) stance(s *scratch, r *rule, hits []hit, a, b int32) (claims.Stance, string, float64) {
	base := eventScore
	if r.about {
		base = aboutScore
	}
	event, eventReason, unassertedReason := claims.Mentions, "", ""
	if r.trigger != 0 {
		for _, h := range hits {
			if h.kind != useGroup || r.trigger&(1<<h.group) == 0 {
				continue
			}
			res := s.classify(a, b, h, hits, r)
			word := `"` + s.quote(h.pos, h.end) + `"`
			if res.Class == factuality.Asserted {
				event, eventReason = claims.Supports, word+" asserted"
				break
			}
			if res.Class == factuality.Negated {
				event, eventReason = claims.Contradicts, word+` negated by "`+res.Cue+`"`
				break
			}
			if unassertedReason == "" {
				unassertedReason = word + ` unasserted: "` + res.Cue + `"`
			}
		}
	}
	cue, cueReason := s.cueVote(a, b, hits, r)
	switch {
	case event != claims.Mentions && (cue == claims.Mentions || cue == event):
		return event, eventReason, base + factualBonus
	case cue != claims.Mentions:
		return cue, cueReason, base + cueBonus
	case unassertedReason != "":
		return claims.Mentions, unassertedReason, base
	case r.about:
		return claims.Mentions, "topic only", base
	default:
		return claims.Mentions, "no stance", base
	}
}

// cueVote weighs the claim's stance cues among hits, each by the
// factuality of its own clause: asserted votes for the cue's stance,
// negated for the other, unasserted not at all. A cue inside a longer cue
// ("ban" in "lifted the ban") does not vote. The result is Mentions when
// no cue votes, and a tie is Contradicts.
func (s *scratch) cueVote(a, b int32, hits []hit, r *rule) (claims.Stance, string) {
	support, contradict := 0, 0
	var supportCue, contradictCue string
	for i, h := range hits {
		if h.kind != useSupport && h.kind != useContradict || s.insideLongerCue(hits, i) {
			continue
		}
		res := s.classify(a, b, h, hits, r)
		if res.Class == factuality.Unasserted {
			continue
		}
		word := `"` + s.quote(h.pos, h.end) + `"`
		if res.Class == factuality.Negated {
			word += ` negated by "` + res.Cue + `"`
		}
		if (h.kind == useSupport) == (res.Class == factuality.Asserted) {
			support++
			if supportCue == "" {
				supportCue = word
			}
		} else {
			contradict++
			if contradictCue == "" {
				contradictCue = word
			}
		}
	}
	switch {
	case support+contradict == 0:
		return claims.Mentions, ""
	case contradict >= support:
		return claims.Contradicts, "cue " + contradictCue
	default:
		return claims.Supports, "cue " + supportCue
	}
}

// insideLongerCue reports whether cue hit i lies within another, longer cue
// hit.
func (s *scratch) insideLongerCue(hits []hit, i int) bool {
	h := hits[i]
	for j, o := range hits {
		if j != i && (o.kind == useSupport || o.kind == useContradict) &&
			o.pos <= h.pos && h.end <= o.end && o.end-o.pos > h.end-h.pos {
			return true
		}
	}
	return false
}

// classify returns the factuality of hit h's clause, looking no further
// than its own sentence within words [a, b). The scope's other event words
// (and, for a cue, its other cues) are events or cues of their own, not
// markers of this one; a failure cue ("stalled") still reads as a marker of
// the event word ("talks on a free trade deal stalled").
func (s *scratch) classify(a, b int32, h hit, others []hit, r *rule) factuality.Result {
	se := &s.toks.Sentences[s.toks.Tokens[h.pos].Sentence]
	isCue := h.kind != useGroup
	skip := func(i int) bool {
		for _, o := range others {
			if int(o.pos) <= i && i < int(o.end) && o.pos != h.pos &&
				(o.kind == useGroup && r.trigger&(1<<o.group) != 0 || isCue && o.kind != useGroup) {
				return true
			}
		}
		return false
	}
	start, end := max(int(a), se.FirstToken), min(int(b), se.EndToken)
	if isCue {
		// A cue is judged by the few words leading up to it ("did not
		// tolerate", "could deepen"): what follows it is its object, and
		// what lies further back is often its subject ("demands for a
		// withdrawal are unrealistic").
		start, end = max(start, int(h.pos)-cueReach), int(h.end)
	}
	return factuality.ClassifySkipping(&s.toks, start, end, int(h.pos), int(h.end), skip)
}

// quote returns words [pos, end) as they are written in the text.
func (s *scratch) quote(pos, end int32) string {
	toks := s.toks.Tokens
	return strings.Join(strings.Fields(s.toks.Text[toks[pos].Start:toks[end-1].End]), " ")
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

// evalWindows finds the windows of a window-scope rule: the shortest spans
// of at most window words holding all of its groups, taken left to right
// without overlap. Each is evaluated over the words of every window that
// could contain it, so a "none" group or a cue within reach counts.
func (m *Matcher) evalWindows(s *scratch, ci int32, r *rule, hits []hit, title bool, from int) {
	w := int32(r.window)
	ntok := int32(len(s.toks.Tokens))
	var count [maxGroups]int32
	var have uint64
	l := 0
	for i := 0; i < len(hits); i++ {
		h := hits[i]
		if h.kind != useGroup || r.all&(1<<h.group) == 0 {
			continue
		}
		count[h.group]++
		have |= 1 << h.group
		if have != r.all {
			continue
		}
		// Shrink from the left while all groups stay covered.
		for ; l < i; l++ {
			g := hits[l]
			if g.kind != useGroup || r.all&(1<<g.group) == 0 {
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
		m.evalScope(s, ci, r, hits[lo:hi], a, b, start, end, title, from)
		count = [maxGroups]int32{}
		have = 0
		l = i + 1
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
		Reason:     chosen.reason,
	}
	for t, seen := range s.terms[ci] {
		if seen {
			f.MatchedTerms = append(f.MatchedTerms, cc.terms[t])
		}
	}
	return f
}
