package factuality

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/claimwatch/claimwatch/internal/textnorm"
)

// labelled is a test sentence: the text, the event's words, and the
// expected class.
type labelled struct {
	line     int
	text     string
	pos, end int
	want     Class
	tk       *textnorm.Tokens
}

// parseCase reads "class<TAB>text with the [event] in brackets".
func parseCase(t testing.TB, where string, line int, s string) labelled {
	t.Helper()
	cls, text, ok := strings.Cut(s, "\t")
	if !ok {
		t.Fatalf("%s:%d: want class<TAB>sentence", where, line)
	}
	var want Class
	switch cls {
	case "asserted":
		want = Asserted
	case "negated":
		want = Negated
	case "unasserted":
		want = Unasserted
	default:
		t.Fatalf("%s:%d: unknown class %q", where, line, cls)
	}
	open, close := strings.Index(text, "["), strings.Index(text, "]")
	if open < 0 || close < open {
		t.Fatalf("%s:%d: no [event] in %q", where, line, text)
	}
	plain := text[:open] + text[open+1:close] + text[close+1:]
	tk := textnorm.Tokenize(plain)
	c := labelled{line: line, text: plain, want: want, tk: tk, pos: -1}
	for i, tok := range tk.Tokens {
		if int(tok.Start) >= open && int(tok.End) <= close-1 {
			if c.pos < 0 {
				c.pos = i
			}
			c.end = i + 1
		}
	}
	if c.pos < 0 {
		t.Fatalf("%s:%d: no word inside [ ]", where, line)
	}
	return c
}

