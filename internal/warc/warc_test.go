package warc

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var day = time.Date(2021, 3, 4, 5, 6, 7, 0, time.UTC)

func htmlPage(title string) string {
	return "<html><head><title>" + title + "</title></head><body><p>" + title + " body.</p></body></html>"
}

func response(headers, body string) []byte {
	return []byte("HTTP/1.1 200 OK\r\n" + headers + "\r\n" + body)
}

func chunked(body string) string {
	var b strings.Builder
	for len(body) > 0 {
		n := min(7, len(body))
		fmt.Fprintf(&b, "%x\r\n%s\r\n", n, body[:n])
		body = body[n:]
	}
	b.WriteString("0\r\n\r\n")
	return b.String()
}

func gzipped(s string) string {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write([]byte(s))
	zw.Close()
	return b.String()
}

// fixture writes a WARC of every kind of record the reader meets and
// returns its path and the titles of the pages it must yield, in order.
func fixture(t *testing.T, compress bool) (string, []string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "f.warc")
	if compress {
		path += ".gz"
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := NewWriter(f, compress)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	plain := htmlPage("plain")
	must(w.Request("https://news.example/plain", day))
	must(w.Response("https://news.example/plain", day, response(fmt.Sprintf("Content-Type: text/html; charset=utf-8\r\nContent-Length: %d\r\n", len(plain)), plain)))
	must(w.Response("https://news.example/chunked", day, response("Content-Type: text/html\r\nTransfer-Encoding: chunked\r\n", chunked(htmlPage("chunked")))))
	must(w.Response("https://news.example/dechunked", day, response("Content-Type: text/html\r\nTransfer-Encoding: chunked\r\n", htmlPage("dechunked"))))
	gz := gzipped(htmlPage("gzipped"))
	must(w.Response("https://news.example/gz", day, response(fmt.Sprintf("Content-Type: text/html\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n", len(gz)), gz)))
	must(w.Response("https://news.example/gone", day, []byte("HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\n\r\nnot here")))
	must(w.Response("https://news.example/logo.png", day, response("Content-Type: image/png\r\n", "\x89PNG")))
	latin := "<html><head><title>latin</title></head><body><p>caf\xe9</p></body></html>"
	must(w.Response("https://news.example/latin", day, response("Content-Type: text/html; charset=iso-8859-1\r\n", latin)))
	must(w.Resource("file:///saved/resource.html", day, "text/html", []byte(htmlPage("resource"))))
	return path, []string{"plain", "chunked", "dechunked", "gzipped", "latin", "resource"}
}

func readAll(t *testing.T, r *Reader) ([]Page, []error) {
	t.Helper()
	var pages []Page
	var errs []error
	for {
		p, err := r.Next()
		if errors.Is(err, io.EOF) {
			return pages, errs
		}
		var skip *SkipError
		if errors.As(err, &skip) {
			errs = append(errs, err)
			continue
		}
		if err != nil {
			return pages, append(errs, err)
		}
		pages = append(pages, p)
	}
}

func titleOf(p Page) string {
	s := string(p.Body)
	i, j := strings.Index(s, "<title>"), strings.Index(s, "</title>")
	if i < 0 || j < i {
		return ""
	}
	return s[i+7 : j]
}

