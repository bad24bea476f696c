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
func ContentHash(text string) string {
	folded := cases.Fold().String(norm.NFC.String(text))
	sum := sha256.Sum256([]byte(strings.Join(strings.Fields(folded), " ")))
	return hex.EncodeToString(sum[:])
}

// SimHash returns Charikar's 64-bit similarity hash of text over 3-word
// shingles of its case-folded words (runs of letters and digits), each
// shingle weighted by how often it occurs. Texts shorter than three words
// use one shingle of all their words; text without words hashes to 0.
func SimHash(text string) uint64 {
	words := Words(text)
	if len(words) == 0 {
		return 0
	}
	var votes [64]int
	add := func(h uint64) {
		for i := range votes {
			if h&(1<<i) != 0 {
				votes[i]++
			} else {
				votes[i]--
			}
		}
	}
	if len(words) < ShingleSize {
		add(shingleHash(words))
	} else {
		for i := 0; i+ShingleSize <= len(words); i++ {
			add(shingleHash(words[i : i+ShingleSize]))
		}
	}
	var sig uint64
	for i, v := range votes {
		if v > 0 {
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
	fields := strings.FieldsFunc(text, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.M, r)
	})
	for i, f := range fields {
		fields[i] = strings.ToLower(f)
	}
	return fields
}

// shingleHash hashes the words with FNV-1a, separated by a byte no word
// contains, then mixes the result (splitmix64 finaliser) so that every
// output bit depends on every input byte: plain FNV's high bits vary too
// little for SimHash voting.
func shingleHash(words []string) uint64 {
	const (
		offset = 14695981039346656037
		prime  = 1099511628211
	)
	h := uint64(offset)
	for i, w := range words {
		if i > 0 {
			h ^= ' '
			h *= prime
		}
		for j := 0; j < len(w); j++ {
			h ^= uint64(w[j])
			h *= prime
		}
	}
	h ^= h >> 30
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 27
	h *= 0x94d049bb133111eb
	h ^= h >> 31
	return h
}
