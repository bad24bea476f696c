package matcher

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/claimwatch/claimwatch/claims"
)

// testClaims is a small claim set written for the tests, covering every rule
// kind: direction both ways, a window scope, a none group, other scripts.
func testClaims() []claims.Claim {
	russia := claims.Group{Name: "russia", Terms: []string{"Russia", "Russian*", "Moscow", "Kremlin", "Росси*", "روسیه"}}
	iran := claims.Group{Name: "iran", Terms: []string{"Iran", "Tehran", "Иран*", "ایران", "Islamic Republic"}}
	return []claims.Claim{
		{
			ID: "arms",
			Groups: []claims.Group{
				russia, iran,
				{Name: "hardware", Terms: []string{"Su-35", "S-400", "fighter jet*", "helicopter*", "истребител*", "جنگنده"}},
				{Name: "transfer", Terms: []string{"deliver*", "sell*", "sold", "ship*", "постав*"}},
				{Name: "receive", Terms: []string{"receiv*", "took delivery", "bought", "получил*"}},
			},
			Rule: claims.Rule{
				All:              []string{"russia", "iran", "hardware"},
				Direction:        [][]string{{"russia", "transfer", "iran"}, {"iran", "receive", "russia"}},
				RequireDirection: true,
				Trigger:          []string{"transfer", "receive"},
			},
			Cues: claims.Cues{
				Supports:    []string{"first batch"},
				Contradicts: []string{"cancel*", "halted"},
			},
		},
		{
			ID: "syria",
			Groups: []claims.Group{
				russia,
				{Name: "iran", Terms: []string{"Iran*", "militia*"}},
				{Name: "syria", Terms: []string{"Syria*", "Damascus"}},
				{Name: "curb", Terms: []string{"curb*", "withdr*", "pushed out"}},
				{Name: "turkey", Terms: []string{"Turkey", "Turkish*"}},
			},
			Rule: claims.Rule{All: []string{"russia", "iran", "syria", "curb"}, None: []string{"turkey"}, Scope: claims.ScopeWindow, Window: 15},
			Cues: claims.Cues{Supports: []string{"withdrew", "pushed out"}, Contradicts: []string{"expanded"}},
		},
		{
			ID: "sanctions",
			Groups: []claims.Group{
				iran,
				{Name: "sanctions", Terms: []string{"sanction*"}},
				{Name: "exclude", Terms: []string{"North Korea", "Venezuela"}},
			},
			Rule: claims.Rule{All: []string{"iran", "sanctions"}, None: []string{"exclude"}},
			Cues: claims.Cues{Supports: []string{"complied"}, Contradicts: []string{"despite"}},
		},
		{
			ID: "alignment",
			Groups: []claims.Group{
				russia, iran,
				{Name: "align", Terms: []string{"coordinat*", "joint statement", "همکاری"}},
			},
			Rule: claims.Rule{All: []string{"russia", "iran", "align"}, Direction: [][]string{{"russia", "align", "iran"}}},
			Cues: claims.Cues{Supports: []string{"agreed", "signed"}, Contradicts: []string{"rift"}},
		},
	}
}

func mustCompile(t testing.TB, cs []claims.Claim) *Matcher {
	t.Helper()
	m, err := Compile(cs)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	return m
}

// find returns the finding for id, or nil.
func find(fs []claims.Finding, id string) *claims.Finding {
	for i := range fs {
		if fs[i].ClaimID == id {
			return &fs[i]
		}
	}
	return nil
}

