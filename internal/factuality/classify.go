package factuality

import (
	"sync"

	"github.com/claimwatch/claimwatch/internal/textnorm"
)

// Class is the factuality of the clause that holds an event.
type Class uint8

const (
	// Asserted: reported as done — past, perfect, passive, headline
	// present ("delivered", "has received", "Russia hands Iran ...").
	Asserted Class = iota
	// Negated: negated, failed, refused, blocked or denied ("has not
	// delivered", "non-delivery", "refused to sell", "talks stalled",
	// "dismissed reports that ...").
	Negated
	// Unasserted: spoken of but not reported as done — modal, future,
	// plan, talks, proposal, expectation, condition, question ("could
	// supply", "plans to buy", "Iran to buy ...", "if", "?").
	Unasserted
)

func (c Class) String() string {
	switch c {
	case Asserted:
		return "asserted"
	case Negated:
		return "negated"
	case Unasserted:
		return "unasserted"
	}
	return "unknown"
}

// Result is the factuality of an event's clause.
type Result struct {
	Class Class
	// Cue is the marker words that decided, normalised and joined by
	// spaces ("has not", "dismissed reports", "plans"), shown to analysts
	// as the reason; "" for a plain assertion.
	Cue string
	// Start and End delimit the clause, as word indexes [Start, End) into
	// the Tokens' words.
	Start, End int
}

// Classify returns the factuality of the clause holding words [pos, end)
// (the event word or phrase) within words [a, b) of tk (a sentence or a
// window), with the Default lexicon. Markers inside [pos, end) are ignored.
func Classify(tk *textnorm.Tokens, a, b, pos, end int) Result {
	return Default.Classify(tk, a, b, pos, end)
}

// ClassifySkipping is Classify that also ignores any marker starting at a
// word i for which skip(i) is true. The matcher passes the words of a
// claim's other event words and cues: "withdrew" in "militias withdrew at
// Russia's request" is the event itself, not a failure that negates the cue
// "at Russia's request".
func ClassifySkipping(tk *textnorm.Tokens, a, b, pos, end int, skip func(i int) bool) Result {
	return Default.classify(tk, a, b, pos, end, skip)
}

// Clause returns the clause of word pos within words [a, b) of tk, with the
// Default lexicon, as word indexes [start, end).
func Clause(tk *textnorm.Tokens, a, b, pos int) (start, end int) {
	return Default.Clause(tk, a, b, pos)
}

// reach bounds how far from the event the clause scan looks, in words, so
// that a long window costs no more than a long sentence.
const reach = 60

// maxMarkers bounds the markers one call records (at most one per word of
// the scanned 2·reach words, plus a few made up by the rules).
const maxMarkers = 2*reach + 8

// Marker categories: what a marker decided in the clause.
const (
	catNone uint8 = iota
	catNeg
	catUnas
	catCond
)

type marker struct {
	start, end int32
	roles      role
	cat        uint8
}

// scan is the working memory of one call; it lives on the stack.
type scan struct {
	lx              *Lexicon
	tk              *textnorm.Tokens
	lo, hi          int // the scanned words: the event's sentence within [a, b), within reach
	pos, end        int // the event
	sentFirst       int // the first word of the event's sentence
	n               int
	m               [maxMarkers]marker
	nexcl           int
	excl            [4][2]int // parentheticals and relative clauses skipped inside the clause
	cs, ce          int       // the clause
	condition       int       // a conditional clause beside the clause ("If ..., [event]"; "[event] unless ..."): its marker, or -1
	hasDenialObject bool
	skip            func(i int) bool // words that start no marker, besides the event
}

// Classify is Classify with lexicon lx.
func (lx *Lexicon) Classify(tk *textnorm.Tokens, a, b, pos, end int) Result {
	return lx.classify(tk, a, b, pos, end, nil)
}

// classify is Classify ignoring markers that start at a word skip accepts
// (none when skip is nil).
func (lx *Lexicon) classify(tk *textnorm.Tokens, a, b, pos, end int, skip func(i int) bool) Result {
	s := scan{skip: skip}
	if !s.init(lx, tk, a, b, pos, end) {
		return Result{Class: Asserted, Start: pos, End: pos}
	}
	s.markers()
	s.clause()
	return s.decide()
}

