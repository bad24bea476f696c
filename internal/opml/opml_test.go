package opml

import (
	"bytes"
	"strings"
	"testing"
)

const readerExport = `<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0">
  <head><title>My feeds</title></head>
  <body>
    <outline text="Eurasia Review" type="rss" xmlUrl="https://www.eurasiareview.com/feed/" htmlUrl="https://www.eurasiareview.com/"/>
    <outline text="Iran" title="Iran">
      <outline text="Tehran Times" type="rss" xmlUrl="https://www.tehrantimes.com/rss"/>
      <outline title="IRNA English" type="rss" xmlURL="https://en.irna.ir/rss"/>
      <outline text="State media">
        <outline text="Mehr" xmlurl=" https://en.mehrnews.com/rss "/>
      </outline>
      <outline text="just a note"/>
    </outline>
    <outline text="TASS &amp; co" xmlUrl="https://tass.com/rss/v2.xml" category="/Russia,/Agencies"/>
  </body>
</opml>
`

func TestParseFlattensFolders(t *testing.T) {
	got, err := Parse(strings.NewReader(readerExport), "feeds.opml")
	if err != nil {
		t.Fatal(err)
	}
	want := []Outline{
		{Title: "Eurasia Review", XMLURL: "https://www.eurasiareview.com/feed/", HTMLURL: "https://www.eurasiareview.com/"},
		{Title: "Tehran Times", XMLURL: "https://www.tehrantimes.com/rss", Category: "Iran"},
		{Title: "IRNA English", XMLURL: "https://en.irna.ir/rss", Category: "Iran"},
		{Title: "Mehr", XMLURL: "https://en.mehrnews.com/rss", Category: "Iran/State media"},
		{Title: "TASS & co", XMLURL: "https://tass.com/rss/v2.xml", Category: "Russia"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d outlines: %+v", len(got), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("outline %d = %+v\nwant %+v", i, got[i], want[i])
		}
	}
}

func TestRoundTrip(t *testing.T) {
	in := []Outline{
		{Title: "Eurasia Review", XMLURL: "https://www.eurasiareview.com/feed/", HTMLURL: "https://www.eurasiareview.com/"},
		{Title: "Tehran Times", XMLURL: "https://www.tehrantimes.com/rss", Category: "Iran"},
		{Title: "TASS <English> & \"more\"", XMLURL: "https://tass.com/rss/v2.xml?a=1&b=2", Category: "Russia/Agencies"},
		{Title: "IRNA", XMLURL: "https://en.irna.ir/rss", Category: "Iran"},
		{Title: "ایران", XMLURL: "https://feeds.bbci.co.uk/persian/rss.xml"},
	}
	var buf bytes.Buffer
	if err := Write(&buf, "claimwatch sources", in); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "<title>claimwatch sources</title>") {
		t.Errorf("no title in:\n%s", buf.String())
	}
	out, err := Parse(&buf, "roundtrip.opml")
	if err != nil {
		t.Fatalf("%v\n%s", err, buf.String())
	}
	// Write groups each category into one folder, so the two Iran feeds
	// come back together.
	order := []int{0, 1, 3, 2, 4}
	if len(out) != len(in) {
		t.Fatalf("got %d outlines back: %+v", len(out), out)
	}
	for i, j := range order {
		if out[i] != in[j] {
			t.Errorf("outline %d = %+v\nwant %+v", i, out[i], in[j])
		}
	}
}

func TestParseLatin1(t *testing.T) {
	doc := "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<opml><body><outline text=\"Caf\xe9\" xmlUrl=\"https://cafe.example/feed\"/></body></opml>"
	got, err := Parse(strings.NewReader(doc), "latin1.opml")
	if err != nil || len(got) != 1 || got[0].Title != "Café" {
		t.Fatalf("got %+v, %v", got, err)
	}
}

// TestMalformed checks that each bad file is refused with its name and the
// line of the problem.
func TestMalformed(t *testing.T) {
	deep := "<opml><body>\n" + strings.Repeat("<outline text=\"f\">", 40) + "\n</body></opml>"
	cases := []struct {
		name, doc, want string
	}{
		{"not xml", "this is not xml", "bad.opml:1: no XML elements"},
		{"empty", "", "bad.opml:1: no XML elements"},
		{"wrong root", "<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel/></rss>", "bad.opml:2: not an OPML file"},
		{"unclosed outline", "<opml>\n<body>\n<outline text=\"a\" xmlUrl=\"https://a.example/\">\n</body>\n</opml>", "bad.opml:4: malformed XML"},
		{"bad attribute quoting", "<opml>\n<body>\n<outline text=a xmlUrl=\"https://a.example/\"/>\n</body></opml>", "bad.opml:3: malformed XML"},
		{"ftp feed", "<opml><body>\n<outline text=\"a\" xmlUrl=\"https://a.example/\"/>\n<outline text=\"b\" xmlUrl=\"ftp://b.example/feed\"/>\n</body></opml>", `bad.opml:3: outline "b": xmlUrl "ftp://b.example/feed": want an http(s) URL`},
		{"relative feed", "<opml><body>\n\n<outline text=\"c\" xmlUrl=\"/feed.xml\"/>\n</body></opml>", "bad.opml:3: outline \"c\""},
		{"no body", "<opml>\n<head><title>x</title></head>\n</opml>", "bad.opml:3: OPML document has no <body>"},
		{"too deep", deep, "bad.opml:2: outlines nested deeper"},
		{"unknown charset", "<?xml version=\"1.0\" encoding=\"klingon\"?>\n<opml><body/></opml>", "bad.opml:1:"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(tc.doc), "bad.opml")
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v\nwant …%s…", err, tc.want)
			}
		})
	}
}

func TestAllBadOutlinesReported(t *testing.T) {
	doc := "<opml><body>\n<outline text=\"a\" xmlUrl=\"ftp://a\"/>\n<outline text=\"b\" xmlUrl=\"mailto:x@y\"/>\n</body></opml>"
	_, err := Parse(strings.NewReader(doc), "two.opml")
	if err == nil || !strings.Contains(err.Error(), "two.opml:2:") || !strings.Contains(err.Error(), "two.opml:3:") {
		t.Errorf("err = %v", err)
	}
}

func BenchmarkParse(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("<opml><body>\n")
	for i := 0; i < 500; i++ {
		sb.WriteString(`<outline text="Folder"><outline text="Feed" xmlUrl="https://feeds.example/rss" htmlUrl="https://feeds.example/"/></outline>` + "\n")
	}
	sb.WriteString("</body></opml>\n")
	data := sb.String()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(strings.NewReader(data), "bench.opml"); err != nil {
			b.Fatal(err)
		}
	}
}
