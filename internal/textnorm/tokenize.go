package textnorm

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/bits"
	"slices"
	"unicode"
	"unicode/utf8"
)

// Token is one word of a text.
//
// A word is a run of letters, digits and combining marks. Inside a word an
// apostrophe before a letter ("o'brien", "didn't"), a dot between letters or
// digits ("u.s", "3.5") and a comma between digits ("1,000") are kept; a
// trailing possessive "'s" is dropped ("Iran's" → "iran"). Hyphens and dashes
// always separate words, so "Su-35", "SU-35" and "Su 35" all become the words
// "su" "35", and "Iran-backed" contains the word "iran". So does a Persian
// zero-width non-joiner: "جنگنده‌ها" contains the word "جنگنده".
//
// Offsets are int32 to keep tokens small (texts are at most 2 GiB; Reset
// ignores anything beyond).
type Token struct {
	Start, End int32 // byte span in the original text
	Sentence   int32 // index into Tokens.Sentences
	normEnd    int32 // the normal form ends here in Tokens.norm; it starts where the previous one ends
}

// Sentence is a sentence (or headline, or line without a full stop) of a text.
type Sentence struct {
	Start, End           int // byte span in the original text, trimmed of spaces
	FirstToken, EndToken int // its words are Tokens[FirstToken:EndToken]
}

// Tokens is a text split into words and sentences. Reuse one value with Reset
// to tokenise many texts without allocating.
type Tokens struct {
	Text      string
	Tokens    []Token
	Sentences []Sentence
	norm      []byte // normalised words, back to back
}

// Tokenize splits text into normalised words and sentences.
func Tokenize(text string) *Tokens {
	t := &Tokens{}
	t.Reset(text)
	return t
}

// Norm returns the normalised form of word i. The bytes are owned by t and
// valid until the next Reset.
func (t *Tokens) Norm(i int) []byte {
	start := int32(0)
	if i > 0 {
		start = t.Tokens[i-1].normEnd
	}
	return t.norm[start:t.Tokens[i].normEnd]
}

// Norms returns the normal forms of all words back to back: word i's is
// Norms()[start:Tokens[i].NormEnd()], where start is word i-1's NormEnd (0
// for the first). It spares a caller that walks every word the lookups of
// Norm. The bytes are owned by t and valid until the next Reset.
func (t *Tokens) Norms() []byte { return t.norm }

// NormEnd returns where the token's normal form ends in Tokens.Norms.
func (tok *Token) NormEnd() int { return int(tok.normEnd) }

// Words returns the normalised words as strings (a convenience for callers
// that are not on a hot path).
func (t *Tokens) Words() []string {
	w := make([]string, len(t.Tokens))
	for i := range t.Tokens {
		w[i] = string(t.Norm(i))
	}
	return w
}

// Sentences splits text into sentences; see Reset for the rules.
func Sentences(text string) []Sentence {
	return Tokenize(text).Sentences
}

// Character classes of ASCII bytes for the tokenizer's fast path.
const (
	clsOther byte = iota
	clsWord
	clsSpace
	clsNewline
	clsStop   // . ! ?
	clsOpener // quotes and brackets that may open a sentence
)

var asciiClass = func() (t [256]byte) {
	for c := range t {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
			t[c] = clsWord
		case c == ' ', c == '\t', c == '\r', c == '\v', c == '\f':
			t[c] = clsSpace
		case c == '\n':
			t[c] = clsNewline
		case c == '.', c == '!', c == '?':
			t[c] = clsStop
		case c == '"', c == '\'', c == '(', c == '[':
			t[c] = clsOpener
		}
	}
	return t
}()

// mayJoin marks the bytes that may continue a word after a run of ASCII
// letters and digits: joining punctuation, the first byte of "’", and any
// non-ASCII byte.
var mayJoin = func() (t [256]bool) {
	for c := range t {
		t[c] = c == '.' || c == ',' || c == '\'' || c >= utf8.RuneSelf
	}
	return t
}()

