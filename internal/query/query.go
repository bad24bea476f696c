// Package query builds search-feed URLs from a claim's own terms, so each
// claim watches the whole news web and not only the configured outlets.
//
// A claim's match rule names the term groups that must all occur; the query
// ANDs those groups and ORs the terms within each, in the syntax of the
// search service:
//
//	google-news  https://news.google.com/rss/search?q=...&hl=en-US&gl=US&ceid=US:en
//	gdelt        https://api.gdeltproject.org/api/v2/doc/doc?query=...&mode=artlist&format=rss&...
//	gdelt-json   the same with format=json (read it with ParseGDELTJSON)
//	custom       any http(s) URL template containing {query}
//
// Search services have no suffix wildcard, so a term such as "deliver*" is
// searched as its stem "deliver" when the stem is itself a word, and dropped
// when it is only a fragment ("suppl*"). Queries are kept short (MaxQueryLen);
// when a claim has more terms than fit, Build returns up to MaxURLs URLs
// that together cover as many of them as that allows, each carrying every
// required group (terms past the last URL are left out).
//
// The package only builds URLs and reads GDELT's JSON answer; fetching is
// the fetcher's job. GDELT asks for at most one request every 5 seconds.
package query

import (
	"fmt"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/claimwatch/claimwatch/claims"
)

// Template names.
const (
	GoogleNews = "google-news"
	GDELT      = "gdelt"
	GDELTJSON  = "gdelt-json"
)

const (
	// MaxQueryLen bounds the search expression of one URL, in characters:
	// long expressions are refused or silently truncated by the services.
	MaxQueryLen = 300
	// MaxURLs bounds how many URLs one claim expands to per template, so a
	// claim with many terms cannot multiply the requests of a run.
	MaxURLs = 3
	// gdeltMinTerm is GDELT's shortest accepted keyword: shorter ones make
	// the API answer "Your search contained a keyword that was too short"
	// (community reports put the limit at 3 or 4 characters; 4 is safe).
	gdeltMinTerm = 4
)

// syntax describes one service's query language and URL.
type syntax struct {
	// latinOnly drops terms in other scripts (GDELT searches English
	// translations; the English Google News edition finds little else).
	// When false, other scripts are used only for groups with no Latin term.
	latinOnly bool
	minTerm   int // shortest usable term, in runes
	url       func(q string) string
}

var gdeltBase = "https://api.gdeltproject.org/api/v2/doc/doc"

func gdeltURL(format string) func(string) string {
	return func(q string) string {
		v := url.Values{}
		v.Set("query", q)
		v.Set("mode", "artlist")
		v.Set("format", format)
		v.Set("maxrecords", "75")
		v.Set("timespan", "1d")
		v.Set("sort", "datedesc")
		return gdeltBase + "?" + v.Encode()
	}
}

var builtins = map[string]syntax{
	GoogleNews: {minTerm: 2, url: func(q string) string {
		return "https://news.google.com/rss/search?q=" + url.QueryEscape(q) + "&hl=en-US&gl=US&ceid=US:en"
	}},
	GDELT:     {latinOnly: true, minTerm: gdeltMinTerm, url: gdeltURL("rss")},
	GDELTJSON: {latinOnly: true, minTerm: gdeltMinTerm, url: gdeltURL("json")},
}

// Build returns the search URLs for claim c under template: a built-in name
// or an http(s) URL containing {query}, which receives the query escaped for
// its place (query string or path). It fails when a required group has no
// term the service can search.
func Build(template string, c claims.Claim) ([]string, error) {
	syn, err := syntaxFor(template)
	if err != nil {
		return nil, err
	}
	if len(c.Rule.All) == 0 {
		return nil, fmt.Errorf("query for claim %s: the claim's match rule has no required groups", c.ID)
	}
	words := claimWords(c)
	groups := make([][]string, 0, len(c.Rule.All))
	for _, name := range c.Rule.All {
		g, ok := c.GroupByName(name)
		if !ok {
			return nil, fmt.Errorf("query for claim %s: match.all names unknown group %q", c.ID, name)
		}
		terms := searchable(g.Terms, syn, words)
		if len(terms) == 0 {
			return nil, fmt.Errorf("query for claim %s (%s:%d): group %q has no term %s can search (wildcard fragments, short or non-Latin terms are left out)",
				c.ID, c.File, c.Line, name, templateName(template))
		}
		groups = append(groups, terms)
	}
	queries := Expressions(groups, MaxQueryLen, MaxURLs)
	urls := make([]string, len(queries))
	for i, q := range queries {
		urls[i] = syn.url(q)
	}
	return urls, nil
}

func templateName(t string) string {
	if _, ok := builtins[t]; ok {
		return t
	}
	return "the custom template"
}

