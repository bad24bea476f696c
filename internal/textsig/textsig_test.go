package textsig

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"

	"github.com/claimwatch/claimwatch/internal/testcorpus"
)

func TestContentHash(t *testing.T) {
	base := ContentHash("Russia and Iran signed a deal.\n\nIt covers oil.")
	same := []string{
		"  russia AND iran signed a deal. It covers   oil.  ",
		"Russia and Iran signed a deal.\tIt covers oil.",
		"RUSSIA AND IRAN SIGNED A DEAL.\r\nIT COVERS OIL.",
	}
	for _, s := range same {
		if got := ContentHash(s); got != base {
			t.Errorf("ContentHash(%q) = %s, want %s (formatting only differs)", s, got, base)
		}
	}
	different := []string{
		"Russia and Iran signed a deal. It covers gas.",
		"Russia and Iran signed a deal.It covers oil.",
		"",
	}
	for _, s := range different {
		if ContentHash(s) == base {
			t.Errorf("ContentHash(%q) equals the hash of different text", s)
		}
	}
	if len(base) != 64 || strings.Trim(base, "0123456789abcdef") != "" {
		t.Errorf("ContentHash = %q, want 64 lower-case hex digits", base)
	}
	// Composed and decomposed é are the same text; case folding maps ß to ss.
	if ContentHash("Caf\u00e9 Straße") != ContentHash("CAFE\u0301 STRASSE") {
		t.Error("ContentHash differs for canonically equivalent, case-different text")
	}
}

