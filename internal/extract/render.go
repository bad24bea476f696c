package extract

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// skipped holds elements whose content is never readable text.
var skipped = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Template: true,
	atom.Head: true, atom.Svg: true, atom.Math: true, atom.Iframe: true, atom.Object: true,
	atom.Embed: true, atom.Canvas: true, atom.Select: true, atom.Button: true, atom.Input: true,
	atom.Textarea: true, atom.Audio: true, atom.Video: true, atom.Picture: true, atom.Map: true,
}

// blocks start a new line of text; paragraph-like ones a blank line, so the
// matcher can still see paragraph boundaries.
var blocks = map[atom.Atom]bool{
	atom.Address: true, atom.Article: true, atom.Aside: true, atom.Blockquote: true,
	atom.Dd: true, atom.Div: true, atom.Dl: true, atom.Dt: true, atom.Fieldset: true,
	atom.Figcaption: true, atom.Figure: true, atom.Footer: true, atom.Form: true,
	atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true,
	atom.Header: true, atom.Hr: true, atom.Li: true, atom.Main: true, atom.Nav: true,
	atom.Ol: true, atom.P: true, atom.Pre: true, atom.Section: true, atom.Table: true,
	atom.Tr: true, atom.Ul: true, atom.Body: true, atom.Html: true, atom.Caption: true,
	atom.Details: true, atom.Summary: true, atom.Tbody: true, atom.Thead: true, atom.Tfoot: true,
}

// renderText returns the readable text under n: white space collapsed
// within a block, blocks separated by blank lines, table cells by tabs.
func renderText(n *html.Node) string {
	var r textRenderer
	r.walk(n)
	return r.String()
}

type textRenderer struct {
	sb        strings.Builder
	pendBreak int  // newlines owed before the next word (0, 1 or 2)
	pendSpace bool // a space owed before the next word
}

func (r *textRenderer) walk(n *html.Node) {
	switch n.Type {
	case html.TextNode:
		r.text(n.Data)
		return
	case html.ElementNode:
		a := elementAtom(n)
		switch {
		case skipped[a]:
			return
		case a == atom.Br:
			r.brk(1)
			return
		case a == atom.Td || a == atom.Th:
			r.pendSpace = true
		case blocks[a]:
			r.brk(2)
		}
	case html.CommentNode, html.DoctypeNode:
		return
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		r.walk(c)
	}
	if n.Type == html.ElementNode && blocks[elementAtom(n)] {
		r.brk(2)
	}
}

// elementAtom returns n's atom, looking it up for nodes built by code
// (trafilatura's output) rather than by the parser, which leave it unset.
func elementAtom(n *html.Node) atom.Atom {
	if n.DataAtom != 0 {
		return n.DataAtom
	}
	return atom.Lookup([]byte(n.Data))
}

func (r *textRenderer) brk(n int) {
	if r.sb.Len() > 0 && n > r.pendBreak {
		r.pendBreak = n
	}
}

func (r *textRenderer) text(s string) {
	start := 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) && !isSpace(s[i]) {
			continue
		}
		if i > start {
			r.word(s[start:i])
		}
		if i < len(s) {
			r.pendSpace = true
		}
		start = i + 1
	}
}

func (r *textRenderer) word(w string) {
	switch {
	case r.pendBreak > 0:
		r.sb.WriteString("\n\n"[:r.pendBreak])
	case r.pendSpace && r.sb.Len() > 0:
		r.sb.WriteByte(' ')
	}
	r.pendBreak, r.pendSpace = 0, false
	r.sb.WriteString(w)
}

func (r *textRenderer) String() string { return r.sb.String() }

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}