// Clause is Clause with lexicon lx.
func (lx *Lexicon) Clause(tk *textnorm.Tokens, a, b, pos int) (start, end int) {
	var s scan
	if !s.init(lx, tk, a, b, pos, pos+1) {
		return pos, pos
	}
	s.markers()
	s.clause()
	return s.cs, s.ce
}

func (s *scan) init(lx *Lexicon, tk *textnorm.Tokens, a, b, pos, end int) bool {
	n := len(tk.Tokens)
	if pos < 0 || pos >= n {
		return false
	}
	end = min(max(end, pos+1), n)
	a, b = max(min(a, pos), 0), min(max(b, end), n)
	if si := int(tk.Tokens[pos].Sentence); si >= 0 && si < len(tk.Sentences) {
		sent := tk.Sentences[si]
		a, b = max(a, min(sent.FirstToken, pos)), min(b, max(sent.EndToken, end))
		s.sentFirst = sent.FirstToken
	} else {
		s.sentFirst = a
	}
	s.lx, s.tk = lx, tk
	s.pos, s.end = pos, end
	s.condition = -1
	s.lo, s.hi = max(a, pos-reach), min(b, end+reach)
	return true
}

// markers finds the lexicon's words and phrases in the scanned words,
// longest first, left to right, skipping the event.
func (s *scan) markers() {
	for i := s.lo; i < s.hi; {
		if i == s.pos {
			i = s.end
			continue
		}
		if s.skip != nil && s.skip(i) {
			i++
			continue
		}
		limit := s.hi
		if i < s.pos {
			limit = s.pos
		}
		n, r := s.lx.longest(s.tk, i, limit, ^unscanned)
		if n == 0 {
			i++
			continue
		}
		if s.n < len(s.m) {
			s.m[s.n] = marker{start: int32(i), end: int32(i + n), roles: r}
			s.n++
		}
		i += n
	}
}

// markerAt returns the index of the marker that starts at word i, or -1.
func (s *scan) markerAt(i int) int {
	for k := 0; k < s.n; k++ {
		if st := int(s.m[k].start); st == i {
			return k
		} else if st > i {
			break
		}
	}
	return -1
}

// covering returns the index of the marker that covers word i, or -1.
func (s *scan) covering(i int) int {
	for k := 0; k < s.n; k++ {
		if int(s.m[k].start) <= i && i < int(s.m[k].end) {
			return k
		}
	}
	return -1
}

// Gap punctuation: what lies between two words.
const (
	gHard     uint8 = 1 << iota // ; : | — or a spaced dash
	gComma                      // ,
	gQuestion                   // ?
)

type gap struct {
	flags       uint8
	open, close int
}

// gapAt classifies the text between word j-1 and word j.
func (s *scan) gapAt(j int) gap {
	t := s.tk.Text[s.tk.Tokens[j-1].End:s.tk.Tokens[j].Start]
	return classifyGap(t)
}

func classifyGap(t string) gap {
	var g gap
	for i := 0; i < len(t); i++ {
		switch t[i] {
		case ';', ':', '|':
			g.flags |= gHard
		case ',':
			g.flags |= gComma
		case '?':
			g.flags |= gQuestion
		case '(', '[':
			g.open++
		case ')', ']':
			g.close++
		case '-':
			// a spaced hyphen or a double one is a dash; a bare one
			// joins (the tokenizer split "Su-35" there)
			if i+1 < len(t) && t[i+1] == '-' || i > 0 && t[i-1] == ' ' && i+1 < len(t) && t[i+1] == ' ' {
				g.flags |= gHard
			}
		case 0xE2:
			if i+2 < len(t) && t[i+1] == 0x80 {
				switch t[i+2] {
				case 0x94, 0x95: // — ―
					g.flags |= gHard
				case 0x93: // – joins a range or a compound unless spaced
					if i > 0 && t[i-1] == ' ' || i+3 < len(t) && t[i+3] == ' ' {
						g.flags |= gHard
					}
				}
			}
		case 0xD8:
			if i+1 < len(t) {
				switch t[i+1] {
				case 0x9B: // Arabic semicolon ؛
					g.flags |= gHard
				case 0x8C: // Arabic comma ،
					g.flags |= gComma
				case 0x9F: // Arabic question mark ؟
					g.flags |= gQuestion
				}
			}
		}
	}
	return g
}

