package matcher

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/claimwatch/claimwatch/internal/textnorm"
)

const (
	// shortSnippet is the length below which a snippet gets a neighbouring
	// sentence, so that "Russia agreed." carries its context.
	shortSnippet = 60
	// maxSnippet caps a snippet, in bytes.
	maxSnippet = 400
)

// snippetSpan returns the byte span of sentences [first, end) of tk, with the
// next sentence (or else the previous one) added when it is short.
func snippetSpan(tk *textnorm.Tokens, first, end int) (int, int) {
	sents := tk.Sentences
	start, stop := sents[first].Start, sents[end-1].End
	if stop-start < shortSnippet {
		switch {
		case end < len(sents):
			stop = sents[end].End
		case first > 0:
			start = sents[first-1].Start
		}
	}
	return start, stop
}

// snippetText quotes text[start:end] with whitespace collapsed; a longer one
// is cut to maxSnippet bytes on word boundaries, keeping focus in view.
func snippetText(text string, start, end, focus int) string {
	if end-start > maxSnippet && focus-start > maxSnippet/4 {
		// Start a little before the first hit, at a word boundary.
		from := max(start, focus-maxSnippet/4)
		if i := strings.IndexFunc(text[from:focus], unicode.IsSpace); i >= 0 {
			from += i
		}
		return "…" + collapse(text[from:end], maxSnippet)
	}
	return collapse(text[start:end], maxSnippet)
}

// collapse joins the words of s with single spaces, cut to at most limit
// bytes at a word boundary (marked with "…"). A line break between a line
// without closing punctuation (a headline, a dateline) and a capital letter
// becomes " — ", so a title does not run into the sentence after it; a
// sentence wrapped across lines is joined with a space. Invalid UTF-8
// becomes U+FFFD.
func collapse(s string, limit int) string {
	var b strings.Builder
	b.Grow(min(len(s), limit+5))
	space, newline := false, false
	var last rune
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = b.Len() > 0
			newline = newline || space && (r == '\n' || r == '\r')
			continue
		}
		n := utf8.RuneLen(r)
		if n < 0 {
			n = 3
		}
		sep := " "
		if newline && unicode.IsUpper(r) && !strings.ContainsRune(".!?:;…\"”'’)]", last) {
			sep = " — "
		}
		if b.Len()+n+len(sep) > limit {
			out := b.String()
			if i := strings.LastIndexByte(out, ' '); i > limit/2 {
				out = out[:i]
			}
			return out + "…"
		}
		if space {
			b.WriteString(sep)
			space, newline = false, false
		}
		b.WriteRune(r)
		last = r
	}
	return b.String()
}
