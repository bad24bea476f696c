package claims

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Problem is one thing wrong (or, when Warning, merely suspicious) in a claim
// file, located so an analyst can jump straight to it.
type Problem struct {
	File         string
	Line, Column int // 1-based; 0 when the problem concerns the whole file
	Message      string
	// Warning problems do not stop a claim set from loading; `claims check`
	// prints them so the analyst can tidy up.
	Warning bool
}

// String gives "file:line:column: message", dropping line and column when
// unknown. It does not say whether the problem is a warning: callers that
// print warnings and errors together label them (see Warning).
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
		if p.Column > 0 {
			fmt.Fprintf(&b, ":%d", p.Column)
		}
	}
	b.WriteString(": ")
	b.WriteString(p.Message)
	return b.String()
}

// Problems is every problem found while loading; as an error it lists them
// all, one per line.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Errors returns the problems that are not warnings.
func (ps Problems) Errors() Problems {
	var errs Problems
	for _, p := range ps {
		if !p.Warning {
			errs = append(errs, p)
		}
	}
	return errs
}

// Warnings returns the problems that are only warnings.
func (ps Problems) Warnings() Problems {
	var ws Problems
	for _, p := range ps {
		if p.Warning {
			ws = append(ws, p)
		}
	}
	return ws
}

// sort orders problems by place, so output reads top to bottom per file.
func (ps Problems) sort() {
	slices.SortStableFunc(ps, func(a, b Problem) int {
		return cmp.Or(strings.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
	})
}