func TestMatchRules(t *testing.T) {
	m := mustCompile(t, testClaims())
	tests := []struct {
		name   string
		body   string
		claim  string
		stance claims.Stance // "" means: the claim must not match
	}{
		// direction and require_direction
		{"active direction", "Moscow has begun delivering Su-35 fighter jets to Tehran.", "arms", claims.Supports},
		{"passive direction", "Iran took delivery of the first S-400 battery from Russia on Monday.", "arms", claims.Supports},
		{"reverse direction dropped", "Iran has shipped hundreds of drones and helicopters to Russia.", "arms", ""},
		{"no transfer verb dropped", "Russia and Iran discussed the Su-35 at length.", "arms", ""},
		{"direction spans the sentence only", "Russia sold arms. Iran wants Su-35 fighter jets.", "arms", ""},
		// negation
		{"negated support", "Russia has not delivered any Su-35 jets to Iran, officials said.", "arms", claims.Contradicts},
		{"n't negation", "Russia hasn't delivered the S-400 to Iran.", "arms", claims.Contradicts},
		{"denied", "Moscow denied it had delivered S-400 systems to Iran.", "arms", claims.Contradicts},
		{"negated contradiction", "Russia never cancelled its contract to sell S-400 systems to Iran.", "arms", claims.Supports},
		{"negation in another clause", "Russia sold S-400 systems to Iran, though no one expected it.", "arms", claims.Supports},
		{"double negation", "Moscow did not deny that Russia had delivered S-400 systems to Iran.", "arms", claims.Supports},
		{"yet to", "Russia has yet to deliver a single Su-35 to Iran, even after years of negotiations.", "arms", claims.Contradicts},
		{"failure predicate", "Russia refused to sell S-400 systems to Iran.", "arms", claims.Contradicts},
		{"headline present", "Russia ships Su-35 fighter jets to Iran", "arms", claims.Supports},
		{"headline infinitive", "Russia to sell Su-35 fighter jets to Iran", "arms", claims.Mentions},
		{"contradiction", "Russia halted deliveries of S-400 systems to Iran in March.", "arms", claims.Contradicts},
		{"tie: contradicts wins", "Russia delivered two Su-35 jets to Iran but halted the S-400 sale.", "arms", claims.Contradicts},
		{"future", "Russia will sell S-400 systems to Iran, the Kremlin said.", "arms", claims.Mentions},
		{"cue without trigger", "Russia and Iran halted the Su-35 deal.", "arms", ""},
		// hedging
		{"hedged may", "Russia may deliver Su-35 fighter jets to Iran next year.", "arms", claims.Mentions},
		{"hedged talks", "Russia is in talks to sell Su-35 jets to Iran.", "arms", claims.Mentions},
		{"hedge in another clause", "Russia delivered Su-35 jets to Iran, despite years of talks.", "arms", claims.Supports},
		{"reported speech keeps factuality", "Russia reportedly delivered S-400 systems to Iran.", "arms", claims.Supports},
		{"hedged negotiations", "Moscow is negotiating to sell S-400 systems to Iran.", "arms", claims.Mentions},
		{"question", "Will Russia sell Su-35 fighter jets to Iran?", "arms", claims.Mentions},
		{"May the month", "In May, Russia delivered Su-35 fighter jets to Iran.", "arms", claims.Supports},
		// words, phrases, case, accents, scripts
		{"case", "MOSCOW HAS BEGUN DELIVERING SU-35 FIGHTER JETS TO TEHRAN", "arms", claims.Supports},
		{"accents", "Moscow delivered Su-35 jets to Tehrán.", "arms", claims.Supports},
		{"hyphen variants", "Moscow delivered SU‑35 and Su 35 jets to Tehran.", "arms", claims.Supports},
		{"phrase", "Iran took delivery of Su-35 jets from Russia.", "arms", claims.Supports},
		{"phrase not across sentences", "Russia and Iran met in Syria to issue a joint. Statement followed.", "alignment", ""},
		{"wildcard", "The Russians shipped helicopters to Iran.", "arms", claims.Supports},
		{"boundary: Iranian is not Iran", "Russia shipped Su-35 jets to Iranian allies.", "arms", ""},
		{"boundary: Irani is not Iran", "Russia shipped Su-35 jets to Irani.", "arms", ""},
		{"boundary: inside a word", "Russia shipped Su-35 jets to Iranistan.", "arms", ""},
		{"possessive", "Russia shipped Su-35 jets to Iran's air force, which delivered praise.", "arms", claims.Supports},
		{"Russian", "Россия поставила истребители Су-35 Ирану.", "arms", claims.Supports},
		{"Russian negated", "Россия не поставила Ирану истребители Су-35.", "arms", claims.Contradicts},
		{"Russian passive", "Иран получил от России истребители Су-35.", "arms", claims.Supports},
		{"Persian", "روسیه و ایران همکاری نظامی را گسترش دادند", "alignment", claims.Mentions},
		{"Persian yeh/kaf variants", "روسيه و ايران همكاري نظامي را گسترش دادند", "alignment", claims.Mentions},
		// none and scope
		{"all present", "Iran faces new sanctions over its nuclear programme.", "sanctions", claims.Mentions},
		{"none present", "Iran and North Korea face new sanctions.", "sanctions", ""},
		{"none elsewhere is fine", "Iran faces new sanctions. Venezuela too.", "sanctions", claims.Mentions},
		{"support", "Iran complied with the sanctions, officials said.", "sanctions", claims.Supports},
		{"sentence scope needs one sentence", "Iran protested. The sanctions were new.", "sanctions", ""},
		{"window across sentences", "Russian officers met in Damascus. Iranian militias withdrew soon after.", "syria", claims.Supports},
		{"window too wide", "Russian officers met in Damascus on Monday to discuss the reconstruction of roads, schools, hospitals and the power grid in the north, the ports in the west and the airports. Iranian militias withdrew.", "syria", ""},
		{"window none-free", "Russia pushed out Iranian militias from Syria.", "syria", claims.Supports},
		{"window none within reach", "Russian officers met in Damascus. Iranian militias withdrew, Turkish officials said.", "syria", ""},
		{"window none out of reach", "Russian officers met in Damascus. Iranian militias withdrew. Many weeks later, after long and difficult meetings in several capitals, Turkish officials said so too.", "syria", claims.Supports},
		{"window negation", "Russian officers met in Damascus, but Iranian militias never withdrew.", "syria", claims.Contradicts},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := m.Match(Document{Body: tt.body})
			f := find(fs, tt.claim)
			switch {
			case tt.stance == "" && f != nil:
				t.Errorf("%q matched %s (%s), want no match", tt.body, tt.claim, f.Stance)
			case tt.stance != "" && f == nil:
				t.Errorf("%q did not match %s, want %s (findings %+v)", tt.body, tt.claim, tt.stance, fs)
			case f != nil && f.Stance != tt.stance:
				t.Errorf("%q: %s stance %s, want %s", tt.body, tt.claim, f.Stance, tt.stance)
			}
			if f != nil && (f.Confidence <= 0 || f.Confidence > 1) {
				t.Errorf("confidence %v out of (0,1]", f.Confidence)
			}
		})
	}
}

