// Package warc reads archived web pages out of WARC files (WARC 1.0 and
// 1.1, plain or one gzip member per record), local or over http(s), through
// github.com/nlnwa/gowarc/v3. It yields the pages a news archive holds:
// response records with a 2xx HTML answer and resource records of HTML,
// their HTTP payload de-chunked and decompressed. Charsets are left to the
// caller (internal/charset), which knows the Content-Type it is given.
//
// The reader was chosen by measurement: on a generated file of 4,000
// gzipped 20 KB response records, payloads read whole, nlnwa/gowarc/v3
// v3.1.0 read 7,100 records/s (305 MB allocated), internetarchive/gowarc
// v0.8.96 16,500 records/s (88 MB). Both are several times what backfill
// needs end to end (1,500 records/s, where extraction dominates); nlnwa's
// has a small dependency set, while internetarchive's one package is also
// a crawler and links a TLS-fingerprinting client, a DNS resolver and
// their dependencies into every binary, and nlnwa's reader reports each
// record's byte offset and starts at any offset, which is what a
// resumable backfill checkpoints.
package warc

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	gowarc "github.com/nlnwa/gowarc/v3"
)

// MaxRecordBytes bounds one record's payload (10 MiB, as extraction's page
// limit): larger records are skipped with a reason, never read into memory.
const MaxRecordBytes = 10 << 20

// Page is one archived page.
type Page struct {
	URL string
	// Date is the record's WARC-Date: when the archive captured the page.
	Date time.Time
	// ContentType is the payload's (HTTP Content-Type, or the record's for
	// a resource record).
	ContentType string
	Body        []byte
	// Offset is where the record starts in the file (in the compressed
	// bytes for a .warc.gz): reading again from there yields it again.
	Offset int64
}

// SkipError says why a record was not turned into a page; the reader goes
// on with the next record.
type SkipError struct {
	Source string
	Offset int64
	Reason string
}

func (e *SkipError) Error() string {
	return fmt.Sprintf("%s: record at byte %d skipped: %s", e.Source, e.Offset, e.Reason)
}

// Reader reads the pages of one WARC file.
type Reader struct {
	src  string
	body io.ReadCloser
	r    *gowarc.WarcFileReader
	buf  bytes.Buffer
	// Ignored counts records that are not pages (requests, metadata,
	// redirects, images): not errors, just not read.
	Ignored int
}

// Open opens a WARC file (a path or an http(s) URL) to read from byte
// offset on; offset is a Page.Offset from an earlier read, or 0.
func Open(ctx context.Context, src string, offset int64, client *http.Client) (*Reader, error) {
	var body io.ReadCloser
	if isURL(src) {
		var err error
		if body, err = openURL(ctx, src, offset, client); err != nil {
			return nil, err
		}
	} else {
		f, err := os.Open(src)
		if err != nil {
			return nil, fmt.Errorf("warc %s: %w", src, err)
		}
		body = f
	}
	opts := []gowarc.WarcRecordOption{
		gowarc.WithSyntaxErrorPolicy(gowarc.ErrIgnore),
		gowarc.WithSpecViolationPolicy(gowarc.ErrWarn), // caches the block, so it can be read after Next
		gowarc.WithUnknownRecordTypePolicy(gowarc.ErrIgnore),
		gowarc.WithBlockErrorPolicy(gowarc.ErrIgnore),
		gowarc.WithSkipParseBlock(),
	}
	var stream io.Reader = body
	if _, seekable := body.(io.Seeker); !seekable {
		stream = &offsetStream{body}
	}
	r, err := gowarc.NewWarcFileReaderFromStream(stream, offset, opts...)
	if err != nil {
		body.Close()
		return nil, fmt.Errorf("warc %s: %w", src, err)
	}
	return &Reader{src: src, body: body, r: r}, nil
}

// offsetStream hides a stream's lack of Seek: an http body is already at
// the offset asked for.
type offsetStream struct{ io.Reader }

