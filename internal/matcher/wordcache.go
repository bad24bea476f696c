package matcher

import "slices"

// wordCache is a direct-mapped cache of DFA lookups keyed by whole words of
// at most 16 bytes (most words of any text). Text is Zipf-distributed, so a
// few thousand slots answer most words with one probe; a miss walks the DFA
// and takes the slot over. Words with more symbols than a slot holds, and
// longer words, always walk.
type wordCache struct {
	slots [1 << cacheBits]cacheSlot
}

// cacheBits sizes the cache: 1<<cacheBits slots of 32 bytes.
const cacheBits = 12

type cacheSlot struct {
	k0, k1 uint64 // the word, zero-padded (0: empty; words are never empty)
	n      int32  // symbols in syms
	syms   [maxCachedSyms]int32
}

const maxCachedSyms = 3

// lookup appends the symbols of word w to out, as dfa.lookup does; k0 is
// packWord(w), which the caller has at hand.
func (c *wordCache) lookup(d *dfa, w []byte, k0 uint64, out []int32) []int32 {
	if len(w) > 16 {
		return d.lookup(w, out)
	}
	var k1 uint64
	if len(w) > 8 {
		k1 = packWord(w[8:])
	}
	slot := &c.slots[((k0^k1*0xC2B2AE3D27D4EB4F)*0x9E3779B97F4A7C15)>>(64-cacheBits)]
	if slot.k0 == k0 && slot.k1 == k1 {
		// Copy all maxCachedSyms symbols as one fixed-size store and keep
		// slot.n of them: a hit costs no call to memmove nor a branch on
		// the count.
		if cap(out)-len(out) < maxCachedSyms {
			out = slices.Grow(out, maxCachedSyms)
		}
		n := len(out)
		*(*[maxCachedSyms]int32)(out[n : n+maxCachedSyms]) = slot.syms
		return out[:n+int(slot.n)]
	}
	n := len(out)
	out = d.lookup(w, out)
	if found := out[n:]; len(found) <= maxCachedSyms {
		slot.k0, slot.k1, slot.n = k0, k1, int32(copy(slot.syms[:], found))
	}
	return out
}
