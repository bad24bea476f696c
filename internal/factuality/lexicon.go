package factuality

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/claimwatch/claimwatch/internal/textnorm"
	"go.yaml.in/yaml/v3"
)

// role is a bit set of what a lexicon word or phrase does.
type role uint32

const (
	roleNegation role = 1 << iota
	roleNegationBefore
	roleNegationConcord
	roleNegativePrefix
	rolePrefixedVerb
	roleFailure
	roleDenialVerb
	roleDenialObject
	roleUnasserted
	roleCondition
	roleAssertBeforeTo
	roleInfinitive
	roleReporting
	roleConfirm
	roleBoundary
	roleSubordinator
	roleRelative
	roleCommaBoundary
	roleNotAMarker
	roleMonthName
	roleMonthBefore
	rolePronoun
	rolePastForm
	roleFutureForm
	roleUnassertedNoun
	roleRefusedObject
	rolePassiveBe
	roleNegationDeterminer
	roleLink
	roleRelativeAfter
)

// roleNames are the role keys of a lexicon file.
var roleNames = map[string]role{
	"negation":            roleNegation,
	"negation_before":     roleNegationBefore,
	"negation_concord":    roleNegationConcord,
	"negative_prefix":     roleNegativePrefix,
	"prefixed_verb":       rolePrefixedVerb,
	"failure":             roleFailure,
	"denial_verb":         roleDenialVerb,
	"denial_object":       roleDenialObject,
	"unasserted":          roleUnasserted,
	"condition":           roleCondition,
	"assert_before_to":    roleAssertBeforeTo,
	"infinitive":          roleInfinitive,
	"reporting":           roleReporting,
	"confirm":             roleConfirm,
	"boundary":            roleBoundary,
	"subordinator":        roleSubordinator,
	"relative":            roleRelative,
	"comma_boundary":      roleCommaBoundary,
	"not_a_marker":        roleNotAMarker,
	"month_name":          roleMonthName,
	"month_before":        roleMonthBefore,
	"pronoun":             rolePronoun,
	"past_form":           rolePastForm,
	"future_form":         roleFutureForm,
	"unasserted_noun":     roleUnassertedNoun,
	"refused_object":      roleRefusedObject,
	"passive_be":          rolePassiveBe,
	"negation_determiner": roleNegationDeterminer,
	"link":                roleLink,
	"relative_after":      roleRelativeAfter,
}

// RoleNames returns the role keys a lexicon file may use, sorted.
func RoleNames() []string {
	names := make([]string, 0, len(roleNames))
	for n := range roleNames {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// unscanned roles are looked up word by word where the rules need them,
// never found by the clause scan: they are common words ("in", "to") or
// parts of words (Persian verb stems after a negative prefix).
const unscanned = roleNegativePrefix | rolePrefixedVerb | roleInfinitive | roleMonthBefore | rolePastForm | roleFutureForm | rolePassiveBe | roleLink

// Word pattern kinds.
const (
	exact  uint8 = iota
	prefix       // "refus*": the word starts with text
	suffix       // "*n't": the word ends with text
)

type wordPat struct {
	text string
	kind uint8
}

func (p wordPat) match(w []byte) bool {
	switch p.kind {
	case prefix:
		return len(w) >= len(p.text) && string(w[:len(p.text)]) == p.text
	case suffix:
		return len(w) >= len(p.text) && string(w[len(w)-len(p.text):]) == p.text
	}
	return string(w) == p.text
}

// phrase is one lexicon entry: its words and the union of the roles it has
// in any file.
type phrase struct {
	words []wordPat
	roles role
}

// Lexicon is a compiled set of word lists. Phrases are indexed by the bytes
// of their first word in a trie, so that finding every phrase that may
// start at a text word, exact or by prefix, is one walk over its bytes.
type Lexicon struct {
	phrases     []phrase
	byKey       map[string]int32 // "kind text|kind text..." → phrase, to merge duplicates
	nodes       []trieNode       // nodes[0] is the root
	root        [256]int32       // the root's children by byte, 0 for none
	suffix      []suffixEntry
	files       []string
	negPrefixes []string // the words of role negative_prefix
}

type trieNode struct {
	edges  []trieEdge
	exact  []int32 // phrases whose first word is exactly this node's path
	prefix []int32 // phrases whose first word starts with it ("refus*")
}

type trieEdge struct {
	b    byte
	next int32
}

// insert returns the trie node of text, creating it.
func (lx *Lexicon) insert(text string) int32 {
	n := int32(0)
	for i := 0; i < len(text); i++ {
		c := lx.child(n, text[i])
		if c == 0 {
			c = int32(len(lx.nodes))
			lx.nodes = append(lx.nodes, trieNode{})
			if n == 0 {
				lx.root[text[i]] = c
			} else {
				lx.nodes[n].edges = append(lx.nodes[n].edges, trieEdge{b: text[i], next: c})
			}
		}
		n = c
	}
	return n
}

// child returns node n's child by byte b, or 0 for none.
func (lx *Lexicon) child(n int32, b byte) int32 {
	if n == 0 {
		return lx.root[b]
	}
	for _, e := range lx.nodes[n].edges {
		if e.b == b {
			return e.next
		}
	}
	return 0
}

type suffixEntry struct {
	text string
	id   int32
}

//go:embed lexicon/*.yaml
var lexiconFiles embed.FS

// Default is the lexicon of the embedded files (lexicon/*.yaml), one per
// language.
var Default = func() *Lexicon {
	sub, err := fs.Sub(lexiconFiles, "lexicon")
	if err != nil {
		panic(err)
	}
	lx, err := Compile(sub)
	if err != nil {
		panic(err) // the embedded files are tested
	}
	return lx
}()

// Compile reads every *.yaml file of fsys (one per language) into one
// lexicon. Words of different languages do not collide, so one index serves
// all of them and a text need not be told its language.
func Compile(fsys fs.FS) (*Lexicon, error) {
	names, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return nil, fmt.Errorf("list lexicon files: %w", err)
	}
	if len(names) == 0 {
		return nil, errors.New("no lexicon files (*.yaml)")
	}
	lx := newLexicon()
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("read lexicon %s: %w", name, err)
		}
		if err := lx.add(path.Base(name), data); err != nil {
			return nil, err
		}
	}
	lx.finish()
	return lx, nil
}

