package matcher

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/claimwatch/claimwatch/claims"
	"github.com/claimwatch/claimwatch/internal/testcorpus"
	"github.com/claimwatch/claimwatch/internal/textnorm"
)

// Benchmarks run over the article bodies of the test corpus (testdata/corpus), one document
// per body; b.SetBytes counts the body bytes, so MB/s is matching throughput.
//
//	go test -run XXX -bench . -benchmem -cpu 1 ./internal/matcher

func shippedClaims(tb testing.TB) []claims.Claim {
	tb.Helper()
	cs, err := claims.Shipped()
	if err != nil {
		tb.Fatalf("shipped claims: %v", err)
	}
	return cs
}

func BenchmarkMatch(b *testing.B) {
	bodies := testcorpus.ArticleBodies(b)
	sets := []struct {
		name string
		cs   []claims.Claim
	}{
		{"shipped", shippedClaims(b)},
		{"generated500", generateClaims(500, 1)},
	}
	for _, set := range sets {
		b.Run("claims="+set.name+"/automaton", func(b *testing.B) {
			m := mustCompile(b, set.cs)
			benchBodies(b, bodies, func(body string) int { return len(m.Match(Document{Body: body})) })
		})
		b.Run("claims="+set.name+"/regexp-per-claim", func(b *testing.B) {
			r := compileRegexpBaseline(b, set.cs)
			// With hundreds of claims the baseline needs minutes per pass
			// over the corpus; a tenth of it gives the same MB/s.
			sample := bodies
			if len(set.cs) > 100 {
				sample = bodies[:len(bodies)/10]
			}
			benchBodies(b, sample, r.match)
		})
	}
}

// BenchmarkTokenize measures tokenising alone over the same bodies: the floor
// under BenchmarkMatch.
func BenchmarkTokenize(b *testing.B) {
	var tk textnorm.Tokens
	benchBodies(b, testcorpus.ArticleBodies(b), func(body string) int {
		tk.Reset(body)
		return 0
	})
}

func benchBodies(b *testing.B, bodies []string, match func(string) int) {
	var total int64
	for _, body := range bodies {
		total += int64(len(body))
	}
	b.SetBytes(total)
	b.ReportAllocs()
	found := 0
	cpu := processCPU()
	for b.Loop() {
		for _, body := range bodies {
			found += match(body)
		}
	}
	if cpu := processCPU() - cpu; cpu > 0 {
		b.ReportMetric(float64(total)*float64(b.N)/cpu.Seconds()/1e6, "cpu-MB/s")
	}
	b.ReportMetric(float64(found)/float64(b.N), "findings/op")
}

func BenchmarkCompile(b *testing.B) {
	cs := generateClaims(500, 1)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compile(cs); err != nil {
			b.Fatal(err)
		}
	}
}

// regexpBaseline is the naive matcher the automaton replaces: one compiled
// regexp per claim (an alternation of all its terms), tried on every
// sentence.
type regexpBaseline struct {
	res []*regexp.Regexp
}

func compileRegexpBaseline(tb testing.TB, cs []claims.Claim) *regexpBaseline {
	tb.Helper()
	r := &regexpBaseline{}
	for _, c := range cs {
		var alts []string
		for _, g := range c.Groups {
			for _, t := range g.Terms {
				stem, wild := strings.CutSuffix(t, "*")
				alt := regexp.QuoteMeta(stem)
				if wild {
					alt += `\pL*`
				}
				alts = append(alts, alt)
			}
		}
		re, err := regexp.Compile(`(?i)(?:^|\PL)(?:` + strings.Join(alts, "|") + `)(?:\PL|$)`)
		if err != nil {
			tb.Fatalf("claim %s: %v", c.ID, err)
		}
		r.res = append(r.res, re)
	}
	return r
}

func (r *regexpBaseline) match(body string) int {
	n := 0
	for _, s := range textnorm.Sentences(body) {
		sentence := body[s.Start:s.End]
		for _, re := range r.res {
			if re.MatchString(sentence) {
				n++
			}
		}
	}
	return n
}

