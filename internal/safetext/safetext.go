// Package safetext removes from untrusted text (feed titles, page text,
// snippets, outlet names, error messages from remote servers) the characters
// that act on a terminal instead of being shown: C0 and C1 control
// characters, which start escape sequences (clear screen, OSC 52 clipboard
// writes, window titles), and the Unicode bidi embedding, override and
// isolate characters (U+202A–U+202E, U+2066–U+2069), which reorder what
// follows them so that a line reads differently from what it holds.
//
// Kept on purpose: tab and newline (Clean; Line turns them into spaces), and
// the implicit direction marks U+200E LRM, U+200F RLM and U+061C ALM, as well
// as the joiners U+200C/U+200D. Persian, Arabic and Urdu text uses them
// correctly and often, and none of them can override the order of other
// text: they only set the direction of neutral characters next to them.
//
// Invalid UTF-8 becomes U+FFFD: a lone byte 0x9B is a C1 CSI to a terminal
// in an 8-bit mode.
package safetext

import (
	"strings"
	"unicode/utf8"
)

// drop reports whether r is removed from untrusted text. Tab and newline are
// the caller's business (see Clean and Line).
func drop(r rune) bool {
	switch {
	case r < 0x20:
		return r != '\t' && r != '\n'
	case r < 0x7f:
		return false
	case r <= 0x9f: // DEL and the C1 controls
		return true
	case r >= 0x202a && r <= 0x202e: // LRE, RLE, PDF, LRO, RLO
		return true
	case r >= 0x2066 && r <= 0x2069: // LRI, RLI, FSI, PDI
		return true
	}
	return false
}

// Unsafe reports the first character of s that Clean would remove (tab and
// newline are kept): one a terminal would obey. Invalid UTF-8, which Clean
// turns into U+FFFD, does not count.
func Unsafe(s string) (rune, bool) {
	for _, r := range s {
		if drop(r) {
			return r, true
		}
	}
	return 0, false
}

// Clean returns s without control and bidi override characters, keeping
// tab and newline; a carriage return is dropped (it moves the cursor back
// over what was printed). s is returned as it is when nothing is removed.
func Clean(s string) string { return clean(s, false) }

// Line is Clean for one-line fields (titles, outlet names, errors): tabs
// and newlines become spaces too.
func Line(s string) string { return clean(s, true) }

func clean(s string, oneLine bool) string {
	i := firstBad(s, oneLine)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	for _, r := range s[i:] { // ranging a string yields U+FFFD for invalid bytes
		switch {
		case (r == '\t' || r == '\n') && oneLine:
			b.WriteByte(' ')
		case drop(r):
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// firstBad is the byte offset of the first character clean changes, or -1.
// ASCII is checked byte by byte: most text is ASCII and this runs on every
// stored article.
func firstBad(s string, oneLine bool) int {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f {
				if (c != '\t' && c != '\n') || oneLine {
					return i
				}
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || drop(r) {
			return i
		}
		i += size
	}
	return -1
}
