package warc

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"time"

	gowarc "github.com/nlnwa/gowarc/v3"
)

// Writer writes WARC 1.1 records, each its own gzip member when
// compressed. Backfill does not write WARC files; tests and benchmarks
// make their fixtures with it.
type Writer struct {
	w        io.Writer
	compress bool
	m        gowarc.Marshaler
	buf      bytes.Buffer
}

// NewWriter writes records to w, gzipped per record when compress.
func NewWriter(w io.Writer, compress bool) *Writer {
	return &Writer{w: w, compress: compress, m: gowarc.NewMarshaler()}
}

// Response writes a response record: httpMessage is the whole HTTP
// response (status line, headers, blank line, payload) as captured.
func (w *Writer) Response(url string, date time.Time, httpMessage []byte) error {
	return w.record(gowarc.Response, "application/http;msgtype=response", url, date, httpMessage)
}

// Resource writes a resource record holding a page as is.
func (w *Writer) Resource(url string, date time.Time, contentType string, body []byte) error {
	return w.record(gowarc.Resource, contentType, url, date, body)
}

// Request writes a request record (not a page: readers skip it).
func (w *Writer) Request(url string, date time.Time) error {
	return w.record(gowarc.Request, "application/http;msgtype=request", url, date, []byte("GET / HTTP/1.1\r\nHost: example\r\n\r\n"))
}

func (w *Writer) record(kind gowarc.RecordType, contentType, url string, date time.Time, block []byte) error {
	b := gowarc.NewRecordBuilder(kind, gowarc.WithNoValidation(), gowarc.WithAddMissingRecordId(true),
		gowarc.WithAddMissingContentLength(true), gowarc.WithAddMissingDigest(false))
	defer b.Close()
	if _, err := b.Write(block); err != nil {
		return fmt.Errorf("warc record %s: %w", url, err)
	}
	b.AddWarcHeader(gowarc.WarcTargetURI, url)
	b.AddWarcHeaderTime(gowarc.WarcDate, date)
	b.AddWarcHeader(gowarc.ContentType, contentType)
	rec, _, err := b.Build()
	if err != nil {
		return fmt.Errorf("warc record %s: %w", url, err)
	}
	defer rec.Close()
	w.buf.Reset()
	if _, _, err := w.m.Marshal(&w.buf, rec, 0); err != nil {
		return fmt.Errorf("warc record %s: %w", url, err)
	}
	if !w.compress {
		_, err = w.w.Write(w.buf.Bytes())
		return err
	}
	zw := gzip.NewWriter(w.w)
	if _, err := zw.Write(w.buf.Bytes()); err != nil {
		return fmt.Errorf("warc record %s: %w", url, err)
	}
	return zw.Close()
}