func (s *scan) exclude(from, to int) {
	if s.nexcl < len(s.excl) && from < to {
		s.excl[s.nexcl] = [2]int{from, to}
		s.nexcl++
	}
}

func (s *scan) excluded(i int) bool {
	for k := 0; k < s.nexcl; k++ {
		if s.excl[k][0] <= i && i < s.excl[k][1] {
			return true
		}
	}
	return false
}

// clause finds the clause of the event: left and right to the nearest
// boundary (hard punctuation, an opening word, a comma with a reporting
// phrase), skipping parentheticals and relative clauses between commas.
func (s *scan) clause() {
	cs := s.pos
	commaSeen := -1
	ignoreOpen, ignoreComma := false, false
left:
	for cs > s.lo {
		g := s.gapAt(cs)
		if k, aside := s.skipAside(cs, g, true); aside {
			if k < 0 {
				break
			}
			cs, ignoreOpen = k, true
			continue
		}
		if g.open > 0 && !ignoreOpen || g.flags&gHard != 0 {
			break
		}
		ignoreOpen = false
		if g.flags&gComma != 0 && !ignoreComma {
			if commaSeen > cs && s.participle(cs) {
				// "Russia, stung by criticism, [delivered]": an aside
				s.exclude(cs, commaSeen)
				commaSeen = -1
				ignoreComma = false
				cs--
				continue
			}
			if s.commaBoundary(cs) {
				break
			}
			commaSeen = cs
		}
		ignoreComma = false
		cs--
		if mi := s.markerAt(cs); mi >= 0 {
			r := s.m[mi].roles
			switch {
			case r&roleBoundary != 0:
				break left
			case r&(roleSubordinator|roleRelative) != 0:
				if commaSeen < 0 {
					break left // the event is inside this clause
				}
				if r&roleSubordinator != 0 {
					cs = commaSeen // "Despite delays, [Russia delivered]"
					if r&roleCondition != 0 {
						s.condition = mi // "If talks succeed, [Russia will deliver]"
					}
					break left
				}
				s.exclude(cs, commaSeen) // "Russia, which ..., delivered"
				commaSeen, ignoreComma = -1, true
			}
		}
	}
	s.cs = cs

	// A clause opened by a subordinator or a relative, or an event that is
	// a participle after a comma ("The deal, [signed] in 2021, ..."), ends
	// at the next comma.
	closesAtComma := false
	if mi := s.markerAt(cs); mi >= 0 && s.m[mi].roles&(roleSubordinator|roleRelative) != 0 {
		closesAtComma = true
	}
	if cs == s.pos && cs > s.lo && s.gapAt(cs).flags&gComma != 0 && s.participle(cs) {
		closesAtComma = true
	}
	ce := s.end
	ignoreClose := false
	for ce < s.hi {
		g := s.gapAt(ce)
		if k, aside := s.skipAside(ce, g, false); aside {
			if k < 0 {
				break
			}
			ce, ignoreClose = k, true
			continue
		}
		if g.close > 0 && !ignoreClose || g.flags&gHard != 0 {
			break
		}
		ignoreClose = false
		if g.flags&gComma != 0 && (closesAtComma || s.commaBoundary(ce)) {
			break
		}
		if g.flags&gComma != 0 && s.participle(ce) {
			// "The delivery, delayed for years, [finally began]": skip
			// the aside; a trailing one (", delayed until 2016.") ends
			// the clause
			k := s.nextComma(ce)
			if k < 0 {
				break
			}
			s.exclude(ce, k)
			ce = k
			closesAtComma = false
			continue
		}
		if mi := s.markerAt(ce); mi >= 0 && s.m[mi].roles&(roleBoundary|roleSubordinator|roleRelative) != 0 {
			if s.m[mi].roles&(roleSubordinator|roleCondition) == roleSubordinator|roleCondition {
				s.condition = mi // "[Russia will deliver] unless ..."
			}
			break
		}
		if mi := s.markerAt(ce); mi >= 0 && s.m[mi].roles&rolePronoun != 0 && ce >= s.end+2 {
			break // "Iran received the jets | it had long sought"
		}
		ce++
	}
	s.ce = ce
}