// Reset tokenises text into t, reusing t's memory.
//
// Sentences end at "!", "?", "…" and at a full stop, unless the next word
// starts in lower case ("Dec. 25", "he said. and"), or the full stop follows
// an abbreviation ("Mr.", "Gen.", "Dec."), an initial ("J.") or a dotted
// acronym ("U.S."). Closing quotes and brackets after the stop stay with the
// sentence. A blank line always ends a sentence, and a single line break does
// too unless the next line starts in lower case (a wrapped line), so
// headlines and list items without a full stop are sentences of their own.
func (t *Tokens) Reset(text string) {
	if len(text) > math.MaxInt32 {
		text = text[:math.MaxInt32]
	}
	t.Text = text
	t.Tokens = t.Tokens[:0]
	t.Sentences = t.Sentences[:0]
	t.norm = t.norm[:0]
	if cap(t.norm) < len(text)+8 {
		// Normal forms are rarely longer than the text; lowerRun needs
		// eight spare bytes. See roomFor for the invariant kept from here.
		t.norm = make([]byte, 0, len(text)+len(text)/8+8)
	}

	open := false    // a sentence is open
	pending := false // a stop was seen that ends the sentence if the next word allows
	newlines := 0    // line breaks since the last word
	n := len(text)
	for i := 0; i < n; {
		c := text[i]
		var r rune
		size := 1
		if c < utf8.RuneSelf {
			switch asciiClass[c] {
			case clsWord:
				if !open || pending || newlines > 0 {
					open, pending, newlines = t.startWord(text, i, open, pending, newlines)
				}
				i = t.words(text, i)
				continue
			case clsNewline:
				newlines++
			case clsStop:
				if open && !(c == '.' && i == t.lastEnd() && t.abbreviation()) {
					pending = true
				}
			}
			i++
			continue
		}
		r, size = decodeRune(text, i)
		switch {
		case r == utf8.RuneError && size == 1:
			// invalid byte: a separator
		case isWordRune(r):
			if !open || pending || newlines > 0 {
				open, pending, newlines = t.startWord(text, i, open, pending, newlines)
			}
			start := len(t.Tokens)
			i = t.wordSlow(text, i)
			if len(t.Tokens) == start {
				if s := t.Sentences[len(t.Sentences)-1]; s.FirstToken == start {
					// Only marks, normalised away: no word, so no new sentence.
					t.Sentences = t.Sentences[:len(t.Sentences)-1]
					open = false
				}
			}
			continue
		case r == '…', r == '。', r == '！', r == '？', r == '؟', r == '۔':
			if open {
				pending = true
			}
		case r == '\u2028', r == '\u0085':
			newlines++
		case r == '\u2029':
			newlines += 2
		}
		i += size
	}
	if open {
		t.closeSentence(n)
	}
}

// lastEnd returns the end of the last word, or -1.
func (t *Tokens) lastEnd() int {
	if len(t.Tokens) == 0 {
		return -1
	}
	return int(t.Tokens[len(t.Tokens)-1].End)
}

// decodeRune decodes the rune at text[i], decoding two-byte sequences
// (Cyrillic, Arabic script, accented Latin) without the general decoder.
func decodeRune(text string, i int) (rune, int) {
	if c := text[i]; c >= 0xC2 && c < 0xE0 && i+1 < len(text) && text[i+1]&0xC0 == 0x80 {
		return rune(c&0x1F)<<6 | rune(text[i+1]&0x3F), 2
	}
	return utf8.DecodeRuneInString(text[i:])
}

// appendRune appends the UTF-8 encoding of r, encoding runes below U+0800
// without the general encoder.
func appendRune(b []byte, r rune) []byte {
	switch {
	case r < utf8.RuneSelf:
		return append(b, byte(r))
	case r < 0x800:
		return append(b, 0xC0|byte(r>>6), 0x80|byte(r)&0x3F)
	}
	return utf8.AppendRune(b, r)
}

