package matcher

// trie collects the words of all patterns while compiling; compile flattens
// it into a dfa.
type trie struct {
	nodes   []trieNode
	symbols int32
}

type trieNode struct {
	next          map[byte]int32
	exact, prefix int32 // symbol ending here, or -1
}

func newTrie() *trie {
	return &trie{nodes: []trieNode{{exact: -1, prefix: -1}}}
}

// symbol returns the symbol of a normalised word, exact or as a prefix,
// adding it when new.
func (t *trie) symbol(word string, prefix bool) int32 {
	n := int32(0)
	for i := 0; i < len(word); i++ {
		c := word[i]
		next, ok := t.nodes[n].next[c]
		if !ok {
			next = int32(len(t.nodes))
			t.nodes = append(t.nodes, trieNode{exact: -1, prefix: -1})
			if t.nodes[n].next == nil {
				t.nodes[n].next = map[byte]int32{}
			}
			t.nodes[n].next[c] = next
		}
		n = next
	}
	slot := &t.nodes[n].exact
	if prefix {
		slot = &t.nodes[n].prefix
	}
	if *slot < 0 {
		*slot = t.symbols
		t.symbols++
	}
	return *slot
}

// dfa is the trie flattened for lookups: dense tables for the first byte and
// the first two bytes, then an open-addressing hash table of edges keyed by
// (node, byte). Most words of a text stop within a few bytes, each step one
// probe into a table small enough to stay in cache.
type dfa struct {
	root  [256]int32 // first byte → node; 0: no word starts so
	pairs []int32    // first two bytes → node; 0: no word starts so
	// edges holds node<<40 | byte<<32 | target; 0 is empty (no edge
	// targets the root, so no entry is 0).
	edges []uint64
	shift uint // 64 - log2(len(edges))
	// nodes holds what a walk reads at each node, side by side so that a
	// step touches one cache line rather than one per table.
	nodes []dfaNode
	// filter has a bit set for every (first three bytes, length) that some
	// word with a symbol can have, hashed into an L1-sized bit set; most
	// words of a text test clear and skip the lookup altogether. Words
	// under a prefix of one or two bytes pass by short instead.
	filter     [1 << filterBits / 64]uint64
	short      [1 << filterBits / 64]uint64
	shortFirst [256 / 64]uint64 // first bytes of the short prefixes
}

type dfaNode struct {
	// only holds the node's edge if it has exactly one (byte<<24 |
	// target), noEdges if it has none, and 0 if it has several, which
	// dfa.edges holds. Deeper nodes are mostly inside a single word: over
	// the benchmark corpus about two steps in five (and those ending at a
	// leaf) compare one byte here instead of hashing and probing.
	only   uint32
	exact  int32 // symbol of the word ending here, or -1
	prefix int32 // symbol of the prefix ending here, or -1
}

// filterBits sizes dfa.filter and dfa.short (8 KiB each).
const filterBits = 16

// filterLen caps the lengths filterKey tells apart.
const filterLen = 31

// filterKey returns the filter bit of a word of length n starting with the
// bytes head (up to three, packed little-endian as packWord does), or with
// n 0 of a short prefix.
func filterKey(head uint32, n int) uint32 {
	return ((head<<8 | uint32(min(n, filterLen))) * 0x9E3779B1) >> (32 - filterBits)
}

// mayMatch reports whether a word can have a symbol, given its length and
// its first bytes packed by packWord; false is certain. Its parts inline
// into the scan loop: the filter and first-byte tests that answer for most
// words, with the short prefixes behind a call.
func (d *dfa) mayMatch(packed uint64, n int) bool {
	return d.inFilter(packed, n) || d.mayBeShort(packed) && d.underShort(packed)
}

// inFilter tests the (first three bytes, length) bit of a word.
func (d *dfa) inFilter(packed uint64, n int) bool {
	return d.filterBit(packed, n) != 0
}

// filterBit returns the (first three bytes, length) bit of a word as 0 or
// 1, for callers that count rather than branch.
func (d *dfa) filterBit(packed uint64, n int) int {
	k := filterKey(uint32(packed&0xffffff), n)
	return int(d.filter[k/64] >> (k % 64) & 1)
}

// mayBeShort reports whether some short prefix starts with the word's first
// byte.
func (d *dfa) mayBeShort(packed uint64) bool {
	b0 := packed & 0xff
	return d.shortFirst[b0/64]&(1<<(b0%64)) != 0
}

