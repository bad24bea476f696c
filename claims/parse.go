package claims

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// MaxFileSize is the largest claim file accepted. Claim files are written by
// hand; anything bigger is a mistake (or an attack) and is refused unread.
const MaxFileSize = 1 << 20

// Keys known in each mapping of a claim file, in documentation order; the
// order is also the order used when suggesting a key for a typo.
var (
	claimKeys   = []string{"id", "statement", "made", "horizon", "source", "tags", "terms", "about", "event", "match", "stance", "examples"}
	sourceKeys  = []string{"publisher", "title", "url"}
	matchKeys   = []string{"all", "none", "scope", "window", "direction", "require_direction", "trigger"}
	aboutKeys   = []string{"all", "none", "scope", "window"}
	stanceKeys  = []string{"supports", "contradicts"}
	exampleKeys = []string{"text", "expect"}
)

var (
	idPattern    = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	groupPattern = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
	lineNumber   = regexp.MustCompile(`^yaml: line (\d+): `)
)

const maxIDLength = 80

// MaxGroups is the most term groups a claim may define: the matcher keeps a
// claim's groups as bits of a 64-bit mask.
const MaxGroups = 64

// parser turns one claim file's YAML into claims, collecting every problem.
type parser struct {
	file  string
	probs Problems
	// Per claim: the group names written under terms (even ones with
	// errors, so a reference to them is not reported again) and those the
	// match rule names.
	declared, used map[string]bool
	// ruleUnclear is set when a rule could not be read whole or names a
	// group terms does not define: the groups it meant would then be
	// reported unused, which is noise.
	ruleUnclear bool
}

func (p *parser) add(n *yaml.Node, warning bool, format string, args ...any) {
	pr := Problem{File: p.file, Message: fmt.Sprintf(format, args...), Warning: warning}
	if n != nil {
		pr.Line, pr.Column = n.Line, n.Column
	}
	p.probs = append(p.probs, pr)
}

func (p *parser) errorf(n *yaml.Node, format string, args ...any) { p.add(n, false, format, args...) }
func (p *parser) warnf(n *yaml.Node, format string, args ...any)  { p.add(n, true, format, args...) }

// errorCount is used to tell whether a claim picked up errors while parsing.
func (p *parser) errorCount() int { return len(p.probs.Errors()) }

// Parse reads the claims of one claim file; name is used in problems and as
// Claim.File. It checks each claim on its own (not ids across files: see
// LoadFiles). Claims with errors are left out; problems include warnings.
func Parse(name string, data []byte) ([]Claim, Problems) {
	ps, probs := parse(name, data)
	claims := make([]Claim, len(ps))
	for i, pc := range ps {
		claims[i] = pc.Claim
	}
	return claims, probs
}

func parse(name string, data []byte) ([]parsed, Problems) {
	p := &parser{file: name}
	claims := p.parseFile(data)
	p.probs.sort()
	return claims, p.probs
}

func (p *parser) parseFile(data []byte) []parsed {
	if len(data) > MaxFileSize {
		p.errorf(nil, "file is %s; a claim file may be at most 1 MiB", sizeString(int64(len(data))))
		return nil
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			p.errorf(nil, "file is empty; it should hold a claim or a list of claims")
		} else {
			p.syntaxError(data, err)
		}
		return nil
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case errors.Is(err, io.EOF):
	case err != nil:
		p.syntaxError(data, err)
		return nil
	default:
		p.errorf(&extra, "a second YAML document starts here; a claim file holds one document, so list several claims in one sequence instead of separating them with ---")
		return nil
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if !p.noAlias(root) {
		return nil
	}
	switch {
	case root.Kind == yaml.MappingNode:
		if c, ok := p.claim(root); ok {
			return []parsed{c}
		}
	case root.Kind == yaml.SequenceNode:
		if len(root.Content) == 0 {
			p.errorf(root, "the list of claims is empty")
		}
		var claims []parsed
		for _, item := range root.Content {
			if item.Kind != yaml.MappingNode {
				p.errorf(item, "each item of the list must be a claim (a mapping with id, statement, made, ...), not %s", kindName(item))
				continue
			}
			if c, ok := p.claim(item); ok {
				claims = append(claims, c)
			}
		}
		return claims
	case isNull(root):
		p.errorf(nil, "file is empty; it should hold a claim or a list of claims")
	default:
		p.errorf(root, "a claim file must hold a claim (a mapping with id, statement, made, ...) or a list of claims, not %s", kindName(root))
	}
	return nil
}

