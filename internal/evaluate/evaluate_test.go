package evaluate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/claimwatch/claimwatch/claims"
	"github.com/claimwatch/claimwatch/internal/matcher"
	"github.com/claimwatch/claimwatch/storage"
)

// fakeMatcher answers by title: the findings listed for it.
type fakeMatcher map[string][]claims.Finding

func (f fakeMatcher) Match(doc matcher.Document) []claims.Finding { return f[doc.Title] }

func find(claim string, st claims.Stance) claims.Finding {
	return claims.Finding{ClaimID: claim, Stance: st, Snippet: "snippet of " + claim}
}

// handItems is a set whose figures are worked out by hand below.
func handItems() ([]Item, fakeMatcher) {
	exp := func(kv ...string) map[string]claims.Stance {
		m := map[string]claims.Stance{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = claims.Stance(kv[i+1])
		}
		return m
	}
	items := []Item{
		{Ref: "1", Title: "t1", Expected: exp("A", "supports"), Complete: true},
		{Ref: "2", Title: "t2", Expected: exp("A", "supports"), Complete: true},
		{Ref: "3", Title: "t3", Expected: exp("A", "contradicts"), Complete: true},
		{Ref: "4", Title: "t4", Expected: exp("A", "mentions"), Complete: true},
		{Ref: "5", Title: "t5", Expected: exp("A", "supports"), Reasons: map[string]string{"A": "a delivery"}, Complete: true},
		{Ref: "6", Title: "t6", Expected: exp(), Complete: true},
		{Ref: "7", Title: "t7", Expected: exp("B", "contradicts"), Complete: true},
		{Ref: "8", Title: "t8", Expected: exp(), Complete: true},
	}
	m := fakeMatcher{
		"t1": {find("A", claims.Supports)},
		"t2": {find("A", claims.Mentions)},
		"t3": {find("A", claims.Supports)},
		"t4": {find("A", claims.Mentions)},
		"t6": {find("A", claims.Mentions)},
		"t7": {find("B", claims.Contradicts)},
	}
	return items, m
}

func near(t *testing.T, what string, f func() (float64, bool), want float64) {
	t.Helper()
	got, ok := f()
	if !ok || math.Abs(got-want) > 1e-9 {
		t.Errorf("%s = %v (defined %v), want %v", what, got, ok, want)
	}
}

func TestEvaluateFiguresByHand(t *testing.T) {
	items, m := handItems()
	r := Evaluate(m, []string{"A", "B", "C"}, items)
	a, b, c := r.Claims[0], r.Claims[1], r.Claims[2]

	if a.Cases != 8 || a.Relevant != 5 || a.Found != 5 || a.FoundRelevant != 4 || a.StanceN != 3 || a.StanceRight != 1 {
		t.Errorf("A counts = %+v", a)
	}
	near(t, "A precision", a.Precision, 0.8)
	near(t, "A recall", a.Recall, 0.8)
	near(t, "A stance", a.StanceAccuracy, 1.0/3)
	wantA := Confusion{
		{1, 0, 1, 1}, // supports: found supports, mentions, none
		{1, 0, 0, 0}, // contradicts: found supports
		{0, 0, 1, 0}, // mentions
		{0, 0, 1, 2}, // none: one false mention, two right
	}
	if a.Confusion != wantA {
		t.Errorf("A confusion = %v, want %v", a.Confusion, wantA)
	}

	near(t, "B precision", b.Precision, 1)
	near(t, "B recall", b.Recall, 1)
	near(t, "B stance", b.StanceAccuracy, 1)
	if b.Confusion[1][1] != 1 || b.Confusion[3][3] != 7 {
		t.Errorf("B confusion = %v", b.Confusion)
	}

	for name, f := range map[string]func() (float64, bool){"precision": c.Precision, "recall": c.Recall, "stance": c.StanceAccuracy} {
		if _, ok := f(); ok {
			t.Errorf("C %s defined with nothing expected or found", name)
		}
	}

	if r.All.Cases != 24 || r.All.Relevant != 6 || r.All.Found != 6 || r.All.FoundRelevant != 5 {
		t.Errorf("all = %+v", r.All)
	}
	near(t, "all precision", r.All.Precision, 5.0/6)
	near(t, "all recall", r.All.Recall, 5.0/6)
	near(t, "all stance", r.All.StanceAccuracy, 0.5)

	var wrong []string
	for _, w := range r.Wrong {
		wrong = append(wrong, fmt.Sprintf("%s/%s:%s→%s", w.Ref, w.Claim, w.Expected, w.Got))
	}
	want := "2/A:supports→mentions 3/A:contradicts→supports 5/A:supports→none 6/A:none→mentions"
	if got := strings.Join(wrong, " "); got != want {
		t.Errorf("wrong = %s\nwant    %s", got, want)
	}
	if r.Wrong[2].Reason != "a delivery" || r.Wrong[2].Snippet != "" || r.Wrong[0].Snippet != "snippet of A" {
		t.Errorf("miss details: %+v", r.Wrong)
	}
}