// underShort reports whether a word may be under a short prefix.
//
//go:noinline
func (d *dfa) underShort(packed uint64) bool {
	k1, k2 := filterKey(uint32(packed&0xff), 0), filterKey(uint32(packed&0xffff), 0)
	return d.short[k1/64]&(1<<(k1%64)) != 0 || d.short[k2/64]&(1<<(k2%64)) != 0
}

func setBit(set []uint64, k uint32) { set[k/64] |= 1 << (k % 64) }

// fillFilter sets the filter bits of every word a symbol can match: the
// exact words themselves, and every word at least as long as a prefix that
// starts with it.
func (d *dfa) fillFilter(t *trie) {
	var walk func(n int32, word []byte)
	walk = func(n int32, word []byte) {
		node := &t.nodes[n]
		head := uint32(packWord(word[:min(3, len(word))]))
		if node.exact >= 0 {
			setBit(d.filter[:], filterKey(head, len(word)))
		}
		if node.prefix >= 0 {
			if len(word) < 3 {
				setBit(d.short[:], filterKey(head, 0))
				setBit(d.shortFirst[:], uint32(word[0]))
			} else {
				for l := len(word); l <= filterLen; l++ {
					setBit(d.filter[:], filterKey(head, l))
				}
			}
		}
		for c, next := range node.next {
			walk(next, append(word, c))
		}
	}
	walk(0, nil)
}

func (t *trie) compile() *dfa {
	d := &dfa{
		pairs: make([]int32, 1<<16),
		nodes: make([]dfaNode, len(t.nodes)),
	}
	size, bits := 16, uint(4)
	for size < 2*len(t.nodes) {
		size, bits = size*2, bits+1
	}
	d.edges, d.shift = make([]uint64, size), 64-bits
	d.fillFilter(t)
	for i, n := range t.nodes {
		dn := &d.nodes[i]
		dn.exact, dn.prefix = n.exact, n.prefix
		switch len(n.next) {
		case 0:
			dn.only = noEdges
		case 1:
			for c, to := range n.next {
				if to < targetMask { // fits, and so is not noEdges
					dn.only = uint32(c)<<24 | uint32(to)
				}
			}
		}
		for c, to := range n.next {
			key := uint64(i)<<8 | uint64(c)
			h := d.slot(key)
			for d.edges[h] != 0 {
				h = (h + 1) & (len(d.edges) - 1)
			}
			d.edges[h] = key<<32 | uint64(to)
			if i == 0 {
				d.root[c] = to
				for c2, to2 := range t.nodes[to].next {
					d.pairs[int(c)<<8|int(c2)] = to2
				}
			}
		}
	}
	return d
}

func (d *dfa) slot(key uint64) int {
	return int((key * 0x9E3779B97F4A7C15) >> d.shift)
}

// noEdges marks a node without edges in dfaNode.only; targetMask takes the
// target from an entry there.
const (
	noEdges    = ^uint32(0)
	targetMask = 1<<24 - 1
)

// step returns the node reached from n by byte c, or 0.
func (d *dfa) step(n int32, c byte) int32 {
	if e := d.nodes[n].only; e != 0 {
		if e != noEdges && byte(e>>24) == c {
			return int32(e & targetMask)
		}
		return 0
	}
	key := uint64(n)<<8 | uint64(c)
	for h := d.slot(key); ; h = (h + 1) & (len(d.edges) - 1) {
		e := d.edges[h]
		if e == 0 {
			return 0
		}
		if e>>32 == key {
			return int32(uint32(e))
		}
	}
}

// lookup appends to out the symbols word matches: every prefix symbol along
// its path and the exact symbol where it ends.
func (d *dfa) lookup(word []byte, out []int32) []int32 {
	if len(word) == 0 {
		return out
	}
	n := d.root[word[0]]
	if n == 0 {
		return out
	}
	i := 1
	if len(word) > 1 {
		if pre := d.nodes[n].prefix; pre >= 0 {
			out = append(out, pre)
		}
		n = d.pairs[int(word[0])<<8|int(word[1])]
		if n == 0 {
			return out
		}
		i = 2
	}
	for ; ; i++ {
		if pre := d.nodes[n].prefix; pre >= 0 {
			out = append(out, pre)
		}
		if i == len(word) {
			if e := d.nodes[n].exact; e >= 0 {
				out = append(out, e)
			}
			return out
		}
		n = d.step(n, word[i])
		if n == 0 {
			return out
		}
	}
}
