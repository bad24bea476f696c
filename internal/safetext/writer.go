package safetext

import (
	"io"
	"unicode/utf8"
)

// Writer applies Clean to everything written through it, for output meant
// for a terminal. A character split across two writes is held back until
// the rest arrives, so a multi-byte bidi override cannot slip through in
// pieces.
type Writer struct {
	w    io.Writer
	tail []byte // an incomplete UTF-8 sequence from the previous write
}

// NewWriter returns a Writer that writes cleaned text to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

// Write cleans p and writes it. It reports len(p) on success, as callers
// such as fmt and text/tabwriter expect, whatever was removed.
func (sw *Writer) Write(p []byte) (int, error) {
	buf := append(sw.tail, p...)
	sw.tail = nil
	if cut := incompleteTail(buf); cut < len(buf) {
		sw.tail = append([]byte(nil), buf[cut:]...)
		buf = buf[:cut]
	}
	if _, err := io.WriteString(sw.w, Clean(string(buf))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// incompleteTail is where a trailing, not yet complete UTF-8 sequence of b
// starts (len(b) when there is none).
func incompleteTail(b []byte) int {
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax+1; i-- {
		if utf8.RuneStart(b[i]) {
			if b[i] >= utf8.RuneSelf && !utf8.FullRune(b[i:]) {
				return i
			}
			break
		}
	}
	return len(b)
}
