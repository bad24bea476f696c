package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the binary ships zone data; so do the tests
)

func TestDefaultsAreValid(t *testing.T) {
	c := Default()
	if err := c.Validate(); err != nil {
		t.Fatalf("defaults do not validate:\n%v", err)
	}
	if c.File != DefaultsFile {
		t.Errorf("File = %q, want %q", c.File, DefaultsFile)
	}
	kinds := map[Kind]int{}
	templates := map[string]bool{}
	for _, s := range c.Sources {
		kinds[s.Kind]++
		if s.Schedule == "" {
			t.Errorf("source %q has no schedule after defaults", s.Name)
		}
		if s.Kind == KindFeed && !strings.HasPrefix(s.URL, "https://") {
			t.Errorf("default feed %q is not https: %s", s.Name, s.URL)
		}
		if s.Query != nil {
			templates[s.Query.Template] = true
		}
		if s.File != DefaultsFile || s.Line == 0 {
			t.Errorf("source %q position = %s:%d", s.Name, s.File, s.Line)
		}
	}
	if kinds[KindFeed] < 8 {
		t.Errorf("only %d default feeds", kinds[KindFeed])
	}
	for _, tmpl := range []string{"google-news", "gdelt"} {
		if !templates[tmpl] {
			t.Errorf("no default query source with template %s", tmpl)
		}
	}
	if c.Location != time.UTC {
		t.Errorf("Location = %v, want UTC", c.Location)
	}
	if c.Fetch.MaxBytes != 10<<20 || c.Fetch.Concurrency != 8 || !c.Fetch.RespectRobots || c.Fetch.AllowPrivate {
		t.Errorf("fetch defaults = %+v", c.Fetch)
	}
}

func TestDefaultReturnsIndependentCopies(t *testing.T) {
	a := Default()
	a.Sources[0].Tags[0] = "changed"
	a.Sources = a.Sources[:1]
	b := Default()
	if b.Sources[0].Tags[0] == "changed" || len(b.Sources) < 2 {
		t.Fatal("Default shares state between calls")
	}
}

const fullConfig = `
db: /var/lib/claimwatch/cw.db
claims: /etc/claimwatch/claims
timezone: Europe/Berlin
default_schedule: "*/15 * * * *"
fetch:
  user_agent_contact: https://example.org/about-our-bot
  timeout: 45s
  connect_timeout: 5s
  max_bytes: 512KiB
  max_redirects: 3
  per_host_concurrency: 1
  per_host_delay: 2s
  concurrency: 4
  allow_private: true
  respect_robots: false
shutdown_timeout: 1m
listen: ":9090"
retention_days: 90
sources:
  - name: Tehran Times
    url: https://www.tehrantimes.com/rss
    fetch_articles: always
    tags: [iran]
    weight: 2.5
  - name: Some listing
    url: https://example.org/news/
    kind: page
    schedule: "@hourly"
    page: {links: "article h3 a", title: "h3", date: "time"}
  - name: Backfill
    url: file:///srv/saved-feeds
    enabled: false
  - name: Local dir
    url: /srv/pages
    fetch_articles: never
  - name: Arms search
    kind: query
    query:
      template: "https://search.example.org/rss?q={query}&lang=en"
      claims: [russia-arms-to-iran]
`

