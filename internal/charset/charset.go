// Package charset turns fetched HTML and XML bodies into UTF-8. It decides the
// encoding from, in order: a byte-order mark, the Content-Type charset, and the
// document's own declaration (XML prolog, or <meta charset>/http-equiv, looked
// for in the first 64 KiB rather than the 1024 bytes browsers use). Declarations
// are checked against the bytes: a body that is valid UTF-8 stays UTF-8 even
// when labelled as a single-byte charset, and a body labelled UTF-8 that is not
// falls back to the next declaration or a guess (windows-1252, or
// windows-1251/KOI8-R for text that looks Cyrillic). Parsing the result is for
// internal/feed and the extractors.
package charset

import (
	"bytes"
	"fmt"
	"mime"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	htmlcharset "golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/encoding/unicode"
)

const (
	// scanLimit is how far into the document a <meta> charset is looked for.
	scanLimit = 64 << 10
	utf8Name  = "utf-8"
	// fallbackName is what the web assumes for undeclared, non-UTF-8 text.
	fallbackName = "windows-1252"
)

// DecodeHTML returns body as UTF-8 and the name of the charset it was decoded
// from (WHATWG names: "utf-8", "windows-1252", "koi8-r", ...).
func DecodeHTML(body []byte, contentType string) ([]byte, string, error) {
	return decode(body, contentType, metaCharset)
}

// DecodeXML is DecodeHTML for XML: the declaration looked at is the prolog's
// encoding, and the returned document's prolog says UTF-8 so that an XML
// parser does not convert it a second time.
func DecodeXML(body []byte, contentType string) ([]byte, string, error) {
	out, name, err := decode(body, contentType, prologEncoding)
	if err != nil {
		return nil, "", err
	}
	return rewriteProlog(out), name, nil
}

func decode(body []byte, contentType string, declared func([]byte) string) ([]byte, string, error) {
	if enc, name, n := sniffBOM(body); enc != nil {
		return convert(body[n:], enc, name)
	}
	valid := utf8.Valid(body)
	// The <meta> declaration is looked for only when the header does not
	// settle it: tokenising the head costs as much as reading the page.
	for i := range 2 {
		label := headerCharset(contentType)
		if i == 1 {
			label = declared(body[:min(len(body), scanLimit)])
		}
		enc, name := lookup(label)
		switch {
		case enc == nil: // none or unknown: look further
		case name == utf8Name:
			if valid {
				return body, utf8Name, nil
			}
			// Labelled UTF-8 but is not: try the next declaration.
		case valid && !asciiOnly(body) && !honourOverUTF8(name):
			// Real UTF-8 text (multi-byte sequences) labelled as a legacy
			// charset is a mislabel; decoding it again would make mojibake.
			return body, utf8Name, nil
		default:
			return convert(body, enc, name)
		}
	}
	if valid {
		return body, utf8Name, nil
	}
	enc, name := guessLegacy(body)
	return convert(body, enc, name)
}

// honourOverUTF8: UTF-16 text can be valid UTF-8 by accident (code units made
// of bytes that pair up as UTF-8 sequences), so the valid-UTF-8 check says
// nothing about it. (7-bit charsets such as ISO-2022-JP are ASCII-only and
// never reach the check.)
func honourOverUTF8(name string) bool {
	return strings.HasPrefix(name, "utf-16")
}

func convert(body []byte, enc encoding.Encoding, name string) ([]byte, string, error) {
	if name == utf8Name {
		// After a BOM: repair rather than reject stray invalid bytes.
		return bytes.ToValidUTF8(body, []byte("\uFFFD")), name, nil
	}
	out, err := enc.NewDecoder().Bytes(body)
	if err != nil {
		return nil, "", fmt.Errorf("decode %s: %w", name, err)
	}
	return out, name, nil
}

func sniffBOM(b []byte) (encoding.Encoding, string, int) {
	switch {
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		return unicode.UTF8, utf8Name, 3
	case bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		return unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), "utf-16be", 2
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}):
		return unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), "utf-16le", 2
	}
	return nil, "", 0
}

// lookup resolves a label by the WHATWG table first (what browsers do, e.g.
// iso-8859-1 means windows-1252), then by the IANA registry. It returns nil
// for empty or unknown labels, and for the WHATWG "replacement" encoding,
// which would throw the whole text away.
func lookup(label string) (encoding.Encoding, string) {
	label = strings.ToLower(strings.TrimSpace(strings.Trim(label, `"'`)))
	if label == "" {
		return nil, ""
	}
	if enc, name := htmlcharset.Lookup(label); enc != nil {
		if name == "replacement" {
			return nil, ""
		}
		return enc, name
	}
	if enc, err := ianaindex.IANA.Encoding(label); err == nil && enc != nil {
		name, _ := ianaindex.IANA.Name(enc)
		return enc, strings.ToLower(name)
	}
	return nil, ""
}

// headerCharset is the charset parameter of a Content-Type header.
func headerCharset(contentType string) string {
	if contentType == "" {
		return ""
	}
	_, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		// Tolerate "text/html; charset=..." with other broken parameters.
		if m := charsetParamRE.FindStringSubmatch(contentType); m != nil {
			return m[1]
		}
		return ""
	}
	return params["charset"]
}

// charsetParamRE finds a charset parameter in a header mime cannot parse. It
// matches case-insensitively in place: lower-casing first would turn each
// invalid byte into a 3-byte U+FFFD and shift the offsets.
var charsetParamRE = regexp.MustCompile(`(?i)charset=([^; ]*)`)

var prologRE = regexp.MustCompile(`^\s*<\?xml[^>]*?\sencoding\s*=\s*["']([^"']*)["']`)

// prologEncoding is the encoding named in an XML declaration.
func prologEncoding(b []byte) string {
	if m := prologRE.FindSubmatch(b[:min(len(b), 512)]); m != nil {
		return string(m[1])
	}
	return ""
}

// rewriteProlog makes an XML declaration's encoding say UTF-8.
func rewriteProlog(b []byte) []byte {
	loc := prologRE.FindSubmatchIndex(b[:min(len(b), 512)])
	if loc == nil {
		return b
	}
	start, end := loc[2], loc[3]
	if strings.EqualFold(string(b[start:end]), "utf-8") {
		return b
	}
	out := make([]byte, 0, len(b)+5)
	out = append(out, b[:start]...)
	out = append(out, "UTF-8"...)
	return append(out, b[end:]...)
}

// metaCharset finds <meta charset> or <meta http-equiv=Content-Type
// content="...; charset=..."> with a real tokenizer, so that markup inside
// comments and scripts is not mistaken for a declaration.
func metaCharset(b []byte) string {
	z := html.NewTokenizer(bytes.NewReader(b))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return ""
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			if string(name) != "meta" || !hasAttr {
				continue
			}
			var charset, httpEquiv, content string
			for {
				key, val, more := z.TagAttr()
				switch strings.ToLower(string(key)) {
				case "charset":
					charset = string(val)
				case "http-equiv":
					httpEquiv = strings.ToLower(string(val))
				case "content":
					content = string(val)
				}
				if !more {
					break
				}
			}
			if charset != "" {
				return charset
			}
			if httpEquiv == "content-type" {
				if cs := headerCharset(content); cs != "" {
					return cs
				}
			}
		}
	}
}

func asciiOnly(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
