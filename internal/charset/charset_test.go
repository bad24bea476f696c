package charset

import (
	"bytes"
	"encoding/xml"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"

	"github.com/claimwatch/claimwatch/internal/testcorpus"
)

// corpusCases lists every file of feeds/encoding and feeds/real with the
// charset it must be read as and words that only come out right when it is.
var corpusCases = map[string]struct {
	charset string
	words   []string
}{
	"encoding/encoding-invalid-prolog.xml":                {"utf-8", []string{"테스트 피드", "Café"}},
	"encoding/encoding-iso-8859-1-meta-after-1024.html":   {"windows-1252", []string{"Frédéric", "Café"}},
	"encoding/encoding-iso-8859-1.html":                   {"windows-1252", []string{"Frédéric", "Café"}},
	"encoding/encoding-iso-8859-1.xml":                    {"windows-1252", []string{"Café", "Présentation"}},
	"encoding/encoding-koi8r.xml":                         {"koi8-r", []string{"Пример RSS ленты", "Первая новость", "Тестовая лента в кодировке KOI8-R"}},
	"encoding/encoding-utf8-incorrect-prolog.xml":         {"utf-8", []string{"테스트 피드", "Café"}},
	"encoding/encoding-utf8-meta-after-1024.html":         {"utf-8", []string{"Frédéric", "Café"}},
	"encoding/encoding-utf8.html":                         {"utf-8", []string{"Café"}},
	"encoding/encoding-utf8.xml":                          {"utf-8", []string{"테스트 피드", "Café"}},
	"encoding/encoding-windows-1252-incorrect-prolog.xml": {"utf-8", []string{"Euro €"}},
	"encoding/encoding-windows-1252.xml":                  {"windows-1252", []string{"Euro €"}},
	"encoding/xml-iso88591.xml":                           {"windows-1252", []string{"Anaïs", "Jürgen"}},
	"encoding/xml-iso88591_utf8_mismatch.xml":             {"windows-1252", []string{"Anaïs", "Jürgen"}},
	"encoding/xml-koi8r.xml":                              {"koi8-r", []string{"Вторая новость", "Москва, Санкт-Петербург", "Проверка специальных символов"}},
	"real/encoding_ISO-8859-1.xml":                        {"windows-1252", []string{"Datenschutzbehörde", "München", "Großbritannien"}},
	"real/encoding_WINDOWS-1251.xml":                      {"windows-1251", []string{"Новый цитатник Рунета", "Цитата #17703"}},
	"real/large_atom.xml":                                 {"utf-8", []string{"Using vale with vim"}},
	"real/large_rss.xml":                                  {"utf-8", []string{"Using vale with vim"}},
	"real/no_encoding_ISO-8859-1.xml":                     {"windows-1252", []string{"criminalité", "Françoise", "Le Cercle Psy"}},
	"real/rdf_UTF8.xml":                                   {"utf-8", []string{"Vorsichtsmaßnahmen", "IBM übernimmt Red Hat"}},
	"real/small_atom.xml":                                 {"utf-8", []string{"Recent Commits to v2:main"}},
	"real/urdu_UTF8.xml":                                  {"utf-8", []string{"پاکستان کے لیے امریکی امداد"}},
}