func TestReadsEveryKindOfPage(t *testing.T) {
	for _, compress := range []bool{false, true} {
		t.Run(fmt.Sprintf("gzip=%v", compress), func(t *testing.T) {
			path, want := fixture(t, compress)
			r, err := Open(context.Background(), path, 0, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			pages, errs := readAll(t, r)
			if len(errs) > 0 {
				t.Fatalf("errors: %v", errs)
			}
			var got []string
			for _, p := range pages {
				got = append(got, titleOf(p))
				if !p.Date.Equal(day) {
					t.Errorf("%s: date %v, want %v", p.URL, p.Date, day)
				}
			}
			if strings.Join(got, ",") != strings.Join(want, ",") {
				t.Fatalf("pages %q, want %q", got, want)
			}
			if pages[4].ContentType != "text/html; charset=iso-8859-1" || !bytes.Contains(pages[4].Body, []byte("caf\xe9")) {
				t.Errorf("latin page: %q %q: the charset is the caller's to decode", pages[4].ContentType, pages[4].Body)
			}
			if r.Ignored != 3 {
				t.Errorf("ignored %d records, want 3 (request, 404, image)", r.Ignored)
			}
			// Reading again from a page's offset yields it again, and the rest.
			r2, err := Open(context.Background(), path, pages[2].Offset, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer r2.Close()
			again, errs := readAll(t, r2)
			if len(errs) > 0 || len(again) != len(pages)-2 || titleOf(again[0]) != "dechunked" {
				t.Fatalf("from offset %d: %d pages (%v), want %d from dechunked", pages[2].Offset, len(again), errs, len(pages)-2)
			}
		})
	}
}

func TestReadsWARC10(t *testing.T) {
	body := htmlPage("old")
	block := "HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n" + body
	rec := fmt.Sprintf("WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: http://old.example/a\r\nWARC-Date: 2009-01-02T03:04:05Z\r\n"+
		"WARC-Record-ID: <urn:uuid:11111111-2222-3333-4444-555555555555>\r\nContent-Type: application/http; msgtype=response\r\nContent-Length: %d\r\n\r\n%s\r\n\r\n", len(block), block)
	path := filepath.Join(t.TempDir(), "old.warc")
	os.WriteFile(path, []byte(rec), 0o644)
	r, err := Open(context.Background(), path, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	pages, errs := readAll(t, r)
	if len(errs) > 0 || len(pages) != 1 || titleOf(pages[0]) != "old" || pages[0].Date.Year() != 2009 {
		t.Fatalf("pages %+v errs %v", pages, errs)
	}
}

// members splits a .warc.gz fixture at its gzip members.
func writeMembers(t *testing.T, n int) (string, [][]byte) {
	t.Helper()
	var members [][]byte
	for i := range n {
		var b bytes.Buffer
		w := NewWriter(&b, true)
		body := htmlPage(fmt.Sprintf("page%d", i))
		if err := w.Response(fmt.Sprintf("https://news.example/%d", i), day, response("Content-Type: text/html\r\n", body)); err != nil {
			t.Fatal(err)
		}
		members = append(members, b.Bytes())
	}
	return filepath.Join(t.TempDir(), "m.warc.gz"), members
}

func TestBadRecordInTheMiddleIsSkipped(t *testing.T) {
	path, members := writeMembers(t, 5)
	bad := bytes.Clone(members[2])
	for i := 20; i < len(bad)-10; i++ {
		bad[i] ^= 0x5a // deflate data garbled, header intact
	}
	members[2] = bad
	os.WriteFile(path, bytes.Join(members, nil), 0o644)
	r, err := Open(context.Background(), path, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	pages, errs := readAll(t, r)
	var got []string
	for _, p := range pages {
		got = append(got, titleOf(p))
	}
	if strings.Join(got, ",") != "page0,page1,page3,page4" {
		t.Fatalf("pages %q (errors %v), want the bad record skipped and the rest read", got, errs)
	}
	if len(errs) == 0 {
		t.Fatalf("the bad record was skipped without a reason")
	}
	t.Logf("reason: %v", errs)
}

func TestTruncatedFile(t *testing.T) {
	path, members := writeMembers(t, 3)
	data := bytes.Join(members, nil)
	for _, cut := range []int{len(data) - 10, len(data) - len(members[2])/2} {
		os.WriteFile(path, data[:cut], 0o644)
		r, err := Open(context.Background(), path, 0, nil)
		if err != nil {
			t.Fatal(err)
		}
		pages, errs := readAll(t, r)
		r.Close()
		if len(pages) != 2 || len(errs) == 0 {
			t.Fatalf("cut at %d of %d: %d pages, errors %v; want 2 pages and an error", cut, len(data), len(pages), errs)
		}
		if !strings.Contains(errs[len(errs)-1].Error(), path) {
			t.Errorf("error %v does not name the file", errs[len(errs)-1])
		}
	}
}

func TestOversizedRecordIsSkipped(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.warc.gz")
	f, _ := os.Create(path)
	w := NewWriter(f, true)
	big := "<html><body>" + strings.Repeat("x", MaxRecordBytes+100<<10) + "</body></html>"
	w.Response("https://news.example/big", day, response("Content-Type: text/html\r\n", big))
	w.Response("https://news.example/small", day, response("Content-Type: text/html\r\n", htmlPage("small")))
	f.Close()
	r, err := Open(context.Background(), path, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	pages, errs := readAll(t, r)
	if len(pages) != 1 || titleOf(pages[0]) != "small" || len(errs) != 1 || !strings.Contains(errs[0].Error(), "limit") {
		t.Fatalf("pages %d, errors %v: want the big record skipped for its size", len(pages), errs)
	}
}

func TestOverHTTPWithRange(t *testing.T) {
	path, want := fixture(t, true)
	data, _ := os.ReadFile(path)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.ServeContent(w, r, "f.warc.gz", day, bytes.NewReader(data))
	}))
	defer srv.Close()
	r, err := Open(context.Background(), srv.URL+"/f.warc.gz", 0, srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	pages, errs := readAll(t, r)
	r.Close()
	if len(errs) > 0 || len(pages) != len(want) {
		t.Fatalf("%d pages, errors %v", len(pages), errs)
	}
	r, err = Open(context.Background(), srv.URL+"/f.warc.gz", pages[3].Offset, srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	rest, errs := readAll(t, r)
	if len(errs) > 0 || len(rest) != len(want)-3 || titleOf(rest[0]) != want[3] || rest[0].Offset != pages[3].Offset {
		t.Fatalf("from byte %d: %d pages (%v), want %d from %s", pages[3].Offset, len(rest), errs, len(want)-3, want[3])
	}
}

func TestExpand(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "sub"), 0o755)
	for _, n := range []string{"b.warc.gz", "a.warc", "notes.txt", "sub/c.WARC.GZ"} {
		os.WriteFile(filepath.Join(dir, n), nil, 0o644)
	}
	got, err := Expand([]string{dir, "https://x.example/y.warc.gz"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join(dir, "a.warc"), filepath.Join(dir, "b.warc.gz"), filepath.Join(dir, "sub/c.WARC.GZ"), "https://x.example/y.warc.gz"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("Expand = %q, want %q", got, want)
	}
	if _, err := Expand([]string{filepath.Join(dir, "missing")}); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Fatalf("missing input: %v", err)
	}
}
