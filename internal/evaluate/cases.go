// Package evaluate scores a matcher against labelled texts: per claim
// precision, recall, stance accuracy and a confusion matrix, and the items it
// got wrong. The labels come from a case file (JSONL, see ReadCases) or from
// an analyst's reviews; the package knows neither files on disk beyond
// reading cases nor the database.
package evaluate

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"strings"

	"github.com/claimwatch/claimwatch/claims"
)

// None is the expected or found stance of a claim a text does not bear on.
const None claims.Stance = "none"

// Case is one labelled news item of a case file (one JSON object per line):
//
//	{"url": "...", "outlet": "...", "date": "YYYY-MM-DD", "title": "...", "lead": "...",
//	 "labels": [{"claim": "eeu-iran-fta", "stance": "supports", "reason": "..."}],
//	 "hard_negative": false, "found_via": "..."}
//
// The title is matched as the document's title and the lead as its body. A
// claim not named in labels is expected to be none for the item.
type Case struct {
	URL          string  `json:"url"`
	Outlet       string  `json:"outlet"`
	Date         string  `json:"date"`
	Title        string  `json:"title"`
	Lead         string  `json:"lead"`
	Labels       []Label `json:"labels"`
	HardNegative bool    `json:"hard_negative"`
	FoundVia     string  `json:"found_via"`

	// File and Line say where the case was read, for messages.
	File string `json:"-"`
	Line int    `json:"-"`
}

// Label is the expected stance of one claim for a case.
type Label struct {
	Claim  string        `json:"claim"`
	Stance claims.Stance `json:"stance"`
	Reason string        `json:"reason"`
}

// maxLine bounds one case line; a case is a headline and a short lead.
const maxLine = 1 << 20

// ReadCases reads the case file r, named name in messages. Every problem is
// reported as name:line; the first one stops the reading.
func ReadCases(r io.Reader, name string) ([]Case, error) {
	var out []Case
	err := eachCase(r, name, func(c Case, _ []byte) error {
		out = append(out, c)
		return nil
	})
	return out, err
}

// eachCase calls fn with every case of r and its line as written, skipping
// blank lines.
func eachCase(r io.Reader, name string, fn func(c Case, raw []byte) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxLine)
	line := 0
	for sc.Scan() {
		line++
		raw := bytes.TrimSpace(sc.Bytes())
		if len(raw) == 0 {
			continue
		}
		c, err := parseCase(raw)
		if err != nil {
			return fmt.Errorf("%s:%d: %w", name, line, err)
		}
		c.File, c.Line = name, line
		if err := fn(c, raw); err != nil {
			return fmt.Errorf("%s:%d: %w", name, line, err)
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return fmt.Errorf("%s:%d: line longer than %d bytes", name, line+1, maxLine)
		}
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

func parseCase(raw []byte) (Case, error) {
	var c Case
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return c, fmt.Errorf("not a case object: %w", err)
	}
	if dec.More() {
		return c, errors.New("more than one JSON value on the line; a case is one object per line")
	}
	if strings.TrimSpace(c.URL) == "" {
		return c, errors.New(`"url" is missing`)
	}
	if strings.TrimSpace(c.Title) == "" && strings.TrimSpace(c.Lead) == "" {
		return c, errors.New(`"title" and "lead" are both empty: nothing to match`)
	}
	seen := map[string]bool{}
	for i, l := range c.Labels {
		if l.Claim == "" {
			return c, fmt.Errorf("label %d: \"claim\" is missing", i+1)
		}
		if seen[l.Claim] {
			return c, fmt.Errorf("label %d: claim %q is labelled twice", i+1, l.Claim)
		}
		seen[l.Claim] = true
		switch l.Stance {
		case claims.Supports, claims.Contradicts, claims.Mentions, None:
		default:
			return c, fmt.Errorf("label %d (%s): stance %q: want supports, contradicts, mentions or none", i+1, l.Claim, l.Stance)
		}
	}
	return c, nil
}

// LoadCases reads case files in order. One URL may appear once across them
// all, so no item is counted twice.
func LoadCases(paths ...string) ([]Case, error) {
	var out []Case
	first := map[string]string{}
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return nil, fmt.Errorf("case file: %w", err)
		}
		cs, err := ReadCases(f, p)
		f.Close()
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			at := fmt.Sprintf("%s:%d", c.File, c.Line)
			if prev, dup := first[c.URL]; dup {
				return nil, fmt.Errorf("%s: url %s is already a case at %s; one case per URL", at, c.URL, prev)
			}
			first[c.URL] = at
		}
		out = append(out, cs...)
	}
	return out, nil
}

// CheckLabels reports the first label naming a claim not in known, with the
// place, the nearest known id and the whole list.
func CheckLabels(cases []Case, known []string) error {
	set := make(map[string]bool, len(known))
	for _, id := range known {
		set[id] = true
	}
	for _, c := range cases {
		for _, l := range c.Labels {
			if !set[l.Claim] {
				return fmt.Errorf("%s:%d: %s", c.File, c.Line, UnknownClaim(l.Claim, known))
			}
		}
	}
	return nil
}

// UnknownClaim says that id is not a loaded claim, suggesting the nearest
// known id when one is close.
func UnknownClaim(id string, known []string) string {
	msg := fmt.Sprintf("unknown claim %q", id)
	if s := claims.Closest(id, known); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	return msg + "; known: " + strings.Join(known, ", ")
}

// SplitCases copies the cases of r, each line as written, to tune or test
// by Split of its URL, checking every line as ReadCases does. It returns
// how many went to each.
func SplitCases(r io.Reader, name string, tune, test io.Writer) (nTune, nTest int, err error) {
	err = eachCase(r, name, func(c Case, raw []byte) error {
		w := test
		if Split(c.URL) == "tune" {
			w, nTune = tune, nTune+1
		} else {
			nTest++
		}
		_, err := w.Write(append(raw, '\n'))
		return err
	})
	return nTune, nTest, err
}

// Split names the half a case belongs to: "tune" or "test". It is a fixed
// function of the URL alone — FNV-1a (32 bit) of the URL string, "tune" when
// the hash modulo 100 is below 60 — so the split never changes when cases are
// added, reordered or relabelled, and about 60 % of the cases are for tuning.
func Split(url string) string {
	h := fnv.New32a()
	h.Write([]byte(url))
	if h.Sum32()%100 < 60 {
		return "tune"
	}
	return "test"
}
