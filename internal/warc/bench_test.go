package warc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkRead reads a generated .warc.gz of 2,000 20 KB pages (with
// their request records), payloads whole.
func BenchmarkRead(b *testing.B) {
	path := filepath.Join(b.TempDir(), "bench.warc.gz")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := NewWriter(f, true)
	page := "<html><body>" + strings.Repeat("<p>Ordinary news words about the weather and sport today.</p>\n", 330) + "</body></html>"
	const n = 2000
	for i := range n {
		u := fmt.Sprintf("https://news.example/%d", i)
		w.Request(u, day)
		w.Response(u, day, response(fmt.Sprintf("Content-Type: text/html\r\nContent-Length: %d\r\n", len(page)), page))
	}
	f.Close()
	b.ReportAllocs()
	for b.Loop() {
		r, err := Open(context.Background(), path, 0, nil)
		if err != nil {
			b.Fatal(err)
		}
		got := 0
		for {
			_, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			got++
		}
		r.Close()
		if got != n {
			b.Fatalf("%d pages, want %d", got, n)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "records/s")
}