// syntaxError turns a YAML parser error into a plain problem. The parser
// reports tabs vaguely ("found character that cannot start any token"), so a
// tab in indentation is looked for first.
func (p *parser) syntaxError(data []byte, err error) {
	if line, col, ok := TabIndent(data); ok {
		p.probs = append(p.probs, Problem{File: p.file, Line: line, Column: col,
			Message: "this line is indented with a tab; YAML indentation must use spaces"})
		return
	}
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if m := lineNumber.FindStringSubmatch(err.Error()); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = err.Error()[len(m[0]):]
	}
	pr := Problem{File: p.file, Line: line, Message: "this is not valid YAML: " + msg}
	for _, s := range syntaxMessages {
		if strings.HasPrefix(msg, s.yaml) {
			pr.Message = "this is not valid YAML: " + s.plain
			// yaml.v3 numbers parser-error lines from 0 (scanner errors
			// from 1) and leaves out line 0 (scanner: 1) altogether.
			if s.parser {
				pr.Line = line + 1
			} else if line == 0 {
				pr.Line = 1
			}
			break
		}
	}
	p.probs = append(p.probs, pr)
}

// syntaxMessages rewords yaml.v3's common syntax errors for analysts.
var syntaxMessages = []struct {
	yaml, plain string
	parser      bool // a parser (not scanner) error, whose line is 0-based
}{
	{"did not find expected ',' or ']'", "a [ list that starts on this line is not closed with ], or its items lack commas", true},
	{"did not find expected ',' or '}'", "a { mapping that starts on this line is not closed with }, or its entries lack commas", true},
	{"did not find expected key", "the indentation of this block is inconsistent, or a line in it lacks its \"key:\"", true},
	{"did not find expected '-' indicator", "a line in this list is indented unlike the items, which each start with \"- \"", true},
	{"did not find expected node content", "a value is missing", true},
	{"did not find expected", "the structure is broken here", true},
	{"mapping values are not allowed in this context", "a \": \" appears where no key can start; put text that holds \": \" in quotes", false},
	{"found character that cannot start any token", "a value starts with a character YAML reserves (such as @ or `); put the text in quotes", false},
	{"found unexpected end of stream", "the file ends inside a quoted text or an open list; close it", false},
	{"could not find expected ':'", "a key lacks its \":\"", false},
	{"found unknown escape character", "a double-quoted text holds an unknown \\ escape; use single quotes or write \\\\", false},
}

// TabIndent finds the first line whose leading whitespace holds a tab, which
// YAML refuses with a vague "found character that cannot start any token"
// (and no line at all when it is the first); the config file reuses it.
func TabIndent(data []byte) (line, col int, ok bool) {
	for i, l := range bytes.Split(data, []byte("\n")) {
		for j, b := range l {
			if b == '\t' {
				return i + 1, j + 1, true
			}
			if b != ' ' {
				break
			}
		}
	}
	return 0, 0, false
}

// noAlias refuses YAML aliases: claim files are small enough to write out,
// and walking aliases invites quadratic (or worse) expansion of hostile input.
func (p *parser) noAlias(n *yaml.Node) bool {
	if n.Kind == yaml.AliasNode {
		p.errorf(n, "YAML aliases (*%s) are not supported in claim files; write the value out", n.Value)
		return false
	}
	ok := true
	for _, c := range n.Content {
		ok = p.noAlias(c) && ok
	}
	return ok
}

// pair is one key and value of a mapping.
type pair struct {
	key, value *yaml.Node
}

// pairs returns a mapping's entries whose keys are known, reporting unknown,
// repeated and non-text keys. what names the mapping in messages.
func (p *parser) pairs(n *yaml.Node, what string, known []string) map[string]pair {
	out := make(map[string]pair, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			p.errorf(k, "a key in %s must be a plain word, not %s", what, kindName(k))
			continue
		}
		if prev, dup := out[k.Value]; dup {
			p.errorf(k, "key %q is given twice in %s; the first is at line %d", k.Value, what, prev.key.Line)
			continue
		}
		if known != nil && !slices.Contains(known, k.Value) {
			p.errorf(k, "unknown key %q in %s; %s", k.Value, what, suggest(k.Value, known))
			continue
		}
		out[k.Value] = pair{k, v}
	}
	return out
}

