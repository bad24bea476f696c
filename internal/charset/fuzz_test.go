package charset

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"github.com/claimwatch/claimwatch/internal/testcorpus"
)

// FuzzDecode feeds arbitrary bodies and Content-Types to DecodeHTML and
// DecodeXML, seeded with the corpus's encoding tests and small real feeds.
// Whatever the bytes and labels, a successful decode is valid UTF-8 and names
// its charset, and text that is plain ASCII with no labels comes back as is.
func FuzzDecode(f *testing.F) {
	// Small files only: the mutator works best on short inputs.
	paths, _ := filepath.Glob(filepath.Join(testcorpus.Dir(f), "feeds", "*", "*"))
	for _, p := range paths {
		if data, err := os.ReadFile(p); err == nil && len(data) <= 8<<10 {
			f.Add(data, "")
		}
	}
	f.Add([]byte("caf\xe9 \xff\xfe"), "text/html; charset=utf-16le")
	f.Add([]byte("\xfe\xff\x00<\x00a"), "")
	f.Add([]byte(`<?xml version="1.0" encoding="iso-2022-jp"?><a>`+"\x1b$B"), "application/xml; charset=\"shift_jis\"")
	f.Add([]byte(`<meta http-equiv="Content-Type" content="text/html; charset=koi8-r">`+"\xf0\xd2\xc9"), "text/html")

	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		in := bytes.Clone(body)
		for kind, decode := range map[string]func([]byte, string) ([]byte, string, error){"HTML": DecodeHTML, "XML": DecodeXML} {
			out, name, err := decode(body, contentType)
			if !bytes.Equal(body, in) {
				t.Fatalf("Decode%s modified its input", kind)
			}
			if err != nil {
				continue
			}
			if !utf8.Valid(out) {
				t.Fatalf("Decode%s(%q, %q) as %s: invalid UTF-8 %q", kind, body, contentType, name, out)
			}
			if name == "" {
				t.Fatalf("Decode%s(%q, %q): no charset name", kind, body, contentType)
			}
			if contentType == "" && asciiOnly(body) && !bytes.Contains(body, []byte("encoding")) &&
				!bytes.Contains(bytes.ToLower(body), []byte("charset")) && !bytes.Equal(out, body) {
				t.Fatalf("Decode%s changed undeclared ASCII %q to %q (%s)", kind, body, out, name)
			}
		}
	})
}
