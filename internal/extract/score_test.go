package extract

import (
	"compress/gzip"
	"encoding/json"
	"hash/fnv"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"unicode"

	"github.com/claimwatch/claimwatch/internal/testcorpus"
)

// benchPage is one page of the article-extraction benchmark.
type benchPage struct {
	ID, URL, Truth string
	HTML           []byte
}

var benchmarkOnce struct {
	sync.Mutex
	pages []benchPage
}

// loadBenchmark reads the 181 pages and their ground truth, sorted by id,
// once per test binary. Callers must not modify the pages.
func loadBenchmark(tb testing.TB) []benchPage {
	tb.Helper()
	benchmarkOnce.Lock()
	defer benchmarkOnce.Unlock()
	if benchmarkOnce.pages == nil {
		benchmarkOnce.pages = readBenchmark(tb)
	}
	return benchmarkOnce.pages
}

func readBenchmark(tb testing.TB) []benchPage {
	tb.Helper()
	dir := testcorpus.Path(tb, "article-extraction-benchmark")
	truth := testcorpus.GroundTruth(tb) // sorted by id
	pages := make([]benchPage, 0, len(truth))
	for _, t := range truth {
		path := filepath.Join(dir, "html", t.ID+".html.gz")
		pages = append(pages, benchPage{ID: t.ID, URL: t.URL, Truth: t.Body, HTML: gunzip(tb, path)})
	}
	return pages
}

func gunzip(tb testing.TB, path string) []byte {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatalf("open corpus page: %v", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	return b
}

// The benchmark's metric, as score.py computes it: words are runs of
// Python's \w (letters, numbers, underscore; combining marks split words),
// each text a multiset of 4-word shingles; per page the true/false positives
// and false negatives are normalised to sum to 1; precision and recall are
// means over pages and F1 comes from those means.

const shingleWords = 4

func scoreWords(text string) []string {
	return strings.FieldsFunc(text, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r) && r != '_'
	})
}

// shingleCounts counts the text's 4-word shingles. Shingles are keyed by a
// 64-bit hash of their words rather than the words themselves, which keeps
// the whole-corpus test fast under -race; a collision among a page's few
// thousand shingles has odds of about 1 in 10^12.
func shingleCounts(text string) map[uint64]int {
	words := scoreWords(text)
	counts := map[uint64]int{}
	if len(words) == 0 {
		return counts
	}
	hashes := make([]uint64, len(words))
	for i, w := range words {
		h := fnv.New64a()
		h.Write([]byte(w))
		hashes[i] = h.Sum64()
	}
	n := min(shingleWords, len(words)) // shorter texts are one shingle
	for i := 0; i+n <= len(words); i++ {
		var key uint64 = 14695981039346656037
		for _, h := range hashes[i : i+n] {
			key = (key ^ h) * 1099511628211
			key ^= key >> 29
		}
		counts[key]++
	}
	return counts
}

// pageCounts returns the normalised tp, fp, fn of one page.
func pageCounts(truth, pred string) (tp, fp, fn float64) {
	t, p := shingleCounts(truth), shingleCounts(pred)
	var itp, ifp, ifn int
	for k, tc := range t {
		pc := p[k]
		itp += min(tc, pc)
		ifn += max(tc-pc, 0)
	}
	for k, pc := range p {
		ifp += max(pc-t[k], 0)
	}
	total := float64(itp + ifp + ifn)
	if total == 0 {
		return 0, 0, 0
	}
	return float64(itp) / total, float64(ifp) / total, float64(ifn) / total
}

func ratio(hit, miss, otherMiss float64) float64 {
	if miss == 0 && otherMiss == 0 {
		return 1
	}
	if hit+miss > 0 {
		return hit / (hit + miss)
	}
	return 0
}

type score struct{ F1, Precision, Recall float64 }

// scorePredictions scores predictions (page id -> text) against the pages.
func scorePredictions(pages []benchPage, preds map[string]string) score {
	var precisions, recalls []float64
	for _, pg := range pages {
		tp, fp, fn := pageCounts(pg.Truth, preds[pg.ID])
		if tp+fp > 0 {
			precisions = append(precisions, ratio(tp, fp, fn))
		}
		if tp+fn > 0 {
			recalls = append(recalls, ratio(tp, fn, fp))
		}
	}
	var s score
	s.Precision, s.Recall = mean(precisions), mean(recalls)
	if s.Precision+s.Recall > 0 {
		s.F1 = 2 * s.Precision * s.Recall / (s.Precision + s.Recall)
	}
	return s
}

func mean(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	var sum float64
	for _, x := range xs {
		sum += x
	}
	return sum / float64(len(xs))
}

// readPredictions reads a predictions file in the ground truth's shape.
func readPredictions(tb testing.TB, path string) map[string]string {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("read predictions: %v", err)
	}
	type body struct {
		ArticleBody string `json:"articleBody"`
	}
	// Like score.py, accept the bare map or one wrapped as {"version", "output"}.
	var wrapped struct {
		Version json.RawMessage `json:"version"`
		Output  map[string]body `json:"output"`
	}
	var raw map[string]body
	if err := json.Unmarshal(data, &wrapped); err == nil && wrapped.Version != nil {
		raw = wrapped.Output
	} else if err := json.Unmarshal(data, &raw); err != nil {
		tb.Fatalf("parse %s: %v", path, err)
	}
	out := make(map[string]string, len(raw))
	for id, v := range raw {
		out[id] = v.ArticleBody
	}
	return out
}

// writePredictions writes predictions in the shape score.py reads.
func writePredictions(tb testing.TB, path string, preds map[string]string) {
	tb.Helper()
	out := make(map[string]map[string]string, len(preds))
	for id, text := range preds {
		out[id] = map[string]string{"articleBody": text}
	}
	data, err := json.MarshalIndent(out, "", " ")
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		tb.Fatalf("write predictions: %v", err)
	}
}

// TestScorerMatchesPeers checks the Go metric against the figures score.py
// gives for the peers' outputs (corpus README), so the F1 gate below
// measures what the benchmark measures.
func TestScorerMatchesPeers(t *testing.T) {
	pages := loadBenchmark(t)
	peers := testcorpus.Path(t, "article-extraction-benchmark", "peers")
	for _, tt := range []struct {
		file string
		want score
	}{
		{"go_trafilatura.json", score{0.960, 0.940, 0.980}},
		{"go_readability_fork.json", score{0.947, 0.914, 0.982}},
		{"html-text.json", score{0.665, 0.500, 0.994}},
	} {
		got := scorePredictions(pages, readPredictions(t, filepath.Join(peers, tt.file)))
		if !near(got.F1, tt.want.F1) || !near(got.Precision, tt.want.Precision) || !near(got.Recall, tt.want.Recall) {
			t.Errorf("%s: F1/P/R = %.3f/%.3f/%.3f, score.py gives %.3f/%.3f/%.3f",
				tt.file, got.F1, got.Precision, got.Recall, tt.want.F1, tt.want.Precision, tt.want.Recall)
		}
	}
	// Perfect and empty predictions bound the metric.
	truth := map[string]string{}
	for _, p := range pages {
		truth[p.ID] = p.Truth
	}
	if s := scorePredictions(pages, truth); s.F1 != 1 {
		t.Errorf("ground truth scores F1 %.4f, want 1", s.F1)
	}
	if s := scorePredictions(pages, nil); s.F1 != 0 {
		t.Errorf("empty predictions score F1 %.4f, want 0", s.F1)
	}
}

func near(a, b float64) bool { return a-b < 0.0005 && b-a < 0.0005 }