func TestParseFullConfig(t *testing.T) {
	c, err := Parse([]byte(fullConfig), "full.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if c.DB != "/var/lib/claimwatch/cw.db" || c.Claims != "/etc/claimwatch/claims" {
		t.Errorf("db/claims = %q %q", c.DB, c.Claims)
	}
	if c.Location == nil || c.Location.String() != "Europe/Berlin" {
		t.Errorf("Location = %v", c.Location)
	}
	want := Fetch{
		UserAgentContact: "https://example.org/about-our-bot", Timeout: 45 * time.Second,
		ConnectTimeout: 5 * time.Second, MaxBytes: 512 << 10, MaxRedirects: 3, PerHostConcurrency: 1,
		PerHostDelay: 2 * time.Second, Concurrency: 4, AllowPrivate: true, RespectRobots: false,
	}
	if c.Fetch != want {
		t.Errorf("Fetch = %+v\nwant   %+v", c.Fetch, want)
	}
	if c.ShutdownTimeout != time.Minute || c.RetentionDays != 90 {
		t.Errorf("shutdown %v retention %d", c.ShutdownTimeout, c.RetentionDays)
	}
	if got := c.ListenAddr(); got != "127.0.0.1:9090" {
		t.Errorf("ListenAddr = %q", got)
	}
	if len(c.Sources) != 5 {
		t.Fatalf("%d sources, want 5 (file sources replace defaults)", len(c.Sources))
	}
	tt := c.Sources[0]
	if tt.Kind != KindFeed || tt.FetchArticles != FetchAlways || tt.Weight != 2.5 || !tt.Enabled ||
		tt.Schedule != "*/15 * * * *" || tt.Line != 21 || tt.File != "full.yaml" {
		t.Errorf("source 0 = %+v", tt)
	}
	pg := c.Sources[1]
	if pg.Kind != KindPage || pg.Page == nil || pg.Page.Links != "article h3 a" || pg.Schedule != "@hourly" || pg.FetchArticles != FetchAuto {
		t.Errorf("page source = %+v", pg)
	}
	if c.Sources[2].Enabled || !c.Sources[2].IsLocal() || !c.Sources[3].IsLocal() || c.Sources[0].IsLocal() {
		t.Errorf("backfill sources = %+v / %+v", c.Sources[2], c.Sources[3])
	}
	q := c.Sources[4]
	if q.Query == nil || q.URL != "" || len(q.Query.Claims) != 1 || q.Query.Claims[0] != "russia-arms-to-iran" {
		t.Errorf("query source = %+v", q)
	}
	if got := len(c.EnabledSources()); got != 4 {
		t.Errorf("EnabledSources = %d, want 4", got)
	}
	if s, ok := c.Source("tehran TIMES"); !ok || s.URL != tt.URL {
		t.Errorf("Source lookup = %+v, %v", s, ok)
	}
}

func TestParseKeepsDefaultSourcesUnlessListed(t *testing.T) {
	def := Default()
	c, err := Parse([]byte("default_schedule: \"@every 45m\"\n"), "x.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Sources) != len(def.Sources) {
		t.Fatalf("%d sources, want the %d defaults", len(c.Sources), len(def.Sources))
	}
	for i, s := range c.Sources {
		wantSched := "@every 45m"
		if def.Sources[i].Schedule != def.DefaultSchedule {
			wantSched = def.Sources[i].Schedule // the source wrote its own
		}
		if s.Schedule != wantSched {
			t.Errorf("%s schedule = %q, want %q", s.Name, s.Schedule, wantSched)
		}
	}
	none, err := Parse([]byte("sources: []\n"), "none.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(none.Sources) != 0 {
		t.Errorf("sources: [] gave %d sources", len(none.Sources))
	}
	empty, err := Parse(nil, "empty.yaml")
	if err != nil || len(empty.Sources) != len(def.Sources) {
		t.Errorf("empty file: %v, %d sources", err, len(empty.Sources))
	}
}

