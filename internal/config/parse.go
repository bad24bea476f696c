package config

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/claimwatch/claimwatch/claims"
)

//go:embed defaults.yaml
var defaultsYAML []byte

// DefaultsFile names the embedded defaults in messages.
const DefaultsFile = "defaults.yaml"

// base holds the built-in settings that defaults.yaml and config files
// override.
func base() *Config {
	return &Config{
		Timezone:        "UTC",
		DefaultSchedule: "@every 30m",
		Fetch: Fetch{
			Timeout:            30 * time.Second,
			ConnectTimeout:     10 * time.Second,
			MaxBytes:           10 << 20,
			MaxRedirects:       5,
			PerHostConcurrency: 2,
			PerHostDelay:       time.Second,
			Concurrency:        8,
			RespectRobots:      true,
		},
		ShutdownTimeout: 20 * time.Second,
	}
}

// rawDefaults is defaults.yaml parsed onto base, before schedules are filled
// in, so a config file's default_schedule still reaches the default sources.
var rawDefaults = sync.OnceValues(func() (*Config, error) {
	return parseOnto(base(), defaultsYAML, DefaultsFile)
})

// Default returns the embedded defaults, validated. It panics if they are
// broken, which a test rules out.
func Default() *Config {
	c, err := Parse(nil, DefaultsFile)
	if err != nil {
		panic(fmt.Sprintf("config: embedded defaults: %v", err))
	}
	return c
}

// DefaultsYAML returns the embedded defaults file, a commented example for
// `claimwatch config example` or the docs.
func DefaultsYAML() []byte { return bytes.Clone(defaultsYAML) }

// Parse reads a config file's contents on top of the embedded defaults;
// name is used in messages. Empty data gives the defaults.
func Parse(data []byte, name string) (*Config, error) {
	def, err := rawDefaults()
	if err != nil {
		return nil, fmt.Errorf("config: embedded defaults: %w", err)
	}
	c, err := parseOnto(def.clone(), data, name)
	if err != nil {
		return nil, err
	}
	c.File = name
	for i := range c.Sources {
		if c.Sources[i].Schedule == "" {
			c.Sources[i].Schedule = c.DefaultSchedule
		}
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// parseOnto decodes data over c. Type errors and value problems come back
// together as Problems at the offending key or value.
func parseOnto(c *Config, data []byte, name string) (*Config, error) {
	p := &parser{file: name, dir: filepath.Dir(name)}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	switch err := dec.Decode(&doc); {
	case errors.Is(err, io.EOF):
		return c, nil
	case err != nil:
		return nil, Problems{syntaxProblem(name, data, err)}
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		line := extra.Line
		if err != nil {
			return nil, Problems{syntaxProblem(name, data, err)}
		}
		return nil, Problems{{File: name, Line: line, Column: 1, Msg: "a config file holds one YAML document; found a second"}}
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.ShortTag() == "!!null" {
		return c, nil
	}
	p.config(root, c)
	if len(p.probs) > 0 {
		sort.SliceStable(p.probs, func(i, j int) bool {
			a, b := p.probs[i], p.probs[j]
			return a.Line < b.Line || a.Line == b.Line && a.Column < b.Column
		})
		return nil, p.probs
	}
	return c, nil
}

var yamlLine = regexp.MustCompile(`line (\d+)`)

// syntaxProblem turns a YAML syntax error ("yaml: line 3: ...") into a
// Problem at that line. A tab in indentation, which the parser reports
// vaguely, is looked for first.
func syntaxProblem(file string, data []byte, err error) Problem {
	if line, col, ok := claims.TabIndent(data); ok {
		return Problem{File: file, Line: line, Column: col, Msg: "this line is indented with a tab; YAML indentation must use spaces"}
	}
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	pr := Problem{File: file, Msg: "YAML syntax: " + msg}
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		pr.Line, _ = strconv.Atoi(m[1])
		pr.Column = 1
		pr.Msg = "YAML syntax: " + strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(msg, m[0]), ":"))
	}
	return pr
}

// parser walks the YAML tree, collecting every problem with its position.
type parser struct {
	file  string
	dir   string // the config file's directory, which relative paths are read from
	probs Problems
}

