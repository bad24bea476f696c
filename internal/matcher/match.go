package matcher

import (
	"encoding/binary"
	"slices"

	"github.com/claimwatch/claimwatch/claims"
	"github.com/claimwatch/claimwatch/internal/textnorm"
)

// Document is the text to match: a title and a body.
type Document struct {
	Title, Body string
}

// hit is one occurrence of a claim's term or cue: words [pos, end).
type hit struct {
	pos, end int32
	kind     useKind
	group    uint8
	term     int32
}

// scratch is the per-call working memory, pooled so that matching a
// document allocates little beyond its findings.
type scratch struct {
	toks   textnorm.Tokens
	symOff []int32 // word i's symbols are syms[symOff[i]:symOff[i+1]]
	syms   []int32
	cands  []int32 // words with at least one symbol
	pass   []int32 // words that pass the DFA's filter
	// words remembers what recent words look up to, so that a common
	// word ("the", "said", "Iran") costs one probe instead of a walk of
	// the DFA.
	words   wordCache
	occs    []occurrence // patterns found in the text being scanned, in order
	present []uint64     // per claim: groups found in the text being scanned
	hits    [][]hit      // per claim, for the text being scanned
	touched []int32      // claims with group hits in the text being scanned
	live    []int32      // claims with hits of all the "all" groups of a rule there
	scopes  [][]scope
	matched []int32  // claims with at least one matching scope
	terms   [][]bool // per claim: which terms occurred in matching scopes
}

func newScratch(claims int) any {
	return &scratch{
		hits:    make([][]hit, claims),
		present: make([]uint64, claims),
		scopes:  make([][]scope, claims),
		terms:   make([][]bool, claims),
	}
}

// Match returns one finding per claim the document matches, sorted by claim
// ID, or nil when none does.
func (m *Matcher) Match(doc Document) []claims.Finding {
	s := m.pool.Get().(*scratch)
	defer m.pool.Put(s)
	s.matched = s.matched[:0]
	if doc.Title != "" {
		m.matchText(s, doc.Title, true)
	}
	m.matchText(s, doc.Body, false)
	if len(s.matched) == 0 {
		return nil
	}
	slices.Sort(s.matched)
	out := make([]claims.Finding, 0, len(s.matched))
	for _, ci := range s.matched {
		out = append(out, m.aggregate(s, ci, doc))
		s.scopes[ci] = s.scopes[ci][:0]
		clear(s.terms[ci])
	}
	return out
}

// matchText scans one text for all patterns, then evaluates every claim
// that has hits in it.
func (m *Matcher) matchText(s *scratch, text string, title bool) {
	s.toks.Reset(text)
	m.scan(s)
	for _, ci := range s.live {
		hits := s.hits[ci]
		cc := &m.claims[ci]
		before := len(s.scopes[ci])
		m.evalRule(s, ci, &cc.event, hits, title, before)
		if cc.about != nil {
			m.evalRule(s, ci, cc.about, hits, title, before)
		}
		if before == 0 && len(s.scopes[ci]) > 0 && !slices.Contains(s.matched, ci) {
			s.matched = append(s.matched, ci)
		}
		s.hits[ci] = hits[:0]
	}
}

// evalRule evaluates rule r of claim ci over its hits in the text being
// matched, by sentence or by window. Scopes of this text start at
// s.scopes[ci][from]; a scope overlapping one already found there is not
// evaluated again (the event rule runs first, so it wins over about).
func (m *Matcher) evalRule(s *scratch, ci int32, r *rule, hits []hit, title bool, from int) {
	if r.window > 0 {
		m.evalWindows(s, ci, r, hits, title, from)
		return
	}
	tk := &s.toks
	for i := 0; i < len(hits); {
		sent := tk.Tokens[hits[i].pos].Sentence
		j := i + 1
		for j < len(hits) && tk.Tokens[hits[j].pos].Sentence == sent {
			j++
		}
		se := &tk.Sentences[sent]
		a, b := int32(se.FirstToken), int32(se.EndToken)
		m.evalScope(s, ci, r, hits[i:j], a, b, a, b, title, from)
		i = j
	}
}