func TestDirectedFlag(t *testing.T) {
	m := mustCompile(t, testClaims())
	directed := find(m.Match(Document{Body: "Russia coordinated closely with Iran on Syria."}), "alignment")
	plain := find(m.Match(Document{Body: "Iran and Russia coordinated closely on Syria."}), "alignment")
	if directed == nil || plain == nil {
		t.Fatalf("want both to match alignment: %+v %+v", directed, plain)
	}
	if !directed.Directed || plain.Directed {
		t.Errorf("Directed = %v, %v; want true, false", directed.Directed, plain.Directed)
	}
	if directed.Confidence <= plain.Confidence {
		t.Errorf("directed confidence %v not above plain %v", directed.Confidence, plain.Confidence)
	}
}

func TestConfidenceOrdering(t *testing.T) {
	m := mustCompile(t, testClaims())
	const s = "Moscow delivered Su-35 fighter jets to Tehran."
	conf := func(doc Document) claims.Finding {
		t.Helper()
		f := find(m.Match(doc), "arms")
		if f == nil {
			t.Fatalf("%+v did not match", doc)
		}
		return *f
	}
	body := conf(Document{Body: s})
	title := conf(Document{Title: s, Body: "Officials gave no details."})
	both := conf(Document{Title: s, Body: s})
	hedged := conf(Document{Body: "Moscow may deliver Su-35 fighter jets to Tehran."})
	many := conf(Document{Body: s + " Later Russia delivered more Su-35 jets to Iran. Russia delivered S-400 to Iran too."})
	if !title.InTitle || body.InTitle {
		t.Errorf("InTitle = %v (title), %v (body)", title.InTitle, body.InTitle)
	}
	if title.Confidence <= body.Confidence {
		t.Errorf("title confidence %v not above body %v", title.Confidence, body.Confidence)
	}
	if both.Sentences != 2 || both.Confidence < title.Confidence {
		t.Errorf("title+body: %d sentences, confidence %v (title alone %v)", both.Sentences, both.Confidence, title.Confidence)
	}
	if hedged.Stance != claims.Mentions || hedged.Confidence >= body.Confidence || hedged.Confidence > 0.4 {
		t.Errorf("hedged: %s %v, unhedged %v", hedged.Stance, hedged.Confidence, body.Confidence)
	}
	if many.Sentences != 3 || many.Confidence <= body.Confidence {
		t.Errorf("three sentences: %d, confidence %v vs one %v", many.Sentences, many.Confidence, body.Confidence)
	}
}