func (p *parser) at(n *yaml.Node, format string, args ...any) {
	p.probs = append(p.probs, Problem{File: p.file, Line: n.Line, Column: n.Column, Msg: fmt.Sprintf(format, args...)})
}

// fields checks that n is a mapping with only known, unrepeated keys and
// returns its values by key; positions maps "prefix+key" to the value node
// so later checks can point at it.
func (p *parser) fields(n *yaml.Node, what string, known []string, positions map[string]*yaml.Node, prefix string) (map[string]*yaml.Node, bool) {
	n = deref(n)
	if n.Kind != yaml.MappingNode {
		p.at(n, "%s must be a mapping of keys to values, got %s", what, describe(n))
		return nil, false
	}
	out := make(map[string]*yaml.Node, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], deref(n.Content[i+1])
		key := k.Value
		if !contains(known, key) {
			if s := closest(key, known); s != "" {
				p.at(k, "unknown key %q in %s (did you mean %q?)", key, what, s)
			} else {
				p.at(k, "unknown key %q in %s (known: %s)", key, what, strings.Join(known, ", "))
			}
			continue
		}
		if _, dup := out[key]; dup {
			p.at(k, "key %q repeated in %s", key, what)
			continue
		}
		out[key] = v
		if positions != nil {
			positions[prefix+key] = v
		}
	}
	return out, true
}

var (
	topKeys    = []string{"db", "claims", "timezone", "default_schedule", "fetch", "shutdown_timeout", "listen", "retention_days", "sources", "alerts", "web"}
	fetchKeys  = []string{"user_agent_contact", "timeout", "connect_timeout", "max_bytes", "max_redirects", "per_host_concurrency", "per_host_delay", "concurrency", "allow_private", "respect_robots"}
	sourceKeys = []string{"name", "url", "kind", "schedule", "fetch_articles", "tags", "weight", "enabled", "page", "query"}
	pageKeys   = []string{"links", "title", "date"}
	queryKeys  = []string{"template", "claims"}
)

func (p *parser) config(root *yaml.Node, c *Config) {
	pos := map[string]*yaml.Node{}
	f, ok := p.fields(root, "the config file", topKeys, pos, "")
	if !ok {
		return
	}
	set(f, "db", p.path, &c.DB)
	set(f, "claims", p.path, &c.Claims)
	set(f, "timezone", p.str, &c.Timezone)
	set(f, "default_schedule", p.str, &c.DefaultSchedule)
	set(f, "shutdown_timeout", p.duration, &c.ShutdownTimeout)
	set(f, "listen", p.str, &c.Listen)
	set(f, "retention_days", p.integer, &c.RetentionDays)
	if n, ok := f["web"]; ok {
		p.web(n, c)
	}
	if n, ok := f["fetch"]; ok {
		if ff, ok := p.fields(n, "fetch", fetchKeys, pos, "fetch."); ok {
			fe := &c.Fetch
			set(ff, "user_agent_contact", p.str, &fe.UserAgentContact)
			set(ff, "timeout", p.duration, &fe.Timeout)
			set(ff, "connect_timeout", p.duration, &fe.ConnectTimeout)
			set(ff, "max_bytes", p.size, &fe.MaxBytes)
			set(ff, "max_redirects", p.integer, &fe.MaxRedirects)
			set(ff, "per_host_concurrency", p.integer, &fe.PerHostConcurrency)
			set(ff, "per_host_delay", p.duration, &fe.PerHostDelay)
			set(ff, "concurrency", p.integer, &fe.Concurrency)
			set(ff, "allow_private", p.boolean, &fe.AllowPrivate)
			set(ff, "respect_robots", p.boolean, &fe.RespectRobots)
		}
	}
	if len(p.probs) == 0 {
		for _, fe := range c.check() {
			p.at(locate(pos, fe.field, root), "%s: %s", fe.field, fe.msg)
		}
	}
	if n, ok := f["sources"]; ok {
		c.Sources = p.sources(n)
	}
	if n, ok := f["alerts"]; ok {
		c.Alerts = p.alerts(n)
	}
}

