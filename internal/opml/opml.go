// Package opml reads and writes OPML subscription lists, the format feed
// readers export, so `claimwatch sources import/export` can exchange source
// lists with them. It knows nothing of claimwatch's config; callers turn
// outlines into sources.
//
// Readers nest feeds in folders; Parse flattens the tree and records each
// feed's folder path as its Category ("News/Iran"). Write puts feeds back
// into one folder per category.
package opml

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"

	"golang.org/x/net/html/charset"
)

// Outline is one feed of an OPML file.
type Outline struct {
	Title    string // text (or title) attribute
	XMLURL   string // the feed address
	HTMLURL  string // the site address; may be empty
	Category string // enclosing folders joined by "/", or the category attribute
}

// maxDepth bounds folder nesting, so a hostile file cannot recurse forever.
const maxDepth = 32

// Parse reads an OPML document; name is used in messages, which give the
// line of each problem. Folders (outlines without xmlUrl) become categories;
// outlines with neither an xmlUrl nor children are skipped. Every problem
// is reported, joined into one error.
func Parse(r io.Reader, name string) ([]Outline, error) {
	dec := xml.NewDecoder(r)
	dec.CharsetReader = charset.NewReaderLabel
	var (
		out     []Outline
		errs    []error
		folders []string // titles of the open outlines, "" for feeds
		sawRoot bool
		inBody  bool
		sawBody bool
	)
	fail := func(format string, args ...any) {
		line, _ := dec.InputPos()
		errs = append(errs, fmt.Errorf("%s:%d: %s", name, line, fmt.Sprintf(format, args...)))
	}
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				errs = append(errs, fmt.Errorf("%s:%d: malformed XML: %s", name, se.Line, se.Msg))
			} else {
				line, _ := dec.InputPos()
				errs = append(errs, fmt.Errorf("%s:%d: %w", name, line, err))
			}
			return nil, errors.Join(errs...)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			el := strings.ToLower(t.Name.Local)
			switch {
			case !sawRoot:
				sawRoot = true
				if el != "opml" {
					fail("not an OPML file: root element is <%s>, want <opml>", t.Name.Local)
					return nil, errors.Join(errs...)
				}
			case el == "body":
				inBody, sawBody = true, true
			case el == "outline" && inBody:
				if len(folders) >= maxDepth {
					fail("outlines nested deeper than %d levels", maxDepth)
					return nil, errors.Join(errs...)
				}
				o := outline(t)
				if o.XMLURL == "" {
					folders = append(folders, o.Title)
					continue
				}
				if err := checkFeedURL(o.XMLURL); err != nil {
					fail("outline %q: %v", o.Title, err)
				} else {
					if o.Title == "" {
						o.Title = o.XMLURL
					}
					if path := folderPath(folders); path != "" {
						o.Category = path
					}
					out = append(out, o)
				}
				folders = append(folders, "")
			}
		case xml.EndElement:
			switch strings.ToLower(t.Name.Local) {
			case "body":
				inBody = false
			case "outline":
				if inBody && len(folders) > 0 {
					folders = folders[:len(folders)-1]
				}
			}
		}
	}
	if !sawRoot {
		errs = append(errs, fmt.Errorf("%s:1: no XML elements: want an OPML document", name))
	} else if !sawBody {
		line, _ := dec.InputPos()
		errs = append(errs, fmt.Errorf("%s:%d: OPML document has no <body>", name, line))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

// outline reads an outline element's attributes; readers disagree on case
// (xmlUrl, xmlURL, xmlurl), so names are compared case-insensitively.
func outline(t xml.StartElement) Outline {
	var o Outline
	var title string
	for _, a := range t.Attr {
		v := strings.TrimSpace(a.Value)
		switch strings.ToLower(a.Name.Local) {
		case "text":
			o.Title = v
		case "title":
			title = v
		case "xmlurl":
			o.XMLURL = v
		case "htmlurl":
			o.HTMLURL = v
		case "category":
			o.Category = strings.Trim(strings.Split(v, ",")[0], "/")
		}
	}
	if o.Title == "" {
		o.Title = title
	}
	return o
}

func folderPath(folders []string) string {
	var parts []string
	for _, f := range folders {
		if f != "" {
			parts = append(parts, f)
		}
	}
	return strings.Join(parts, "/")
}

func checkFeedURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("bad xmlUrl %q: %v", raw, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("xmlUrl %q: want an http(s) URL", raw)
	}
	return nil
}

type document struct {
	XMLName xml.Name  `xml:"opml"`
	Version string    `xml:"version,attr"`
	Title   string    `xml:"head>title"`
	Body    []element `xml:"body>outline"`
}

type element struct {
	Text     string    `xml:"text,attr"`
	Title    string    `xml:"title,attr,omitempty"`
	Type     string    `xml:"type,attr,omitempty"`
	XMLURL   string    `xml:"xmlUrl,attr,omitempty"`
	HTMLURL  string    `xml:"htmlUrl,attr,omitempty"`
	Children []element `xml:"outline"`
}

// Write writes an OPML 2.0 document: each category becomes one folder,
// placed where its first feed appears; uncategorised feeds stay top level.
func Write(w io.Writer, title string, outlines []Outline) error {
	doc := document{Version: "2.0", Title: title}
	folderAt := map[string]int{}
	for _, o := range outlines {
		el := element{Text: o.Title, Title: o.Title, Type: "rss", XMLURL: o.XMLURL, HTMLURL: o.HTMLURL}
		if o.Category == "" {
			doc.Body = append(doc.Body, el)
			continue
		}
		i, ok := folderAt[o.Category]
		if !ok {
			i = len(doc.Body)
			folderAt[o.Category] = i
			doc.Body = append(doc.Body, element{Text: o.Category})
		}
		doc.Body[i].Children = append(doc.Body[i].Children, el)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("write opml: %w", err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("write opml: %w", err)
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return fmt.Errorf("write opml: %w", err)
	}
	return nil
}
