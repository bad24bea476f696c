package report

import (
	"io"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"
)

// DefaultWidth is the line width when the output is not a terminal and
// $COLUMNS is not set.
const DefaultWidth = 100

// Width is the line width to wrap text for w: the terminal's, else $COLUMNS,
// else DefaultWidth.
func Width(w io.Writer) int {
	if f, ok := w.(*os.File); ok {
		if n := ttyColumns(f); n > 0 {
			return n
		}
	}
	if n, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && n > 0 {
		return n
	}
	return DefaultWidth
}

// Wrap breaks s into lines of at most width runes, at spaces; a word longer
// than width gets a line of its own.
func Wrap(s string, width int) []string {
	width = max(width, 20)
	var lines []string
	var cur strings.Builder
	n := 0
	for _, word := range strings.Fields(s) {
		wl := utf8.RuneCountInString(word)
		if n > 0 && n+1+wl > width {
			lines = append(lines, cur.String())
			cur.Reset()
			n = 0
		}
		if n > 0 {
			cur.WriteByte(' ')
			n++
		}
		cur.WriteString(word)
		n += wl
	}
	if n > 0 {
		lines = append(lines, cur.String())
	}
	return lines
}
