package query

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// Article is one entry of a GDELT DOC API article list.
type Article struct {
	URL      string
	Title    string
	Seendate time.Time // when GDELT first saw the article, not when it was published
	Domain   string
	Language string // English name, e.g. "Russian"
}

// gdeltTime is the layout of GDELT's seendate ("20200110T083000Z").
const gdeltTime = "20060102T150405Z"

// ParseGDELTJSON reads a DOC API answer in format=json. GDELT reports a
// rejected query as plain text with status 200 ("Your search contained a
// keyword that was too short."), which comes back as an error quoting it.
// An empty answer ("" or "{}") is no articles. Entries without a URL are
// skipped; a seendate that does not parse is an error, since it means the
// format changed.
func ParseGDELTJSON(data []byte) ([]Article, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, nil
	}
	if trimmed[0] != '{' {
		msg := string(trimmed)
		if len(msg) > 200 {
			msg = msg[:200] + "…"
		}
		return nil, fmt.Errorf("gdelt: query rejected: %s", msg)
	}
	var doc struct {
		Articles []struct {
			URL      string `json:"url"`
			Title    string `json:"title"`
			Seendate string `json:"seendate"`
			Domain   string `json:"domain"`
			Language string `json:"language"`
		} `json:"articles"`
	}
	if err := json.Unmarshal(trimmed, &doc); err != nil {
		return nil, fmt.Errorf("gdelt: bad JSON answer: %w", err)
	}
	out := make([]Article, 0, len(doc.Articles))
	for _, a := range doc.Articles {
		if a.URL == "" {
			continue
		}
		art := Article{URL: a.URL, Title: a.Title, Domain: a.Domain, Language: a.Language}
		if a.Seendate != "" {
			t, err := time.Parse(gdeltTime, a.Seendate)
			if err != nil {
				return nil, fmt.Errorf("gdelt: article %s: bad seendate %q (want %s)", a.URL, a.Seendate, gdeltTime)
			}
			art.Seendate = t
		}
		out = append(out, art)
	}
	return out, nil
}
