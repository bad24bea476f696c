package claims

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// malformed lists, for every file in testdata/bad, exactly the problems
// (errors and warnings) that loading it must report, without the file name.
var malformed = map[string][]string{
	"alias.yaml": {
		`6:11: YAML aliases (*iran) are not supported in claim files; write the value out`,
	},
	"bad-dates.yaml": {
		`3:7: made "2020-1-10" is not a date; write YYYY-MM-DD, like 2020-01-10`,
		`4:10: horizon "10/01/2025" is not a date; write YYYY-MM-DD, like 2020-01-10`,
	},
	"bad-group-name.yaml": {
		`5:3: group name "iran group" may hold only letters, digits, hyphens and underscores`,
	},
	"bad-id.yaml": {
		`1:7: id "Russia_Arms" may hold only lower-case letters, digits and single hyphens, like russia-arms-to-iran`,
		`6:7: id "-arms-" may hold only lower-case letters, digits and single hyphens, like russia-arms-to-iran`,
	},
	"bad-scope.yaml": {
		`8:10: scope "paragraph" is not known; use sentence or window`,
	},
	"bad-source.yaml": {
		`6:8: source url "eurasiareview.com/russia-iran" is not a web address; write it in full, starting with https://`,
		`7:3: unknown key "author" in source; known keys are publisher, title, url`,
	},
	"bad-wildcards.yaml": {
		`5:12: term "Ru*sia" in group "russia" has "*" inside it; "*" may only end a term, as in Iranian*`,
		`5:22: term "Russia**" in group "russia" has "**"; a wildcard is a single "*" at the end`,
		`5:34: term "R*" in group "russia" needs at least 2 letters or digits before "*"; shorter stems match almost anything`,
		`5:40: term "fighter j*" in group "russia" needs at least 2 letters or digits before "*"; shorter stems match almost anything`,
		`5:54: term "Su-35-*" in group "russia" has "*" after a non-letter; put it straight after the word it extends`,
		`9:14: term "*delivered" in stance.supports has "*" inside it; "*" may only end a term, as in Iranian*`,
	},
	"broken-yaml.yaml": {
		`5: this is not valid YAML: a [ list that starts on this line is not closed with ], or its items lack commas`,
	},
	"cue-conflicts.yaml": {
		`9:10: group "russia" is in both match.all and match.none, so the claim could never match`,
		`12:17: cue "Halted" is in both stance.supports and stance.contradicts`,
		`13:3: unknown key "neutral" in stance; known keys are supports, contradicts`,
	},
	"direction-flat.yaml": {
		`9:14: direction must be a list of forms, each a list of group names in order; write one form as direction: [[russia, transfer, iran]]`,
	},
	"direction-short.yaml": {
		`10:7: a direction form needs at least 2 groups in order; this one has 1`,
		`11:22: direction form names group "russia" twice`,
	},
	"duplicate-id.yaml": {
		`6:7: duplicate id "arms-sale": it is also the id of the claim at testdata/bad/duplicate-id.yaml:1:7`,
	},
	"empty-groups.yaml": {
		`5:11: group "russia" is empty; list at least one term`,
		`6:8: group "iran" is empty; list at least one term`,
	},
	"empty-list.yaml": {
		`1:1: the list of claims is empty`,
	},
	"empty.yaml": {
		` file is empty; it should hold a claim or a list of claims`,
	},
	"horizon-before-made.yaml": {
		`4:10: horizon 2019-12-31 is before made 2020-01-10`,
	},
	"list-of-text.yaml": {
		`1:3: each item of the list must be a claim (a mapping with id, statement, made, ...), not the text "russia-arms-to-iran"`,
		`2:3: each item of the list must be a claim (a mapping with id, statement, made, ...), not the text "eeu-iran-fta"`,
	},
	"missing-required.yaml": {
		`2:1: claim has no id; add one such as id: russia-arms-to-iran`,
		`2:1: claim has no statement; add the prediction in one sentence`,
		`2:1: claim has no made date; add the day the prediction was published, like made: 2020-01-10`,
	},
	"never-matching-terms.yaml": {
		`5:16: term "--" in group "iran" can never match: it has no letter or digit`,
		`5:22: term "*" in group "iran" can never match: it has no letter or digit`,
		`5:27: group "iran" holds an empty item`,
	},
	"no-rule.yaml": {
		`7:3: match.all names no group; name at least one group that must match, like all: [russia, iran]`,
	},
	"not-a-claim.yaml": {
		`1:1: a claim file must hold a claim (a mapping with id, statement, made, ...) or a list of claims, not the text "Russia will sell arms to Iran."`,
	},
	"repeated-key.yaml": {
		`6:3: key "iran" is given twice in terms; the first is at line 5`,
		`9:1: key "id" is given twice in claim; the first is at line 1`,
	},
	"require-not-bool.yaml": {
		`10:22: require_direction must be true or false`,
	},
	"require-without-direction.yaml": {
		`9:3: require_direction is true but match has no direction forms`,
	},
	"tab-indented.yaml": {
		`5:1: this line is indented with a tab; YAML indentation must use spaces`,
	},
	"two-documents.yaml": {
		`6:1: a second YAML document starts here; a claim file holds one document, so list several claims in one sequence instead of separating them with ---`,
	},
	"undefined-group.yaml": {
		`9:17: match.all names group "irn", which terms does not define; did you mean "iran"?`,
		`10:10: match.none names group "exclude", which terms does not define; define it under terms`,
		`12:26: direction form names group "tehran", which terms does not define; define it under terms`,
	},
	"unknown-key.yaml": {
		`1:1: claim has no statement; add the prediction in one sentence`,
		`2:1: unknown key "statment" in claim; did you mean "statement"?`,
		`8:3: unknown key "scpe" in match; did you mean "scope"?`,
	},
	"window-missing.yaml": {
		`8:10: scope window needs a window: the span in words (2 to 200), like window: 30`,
	},
	"window-range.yaml": {
		`5:47: window 1 is out of range; use 2 to 200 words`,
		`10:47: window 500 is out of range; use 2 to 200 words`,
		`15:47: window must be a whole number of words, like window: 30`,
	},
	"wrong-types.yaml": {
		`2:12: statement must be text, not a list`,
		`4:7: tags must be a list of tags such as [russia, iran], not the text "russia"`,
		`5:9: source must be a mapping with publisher, title and url, not the text "https://www.eurasiareview.com/"`,
		`7:16: each item of group "iran" must be text, not a list`,
		`9:8: match.all must be a list of group names such as [russia, iran], not the text "iran"`,
	},
}

