package matcher

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
	slot := &c.slots[cacheSlotOf(k0, k1)]
	if slot.k0 == k0 && slot.k1 == k1 {
		return append(out, slot.syms[:slot.n]...)
	}
	n := len(out)
	out = d.lookup(w, out)
	if found := out[n:]; len(found) <= maxCachedSyms {
		slot.k0, slot.k1, slot.n = k0, k1, int32(copy(slot.syms[:], found))
	}
	return out
}

// cacheSlotOf returns the slot of the word packed as k0 (its first 8
// bytes) and k1 (the next 8, or 0).
func cacheSlotOf(k0, k1 uint64) uint64 {
	return ((k0 ^ k1*0xC2B2AE3D27D4EB4F) * 0x9E3779B97F4A7C15) >> (64 - cacheBits)
}

// hit returns the slot of a word of n bytes packed as k0 when the word is
// at most 8 bytes and cached, else nil. With appendTo it is lookup's common
// case, small enough to inline into scan's loop over every word, where a
// call would spill all of the loop's live registers (Go saves none across
// calls).
func (c *wordCache) hit(k0 uint64, n int) *cacheSlot {
	slot := &c.slots[cacheSlotOf(k0, 0)]
	if n > 8 || slot.k0 != k0 || slot.k1 != 0 {
		return nil
	}
	return slot
}

// appendTo appends the slot's symbols to out, which must have room for
// maxCachedSyms more: it copies all of them as one fixed-size store and
// keeps slot.n, with no call to memmove nor a branch on the count.
func (slot *cacheSlot) appendTo(out []int32) []int32 {
	n := len(out)
	*(*[maxCachedSyms]int32)(out[n : n+maxCachedSyms]) = slot.syms
	return out[:n+int(slot.n)]
}