func TestDistance(t *testing.T) {
	tests := []struct {
		a, b uint64
		want int
	}{
		{0, 0, 0},
		{0, ^uint64(0), 64},
		{0b1011, 0b0001, 2},
		{1 << 63, 0, 1},
	}
	for _, tt := range tests {
		if got := Distance(tt.a, tt.b); got != tt.want {
			t.Errorf("Distance(%x, %x) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestSimHashSmallInputs(t *testing.T) {
	if got := SimHash(""); got != 0 {
		t.Errorf("SimHash(\"\") = %x, want 0", got)
	}
	if got := SimHash(" .,;— "); got != 0 {
		t.Errorf("SimHash(punctuation) = %x, want 0", got)
	}
	if SimHash("Moscow") == SimHash("Tehran") {
		t.Error("one-word texts with different words hash alike")
	}
	if SimHash("Moscow, Tehran!") != SimHash("moscow tehran") {
		t.Error("SimHash depends on case or punctuation")
	}
	if SimHash("one two three four") == 0 {
		t.Error("SimHash of words is 0")
	}
}

// wireCopy dresses body up as another outlet's copy of the same wire story.
func wireCopy(body string, outlet int) string {
	intros := []string{
		"MOSCOW (Reuters) - ",
		"By Staff Writer, Associated Press\n\nUpdated 3 hours ago\n\n",
		"Share this article: Facebook Twitter Email\n\n",
	}
	footers := []string{
		"\n\nReporting by Jane Doe; Editing by John Smith",
		"\n\n© 2020 The Associated Press. All rights reserved. This material may not be published, broadcast, rewritten or redistributed.",
		"\n\nRead more: Subscribe to our newsletter for the latest world news.",
	}
	// Outlets also re-wrap paragraphs and change typography.
	body = strings.ReplaceAll(body, "\n\n", "\n")
	body = strings.ReplaceAll(body, "’", "'")
	return intros[outlet%len(intros)] + body + footers[outlet%len(footers)]
}

// apWireStory is a 808-word Associated Press story in the corpus ("WASHINGTON
// (AP) — New uncertainty hangs over the Democratic ...").
const apWireStory = "aec5deeaada8"

func TestSimHashWireCopiesAreNear(t *testing.T) {
	var body string
	for _, a := range testcorpus.GroundTruth(t) {
		if strings.HasPrefix(a.ID, apWireStory) {
			body = a.Body
		}
	}
	if body == "" {
		t.Fatalf("corpus article %s missing", apWireStory)
	}
	orig := SimHash(body)
	for outlet := range 3 {
		if d := Distance(orig, SimHash(wireCopy(body, outlet))); d > NearDuplicate {
			t.Errorf("outlet %d's copy of %s: distance %d > %d", outlet, apWireStory, d, NearDuplicate)
		}
	}
}

// TestSimHashLightEditsAcrossCorpus measures how often one added line keeps a
// copy within NearDuplicate over every corpus article of 500+ words. SimHash
// cannot promise it for every text (bits whose votes are nearly tied flip), so
// this asserts the measured rate stays high.
func TestSimHashLightEditsAcrossCorpus(t *testing.T) {
	edits := []struct {
		name string
		edit func(string) string
	}{
		{"intro line", func(s string) string { return "MOSCOW (Reuters) - " + s }},
		{"byline", func(s string) string { return "By Jane Doe, Associated Press\n\n" + s }},
		{"footer", func(s string) string { return s + "\n\nReporting by Jane Doe; Editing by John Smith" }},
	}
	arts := testcorpus.GroundTruth(t)
	for _, e := range edits {
		near, total, worst := 0, 0, 0
		for _, a := range arts {
			if len(Words(a.Body)) < 500 {
				continue
			}
			total++
			d := Distance(SimHash(a.Body), SimHash(e.edit(a.Body)))
			if d <= NearDuplicate {
				near++
			}
			worst = max(worst, d)
		}
		rate := float64(near) / float64(total)
		t.Logf("%-10s %d/%d (%.0f%%) within %d, worst %d", e.name, near, total, 100*rate, NearDuplicate, worst)
		if rate < 0.8 {
			t.Errorf("%s: only %d/%d copies within distance %d", e.name, near, total, NearDuplicate)
		}
	}
}

func TestSimHashDistinctArticlesAreFar(t *testing.T) {
	arts := testcorpus.GroundTruth(t)
	sigs := make([]uint64, len(arts))
	hashes := make([]string, len(arts))
	for i, a := range arts {
		sigs[i], hashes[i] = SimHash(a.Body), ContentHash(a.Body)
	}
	minD, pair := 65, ""
	for i := range arts {
		for j := i + 1; j < len(arts); j++ {
			if hashes[i] == hashes[j] {
				continue // the same text filed twice is not a distinct article
			}
			d := Distance(sigs[i], sigs[j])
			if d < minD {
				minD, pair = d, fmt.Sprintf("%s/%s", arts[i].ID[:12], arts[j].ID[:12])
			}
			if d <= NearDuplicate {
				t.Errorf("distinct articles %s and %s at distance %d <= %d", arts[i].ID[:12], arts[j].ID[:12], d, NearDuplicate)
			}
		}
	}
	t.Logf("%d articles, %d pairs: minimum distance between distinct articles %d (%s)", len(arts), len(arts)*(len(arts)-1)/2, minD, pair)
}

func BenchmarkSimHash(b *testing.B) {
	arts := testcorpus.GroundTruth(b)
	var text string
	for _, a := range arts {
		if len(a.Body) > len(text) && len(a.Body) < 20000 {
			text = a.Body
		}
	}
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		SimHash(text)
	}
}

func BenchmarkContentHash(b *testing.B) {
	text := testcorpus.GroundTruth(b)[0].Body
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		ContentHash(text)
	}
}

// The signatures are stored, so a faster implementation must give exactly
// the values of the first one. These are that first implementation.
func referenceContentHash(text string) string {
	folded := cases.Fold().String(norm.NFC.String(text))
	sum := sha256.Sum256([]byte(strings.Join(strings.Fields(folded), " ")))
	return hex.EncodeToString(sum[:])
}

func referenceWords(text string) []string {
	fields := strings.FieldsFunc(text, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.M, r)
	})
	for i, f := range fields {
		fields[i] = strings.ToLower(f)
	}
	return fields
}

