package extract

import (
	"bytes"
	"encoding/json"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// linkedData is what the page's schema.org JSON-LD says about its article.
type linkedData struct {
	Headline, Body, Description, Lang, Published string
}

// articleTypes are the schema.org types whose objects describe the article
// itself (rather than the site, an author or a breadcrumb list).
var articleTypes = map[string]bool{
	"article": true, "newsarticle": true, "reportagenewsarticle": true,
	"analysisnewsarticle": true, "opinionnewsarticle": true, "backgroundnewsarticle": true,
	"reviewnewsarticle": true, "askpublicnewsarticle": true, "blogposting": true,
	"liveblogposting": true, "socialmediaposting": true, "techarticle": true,
	"scholarlyarticle": true, "report": true, "review": true, "posting": true,
}

// pageTypes may carry a headline or date when no article object does.
var pageTypes = map[string]bool{"webpage": true, "itempage": true, "collectionpage": false}

// findLinkedData merges the article objects of every JSON-LD script in the
// document; the first value found for each field wins, article objects
// before page objects. Malformed scripts are skipped: they are common.
func findLinkedData(doc *html.Node) linkedData {
	var article, page linkedData
	forEach(doc, func(n *html.Node) bool {
		if n.DataAtom != atom.Script || !strings.EqualFold(strings.TrimSpace(attr(n, "type")), "application/ld+json") {
			return true
		}
		if n.FirstChild == nil {
			return false
		}
		v, ok := decodeJSONLD(n.FirstChild.Data)
		if ok {
			walkJSONLD(v, &article, &page, 0)
		}
		return false
	})
	merge(&article, page)
	return article
}

func decodeJSONLD(s string) (any, bool) {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "<!--")
	s = strings.TrimSuffix(s, "-->")
	s = strings.TrimPrefix(strings.TrimSpace(s), "//<![CDATA[")
	s = strings.TrimSuffix(strings.TrimSpace(s), "//]]>")
	var v any
	if err := json.Unmarshal([]byte(s), &v); err == nil {
		return v, true
	}
	// Raw line breaks and tabs inside strings are the usual breakage
	// (articleBody copied verbatim); as spaces they keep the text usable.
	b := bytes.Map(func(r rune) rune {
		if r < 0x20 {
			return ' '
		}
		return r
	}, []byte(s))
	if err := json.Unmarshal(b, &v); err == nil {
		return v, true
	}
	return nil, false
}

func walkJSONLD(v any, article, page *linkedData, depth int) {
	if depth > 8 {
		return
	}
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			walkJSONLD(e, article, page, depth+1)
		}
	case map[string]any:
		if g, ok := x["@graph"]; ok {
			walkJSONLD(g, article, page, depth+1)
		}
		isArticle, isPage := false, false
		for _, t := range stringsOf(x["@type"]) {
			t = strings.ToLower(strings.TrimPrefix(strings.TrimPrefix(t, "http://schema.org/"), "https://schema.org/"))
			isArticle = isArticle || articleTypes[t]
			isPage = isPage || pageTypes[t]
		}
		switch {
		case isArticle:
			merge(article, fields(x))
		case isPage:
			merge(page, fields(x))
			// A WebPage may hold its article as mainEntity.
			if m, ok := x["mainEntity"]; ok {
				walkJSONLD(m, article, page, depth+1)
			}
		}
	}
}

func fields(x map[string]any) linkedData {
	return linkedData{
		Headline:    firstString(x["headline"], x["name"]),
		Body:        firstString(x["articleBody"], x["text"]),
		Description: firstString(x["description"]),
		Lang:        firstString(x["inLanguage"]),
		Published:   firstString(x["datePublished"], x["dateCreated"]),
	}
}

func merge(dst *linkedData, src linkedData) {
	set := func(d *string, s string) {
		if *d == "" {
			*d = s
		}
	}
	set(&dst.Headline, src.Headline)
	set(&dst.Body, src.Body)
	set(&dst.Description, src.Description)
	set(&dst.Lang, src.Lang)
	set(&dst.Published, src.Published)
}

// stringsOf returns v as a list of strings (JSON-LD allows one or many).
func stringsOf(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func firstString(vs ...any) string {
	for _, v := range vs {
		for _, s := range stringsOf(v) {
			if s = strings.TrimSpace(s); s != "" {
				return s
			}
		}
		if m, ok := v.(map[string]any); ok { // {"@value": "..."} or a Language object
			if s := firstString(m["@value"], m["name"], m["alternateName"]); s != "" {
				return s
			}
		}
	}
	return ""
}
