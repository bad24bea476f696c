package charset

import (
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
)

// guessLegacy picks a single-byte charset for undeclared text that is not
// UTF-8. Latin text has accented letters scattered between ASCII ones
// ("Frédéric"); Cyrillic text is made of whole words of high bytes. For the
// latter, Russian being mostly lower case tells the two common encodings
// apart: KOI8-R puts lower case at 0xC0-0xDF, windows-1251 at 0xE0-0xFF.
// Anything else gets windows-1252, the web's default.
func guessLegacy(b []byte) (encoding.Encoding, string) {
	var high, inRun, lowerKOI, lower1251 int
	for i, c := range b {
		if c < 0x80 {
			continue
		}
		high++
		if (i > 0 && b[i-1] >= 0x80) || (i+1 < len(b) && b[i+1] >= 0x80) {
			inRun++
		}
		switch {
		case c >= 0xC0 && c <= 0xDF:
			lowerKOI++
		case c >= 0xE0:
			lower1251++
		}
	}
	if high < 16 || inRun*2 < high {
		return charmap.Windows1252, fallbackName
	}
	if lowerKOI > lower1251 {
		return charmap.KOI8R, "koi8-r"
	}
	return charmap.Windows1251, "windows-1251"
}