// parsed is a claim with the place of its id.
type parsed struct {
	Claim
	idLine, idColumn int
}

func (p *parser) claim(n *yaml.Node) (parsed, bool) {
	before := p.errorCount()
	c := Claim{File: p.file, Line: n.Line}
	at := n // where the claim gives its id, for duplicate-id problems
	p.declared, p.used, p.ruleUnclear = map[string]bool{}, map[string]bool{}, false
	kv := p.pairs(n, "claim", claimKeys)

	if v, ok := kv["id"]; ok {
		if id, ok := p.text(v, "id"); ok {
			switch {
			case len(id) > maxIDLength:
				p.errorf(v.value, "id is %d characters long; keep it under %d", len(id), maxIDLength+1)
			case !idPattern.MatchString(id):
				p.errorf(v.value, "id %q may hold only lower-case letters, digits and single hyphens, like russia-arms-to-iran", id)
			default:
				c.ID = id
				at = v.value
			}
		}
	} else {
		p.errorf(n, "claim has no id; add one such as id: russia-arms-to-iran")
	}
	if v, ok := kv["statement"]; ok {
		c.Statement, _ = p.text(v, "statement")
	} else {
		p.errorf(n, "claim has no statement; add the prediction in one sentence")
	}
	if v, ok := kv["made"]; ok {
		c.Made, _ = p.date(v, "made")
	} else {
		p.errorf(n, "claim has no made date; add the day the prediction was published, like made: 2020-01-10")
	}
	if v, ok := kv["horizon"]; ok && !isNull(v.value) {
		if h, ok := p.date(v, "horizon"); ok {
			if !c.Made.IsZero() && h.Before(c.Made) {
				p.errorf(v.value, "horizon %s is before made %s", h.Format(time.DateOnly), c.Made.Format(time.DateOnly))
			}
			c.Horizon = &h
		}
	}
	if v, ok := kv["source"]; ok {
		c.Source = p.source(v)
	}
	if v, ok := kv["tags"]; ok {
		c.Tags, _ = p.list(v, "tags", "tags such as [russia, iran]")
	}
	if v, ok := kv["terms"]; ok {
		c.Groups = p.groups(v)
	} else {
		p.errorf(n, "claim has no terms; define named term groups, like terms: {iran: [Iran, Tehran]}")
	}
	event, hasEvent := kv["event"]
	if legacy, ok := kv["match"]; ok {
		if hasEvent {
			p.errorf(legacy.key, "claim has both event and match; match is the older name of event, so keep one")
		} else {
			event, hasEvent = pair{legacy.key, legacy.value}, true
		}
	}
	rulesBefore := p.errorCount()
	if hasEvent {
		c.Rule = p.rule(event, event.key.Value, matchKeys)
	} else {
		p.errorf(n, "claim has no event rule; add event: {all: [group, ...]}")
	}
	if v, ok := kv["about"]; ok && !isNull(v.value) {
		about := p.rule(v, "about", aboutKeys)
		c.About = &about
	}
	p.ruleUnclear = p.ruleUnclear || p.errorCount() > rulesBefore
	if v, ok := kv["stance"]; ok {
		c.Cues = p.cues(v)
	}
	if v, ok := kv["examples"]; ok {
		c.Examples = p.examples(v)
	}
	// Warnings stay beside errors, so one pass shows every problem.
	if terms, ok := kv["terms"]; ok && terms.value.Kind == yaml.MappingNode && !p.ruleUnclear {
		p.unusedGroups(terms.value)
	}
	if p.errorCount() > before {
		return parsed{}, false
	}
	c.Hash = hashClaim(&c)
	return parsed{c, at.Line, at.Column}, true
}

// text reads a scalar as text; an empty or missing value is an error.
func (p *parser) text(kv pair, what string) (string, bool) {
	n := kv.value
	if n.Kind != yaml.ScalarNode {
		p.errorf(n, "%s must be text, not %s", what, kindName(n))
		return "", false
	}
	s := strings.TrimSpace(n.Value)
	if isNull(n) || s == "" {
		p.errorf(n, "%s is empty", what)
		return "", false
	}
	return s, true
}