func TestCorpusDecodesToUTF8(t *testing.T) {
	feeds := testcorpus.Path(t, "feeds")
	seen := 0
	for _, sub := range []string{"encoding", "real"} {
		entries, err := os.ReadDir(filepath.Join(feeds, sub))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			name := sub + "/" + e.Name()
			want, ok := corpusCases[name]
			if !ok {
				t.Errorf("%s: no expectation in corpusCases; add one", name)
				continue
			}
			seen++
			t.Run(name, func(t *testing.T) {
				raw, err := os.ReadFile(filepath.Join(feeds, name))
				if err != nil {
					t.Fatal(err)
				}
				decodeFn := DecodeXML
				if strings.HasSuffix(name, ".html") {
					decodeFn = DecodeHTML
				}
				out, cs, err := decodeFn(raw, "")
				if err != nil {
					t.Fatalf("decode: %v", err)
				}
				if cs != want.charset {
					t.Errorf("charset = %q, want %q", cs, want.charset)
				}
				if !utf8.Valid(out) || bytes.ContainsRune(out, utf8.RuneError) {
					t.Errorf("output is not clean UTF-8")
				}
				for _, w := range want.words {
					if !bytes.Contains(out, []byte(w)) {
						t.Errorf("output lacks %q", w)
					}
				}
				if bytes.Contains(out, []byte("Ã")) || bytes.Contains(out, []byte("Ð")) {
					t.Errorf("output contains mojibake (UTF-8 decoded as a single-byte charset)")
				}
				if enc := prologEncoding(out); enc != "" && !strings.EqualFold(enc, "utf-8") {
					t.Errorf("prolog still declares %q after conversion", enc)
				}
			})
		}
	}
	if seen != len(corpusCases) {
		t.Errorf("corpusCases has %d entries but %d files were found", len(corpusCases), seen)
	}
}

// The rewritten prolog lets encoding/xml read a KOI8-R feed with no
// CharsetReader: it would refuse the original declaration.
func TestDecodeXMLRewritesProlog(t *testing.T) {
	raw, err := os.ReadFile(testcorpus.Path(t, "feeds", "encoding", "encoding-koi8r.xml"))
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Title string `xml:"channel>title"`
	}
	if err := xml.Unmarshal(raw, &v); err == nil {
		t.Fatal("encoding/xml accepted a KOI8-R prolog without a CharsetReader; the test proves nothing")
	}
	out, _, err := DecodeXML(raw, "application/rss+xml")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(out, []byte(`<?xml version="1.0" encoding="UTF-8"?>`)) {
		t.Errorf("prolog = %q", out[:50])
	}
	if err := xml.Unmarshal(out, &v); err != nil {
		t.Fatalf("unmarshal converted feed: %v", err)
	}
	if v.Title != "Пример RSS ленты" {
		t.Errorf("title = %q", v.Title)
	}
}

