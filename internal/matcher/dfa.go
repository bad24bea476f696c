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

// dfa is the trie as a dense transition table over the byte classes that
// occur in pattern words. Walking a word costs one table lookup per byte and
// usually stops after a byte or two, since most words of a text are in no
// pattern.
type dfa struct {
	class  [256]uint8 // byte → class; 0: the byte occurs in no pattern word
	width  int32      // classes, including 0
	next   []int32    // node*width + class → node; 0: no transition
	exact  []int32    // node → symbol of the word ending here, or -1
	prefix []int32    // node → symbol of the prefix ending here, or -1
}

func (t *trie) compile() *dfa {
	d := &dfa{}
	for _, n := range t.nodes {
		for c := range n.next {
			if d.class[c] == 0 {
				d.width++
				d.class[c] = uint8(d.width)
			}
		}
	}
	d.width++
	d.next = make([]int32, int32(len(t.nodes))*d.width)
	d.exact = make([]int32, len(t.nodes))
	d.prefix = make([]int32, len(t.nodes))
	for i, n := range t.nodes {
		for c, to := range n.next {
			d.next[int32(i)*d.width+int32(d.class[c])] = to
		}
		d.exact[i], d.prefix[i] = n.exact, n.prefix
	}
	return d
}

// lookup appends to out the symbols word matches: every prefix symbol along
// its path and the exact symbol where it ends.
func (d *dfa) lookup(word []byte, out []int32) []int32 {
	n := int32(0)
	for _, c := range word {
		k := d.class[c]
		if k == 0 {
			return out
		}
		n = d.next[n*d.width+int32(k)]
		if n == 0 {
			return out
		}
		if p := d.prefix[n]; p >= 0 {
			out = append(out, p)
		}
	}
	if e := d.exact[n]; e >= 0 {
		out = append(out, e)
	}
	return out
}