func (p *parser) date(kv pair, what string) (time.Time, bool) {
	s, ok := p.text(kv, what)
	if !ok {
		return time.Time{}, false
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil || len(s) != len(time.DateOnly) {
		p.errorf(kv.value, "%s %q is not a date; write YYYY-MM-DD, like 2020-01-10", what, s)
		return time.Time{}, false
	}
	return t, true
}

// list reads a sequence of non-empty scalars.
func (p *parser) list(kv pair, what, example string) ([]string, []*yaml.Node) {
	n := kv.value
	if isNull(n) {
		return nil, nil
	}
	if n.Kind != yaml.SequenceNode {
		p.errorf(n, "%s must be a list of %s, not %s", what, example, kindName(n))
		return nil, nil
	}
	out := make([]string, 0, len(n.Content))
	nodes := make([]*yaml.Node, 0, len(n.Content))
	for _, item := range n.Content {
		if item.Kind != yaml.ScalarNode || isNull(item) {
			p.errorf(item, "each item of %s must be text, not %s", what, kindName(item))
			continue
		}
		s := strings.TrimSpace(item.Value)
		if s == "" {
			p.errorf(item, "%s holds an empty item", what)
			continue
		}
		out = append(out, s)
		nodes = append(nodes, item)
	}
	return out, nodes
}

// optionalMapping reads an optional section (source, stance): empty is
// fine, anything but a mapping is not. shape says what the mapping holds.
func (p *parser) optionalMapping(kv pair, what, shape string, known []string) (map[string]pair, bool) {
	n := kv.value
	if isNull(n) {
		return nil, false
	}
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "%s must be a mapping with %s, not %s", what, shape, kindName(n))
		return nil, false
	}
	return p.pairs(n, what, known), true
}

func (p *parser) source(kv pair) Source {
	var s Source
	fields, ok := p.optionalMapping(kv, "source", "publisher, title and url", sourceKeys)
	if !ok {
		return s
	}
	for key, dst := range map[string]*string{"publisher": &s.Publisher, "title": &s.Title, "url": &s.URL} {
		if v, ok := fields[key]; ok && !isNull(v.value) {
			if v.value.Kind != yaml.ScalarNode {
				p.errorf(v.value, "source %s must be text, not %s", key, kindName(v.value))
				continue
			}
			*dst = strings.TrimSpace(v.value.Value)
		}
	}
	if v, ok := fields["url"]; ok && s.URL != "" && !isWebURL(s.URL) {
		p.errorf(v.value, "source url %q is not a web address; write it in full, starting with https://", s.URL)
	}
	return s
}

func (p *parser) groups(kv pair) []Group {
	n := kv.value
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "terms must map group names to lists of terms, like terms: {iran: [Iran, Tehran]}, not %s", kindName(n))
		return nil
	}
	if len(n.Content) == 0 {
		p.errorf(n, "terms defines no group")
	}
	if len(n.Content)/2 > MaxGroups {
		p.errorf(n, "terms defines %d groups; a claim may have at most %d", len(n.Content)/2, MaxGroups)
	}
	var groups []Group
	entries := p.pairs(n, "terms", nil)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		e, ok := entries[k.Value]
		if !ok || e.key != k {
			continue // reported by pairs
		}
		p.declared[k.Value] = true
		if !groupPattern.MatchString(k.Value) {
			p.errorf(k, "group name %q may hold only letters, digits, hyphens and underscores", k.Value)
			continue
		}
		what := fmt.Sprintf("group %q", k.Value)
		if isNull(e.value) || (e.value.Kind == yaml.SequenceNode && len(e.value.Content) == 0) {
			p.errorf(e.value, "%s is empty; list at least one term", what)
			continue
		}
		terms, nodes := p.list(e, what, "terms such as [Iran, Tehran]")
		p.checkTerms(terms, nodes, what)
		groups = append(groups, Group{Name: k.Value, Terms: terms})
	}
	return groups
}