// startWord ends the open sentence before the word at i when the text
// between says so, and opens a sentence when none is open.
func (t *Tokens) startWord(text string, i int, open, pending bool, newlines int) (bool, bool, int) {
	if open && !(newlines >= 2 || (pending || newlines == 1) && !startsLower(text[i:])) {
		return true, false, 0
	}
	// The old sentence, if any, ends where the new one starts: one walk
	// back over opening quotes serves both.
	start := t.openerStart(text, i)
	if open {
		t.closeSentence(start)
	}
	t.Sentences = append(t.Sentences, Sentence{Start: start, FirstToken: len(t.Tokens)})
	return true, false, 0
}

// openerStart moves back from the word at i over opening quotes and brackets,
// not into the previous sentence's words.
func (t *Tokens) openerStart(text string, i int) int {
	floor := 0
	if len(t.Tokens) > 0 {
		floor = int(t.Tokens[len(t.Tokens)-1].End)
	}
	for i > floor {
		r, size := utf8.DecodeLastRuneInString(text[:i])
		switch r {
		case '"', '\'', '(', '[', '“', '‘', '«', '„', '‚', '‹', '—', '–':
			i -= size
			continue
		}
		break
	}
	return i
}

// closeSentence ends the last sentence before byte end, trimming spaces.
func (t *Tokens) closeSentence(end int) {
	s := &t.Sentences[len(t.Sentences)-1]
	for end > s.Start {
		r, size := utf8.DecodeLastRuneInString(t.Text[:end])
		if !unicode.IsSpace(r) {
			break
		}
		end -= size
	}
	s.End = end
	s.EndToken = len(t.Tokens)
}

// abbreviation reports whether the last word, directly followed by a full
// stop, is an abbreviation, an initial or a dotted acronym rather than the
// end of a sentence.
func (t *Tokens) abbreviation() bool {
	if len(t.Tokens) == 0 {
		return false
	}
	w := t.Norm(len(t.Tokens) - 1)
	if r, size := utf8.DecodeRune(w); size == len(w) && unicode.IsLetter(r) {
		return true // an initial
	}
	if len(w) > 0 && w[0] >= 'a' && w[0] <= 'z' && bytes.IndexByte(w, '.') >= 0 {
		return true // U.S., e.g.
	}
	// Most words before a full stop end a sentence and are longer than
	// any abbreviation: they skip the map.
	return len(w) <= maxAbbreviation && abbreviations[string(w)]
}

var abbreviations = map[string]bool{
	"mr": true, "mrs": true, "ms": true, "dr": true, "prof": true, "messrs": true,
	"gen": true, "lt": true, "col": true, "maj": true, "capt": true, "cpt": true,
	"sgt": true, "cpl": true, "adm": true, "cmdr": true, "brig": true, "gov": true,
	"sen": true, "rep": true, "rev": true, "st": true, "jr": true, "sr": true,
	"mt": true, "ft": true, "no": true, "nos": true, "vs": true, "etc": true,
	"inc": true, "ltd": true, "corp": true, "co": true, "dept": true, "est": true,
	"approx": true, "fig": true, "vol": true, "pp": true, "al": true, "ed": true,
	"jan": true, "feb": true, "mar": true, "apr": true, "jun": true, "jul": true,
	"aug": true, "sep": true, "sept": true, "oct": true, "nov": true, "dec": true,
	"mon": true, "tue": true, "tues": true, "wed": true, "thu": true, "thur": true,
	"thurs": true, "fri": true, "sat": true, "sun": true,
	"г": true, "гг": true, "им": true, "ул": true, // Russian: год, годы, имени, улица
}

// maxAbbreviation is the length in bytes of the longest abbreviation.
var maxAbbreviation = func() (n int) {
	for a := range abbreviations {
		n = max(n, len(a))
	}
	return n
}()

func startsLower(s string) bool {
	c := s[0]
	if c < utf8.RuneSelf {
		return 'a' <= c && c <= 'z'
	}
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsLower(r)
}

