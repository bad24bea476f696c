package matcher

import (
	"strings"
	"testing"

	"github.com/claimwatch/claimwatch/internal/testcorpus"
)

// TestPresenceNeverMissesAMatch: every corpus text and shipped-claims
// sentence that Match finds evidence in is a candidate, and the test also
// sees texts that are not, so the answer is not always yes.
func TestPresenceNeverMissesAMatch(t *testing.T) {
	for _, set := range []struct {
		name string
		m    *Matcher
	}{{"test claims", mustCompile(t, testClaims())}, {"shipped claims", mustCompile(t, shippedClaims(t))}} {
		t.Run(set.name, func(t *testing.T) {
			p := set.m.NewPresence()
			texts := testcorpus.ArticleBodies(t)
			texts = append(texts,
				"Moscow has begun delivering Su-35 fighter jets to Tehran.",
				"Россия поставила Ирану зенитные ракетные комплексы С-300.",
				"Chinese state refiners halted purchases of Iranian oil after U.S. sanctions were reimposed.")
			matched, candidates := 0, 0
			for _, body := range texts {
				doc := Document{Title: firstLine(body), Body: body}
				p.Reset()
				p.Add(doc.Title)
				p.Add(doc.Body)
				cand := p.Candidate()
				if cand {
					candidates++
				}
				if set.m.Match(doc) != nil {
					matched++
					if !cand {
						t.Fatalf("Match finds evidence but Presence says no: %.200q", body)
					}
				}
			}
			if matched == 0 || candidates == len(texts) {
				t.Fatalf("%d texts, %d matched, %d candidates: the test proves nothing", len(texts), matched, candidates)
			}
			t.Logf("%d texts, %d matched, %d candidates", len(texts), matched, candidates)
		})
	}
}

// TestPresenceIsOrderFree: a phrase's words in separate pieces and in
// another order still count, and Reset forgets them.
func TestPresenceIsOrderFree(t *testing.T) {
	m := mustCompile(t, testClaims())
	p := m.NewPresence()
	p.Add("Republic. New sanctions")
	p.Add("Islamic")
	if !p.Candidate() {
		t.Fatalf("words of every group of a rule present, in pieces: want a candidate")
	}
	p.Reset()
	p.Add("Islamic scholars debated sanctions on the Republic of Ireland")
	if !p.Candidate() {
		t.Fatalf("looser than Match: a phrase's words apart still count")
	}
	p.Reset()
	p.Add(strings.Repeat("The weather in Paris was fine. ", 50))
	if p.Candidate() {
		t.Fatalf("unrelated text is a candidate")
	}
}
