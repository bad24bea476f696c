package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
)

// record is one exported row: its CSV cells (untrusted text already made
// Inert) and the value encoded as JSON.
type record interface {
	csvCells(buf []string) []string
	jsonValue() any
}

// encoder writes records in one format, one at a time, so exports of any
// size use constant memory. Close finishes the document.
type encoder struct {
	format Format
	w      io.Writer
	csv    *csv.Writer
	json   *json.Encoder
	buf    bytes.Buffer // JSON: one value, before it is written
	header []string
	cells  []string // reused between rows
	n      int
}

func newEncoder(w io.Writer, f Format, header []string) (*encoder, error) {
	e := &encoder{format: f, w: w, header: header}
	switch f {
	case CSV:
		e.csv = csv.NewWriter(w)
		if err := e.csv.Write(header); err != nil {
			return nil, err
		}
	case JSON:
		if _, err := io.WriteString(w, "["); err != nil {
			return nil, err
		}
		e.json = json.NewEncoder(&e.buf)
		e.json.SetEscapeHTML(false)
	case JSONL:
		e.json = json.NewEncoder(w)
		e.json.SetEscapeHTML(false)
	default:
		return nil, fmt.Errorf("unknown format %q: want csv, json or jsonl", f)
	}
	return e, nil
}

func (e *encoder) encode(r record) error {
	defer func() { e.n++ }()
	switch e.format {
	case CSV:
		e.cells = r.csvCells(e.cells[:0])
		return e.csv.Write(e.cells)
	case JSON:
		// One element a line: "[\n{...},\n{...}\n]".
		e.buf.Reset()
		if e.n > 0 {
			e.buf.WriteByte(',')
		}
		e.buf.WriteByte('\n')
		if err := e.json.Encode(r.jsonValue()); err != nil {
			return err
		}
		_, err := e.w.Write(bytes.TrimSuffix(e.buf.Bytes(), []byte("\n")))
		return err
	}
	return e.json.Encode(r.jsonValue()) // JSON Lines: Encode ends the line
}

func (e *encoder) close() error {
	switch e.format {
	case CSV:
		e.csv.Flush()
		return e.csv.Error()
	case JSON:
		end := "\n]\n"
		if e.n == 0 {
			end = "]\n"
		}
		_, err := io.WriteString(e.w, end)
		return err
	}
	return nil
}

// writeAll encodes a slice of records.
func writeAll[R record](w io.Writer, f Format, header []string, rows []R) error {
	e, err := newEncoder(w, f, header)
	if err != nil {
		return err
	}
	for _, r := range rows {
		if err := e.encode(r); err != nil {
			return err
		}
	}
	return e.close()
}
