// Package textsig computes content signatures of article text: an exact
// hash that ignores formatting and a 64-bit SimHash whose Hamming distance
// finds near-duplicates such as one wire story syndicated by many outlets
// with different intros, bylines and footers.
//
// Signatures are stable across processes and releases (no per-process hash
// seeds), because they are stored.
package textsig

import (
	"crypto/sha256"
	"encoding/hex"
	"math/bits"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// ShingleSize is the number of words in each SimHash feature.
const ShingleSize = 3

// NearDuplicate is the largest SimHash distance at which two texts are
// treated as the same story. Measured on the article-extraction corpus: a
// lightly edited copy stays within it, distinct articles are far beyond it.
const NearDuplicate = 3

// ContentHash returns the hex SHA-256 of text after Unicode NFC
// normalisation, case folding and collapsing every run of white space to one
// space (leading and trailing space dropped), so copies that differ only in
// formatting share a hash.
//
// It works field by field (runs of non-space), which gives the same bytes as
// normalising the whole text first: white space is never composed with a
// neighbour by NFC nor produced or removed by folding. An ASCII field is just
// lower-cased; only other fields go through NFC and folding.
func ContentHash(text string) string {
	d := sha256.New()
	buf := make([]byte, 0, 512)
	fold := cases.Fold()
	first := true
	for len(text) > 0 {
		start := indexNonSpace(text)
		if start < 0 {
			break
		}
		text = text[start:]
		end, ascii := fieldEnd(text)
		field := text[:end]
		text = text[end:]
		if !first {
			buf = append(buf, ' ')
		}
		first = false
		if ascii {
			for i := 0; i < len(field); i++ {
				c := field[i]
				if 'A' <= c && c <= 'Z' {
					c += 'a' - 'A'
				}
				buf = append(buf, c)
			}
		} else {
			buf = append(buf, fold.String(norm.NFC.String(field))...)
		}
		if len(buf) >= 4096 {
			d.Write(buf)
			buf = buf[:0]
		}
	}
	d.Write(buf)
	return hex.EncodeToString(d.Sum(nil))
}

// asciiSpace marks the bytes unicode.IsSpace accepts below 0x80.
var asciiSpace = [128]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}

// indexNonSpace returns the offset of the first rune of s that is not white
// space, or -1.
func indexNonSpace(s string) int {
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if !asciiSpace[c] {
				return i
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if !unicode.IsSpace(r) {
			return i
		}
		i += n
	}
	return -1
}

// fieldEnd returns the length of the field s starts with (up to the next
// white space) and whether it is all ASCII.
func fieldEnd(s string) (int, bool) {
	ascii := true
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if asciiSpace[c] {
				return i, ascii
			}
			i++
			continue
		}
		ascii = false
		r, n := utf8.DecodeRuneInString(s[i:])
		if unicode.IsSpace(r) {
			return i, ascii
		}
		i += n
	}
	return len(s), ascii
}

// SimHash returns Charikar's 64-bit similarity hash of text over 3-word
// shingles of its case-folded words (runs of letters and digits), each
// shingle weighted by how often it occurs. Texts shorter than three words
// use one shingle of all their words; text without words hashes to 0.
//
// It makes one pass over the text keeping the last three words' positions,
// lower-cases while hashing and allocates nothing.
func SimHash(text string) uint64 {
	var (
		window [ShingleSize]string // the last words as found in text; window[n%3] is word n
		votes  bitVotes
		n      int // words seen
	)
	for w := range eachWord(text) {
		window[n%ShingleSize] = w
		n++
		if n >= ShingleSize {
			votes.add(shingleHash(window[(n-3)%3], window[(n-2)%3], window[(n-1)%3]))
		}
	}
	switch n {
	case 0:
		return 0
	case 1:
		votes.add(shingleHash(window[0]))
	case 2:
		votes.add(shingleHash(window[0], window[1]))
	}
	return votes.majority()
}