// skipAside skips a bracketed aside whose bracket is in gap g before word
// j: one that closes there when scanning left, or opens there when scanning
// right. It reports whether there is one and where the scan goes on (-1
// when the bracket has no partner in reach: then it bounds the clause).
func (s *scan) skipAside(j int, g gap, left bool) (next int, aside bool) {
	switch {
	case left && g.close > 0 && g.open == 0:
		k := s.openLeft(j, g.close)
		if k >= 0 {
			s.exclude(k, j)
		}
		return k, true
	case !left && g.open > 0 && g.close == 0:
		k := s.closeRight(j, g.open)
		if k >= 0 {
			s.exclude(j, k)
		}
		return k, true
	}
	return j, false
}

// participle reports whether word j is a past form that can open a
// participial aside ("delayed", "signed").
func (s *scan) participle(j int) bool {
	return s.lx.wordRoles(s.tk.Norm(j))&rolePastForm != 0
}

// nextComma returns the first word after j with a comma before it, within
// the clause's reach and before any hard boundary, or -1.
func (s *scan) nextComma(j int) int {
	for k := j + 1; k < s.hi; k++ {
		g := s.gapAt(k)
		if g.flags&gHard != 0 || g.open+g.close > 0 {
			return -1
		}
		if g.flags&gComma != 0 {
			return k
		}
	}
	return -1
}

// openLeft finds the first word of the parenthetical that ends before word
// j (depth brackets deep), or -1.
func (s *scan) openLeft(j, depth int) int {
	for k := j - 1; k > s.lo; k-- {
		g := s.gapAt(k)
		depth += g.close - g.open
		if depth <= 0 {
			return k
		}
	}
	return -1
}

// closeRight finds the word after the parenthetical that starts at word j
// (depth brackets deep), or -1.
func (s *scan) closeRight(j, depth int) int {
	for k := j + 1; k < s.hi; k++ {
		g := s.gapAt(k)
		depth += g.open - g.close
		if depth <= 0 {
			return k
		}
	}
	return -1
}

// commaBoundary reports whether the comma before word j closes a clause:
// it is followed by an opening word (", and Iran ..."), or a reporting
// phrase stands beside it (", a source said"; "According to Tass, ").
func (s *scan) commaBoundary(j int) bool {
	if mi := s.markerAt(j); mi >= 0 && s.m[mi].roles&(roleCommaBoundary|roleBoundary|roleSubordinator|roleRelative) != 0 {
		return true
	}
	const aside = 6 // words of a reporting aside
	for k := j; k < min(s.hi, j+aside); k++ {
		if k > j && s.gapAt(k).flags&(gComma|gHard) != 0 {
			break
		}
		if k >= s.pos && k < s.end {
			break
		}
		if mi := s.markerAt(k); mi >= 0 && s.m[mi].roles&(roleReporting|roleConfirm) != 0 {
			return true
		}
	}
	for k := j - 1; k >= max(s.lo, j-aside); k-- {
		if k >= s.pos && k < s.end {
			break
		}
		if mi := s.covering(k); mi >= 0 && s.m[mi].roles&(roleReporting|roleConfirm) != 0 {
			return true
		}
		if k > s.lo && s.gapAt(k).flags&(gComma|gHard) != 0 {
			break
		}
	}
	return false
}

// inClause reports whether marker k counts in the clause.
func (s *scan) inClause(k int) bool {
	st := int(s.m[k].start)
	return st >= s.cs && st < s.ce && !s.excluded(st)
}

