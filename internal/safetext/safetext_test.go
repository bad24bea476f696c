package safetext

import (
	"bytes"
	"testing"
)

func TestCleanStripsTerminalControls(t *testing.T) {
	for in, want := range map[string]string{
		"plain title":                         "plain title",
		"clear\x1b[2J\x1b[Hscreen":            "clear[2J[Hscreen",
		"osc52\x1b]52;c;ZXZpbA==\x07 end":     "osc52]52;c;ZXZpbA== end",
		"c1 csi \u009b31m red":                "c1 csi 31m red",
		"raw byte \x9b31m":                    "raw byte \ufffd31m",
		"del\x7f":                             "del",
		"cr\rover":                            "crover",
		"tab\tand\nnewline":                   "tab\tand\nnewline",
		"bidi \u202eevil\u202c txt":           "bidi evil txt",
		"isolate \u2066a\u2069 \u2067b\u2068": "isolate a b",
		"فارسی\u200cها \u200fRLM \u200eLRM":   "فارسی\u200cها \u200fRLM \u200eLRM",
		"null\x00byte":                        "nullbyte",
	} {
		if got := Clean(in); got != want {
			t.Errorf("Clean(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestUnsafe(t *testing.T) {
	for in, want := range map[string]rune{
		"plain\ttext\n":    0,
		"cr\rover":         '\r',
		"esc \x1b[2J":      0x1b,
		"c1 \u009b31m":     0x9b,
		"del\x7f":          0x7f,
		"bidi \u202eevil":  0x202e,
		"isolate \u2066a":  0x2066,
		"rlm \u200f ok":    0,
		"raw byte \x9b31m": 0,
	} {
		r, bad := Unsafe(in)
		if bad != (want != 0) || r != want {
			t.Errorf("Unsafe(%q) = %U, %t; want %U", in, r, bad, want)
		}
	}
}

func TestLineFoldsTabsAndNewlines(t *testing.T) {
	if got, want := Line("a\tb\nc\x1b[0m"), "a b c[0m"; got != want {
		t.Errorf("Line = %q, want %q", got, want)
	}
}

// TestWriterHoldsSplitCharacters: a bidi override written one byte at a
// time still does not reach the terminal.
func TestWriterHoldsSplitCharacters(t *testing.T) {
	var out bytes.Buffer
	w := NewWriter(&out)
	in := []byte("x\u202ey\u00e9\x1bz\n")
	for i := range in {
		if n, err := w.Write(in[i : i+1]); n != 1 || err != nil {
			t.Fatalf("Write = %d, %v", n, err)
		}
	}
	if got, want := out.String(), "xy\u00e9z\n"; got != want {
		t.Errorf("wrote %q, want %q", got, want)
	}
}

func BenchmarkCleanASCII(b *testing.B) {
	s := string(bytes.Repeat([]byte("An ordinary line of news text, with words.\n"), 200))
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		Clean(s)
	}
}