func (p *parser) sources(n *yaml.Node) []Source {
	if n.Kind != yaml.SequenceNode {
		p.at(n, "sources must be a list, got %s", describe(n))
		return nil
	}
	out := make([]Source, 0, len(n.Content))
	for _, item := range n.Content {
		item = deref(item)
		before := len(p.probs)
		pos := map[string]*yaml.Node{}
		f, ok := p.fields(item, "a source", sourceKeys, pos, "")
		if !ok {
			continue
		}
		s := Source{Kind: KindFeed, FetchArticles: FetchAuto, Weight: 1, Enabled: true, File: p.file, Line: item.Line}
		set(f, "name", p.str, &s.Name)
		set(f, "url", p.str, &s.URL)
		set(f, "kind", p.str, (*string)(&s.Kind))
		set(f, "schedule", p.str, &s.Schedule)
		set(f, "fetch_articles", p.str, (*string)(&s.FetchArticles))
		set(f, "tags", p.strings, &s.Tags)
		set(f, "weight", p.float, &s.Weight)
		set(f, "enabled", p.boolean, &s.Enabled)
		if n, ok := f["page"]; ok {
			if pf, ok := p.fields(n, "page", pageKeys, pos, "page."); ok {
				s.Page = &Page{}
				set(pf, "links", p.str, &s.Page.Links)
				set(pf, "title", p.str, &s.Page.Title)
				set(pf, "date", p.str, &s.Page.Date)
			}
		}
		if n, ok := f["query"]; ok {
			if qf, ok := p.fields(n, "query", queryKeys, pos, "query."); ok {
				s.Query = &Query{}
				set(qf, "template", p.str, &s.Query.Template)
				set(qf, "claims", p.strings, &s.Query.Claims)
			}
		}
		if len(p.probs) == before {
			for _, fe := range checkSource(&s) {
				p.at(locate(pos, fe.field, item), "source %q: %s: %s", s.Name, fe.field, fe.msg)
			}
		}
		out = append(out, s)
	}
	for _, d := range duplicateNames(out) {
		p.probs = append(p.probs, Problem{File: p.file, Line: out[d.index].Line, Column: 1, Msg: "source name " + d.msg})
	}
	return out
}

// locate finds the node of a dotted field, falling back to its parent and
// then to def, for problems about a missing key.
func locate(pos map[string]*yaml.Node, field string, def *yaml.Node) *yaml.Node {
	for f := field; f != ""; {
		if n, ok := pos[f]; ok {
			return n
		}
		i := strings.LastIndexByte(f, '.')
		if i < 0 {
			break
		}
		f = f[:i]
	}
	if n, ok := pos["kind"]; ok && (field == "page" || field == "query") {
		return n
	}
	return def
}

// set reads the value at key, if present, into dst.
func set[T any](f map[string]*yaml.Node, key string, read func(*yaml.Node) (T, bool), dst *T) {
	if n, ok := f[key]; ok {
		if v, ok := read(n); ok {
			*dst = v
		}
	}
}

func (p *parser) scalar(n *yaml.Node, want string) bool {
	if n.Kind != yaml.ScalarNode {
		p.at(n, "want %s, got %s", want, describe(n))
		return false
	}
	return true
}

func (p *parser) str(n *yaml.Node) (string, bool) {
	if !p.scalar(n, "a string") {
		return "", false
	}
	if n.ShortTag() == "!!null" {
		return "", true
	}
	return n.Value, true
}

// path reads a file or directory path. A relative one is taken from the
// config file's directory, not from wherever claimwatch was started (cron
// starts it in $HOME, systemd in /), so one config names one database.
func (p *parser) path(n *yaml.Node) (string, bool) {
	s, ok := p.str(n)
	if ok && s != "" && !filepath.IsAbs(s) {
		s = filepath.Join(p.dir, s)
	}
	return s, ok
}

func (p *parser) integer(n *yaml.Node) (int, bool) {
	if !p.scalar(n, "a whole number") {
		return 0, false
	}
	v, err := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 10, 32)
	if err != nil || n.ShortTag() != "!!int" {
		p.at(n, "want a whole number, got %q", n.Value)
		return 0, false
	}
	return int(v), true
}

