package claims

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzLoad feeds arbitrary bytes to LoadFiles as a claim file: loading must
// never panic, and failure must always be a Problems naming the file.
func FuzzLoad(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("shipped", "*.yaml"))
	more, _ := filepath.Glob(filepath.Join("testdata", "*", "*.yaml"))
	for _, path := range append(seeds, more...) {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("id: x\n\tstatement: y\n"))
	f.Add([]byte("a: b: c\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "claim.yaml")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		claims, probs, err := LoadFiles(path)
		for _, p := range probs {
			if p.File != path || p.Message == "" || p.Line < 0 || p.Column < 0 {
				t.Fatalf("problem without its file or message: %#v", p)
			}
		}
		if err == nil {
			if len(probs.Errors()) != 0 {
				t.Fatalf("errors %v but no err", probs.Errors())
			}
			for _, c := range claims {
				if c.File != path || c.ID == "" || len(c.Hash) != 64 || len(c.Rule.All) == 0 {
					t.Fatalf("loaded an incomplete claim: %+v", c)
				}
			}
			return
		}
		var ps Problems
		if !errors.As(err, &ps) || len(ps) == 0 || claims != nil {
			t.Fatalf("err %v (%T) with %d claims; want a non-empty Problems and no claims", err, err, len(claims))
		}
		if !strings.HasPrefix(err.Error(), path) {
			t.Fatalf("error %q does not start with the file name", err)
		}
	})
}