// scan finds every pattern in s.toks and files the hits (claim terms and
// cues) per claim.
func (m *Matcher) scan(s *scratch) {
	tk := &s.toks
	toks := tk.Tokens
	s.touched = s.touched[:0]
	s.syms, s.cands = s.syms[:0], s.cands[:0]
	d := m.dfa
	norms := tk.Norms()
	// First the words that may have symbols, without a branch on the
	// filter's answer: it passes about half of all words in no order a
	// branch predictor can learn, and a loop without calls keeps its
	// state in registers. (Short prefixes are rare enough to branch on.)
	s.pass = slices.Grow(s.pass[:0], len(toks))[:len(toks)]
	pass, np, start := s.pass, 0, 0
	for i := range toks {
		end := toks[i].NormEnd()
		w := norms[start:end]
		start = end
		k0 := packWord(w)
		pass[np] = int32(i)
		in := d.filterBit(k0, len(w))
		if d.mayBeShort(k0) && in == 0 && d.underShort(k0) {
			in = 1
		}
		np += in
	}
	// Then their symbols. symOff is sized once and cleared; each word's
	// count goes to symOff[i+1], and a running sum turns counts into
	// offsets.
	s.symOff = slices.Grow(s.symOff[:0], len(toks)+1)[:len(toks)+1]
	symOff := s.symOff
	clear(symOff)
	for _, i32 := range pass[:np] {
		i := int(i32)
		start := 0
		if i > 0 {
			start = toks[i-1].NormEnd()
		}
		w := norms[start:toks[i].NormEnd()]
		k0 := packWord(w)
		n := len(s.syms)
		if slot := s.words.hit(k0, len(w)); slot != nil && cap(s.syms)-n >= maxCachedSyms {
			s.syms = slot.appendTo(s.syms)
		} else {
			s.syms = s.words.lookup(d, w, k0, s.syms)
		}
		if len(s.syms) > n {
			s.cands = append(s.cands, int32(i))
			symOff[i+1] = int32(len(s.syms) - n)
		}
	}
	for i := 1; i < len(symOff); i++ {
		symOff[i] += symOff[i-1]
	}
	s.occs = s.occs[:0]
	last := len(tk.Tokens) - 1
	for _, i32 := range s.cands {
		i := int(i32)
		// Patterns of several words need symbols on the next word; without
		// them only the one-word patterns can match (see Matcher.starts1).
		starts := m.starts1
		if i < last && symOff[i+2] > symOff[i+1] {
			starts = m.starts
		}
		for _, sym := range s.syms[symOff[i]:symOff[i+1]] {
			for _, pid := range starts[sym] {
				p := &m.patterns[pid]
				// Most patterns are one word, which the symbol already
				// matched: only longer ones need follows (not inlined).
				end, ok := i+1, true
				if len(p.syms) > 1 {
					end, ok = s.follows(p.syms, i)
				}
				if !ok {
					continue
				}
				m.note(s, p)
				s.occs = append(s.occs, occurrence{pattern: pid, pos: int32(i), end: int32(end)})
			}
		}
	}
	m.fileLive(s)
}

// occurrence is a pattern found at words [pos, end).
type occurrence struct {
	pattern, pos, end int32
}

// packWord packs a word of at most 8 bytes into a uint64, zero-padded (a
// longer word's first 8 bytes); words hold no zero bytes, so distinct words
// pack differently.
func packWord(w []byte) uint64 {
	if cap(w) >= 8 {
		// The bytes past the word belong to later words: mask them off
		// (a shift by 64 gives 0, so the mask is all ones for 8 bytes).
		return binary.LittleEndian.Uint64(w[:8]) & (uint64(1)<<(8*uint(len(w))) - 1)
	}
	var k uint64
	for i, c := range w {
		k |= uint64(c) << (8 * i)
	}
	return k
}

// follows reports whether the words from i on carry the symbols syms (the
// first is known to match), within one sentence, and where the match ends.
func (s *scratch) follows(syms []int32, i int) (int, bool) {
	if len(syms) == 1 {
		return i + 1, true
	}
	toks := s.toks.Tokens
	if i+len(syms) > len(toks) || toks[i].Sentence != toks[i+len(syms)-1].Sentence {
		return 0, false
	}
	for k := 1; k < len(syms); k++ {
		if !slices.Contains(s.syms[s.symOff[i+k]:s.symOff[i+k+1]], syms[k]) {
			return 0, false
		}
	}
	return i + len(syms), true
}

// note records which claims' groups pattern p holds.
func (m *Matcher) note(s *scratch, p *pattern) {
	for _, u := range p.uses {
		if u.kind == useGroup {
			if s.present[u.claim] == 0 {
				s.touched = append(s.touched, u.claim)
			}
			s.present[u.claim] |= 1 << u.group
		}
	}
}

// fileLive files the hits of the claims that have every group of their
// rule somewhere in the text; no scope of any other claim can match, so
// most claims a text touches are never filed nor evaluated.
func (m *Matcher) fileLive(s *scratch) {
	s.live = s.live[:0]
	for _, ci := range s.touched {
		if m.claims[ci].live(s.present[ci]) {
			s.live = append(s.live, ci)
		} else {
			s.present[ci] = 0
		}
	}
	if len(s.live) == 0 {
		return
	}
	for _, o := range s.occs {
		p := &m.patterns[o.pattern]
		for _, u := range p.uses {
			if s.present[u.claim] == 0 {
				continue
			}
			s.hits[u.claim] = append(s.hits[u.claim], hit{pos: o.pos, end: o.end, kind: u.kind, group: u.group, term: u.term})
		}
	}
	for _, ci := range s.live {
		s.present[ci] = 0
	}
}
