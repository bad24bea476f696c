package query

import (
	"flag"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/claimwatch/claimwatch/claims"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// armsClaim is a realistic claim: Russian arms sales to Iran, with
// wildcards, phrases, and Russian and Persian terms.
func armsClaim() claims.Claim {
	return claims.Claim{
		ID:        "russia-arms-to-iran",
		Statement: "Russia will make large sales of military hardware to Iran.",
		Made:      time.Date(2020, 1, 10, 0, 0, 0, 0, time.UTC),
		File:      "arms.yaml", Line: 1,
		Groups: []claims.Group{
			{Name: "russia", Terms: []string{"Russia*", "Moscow", "Kremlin", "Rosoboronexport", "Росси*", "Москв*", "روسیه"}},
			{Name: "iran", Terms: []string{"Iran*", "Tehran", "Islamic Republic", "IRGC", "Иран*", "ایران"}},
			{Name: "hardware", Terms: []string{"Su-35*", "Sukhoi", "fighter jet*", "S-400*", "air defence*",
				"Yak-130*", "helicopter*", "military hardware", "weapon*", "arms", "Су-35", "جنگنده"}},
			{Name: "transfer", Terms: []string{"deliver*", "sell*", "sold", "suppl*", "receiv*", "acquir*"}},
		},
		Rule: claims.Rule{All: []string{"russia", "iran", "hardware"}, Scope: claims.ScopeSentence},
		Cues: claims.Cues{Supports: []string{"delivered", "took delivery"}, Contradicts: []string{"cancel*"}},
	}
}

func TestBuildGolden(t *testing.T) {
	c := armsClaim()
	for _, tmpl := range []string{GoogleNews, GDELT, GDELTJSON, "https://search.example.org/rss?q={query}&lang=en", "https://search.example.org/find/{query}.rss"} {
		urls, err := Build(tmpl, c)
		if err != nil {
			t.Fatalf("%s: %v", tmpl, err)
		}
		var b strings.Builder
		for _, u := range urls {
			b.WriteString(u + "\n")
			q := queryOf(t, u)
			b.WriteString("  " + q + "\n")
			if len(q) > MaxQueryLen {
				t.Errorf("%s: query of %d chars exceeds %d", tmpl, len(q), MaxQueryLen)
			}
		}
		name := strings.NewReplacer(":", "_", "/", "_", "?", "_", "{", "", "}", "", "&", "_", "=", "_", ".", "_").Replace(tmpl)
		golden(t, filepath.Join("testdata", name+".golden"), b.String())
	}
}

// queryOf decodes the search expression from a built URL.
func queryOf(t *testing.T, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("built URL %q: %v", raw, err)
	}
	for _, k := range []string{"q", "query"} {
		if v := u.Query().Get(k); v != "" {
			return v
		}
	}
	return strings.TrimSuffix(strings.TrimPrefix(u.Path, "/find/"), ".rss")
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs:\n got:\n%s\nwant:\n%s", path, got, want)
	}
}

func TestWildcardStems(t *testing.T) {
	words := claimWords(armsClaim())
	for stem, want := range map[string]bool{
		"deliver": true, "sell": true, "helicopter": true, "weapon": true, "fighter jet": true, "Su-35": true,
		"Iran": true, "sanction": true, "embargo": true,
		"suppl": false, "receiv": false, "acquir": false, "cooperat": false, "negotiat": false, "evad": false,
		"purchas": false, "Palestin": false, "converg": false, "Росси": false, "ab": false,
	} {
		if got := isWordStem(stem, words); got != want {
			t.Errorf("isWordStem(%q) = %v, want %v", stem, got, want)
		}
	}
	// The claim's own words settle doubtful stems: "acquir" is not a word,
	// but a claim that writes "cooperat" as a word makes it one.
	if !isWordStem("cooperat", map[string]bool{"cooperat": true}) {
		t.Error("claim word not honoured")
	}
}

func TestSearchableTerms(t *testing.T) {
	g := []string{"suppl*", "deliver*", "Deliver", "sold", "  took   delivery ", "поставк*", "ab"}
	got := searchable(g, builtins[GoogleNews], nil)
	if strings.Join(got, "|") != "deliver|sold|took delivery|ab" {
		t.Errorf("google terms = %q", got)
	}
	got = searchable(g, builtins[GDELT], nil)
	if strings.Join(got, "|") != "deliver|sold|took delivery" {
		t.Errorf("gdelt terms = %q", got)
	}
	// A group written only in Cyrillic is searched in Cyrillic on Google
	// News, and cannot be searched on GDELT.
	ru := []string{"Москва", "Кремль"}
	if got := searchable(ru, builtins[GoogleNews], nil); len(got) != 2 {
		t.Errorf("non-Latin group on google = %q", got)
	}
	if got := searchable(ru, builtins[GDELT], nil); len(got) != 0 {
		t.Errorf("non-Latin group on gdelt = %q", got)
	}
}