// isMonth reports whether the month-name marker at word i is the month
// ("in May", "May 5") rather than a modal: written capitalised inside a
// sentence, after a month_before word or beside a number.
func (s *scan) isMonth(i int) bool {
	tk := s.tk
	if c := tk.Text[tk.Tokens[i].Start]; c < 'A' || c > 'Z' {
		return false
	}
	if i+1 < len(tk.Tokens) && tk.Tokens[i+1].Sentence == tk.Tokens[i].Sentence {
		if next := tk.Norm(i + 1); len(next) > 0 && next[0] >= '0' && next[0] <= '9' {
			return true // "May 5", even first in a sentence
		}
	}
	if i == s.sentFirst {
		return false
	}
	prev := tk.Norm(i - 1)
	return s.lx.wordRoles(prev)&roleMonthBefore != 0 || isDigits(prev)
}

func isDigits(w []byte) bool {
	for _, c := range w {
		if c < '0' || c > '9' {
			return false
		}
	}
	return len(w) > 0
}

// insert adds a marker made up by a rule, keeping the markers in order.
func (s *scan) insert(m marker) {
	if s.n == len(s.m) {
		return
	}
	k := s.n
	for k > 0 && s.m[k-1].start > m.start {
		s.m[k] = s.m[k-1]
		k--
	}
	s.m[k] = m
	s.n++
	if s.condition >= k {
		s.condition++
	}
}

// decide weighs the markers of the clause: a condition or question makes
// it unasserted; otherwise an odd number of negative markers negates it;
// otherwise a modal or plan makes it unasserted; otherwise it is asserted.
func (s *scan) decide() Result {
	for k := 0; k < s.n; k++ {
		if s.deniedObject(k) {
			s.hasDenialObject = true
			break
		}
	}
	// After a past-tense event word come its object and relative clauses
	// ("received a diet plan", "launched a mission that failed"): only a
	// negation right after it ("received no jets") speaks of the event.
	past := s.lx.wordRoles(s.tk.Norm(s.end-1))&rolePastForm != 0
	const pastReach = 2
	neg, concord, unas, cond, denials := 0, 0, 0, 0, 0
	ownNounEnd := -1 // after a "no" that negates its own noun
	relEnd := s.relativeAfter()
	for k := 0; k < s.n; k++ {
		if !s.inClause(k) || int(s.m[k].start) >= relEnd {
			continue
		}
		m := &s.m[k]
		r := m.roles
		if r&roleNotAMarker != 0 {
			continue
		}
		if past && r&roleUnassertedNoun != 0 {
			r &^= roleUnasserted // "The proposal was approved"
		}
		if past && int(m.start) >= s.end {
			r &^= roleFailure | roleUnasserted
			if int(m.start) >= s.end+pastReach {
				r &^= roleNegation | roleNegationConcord
			}
		}
		if r&roleMonthName != 0 && s.isMonth(int(m.start)) {
			r &^= roleUnasserted
		}
		if ownNounEnd >= 0 && int(m.start) >= ownNounEnd && int(m.start) < s.pos {
			// "has no leverage to block arms sales": the block is
			// spoken of under "no" too
			r = r&^negativeRoles | roleUnasserted
		}
		if r&roleNegationDeterminer != 0 && s.ownNoun(k) {
			// "will have no effect on plans to sell": "no" negates
			// its own noun; the event is only spoken of
			r = r&^(negativeRoles|roleNegationDeterminer) | roleUnasserted
			ownNounEnd = int(m.end)
		}
		if s.negative(k, r) {
			switch {
			case s.governsReport(k):
				// "has not confirmed", "declined to comment": the
				// event is left open, not denied
				m.cat = catUnas
				s.m[k+1].cat = catUnas // in the cue: "not confirmed"
				unas++
			case r&roleDenialVerb != 0 && denials > 0:
				// "denied claims ..., debunking rumours": one denial
				// said twice, not a denial of a denial
				m.cat = catNeg
			default:
				m.cat = catNeg
				neg++
				if r&roleDenialVerb != 0 {
					denials++
				}
			}
		} else if r&roleNegationConcord != 0 {
			concord++
		}
		if r&roleUnasserted != 0 && m.cat == catNone {
			m.cat = catUnas
			unas++
		}
		if r&roleCondition != 0 {
			m.cat = catCond
			cond++
		}
	}
	neg += s.negativePrefixes()
	if neg == 0 && concord > 0 {
		// negative concord: "neither ... nor", "ни": one negation
		for k := 0; k < s.n; k++ {
			if s.inClause(k) && s.m[k].roles&roleNegationConcord != 0 {
				s.m[k].cat = catNeg
			}
		}
		neg = 1
	}
	s.markDenialObjects()
	if s.condition >= 0 {
		s.m[s.condition].cat = catCond
		cond++
	}
	if s.headlineInfinitive() {
		unas++
	}
	if s.futureForm() {
		unas++
	}

	if neg > 0 && neg%2 == 0 && s.deniedRefusal() {
		unas++ // "rejected a report that Russia had refused to supply"
	}

	res := Result{Class: Asserted, Start: s.cs, End: s.ce}
	question := s.question()
	switch {
	case cond > 0 || question:
		res.Class, res.Cue = Unasserted, s.cue(catCond, question)
	case neg%2 == 1:
		res.Class, res.Cue = Negated, s.cue(catNeg, false)
	case unas > 0:
		res.Class, res.Cue = Unasserted, s.cue(catUnas, false)
	case neg > 0:
		res.Cue = s.cue(catNeg, false) // a double negation
	}
	return res
}