func TestDeclarationPrecedence(t *testing.T) {
	cp1251, _ := charmap.Windows1251.NewEncoder().String("Новости дня")
	latin1, _ := charmap.ISO8859_1.NewEncoder().String("Fréderic à Genève")
	utf16le, _ := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String("<p>Привет</p>")
	tests := []struct {
		name, body, contentType string
		decode                  func([]byte, string) ([]byte, string, error)
		wantCharset, wantText   string
	}{
		{"header charset, no meta", "<p>" + cp1251 + "</p>", "text/html; charset=windows-1251", DecodeHTML, "windows-1251", "Новости дня"},
		{"header beats meta", `<meta charset="koi8-r"><p>` + cp1251, "text/html; charset=cp1251", DecodeHTML, "windows-1251", "Новости дня"},
		{"header says UTF-8 but is not: meta next", `<meta charset="iso-8859-1"><p>` + latin1, "text/html; charset=utf-8", DecodeHTML, "windows-1252", "Fréderic à Genève"},
		{"header says UTF-8 but is not, no meta", "<p>" + latin1, "text/html; charset=UTF-8", DecodeHTML, "windows-1252", "Fréderic à Genève"},
		{"header says Latin-1 but is UTF-8", "<p>Fréderic à Genève", "text/html; charset=ISO-8859-1", DecodeHTML, "utf-8", "Fréderic à Genève"},
		{"http-equiv meta", `<meta http-equiv="Content-Type" content="text/html; charset=windows-1251"><p>` + cp1251, "", DecodeHTML, "windows-1251", "Новости дня"},
		{"meta in a comment is ignored", `<!-- <meta charset="koi8-r"> --><meta charset="windows-1251"><p>` + cp1251, "", DecodeHTML, "windows-1251", "Новости дня"},
		{"unknown label ignored", `<meta charset="no-such-charset"><p>` + latin1, "text/html; charset=bogus", DecodeHTML, "windows-1252", "Fréderic à Genève"},
		{"UTF-8 BOM stripped", "\xEF\xBB\xBF<p>Café", "text/html; charset=windows-1252", DecodeHTML, "utf-8", "<p>Café"},
		{"UTF-16LE BOM", utf16le, "", DecodeHTML, "utf-16le", "<p>Привет</p>"},
		{"quoted header charset", "<p>" + cp1251, `text/html; charset="windows-1251"`, DecodeHTML, "windows-1251", "Новости дня"},
		{"IANA-only label", "<p>" + cp1251, "text/html; charset=cp1251", DecodeHTML, "windows-1251", "Новости дня"},
		{"XML header beats prolog", `<?xml version="1.0" encoding="koi8-r"?><t>` + cp1251 + "</t>", "application/xml; charset=windows-1251", DecodeXML, "windows-1251", `<?xml version="1.0" encoding="UTF-8"?><t>Новости дня</t>`},
		{"XML single-quoted prolog", `<?xml version='1.0' encoding='windows-1251'?><t>` + cp1251 + "</t>", "", DecodeXML, "windows-1251", `<?xml version='1.0' encoding='UTF-8'?><t>Новости дня</t>`},
		{"XML without prolog, not UTF-8", "<t>" + latin1 + "</t>", "", DecodeXML, "windows-1252", "<t>Fréderic à Genève</t>"},
		{"empty body", "", "text/html", DecodeHTML, "utf-8", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, cs, err := tt.decode([]byte(tt.body), tt.contentType)
			if err != nil {
				t.Fatal(err)
			}
			if cs != tt.wantCharset {
				t.Errorf("charset = %q, want %q", cs, tt.wantCharset)
			}
			if !strings.Contains(string(out), tt.wantText) {
				t.Errorf("output %q lacks %q", out, tt.wantText)
			}
			if !utf8.Valid(out) {
				t.Errorf("output is not valid UTF-8")
			}
		})
	}
}

// With their declarations removed, the legacy corpus feeds must still be
// read in the right charset.
func TestGuessUndeclared(t *testing.T) {
	tests := map[string]struct{ charset, word string }{
		"real/encoding_WINDOWS-1251.xml":          {"windows-1251", "Новый цитатник Рунета"},
		"encoding/encoding-koi8r.xml":             {"koi8-r", "Первая новость"},
		"real/encoding_ISO-8859-1.xml":            {"windows-1252", "Datenschutzbehörde"},
		"real/no_encoding_ISO-8859-1.xml":         {"windows-1252", "criminalité"},
		"encoding/xml-iso88591_utf8_mismatch.xml": {"windows-1252", "Jürgen"},
	}
	for name, want := range tests {
		raw, err := os.ReadFile(testcorpus.Path(t, "feeds", name))
		if err != nil {
			t.Fatal(err)
		}
		undeclared := regexp.MustCompile(`^<\?xml[^>]*\?>`).ReplaceAll(raw, nil)
		if prologEncoding(undeclared) != "" {
			t.Fatalf("%s: prolog not removed", name)
		}
		out, cs, err := DecodeXML(undeclared, "application/xml")
		if err != nil {
			t.Fatal(err)
		}
		if cs != want.charset || !bytes.Contains(out, []byte(want.word)) {
			t.Errorf("%s: charset %q (want %q), contains %q: %v", name, cs, want.charset, want.word, bytes.Contains(out, []byte(want.word)))
		}
	}
}

func BenchmarkDecodeXML(b *testing.B) {
	for _, name := range []string{"large_rss.xml", "encoding_WINDOWS-1251.xml"} {
		raw, err := os.ReadFile(testcorpus.Path(b, "feeds", "real", name))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(raw)))
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := DecodeXML(raw, ""); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
