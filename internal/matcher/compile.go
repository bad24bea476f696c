// Package matcher finds evidence for claims in documents.
//
// Compile turns a claim set into one automaton over normalised words (see
// textnorm): every term of every claim and every stance cue becomes a word
// pattern, and one pass over a document finds them all. Each claim's rules
// are then evaluated per sentence (or per window of words) over its hits.
//
// A claim has two rules. Its event rule (Claim.Rule) finds the predicted
// event; the stance of a scope where it holds is the factuality of the
// clause holding its trigger word (internal/factuality): asserted is
// supports, negated or failed is contradicts, unasserted (modal, plan,
// talks, question) is mentions. Its about rule (Claim.About) finds texts on
// the claim's topic; a scope where only it holds is a mention. Claim
// stance cues add what only the claim knows: a cue in an asserted clause
// votes for its stance, in a negated clause for the other one, in an
// unasserted clause not at all; they decide when the event word does not.
//
// Decisions worth knowing:
//
//   - Words: see textnorm.Token. Hyphens separate words, so the term "Su-35"
//     matches "Su-35", "SU-35", "Su‑35" and "Su 35"; "Iran" matches inside
//     "Iran-backed" but not "Iranian" (write "Iran*" for that). A phrase
//     matches only within one sentence.
//   - Factuality is computed only for scopes that match, so the scan over
//     every document stays the claims' own terms.
//   - Several trigger words in a scope: the first factual one (asserted or
//     negated) decides; cues vote when none is factual, and a tie of votes
//     is contradicts. Across scopes the strongest scope with a stance decides
//     (contradicts wins a tie), else the strongest mention.
//   - Window scope: a window is the shortest run of at most Window words
//     holding every "all" group; "none" groups, cues and direction are
//     looked for in every Window-word span containing it. Windows may cross
//     sentences but not the title/body boundary; factuality never crosses a
//     sentence.
//   - Confidence: see the score constants in evaluate.go.
package matcher

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/claimwatch/claimwatch/claims"
	"github.com/claimwatch/claimwatch/internal/textnorm"
)

// defaultWindow is the window in words when a claim asks for window scope
// without saying how wide.
const defaultWindow = 30

// maxGroups bounds the groups a rule may name: group sets are bit masks.
const maxGroups = 64

// Matcher matches documents against a compiled claim set. It is safe for
// concurrent use.
type Matcher struct {
	input    []claims.Claim // as given, for Claims
	claims   []compiledClaim
	dfa      *dfa
	patterns []pattern
	starts   [][]int32 // symbol → patterns whose first word is that symbol
	// starts1 is starts with only the one-word patterns, in the same
	// order. Common words ("the", "to", "of") begin many phrases, so most
	// candidate words are followed by a word with no symbol at all, where
	// no longer pattern can match: scan then walks starts1 and skips them.
	starts1 [][]int32
	pool    sync.Pool // *scratch
}

type useKind uint8

const (
	useGroup useKind = iota
	useSupport
	useContradict
)

// use says what a pattern means to whom: a term of a claim's group or a
// stance cue of a claim.
type use struct {
	claim int32
	kind  useKind
	group uint8 // group bit, for useGroup
	term  int32 // index into compiledClaim.terms
}

// pattern is a word sequence: each word is a symbol (an exact word or a
// prefix, see dfa).
type pattern struct {
	syms []int32
	uses []use
}

// rule is a compiled event or about rule: groups as bit masks.
type rule struct {
	all, none  uint64
	directions [][]uint8 // group bits in order
	requireDir bool
	trigger    uint64 // groups whose words are the event word
	window     int    // 0: sentence scope
	about      bool   // the topic rule: its scopes are mentions unless a cue says more
}

type compiledClaim struct {
	claim *claims.Claim
	event rule
	about *rule // nil: the claim has no about rule
	terms []string
}

// live reports whether groups present somewhere in a text are enough for
// one of the claim's rules to hold in some scope.
func (cc *compiledClaim) live(present uint64) bool {
	return present&cc.event.all == cc.event.all || cc.about != nil && present&cc.about.all == cc.about.all
}

// Compile compiles a claim set. It fails on the first claim whose rule names
// an unknown group or whose term cannot match, naming the claim and term.
func Compile(cs []claims.Claim) (*Matcher, error) {
	m := &Matcher{input: slices.Clone(cs)}
	b := newBuilder()
	order := make([]int, len(cs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(cs[a].ID, cs[b].ID) })
	for k, i := range order {
		c := &m.input[i]
		if k > 0 && cs[order[k-1]].ID == c.ID {
			return nil, fmt.Errorf("claim %s: defined twice (%s:%d and %s:%d)", c.ID, cs[order[k-1]].File, cs[order[k-1]].Line, c.File, c.Line)
		}
		cc, err := b.addClaim(int32(k), c)
		if err != nil {
			return nil, err
		}
		m.claims = append(m.claims, cc)
	}
	m.dfa = b.trie.compile()
	m.patterns = b.patterns
	m.starts = make([][]int32, b.trie.symbols)
	m.starts1 = make([][]int32, b.trie.symbols)
	for id, p := range m.patterns {
		m.starts[p.syms[0]] = append(m.starts[p.syms[0]], int32(id))
		if len(p.syms) == 1 {
			m.starts1[p.syms[0]] = append(m.starts1[p.syms[0]], int32(id))
		}
	}
	m.pool.New = func() any { return newScratch(len(m.claims)) }
	return m, nil
}