// relativeAfter returns the end of the relative_after marker ("that") that
// opens a relative or complement clause after the event and its object
// ("vetoes a resolution that would have condemned Iran"), or the clause's
// end: the markers of that clause speak of its own verb, not the event.
// Right after the event ("the deal that ...") the clause may be the
// event's own relative clause before its predicate, so it counts.
func (s *scan) relativeAfter() int {
	for k := 0; k < s.n; k++ {
		if st := int(s.m[k].start); s.inClause(k) && st > s.end && s.m[k].roles&roleRelativeAfter != 0 {
			return int(s.m[k].end)
		}
	}
	return s.ce
}

// negativeRoles are the roles that can negate a clause.
const negativeRoles = roleNegation | roleNegationBefore | roleNegationConcord | roleFailure | roleDenialVerb

// negative reports whether marker k, with roles r, negates its clause.
func (s *scan) negative(k int, r role) bool {
	m := &s.m[k]
	switch {
	case r&(roleNegation|roleFailure) != 0:
		return true
	case r&roleNegationBefore != 0 && int(m.start) < s.pos:
		return true
	case r&roleDenialVerb != 0:
		// a denial of a report, a denial just before the event
		// ("denied selling"), or a passive one after it ("... were denied")
		return s.hasDenialObject && r&roleDenialObject == 0 ||
			int(m.end) <= s.pos && s.pos-int(m.end) <= 1 || int(m.start) >= s.end
	}
	return false
}

// deniedRefusal reports whether the clause's first negative marker is a
// denial and a later one is a refusal or failure before the event ("rejected
// a report that Russia had refused to supply"): the denial of a refusal is
// no report of the event, so it is left unasserted rather than asserted.
// A failure after the event ("rejects reports of delivery delay") speaks of
// an event under way and keeps the double negation. It moves the negative
// markers into the cue of an unasserted clause.
func (s *scan) deniedRefusal() bool {
	first, refusal := -1, false
	for k := 0; k < s.n; k++ {
		if !s.inClause(k) || s.m[k].cat != catNeg {
			continue
		}
		if first < 0 {
			if s.m[k].roles&roleDenialVerb == 0 {
				return false // "did not deny that ...": a real double negation
			}
			first = k
			continue
		}
		if int(s.m[k].start) < s.pos && s.m[k].roles&(roleDenialVerb|roleDenialObject) == 0 {
			refusal = true
		}
	}
	if !refusal {
		return false
	}
	for k := 0; k < s.n; k++ {
		if s.inClause(k) && s.m[k].cat == catNeg {
			s.m[k].cat = catUnas
		}
	}
	return true
}

