package textnorm

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"testing/quick"
	"unicode/utf8"
)

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Iran", "iran"},
		{"already lower", "already lower"},
		{"Tehrán", "tehran"},
		{"TEHRÁN", "tehran"},
		{"Te\u0301hran", "tehran"}, // decomposed accent
		{"Straße", "strasse"},      // full case folding
		{"ＩＲＡＮ", "iran"},           // full-width (NFKC)
		{"ﬁghter", "fighter"},      // ligature (NFKC)
		{"“quoted” ‘single’ «guillemets»", `"quoted" 'single' "guillemets"`},
		{"Su‑35 – S−400 — x﹣y －z", "su-35 - s-400 - x-y -z"},
		{"ИРАН Россия Ёлка", "иран россия елка"},
		{"كيف علي", "کیف علی"},       // Arabic kaf/yeh → Persian
		{"ایـــران", "ایران"},        // tatweel dropped
		{"می\u200cخواهد", "میخواهد"}, // ZWNJ dropped
		{"احتمالاً", "احتمالا"},      // harakat dropped
		{"۱۳۹۸ ٢٠٢٠", "1398 2020"},   // Persian and Arabic-Indic digits
		{"bad\xffbyte", "bad\uFFFDbyte"},
	}
	for _, tt := range tests {
		if got := Normalize(tt.in); got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNormalizeIdempotent(t *testing.T) {
	f := func(s string) bool {
		n := Normalize(s)
		return Normalize(n) == n && utf8.ValidString(n)
	}
	if err := quick.Check(f, &quick.Config{MaxCount: 5000}); err != nil {
		t.Error(err)
	}
	for _, s := range []string{"İstanbul", "ǅ", "ﷺ", "ΣΑΣ", "ᾼ", "Ⅻ", "\u0345", "ß\u0307", "ﬀ\xc0"} {
		if n := Normalize(s); Normalize(n) != n {
			t.Errorf("Normalize not idempotent on %q: %q then %q", s, n, Normalize(n))
		}
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"Tehrán", "Straße", "كيف", "ΣΑΣ", "İ", "\xff\xfe", "Su‑35"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := Normalize(s)
		if !utf8.ValidString(n) {
			t.Fatalf("Normalize(%q) = %q: invalid UTF-8", s, n)
		}
		if m := Normalize(n); m != n {
			t.Fatalf("Normalize not idempotent on %q: %q then %q", s, n, m)
		}
		tk := Tokenize(s)
		checkTokens(t, tk)
	})
}

// checkTokens asserts the invariants every tokenisation must keep.
func checkTokens(t *testing.T, tk *Tokens) {
	t.Helper()
	prevEnd := 0
	for i, t32 := range tk.Tokens {
		tok := struct{ Start, End, Sentence int }{int(t32.Start), int(t32.End), int(t32.Sentence)}
		if tok.Start < prevEnd || tok.End <= tok.Start || tok.End > len(tk.Text) {
			t.Fatalf("token %d span [%d,%d) out of order in %q", i, tok.Start, tok.End, tk.Text)
		}
		if len(tk.Norm(i)) == 0 {
			t.Fatalf("token %d of %q has an empty normal form", i, tk.Text)
		}
		if got, want := string(tk.Norm(i)), Normalize(tk.Text[tok.Start:tok.End]); got != want {
			t.Fatalf("token %d %q normalised to %q, Normalize gives %q", i, tk.Text[tok.Start:tok.End], got, want)
		}
		s := tk.Sentences[tok.Sentence]
		if i < s.FirstToken || i >= s.EndToken || tok.Start < s.Start || tok.End > s.End {
			t.Fatalf("token %d [%d,%d) outside its sentence %+v in %q", i, tok.Start, tok.End, s, tk.Text)
		}
		prevEnd = tok.End
	}
	next := 0
	for i, s := range tk.Sentences {
		if s.FirstToken != next || s.EndToken <= s.FirstToken {
			t.Fatalf("sentence %d %+v does not follow token %d in %q", i, s, next, tk.Text)
		}
		next = s.EndToken
	}
	if next != len(tk.Tokens) {
		t.Fatalf("sentences cover %d of %d tokens in %q", next, len(tk.Tokens), tk.Text)
	}
}

