package matcher

import "slices"

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
// the first two bytes, then per node a short sorted run of edge labels. Most
// words of a text are in no pattern and stop within two bytes, after one or
// two table lookups that stay in cache.
type dfa struct {
	root    [256]int32 // first byte → node; 0: no word starts so
	pairs   []int32    // first two bytes → node; 0: no word starts so
	nodes   []dfaNode
	labels  []byte  // edge labels, sorted within each node
	targets []int32 // edge targets, parallel to labels
}

type dfaNode struct {
	first, count  int32 // edges labels[first : first+count]
	exact, prefix int32 // symbol of the word or prefix ending here, or -1
}

func (t *trie) compile() *dfa {
	d := &dfa{nodes: make([]dfaNode, len(t.nodes)), pairs: make([]int32, 1<<16)}
	for i, n := range t.nodes {
		keys := make([]byte, 0, len(n.next))
		for c := range n.next {
			keys = append(keys, c)
		}
		slices.Sort(keys)
		d.nodes[i] = dfaNode{first: int32(len(d.labels)), count: int32(len(keys)), exact: n.exact, prefix: n.prefix}
		for _, c := range keys {
			d.labels = append(d.labels, c)
			d.targets = append(d.targets, n.next[c])
			if i == 0 {
				d.root[c] = n.next[c]
				for c2, to := range t.nodes[n.next[c]].next {
					d.pairs[int(c)<<8|int(c2)] = to
				}
			}
		}
	}
	return d
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
		nd := &d.nodes[n]
		if nd.prefix >= 0 {
			out = append(out, nd.prefix)
		}
		if i == len(word) {
			if nd.exact >= 0 {
				out = append(out, nd.exact)
			}
			return out
		}
		c := word[i]
		labels := d.labels[nd.first : nd.first+nd.count]
		k := 0
		for k < len(labels) && labels[k] < c {
			k++
		}
		if k == len(labels) || labels[k] != c {
			return out
		}
		n = d.targets[nd.first+int32(k)]
	}
}