// markDenialObjects puts the objects of a counted denial ("reports",
// "that") into the cue beside the denial verb.
func (s *scan) markDenialObjects() {
	denied := false
	for k := 0; k < s.n; k++ {
		if s.inClause(k) && s.m[k].cat == catNeg && s.m[k].roles&roleDenialVerb != 0 {
			denied = true
		}
	}
	if !denied || !s.hasDenialObject {
		return
	}
	for k := 0; k < s.n; k++ {
		if s.m[k].cat != catNeg && s.deniedObject(k) {
			s.m[k].cat = catNeg
		}
	}
}

// refusedObjectReach is how many words may stand between a denial verb and
// the request or offer it turns down ("rejected a last-ditch bid").
const refusedObjectReach = 3

// deniedObject reports whether marker k, in the clause, is the object of a
// denial: a denial_object anywhere ("dismissed reports that ..."), or a
// refused_object a few words after a denial verb ("rejected Iran's request
// to buy"): the request is turned down, so what it asked for is negated.
func (s *scan) deniedObject(k int) bool {
	m := &s.m[k]
	if !s.inClause(k) || m.roles&roleNotAMarker != 0 {
		return false
	}
	if m.roles&roleDenialObject != 0 {
		return true
	}
	if m.roles&roleRefusedObject == 0 {
		return false
	}
	for j := k - 1; j >= 0 && int(m.start)-int(s.m[j].end) <= refusedObjectReach; j-- {
		if s.inClause(j) && s.m[j].roles&roleDenialVerb != 0 && s.m[j].roles&roleNotAMarker == 0 {
			return true
		}
	}
	return false
}

// ownNoun reports whether the negation_determiner marker k ("no")
// determines a noun of its own rather than the event's: it stands inside
// the clause, not first in it, with a link word between it and the event
// ("has no reins to influence arms sales", "no effect on the sale"), and no
// marker before the link. As a subject ("No contract for the supply has
// been signed", "no agreement barred Russia from selling"), right before the
// event ("no deliveries") or with the event in its noun phrase ("no S-300s
// were delivered") it negates the event.
func (s *scan) ownNoun(k int) bool {
	m := &s.m[k]
	if int(m.start) <= s.cs || int(m.end) >= s.pos {
		return false
	}
	for i := int(m.end); i < s.pos; i++ {
		if s.covering(i) >= 0 {
			return false // "no agreements barred Russia from selling": its verb
		}
		if s.lx.wordRoles(s.tk.Norm(i))&roleLink != 0 {
			return true
		}
	}
	return false
}

// governsReport reports whether the negative marker k governs a reporting
// or confirming verb that comes before the event ("has not confirmed the
// delivery"), so that what is negated is the report, not the event.
func (s *scan) governsReport(k int) bool {
	if k+1 >= s.n || !s.inClause(k+1) || s.m[k].roles&(roleNegation|roleFailure) == 0 || s.m[k].roles&roleDenialVerb != 0 {
		return false
	}
	next := &s.m[k+1]
	return next.roles&(roleReporting|roleConfirm) != 0 &&
		next.roles&(roleNegation|roleFailure|roleDenialVerb) == 0 &&
		int(next.start)-int(s.m[k].end) <= 2 && int(next.start) < s.pos
}

// negativePrefixes applies the negative_prefix role and returns how many
// negations it found: a prefix word directly before the event
// ("non-delivery"), and every verb of the clause that starts with a
// negative prefix and goes on with a prefixed_verb stem (Persian, which is
// verb-final: "تحویل نداد" is ن + داد). It records markers for the cue.
func (s *scan) negativePrefixes() int {
	tk := s.tk
	found := 0
	if p := s.pos - 1; p >= s.cs && !s.excluded(p) && s.covering(p) < 0 &&
		s.lx.wordRoles(tk.Norm(p))&roleNegativePrefix != 0 && !s.acronym(p) {
		s.insert(marker{start: int32(p), end: int32(p + 1), cat: catNeg})
		found++
	}
	if len(s.lx.negPrefixes) == 0 {
		return found
	}
	for k := s.cs; k < s.ce; k++ {
		if k == s.pos {
			k = s.end - 1
			continue
		}
		if s.excluded(k) || s.covering(k) >= 0 {
			continue
		}
		w := tk.Norm(k)
		for _, p := range s.lx.negPrefixes {
			if len(w) > len(p) && string(w[:len(p)]) == p && s.lx.wordRoles(w[len(p):])&rolePrefixedVerb != 0 {
				s.insert(marker{start: int32(k), end: int32(k + 1), cat: catNeg})
				found++
				break
			}
		}
	}
	return found
}

