package web

import (
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/claimwatch/claimwatch/storage"
)

// segment is a piece of text, marked or not; templates render marked ones
// in <mark>, and html/template escapes both.
type segment struct {
	Text string
	Mark bool
}

// markTerms splits text into segments with the claim terms (as written in
// the claim file: words, phrases, a trailing * for a prefix) marked, on
// whole words and ignoring case.
func markTerms(text string, terms []string) []segment {
	type term struct {
		word   string
		prefix bool
	}
	var ts []term
	for _, t := range terms {
		t = strings.Trim(strings.TrimSpace(t), `"`)
		prefix := strings.HasSuffix(t, "*")
		t = strings.TrimSuffix(t, "*")
		if t != "" {
			ts = append(ts, term{t, prefix})
		}
	}
	if len(ts) == 0 || text == "" {
		return []segment{{Text: text}}
	}
	// Longest first, so a phrase wins over a word it starts with.
	sort.Slice(ts, func(i, j int) bool { return len(ts[i].word) > len(ts[j].word) })
	alts := make([]string, len(ts))
	for i, t := range ts {
		alts[i] = regexp.QuoteMeta(t.word)
	}
	re := regexp.MustCompile(`(?i)` + strings.Join(alts, "|"))
	var spans [][2]int
	for _, m := range re.FindAllStringIndex(text, -1) {
		start, end := m[0], m[1]
		if r, _ := utf8.DecodeLastRuneInString(text[:start]); start > 0 && isWordRune(r) {
			continue
		}
		var matched term
		for _, t := range ts {
			if strings.EqualFold(t.word, text[start:end]) {
				matched = t
				break
			}
		}
		if matched.prefix {
			for end < len(text) {
				r, n := utf8.DecodeRuneInString(text[end:])
				if !isWordRune(r) {
					break
				}
				end += n
			}
		} else if r, _ := utf8.DecodeRuneInString(text[end:]); end < len(text) && isWordRune(r) {
			continue
		}
		spans = append(spans, [2]int{start, end})
	}
	return split(text, spans)
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// split cuts text at non-overlapping, ordered spans.
func split(text string, spans [][2]int) []segment {
	var out []segment
	at := 0
	for _, sp := range spans {
		if sp[0] < at {
			continue
		}
		if sp[0] > at {
			out = append(out, segment{Text: text[at:sp[0]]})
		}
		out = append(out, segment{Text: text[sp[0]:sp[1]], Mark: true})
		at = sp[1]
	}
	if at < len(text) || len(out) == 0 {
		out = append(out, segment{Text: text[at:]})
	}
	return out
}

// markedSegments reads the MarkStart/MarkEnd markers storage puts around
// search matches.
func markedSegments(s string) []segment {
	var out []segment
	for s != "" {
		before, rest, found := strings.Cut(s, storage.MarkStart)
		if before != "" {
			out = append(out, segment{Text: before})
		}
		if !found {
			break
		}
		inner, after, _ := strings.Cut(rest, storage.MarkEnd)
		if inner != "" {
			out = append(out, segment{Text: inner, Mark: true})
		}
		s = after
	}
	return out
}

// markSentences marks each occurrence of the given sentences (evidence
// snippets) in an article's text.
func markSentences(text string, sentences []string) []segment {
	var spans [][2]int
	for _, sn := range sentences {
		sn = strings.TrimSpace(sn)
		if sn == "" {
			continue
		}
		for from := 0; ; {
			i := strings.Index(text[from:], sn)
			if i < 0 {
				break
			}
			spans = append(spans, [2]int{from + i, from + i + len(sn)})
			from += i + len(sn)
		}
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i][0] < spans[j][0] })
	return split(text, spans)
}