// eachWord yields the words of text as they appear (not lower-cased); see
// Words for what a word is.
func eachWord(text string) func(yield func(string) bool) {
	return func(yield func(string) bool) {
		for i := 0; i < len(text); {
			size, word := runeAt(text, i)
			if !word {
				i += size
				continue
			}
			start := i
			for i += size; i < len(text); i += size {
				if size, word = runeAt(text, i); !word {
					break
				}
			}
			if !yield(text[start:i]) {
				return
			}
		}
	}
}

// runeAt returns the length of the rune at text[i] and whether it is a word
// character.
func runeAt(text string, i int) (size int, word bool) {
	if c := text[i]; c < utf8.RuneSelf {
		return 1, asciiWord[c]
	}
	r, size := utf8.DecodeRuneInString(text[i:])
	return size, isWordRune(r)
}

// asciiWord marks the ASCII letters and digits.
var asciiWord = func() (t [utf8.RuneSelf]bool) {
	for c := range t {
		t[c] = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
	}
	return t
}()

// isWordRune: letters, digits and combining marks (so words in scripts with
// vowel signs stay whole). Invalid UTF-8 decodes to RuneError, which is not.
func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.M, r)
}

// bitVotes counts, for each of the 64 bit positions, how many added hashes
// have that bit set. Counting eight positions per uint64 (one byte lane
// each) makes an add eight shifts and adds instead of 64 branches.
type bitVotes struct {
	lanes [8]uint64 // lanes[j] byte k counts bit 8k+j of the hashes since the last spill
	ones  [64]int
	added int // hashes added in total
	since int // hashes added since the last spill (a byte lane holds 255)
}

const laneMask = 0x0101010101010101

func (v *bitVotes) add(h uint64) {
	for j := range v.lanes {
		v.lanes[j] += (h >> j) & laneMask
	}
	v.added++
	if v.since++; v.since == 255 {
		v.spill()
	}
}

func (v *bitVotes) spill() {
	for j, l := range v.lanes {
		for k := range 8 {
			v.ones[8*k+j] += int(l >> (8 * k) & 0xff)
		}
		v.lanes[j] = 0
	}
	v.since = 0
}

// majority sets each bit that more than half the hashes have set.
func (v *bitVotes) majority() uint64 {
	v.spill()
	var sig uint64
	for i, ones := range v.ones {
		if 2*ones > v.added {
			sig |= 1 << i
		}
	}
	return sig
}

// Distance returns the Hamming distance between two SimHash values: the
// number of differing bits, 0 (identical) to 64.
func Distance(a, b uint64) int { return bits.OnesCount64(a ^ b) }

// Words splits text into lower-cased words: maximal runs of letters, digits
// and combining marks (so words in scripts with vowel signs stay whole).
func Words(text string) []string {
	var words []string
	for w := range eachWord(text) {
		words = append(words, strings.ToLower(w))
	}
	return words
}

// shingleHash hashes the lower-cased words with FNV-1a, separated by a
// byte no word contains, then mixes the result (splitmix64 finaliser) so
// that every output bit depends on every input byte: plain FNV's high bits
// vary too little for SimHash voting. The words are lower-cased (as
// strings.ToLower would) while they are hashed.
func shingleHash(words ...string) uint64 {
	h := uint64(fnvOffset)
	for i, w := range words {
		if i > 0 {
			h = (h ^ ' ') * fnvPrime
		}
		h = hashLower(h, w)
	}
	h ^= h >> 30
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 27
	h *= 0x94d049bb133111eb
	h ^= h >> 31
	return h
}

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// hashLower continues FNV-1a hash h over the UTF-8 of w lower-cased.
func hashLower(h uint64, w string) uint64 {
	for i := 0; i < len(w); {
		c := w[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			h = (h ^ uint64(c)) * fnvPrime
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(w[i:])
		var b [utf8.UTFMax]byte
		for _, c := range b[:utf8.EncodeRune(b[:], unicode.ToLower(r))] {
			h = (h ^ uint64(c)) * fnvPrime
		}
		i += size
	}
	return h
}