func isASCIIAlnum(c byte) bool { return c < utf8.RuneSelf && asciiClass[c] == clsWord }

func isASCIIDigit(c byte) bool { return '0' <= c && c <= '9' }

// words scans the ASCII word starting at i, and the words after it that
// follow a single space: a word leaves the sentence open with nothing
// pending, so such a next word starts no sentence and needs none of Reset's
// checks. Most of a text is such runs. Here a plain word (letters and
// digits ending at a space or punctuation that cannot join) costs one
// SWAR step and one append, with t's slices held in locals; a word that
// may go on past its letters and digits is finished by wordTail.
func (t *Tokens) words(text string, i int) int {
	n := len(text)
	buf, l := t.norm[:cap(t.norm)], len(t.norm)
	toks := t.Tokens
	sentence := int32(len(t.Sentences) - 1)
	for {
		start, normStart := i, l
		// lowerRun inlined for the first eight bytes, which hold most
		// words whole: a call would spill every live register.
		if i+8 <= n {
			lowered, k := lower8(load64(text, i))
			binary.LittleEndian.PutUint64(buf[l:], lowered)
			i, l = i+k, l+k
			if k == 8 {
				i, l = lowerRun(buf, l, text, i)
			}
		} else {
			i, l = lowerTail(buf, l, text, i)
		}
		if i < n && mayJoin[text[i]] {
			t.norm, t.Tokens = buf[:l], toks
			i = t.wordTail(text, start, normStart, i)
			buf, l, toks = t.norm[:cap(t.norm)], len(t.norm), t.Tokens
		} else {
			toks = append(toks, Token{Start: int32(start), End: int32(i), Sentence: sentence, normEnd: int32(l)})
		}
		if i+1 >= n || text[i] != ' ' || asciiClass[text[i+1]] != clsWord {
			break
		}
		i++
	}
	t.norm, t.Tokens = buf[:l], toks
	return i
}

// wordTail finishes the ASCII word that started at start (its normal form
// at t.norm[normStart:]) and whose letters and digits so far end at i:
// joining punctuation continues it, a non-ASCII letter hands the whole word
// to wordSlow, anything else ends it.
func (t *Tokens) wordTail(text string, start, normStart, i int) int {
	n := len(text)
	for i < n {
		c := text[i]
		if !mayJoin[c] {
			break // a space or punctuation: the common end of a word
		}
		switch c {
		case '.', ',':
			if i+1 < n && isASCIIAlnum(text[i+1]) && (c == '.' || isASCIIDigit(text[i-1]) && isASCIIDigit(text[i+1])) {
				t.norm = append(t.norm, c)
				i = t.lower(text, i+1)
				continue
			}
		case '\'', 0xE2:
			if w := apostropheWidth(text, i); w > 0 {
				next, end, joined := t.apostrophe(text, i, w)
				if joined {
					i = t.lower(text, next)
					continue
				}
				t.emit(start, end)
				return next
			}
		}
		if c >= utf8.RuneSelf {
			if r, _ := utf8.DecodeRuneInString(text[i:]); isWordRune(r) || isJoiner(r) {
				t.norm = t.norm[:normStart]
				return t.wordSlow(text, start)
			}
		}
		break
	}
	t.emit(start, i)
	return i
}

// lower appends the ASCII letters and digits from i on to t.norm in lower
// case and returns where they end.
func (t *Tokens) lower(text string, i int) int {
	i, l := lowerRun(t.norm[:cap(t.norm)], len(t.norm), text, i)
	t.norm = t.norm[:l]
	return i
}