// rule reads an event rule (what is "event" or "match") or the about rule
// (what is "about"; known holds the keys allowed there).
func (p *parser) rule(kv pair, what string, known []string) Rule {
	r := Rule{Scope: ScopeSentence}
	n := kv.value
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "%s must be a mapping with %s, not %s", what, strings.Join(known, ", "), kindName(n))
		return r
	}
	m := p.pairs(n, what, known)
	all, ok := m["all"]
	if ok {
		r.All = p.groupRefs(all, what+".all")
	}
	if !ok || isNull(all.value) || (all.value.Kind == yaml.SequenceNode && len(all.value.Content) == 0) {
		at := n
		if ok {
			at = all.value
		}
		p.errorf(at, "%s.all names no group; name at least one group that must match, like all: [russia, iran]", what)
	}
	if v, ok := m["none"]; ok {
		r.None = p.groupRefs(v, what+".none")
		for i, g := range r.None {
			if slices.Contains(r.All, g) {
				p.errorf(v.value.Content[i], "group %q is in both %s.all and %s.none, so the claim could never match", g, what, what)
			}
		}
	}
	var scopeNode *yaml.Node
	if v, ok := m["scope"]; ok {
		if s, ok := p.text(v, "scope"); ok {
			switch ScopeKind(s) {
			case ScopeSentence, ScopeWindow:
				r.Scope = ScopeKind(s)
			default:
				p.errorf(v.value, "scope %q is not known; use sentence or window", s)
			}
		}
		scopeNode = v.value
	}
	if v, ok := m["window"]; ok {
		w, isInt := 0, false
		if v.value.Kind == yaml.ScalarNode && v.value.Tag == "!!int" {
			n, err := strconv.Atoi(v.value.Value)
			w, isInt = n, err == nil
		}
		switch {
		case !isInt:
			p.errorf(v.value, "window must be a whole number of words, like window: 30")
		case r.Scope != ScopeWindow:
			p.warnf(v.key, "window is ignored unless scope is window")
		case w < 2 || w > 200:
			p.errorf(v.value, "window %d is out of range; use 2 to 200 words", w)
		default:
			r.Window = w
		}
	} else if r.Scope == ScopeWindow {
		p.errorf(scopeNode, "scope window needs a window: the span in words (2 to 200), like window: 30")
	}
	if v, ok := m["direction"]; ok {
		r.Direction = p.direction(v)
	}
	if v, ok := m["require_direction"]; ok {
		if v.value.Kind != yaml.ScalarNode || v.value.Tag != "!!bool" {
			p.errorf(v.value, "require_direction must be true or false")
		} else {
			r.RequireDirection = v.value.Value == "true"
			if r.RequireDirection && len(r.Direction) == 0 {
				p.errorf(v.key, "require_direction is true but %s has no direction forms", what)
			}
		}
	}
	if v, ok := m["trigger"]; ok {
		// A trigger need not be in all: a scope without its word takes
		// its stance from the cues.
		r.Trigger = p.groupRefs(v, what+".trigger")
	}
	return r
}

// examples reads a claim's examples: a list of {text, expect}.
func (p *parser) examples(kv pair) []Example {
	n := kv.value
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		p.errorf(n, "examples must be a list of {text, expect} mappings, not %s", kindName(n))
		return nil
	}
	var out []Example
	for _, item := range n.Content {
		if item.Kind != yaml.MappingNode {
			p.errorf(item, "each example must be a mapping like {text: \"Russia delivered S-400s to Iran.\", expect: supports}, not %s", kindName(item))
			continue
		}
		m := p.pairs(item, "example", exampleKeys)
		ex := Example{Line: item.Line}
		text, hasText := m["text"]
		if hasText {
			ex.Text, hasText = p.text(text, "example text")
		} else {
			p.errorf(item, "example has no text")
		}
		expect, hasExpect := m["expect"]
		if hasExpect {
			var s string
			if s, hasExpect = p.text(expect, "example expect"); hasExpect {
				switch st := Stance(s); st {
				case Supports, Contradicts, Mentions, None:
					ex.Expect = st
				default:
					p.errorf(expect.value, "example expect %q is not known; use supports, contradicts, mentions or none", s)
					hasExpect = false
				}
			}
		} else {
			p.errorf(item, "example has no expect; say supports, contradicts, mentions or none")
		}
		if hasText && hasExpect {
			out = append(out, ex)
		}
	}
	return out
}

