// Package prefilter decides cheaply whether an archived page can yield
// evidence for any claim, so that backfill extracts, matches and stores only
// the pages that can (an archive's millions of unrelated pages are read once
// and counted, never parsed into a DOM).
//
// One pass over the page's bytes collects the text a reader or an extractor
// could see: text between tags with entities decoded, the <title>, meta
// content (og:title and friends), image alt text and the strings of JSON-LD
// scripts (articleBody, headline); other scripts, styles and comments are
// skipped. The words go through the claims' own automaton
// (matcher.Presence), which is looser than Match in every respect.
//
// It must never lose evidence, so where the raw bytes and the DOM's text can
// differ it keeps both readings: a tag inside a word ("Su<b>per</b>") counts
// as a break ("Su per") and as nothing ("Super"), since block tags separate
// words in extracted text and inline ones do not.
package prefilter

import (
	"bytes"
	"encoding/json"
	"html"
	"unsafe"

	"github.com/claimwatch/claimwatch/internal/matcher"
)

// maxJoined bounds a run joined across tags (scripts without spaces can
// run a paragraph long); maxPieces bounds how many pieces one reading joins.
const (
	maxJoined = 16 << 10
	maxPieces = 6
)

// Filter answers for one page at a time; it is not safe for concurrent use
// (take one per goroutine), and reuses its buffers between pages.
type Filter struct {
	presence *matcher.Presence
	buf      []byte // visible text, tags as spaces
	tail     []byte // the run of non-space bytes touching the last tag
	pieces   int    // how many text pieces tail joins
	cuts     []int  // where each piece starts in tail
}

// New returns a Filter over the matcher's claims.
func New(m *matcher.Matcher) *Filter {
	return &Filter{presence: m.NewPresence()}
}

// Page reports whether a page (UTF-8 HTML) can be a candidate: false is
// certain, the page holds no evidence.
func (f *Filter) Page(page []byte) bool {
	f.presence.Reset()
	f.buf, f.tail, f.pieces, f.cuts = f.buf[:0], f.tail[:0], 0, f.cuts[:0]
	f.visible(page)
	f.endWord()
	f.presence.Add(unsafeString(f.buf))
	return f.presence.Candidate()
}

// Texts reports whether plain texts (a sitemap entry's title, the words of
// its URL) can be a candidate.
func (f *Filter) Texts(texts ...string) bool {
	f.presence.Reset()
	for _, t := range texts {
		f.presence.Add(t)
	}
	return f.presence.Candidate()
}

// Entry reports whether a listed page — a sitemap entry, known by its
// title and the words of its URL — can be a candidate. An entry with
// neither a title nor a worded URL ("/a/123456") cannot be told apart, so
// it can.
func (f *Filter) Entry(title, urlWords string) bool {
	if title == "" && !worded(urlWords) {
		return true
	}
	return f.Texts(title, urlWords)
}

// worded says a URL's words are words (a slug), not only ids and dates.
func worded(s string) bool {
	n := 0
	for _, c := range s {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c > 127 {
			n++
		}
	}
	return n >= 8
}

// unsafeString views the buffer as a string for tokenising; Presence keeps
// no reference past Add's return that is read again.
func unsafeString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// visible appends the visible text of src to f.buf.
func (f *Filter) visible(src []byte) {
	for i := 0; i < len(src); {
		lt := bytes.IndexByte(src[i:], '<')
		if lt < 0 {
			f.text(src[i:])
			return
		}
		f.text(src[i : i+lt])
		i += lt
		i = f.markup(src, i)
	}
}

// markup handles what starts with '<' at src[i] and returns where text
// resumes.
func (f *Filter) markup(src []byte, i int) int {
	rest := src[i+1:]
	switch {
	case bytes.HasPrefix(rest, []byte("!--")):
		f.boundary()
		end := bytes.Index(rest[3:], []byte("-->"))
		if end < 0 {
			return len(src)
		}
		return i + 1 + 3 + end + 3
	case len(rest) > 0 && (rest[0] == '!' || rest[0] == '?'):
		f.boundary()
		return skipTo(src, i, '>')
	case len(rest) > 1 && rest[0] == '/' && isLetter(rest[1]):
		f.boundary()
		return skipTo(src, i, '>')
	case len(rest) > 0 && isLetter(rest[0]):
		return f.startTag(src, i)
	default: // a lone '<' is text
		f.text(src[i : i+1])
		return i + 1
	}
}

