package suggest

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"unicode"
)

// WriteText prints the three contrasts, each with its terms, counts and z.
func WriteText(w io.Writer, s Suggestions) error {
	for _, part := range []struct {
		title, target, others string
		c                     Contrast
	}{
		{"supports cues", "reviewed supports where the matcher said otherwise", "the other relevant reviews", s.Supports},
		{"contradicts cues", "reviewed contradicts where the matcher said otherwise", "the other relevant reviews", s.Contradicts},
		{"exclusions", "reviewed irrelevant", "the relevant ones", s.Exclude},
	} {
		fmt.Fprintf(w, "\n%s: %d %s, against %d %s\n", part.title, part.c.Target, part.target, part.c.Others, part.others)
		switch {
		case part.c.Target == 0 || part.c.Others == 0:
			fmt.Fprintln(w, "  (nothing to compare: reviews are needed on both sides)")
			continue
		case len(part.c.Terms) == 0:
			fmt.Fprintln(w, "  (no term is frequent enough: lower --min-count or review more evidence)")
			continue
		}
		tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  TERM\tIN TARGET\tIN OTHERS\tZ")
		for _, t := range part.c.Terms {
			fmt.Fprintf(tw, "  %s\t%d\t%d\t%.2f\n", t.Term, t.Count, t.Others, t.Z)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return nil
}

// YAML returns a snippet of claim file to paste: the terms with z at least
// SignificantZ, as stance cues and as an exclusion group named in
// match.none. It says so in a comment when there is nothing to propose.
func YAML(claimID string, s Suggestions) string {
	pick := func(c Contrast) []string {
		var out []string
		for _, t := range c.Terms {
			if t.Z >= SignificantZ {
				out = append(out, yamlScalar(t.Term))
			}
		}
		return out
	}
	sup, con, exc := pick(s.Supports), pick(s.Contradicts), pick(s.Exclude)
	var b strings.Builder
	fmt.Fprintf(&b, "# Suggested for %s from %d review(s): terms with z >= %g.\n", claimID, s.Reviews, SignificantZ)
	if len(sup)+len(con)+len(exc) == 0 {
		b.WriteString("# Nothing to propose yet: no term separates the reviews clearly enough.\n")
		return b.String()
	}
	b.WriteString("# Merge into the claim file (add to lists already there), then run\n")
	fmt.Fprintf(&b, "# 'claimwatch claims check FILE' and 'claimwatch eval --reviews --claim %s'.\n", claimID)
	if len(sup)+len(con) > 0 {
		b.WriteString("stance:\n")
		if len(sup) > 0 {
			fmt.Fprintf(&b, "  supports: [%s]\n", strings.Join(sup, ", "))
		}
		if len(con) > 0 {
			fmt.Fprintf(&b, "  contradicts: [%s]\n", strings.Join(con, ", "))
		}
	}
	if len(exc) > 0 {
		fmt.Fprintf(&b, "terms:\n  exclude: [%s]\nevent:\n  none: [exclude]\nabout:  # if the claim has one\n  none: [exclude]\n", strings.Join(exc, ", "))
	}
	return b.String()
}

// yamlScalar writes a term plain when YAML reads it back as that string,
// else double-quoted (JSON's quoting is valid YAML).
func yamlScalar(t string) string {
	plain := t != ""
	for i, r := range t {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !(i > 0 && (r == '\'' || r == '.')) {
			plain = false
		}
	}
	switch strings.ToLower(t) {
	case "y", "n", "yes", "no", "true", "false", "on", "off", "null", "~":
		plain = false
	}
	if plain {
		return t
	}
	q, _ := json.Marshal(t)
	return string(q)
}