func syntaxFor(template string) (syntax, error) {
	if s, ok := builtins[template]; ok {
		return s, nil
	}
	i := strings.Index(template, "{query}")
	if i < 0 {
		return syntax{}, fmt.Errorf("query template %q: want %s, %s, %s or a URL containing {query}", template, GoogleNews, GDELT, GDELTJSON)
	}
	u, err := url.Parse(strings.ReplaceAll(template, "{query}", "q"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return syntax{}, fmt.Errorf("query template %q is not an http(s) URL", template)
	}
	escape := url.PathEscape
	if q := strings.IndexByte(template, '?'); q >= 0 && q < i {
		escape = url.QueryEscape
	}
	return syntax{minTerm: 2, url: func(q string) string {
		return strings.ReplaceAll(template, "{query}", escape(q))
	}}, nil
}

// searchable turns a group's terms into search terms: wildcards resolved to
// their stems (or dropped), too-short and duplicate terms dropped, Latin
// script first.
func searchable(terms []string, syn syntax, claimWords map[string]bool) []string {
	var latin, other []string
	seen := map[string]bool{}
	for _, t := range terms {
		t = strings.Join(strings.Fields(t), " ")
		if stem, ok := strings.CutSuffix(t, "*"); ok {
			if !isWordStem(stem, claimWords) {
				continue
			}
			t = stem
		}
		if utf8.RuneCountInString(t) < syn.minTerm || seen[strings.ToLower(t)] {
			continue
		}
		seen[strings.ToLower(t)] = true
		if isLatin(t) {
			latin = append(latin, t)
		} else {
			other = append(other, t)
		}
	}
	if syn.latinOnly || len(latin) > 0 {
		return latin
	}
	return other
}

// Expressions packs groups of alternative terms into at most maxQueries search
// expressions of at most limit characters each. Every expression ANDs all
// groups; the first carries the first terms of each group, and later ones
// carry the terms that did not fit. Terms are quoted when they are phrases
// or hold punctuation; a group of one term goes without parentheses (GDELT
// allows parentheses only around ORs).
func Expressions(groups [][]string, limit, maxQueries int) []string {
	// Each group gets an equal share of the budget, less the spaces that
	// join the groups.
	share := (limit - (len(groups) - 1)) / len(groups)
	chunks := make([][][]string, len(groups))
	n := 1
	for i, g := range groups {
		chunks[i] = pack(g, share)
		n = max(n, len(chunks[i]))
	}
	n = min(n, maxQueries)
	out := make([]string, n)
	for k := range out {
		parts := make([]string, len(groups))
		for i := range groups {
			parts[i] = orGroup(chunks[i][k%len(chunks[i])])
		}
		out[k] = strings.Join(parts, " ")
	}
	return out
}

// pack splits terms, in order, into runs whose OR-expression fits budget.
// A term too long for any run gets a run of its own.
func pack(terms []string, budget int) [][]string {
	var runs [][]string
	var cur []string
	for _, t := range terms {
		next := append(append([]string(nil), cur...), t)
		if len(cur) > 0 && len(orGroup(next)) > budget {
			runs = append(runs, cur)
			next = []string{t}
		}
		cur = next
	}
	if len(cur) > 0 {
		runs = append(runs, cur)
	}
	return runs
}

func orGroup(terms []string) string {
	quoted := make([]string, len(terms))
	for i, t := range terms {
		quoted[i] = quote(t)
	}
	if len(quoted) == 1 {
		return quoted[0]
	}
	return "(" + strings.Join(quoted, " OR ") + ")"
}

// quote wraps phrases and terms with punctuation ("Su-35") in double
// quotes, so services neither split them nor read "-" as NOT.
func quote(t string) string {
	for _, r := range t {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			return `"` + strings.ReplaceAll(t, `"`, "") + `"`
		}
	}
	return t
}

func isLatin(t string) bool {
	for _, r := range t {
		if unicode.IsLetter(r) && !unicode.Is(unicode.Latin, r) {
			return false
		}
	}
	return true
}

// claimWords collects the whole words a claim writes itself (statement,
// terms without wildcards, cues); a stem found among them is a word.
func claimWords(c claims.Claim) map[string]bool {
	words := map[string]bool{}
	add := func(s string) {
		if strings.HasSuffix(s, "*") {
			return
		}
		for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-' }) {
			words[strings.ToLower(w)] = true
		}
	}
	add(c.Statement)
	for _, g := range c.Groups {
		for _, t := range g.Terms {
			add(t)
		}
	}
	for _, t := range append(append([]string(nil), c.Cues.Supports...), c.Cues.Contradicts...) {
		add(t)
	}
	return words
}

// fragmentEndings are letter sequences English words almost never end with,
// so a wildcard stem ending in one is a fragment: receiv*, suppl*, acquir*,
// cooperat*, negotiat*, evad*.
var fragmentEndings = []string{
	"v", "j", "q", "uir", "iat", "uat", "erat", "trat", "icat", "inat", "alat", "ulat", "olat", "ilat",
	"pl", "bl", "cl", "fl", "gl", "tl", "dl", "kl", "vad", "chas", "rais", "ifi", "ific", "ibut", "mplet", "estin", "verg",
}

// isWordStem guesses whether the stem of a wildcard term is a word by
// itself. For phrases only the last word is a stem. The claim's own words
// settle it; otherwise stems of 3+ letters that do not end like a fragment
// count as words. Non-Latin stems are inflected fragments (Росси*) and are
// never words.
func isWordStem(stem string, claimWords map[string]bool) bool {
	fields := strings.Fields(stem)
	if len(fields) == 0 {
		return false
	}
	last := strings.ToLower(fields[len(fields)-1])
	if claimWords[last] {
		return true
	}
	if !isLatin(last) || utf8.RuneCountInString(last) < 3 {
		return false
	}
	for _, e := range fragmentEndings {
		if strings.HasSuffix(last, e) {
			return false
		}
	}
	return true
}