// Parse compiles one lexicon file; name is used in errors.
func Parse(name string, data []byte) (*Lexicon, error) {
	lx := newLexicon()
	if err := lx.add(name, data); err != nil {
		return nil, err
	}
	lx.finish()
	return lx, nil
}

// Files returns the names of the files the lexicon was compiled from.
func (lx *Lexicon) Files() []string { return slices.Clone(lx.files) }

func newLexicon() *Lexicon {
	return &Lexicon{
		byKey: map[string]int32{},
		nodes: []trieNode{{}},
	}
}

// add parses one file: a mapping from role names to lists of entries.
func (lx *Lexicon) add(name string, data []byte) error {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("lexicon %s: %w", name, err)
	}
	lx.files = append(lx.files, name)
	if len(doc.Content) == 0 {
		return fmt.Errorf("lexicon %s: empty file", name)
	}
	top := doc.Content[0]
	if top.Kind != yaml.MappingNode {
		return fmt.Errorf("lexicon %s:%d: want a mapping of role names to word lists", name, top.Line)
	}
	for i := 0; i+1 < len(top.Content); i += 2 {
		key, val := top.Content[i], top.Content[i+1]
		r, ok := roleNames[key.Value]
		if !ok {
			return fmt.Errorf("lexicon %s:%d: unknown role %q (known: %s)", name, key.Line, key.Value, strings.Join(RoleNames(), ", "))
		}
		if val.Kind != yaml.SequenceNode {
			return fmt.Errorf("lexicon %s:%d: role %s: want a list of words and phrases", name, val.Line, key.Value)
		}
		for _, item := range val.Content {
			if item.Kind != yaml.ScalarNode {
				return fmt.Errorf("lexicon %s:%d: role %s: want a word or phrase", name, item.Line, key.Value)
			}
			if r == roleUnassertedNoun {
				r |= roleUnasserted // a noun that is unasserted but beside a past verb
			}
			if err := lx.addEntry(item.Value, r); err != nil {
				return fmt.Errorf("lexicon %s:%d: role %s: %q: %w", name, item.Line, key.Value, item.Value, err)
			}
		}
	}
	return nil
}