// groupRefs reads a list of group names, each of which must be defined.
func (p *parser) groupRefs(kv pair, what string) []string {
	names, nodes := p.list(kv, what, "group names such as [russia, iran]")
	for i, name := range names {
		p.used[name] = true
		if !p.declared[name] {
			p.undefinedGroup(nodes[i], what, name)
		}
	}
	return names
}

func (p *parser) undefinedGroup(n *yaml.Node, what, name string) {
	p.ruleUnclear = true
	hint := "define it under terms"
	if s := closest(name, slices.Sorted(maps.Keys(p.declared))); s != "" {
		hint = fmt.Sprintf("did you mean %q?", s)
	}
	p.errorf(n, "%s names group %q, which terms does not define; %s", what, name, hint)
}

func (p *parser) direction(kv pair) [][]string {
	n := kv.value
	flat := n.Kind == yaml.SequenceNode && len(n.Content) > 0 &&
		!slices.ContainsFunc(n.Content, func(f *yaml.Node) bool { return f.Kind != yaml.ScalarNode })
	if n.Kind != yaml.SequenceNode || flat {
		p.errorf(n, "direction must be a list of forms, each a list of group names in order; write one form as direction: [[russia, transfer, iran]]")
		return nil
	}
	var forms [][]string
	for _, f := range n.Content {
		if f.Kind != yaml.SequenceNode {
			p.errorf(f, "each direction form must be a list of group names in order, like [russia, transfer, iran], not %s", kindName(f))
			continue
		}
		form := p.groupRefs(pair{kv.key, f}, "direction form")
		if len(form) < 2 {
			p.errorf(f, "a direction form needs at least 2 groups in order; this one has %d", len(form))
			continue
		}
		seen := map[string]bool{}
		for i, g := range form {
			if seen[g] {
				p.errorf(f.Content[i], "direction form names group %q twice", g)
			}
			seen[g] = true
		}
		forms = append(forms, form)
	}
	return forms
}

func (p *parser) cues(kv pair) Cues {
	var cues Cues
	m, ok := p.optionalMapping(kv, "stance", "supports and contradicts cue lists", stanceKeys)
	if !ok {
		return cues
	}
	var supportNodes []*yaml.Node
	if v, ok := m["supports"]; ok {
		cues.Supports, supportNodes = p.list(v, "stance.supports", "cue terms such as [delivered, \"signed a contract\"]")
		p.checkTerms(cues.Supports, supportNodes, "stance.supports")
	}
	if v, ok := m["contradicts"]; ok {
		var nodes []*yaml.Node
		cues.Contradicts, nodes = p.list(v, "stance.contradicts", "cue terms such as [cancel*, halted]")
		p.checkTerms(cues.Contradicts, nodes, "stance.contradicts")
		for i, t := range cues.Contradicts {
			for _, s := range cues.Supports {
				if strings.EqualFold(s, t) {
					p.errorf(nodes[i], "cue %q is in both stance.supports and stance.contradicts", t)
				}
			}
		}
	}
	return cues
}

// unusedGroups warns of groups that no rule names: usually a rule the
// analyst forgot to write. Not checked when a rule names an undefined group
// (a misspelling would make the group meant look unused).
func (p *parser) unusedGroups(terms *yaml.Node) {
	for i := 0; i+1 < len(terms.Content); i += 2 {
		k := terms.Content[i]
		if !p.used[k.Value] {
			p.warnf(k, "group %q is never used; name it in event (or about) all, none, direction or trigger, or remove it", k.Value)
		}
	}
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

// kindName describes a node for messages: "a list", "a mapping", "text".
func kindName(n *yaml.Node) string {
	switch {
	case n.Kind == yaml.SequenceNode:
		return "a list"
	case n.Kind == yaml.MappingNode:
		return "a mapping"
	case n.Kind == yaml.AliasNode:
		return "an alias"
	case isNull(n):
		return "nothing"
	case n.Tag == "!!int" || n.Tag == "!!float":
		return "the number " + n.Value
	case n.Tag == "!!bool":
		return "the value " + n.Value
	default:
		return fmt.Sprintf("the text %q", n.Value)
	}
}

func isWebURL(s string) bool {
	return (strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://")) && !strings.ContainsAny(s, " \t\n")
}

func sizeString(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d bytes", n)
}