func openURL(ctx context.Context, src string, offset int64, client *http.Client) (io.ReadCloser, error) {
	if client == nil {
		client = http.DefaultClient
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, src, nil)
	if err != nil {
		return nil, fmt.Errorf("warc %s: %w", src, err)
	}
	if offset > 0 {
		req.Header.Set("Range", "bytes="+strconv.FormatInt(offset, 10)+"-")
	}
	// A .warc.gz is read as stored: its members are what the offsets count.
	req.Header.Set("Accept-Encoding", "identity")
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("warc %s: %w", src, err)
	}
	switch {
	case resp.StatusCode == http.StatusPartialContent && offset > 0:
		return resp.Body, nil
	case resp.StatusCode == http.StatusOK:
		// No range support: read up to the offset and drop it.
		if _, err := io.CopyN(io.Discard, resp.Body, offset); err != nil {
			resp.Body.Close()
			return nil, fmt.Errorf("warc %s: skipping to byte %d: %w", src, offset, err)
		}
		return resp.Body, nil
	default:
		resp.Body.Close()
		return nil, fmt.Errorf("warc %s: HTTP %s", src, resp.Status)
	}
}

// Close releases the file or connection.
func (r *Reader) Close() error {
	r.r.Close()
	return r.body.Close()
}

// Next returns the next page. At the end of the file it returns io.EOF; a
// record that is broken or too large comes back as a *SkipError, and the
// next call reads on after it. Any other error ends the file (a file cut
// short, a network failure).
func (r *Reader) Next() (Page, error) {
	for {
		rec, err := r.r.Next()
		if err != nil {
			rec.Close()
			if errors.Is(err, io.EOF) {
				return Page{}, io.EOF
			}
			if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, gowarc.ErrNoRecord) {
				return Page{}, fmt.Errorf("warc %s: cut short after byte %d: %w", r.src, rec.Offset, err)
			}
			if rec.WarcRecord == nil && isFatal(err) {
				return Page{}, fmt.Errorf("warc %s: at byte %d: %w", r.src, rec.Offset, err)
			}
			return Page{}, &SkipError{Source: r.src, Offset: rec.Offset, Reason: err.Error()}
		}
		page, ok, err := r.page(rec)
		rec.Close()
		if err != nil {
			return Page{}, &SkipError{Source: r.src, Offset: rec.Offset, Reason: err.Error()}
		}
		if ok {
			return page, nil
		}
		r.Ignored++
	}
}

// isFatal tells a broken stream (nothing more can be read) from a broken
// record (the next one may be fine): read errors of the stream are fatal.
func isFatal(err error) bool {
	var pathErr *os.PathError
	return errors.As(err, &pathErr) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// page turns a record into a page, or says it is none (ok false).
func (r *Reader) page(rec gowarc.Record) (Page, bool, error) {
	wr := rec.WarcRecord
	h := wr.WarcHeader()
	kind := wr.Type()
	if kind != gowarc.Response && kind != gowarc.Resource {
		return Page{}, false, nil
	}
	p := Page{URL: strings.Trim(h.Get(gowarc.WarcTargetURI), "<>"), Offset: rec.Offset}
	if p.URL == "" {
		return p, false, errors.New("no WARC-Target-URI")
	}
	if d, err := wr.Date(); err == nil {
		p.Date = d.UTC()
	}
	if n, err := wr.ContentLength(); err == nil && n > MaxRecordBytes+64<<10 {
		return p, false, fmt.Errorf("%s: record of %d bytes is over the %d-byte limit", p.URL, n, MaxRecordBytes)
	}
	raw, err := wr.Block().RawBytes()
	if err != nil {
		return p, false, fmt.Errorf("%s: reading the block: %w", p.URL, err)
	}
	r.buf.Reset()
	if _, err := io.Copy(&r.buf, io.LimitReader(raw, MaxRecordBytes+64<<10+1)); err != nil {
		return p, false, fmt.Errorf("%s: reading the block: %w", p.URL, err)
	}
	block := r.buf.Bytes()
	if kind == gowarc.Resource {
		p.ContentType = h.Get(gowarc.ContentType)
		if !isHTML(p.ContentType) {
			return p, false, nil
		}
		if len(block) > MaxRecordBytes {
			return p, false, fmt.Errorf("%s: page over the %d-byte limit", p.URL, MaxRecordBytes)
		}
		p.Body = bytes.Clone(block)
		return p, true, nil
	}
	return httpPage(p, block)
}

// httpPage reads the HTTP response a response record holds.
func httpPage(p Page, block []byte) (Page, bool, error) {
	src := bytes.NewReader(block)
	br := bufio.NewReader(src)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return p, false, fmt.Errorf("%s: HTTP response: %w", p.URL, err)
	}
	// Where the header ends: what neither reader has handed out yet.
	headerEnd := len(block) - src.Len() - br.Buffered()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return p, false, nil
	}
	p.ContentType = resp.Header.Get("Content-Type")
	if !isHTML(p.ContentType) {
		return p, false, nil
	}
	// The payload is the rest of the block, already in memory.
	body := block[headerEnd:]
	if len(resp.TransferEncoding) == 0 {
		if resp.ContentLength >= 0 && int64(len(body)) > resp.ContentLength {
			body = body[:resp.ContentLength]
		}
	} else if chunked, err := io.ReadAll(io.LimitReader(resp.Body, MaxRecordBytes+1)); err == nil {
		body = chunked
	}
	// A chunked payload that does not de-chunk is kept as it is: archives
	// often store the payload de-chunked but keep the header.
	if body, err = decode(body, resp.Header.Get("Content-Encoding")); err != nil {
		return p, false, fmt.Errorf("%s: %w", p.URL, err)
	}
	if len(body) > MaxRecordBytes {
		return p, false, fmt.Errorf("%s: page over the %d-byte limit", p.URL, MaxRecordBytes)
	}
	p.Body = bytes.Clone(body)
	return p, true, nil
}

