package canonurl

import (
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/claimwatch/claimwatch/internal/testcorpus"
)

// FuzzResolve resolves arbitrary references against arbitrary bases, seeded
// with the real page URLs of the corpus's article benchmark, as feed and page
// links are. A resolved URL is http(s), already canonical, and resolves to
// itself against any base.
func FuzzResolve(f *testing.F) {
	data, err := os.ReadFile(testcorpus.Path(f, "article-extraction-benchmark", "ground-truth.json"))
	if err != nil {
		f.Fatal(err)
	}
	var truth map[string]struct{ URL string }
	if err := json.Unmarshal(data, &truth); err != nil {
		f.Fatal(err)
	}
	refs := []string{"../a/./b?utm_medium=rss#top", "//cdn.example.net/x y", "?page=2", "%2e%2e/", "javascript:alert(1)", "HTTPS://[::1]:443"}
	i := 0
	for _, page := range truth {
		if page.URL == "" || i == 30 {
			continue
		}
		f.Add(page.URL, refs[i%len(refs)])
		f.Add("https://news.example.org/world/", page.URL)
		i++
	}
	if i == 0 {
		f.Fatal("no page URLs in ground-truth.json")
	}

	f.Fuzz(func(t *testing.T, base, ref string) {
		got, err := Resolve(base, ref)
		if err != nil {
			if !strings.Contains(err.Error(), strconv.Quote(ref)) {
				t.Fatalf("Resolve(%q, %q) error does not name the reference: %v", base, ref, err)
			}
			return
		}
		if !strings.HasPrefix(got, "http://") && !strings.HasPrefix(got, "https://") {
			t.Fatalf("Resolve(%q, %q) = %q: not http(s)", base, ref, got)
		}
		if again, err := Canonicalize(got); err != nil || again != got {
			t.Fatalf("Resolve(%q, %q) = %q, not canonical: %q, %v", base, ref, got, again, err)
		}
		if again, err := Resolve(base, got); err != nil || again != got {
			t.Fatalf("Resolve(%q, %q) = %q, which resolves to %q, %v", base, ref, got, again, err)
		}
	})
}