// startTag reads a start tag at src[i], its attributes when they carry
// text, and the raw content of script, style, title and textarea.
func (f *Filter) startTag(src []byte, i int) int {
	f.boundary()
	j := i + 1
	for j < len(src) && !isSpace(src[j]) && src[j] != '>' && src[j] != '/' {
		j++
	}
	name := src[i+1 : j]
	if !textTag(name) {
		return skipTag(src, j)
	}
	var ldJSON bool
	end := j
	for end < len(src) && src[end] != '>' {
		k, key, val := attribute(src, end)
		if k == end {
			k++ // a stray byte
		}
		end = k
		switch {
		case key == nil:
		case equalFold(name, "meta") && equalFold(key, "content"),
			equalFold(name, "img") && equalFold(key, "alt"):
			f.attrText(val)
		case equalFold(name, "script") && equalFold(key, "type"):
			ldJSON = bytes.Contains(bytes.ToLower(val), []byte("ld+json"))
		}
	}
	if end < len(src) {
		end++ // past '>'
	}
	switch {
	case equalFold(name, "script"), equalFold(name, "style"), equalFold(name, "title"), equalFold(name, "textarea"):
		close := closingTag(src[end:], name)
		content := src[end : end+close]
		switch {
		case equalFold(name, "title"), equalFold(name, "textarea"):
			f.text(content)
		case ldJSON:
			f.jsonLD(content)
		}
		f.boundary()
		return skipTo(src, end+close, '>')
	}
	return end
}

// textTag: the tags whose attributes or content need reading; every other
// tag is skipped to its end.
func textTag(name []byte) bool {
	switch len(name) {
	case 3:
		return equalFold(name, "img")
	case 4:
		return equalFold(name, "meta")
	case 5:
		return equalFold(name, "style") || equalFold(name, "title")
	case 6:
		return equalFold(name, "script")
	case 8:
		return equalFold(name, "textarea")
	}
	return false
}

// skipTag returns the index after the '>' ending a tag whose attributes
// start at src[i]; a quote counts only as an attribute value's.
func skipTag(src []byte, i int) int {
	for i < len(src) {
		k := bytes.IndexAny(src[i:], "\"'>")
		if k < 0 {
			return len(src)
		}
		i += k
		if src[i] == '>' {
			return i + 1
		}
		if !afterEquals(src, i) {
			i++
			continue
		}
		end := bytes.IndexByte(src[i+1:], src[i])
		if end < 0 {
			return len(src)
		}
		i += 1 + end + 1
	}
	return len(src)
}

// afterEquals reports whether the quote at src[i] opens an attribute value.
func afterEquals(src []byte, i int) bool {
	for i--; i >= 0 && isSpace(src[i]); i-- {
	}
	return i >= 0 && src[i] == '='
}

// attrText adds an attribute value as a text of its own.
func (f *Filter) attrText(val []byte) {
	f.boundary()
	f.endWord()
	f.text(val)
	f.boundary()
	f.endWord()
}

// jsonLD adds every string of a JSON-LD script (articleBody may hold
// markup, so each goes through visible); a script that does not parse is
// read as text, as it is no use to an extractor either.
func (f *Filter) jsonLD(content []byte) {
	var v any
	if err := json.Unmarshal(content, &v); err != nil {
		f.text(content)
		return
	}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case string:
			f.boundary()
			f.endWord()
			f.visible([]byte(x))
			f.boundary()
			f.endWord()
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
}