func TestStrongestStanceWins(t *testing.T) {
	m := mustCompile(t, testClaims())
	// The directed, cued title outweighs the body's contradiction, which
	// has no title bonus.
	f := find(m.Match(Document{
		Title: "Russia delivers Su-35 jets to Iran; the first were delivered on Monday",
		Body:  "Russia halted deliveries of S-400 systems to Iran.",
	}), "arms")
	if f == nil || f.Stance != claims.Supports || !f.InTitle {
		t.Fatalf("got %+v, want supports from the title", f)
	}
	if !strings.HasPrefix(f.Snippet, "Russia delivers Su-35") {
		t.Errorf("snippet %q should quote the title", f.Snippet)
	}
	// A stance beats a stronger mere mention.
	f = find(m.Match(Document{
		Title: "Russia to sell Su-35 jets to Iran",
		Body:  "Russia halted deliveries of S-400 systems to Iran.",
	}), "arms")
	if f == nil || f.Stance != claims.Contradicts {
		t.Fatalf("got %+v, want contradicts from the body", f)
	}
}

func TestSnippet(t *testing.T) {
	m := mustCompile(t, testClaims())
	t.Run("short sentence gets its neighbour", func(t *testing.T) {
		f := find(m.Match(Document{Body: "Background first.\nRussia sold Iran Su-35 jets.   The jets   arrived\nin Tehran on Monday, officials said."}), "arms")
		if f == nil {
			t.Fatal("no match")
		}
		want := "Russia sold Iran Su-35 jets. The jets arrived in Tehran on Monday, officials said."
		if f.Snippet != want {
			t.Errorf("snippet %q, want %q", f.Snippet, want)
		}
	})
	t.Run("last short sentence gets the previous one", func(t *testing.T) {
		f := find(m.Match(Document{Body: "The deal had been expected for years.\nRussia sold Iran Su-35 jets."}), "arms")
		if f == nil || f.Snippet != "The deal had been expected for years. Russia sold Iran Su-35 jets." {
			t.Errorf("got %+v", f)
		}
	})
	t.Run("long sentence is capped", func(t *testing.T) {
		long := "Russia sold Su-35 jets to Iran" + strings.Repeat(", and more words follow here", 40) + "."
		f := find(m.Match(Document{Body: long}), "arms")
		if f == nil {
			t.Fatal("no match")
		}
		if len(f.Snippet) > maxSnippet+len("…") || !strings.HasSuffix(f.Snippet, "…") || !strings.HasPrefix(f.Snippet, "Russia sold Su-35") {
			t.Errorf("snippet of %d bytes: %q", len(f.Snippet), f.Snippet)
		}
	})
	t.Run("cut keeps the hit in view", func(t *testing.T) {
		long := strings.Repeat("Words of preamble go on, ", 30) + "and then Russia sold Su-35 jets to Iran."
		f := find(m.Match(Document{Body: long}), "arms")
		if f == nil || !strings.Contains(f.Snippet, "Russia sold Su-35 jets to Iran.") || len(f.Snippet) > maxSnippet+2*len("…") {
			t.Errorf("got %+v", f)
		}
	})
}