func TestTokenizeWords(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"Moscow delivered Su-35 jets", []string{"moscow", "delivered", "su", "35", "jets"}},
		{"SU-35, Su 35 and Su‑35", []string{"su", "35", "su", "35", "and", "su", "35"}},
		{"the S-400 system", []string{"the", "s", "400", "system"}},
		{"Iran's and Russia’s ties", []string{"iran", "and", "russia", "ties"}},
		{"Iran-backed militias", []string{"iran", "backed", "militias"}},
		{"U.S. officials", []string{"u.s", "officials"}},
		{"3.5 billion, 1,000 jets", []string{"3.5", "billion", "1,000", "jets"}},
		{"Moscow didn't, won’t", []string{"moscow", "didn't", "won't"}},
		{"O'Brien said", []string{"o'brien", "said"}},
		{"Iranians' ships", []string{"iranians", "ships"}},
		{"Tehrán, ТЕГЕРАН", []string{"tehran", "тегеран"}},
		{"ایران و روسیه", []string{"ایران", "و", "روسیه"}},
		{"نمی‌خواهد جنگنده‌ها", []string{"نمی", "خواهد", "جنگنده", "ها"}}, // ZWNJ splits
		{"soft\u00adware", []string{"software"}},
		{"a\xffb", []string{"a", "b"}},
		{"e\u0301tat", []string{"etat"}},
		{"— “quoted” —", []string{"quoted"}},
	}
	for _, tt := range tests {
		tk := Tokenize(tt.in)
		if got := tk.Words(); !slices.Equal(got, tt.want) {
			t.Errorf("Tokenize(%q) words = %q, want %q", tt.in, got, tt.want)
		}
		checkTokens(t, tk)
	}
}

func TestTokenOffsetsQuoteOriginal(t *testing.T) {
	in := "Tehrán’s  SU-35"
	tk := Tokenize(in)
	var got []string
	for _, tok := range tk.Tokens {
		got = append(got, in[tok.Start:tok.End])
	}
	if want := []string{"Tehrán", "SU", "35"}; !slices.Equal(got, want) {
		t.Errorf("spans quote %q, want %q", got, want)
	}
}

func TestSentences(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"plain", "Russia delivered jets. Iran paid.", []string{"Russia delivered jets.", "Iran paid."}},
		{"U.S.", "The U.S. Treasury imposed sanctions. Iran protested.", []string{"The U.S. Treasury imposed sanctions.", "Iran protested."}},
		{"titles", "Gen. Soleimani met Mr. Putin. They talked.", []string{"Gen. Soleimani met Mr. Putin.", "They talked."}},
		{"date", "On Dec. 25 the jets arrived. Officials confirmed it.", []string{"On Dec. 25 the jets arrived.", "Officials confirmed it."}},
		{"decimal", "The deal is worth 3.5 billion dollars. It was signed.", []string{"The deal is worth 3.5 billion dollars.", "It was signed."}},
		{"initials", "Analyst J. R. Smith wrote it. Others agreed.", []string{"Analyst J. R. Smith wrote it.", "Others agreed."}},
		{"quote ends", `"The jets have arrived," he said." Next came the missiles.`, []string{`"The jets have arrived," he said."`, "Next came the missiles."}},
		{"quoted sentence", `He said: "We delivered." Then he left.`, []string{`He said: "We delivered."`, "Then he left."}},
		{"question inside", `"Why now?" he asked. Nobody knew!`, []string{`"Why now?" he asked.`, "Nobody knew!"}},
		{"headline", "Russia ships S-400 to Iran\nMoscow has delivered the first batch.", []string{"Russia ships S-400 to Iran", "Moscow has delivered the first batch."}},
		{"blank line", "Key points\n\nthe deal was signed", []string{"Key points", "the deal was signed"}},
		{"wrapped line", "Russia has delivered the\nfirst batch of jets.", []string{"Russia has delivered the\nfirst batch of jets."}},
		{"lower after stop", "It cost approx. 5 million. e.g. later", []string{"It cost approx. 5 million. e.g. later"}},
		{"ellipsis", "They waited… Then it came.", []string{"They waited…", "Then it came."}},
		{"cyrillic", "Россия поставила С-400. Иран получил их.", []string{"Россия поставила С-400.", "Иран получил их."}},
		{"persian", "روسیه سلاح فروخت. ایران خرید؟ بله", []string{"روسیه سلاح فروخت.", "ایران خرید؟", "بله"}},
		{"no words", " ... \n ", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tk := Tokenize(tt.in)
			var got []string
			for _, s := range tk.Sentences {
				got = append(got, tt.in[s.Start:s.End])
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("sentences of %q:\n got %q\nwant %q", tt.in, got, tt.want)
			}
			checkTokens(t, tk)
		})
	}
}

func TestResetReuses(t *testing.T) {
	var tk Tokens
	tk.Reset("A long first text about Russia and Iran. With two sentences.")
	tk.Reset("Short")
	if w := tk.Words(); !slices.Equal(w, []string{"short"}) || len(tk.Sentences) != 1 {
		t.Errorf("after Reset: words %q, %d sentences", w, len(tk.Sentences))
	}
	text := strings.Repeat("Moscow delivered the Su-35 jets to Tehran. ", 20)
	tk.Reset(text)
	if allocs := testing.AllocsPerRun(20, func() { tk.Reset(text) }); allocs != 0 {
		t.Errorf("Reset of ASCII text allocates %.0f times, want 0", allocs)
	}
}