// acronym reports whether word p is written in capitals ("UN", not the
// prefix "un-").
func (s *scan) acronym(p int) bool {
	raw := s.tk.Text[s.tk.Tokens[p].Start:s.tk.Tokens[p].End]
	if len(raw) < 2 {
		return false
	}
	for i := 0; i < len(raw); i++ {
		if raw[i] < 'A' || raw[i] > 'Z' {
			return false
		}
	}
	return true
}

// headlineInfinitive applies the infinitive role: "to" directly before the
// event, or before a passive_be before it ("first S-300 to be delivered"),
// after a word that is no marker ("Iran to buy Su-35 jets"), is a plan.
// After an assert_before_to verb ("began to deliver") it is not; after
// another marker ("refused to", "plans to") that marker decides.
func (s *scan) headlineInfinitive() bool {
	p := s.pos - 1
	if p-1 >= s.cs && !s.excluded(p) && s.covering(p) < 0 && s.lx.wordRoles(s.tk.Norm(p))&rolePassiveBe != 0 {
		p--
	}
	if p < s.cs || s.excluded(p) || s.covering(p) >= 0 || s.lx.wordRoles(s.tk.Norm(p))&roleInfinitive == 0 {
		return false
	}
	if p-1 >= s.cs && s.covering(p-1) >= 0 {
		return false
	}
	s.insert(marker{start: int32(p), end: int32(p + 1), cat: catUnas})
	return true
}

// futureForm applies the future_form role, the one role read from the
// event words themselves: a Russian perfective present ("поставит") is a
// future. It records a marker for the cue.
func (s *scan) futureForm() bool {
	for k := s.pos; k < s.end; k++ {
		if s.lx.wordRoles(s.tk.Norm(k))&roleFutureForm != 0 {
			s.insert(marker{start: int32(k), end: int32(k + 1), cat: catUnas})
			return true
		}
	}
	return false
}

// question reports whether the clause ends with a question mark.
func (s *scan) question() bool {
	tk := s.tk
	from := int(tk.Tokens[s.ce-1].End)
	to := len(tk.Text)
	if s.ce < len(tk.Tokens) {
		to = int(tk.Tokens[s.ce].Start)
	}
	return classifyGap(tk.Text[from:to]).flags&gQuestion != 0
}

// cue joins the words of the clause's markers of category cat (and "?"
// for a question), interned so that a steady stream of calls allocates
// nothing.
func (s *scan) cue(cat uint8, question bool) string {
	var buf [160]byte
	b := buf[:0]
	for k := 0; k < s.n; k++ {
		m := &s.m[k]
		if m.cat != cat || !s.inClause(k) && k != s.condition {
			continue
		}
		for i := m.start; i < m.end; i++ {
			w := s.tk.Norm(int(i))
			if len(b)+len(w)+1 > cap(b) {
				break
			}
			if len(b) > 0 {
				b = append(b, ' ')
			}
			b = append(b, w...)
		}
	}
	if question && len(b)+2 <= cap(b) {
		if len(b) > 0 {
			b = append(b, ' ')
		}
		b = append(b, '?')
	}
	return intern(b)
}

// cues interns cue strings; the set of cues is small (marker words and
// their few combinations), and bounded in case it is not.
var cues = struct {
	sync.RWMutex
	m map[string]string
}{m: map[string]string{}}

const maxCues = 1 << 14

func intern(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	cues.RLock()
	c, ok := cues.m[string(b)]
	cues.RUnlock()
	if ok {
		return c
	}
	c = string(b)
	cues.Lock()
	if len(cues.m) < maxCues {
		cues.m[c] = c
	}
	cues.Unlock()
	return c
}