// addEntry adds a word or phrase with role r. Each space-separated part is
// normalised as textnorm normalises text, so an entry matches the words a
// text is split into ("non-delivery" is two words).
func (lx *Lexicon) addEntry(entry string, r role) error {
	var words []wordPat
	for part := range strings.FieldsSeq(entry) {
		kind := exact
		switch {
		case part == "*":
			return errors.New("a wildcard needs a word")
		case strings.HasPrefix(part, "*") && strings.HasSuffix(part, "*"):
			return errors.New("a word may have a wildcard at its start or its end, not both")
		case strings.HasPrefix(part, "*"):
			kind, part = suffix, part[1:]
		case strings.HasSuffix(part, "*"):
			kind, part = prefix, part[:len(part)-1]
		}
		if strings.Contains(part, "*") {
			return errors.New("a wildcard may only start or end a word")
		}
		ws := normWords(part, kind == suffix)
		if len(ws) == 0 {
			return errors.New("no word in it")
		}
		for j, w := range ws {
			k := exact
			if kind == prefix && j == len(ws)-1 || kind == suffix && j == 0 {
				k = kind
			}
			words = append(words, wordPat{text: w, kind: k})
		}
	}
	if len(words) == 0 {
		return errors.New("no word in it")
	}
	if r&unscanned != 0 && len(words) > 1 {
		return errors.New("this role takes single words")
	}
	var key strings.Builder
	for _, w := range words {
		fmt.Fprintf(&key, "%d%s|", w.kind, w.text)
	}
	if id, ok := lx.byKey[key.String()]; ok {
		lx.phrases[id].roles |= r
		return nil
	}
	id := int32(len(lx.phrases))
	lx.phrases = append(lx.phrases, phrase{words: words, roles: r})
	lx.byKey[key.String()] = id
	switch first := words[0]; first.kind {
	case exact:
		n := lx.insert(first.text)
		lx.nodes[n].exact = append(lx.nodes[n].exact, id)
	case prefix:
		n := lx.insert(first.text)
		lx.nodes[n].prefix = append(lx.nodes[n].prefix, id)
	case suffix:
		lx.suffix = append(lx.suffix, suffixEntry{text: first.text, id: id})
	}
	return nil
}

// normWords splits part into normalised words. A suffix ("'ll") is
// normalised after a letter, since on its own an apostrophe would not
// start a word.
func normWords(part string, isSuffix bool) []string {
	if isSuffix {
		ws := textnorm.Tokenize("x" + part).Words()
		if len(ws) > 0 {
			ws[0] = strings.TrimPrefix(ws[0], "x")
			if ws[0] == "" {
				ws = ws[1:]
			}
		}
		return ws
	}
	return textnorm.Tokenize(part).Words()
}

func (lx *Lexicon) finish() {
	lx.negPrefixes = lx.negativePrefixes()
}

// longest finds the longest lexicon phrase with a role in mask that starts
// at word i of tk and ends by limit. It returns its length in words (0 for
// none) and the union of the roles of the phrases of that length.
func (lx *Lexicon) longest(tk *textnorm.Tokens, i, limit int, mask role) (int, role) {
	var best int
	var roles role
	try := func(id int32) {
		p := &lx.phrases[id]
		n := len(p.words)
		if n < best || i+n > limit || p.roles&mask == 0 {
			return
		}
		for k := 1; k < n; k++ {
			if !p.words[k].match(tk.Norm(i + k)) {
				return
			}
		}
		if n > best {
			best, roles = n, 0
		}
		roles |= p.roles & mask
	}
	lx.eachCandidate(tk.Norm(i), try)
	return best, roles
}

// wordRoles returns the roles of the single-word entries that match w.
func (lx *Lexicon) wordRoles(w []byte) role {
	var roles role
	lx.eachCandidate(w, func(id int32) {
		if p := &lx.phrases[id]; len(p.words) == 1 {
			roles |= p.roles
		}
	})
	return roles
}

// eachCandidate calls f with every phrase whose first word matches w:
// exactly or by prefix (a walk of the trie along w's bytes), or by suffix.
func (lx *Lexicon) eachCandidate(w []byte, f func(id int32)) {
	n := int32(0)
	for j := 0; j < len(w); j++ {
		if n = lx.child(n, w[j]); n == 0 {
			break
		}
		node := &lx.nodes[n]
		for _, id := range node.prefix {
			f(id)
		}
		if j == len(w)-1 {
			for _, id := range node.exact {
				f(id)
			}
		}
	}
	for _, s := range lx.suffix {
		if len(w) > len(s.text) && string(w[len(w)-len(s.text):]) == s.text {
			f(s.id)
		}
	}
}

// negativePrefixes returns the words of role negative_prefix, for the
// prefix check on verbs (Persian ن-، نمی-).
func (lx *Lexicon) negativePrefixes() []string {
	var out []string
	for _, p := range lx.phrases {
		if p.roles&roleNegativePrefix != 0 && p.words[0].kind == exact {
			out = append(out, p.words[0].text)
		}
	}
	return out
}