func TestMatchedTerms(t *testing.T) {
	m := mustCompile(t, testClaims())
	f := find(m.Match(Document{Body: "Moscow delivered Su-35 jets to Tehran. Moscow delivered the first batch of S-400 to Tehran. The Iranian people shrugged."}), "arms")
	if f == nil {
		t.Fatal("no match")
	}
	want := []string{"Moscow", "Tehran", "Su-35", "S-400", "deliver*", "first batch"}
	if !slices.Equal(f.MatchedTerms, want) {
		t.Errorf("MatchedTerms = %q, want %q", f.MatchedTerms, want)
	}
}

func TestMatchResultShape(t *testing.T) {
	m := mustCompile(t, testClaims())
	if fs := m.Match(Document{Title: "Weather", Body: "Sunny in Tehran, rain in Moscow."}); fs != nil {
		t.Errorf("want nil, got %+v", fs)
	}
	if fs := m.Match(Document{}); fs != nil {
		t.Errorf("empty document: want nil, got %+v", fs)
	}
	fs := m.Match(Document{Body: "Russia coordinated with Iran and delivered Su-35 jets to Iran; Iran complied with sanctions."})
	var ids []string
	for _, f := range fs {
		ids = append(ids, f.ClaimID)
	}
	if want := []string{"alignment", "arms", "sanctions"}; !slices.Equal(ids, want) {
		t.Errorf("claim ids %q, want %q", ids, want)
	}
	if got := m.Claims(); len(got) != 4 || got[0].ID != "arms" {
		t.Errorf("Claims() = %d claims, first %q", len(got), got[0].ID)
	}
}

func TestInvalidUTF8(t *testing.T) {
	m := mustCompile(t, testClaims())
	f := find(m.Match(Document{Title: "\xff\xfe", Body: "Moscow\xff delivered Su-35 jets to Tehran.\xc3"}), "arms")
	if f == nil || f.Stance != claims.Supports {
		t.Fatalf("got %+v", f)
	}
	if !utf8.ValidString(f.Snippet) {
		t.Errorf("snippet %q is not valid UTF-8", f.Snippet)
	}
}

