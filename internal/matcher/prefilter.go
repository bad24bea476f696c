package matcher

import "github.com/claimwatch/claimwatch/internal/textnorm"

// Presence answers, for a page read in pieces, whether any claim can match
// it at all: whether for some claim every group named by its event rule's
// "all", or by its about rule's "all", has a term among the page's words.
// It is the cheap question asked of every page of an archive before its
// main text is extracted (see internal/prefilter).
//
// It never says no to a page that Match would find evidence in: a group
// counts as present when every word of one of its terms occurs anywhere in
// the pieces, in any order and any sentence, across title and body alike,
// so it is looser than Match in every respect. "none" groups, cues,
// direction and windows only narrow a match and are not looked at.
//
// A Presence is not safe for concurrent use: take one per goroutine.
type Presence struct {
	m     *Matcher
	toks  textnorm.Tokens
	words wordCache
	seen  []uint64 // symbol bit set
	syms  []int32  // lookup buffer
	// groups is per claim the groups found present, cleared by each
	// Candidate (Reset clears only seen).
	groups []uint64
}

// NewPresence returns an empty Presence over the matcher's claims.
func (m *Matcher) NewPresence() *Presence {
	return &Presence{
		m:      m,
		seen:   make([]uint64, (len(m.starts)+63)/64),
		groups: make([]uint64, len(m.claims)),
	}
}

// Reset forgets the words added so far, for the next page.
func (p *Presence) Reset() {
	clear(p.seen)
}

// Add notes the words of text (any text: tokenised as Match tokenises).
func (p *Presence) Add(text string) {
	if text == "" {
		return
	}
	p.toks.Reset(text)
	d := p.m.dfa
	norms, start := p.toks.Norms(), 0
	for i := range p.toks.Tokens {
		end := p.toks.Tokens[i].NormEnd()
		w := norms[start:end]
		start = end
		if k0 := packWord(w); d.inFilter(k0, len(w)) || d.mayBeShort(k0) && d.underShort(k0) {
			p.syms = p.words.lookup(d, w, k0, p.syms[:0])
			for _, sym := range p.syms {
				p.seen[sym/64] |= 1 << (sym % 64)
			}
		}
	}
}

// Candidate reports whether the words added since the last Reset could let
// some claim's rule hold. False is certain: Match finds nothing in any
// document made of those words.
func (p *Presence) Candidate() bool {
	clear(p.groups)
	for i := range p.m.patterns {
		pat := &p.m.patterns[i]
		if !p.hasAll(pat.syms) {
			continue
		}
		for _, u := range pat.uses {
			if u.kind != useGroup {
				continue
			}
			p.groups[u.claim] |= 1 << u.group
			if p.m.claims[u.claim].live(p.groups[u.claim]) {
				return true
			}
		}
	}
	return false
}

func (p *Presence) hasAll(syms []int32) bool {
	for _, sym := range syms {
		if p.seen[sym/64]&(1<<(sym%64)) == 0 {
			return false
		}
	}
	return true
}