// decode undoes a Content-Encoding (gzip, deflate), bounded by the page
// limit.
func decode(body []byte, encoding string) ([]byte, error) {
	var zr io.Reader
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "", "identity":
		return body, nil
	case "gzip", "x-gzip":
		gz, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return nil, fmt.Errorf("gzip payload: %w", err)
		}
		zr = gz
	case "deflate":
		// Servers send zlib-wrapped or raw deflate under the one name.
		if z, err := zlib.NewReader(bytes.NewReader(body)); err == nil {
			zr = z
		} else {
			zr = flate.NewReader(bytes.NewReader(body))
		}
	default:
		return nil, fmt.Errorf("payload in Content-Encoding %q, which is not supported", encoding)
	}
	out, err := io.ReadAll(io.LimitReader(zr, MaxRecordBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s payload: %w", encoding, err)
	}
	return out, nil
}

func isHTML(contentType string) bool {
	if contentType == "" {
		return true // let extraction decide; most archived pages say
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt = strings.ToLower(strings.TrimSpace(strings.SplitN(contentType, ";", 2)[0]))
	}
	return mt == "text/html" || mt == "application/xhtml+xml"
}

func isURL(src string) bool {
	return strings.HasPrefix(src, "http://") || strings.HasPrefix(src, "https://")
}

// IsWARCName reports whether a file name looks like a WARC file.
func IsWARCName(name string) bool {
	n := strings.ToLower(name)
	return strings.HasSuffix(n, ".warc") || strings.HasSuffix(n, ".warc.gz")
}

// Expand turns the given inputs (WARC files, directories of them, http(s)
// URLs) into a sorted list of WARC files; a directory yields the WARC files
// under it, recursively.
func Expand(inputs []string) ([]string, error) {
	var out []string
	for _, in := range inputs {
		if isURL(in) {
			out = append(out, in)
			continue
		}
		info, err := os.Stat(in)
		if err != nil {
			return nil, fmt.Errorf("warc input %s: %w", in, err)
		}
		if !info.IsDir() {
			out = append(out, in)
			continue
		}
		var found []string
		err = filepath.WalkDir(in, func(path string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.Type().IsRegular() && IsWARCName(d.Name()) {
				found = append(found, path)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("warc input %s: %w", in, err)
		}
		if len(found) == 0 {
			return nil, fmt.Errorf("warc input %s: no .warc or .warc.gz files in the directory", in)
		}
		sort.Strings(found)
		out = append(out, found...)
	}
	return out, nil
}