func readCases(t testing.TB, name string) []labelled {
	t.Helper()
	path := filepath.Join("testdata", name)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []labelled
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		s := sc.Text()
		if strings.TrimSpace(s) == "" || strings.HasPrefix(s, "#") {
			continue
		}
		out = append(out, parseCase(t, path, n, s))
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// runCases classifies every case and returns how many came out right,
// reporting the wrong ones.
func runCases(t *testing.T, name string, report func(format string, args ...any)) (right, total int) {
	for _, c := range readCases(t, name) {
		got := Classify(c.tk, 0, len(c.tk.Tokens), c.pos, c.end)
		total++
		if got.Class == c.want {
			right++
			continue
		}
		words := c.tk.Words()
		report("%s:%d: %q: got %s (cue %q, clause %q), want %s", name, c.line, c.text,
			got.Class, got.Cue, strings.Join(words[got.Start:got.End], " "), c.want)
	}
	return right, total
}

// TestLabelled runs the sentences the rules were tuned on (English) or
// written with (Russian, Persian): every one must come out right.
func TestLabelled(t *testing.T) {
	for _, set := range []struct {
		file string
		min  int
	}{{"en_tune.tsv", 120}, {"ru.tsv", 10}, {"fa.tsv", 10}} {
		t.Run(set.file, func(t *testing.T) {
			right, total := runCases(t, set.file, t.Errorf)
			if total < set.min {
				t.Errorf("only %d cases, want %d", total, set.min)
			}
			t.Logf("%s: %d/%d", set.file, right, total)
		})
	}
}

// TestHeldOut measures the sentences kept out of tuning (every fourth of
// the English set as first written). The rules were not fitted to them, so
// a miss is logged, not failed; the accuracy must stay well above chance.
func TestHeldOut(t *testing.T) {
	right, total := runCases(t, "en_heldout.tsv", t.Logf)
	acc := float64(right) / float64(total)
	t.Logf("held-out accuracy: %d/%d = %.2f", right, total, acc)
	if acc < 0.6 {
		t.Errorf("held-out accuracy %.2f below 0.60", acc)
	}
}

func TestCue(t *testing.T) {
	for _, tc := range []struct{ text, cue string }{
		{"Moscow dismissed reports that it had [sold] S-400 systems to Tehran", "dismissed reports that"},
		{"Russia has not [delivered] the jets.", "not"},
		{"Iran plans to [buy] jets.", "plans to"},
		{"Iran to [buy] Su-35 jets from Russia", "to"},
		{"Russia [delivered] the jets.", ""},
		{"Russia did not deny that the jets were [delivered]", "not deny that"},
		{"Did Russia [deliver] the jets?", "?"},
		{"The non-[delivery] of S-300 systems", "non"},
	} {
		c := parseCase(t, "cue", 0, "asserted\t"+tc.text)
		got := Classify(c.tk, 0, len(c.tk.Tokens), c.pos, c.end)
		if got.Cue != tc.cue {
			t.Errorf("%q: cue %q (%s), want %q", c.text, got.Cue, got.Class, tc.cue)
		}
	}
}

// TestClause checks the clause splitter: the words of the event's clause.
func TestClause(t *testing.T) {
	for _, tc := range []struct{ text, clause string }{
		{"Russia [delivered] the S-400 to Iran, despite years of talks.", "russia delivered the s 400 to iran"},
		{"Iran [signed] the agreement with the EAEU; the date was not disclosed.", "iran signed the agreement with the eaeu"},
		{"Russia has yet to [deliver] a single Su-35 to Iran, even after years of negotiations.", "russia has yet to deliver a single su 35 to iran"},
		{"Moscow dismissed reports that it had [sold] S-400 systems to Tehran", "moscow dismissed reports that it had sold s 400 systems to tehran"},
		{"Despite years of delays, Russia [delivered] the S-300 to Iran in 2016.", "russia delivered the s 300 to iran in 2016"},
		{"After Russia [delivered] the S-300, Iran deployed it.", "after russia delivered the s 300"},
		{"Russia [delivered] the S-400 to Iran, a source said.", "russia delivered the s 400 to iran"},
		{"According to Tasnim, Iran has [received] the jets.", "iran has received the jets"},
		{"Russia [delivered] the S-400 — a move Israel had tried to block.", "russia delivered the s 400"},
		{"Russia (which had hesitated) [delivered] the S-300.", "russia which had hesitated delivered the s 300"},
		{"Iran [received] the jets, but the payment has not been made.", "iran received the jets"},
		{"Russia delivered the S-300, and Iran [deployed] it.", "and iran deployed it"},
		{"Russia [delivered] the S-300, which Iran had not paid for.", "russia delivered the s 300"},
		{"Russia, which had long refused, [delivered] the S-300.", "russia which had long refused delivered the s 300"},
		{"Iran [signed] the deal: the date was not disclosed.", "iran signed the deal"},
		{"Russia [sold] S-400 systems to Iran as part of a wider deal.", "russia sold s 400 systems to iran as part of a wider deal"},
		{"Iran said, in a statement, that Russia had [delivered] the jets.", "in a statement that russia had delivered the jets"},
		{"Russia [delivered] the S-400 - a move Israel had opposed.", "russia delivered the s 400"},
	} {
		c := parseCase(t, "clause", 0, "asserted\t"+tc.text)
		s, e := Clause(c.tk, 0, len(c.tk.Tokens), c.pos)
		got := strings.Join(c.tk.Words()[s:e], " ")
		if got != tc.clause {
			t.Errorf("%q: clause %q, want %q", c.text, got, tc.clause)
		}
	}
}

// TestClauseStaysInWindow: the clause never leaves [a, b) or the event's
// sentence.
func TestClauseStaysInWindow(t *testing.T) {
	tk := textnorm.Tokenize("Russia did not deliver. Iran received the jets on Monday")
	words := tk.Words()
	pos := 5 // "received"
	if words[pos] != "received" {
		t.Fatalf("word %d is %q", pos, words[pos])
	}
	if s, e := Clause(tk, 0, len(words), pos); s != 4 || e != len(words) {
		t.Errorf("clause [%d,%d), want [4,%d)", s, e, len(words))
	}
	if s, e := Clause(tk, 5, 7, pos); s != 5 || e != 7 {
		t.Errorf("clause in window [5,7): [%d,%d)", s, e)
	}
	if r := Classify(tk, 0, len(words), pos, pos+1); r.Class != Asserted {
		t.Errorf("negation leaked from the sentence before: %+v", r)
	}
}

func TestClassifyOutOfRange(t *testing.T) {
	tk := textnorm.Tokenize("Russia delivered jets")
	for _, pos := range []int{-1, 3, 10} {
		if r := Classify(tk, 0, 3, pos, pos+1); r.Class != Asserted || r.Cue != "" {
			t.Errorf("pos %d: %+v", pos, r)
		}
	}
	if r := Classify(tk, 0, 3, 1, 0); r.Class != Asserted {
		t.Errorf("empty event: %+v", r)
	}
}

func TestClassString(t *testing.T) {
	for c, want := range map[Class]string{Asserted: "asserted", Negated: "negated", Unasserted: "unasserted", 9: "unknown"} {
		if c.String() != want {
			t.Errorf("%d: %q", c, c.String())
		}
	}
}

// TestClauseHoldsEvent: for every word of every test sentence, in windows
// of every size, the clause holds the event and stays inside the window,
// and the cue is made of the clause's words (or "?").
func TestClauseHoldsEvent(t *testing.T) {
	var texts []*textnorm.Tokens
	for _, f := range []string{"en_tune.tsv", "ru.tsv", "fa.tsv"} {
		for _, c := range readCases(t, f) {
			texts = append(texts, c.tk)
		}
	}
	texts = append(texts, textnorm.Tokenize("(((Russia))) — delivered , , ; : ( ) ) ( jets?? \"no\" (not) if"))
	for _, tk := range texts {
		n := len(tk.Tokens)
		for pos := 0; pos < n; pos++ {
			for _, win := range [][2]int{{0, n}, {pos, pos + 1}, {max(0, pos-3), min(n, pos+4)}} {
				for _, end := range []int{pos + 1, min(n, pos+3)} {
					r := Classify(tk, win[0], win[1], pos, end)
					if r.Start > pos || r.End < end || r.Start < min(win[0], pos) || r.End > max(win[1], end) {
						t.Fatalf("%q: event [%d,%d) in window %v: clause [%d,%d)", tk.Text, pos, end, win, r.Start, r.End)
					}
					if r.Class == Asserted && r.Cue != "" && !strings.Contains(r.Cue, " ") {
						t.Errorf("%q: asserted with the single cue %q", tk.Text, r.Cue)
					}
				}
			}
		}
	}
}

// FuzzClassify: any text and any event position classify without panic,
// and the clause holds the event.
func FuzzClassify(f *testing.F) {
	f.Add("Russia has not delivered the S-400 (which, Iran says, it paid for) — yet.", 3, 2)
	f.Add("Если Россия не поставит С-400, ли?", 3, 1)
	f.Add("روسیه ... به ایران تحویل نداد؟", 4, 1)
	f.Add("), ( ; : - -- — – , which , but if ?", 0, 5)
	f.Fuzz(func(t *testing.T, text string, pos, n int) {
		tk := textnorm.Tokenize(text)
		if len(tk.Tokens) == 0 {
			return
		}
		pos = abs(pos) % len(tk.Tokens)
		end := min(len(tk.Tokens), pos+1+abs(n)%4)
		r := Classify(tk, 0, len(tk.Tokens), pos, end)
		if r.Start > pos || r.End < end || r.Class > Unasserted {
			t.Fatalf("event [%d,%d): %+v", pos, end, r)
		}
	})
}

func abs(x int) int {
	if x < 0 {
		if x == -x { // the most negative int
			return 0
		}
		return -x
	}
	return x
}