func TestTokenizeNeverPanics(t *testing.T) {
	f := func(s string) bool {
		tk := Tokenize(s)
		checkTokens(t, tk)
		return true
	}
	if err := quick.Check(f, &quick.Config{MaxCount: 3000}); err != nil {
		t.Error(err)
	}
}

// TestRuneByRuneMatchesNormalize checks the per-rune table against the full
// pipeline on words mixing scripts, marks, jamo and compatibility forms.
func TestRuneByRuneMatchesNormalize(t *testing.T) {
	pool := []rune("aZéÉßİıσςΣЁёйЙРрсияيكىئأآـ\u200cءةهیکabc가\u1100\u1161\u11a8\u3099か\u0301\u0308\u0654ﬁﻱＡ①Ⅻ\u0903कि\u093cাᏢꮹǅ’'.9٣")
	rng := rand.New(rand.NewPCG(1, 2))
	for range 5000 {
		var b strings.Builder
		for range 1 + rng.IntN(8) {
			b.WriteRune(pool[rng.IntN(len(pool))])
		}
		checkTokens(t, Tokenize(b.String()))
	}
	// Every BMP letter, digit and mark after a Latin letter.
	var tk Tokens
	for r := rune(0x80); r < 0x10000; r++ {
		if isWordRune(r) {
			w := "e" + string(r) + "x"
			tk.Reset(w)
			if len(tk.Tokens) != 1 || string(tk.Norm(0)) != Normalize(w) {
				t.Errorf("%q (%U): words %q, Normalize gives %q", w, r, tk.Words(), Normalize(w))
			}
		}
	}
}

// TestClassify8 checks the eight-bytes-at-a-time classifier against the
// byte table for every byte value in every position, among random others.
func TestClassify8(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for c := range 256 {
		for pos := range 8 {
			for range 8 {
				x := rng.Uint64()&^(0xff<<(8*pos)) | uint64(c)<<(8*pos)
				word, upper := classify8(x)
				for k := range 8 {
					b := byte(x >> (8 * k))
					gotWord, gotUpper := word>>(8*k+7)&1 == 1, upper>>(8*k+7)&1 == 1
					if gotWord != (asciiClass[b] == clsWord) || gotUpper != ('A' <= b && b <= 'Z') {
						t.Fatalf("classify8(%#x) byte %d (%#x): word %v upper %v", x, k, b, gotWord, gotUpper)
					}
				}
			}
		}
	}
}

// TestRuneCoding checks the inline two-byte UTF-8 paths against the
// standard library: every pair of bytes (valid or not, alone or followed
// by more text) decodes alike, and every rune encodes alike.
func TestRuneCoding(t *testing.T) {
	for c0 := range 256 {
		for c1 := range 256 {
			for _, s := range []string{string([]byte{byte(c0), byte(c1)}), string([]byte{byte(c0), byte(c1), 0x80, 'a'}), string([]byte{byte(c0)})} {
				r, n := decodeRune(s, 0)
				wr, wn := utf8.DecodeRuneInString(s)
				if r != wr || n != wn {
					t.Fatalf("decodeRune(%q) = %U, %d; want %U, %d", s, r, n, wr, wn)
				}
			}
		}
	}
	for r := range rune(utf8.MaxRune + 1) {
		if got, want := appendRune([]byte("x"), r), utf8.AppendRune([]byte("x"), r); string(got) != string(want) {
			t.Fatalf("appendRune(%U) = %q, want %q", r, got, want)
		}
	}
}

func BenchmarkTokenize(b *testing.B) {
	text := strings.Repeat("Moscow has begun delivering Su-35 fighter jets to Tehran, the U.S. said on Dec. 25. ", 100)
	var tk Tokens
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		tk.Reset(text)
	}
}

func TestNormsMatchNorm(t *testing.T) {
	tk := Tokenize("Iran's Su-35 deal, the U.S. said; Россия и Иран didn't sign. جنگنده‌ها")
	if len(tk.Tokens) < 10 {
		t.Fatalf("too few words: %q", tk.Words())
	}
	norms, start := tk.Norms(), 0
	for i := range tk.Tokens {
		end := tk.Tokens[i].NormEnd()
		if got, want := string(norms[start:end]), string(tk.Norm(i)); got != want {
			t.Errorf("word %d: Norms gives %q, Norm %q", i, got, want)
		}
		start = end
	}
}