func TestBuildErrors(t *testing.T) {
	c := armsClaim()
	ruOnly := c
	ruOnly.Groups = append([]claims.Group(nil), c.Groups...)
	ruOnly.Groups[2] = claims.Group{Name: "hardware", Terms: []string{"Су-35", "вооружени*"}}
	cases := []struct {
		name, tmpl string
		c          claims.Claim
		want       string
	}{
		{"unknown template", "bing", c, "want google-news"},
		{"template without scheme", "search.example.org/?q={query}", c, "not an http(s) URL"},
		{"no required groups", GoogleNews, claims.Claim{ID: "x"}, "no required groups"},
		{"unknown group", GoogleNews, func() claims.Claim { d := c; d.Rule.All = []string{"russia", "nope"}; return d }(), `unknown group "nope"`},
		{"unsearchable group", GDELT, ruOnly, `group "hardware" has no term gdelt can search`},
	}
	for _, tc := range cases {
		_, err := Build(tc.tmpl, tc.c)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want …%s…", tc.name, err, tc.want)
		}
	}
	if urls, err := Build(GoogleNews, ruOnly); err != nil || !strings.Contains(queryOf(t, urls[0]), `"Су-35"`) {
		t.Errorf("google with Cyrillic-only group: %v %v", urls, err)
	}
}

func TestExpressionsCoverAndFit(t *testing.T) {
	var long []string
	for i := 0; i < 40; i++ {
		long = append(long, "term"+strings.Repeat("x", i%7)+string(rune('a'+i%26)))
	}
	groups := [][]string{{"Russia", "Moscow"}, {"Iran"}, long}
	exprs := Expressions(groups, 120, 20)
	seen := map[string]bool{}
	for _, e := range exprs {
		if len(e) > 120 {
			t.Errorf("expression of %d chars: %s", len(e), e)
		}
		if !strings.HasPrefix(e, "(Russia OR Moscow) Iran (") {
			t.Errorf("expression lost a required group: %s", e)
		}
		for _, term := range long {
			if strings.Contains(e, term+" ") || strings.Contains(e, term+")") {
				seen[term] = true
			}
		}
	}
	if len(exprs) < 2 || len(seen) != len(long) {
		t.Errorf("%d expressions cover %d of %d terms", len(exprs), len(seen), len(long))
	}
	if capped := Expressions(groups, 120, 2); len(capped) != 2 || capped[0] != exprs[0] {
		t.Errorf("cap: %d expressions", len(capped))
	}
}

func TestParseGDELTJSON(t *testing.T) {
	data := []byte(`{"articles": [
	 {"url": "https://news.example/a", "url_mobile": "", "title": "Russia delivers Su-35 jets to Iran", "seendate": "20230918T031500Z",
	  "socialimage": "", "domain": "news.example", "language": "English", "sourcecountry": "United States"},
	 {"title": "no url"},
	 {"url": "https://news.example/b", "title": "Второй", "seendate": "", "domain": "news.example", "language": "Russian"}]}`)
	got, err := ParseGDELTJSON(data)
	if err != nil {
		t.Fatal(err)
	}
	want := []Article{
		{URL: "https://news.example/a", Title: "Russia delivers Su-35 jets to Iran", Seendate: time.Date(2023, 9, 18, 3, 15, 0, 0, time.UTC), Domain: "news.example", Language: "English"},
		{URL: "https://news.example/b", Title: "Второй", Domain: "news.example", Language: "Russian"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d articles: %+v", len(got), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("article %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	for _, empty := range []string{"", "  \n", "{}"} {
		if arts, err := ParseGDELTJSON([]byte(empty)); err != nil || len(arts) != 0 {
			t.Errorf("ParseGDELTJSON(%q) = %v, %v", empty, arts, err)
		}
	}
	for in, want := range map[string]string{
		"Your search contained a keyword that was too short.\n": "query rejected: Your search contained",
		`{"articles": [`: "bad JSON",
		`{"articles": [{"url": "https://x.example/", "seendate": "2023-09-18"}]}`: "bad seendate",
	} {
		if _, err := ParseGDELTJSON([]byte(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseGDELTJSON(%q) err = %v, want …%s…", in, err, want)
		}
	}
}

func BenchmarkBuild(b *testing.B) {
	c := armsClaim()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Build(GoogleNews, c); err != nil {
			b.Fatal(err)
		}
	}
}