func TestIncompleteItemsScoreOnlyTheirLabels(t *testing.T) {
	items := []Item{{Ref: "evidence 1", Title: "t", Expected: map[string]claims.Stance{"A": claims.Irrelevant}}}
	m := fakeMatcher{"t": {find("A", claims.Mentions), find("B", claims.Supports)}}
	r := Evaluate(m, []string{"A", "B"}, items)
	if r.Claims[0].Cases != 1 || r.Claims[0].Confusion[3][2] != 1 {
		t.Errorf("A: irrelevant should count as expected none, found mentions: %+v", r.Claims[0])
	}
	if r.Claims[1].Cases != 0 || r.Claims[1].Found != 0 {
		t.Errorf("B has no label on this item and must not be scored: %+v", r.Claims[1])
	}
	if len(r.Wrong) != 1 || r.Wrong[0].Expected != None {
		t.Errorf("wrong = %+v", r.Wrong)
	}
}

func TestBelowNamesClaimAndFigure(t *testing.T) {
	items, m := handItems()
	r := Evaluate(m, []string{"A", "B", "C"}, items)
	p, s := 0.9, 0.5
	got := r.Below(Floors{Precision: &p, Stance: &s})
	if len(got) != 2 || got[0].Claim != "A" || got[0].Figure != "precision" || got[1].Figure != "stance" {
		t.Fatalf("below = %+v; want A precision and A stance", got)
	}
	if !strings.Contains(got[0].String(), "A: precision 0.80 is below 0.90") {
		t.Errorf("message %q", got[0])
	}
	low := 0.5
	if got := r.Below(Floors{Precision: &low, Recall: &low}); len(got) != 0 {
		t.Errorf("floors met, yet %+v", got)
	}
}

func TestWritersShowUndefinedAsDashAndNull(t *testing.T) {
	items, m := handItems()
	r := Evaluate(m, []string{"A", "B", "C"}, items)
	var buf bytes.Buffer
	if err := WriteTable(&buf, r); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(buf.String(), "\n")
	if !regexpMatch(`^A\s+8\s+5\s+5\s+0\.80\s+0\.80\s+0\.33 \(3\)$`, lines[1]) ||
		!regexpMatch(`^C\s+8\s+0\s+0\s+–\s+–\s+– \(0\)$`, lines[3]) ||
		!regexpMatch(`^all claims\s+24\s+6\s+6\s+0\.83\s+0\.83\s+0\.50 \(4\)$`, lines[4]) {
		t.Errorf("table:\n%s", buf.String())
	}
	buf.Reset()
	if err := WriteWrong(&buf, r, 1); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "the first 1 of 4") || strings.Count(buf.String(), "expected ") != 1 {
		t.Errorf("wrong items limited to 1:\n%s", buf.String())
	}
	data, err := json.Marshal(r.JSON())
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Claims []map[string]any `json:"claims"`
	}
	json.Unmarshal(data, &doc)
	if doc.Claims[2]["precision"] != nil || doc.Claims[0]["precision"] != 0.8 {
		t.Errorf("JSON claims: %v", doc.Claims)
	}
	conf := doc.Claims[0]["confusion"].(map[string]any)
	if conf["contradicts"].(map[string]any)["supports"] != 1.0 {
		t.Errorf("confusion JSON: %v", conf)
	}
}