func TestMalformedFilesReportEveryProblemWithItsPlace(t *testing.T) {
	for name, want := range malformed {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join("testdata", "bad", name)
			claims, probs, err := LoadFiles(path)
			if claims != nil {
				t.Errorf("got %d claims from a malformed file; want none", len(claims))
			}
			var got []string
			for _, p := range probs {
				got = append(got, strings.TrimPrefix(p.String(), path+":"))
			}
			if !slices.Equal(got, want) {
				t.Errorf("problems:\n  got  %q\n  want %q", got, want)
			}
			var ps Problems
			if !errors.As(err, &ps) || len(ps) == 0 {
				t.Fatalf("err = %v (%T); want a non-empty Problems", err, err)
			}
			if !reflect.DeepEqual(ps, probs.Errors()) {
				t.Errorf("err holds %v; want exactly the errors among the problems", ps)
			}
		})
	}
}

// Every malformed testdata file must be in the table, so none goes unchecked.
func TestEveryMalformedFileIsChecked(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "bad", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 20 {
		t.Errorf("only %d malformed claim files; want at least 20", len(files))
	}
	for _, f := range files {
		if _, ok := malformed[filepath.Base(f)]; !ok {
			t.Errorf("%s has no expected problems in the malformed table", f)
		}
	}
}