func TestCompileErrors(t *testing.T) {
	base := func() claims.Claim {
		return claims.Claim{
			ID:     "c1",
			Groups: []claims.Group{{Name: "a", Terms: []string{"Iran"}}},
			Rule:   claims.Rule{All: []string{"a"}},
		}
	}
	tests := []struct {
		name string
		edit func(c *claims.Claim)
		want []string
	}{
		{"wildcard only", func(c *claims.Claim) { c.Groups[0].Terms = []string{"*"} }, []string{"c1", `"*"`}},
		{"inner wildcard", func(c *claims.Claim) { c.Groups[0].Terms = []string{"Ir*an"} }, []string{"c1", `"Ir*an"`}},
		{"punctuation only", func(c *claims.Claim) { c.Groups[0].Terms = []string{"--"} }, []string{"c1", `"--"`}},
		{"wildcard after punctuation", func(c *claims.Claim) { c.Groups[0].Terms = []string{"Iran-*"} }, []string{"c1", `"Iran-*"`}},
		{"bad cue", func(c *claims.Claim) { c.Cues.Supports = []string{"…"} }, []string{"c1", `"…"`}},
		{"unknown group", func(c *claims.Claim) { c.Rule.None = []string{"nope"} }, []string{"c1", `"nope"`}},
		{"bad term in unused group", func(c *claims.Claim) {
			c.Groups = append(c.Groups, claims.Group{Name: "spare", Terms: []string{"ok", "x*y"}})
		}, []string{"c1", `"x*y"`}},
		{"empty all", func(c *claims.Claim) { c.Rule.All = nil }, []string{"c1", "event.all"}},
		{"empty about", func(c *claims.Claim) { c.About = &claims.Rule{} }, []string{"c1", "about.all"}},
		{"unknown trigger", func(c *claims.Claim) { c.Rule.Trigger = []string{"nope"} }, []string{"c1", "event.trigger", `"nope"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := base()
			tt.edit(&c)
			_, err := Compile([]claims.Claim{c})
			if err == nil {
				t.Fatal("Compile succeeded")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %s", err, w)
				}
			}
		})
	}
	if _, err := Compile([]claims.Claim{base(), base()}); err == nil || !strings.Contains(err.Error(), "c1") {
		t.Errorf("duplicate id: %v", err)
	}
}

func TestConcurrentMatch(t *testing.T) {
	m := mustCompile(t, testClaims())
	docs := []Document{
		{Body: "Moscow has begun delivering Su-35 fighter jets to Tehran."},
		{Title: "Iran complied with sanctions", Body: "Nothing else."},
		{Body: "Russian officers met in Damascus. Iranian militias withdrew soon after."},
	}
	want := make([][]claims.Finding, len(docs))
	for i, d := range docs {
		want[i] = m.Match(d)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := range 8 {
		wg.Go(func() {
			for k := range 50 {
				i := (g + k) % len(docs)
				if got := m.Match(docs[i]); fmt.Sprint(got) != fmt.Sprint(want[i]) {
					errs <- fmt.Sprintf("doc %d: %+v, want %+v", i, got, want[i])
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// TestGroupsCountPerText checks that a claim's groups must all occur in one
// text: groups split between title and body, or left over from the
// previous document, match nothing, while a claim with all of them in the
// body still matches next to claims that lack some.
func TestGroupsCountPerText(t *testing.T) {
	m := mustCompile(t, testClaims())
	if fs := m.Match(Document{Title: "Iran protests", Body: "New sanctions were announced."}); len(fs) != 0 {
		t.Errorf("groups split between title and body matched: %+v", fs)
	}
	m.Match(Document{Body: "Russia and Iran met."})
	if fs := m.Match(Document{Body: "Sanctions were announced. Coordination improved."}); len(fs) != 0 {
		t.Errorf("groups of an earlier document carried over: %+v", fs)
	}
	fs := m.Match(Document{Body: "Russia coordinated with Kremlin aides. Iran faces new sanctions."})
	if len(fs) != 1 || fs[0].ClaimID != "sanctions" {
		t.Errorf("want only sanctions to match, got %+v", fs)
	}
}

// A contraction later in the text must not disturb an earlier sentence's
// negation: negations are kept in word order whichever way they were found.
func TestLaterContractionKeepsEarlierNegation(t *testing.T) {
	set, err := claims.Shipped()
	if err != nil {
		t.Fatal(err)
	}
	m, err := Compile(set)
	if err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{
		"Russia has not delivered Su-35 jets to Iran.",
		"Russia has not delivered Su-35 jets to Iran. It didn't matter.",
	} {
		var got claims.Stance
		for _, f := range m.Match(Document{Body: body}) {
			if f.ClaimID == "russia-arms-to-iran" {
				got = f.Stance
			}
		}
		if got != claims.Contradicts {
			t.Errorf("%q: russia-arms-to-iran %q, want contradicts", body, got)
		}
	}
}

func TestSnippetKeepsTheHeadlineApartFromTheText(t *testing.T) {
	m := mustCompile(t, testClaims())
	f := find(m.Match(Document{Body: "Russia in southern Syria\nRussian officers met in Damascus. Iranian militias withdrew soon after."}), "syria")
	if f == nil || !strings.Contains(f.Snippet, "southern Syria — Russian officers") {
		t.Errorf("snippet %+v; want the line break kept as a dash", f)
	}
	if got := collapse("Russia delivered jets.\nIran paid.", 100); got != "Russia delivered jets. Iran paid." {
		t.Errorf("a sentence ending its line: %q", got)
	}
}