// lowerRun writes the ASCII letters and digits of text from i on into
// buf[l:] in lower case and returns where they end in text and in buf. It
// takes eight bytes at a time (SWAR), so a word costs a few steps and one
// unpredictable branch instead of a step and a branch per byte; the eight
// stored bytes may run past the word into buf's spare capacity, which later
// words overwrite. buf is t.norm up to its capacity, which has room by the
// invariant of roomFor, so lowerRun, called for every ASCII word, has no
// growth path.
func lowerRun(buf []byte, l int, text string, i int) (int, int) {
	for i+8 <= len(text) {
		lowered, k := lower8(load64(text, i))
		binary.LittleEndian.PutUint64(buf[l:], lowered)
		i, l = i+k, l+k
		if k < 8 {
			return i, l
		}
	}
	return lowerTail(buf, l, text, i)
}

// lower8 returns the eight bytes x (of text, little-endian) with ASCII upper
// case lowered, and how many of them, from the first, are ASCII letters and
// digits (8 when all are). It is small enough to inline.
func lower8(x uint64) (lowered uint64, k int) {
	word, upper := classify8(x)
	return x | upper>>2, bits.TrailingZeros64(^word&hi8) >> 3 // 'A'|0x20 == 'a'
}

// classify8 returns, for the eight bytes of x, the high bit set in word for
// each ASCII letter or digit and in upper for each upper-case ASCII letter.
func classify8(x uint64) (word, upper uint64) {
	low7 := x &^ hi8
	// A byte b ≤ 0x7f is ≥ lo when b+0x80-lo keeps the high bit, ≤ hi when
	// 0x80+hi-b does; neither carries nor borrows into the next byte.
	// Setting 0x20 folds upper-case letters onto lower case, so one range
	// test finds letters of both cases; "&^ x" drops non-ASCII bytes.
	folded := low7 | 0x20*lo8
	letter := (folded + (0x80-'a')*lo8) & (('z'|0x80)*lo8 - folded) &^ x
	digit := (low7 + (0x80-'0')*lo8) & (('9'|0x80)*lo8 - low7)
	// An upper-case letter has the 0x20 bit clear; x<<2 moves it to the
	// high bit.
	return (letter | digit) &^ x & hi8, letter &^ (x << 2) & hi8
}

// lowerTail is lowerRun byte by byte, for the last bytes of a text.
func lowerTail(buf []byte, l int, text string, i int) (int, int) {
	for i < len(text) && asciiClass[text[i]] == clsWord { // bytes ≥ 0x80 are clsOther
		buf[l] = lowerTable[text[i]]
		l++
		i++
	}
	return i, l
}

const (
	lo8 = 0x0101010101010101
	hi8 = 0x8080808080808080
)