func TestOversizedFileIsRefusedUnparsed(t *testing.T) {
	dir := t.TempDir()
	good, err := os.ReadFile(filepath.Join("testdata", "good", "two-claims.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	// A valid claim file padded with comment lines to exactly n bytes.
	padded := func(n int) []byte {
		b := slices.Clone(good)
		for len(b) < n {
			line := "# padding padding padding padding padding padding padding padding\n"
			if rest := n - len(b); rest < len(line) {
				line = "#" + strings.Repeat(" ", rest-2) + "\n"
			}
			b = append(b, line...)
		}
		return b
	}
	atLimit := filepath.Join(dir, "at-limit.yaml")
	over := filepath.Join(dir, "over-limit.yaml")
	if err := os.WriteFile(atLimit, padded(MaxFileSize), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(over, padded(MaxFileSize+1), 0o644); err != nil {
		t.Fatal(err)
	}

	claims, _, err := LoadFiles(atLimit)
	if err != nil || len(claims) != 2 {
		t.Errorf("a file of exactly 1 MiB: got %d claims, err %v; want 2 claims", len(claims), err)
	}
	claims, probs, err := LoadFiles(over)
	want := Problems{{File: over, Message: "file is 1.0 MiB; a claim file may be at most 1 MiB"}}
	if claims != nil || err == nil || !reflect.DeepEqual(probs, want) {
		t.Errorf("a file over 1 MiB: got %d claims, problems %v; want none and %v", len(claims), probs, want)
	}
	// Parse, which takes bytes (say, from an upload), refuses it too.
	if _, probs := Parse("upload.yaml", padded(MaxFileSize+1)); len(probs) != 1 || !strings.Contains(probs[0].Message, "at most 1 MiB") {
		t.Errorf("Parse of an oversized file: %v", probs)
	}
}

func TestTwoClaimsInOneFileLoadEveryField(t *testing.T) {
	path := filepath.Join("testdata", "good", "two-claims.yaml")
	claims, probs, err := LoadFiles(path)
	if err != nil || len(probs) != 0 {
		t.Fatalf("LoadFiles: %v, problems %v", err, probs)
	}
	if len(claims) != 2 {
		t.Fatalf("got %d claims; want 2", len(claims))
	}
	horizon := time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)
	want := []Claim{{
		ID:        "arms-sale",
		Statement: "Russia will sell arms to Iran.",
		Made:      time.Date(2020, 1, 10, 0, 0, 0, 0, time.UTC),
		Horizon:   &horizon,
		Source:    Source{Publisher: "Eurasia Review", URL: "https://www.eurasiareview.com/"},
		Tags:      []string{"russia", "iran"},
		Groups: []Group{
			{Name: "russia", Terms: []string{"Russia*", "Москв*"}},
			{Name: "iran", Terms: []string{"Iran*", "ایران"}},
			{Name: "transfer", Terms: []string{"deliver*", "took delivery"}},
		},
		Rule: Rule{All: []string{"russia", "iran"}, Scope: ScopeWindow, Window: 25,
			Direction: [][]string{{"russia", "transfer", "iran"}}, RequireDirection: true},
		Cues: Cues{Supports: []string{"delivered"}, Contradicts: []string{"cancel*"}},
		File: path,
		Line: 2,
	}, {
		ID:        "eaeu-deal",
		Statement: "Iran will sign a free trade agreement with the EAEU.",
		Made:      time.Date(2020, 1, 10, 0, 0, 0, 0, time.UTC),
		Groups: []Group{
			{Name: "eaeu", Terms: []string{"EAEU", "ЕАЭС"}},
			{Name: "iran", Terms: []string{"Iran"}},
		},
		Rule: Rule{All: []string{"eaeu", "iran"}, Scope: ScopeSentence},
		File: path,
		Line: 21,
	}}
	for i := range claims {
		if len(claims[i].Hash) != 64 {
			t.Errorf("%s: Hash %q is not a sha256 hex digest", claims[i].ID, claims[i].Hash)
		}
		claims[i].Hash = ""
	}
	if !reflect.DeepEqual(claims, want) {
		t.Errorf("claims:\n got  %+v\n want %+v", claims, want)
	}
}

func TestWarningsDoNotStopLoading(t *testing.T) {
	path := filepath.Join("testdata", "good", "with-warnings.yaml")
	claims, probs, err := LoadFiles(path)
	if err != nil || len(claims) != 1 {
		t.Fatalf("got %d claims, err %v; want the claim to load despite warnings", len(claims), err)
	}
	want := []string{
		path + `:7:28: term "moscow" is listed twice in group "russia" (first at line 7); terms match regardless of case`,
		path + `:9:3: group "spare" is never used; name it in event (or about) all, none, direction or trigger, or remove it`,
		path + `:12:3: window is ignored unless scope is window`,
	}
	var got []string
	for _, p := range probs {
		got = append(got, p.String())
	}
	if !slices.Equal(got, want) {
		t.Errorf("warnings:\n got  %q\n want %q", got, want)
	}
	if len(probs.Errors()) != 0 || len(probs.Warnings()) != 3 {
		t.Errorf("Errors() = %v, Warnings() = %v", probs.Errors(), probs.Warnings())
	}
	if claims[0].Rule.Window != 0 {
		t.Errorf("an ignored window was kept: %d", claims[0].Rule.Window)
	}
}

func TestOneBadFileLoadsNothing(t *testing.T) {
	good := filepath.Join("testdata", "good", "two-claims.yaml")
	bad := filepath.Join("testdata", "bad", "bad-dates.yaml")
	claims, probs, err := LoadFiles(good, bad, filepath.Join("testdata", "good", "with-warnings.yaml"))
	if claims != nil || err == nil {
		t.Fatalf("got %d claims, err %v; want no claims and an error", len(claims), err)
	}
	if len(probs.Errors()) != 2 || len(probs.Warnings()) != 3 {
		t.Errorf("problems %v; want the 2 errors of %s and the 3 warnings", probs, bad)
	}
	if !strings.Contains(err.Error(), bad+":3:7: made") || strings.Contains(err.Error(), "with-warnings") {
		t.Errorf("err = %q; want the errors of %s only", err, bad)
	}
}

// writeClaim writes a minimal valid claim file and returns its path.
func writeClaim(t *testing.T, dir, file, id, statement string) string {
	t.Helper()
	path := filepath.Join(dir, file)
	text := "id: " + id + "\nstatement: " + statement + "\nmade: 2020-01-10\nterms:\n  iran: [Iran]\nmatch:\n  all: [iran]\n"
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestDuplicateIDsAcrossFilesNameBothPlaces(t *testing.T) {
	dir := t.TempDir()
	a := writeClaim(t, dir, "a.yaml", "arms-sale", "One.")
	b := writeClaim(t, dir, "b.yml", "arms-sale", "Two.")
	claims, probs, err := LoadFiles(a, b)
	want := Problems{{File: b, Line: 1, Column: 5,
		Message: `duplicate id "arms-sale": it is also the id of the claim at ` + a + ":1:5"}}
	if claims != nil || err == nil || !reflect.DeepEqual(probs, want) {
		t.Errorf("got %d claims, problems %v; want none and %v", len(claims), probs, want)
	}
	// The same, given the directory.
	if _, got, _ := LoadFiles(dir); !reflect.DeepEqual(got, want) {
		t.Errorf("LoadFiles(dir) problems %v; want %v", got, want)
	}
}

func TestLoadSetOverlaysShippedClaims(t *testing.T) {
	shipped, err := Shipped()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	replaced := writeClaim(t, dir, "eeu-iran-fta.yml", "eeu-iran-fta", "Iran will join the EAEU.")
	added := writeClaim(t, dir, "caspian-summit.yaml", "caspian-summit", "A Caspian summit will be held.")
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("not a claim: ["), 0o644); err != nil {
		t.Fatal(err)
	}

	claims, probs, err := LoadSet(dir)
	if err != nil || len(probs) != 0 {
		t.Fatalf("LoadSet: %v, problems %v", err, probs)
	}
	if len(claims) != len(shipped)+1 {
		t.Fatalf("got %d claims; want the %d shipped, one replaced, plus one added", len(claims), len(shipped))
	}
	byID := map[string]Claim{}
	for _, c := range claims {
		byID[c.ID] = c
	}
	if c := byID["eeu-iran-fta"]; c.Statement != "Iran will join the EAEU." || c.File != replaced {
		t.Errorf("eeu-iran-fta comes from %s with %q; want the replacement %s", c.File, c.Statement, replaced)
	}
	if c := byID["caspian-summit"]; c.File != added {
		t.Errorf("caspian-summit comes from %q; want %s", c.File, added)
	}
	if c := byID["russia-arms-to-iran"]; c.File != "shipped/russia-arms-to-iran.yaml" {
		t.Errorf("russia-arms-to-iran comes from %q; want the shipped file", c.File)
	}
	if !slices.IsSortedFunc(claims, func(a, b Claim) int { return strings.Compare(a.ID, b.ID) }) {
		t.Error("claims are not sorted by id")
	}
}

func TestLoadSetRejectsClashesAndBadDirs(t *testing.T) {
	t.Run("added file reuses a shipped id", func(t *testing.T) {
		dir := t.TempDir()
		path := writeClaim(t, dir, "my-arms.yaml", "russia-arms-to-iran", "Mine.")
		claims, probs, err := LoadSet(dir)
		if claims != nil || err == nil {
			t.Fatalf("got %d claims, err %v; want none and an error", len(claims), err)
		}
		want := `duplicate id "russia-arms-to-iran": it is also the id of the claim at shipped/russia-arms-to-iran.yaml:17:5`
		if len(probs) != 1 || probs[0].File != path || probs[0].Message != want {
			t.Errorf("problems %v; want %s: %s", probs, path, want)
		}
	})
	t.Run("bad file", func(t *testing.T) {
		dir := t.TempDir()
		writeClaim(t, dir, "fine.yaml", "fine-claim", "Fine.")
		if err := os.WriteFile(filepath.Join(dir, "broken.yaml"), []byte("id: [x\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if claims, _, err := LoadSet(dir); claims != nil || err == nil {
			t.Errorf("got %d claims, err %v; want all-or-nothing", len(claims), err)
		}
	})
	t.Run("empty dir is just the shipped set", func(t *testing.T) {
		claims, probs, err := LoadSet(t.TempDir())
		if err != nil || len(probs) != 0 || len(claims) != 7 {
			t.Errorf("got %d claims, problems %v, err %v; want the 7 shipped", len(claims), probs, err)
		}
	})
	t.Run("missing dir", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "nope")
		claims, probs, err := LoadSet(dir)
		var ps Problems
		if claims != nil || !errors.As(err, &ps) || len(probs) != 1 || probs[0].File != dir ||
			!strings.Contains(probs[0].Message, "cannot read claims directory") {
			t.Errorf("got %d claims, problems %v, err %v", len(claims), probs, err)
		}
	})
}

func TestShippedSet(t *testing.T) {
	claims, probs, err := LoadSet("")
	if err != nil || len(probs) != 0 {
		t.Fatalf("the shipped claims must load without errors or warnings: %v", probs)
	}
	if len(claims) != 7 {
		t.Errorf("got %d shipped claims; want 7", len(claims))
	}
	ids := map[string]bool{}
	for _, c := range claims {
		ids[c.ID] = true
		if c.File != "shipped/"+c.ID+".yaml" {
			t.Errorf("%s is in %s; want one file per claim named after its id", c.ID, c.File)
		}
		if c.Source.Publisher != "Eurasia Review" || !c.Made.Equal(time.Date(2020, 1, 10, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("%s: source %+v, made %v", c.ID, c.Source, c.Made)
		}
		if len(c.Cues.Supports) == 0 || len(c.Cues.Contradicts) == 0 {
			t.Errorf("%s has no stance cues", c.ID)
		}
	}
	for _, id := range []string{"russia-arms-to-iran", "eeu-iran-fta", "russia-curbs-iran-in-syria"} {
		if !ids[id] {
			t.Errorf("shipped set lacks %s", id)
		}
	}
	fromShipped, err := Shipped()
	if err != nil || !reflect.DeepEqual(fromShipped, claims) {
		t.Errorf("Shipped() differs from LoadSet(\"\"): %v", err)
	}
}

func TestHashIsStableAndTracksTheDefinition(t *testing.T) {
	hashOf := func(t *testing.T, text string) string {
		t.Helper()
		claims, probs := Parse("c.yaml", []byte(text))
		if len(probs) != 0 || len(claims) != 1 {
			t.Fatalf("Parse: %v", probs)
		}
		return claims[0].Hash
	}
	base := "id: a\nstatement: S.\nmade: 2020-01-10\nterms: {iran: [Iran, Tehran]}\nmatch: {all: [iran]}\n"
	h := hashOf(t, base)
	if h != hashOf(t, base) {
		t.Error("hash differs between two loads of the same file")
	}
	same := map[string]string{
		"other id, tags and source": strings.Replace(base, "id: a\n", "id: b\ntags: [x]\nsource: {publisher: P}\n", 1),
		"default scope written out": strings.Replace(base, "all: [iran]", "all: [iran], scope: sentence", 1),
		"comments and layout":       "# note\n" + strings.Replace(base, "{iran: [Iran, Tehran]}", "\n  iran:\n    - Iran\n    - Tehran", 1),
	}
	for name, text := range same {
		if hashOf(t, text) != h {
			t.Errorf("%s changed the hash", name)
		}
	}
	changed := map[string]string{
		"a term":    strings.Replace(base, "Tehran", "Teheran", 1),
		"term case": strings.Replace(base, "Tehran", "tehran", 1),
		"statement": strings.Replace(base, "S.", "T.", 1),
		"made":      strings.Replace(base, "2020-01-10", "2020-01-11", 1),
		"horizon":   base + "horizon: 2025-12-31\n",
		"cues":      base + "stance: {supports: [signed]}\n",
		"scope":     strings.Replace(base, "all: [iran]", "all: [iran], scope: window, window: 20", 1),
	}
	for name, text := range changed {
		if hashOf(t, text) == h {
			t.Errorf("changing %s left the hash unchanged", name)
		}
	}
	// Across loads of the shipped set too.
	a, _ := Shipped()
	b, _ := Shipped()
	for i := range a {
		if a[i].Hash != b[i].Hash || a[i].Hash == "" {
			t.Errorf("%s: hash %q then %q", a[i].ID, a[i].Hash, b[i].Hash)
		}
	}
}

// LoadFiles reports every problem of the files it is given (what
// `claimwatch claims check` prints), warnings included.
func TestLoadFilesReportsEveryProblem(t *testing.T) {
	Check := func(paths ...string) Problems {
		_, probs, _ := LoadFiles(paths...)
		return probs
	}
	good := filepath.Join("testdata", "good")
	if got := Check(good); len(got.Errors()) != 0 || len(got.Warnings()) != 3 {
		t.Errorf("Check(%s) = %v; want just the 3 warnings of with-warnings.yaml", good, got)
	}
	empty := t.TempDir()
	if got := Check(empty); len(got) != 1 || got[0].Message != "directory holds no claim files (*.yaml or *.yml)" {
		t.Errorf("Check(empty dir) = %v", got)
	}
	missing := filepath.Join(empty, "missing.yaml")
	if got := Check(missing); len(got) != 1 || got[0].File != missing || !strings.Contains(got[0].Message, "no such file") {
		t.Errorf("Check(missing file) = %v", got)
	}
}

func TestProblemString(t *testing.T) {
	tests := []struct {
		p    Problem
		want string
	}{
		{Problem{File: "a.yaml", Line: 3, Column: 7, Message: "bad"}, "a.yaml:3:7: bad"},
		{Problem{File: "a.yaml", Line: 3, Message: "bad"}, "a.yaml:3: bad"},
		{Problem{File: "a.yaml", Message: "bad"}, "a.yaml: bad"},
		{Problem{File: "a.yaml", Line: 1, Column: 1, Message: "odd", Warning: true}, "a.yaml:1:1: odd"},
	}
	for _, tt := range tests {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("String() = %q; want %q", got, tt.want)
		}
	}
	ps := Problems{tests[0].p, tests[3].p}
	if got, want := ps.Error(), "a.yaml:3:7: bad\na.yaml:1:1: odd"; got != want {
		t.Errorf("Error() = %q; want %q", got, want)
	}
	if got := ps.Errors(); len(got) != 1 || got[0] != tests[0].p {
		t.Errorf("Errors() = %v", got)
	}
}

func BenchmarkLoadShipped(b *testing.B) {
	files, _ := shipped()
	size := 0
	for _, f := range files {
		size += len(f.data)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Shipped(); err != nil {
			b.Fatal(err)
		}
	}
}

func TestTooManyGroups(t *testing.T) {
	var b strings.Builder
	b.WriteString("id: many-groups\nstatement: S.\nmade: 2020-01-10\nterms:\n")
	for i := range MaxGroups + 1 {
		fmt.Fprintf(&b, "  g%d: [word%d]\n", i, i)
	}
	b.WriteString("match:\n  all: [")
	for i := range MaxGroups + 1 {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "g%d", i)
	}
	b.WriteString("]\n")
	claims, probs := Parse("many.yaml", []byte(b.String()))
	want := Problems{{File: "many.yaml", Line: 5, Column: 3, Message: "terms defines 65 groups; a claim may have at most 64"}}
	if len(claims) != 0 || !reflect.DeepEqual(probs, want) {
		t.Errorf("got %d claims, problems %v; want %v", len(claims), probs, want)
	}
}

// The worked example in the claim-language guide must itself be a valid claim.
func TestGuideExampleIsValid(t *testing.T) {
	guide, err := os.ReadFile(filepath.Join("..", "docs", "claim-language.md"))
	if err != nil {
		t.Fatalf("read the guide: %v", err)
	}
	_, rest, ok := strings.Cut(string(guide), "```yaml\n")
	example, _, closed := strings.Cut(rest, "```")
	if !ok || !closed {
		t.Fatal("the guide has no ```yaml example")
	}
	claims, probs := Parse("claim-language.md", []byte(example))
	if len(probs) != 0 || len(claims) != 1 || claims[0].ID != "russia-arms-to-iran" {
		t.Errorf("the guide's example: %d claims, problems %v", len(claims), probs)
	}
}