// TestMalformed checks that each bad file is refused with a message naming
// the file, line and column of the problem.
func TestMalformed(t *testing.T) {
	cases := []struct {
		name, yaml string
		line, col  int
		want       string
	}{
		{"unknown top key", "db: x\ntimezon: UTC\n", 2, 1, `did you mean "timezone"`},
		{"unknown fetch key", "fetch:\n  max_byte: 1MiB\n", 2, 3, `did you mean "max_bytes"`},
		{"unknown source key", "sources:\n  - name: a\n    url: https://a.example/\n    shedule: '@hourly'\n", 4, 5, `did you mean "schedule"`},
		{"bad duration", "fetch:\n  timeout: thirty\n", 2, 12, "want a duration"},
		{"bad size", "fetch:\n  max_bytes: 10 megs\n", 2, 14, "unknown size unit"},
		{"negative retention", "retention_days: -1\n", 1, 17, "must not be negative"},
		{"bad timezone", "timezone: Mars/Olympus\n", 1, 11, "unknown time zone"},
		{"bad cron", "sources:\n  - name: a\n    url: https://a.example/\n    schedule: '61 * * * *'\n", 4, 15, "bad schedule"},
		{"too frequent", "default_schedule: '@every 10s'\n", 1, 19, "more often"},
		{"too frequent for an outlet", "sources:\n  - name: a\n    url: https://a.example/\n    schedule: '@every 5s'\n", 4, 15, "only local files and loopback"},
		{"bad url scheme", "sources:\n  - name: a\n    url: ftp://a.example/feed\n", 3, 10, "want http"},
		{"relative path", "sources:\n  - name: a\n    url: feeds/a.xml\n", 3, 10, "want http"},
		{"weight too big", "sources:\n  - name: a\n    url: https://a.example/\n    weight: 11\n", 4, 13, "at most 10"},
		{"weight zero", "sources:\n  - name: a\n    url: https://a.example/\n    weight: 0\n", 4, 13, "greater than 0"},
		{"weight not number", "sources:\n  - name: a\n    url: https://a.example/\n    weight: heavy\n", 4, 13, "want a number"},
		{"duplicate name", "sources:\n  - name: A\n    url: https://a.example/\n  - name: a\n    url: https://b.example/\n", 4, 1, "already used"},
		{"page without selectors", "sources:\n  - name: a\n    url: https://a.example/\n    kind: page\n", 4, 11, "needs page"},
		{"page of a local directory", "sources:\n  - name: a\n    url: /srv/saved-pages\n    kind: page\n    page: {links: a}\n", 4, 11, "takes kind: feed"},
		{"bad selector", "sources:\n  - name: a\n    url: https://a.example/\n    kind: page\n    page: {links: 'a[href'}\n", 5, 19, "bad CSS selector"},
		{"query with url", "sources:\n  - name: q\n    kind: query\n    url: https://a.example/\n    query: {template: gdelt}\n", 4, 10, "takes no url"},
		{"unknown template", "sources:\n  - name: q\n    kind: query\n    query: {template: bing}\n", 4, 23, "unknown template"},
		{"unknown kind", "sources:\n  - name: a\n    url: https://a.example/\n    kind: atom\n", 4, 11, "unknown kind"},
		{"sitemap of a local directory", "sources:\n  - name: s\n    url: /srv/sitemaps\n    kind: sitemap\n", 3, 10, "needs an http(s) URL"},
		{"sitemap with query settings", "sources:\n  - name: s\n    url: https://s.example/\n    kind: sitemap\n    query: {template: gdelt}\n", 5, 12, "only a query source"},
		{"bad fetch_articles", "sources:\n  - name: a\n    url: https://a.example/\n    fetch_articles: sometimes\n", 4, 21, "want auto"},
		{"bool as string", "fetch:\n  respect_robots: yes\n", 2, 19, "want true or false"},
		{"sources not a list", "sources: {name: a}\n", 1, 10, "must be a list"},
		{"tags not a list", "sources:\n  - name: a\n    url: https://a.example/\n    tags: iran\n", 4, 11, "want a list"},
		{"repeated key", "db: a\ndb: b\n", 2, 1, "repeated"},
		{"syntax error", "db: a\nclaims: b: c\n", 2, 1, "YAML syntax: mapping values are not allowed"},
		{"tab indent", "fetch:\n\ttimeout: 5s\n", 2, 1, "indented with a tab"},
		{"tab on the first line", "\tdb: a\n", 1, 1, "indented with a tab"},
		{"bad listen", "listen: 90x90\n", 1, 9, "bad address"},
		{"bad listen port", "listen: 99999\n", 1, 9, "bad port"},
		{"connect longer than timeout", "fetch:\n  timeout: 5s\n  connect_timeout: 10s\n", 3, 20, "longer than fetch.timeout"},
		{"two documents", "db: a\n---\ndb: b\n", 2, 1, "second"},
		{"top not a mapping", "- a\n- b\n", 1, 1, "must be a mapping"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.yaml), "bad.yaml")
			if err == nil {
				t.Fatal("accepted")
			}
			ps, ok := AsProblems(err)
			if !ok {
				t.Fatalf("error is not Problems: %v", err)
			}
			for _, p := range ps {
				if p.File == "bad.yaml" && p.Line == tc.line && p.Column == tc.col && strings.Contains(p.Msg, tc.want) {
					return
				}
			}
			t.Errorf("want bad.yaml:%d:%d: …%s…; got\n%v", tc.line, tc.col, tc.want, err)
		})
	}
}