func TestReadCases(t *testing.T) {
	good := `{"url":"https://a.example/1","outlet":"A","date":"2020-01-01","title":"T1","lead":"L1","labels":[{"claim":"arms","stance":"supports","reason":"r"}],"hard_negative":false,"found_via":"x"}

{"url":"https://a.example/2","title":"","lead":"L2","labels":[],"hard_negative":true}
`
	cs, err := ReadCases(strings.NewReader(good), "good.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 2 || cs[0].Labels[0].Stance != claims.Supports || cs[1].Line != 3 || !cs[1].HardNegative || cs[0].File != "good.jsonl" {
		t.Fatalf("cases = %+v", cs)
	}
	for _, tc := range []struct{ text, want string }{
		{`{"url":"u","title":"t"}` + "\n" + `{"url":`, "bad.jsonl:2: not a case object"},
		{`{"url":"u","title":"t","lables":[]}`, `bad.jsonl:1: not a case object: json: unknown field "lables"`},
		{`{"title":"t"}`, `bad.jsonl:1: "url" is missing`},
		{`{"url":"u","title":" ","lead":""}`, "bad.jsonl:1: \"title\" and \"lead\" are both empty"},
		{`{"url":"u","title":"t","labels":[{"claim":"arms","stance":"support"}]}`, `bad.jsonl:1: label 1 (arms): stance "support"`},
		{`{"url":"u","title":"t","labels":[{"claim":"arms","stance":"mentions"},{"claim":"arms","stance":"supports"}]}`, `claim "arms" is labelled twice`},
		{`{"url":"u","title":"t"} {"url":"v","title":"t"}`, "bad.jsonl:1: more than one JSON value"},
	} {
		_, err := ReadCases(strings.NewReader(tc.text), "bad.jsonl")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.text, err, tc.want)
		}
	}
}

func TestLoadCasesRefusesDuplicateURLsAndUnknownClaims(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.jsonl"), filepath.Join(dir, "b.jsonl")
	os.WriteFile(a, []byte(`{"url":"https://x/1","title":"t","labels":[{"claim":"eeu-iran-ftaa","stance":"mentions"}]}`+"\n"), 0o644)
	os.WriteFile(b, []byte("\n"+`{"url":"https://x/1","title":"t"}`+"\n"), 0o644)
	if _, err := LoadCases(a, b); err == nil || !strings.Contains(err.Error(), b+":2: url https://x/1 is already a case at "+a+":1") {
		t.Errorf("duplicate URL: %v", err)
	}
	cs, err := LoadCases(a)
	if err != nil {
		t.Fatal(err)
	}
	err = CheckLabels(cs, []string{"eeu-iran-fta", "russia-arms-to-iran"})
	if err == nil || !strings.Contains(err.Error(), a+`:1: unknown claim "eeu-iran-ftaa" (did you mean "eeu-iran-fta"?); known: eeu-iran-fta, russia-arms-to-iran`) {
		t.Errorf("unknown claim: %v", err)
	}
	if _, err := LoadCases(filepath.Join(dir, "missing.jsonl")); err == nil || !strings.Contains(err.Error(), "missing.jsonl") {
		t.Errorf("missing file: %v", err)
	}
}

// fnv1a32 is the documented split hash, written out independently.
func fnv1a32(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h
}

func TestSplitIsTheDocumentedHashAndAboutSixtyForty(t *testing.T) {
	tune := 0
	for i := range 2000 {
		u := fmt.Sprintf("https://news.example/%d/story-%d", i%37, i)
		want := "test"
		if fnv1a32(u)%100 < 60 {
			want = "tune"
		}
		got := Split(u)
		if got != want {
			t.Fatalf("Split(%q) = %s, want %s", u, got, want)
		}
		if got == "tune" {
			tune++
		}
	}
	if tune < 1100 || tune > 1300 {
		t.Errorf("%d of 2000 in tune, want about 1200", tune)
	}
}

const armsClaim = `id: arms
statement: Russia will sell jets to Iran.
made: 2020-01-10
terms:
  russia: [Russia]
  iran: [Iran]
  jets: [jets]
  transfer: [delivered, sold]
match:
  all: [russia, iran, jets]
  direction:
    - [russia, transfer, iran]
  require_direction: true
stance:
  supports: [delivered]
  contradicts: [cancelled]
`

