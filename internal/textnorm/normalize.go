// Package textnorm normalises text for matching and splits it into words and
// sentences, keeping byte offsets into the original text so that callers can
// quote it.
//
// Normalisation is: Unicode NFKC, full case folding, diacritics removed (NFD,
// then every non-spacing mark dropped), typographic quotes and dashes unified
// to ASCII, Arabic yeh and kaf unified to their Persian forms, Arabic-Indic
// digits to ASCII, and tatweel, zero-width (non-)joiners and soft hyphens
// dropped. ASCII text takes a fast path that only lower-cases; everything
// else goes through golang.org/x/text.
//
// The package owns only text mechanics; what a term or a match is belongs to
// the matcher.
package textnorm

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// Normalize returns s normalised for matching. It is idempotent and accepts
// invalid UTF-8 (each invalid byte becomes U+FFFD).
func Normalize(s string) string {
	if isASCII(s) {
		return lowerASCII(s)
	}
	return normalizeSlow(s)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// lowerASCII lower-cases ASCII s, allocating only when something changes.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				b[j] = lowerTable[b[j]]
			}
			return string(b)
		}
	}
	return s
}

// folders pools case folders: a cases.Caser keeps state and must not be
// shared between goroutines.
var folders = sync.Pool{New: func() any { c := cases.Fold(); return &c }}

func normalizeSlow(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = norm.NFKC.String(s)
	f := folders.Get().(*cases.Caser)
	s = f.String(s)
	folders.Put(f)
	// Map after NFKC, folding and decomposition, so compatibility forms
	// (presentation forms, full-width dashes) and letters with marks (ئ) are
	// already reduced to the characters mapped here.
	s = norm.NFD.String(s)
	s = strings.Map(mapRune, s)
	return norm.NFC.String(s)
}

// mapRune drops non-spacing marks (diacritics) and unifies punctuation and
// script variants; -1 drops the rune.
func mapRune(r rune) rune {
	if r < utf8.RuneSelf {
		return r
	}
	if unicode.Is(unicode.Mn, r) {
		return -1
	}
	switch r {
	case '‘', '’', '‚', '‛', '‹', '›', 'ʼ', '′':
		return '\''
	case '“', '”', '„', '‟', '«', '»', '″':
		return '"'
	case '‐', '‑', '‒', '–', '—', '―', '−', '﹣', '－', '⁃':
		return '-'
	case 'ي', 'ى': // Arabic yeh and alef maksura → Persian yeh
		return 'ی'
	case 'ك': // Arabic kaf → Persian keheh
		return 'ک'
	case 'ـ', '\u200c', '\u200d', '\u00ad', '\u2060', '\ufeff': // tatweel, ZWNJ, ZWJ, soft hyphen, word joiners
		return -1
	}
	switch {
	// x/text folds Cherokee to lower case and back again on a second pass;
	// Unicode case folding keeps the upper case, so map there.
	case 0xAB70 <= r && r <= 0xABBF:
		return r - 0xAB70 + 0x13A0
	case 0x13F8 <= r && r <= 0x13FD:
		return r - 8
	case '٠' <= r && r <= '٩':
		return '0' + r - '٠'
	case '۰' <= r && r <= '۹':
		return '0' + r - '۰'
	}
	return r
}

// lowerTable maps each byte to its ASCII lower-case form.
var lowerTable = func() (t [256]byte) {
	for i := range t {
		t[i] = byte(i)
		if 'A' <= i && i <= 'Z' {
			t[i] = byte(i + 'a' - 'A')
		}
	}
	return t
}()