// generateClaims makes n realistic claims from a vocabulary of actors,
// topics and verbs, deterministically from seed.
func generateClaims(n int, seed uint64) []claims.Claim {
	actors := [][]string{
		{"Russia", "Russian*", "Moscow", "Kremlin", "Putin", "Росси*", "روسیه"},
		{"Iran", "Iranian*", "Tehran", "Khamenei", "Иран*", "ایران"},
		{"China", "Chinese", "Beijing", "Xi Jinping", "Китай", "چین"},
		{"United States", "U.S.", "Washington", "White House", "Pentagon"},
		{"Turkey", "Turkish", "Ankara", "Erdogan", "Türkiye"},
		{"India", "Indian*", "New Delhi", "Modi"},
		{"Saudi Arabia", "Saudi*", "Riyadh"},
		{"Israel*", "Jerusalem", "Netanyahu"},
		{"Syria*", "Damascus", "Assad"},
		{"Iraq*", "Baghdad"},
		{"Ukrain*", "Kyiv", "Zelensky*"},
		{"Germany", "German*", "Berlin", "Scholz"},
		{"France", "French", "Paris", "Macron"},
		{"European Union", "EU", "Brussels"},
		{"Japan*", "Tokyo"},
		{"Pakistan*", "Islamabad"},
		{"Egypt*", "Cairo"},
		{"Venezuela*", "Caracas", "Maduro"},
		{"North Korea*", "Pyongyang", "Kim Jong Un"},
		{"Brazil*", "Brasilia", "Lula"},
	}
	topics := [][]string{
		{"Su-35*", "S-400*", "fighter jet*", "missile*", "drone*", "helicopter*", "weapon*", "arms"},
		{"sanction*", "embargo*", "export control*", "blacklist*"},
		{"oil", "crude", "gas", "pipeline*", "LNG", "refiner*"},
		{"nuclear", "uranium", "enrichment", "centrifuge*", "reactor*"},
		{"trade", "tariff*", "free trade", "customs", "import*", "export*"},
		{"election*", "vote*", "ballot*", "referendum*"},
		{"troops", "militia*", "soldiers", "forces", "military base*"},
		{"wheat", "grain", "fertili*", "food"},
		{"loan*", "credit*", "debt", "investment*", "bank*"},
		{"satellite*", "space", "launch*", "rocket*"},
	}
	verbs := [][]string{
		{"deliver*", "sell*", "sold", "suppl*", "ship*", "export*"},
		{"impose*", "tighten*", "expand*", "extend*"},
		{"sign*", "agree*", "ratif*", "conclude*"},
		{"withdr*", "pulled out", "reduc*", "cut*"},
		{"build*", "construct*", "open*", "launch*"},
		{"back*", "support*", "fund*", "financ*"},
	}
	supports := []string{"delivered", "signed", "agreed", "completed", "began", "approved", "took effect", "announced"}
	contradicts := []string{"cancel*", "halted", "suspended", "rejected", "scrapped", "collapsed", "froze", "postponed"}
	excludes := []string{"football", "film", "concert", "video game*", "recipe*"}

	rng := rand.New(rand.NewPCG(seed, seed+1))
	pick := func(list []string, k int) []string {
		out := make([]string, 0, k)
		for _, i := range rng.Perm(len(list))[:min(k, len(list))] {
			out = append(out, list[i])
		}
		return out
	}
	cs := make([]claims.Claim, n)
	for i := range cs {
		a, bi := rng.IntN(len(actors)), rng.IntN(len(actors)-1)
		if bi >= a {
			bi++
		}
		c := claims.Claim{
			ID: fmt.Sprintf("gen-%03d", i),
			Groups: []claims.Group{
				{Name: "a", Terms: actors[a]},
				{Name: "b", Terms: actors[bi]},
				{Name: "topic", Terms: pick(topics[rng.IntN(len(topics))], 3+rng.IntN(4))},
				{Name: "verb", Terms: pick(verbs[rng.IntN(len(verbs))], 2+rng.IntN(3))},
				{Name: "exclude", Terms: pick(excludes, 2)},
			},
			Rule: claims.Rule{All: []string{"a", "b", "topic"}, None: []string{"exclude"}},
			Cues: claims.Cues{Supports: pick(supports, 3), Contradicts: pick(contradicts, 3)},
		}
		switch rng.IntN(3) {
		case 0:
			c.Rule.Direction = [][]string{{"a", "verb", "b"}}
			c.Rule.RequireDirection = rng.IntN(2) == 0
		case 1:
			c.Rule.Scope, c.Rule.Window = claims.ScopeWindow, 20+rng.IntN(30)
			c.Rule.All = append(c.Rule.All, "verb")
		}
		cs[i] = c
	}
	return cs
}

func TestGeneratedClaimsCompileAndMatch(t *testing.T) {
	cs := generateClaims(500, 1)
	m := mustCompile(t, cs)
	for _, c := range cs[:20] {
		var words []string
		for _, g := range []string{"a", "verb", "topic", "b"} {
			grp, _ := c.GroupByName(g)
			words = append(words, strings.TrimSuffix(grp.Terms[0], "*"))
		}
		doc := Document{Body: strings.Join(words, " ") + "."}
		fs := m.Match(doc)
		checkFindings(t, m, doc, fs)
		if find(fs, c.ID) == nil {
			t.Errorf("%s did not match %q", c.ID, doc.Body)
		}
	}
}