func TestBaselineIsPlainCooccurrence(t *testing.T) {
	cs, probs := claims.Parse("arms.yaml", []byte(armsClaim))
	if len(probs.Errors()) > 0 {
		t.Fatal(probs)
	}
	real, err := matcher.Compile(cs)
	if err != nil {
		t.Fatal(err)
	}
	base, err := Baseline(cs)
	if err != nil {
		t.Fatal(err)
	}
	if cs[0].Rule.Direction == nil || !cs[0].Rule.RequireDirection || len(cs[0].Cues.Supports) == 0 {
		t.Fatal("Baseline changed the claims it was given")
	}
	stance := func(m Matcher, text string) claims.Stance {
		fs := m.Match(matcher.Document{Body: text})
		if len(fs) == 0 {
			return None
		}
		return fs[0].Stance
	}
	for _, tc := range []struct {
		text       string
		real, base claims.Stance
	}{
		{"Russia delivered jets to Iran.", claims.Supports, claims.Mentions},
		{"Russia cancelled the sale of jets to Iran.", None, claims.Mentions}, // no transfer word: no direction
		{"Iran sold jets to Russia.", None, claims.Mentions},                  // the wrong way round
		{"Russia and Iran met.", None, None},                                  // a group missing
	} {
		if got := stance(real, tc.text); got != tc.real {
			t.Errorf("matcher on %q: %s, want %s", tc.text, got, tc.real)
		}
		if got := stance(base, tc.text); got != tc.base {
			t.Errorf("baseline on %q: %s, want %s", tc.text, got, tc.base)
		}
	}
}

func TestItemsFromCases(t *testing.T) {
	cs := []Case{{URL: "u", Title: "T", Lead: "L", File: "f.jsonl", Line: 4, Labels: []Label{{Claim: "arms", Stance: claims.Mentions, Reason: "why"}}}}
	it := Items(cs)[0]
	if it.Ref != "f.jsonl:4" || it.Title != "T" || it.Body != "L" || !it.Complete || it.Expected["arms"] != claims.Mentions || it.Reasons["arms"] != "why" {
		t.Errorf("item = %+v", it)
	}
}

func regexpMatch(pattern, s string) bool { return regexp.MustCompile(pattern).MatchString(s) }

func TestFromReviews(t *testing.T) {
	rows := []storage.Reviewed{
		{EvidenceID: 1, ClaimID: "A", URL: "u1", Title: "T", Text: "body", ReviewStance: claims.Irrelevant, Note: "Armenia"},
		{EvidenceID: 2, ClaimID: "A", Title: "T2", TextDropped: true, ReviewStance: claims.Supports},
		{EvidenceID: 3, ClaimID: "gone", Title: "T3", Text: "x", ReviewStance: claims.Supports},
		{EvidenceID: 4, ClaimID: "B", Title: "T4", Text: "y", ReviewStance: claims.Contradicts},
	}
	items, skipped := FromReviews(rows, []string{"A", "B"})
	if skipped != (Skipped{TextDropped: 1, NotLoaded: 1}) {
		t.Errorf("skipped = %+v", skipped)
	}
	if len(items) != 2 || items[0].Ref != "evidence 1" || items[0].Expected["A"] != None || items[0].Body != "body" ||
		items[0].Complete || items[0].Reasons["A"] != "Armenia" || items[1].Expected["B"] != claims.Contradicts {
		t.Errorf("items = %+v", items)
	}
}

func TestSplitCasesCopiesLinesByHalf(t *testing.T) {
	var in strings.Builder
	want := map[string]string{}
	for i := range 40 {
		u := fmt.Sprintf("https://news.example/%d", i)
		line := fmt.Sprintf(`{"url": %q, "title": "t %d"}`, u, i)
		fmt.Fprintln(&in, line)
		want[line] = Split(u)
	}
	var tune, test strings.Builder
	nt, ns, err := SplitCases(strings.NewReader(in.String()), "all.jsonl", &tune, &test)
	if err != nil {
		t.Fatal(err)
	}
	for half, text := range map[string]string{"tune": tune.String(), "test": test.String()} {
		for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
			if want[line] != half {
				t.Errorf("%s holds %s, which Split puts in %q", half, line, want[line])
			}
		}
	}
	if nt+ns != 40 || nt != strings.Count(tune.String(), "\n") || nt == 0 || ns == 0 {
		t.Errorf("counts %d/%d", nt, ns)
	}
	if _, _, err := SplitCases(strings.NewReader(in.String()+"{\n"), "all.jsonl", &tune, &test); err == nil || !strings.Contains(err.Error(), "all.jsonl:41:") {
		t.Errorf("bad line: %v", err)
	}
}
