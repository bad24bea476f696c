package textnorm

import (
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Most non-ASCII words (Cyrillic, Persian, accented Latin, CJK, Hangul)
// normalise rune by rune: each rune maps to one rune (or none) on its own,
// and nothing composes across runes. A table filled lazily, one block of 256
// runes at a time, holds that per-rune result together with whether the rune
// belongs in words, so the tokenizer's non-ASCII path costs one lookup per
// rune; words with any other rune take the full Normalize.

const (
	runeWord   = 1 << 31 // a letter, digit or mark: part of words
	runeSimple = 1 << 30 // normalises on its own to the rune in runeMask
	runeDrop   = 1 << 29 // normalises on its own to nothing (marks, joiners)
	runeMask   = 1<<21 - 1
)

var runeBlocks [0x10000 >> 8]atomic.Pointer[[256]uint32]

// runeInfo returns the table entry of r (r ≥ 0x80).
func runeInfo(r rune) uint32 {
	if info, ok := filledRuneInfo(r); ok {
		return info
	}
	return runeInfoSlow(r)
}

// filledRuneInfo returns the table entry of r if its block is filled. It is
// small enough to inline into the tokenizer's loop over non-ASCII runes.
func filledRuneInfo(r rune) (uint32, bool) {
	if r < 0x10000 {
		if blk := runeBlocks[byte(r>>8)].Load(); blk != nil {
			return blk[byte(r)], true
		}
	}
	return 0, false
}

// runeInfoSlow is runeInfo for runes outside the table and for blocks not
// filled yet.
func runeInfoSlow(r rune) uint32 {
	if r >= 0x10000 {
		if isWordRuneSlow(r) {
			return runeWord
		}
		return 0
	}
	return fillBlock(r >> 8)[r&0xff]
}

// fillBlock computes a block of the table. Goroutines racing here compute
// the same values, so whichever store lands is right.
func fillBlock(hi rune) *[256]uint32 {
	blk := new([256]uint32)
	for lo := range rune(256) {
		blk[lo] = computeRuneInfo(hi<<8 | lo)
	}
	runeBlocks[hi].Store(blk)
	return blk
}

func computeRuneInfo(r rune) uint32 {
	if !utf8.ValidRune(r) {
		return 0
	}
	var info uint32
	if isWordRuneSlow(r) {
		info = runeWord
	}
	s := string(r)
	n := normalizeSlow(s)
	if n == "" {
		// Marks and joiners vanish wherever they are: the full pipeline
		// decomposes and drops every non-spacing mark too.
		if unicode.Is(unicode.Mn, r) || isJoiner(r) || r == 'ـ' {
			return info | runeDrop
		}
		return info
	}
	r2, size := utf8.DecodeRuneInString(n)
	if size != len(n) || r2 == utf8.RuneError {
		return info // expands (ß → ss, ligatures)
	}
	// Neither the rune nor its result may combine with what precedes it
	// (Hangul jamo, some vowel signs). Combining with what follows needs a
	// following rune of that kind, which is not simple and so sends the
	// whole word through Normalize.
	if !norm.NFKC.PropertiesString(s).BoundaryBefore() || !norm.NFC.PropertiesString(n).BoundaryBefore() {
		return info
	}
	return info | runeSimple | uint32(r2)
}

func isWordRuneSlow(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsMark(r)
}

// isWordRune reports whether r is a letter, digit or mark.
func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return asciiClass[r] == clsWord
	}
	return runeInfo(r)&runeWord != 0
}