// Claims returns the compiled claims, in the order given to Compile.
func (m *Matcher) Claims() []claims.Claim { return slices.Clone(m.input) }

type builder struct {
	trie     *trie
	patterns []pattern
	byWords  map[string]int32 // pattern key → pattern id
}

func newBuilder() *builder {
	return &builder{trie: newTrie(), byWords: map[string]int32{}}
}

func (b *builder) addClaim(idx int32, c *claims.Claim) (compiledClaim, error) {
	cc := compiledClaim{claim: c}
	bits := map[string]uint8{}
	bit := func(name, where string) (uint8, error) {
		if v, ok := bits[name]; ok {
			return v, nil
		}
		if _, ok := c.GroupByName(name); !ok {
			return 0, fmt.Errorf("claim %s: %s names unknown group %q", c.ID, where, name)
		}
		if len(bits) == maxGroups {
			return 0, fmt.Errorf("claim %s: rules name more than %d groups", c.ID, maxGroups)
		}
		bits[name] = uint8(len(bits))
		return bits[name], nil
	}
	var err error
	if cc.event, err = compileRule(c, &c.Rule, "event", bit); err != nil {
		return cc, err
	}
	if c.About != nil {
		about, err := compileRule(c, c.About, "about", bit)
		if err != nil {
			return cc, err
		}
		about.about = true
		cc.about = &about
	}
	termIdx := map[string]int32{}
	add := func(term string, u use) error {
		t, ok := termIdx[term]
		if !ok {
			t = int32(len(cc.terms))
			termIdx[term] = t
			cc.terms = append(cc.terms, term)
		}
		u.claim, u.term = idx, t
		if _, err := b.addTerm(term, u); err != nil {
			return fmt.Errorf("claim %s: term %q: %w", c.ID, term, err)
		}
		return nil
	}
	// Only groups the rule names can affect a match; the others are left
	// out, but their terms must still be valid.
	for _, g := range c.Groups {
		v, ok := bits[g.Name]
		if !ok {
			for _, term := range g.Terms {
				if _, _, err := parseTerm(term); err != nil {
					return cc, fmt.Errorf("claim %s: term %q: %w", c.ID, term, err)
				}
			}
			continue
		}
		for _, term := range g.Terms {
			if err := add(term, use{kind: useGroup, group: v}); err != nil {
				return cc, err
			}
		}
	}
	for _, term := range c.Cues.Supports {
		if err := add(term, use{kind: useSupport}); err != nil {
			return cc, err
		}
	}
	for _, term := range c.Cues.Contradicts {
		if err := add(term, use{kind: useContradict}); err != nil {
			return cc, err
		}
	}
	return cc, nil
}

// compileRule turns a rule's group names into bits (bit allots them per
// claim); what names the rule in errors.
func compileRule(c *claims.Claim, r *claims.Rule, what string, bit func(name, where string) (uint8, error)) (rule, error) {
	out := rule{requireDir: r.RequireDirection}
	if r.Scope == claims.ScopeWindow {
		out.window = r.Window
		if out.window <= 0 {
			out.window = defaultWindow
		}
	}
	if len(r.All) == 0 {
		return out, fmt.Errorf("claim %s: %s.all names no group, so it would match nothing", c.ID, what)
	}
	masks := []struct {
		names []string
		key   string
		mask  *uint64
	}{{r.All, ".all", &out.all}, {r.None, ".none", &out.none}, {r.Trigger, ".trigger", &out.trigger}}
	for _, m := range masks {
		for _, name := range m.names {
			v, err := bit(name, what+m.key)
			if err != nil {
				return out, err
			}
			*m.mask |= 1 << v
		}
	}
	for _, form := range r.Direction {
		var seq []uint8
		for _, name := range form {
			v, err := bit(name, what+".direction")
			if err != nil {
				return out, err
			}
			seq = append(seq, v)
		}
		if len(seq) > 0 {
			out.directions = append(out.directions, seq)
		}
	}
	return out, nil
}

// addTerm adds a term (claim term syntax) with its use; terms that normalise
// to the same words share one pattern.
func (b *builder) addTerm(term string, u use) (int32, error) {
	words, wild, err := parseTerm(term)
	if err != nil {
		return 0, err
	}
	key := strings.Join(words, " ")
	if wild {
		key += "*"
	}
	id, ok := b.byWords[key]
	if !ok {
		p := pattern{}
		for i, w := range words {
			p.syms = append(p.syms, b.trie.symbol(w, wild && i == len(words)-1))
		}
		id = int32(len(b.patterns))
		b.patterns = append(b.patterns, p)
		b.byWords[key] = id
	}
	p := &b.patterns[id]
	if !slices.Contains(p.uses, u) {
		p.uses = append(p.uses, u)
	}
	return id, nil
}

// parseTerm splits a term into normalised words, the same way documents are
// split, and reports whether the last word is a prefix ("Iranian*").
func parseTerm(term string) (words []string, wild bool, err error) {
	t := strings.TrimSpace(term)
	stem, wild := strings.CutSuffix(t, "*")
	if strings.Contains(stem, "*") {
		return nil, false, fmt.Errorf(`"*" may only end a term`)
	}
	toks := textnorm.Tokenize(stem)
	if len(toks.Tokens) == 0 {
		return nil, false, fmt.Errorf("has no letter or digit, so it can never match")
	}
	if wild && int(toks.Tokens[len(toks.Tokens)-1].End) != len(stem) {
		return nil, false, fmt.Errorf(`"*" must directly follow a letter or digit`)
	}
	return toks.Words(), wild, nil
}