func referenceSimHash(text string) uint64 {
	words := referenceWords(text)
	if len(words) == 0 {
		return 0
	}
	var votes [64]int
	add := func(ws []string) {
		const offset, prime = 14695981039346656037, 1099511628211
		h := uint64(offset)
		for i, w := range ws {
			if i > 0 {
				h ^= ' '
				h *= prime
			}
			for j := 0; j < len(w); j++ {
				h ^= uint64(w[j])
				h *= prime
			}
		}
		h ^= h >> 30
		h *= 0xbf58476d1ce4e5b9
		h ^= h >> 27
		h *= 0x94d049bb133111eb
		h ^= h >> 31
		for i := range votes {
			if h&(1<<i) != 0 {
				votes[i]++
			} else {
				votes[i]--
			}
		}
	}
	if len(words) < ShingleSize {
		add(words)
	} else {
		for i := 0; i+ShingleSize <= len(words); i++ {
			add(words[i : i+ShingleSize])
		}
	}
	var sig uint64
	for i, v := range votes {
		if v > 0 {
			sig |= 1 << i
		}
	}
	return sig
}

// signatureInputs are corpus bodies plus texts that probe normalisation,
// folding, white space and invalid UTF-8.
func signatureInputs(tb testing.TB) []string {
	in := []string{
		"", " ", "a", "A b", "one two", "ONE two Three", "  Leading\tand\r\ntrailing  ",
		"Caf\u00e9 cafe\u0301 CAFE\u0301", // precomposed, combining, upper
		"\u0301 mark after space; e\u0301\u0323 reordered marks",
		"\u2000en quad\u2001em quad\u00a0nbsp\u0085nel\u3000ideographic",
		"STRASSE Stra\u00dfe \u1e9e \u0130stanbul \u0131 \u03a3\u039f\u03a6\u039f\u03a3 \u03c3\u03bf\u03c6\u03bf\u03c2",
		"\ufb01ne \ufb03 \u212a kelvin \u2126 ohm \u00c5ngstr\u00f6m \u212b",
		"\xff\xfe broken \xc3 utf8 \xe2\x82 here \xed\xa0\x80 surrogate",
		"\u0939\u093f\u0928\u094d\u0926\u0940 \u0645\u0631\u062d\u0628\u0627 \u0631\u0648\u0633\u06cc\u0647\u200c\u0627\u06cc \u65e5\u672c\u8a9e\u306e\u6587",
		"x1 2y 3\u0663\u0664 \u00bd \u2460 digits",
		strings.Repeat("long", 40) + " " + strings.Repeat("W\u00d6RT", 30) + " tail",
		"\ufffd replacement \ufffdchar",
	}
	for _, a := range testcorpus.GroundTruth(tb) {
		in = append(in, a.Body)
	}
	return in
}

func TestSignaturesMatchReference(t *testing.T) {
	for _, text := range signatureInputs(t) {
		short := text
		if len(short) > 40 {
			short = short[:40] + "…"
		}
		if got, want := ContentHash(text), referenceContentHash(text); got != want {
			t.Errorf("ContentHash(%q) = %s, reference %s", short, got, want)
		}
		if got, want := SimHash(text), referenceSimHash(text); got != want {
			t.Errorf("SimHash(%q) = %x, reference %x", short, got, want)
		}
		if got, want := Words(text), referenceWords(text); strings.Join(got, "|") != strings.Join(want, "|") || len(got) != len(want) {
			t.Errorf("Words(%q) = %q, reference %q", short, got, want)
		}
	}
}

func FuzzSignaturesMatchReference(f *testing.F) {
	for _, text := range signatureInputs(f)[:14] {
		f.Add(text)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if got, want := ContentHash(text), referenceContentHash(text); got != want {
			t.Errorf("ContentHash(%q) = %s, reference %s", text, got, want)
		}
		if got, want := SimHash(text), referenceSimHash(text); got != want {
			t.Errorf("SimHash(%q) = %x, reference %x", text, got, want)
		}
	})
}

func TestSimHashDoesNotAllocate(t *testing.T) {
	text := testcorpus.GroundTruth(t)[0].Body
	if n := testing.AllocsPerRun(20, func() { SimHash(text) }); n > 0 {
		t.Errorf("SimHash allocates %.0f times per call", n)
	}
}
