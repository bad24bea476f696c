package claims

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// maxTermLength bounds a term: terms are words or short phrases, and a
// paragraph pasted by mistake would otherwise silently never match.
const maxTermLength = 100

// Wildcard is the suffix wildcard of the term syntax.
const Wildcard = "*"

// checkTerms reports terms that can never match or that misuse the wildcard.
// Terms are kept as written (trimmed only): the matcher normalises case,
// accents and script, so validation must not.
func (p *parser) checkTerms(terms []string, nodes []*yaml.Node, what string) {
	seen := make(map[string]int, len(terms))
	for i, t := range terms {
		if msg := termProblem(t); msg != "" {
			p.errorf(nodes[i], "term %q in %s %s", t, what, msg)
			continue
		}
		key := strings.ToLower(t)
		if first, dup := seen[key]; dup {
			p.warnf(nodes[i], "term %q is listed twice in %s (first at line %d); terms match regardless of case", t, what, nodes[first].Line)
			continue
		}
		seen[key] = i
	}
}

// termProblem says what is wrong with a term, or "" when it is fine.
func termProblem(t string) string {
	switch {
	case utf8.RuneCountInString(t) > maxTermLength:
		return fmt.Sprintf("is longer than %d characters; terms are words or short phrases", maxTermLength)
	case strings.ContainsAny(t, "\n\r"):
		return "spans several lines; a term is one word or phrase"
	case !strings.ContainsFunc(t, isWordRune):
		return "can never match: it has no letter or digit"
	case strings.Contains(t, "**"):
		return `has "**"; a wildcard is a single "*" at the end`
	}
	stem, wild := strings.CutSuffix(t, Wildcard)
	if strings.Contains(stem, Wildcard) {
		return `has "*" inside it; "*" may only end a term, as in Iranian*`
	}
	if wild {
		if r, _ := utf8.DecodeLastRuneInString(stem); !isWordRune(r) {
			return `has "*" after a non-letter; put it straight after the word it extends`
		}
		// The stem is the run of letters and digits the wildcard extends:
		// "35" in "Su-35*", "j" in "fighter j*".
		seg := stem
		if i := strings.LastIndexFunc(stem, func(r rune) bool { return !isWordRune(r) }); i >= 0 {
			_, size := utf8.DecodeRuneInString(stem[i:])
			seg = stem[i+size:]
		}
		if utf8.RuneCountInString(seg) < 2 {
			return `needs at least 2 letters or digits before "*"; shorter stems match almost anything`
		}
	}
	return ""
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// suggest proposes the known key nearest a mistyped one, or lists them all.
func suggest(key string, known []string) string {
	if s := closest(key, known); s != "" {
		return fmt.Sprintf("did you mean %q?", s)
	}
	return "known keys are " + strings.Join(known, ", ")
}

// closest returns the candidate within a small edit distance of s, or "".
func closest(s string, candidates []string) string {
	best, bestDist := "", -1
	for _, c := range candidates {
		d := EditDistance(strings.ToLower(s), c)
		limit := max(1, len(c)/3)
		if d <= limit && (bestDist < 0 || d < bestDist) {
			best, bestDist = c, d
		}
	}
	return best
}

// Closest returns the candidate within a small edit distance of s (a third
// of its length, at least one), or "": the "did you mean" of messages about
// claim ids and flags.
func Closest(s string, candidates []string) string { return closest(s, candidates) }

// EditDistance is the Levenshtein distance between a and b, in runes. It
// suggests the key a misspelt one was meant to be, here and in the config.
func EditDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