func TestAllProblemsReported(t *testing.T) {
	data := "timezon: UTC\nfetch:\n  timeout: x\n  concurency: 3\nretention_days: many\n"
	_, err := Parse([]byte(data), "many.yaml")
	ps, ok := AsProblems(err)
	if !ok || len(ps) != 4 {
		t.Fatalf("want 4 problems, got %v", err)
	}
	for i, line := range []int{1, 3, 4, 5} {
		if ps[i].Line != line {
			t.Errorf("problem %d at line %d, want %d (sorted by position): %v", i, ps[i].Line, line, ps[i])
		}
	}
	if !strings.Contains(ps[2].Msg, `"concurrency"`) {
		t.Errorf("no suggestion: %v", ps[2])
	}
	if !strings.HasPrefix(err.Error(), "many.yaml:1:1: ") {
		t.Errorf("Error() = %q", err.Error())
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "claimwatch.yaml")
	if err := os.WriteFile(path, []byte("listen: 0.0.0.0:8080\nsources: []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if c.File != path || c.ListenAddr() != "0.0.0.0:8080" {
		t.Errorf("File %q ListenAddr %q", c.File, c.ListenAddr())
	}
	if _, err := Load(filepath.Join(dir, "missing.yaml")); err == nil || !strings.Contains(err.Error(), "missing.yaml") {
		t.Errorf("missing file error = %v", err)
	}
	if err := os.WriteFile(path, []byte("retention_days: x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); err == nil || !strings.HasPrefix(err.Error(), path+":1:17:") {
		t.Errorf("Load error = %v", err)
	}
}

// Relative paths in a config file are read from the file's directory, not
// from the directory claimwatch happens to start in: cron starts it in $HOME,
// systemd in /, and a relative db: would then be another, empty database.
func TestLoadReadsRelativePathsFromTheConfigsDirectory(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "pw"), []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "claimwatch.yaml")
	data := "db: data/cw.db\nclaims: my-claims\nweb: {token_file: token}\nsources: []\n" +
		"alerts:\n  - name: a\n    email: {host: h, from: a@b.example, to: [c@d.example], password_file: pw}\n" +
		"    claims: [x]\n"
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir()) // elsewhere, as cron would be
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "data", "cw.db"); c.DB != want {
		t.Errorf("db %q, want %q", c.DB, want)
	}
	if want := filepath.Join(dir, "my-claims"); c.Claims != want {
		t.Errorf("claims %q, want %q", c.Claims, want)
	}
	if want := filepath.Join(dir, "token"); c.Web.TokenFile != want {
		t.Errorf("web.token_file %q, want %q", c.Web.TokenFile, want)
	}
	if len(c.Alerts) != 1 || c.Alerts[0].Email == nil || c.Alerts[0].Email.Password != "s3cret" {
		t.Errorf("password_file not read beside the config: %+v", c.Alerts)
	}
	// Absolute paths stay as written.
	if err := os.WriteFile(path, []byte("db: /var/lib/cw.db\nsources: []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if c, err := Load(path); err != nil || c.DB != "/var/lib/cw.db" {
		t.Errorf("absolute db: %v %v", c, err)
	}
}

func TestPath(t *testing.T) {
	env := map[string]string{EnvConfig: "/etc/cw.yaml"}
	getenv := func(k string) string { return env[k] }
	if got := Path("flag.yaml", getenv); got != "flag.yaml" {
		t.Errorf("flag: %q", got)
	}
	if got := Path("", getenv); got != "/etc/cw.yaml" {
		t.Errorf("env: %q", got)
	}
	if got := Path("", func(string) string { return "" }); got != "" {
		t.Errorf("none: %q", got)
	}
}

// listen: 9090 in the config means what --listen 9090 means.
func TestListenBarePort(t *testing.T) {
	c, err := Parse([]byte("listen: 9090\n"), "c.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got := c.ListenAddr(); got != "127.0.0.1:9090" {
		t.Errorf("listen: 9090 binds %q, want 127.0.0.1:9090 as --listen 9090", got)
	}
}