// text appends a piece of text (entities decoded) and keeps track of the
// word that may continue across the next tag.
func (f *Filter) text(seg []byte) {
	if len(seg) == 0 {
		return
	}
	if bytes.IndexByte(seg, '&') >= 0 {
		seg = []byte(html.UnescapeString(string(seg)))
	}
	if f.pieces > 0 && allSpace(seg) {
		// Extractors drop the white space between two elements, so the
		// word may still go on after the next tag.
		f.buf = append(f.buf, seg...)
		return
	}
	lead := 0
	for lead < len(seg) && !isSpace(seg[lead]) {
		lead++
	}
	if f.pieces > 0 && lead > 0 {
		f.join(seg[:lead])
	}
	if lead < len(seg) {
		f.endWord()
		trail := len(seg)
		for trail > 0 && !isSpace(seg[trail-1]) {
			trail--
		}
		if trail < len(seg) {
			f.join(seg[trail:])
		}
	} else if f.pieces == 0 {
		f.join(seg)
	}
	f.buf = append(f.buf, seg...)
}

// join extends the word running across tags.
func (f *Filter) join(piece []byte) {
	if len(f.tail)+len(piece) > maxJoined {
		f.endWord()
	}
	f.cuts = append(f.cuts, len(f.tail))
	f.tail = append(f.tail, piece...)
	f.pieces++
}

// endWord ends the run of pieces across tags. Each tag between them may
// or may not separate words in extracted text, so every run of two or more
// adjacent pieces (up to maxPieces) is added as a word of its own; the
// single pieces are in the text already.
func (f *Filter) endWord() {
	if f.pieces > 1 {
		f.cuts = append(f.cuts, len(f.tail))
		for i := 0; i < f.pieces; i++ {
			for j := i + 2; j <= min(f.pieces, i+maxPieces); j++ {
				f.buf = append(f.buf, ' ')
				f.buf = append(f.buf, f.tail[f.cuts[i]:f.cuts[j]]...)
				f.buf = append(f.buf, ' ')
			}
		}
	}
	f.tail, f.pieces, f.cuts = f.tail[:0], 0, f.cuts[:0]
}

// boundary is a tag: a break between words in one reading.
func (f *Filter) boundary() {
	if n := len(f.buf); n > 0 && f.buf[n-1] != ' ' {
		f.buf = append(f.buf, ' ')
	}
}

// attribute reads one attribute at src[i] (after the tag name or a previous
// attribute); it returns where it ends, and its key and unquoted value.
func attribute(src []byte, i int) (int, []byte, []byte) {
	for i < len(src) && (isSpace(src[i]) || src[i] == '/') {
		i++
	}
	start := i
	for i < len(src) && !isSpace(src[i]) && src[i] != '=' && src[i] != '>' && src[i] != '/' {
		i++
	}
	if i == start {
		return i, nil, nil
	}
	key := src[start:i]
	for i < len(src) && isSpace(src[i]) {
		i++
	}
	if i >= len(src) || src[i] != '=' {
		return i, key, nil
	}
	i++
	for i < len(src) && isSpace(src[i]) {
		i++
	}
	if i < len(src) && (src[i] == '"' || src[i] == '\'') {
		q := src[i]
		end := bytes.IndexByte(src[i+1:], q)
		if end < 0 {
			return len(src), key, src[i+1:]
		}
		return i + 1 + end + 1, key, src[i+1 : i+1+end]
	}
	start = i
	for i < len(src) && !isSpace(src[i]) && src[i] != '>' {
		i++
	}
	return i, key, src[start:i]
}

// closingTag returns the index in src of "</name" (any case), or len(src).
func closingTag(src, name []byte) int {
	for off := 0; ; {
		k := bytes.Index(src[off:], []byte("</"))
		if k < 0 {
			return len(src)
		}
		at := off + k
		if rest := src[at+2:]; len(rest) >= len(name) && equalFold(rest[:len(name)], string(name)) &&
			(len(rest) == len(name) || !isLetter(rest[len(name)])) {
			return at
		}
		off = at + 2
	}
}

// skipTo returns the index after the next c at or after src[i].
func skipTo(src []byte, i int, c byte) int {
	k := bytes.IndexByte(src[i:], c)
	if k < 0 {
		return len(src)
	}
	return i + k + 1
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f'
}

func allSpace(b []byte) bool {
	for _, c := range b {
		if !isSpace(c) {
			return false
		}
	}
	return true
}

func isLetter(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }

// equalFold compares ASCII case-insensitively without allocating.
func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range b {
		if b[i]|0x20 != s[i]|0x20 {
			return false
		}
	}
	return true
}