// load64 reads text[i:i+8] little-endian (the compiler makes it one load).
func load64(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// apostrophe handles an apostrophe of width w at i inside a word: a
// possessive "'s" ends the word and is skipped, an apostrophe before a letter
// joins (as "'"), anything else ends the word. It returns where scanning
// continues, where the word ends, and whether the word goes on.
func (t *Tokens) apostrophe(text string, i, w int) (next, end int, joined bool) {
	j := i + w
	if j < len(text) && (text[j] == 's' || text[j] == 'S') && (j+1 == len(text) || !continuesWord(text[j+1:])) {
		return j + 1, i, false
	}
	if j < len(text) && continuesWord(text[j:]) {
		t.norm = append(t.norm, '\'')
		return j, 0, true
	}
	return i, i, false
}

// apostropheWidth returns the width of the ASCII or typographic (’)
// apostrophe at i, or 0.
func apostropheWidth(text string, i int) int {
	switch {
	case text[i] == '\'':
		return 1
	case text[i] == 0xE2 && i+2 < len(text) && text[i+1] == 0x80 && text[i+2] == 0x99:
		return 3
	}
	return 0
}

// continuesWord reports whether s starts with a letter or digit.
func continuesWord(s string) bool {
	if s[0] < utf8.RuneSelf {
		return isASCIIAlnum(s[0])
	}
	r, _ := utf8.DecodeRuneInString(s)
	return isWordRune(r)
}

// isJoiner reports format characters that sit inside words and are dropped
// by normalisation (soft hyphens, joiners). The Persian zero-width non-joiner
// is not one: it separates a stem from its affixes ("جنگنده‌ها", fighters),
// which writers just as often separate with a space, so it splits words.
func isJoiner(r rune) bool {
	return r == '\u200d' || r == '\u00ad' || r == '\u2060'
}

func isApostrophe(r rune) bool { return r == '\'' || r == '’' || r == 'ʼ' }

// wordSlow scans the word starting at i rune by rune, normalising each rune
// from the rune table; a word with a rune that does not normalise on its own
// is normalised whole by Normalize.
func (t *Tokens) wordSlow(text string, i int) int {
	start, normStart := i, len(t.norm)
	n := len(text)
	end, next := -1, -1
	simple := true
	var prev rune
scan:
	for i < n {
		c := text[i]
		r, size := rune(c), 1
		if c < utf8.RuneSelf {
			if asciiClass[c] == clsWord {
				t.norm = append(t.norm, lowerTable[c])
				prev = r
				i++
				continue
			}
		} else {
			if c >= 0xC2 && c < 0xE0 && i+1 < n && text[i+1]&0xC0 == 0x80 {
				// decodeRune's two-byte case, inlined: most non-ASCII
				// words are Cyrillic or Arabic script.
				r, size = rune(c&0x1F)<<6|rune(text[i+1]&0x3F), 2
			} else if r, size = decodeRune(text, i); r == utf8.RuneError && size == 1 {
				break
			}
			info, ok := filledRuneInfo(r)
			if !ok {
				info = runeInfoSlow(r)
			}
			if info&runeWord != 0 {
				switch {
				case info&runeSimple != 0:
					if nr := rune(info & runeMask); nr >= utf8.RuneSelf && nr < 0x800 {
						t.norm = append(t.norm, 0xC0|byte(nr>>6), 0x80|byte(nr)&0x3F)
					} else {
						t.norm = appendRune(t.norm, nr)
					}
				case info&runeDrop == 0:
					simple = false
				}
				prev = r
				i += size
				continue
			}
		}
		// Not a letter: it may join two parts of the word. Most often it
		// is a space or a stop, which cannot.
		if !isApostrophe(r) && r != '.' && r != ',' && !isJoiner(r) {
			break
		}
		j := i + size
		if j >= n || !continuesWord(text[j:]) {
			break
		}
		nr, _ := utf8.DecodeRuneInString(text[j:])
		switch {
		case isApostrophe(r):
			if (nr == 's' || nr == 'S') && (j+1 == n || !continuesWord(text[j+1:])) {
				end, next = i, j+1 // possessive 's: dropped
				break scan
			}
			t.norm = append(t.norm, '\'')
		case r == '.':
			t.norm = append(t.norm, '.')
		case r == ',' && unicode.IsDigit(prev) && unicode.IsDigit(nr):
			t.norm = append(t.norm, ',')
		case isJoiner(r):
		default:
			break scan
		}
		i = j
	}
	if end < 0 {
		end, next = i, i
	}
	if !simple {
		t.norm = append(t.norm[:normStart], Normalize(text[start:end])...)
	}
	if len(t.norm) > normStart {
		t.emit(start, end)
	}
	t.roomFor(text, next)
	return next
}

// roomFor restores the invariant that lowerRun relies on: scanning at i,
// t.norm has room for the rest of the text and eight bytes more. Reset
// establishes it, and the ASCII path keeps it, appending at most one byte
// per byte it consumes; only wordSlow can append more (a rune whose normal
// form is longer, or Normalize expanding a word), so it calls roomFor last.
func (t *Tokens) roomFor(text string, i int) {
	if need := len(text) - i + 8; cap(t.norm)-len(t.norm) < need {
		t.norm = slices.Grow(t.norm, need)
	}
}

func (t *Tokens) emit(start, end int) {
	t.Tokens = append(t.Tokens, Token{
		Start: int32(start), End: int32(end),
		Sentence: int32(len(t.Sentences) - 1),
		normEnd:  int32(len(t.norm)),
	})
}
