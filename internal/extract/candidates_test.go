package extract

import (
	"bytes"
	"flag"
	"net/url"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	readability "codeberg.org/readeck/go-readability/v2"
	trafilatura "github.com/markusmobius/go-trafilatura"
	"golang.org/x/net/html"
)

// The candidate comparison behind mainText's choice. Run it with
//
//	go test ./internal/extract -run 'TestCandidates|TestExtractF1' -v -extract.candidates=/tmp/cands
//	python3 testdata/corpus/article-extraction-benchmark/score.py /tmp/cands/*.json
//
// to score each extractor in Go and cross-check with the benchmark's script.
var candidatesDir = flag.String("extract.candidates", "", "score every main-text candidate on the benchmark and write DIR/<candidate>.json for score.py")

type extractor func(doc *html.Node, u *url.URL) string

// viaTrafilatura runs go-trafilatura with opts; readeck, when set, hands it
// readeck's readability result as the readability fallback.
func viaTrafilatura(opts trafilatura.Options, readeck, contentText bool) extractor {
	return func(doc *html.Node, u *url.URL) string {
		o := opts
		o.OriginalURL, o.ExcludeComments, o.HtmlDateMode = u, true, trafilatura.Disabled
		if readeck {
			if art, err := readability.FromDocument(doc, u); err == nil && art.Node != nil {
				o.FallbackCandidates = &trafilatura.FallbackCandidates{Readability: art.Node}
			}
		}
		res, err := trafilatura.ExtractDocument(doc, o)
		if err != nil || res == nil {
			return ""
		}
		if contentText {
			return res.ContentText
		}
		return renderText(res.ContentNode)
	}
}

func viaReadeck(doc *html.Node, u *url.URL) string {
	art, err := readability.FromDocument(doc, u)
	if err != nil || art.Node == nil {
		return ""
	}
	return renderText(art.Node)
}

// jsonLDFirst uses the JSON-LD articleBody when there is one, else other.
func jsonLDFirst(other extractor) extractor {
	return func(doc *html.Node, u *url.URL) string {
		if body := linkedDataText(findLinkedData(doc).Body); body != "" {
			return body
		}
		if other == nil {
			return ""
		}
		return other(doc, u)
	}
}

func TestCandidates(t *testing.T) {
	if *candidatesDir == "" {
		t.Skip("pass -extract.candidates=DIR to compare main-text extractors")
	}
	pages := loadBenchmark(t)
	fallback := trafilatura.Options{EnableFallback: true}
	precision := trafilatura.Options{EnableFallback: true, Focus: trafilatura.FavorPrecision}
	cands := []struct {
		name string
		run  extractor
	}{
		{"trafilatura", viaTrafilatura(trafilatura.Options{}, false, false)},
		{"trafilatura_fallback", viaTrafilatura(fallback, false, false)},
		{"trafilatura_fallback_contenttext", viaTrafilatura(fallback, false, true)},
		{"trafilatura_fallback_readeck", viaTrafilatura(fallback, true, false)},
		{"trafilatura_fallback_readeck_recall", viaTrafilatura(trafilatura.Options{EnableFallback: true, Focus: trafilatura.FavorRecall}, true, false)},
		{"trafilatura_fallback_readeck_precision", viaTrafilatura(precision, true, false)},
		{"trafilatura_fallback_readeck_dedup", viaTrafilatura(trafilatura.Options{EnableFallback: true, Deduplicate: true}, true, false)},
		{"trafilatura_fallback_readeck_notables", viaTrafilatura(trafilatura.Options{EnableFallback: true, ExcludeTables: true}, true, false)},
		{"readability_readeck", viaReadeck},
		{"jsonld_only", jsonLDFirst(nil)},
		{"jsonld_else_trafilatura_fallback_readeck_precision", jsonLDFirst(viaTrafilatura(precision, true, false))},
	}
	for _, c := range cands {
		preds := runCandidate(t, pages, c.run)
		s := scorePredictions(pages, preds)
		writePredictions(t, filepath.Join(*candidatesDir, c.name+".json"), preds)
		t.Logf("%-52s F1 %.3f  P %.3f  R %.3f", c.name, s.F1, s.Precision, s.Recall)
	}
}

func runCandidate(t *testing.T, pages []benchPage, run extractor) map[string]string {
	preds := make(map[string]string, len(pages))
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for _, pg := range pages {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			doc, err := html.Parse(bytes.NewReader(pg.HTML))
			if err != nil {
				t.Errorf("%s: %v", pg.ID, err)
				return
			}
			u, _ := url.Parse(pg.URL)
			text := run(doc, u)
			mu.Lock()
			preds[pg.ID] = text
			mu.Unlock()
		}()
	}
	wg.Wait()
	return preds
}