func TestListenAddr(t *testing.T) {
	for in, want := range map[string]string{
		"": "", ":9090": "127.0.0.1:9090", "localhost:1": "localhost:1", "[::]:80": "[::]:80",
	} {
		if got := (&Config{Listen: in}).ListenAddr(); got != want {
			t.Errorf("ListenAddr(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseSize(t *testing.T) {
	good := map[string]int64{
		"10MiB": 10 << 20, "512KiB": 512 << 10, "1048576": 1 << 20, "2MB": 2_000_000,
		"1 GiB": 1 << 30, "7b": 7, "3kib": 3 << 10,
	}
	for in, want := range good {
		if got, err := ParseSize(in); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "MiB", "1.5MiB", "-1", "10 TB", "99999999999999999999"} {
		if _, err := ParseSize(in); err == nil {
			t.Errorf("ParseSize(%q) accepted", in)
		}
	}
}

func TestCheckSchedule(t *testing.T) {
	for _, ok := range []string{"*/30 * * * *", "@hourly", "@every 30m", "0 6 * * mon-fri", "@daily"} {
		if err := CheckSchedule(ok); err != nil {
			t.Errorf("CheckSchedule(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"", "* * * *", "0 0 * * * *", "@every 59s", "@fortnightly", "CRON_TZ=UTC * * * * *"} {
		if err := CheckSchedule(bad); err == nil {
			t.Errorf("CheckSchedule(%q) accepted", bad)
		}
	}
}

func TestLocalSourcesMayPollEverySecond(t *testing.T) {
	for _, url := range []string{"http://127.0.0.1:8080/feed.xml", "http://localhost/feed", "https://[::1]:9/x", "file:///srv/feeds/a.xml", "/srv/feeds"} {
		src := Source{Name: "a", URL: url, Kind: KindFeed, Schedule: "@every 1s", FetchArticles: FetchAuto, Weight: 1}
		if err := src.Validate(); err != nil {
			t.Errorf("%s every second: %v", url, err)
		}
	}
	for _, url := range []string{"https://a.example/feed", "http://10.0.0.1/feed", "http://127.0.0.1.example/feed"} {
		src := Source{Name: "a", URL: url, Kind: KindFeed, Schedule: "@every 1s", FetchArticles: FetchAuto, Weight: 1}
		if err := src.Validate(); err == nil || !strings.Contains(err.Error(), "more often than every 1m0s") {
			t.Errorf("%s every second: err %v, want the one-minute floor", url, err)
		}
	}
}

func TestMerge(t *testing.T) {
	file := []Source{{Name: "Tehran Times", URL: "https://file.example/"}, {Name: "TASS", URL: "https://tass.example/"}}
	added := []Source{{Name: "tehran times ", URL: "https://added.example/"}, {Name: "Extra", URL: "https://extra.example/"}}
	got := Merge(file, added)
	var names []string
	for _, s := range got {
		names = append(names, s.Name+"="+s.URL)
	}
	want := "Tehran Times=https://file.example/ TASS=https://tass.example/ Extra=https://extra.example/"
	if strings.Join(names, " ") != want {
		t.Errorf("Merge = %v\nwant %s", names, want)
	}
	if sh := Shadowed(file, added); len(sh) != 1 || sh[0] != "tehran times " {
		t.Errorf("Shadowed = %q", sh)
	}
	file[0].URL = "changed"
	if got[0].URL == "changed" {
		t.Error("Merge aliases the file slice")
	}
}

func TestSourceValidate(t *testing.T) {
	ok := Source{Name: "x", URL: "https://x.example/feed", Kind: KindFeed, FetchArticles: FetchAuto, Weight: 1, Enabled: true}
	if err := ok.Validate(); err != nil {
		t.Errorf("valid source: %v", err)
	}
	bad := ok
	bad.URL = "javascript:alert(1)"
	bad.Weight = -1
	err := bad.Validate()
	if err == nil || !strings.Contains(err.Error(), "url:") || !strings.Contains(err.Error(), "weight:") {
		t.Errorf("bad source: %v", err)
	}
}

func TestValidateGoBuiltConfig(t *testing.T) {
	c := Default()
	c.Sources = append(c.Sources, Source{Name: "TASS", URL: "https://x.example/", Kind: KindFeed,
		FetchArticles: FetchAuto, Weight: 1, File: "sources.db", Line: 0})
	c.Fetch.Concurrency = 0
	err := c.Validate()
	ps, ok := AsProblems(err)
	if !ok || len(ps) != 2 {
		t.Fatalf("want 2 problems, got %v", err)
	}
	joined := fmt.Sprint(ps)
	if !strings.Contains(joined, "fetch.concurrency") || !strings.Contains(joined, `"TASS" is already used`) {
		t.Errorf("problems = %v", joined)
	}
}

func TestClosest(t *testing.T) {
	if got := closest("shedule", sourceKeys); got != "schedule" {
		t.Errorf("closest = %q", got)
	}
	if got := closest("completely_unrelated", sourceKeys); got != "" {
		t.Errorf("closest of unrelated = %q", got)
	}
}

func BenchmarkParse(b *testing.B) {
	data := []byte(fullConfig)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(data, "full.yaml"); err != nil {
			b.Fatal(err)
		}
	}
}

// A sitemap source names a site (its robots.txt lists the sitemaps) or a
// sitemap; it takes the feed settings, not page or query ones.
func TestSitemapSourceLoads(t *testing.T) {
	c, err := Parse([]byte("sources:\n  - name: news-site\n    url: https://news.example/\n    kind: sitemap\n    schedule: '@hourly'\n"), "s.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Sources) != 1 || c.Sources[0].Kind != KindSitemap || c.Sources[0].URL != "https://news.example/" || c.Sources[0].Schedule != "@hourly" {
		t.Fatalf("sources %+v", c.Sources)
	}
}