func (p *parser) float(n *yaml.Node) (float64, bool) {
	if !p.scalar(n, "a number") {
		return 0, false
	}
	v, err := strconv.ParseFloat(n.Value, 64)
	if err != nil || math.IsNaN(v) || (n.ShortTag() != "!!int" && n.ShortTag() != "!!float") {
		p.at(n, "want a number, got %q", n.Value)
		return 0, false
	}
	return v, true
}

func (p *parser) boolean(n *yaml.Node) (bool, bool) {
	if !p.scalar(n, "true or false") {
		return false, false
	}
	switch n.Value {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	p.at(n, "want true or false, got %q", n.Value)
	return false, false
}

func (p *parser) duration(n *yaml.Node) (time.Duration, bool) {
	if !p.scalar(n, "a duration") {
		return 0, false
	}
	d, err := time.ParseDuration(n.Value)
	if err != nil {
		p.at(n, "want a duration like 30s, 1m or 1h30m, got %q", n.Value)
		return 0, false
	}
	return d, true
}

func (p *parser) size(n *yaml.Node) (int64, bool) {
	if !p.scalar(n, "a size") {
		return 0, false
	}
	v, err := ParseSize(n.Value)
	if err != nil {
		p.at(n, "%v", err)
		return 0, false
	}
	return v, true
}

func (p *parser) strings(n *yaml.Node) ([]string, bool) {
	if n.Kind != yaml.SequenceNode {
		p.at(n, "want a list like [a, b], got %s", describe(n))
		return nil, false
	}
	out := make([]string, 0, len(n.Content))
	ok := true
	for _, item := range n.Content {
		item = deref(item)
		if item.Kind != yaml.ScalarNode || item.ShortTag() == "!!null" {
			p.at(item, "want a string in the list, got %s", describe(item))
			ok = false
			continue
		}
		out = append(out, item.Value)
	}
	return out, ok
}

var sizeUnits = map[string]int64{
	"": 1, "b": 1,
	"kb": 1000, "mb": 1000 * 1000, "gb": 1000 * 1000 * 1000,
	"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30,
}

var sizePattern = regexp.MustCompile(`^\s*(\d+)\s*([A-Za-z]*)\s*$`)

// ParseSize reads a byte count: a plain number, or a number with a unit
// (B, KB, MB, GB in powers of 1000; KiB, MiB, GiB in powers of 1024).
func ParseSize(s string) (int64, error) {
	m := sizePattern.FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Errorf("want a size like 10MiB, 512KiB or 1048576, got %q", s)
	}
	unit, ok := sizeUnits[strings.ToLower(m[2])]
	if !ok {
		return 0, fmt.Errorf("unknown size unit %q in %q (want B, KB, MB, GB, KiB, MiB or GiB)", m[2], s)
	}
	n, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil || n > math.MaxInt64/unit {
		return 0, fmt.Errorf("size %q is too large", s)
	}
	return n * unit, nil
}

func deref(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.ShortTag() == "!!null" {
			return "nothing"
		}
		return fmt.Sprintf("%q", n.Value)
	}
	return "something else"
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// closest returns the known key nearest to key by edit distance, when it is
// near enough to be a likely misspelling.
func closest(key string, known []string) string {
	best, bestD := "", len(key)/2+1
	if bestD < 3 {
		bestD = 3
	}
	for _, k := range known {
		if d := claims.EditDistance(strings.ToLower(key), k); d < bestD {
			best, bestD = k, d
		}
	}
	return best
}

// clone copies c deeply enough that sources can be changed independently.
func (c *Config) clone() *Config {
	out := *c
	out.Sources = make([]Source, len(c.Sources))
	for i, s := range c.Sources {
		s.Tags = append([]string(nil), s.Tags...)
		if s.Page != nil {
			pg := *s.Page
			s.Page = &pg
		}
		if s.Query != nil {
			q := *s.Query
			q.Claims = append([]string(nil), q.Claims...)
			s.Query = &q
		}
		out.Sources[i] = s
	}
	return &out
}
