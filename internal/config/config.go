// Package config reads claimwatch's YAML configuration file into a typed,
// validated Config. It owns the file format and the embedded defaults
// (defaults.yaml, a list of real outlets covering Russia–Iran affairs); it
// does not fetch anything, and it does not know the claims (query sources
// name claim ids that the caller checks against the loaded claim set).
//
// The file (every key optional; absent keys keep the defaults):
//
//	db: /var/lib/claimwatch/claimwatch.db   # flag --db and env CLAIMWATCH_DB override
//	claims: /etc/claimwatch/claims           # claims overlay directory
//	timezone: Europe/Berlin                  # for cron specs; default UTC
//	default_schedule: "@every 30m"           # for sources without their own
//	fetch:
//	  user_agent_contact: https://example.org/claimwatch
//	  timeout: 30s                 # whole request
//	  connect_timeout: 10s         # TCP + TLS
//	  max_bytes: 10MiB             # 10MiB, 512KiB, 2MB, or a plain number of bytes
//	  max_redirects: 5
//	  per_host_concurrency: 2
//	  per_host_delay: 1s           # pause between requests to one host
//	  concurrency: 8               # requests in flight overall
//	  allow_private: false         # allow loopback/private addresses
//	  respect_robots: true
//	shutdown_timeout: 20s
//	listen: ":9090"                # metrics/web; a port alone binds loopback
//	retention_days: 0              # 0 keeps article text forever
//	sources:                       # absent: the default sources; [] : none
//	  - name: Tehran Times
//	    url: https://www.tehrantimes.com/rss
//	    kind: feed                 # feed (default) | page | query
//	    schedule: "*/30 * * * *"   # 5-field cron or @hourly, @every 30m, ... (at most once
//	                               # a minute; local files and loopback URLs down to @every 1s)
//	    fetch_articles: auto       # auto (default) | always | never
//	    tags: [iran]
//	    weight: 1.0                # 0 < weight <= 10
//	    enabled: true
//	    page: {links: "h3 a", title: "h3", date: "time"}   # kind page only
//	    query: {template: google-news, claims: [russia-arms-to-iran]}  # kind query only
//
// Unknown keys, wrong types and bad values are all reported at once, each as
// file:line:column, with the closest known key suggested for a misspelling.
package config

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/claimwatch/claimwatch/internal/health"
)

// EnvConfig and EnvDB name the environment variables that point at the
// config file and override its db key.
const (
	EnvConfig = "CLAIMWATCH_CONFIG"
	EnvDB     = "CLAIMWATCH_DB"
)

// Config is the whole configuration, defaults applied and validated.
type Config struct {
	// File is where the configuration came from ("defaults.yaml" for Default).
	File string

	DB     string // SQLite path; empty means the caller's default
	Claims string // claims overlay directory; empty means shipped claims only

	Timezone string         // as written; "UTC" by default
	Location *time.Location // Timezone loaded, for cron schedules

	DefaultSchedule string // applied to sources without a schedule
	Fetch           Fetch
	ShutdownTimeout time.Duration
	Listen          string // as written; see ListenAddr
	RetentionDays   int    // 0 keeps article text forever
	Web             Web    // dashboard sign-in; see web.go

	Sources []Source
	Alerts  []Alert // see alerts.go
}

// Fetch holds the politeness and safety limits of the HTTP fetcher.
type Fetch struct {
	UserAgentContact   string // URL or mailto: put in the User-Agent
	Timeout            time.Duration
	ConnectTimeout     time.Duration
	MaxBytes           int64
	MaxRedirects       int
	PerHostConcurrency int
	PerHostDelay       time.Duration
	Concurrency        int
	AllowPrivate       bool
	RespectRobots      bool
}

// Kind says how a source is read.
type Kind string

const (
	KindFeed  Kind = "feed"  // RSS, Atom or JSON Feed
	KindPage  Kind = "page"  // an HTML listing page scraped with CSS selectors
	KindQuery Kind = "query" // a search feed built from each claim's terms
	// KindSitemap is a news site's sitemaps (url: the site, whose
	// robots.txt names them, or a sitemap): polled for the entries of the
	// last two days, and read for any window by backfill.
	KindSitemap Kind = "sitemap"
)

// FetchArticles says when the article page behind a feed item is fetched.
type FetchArticles string

const (
	// FetchAuto fetches the page when the item carries only a summary.
	FetchAuto   FetchArticles = "auto"
	FetchAlways FetchArticles = "always"
	FetchNever  FetchArticles = "never"
)

// Source is one configured news source.
type Source struct {
	Name string
	// URL is http(s), file:// or an absolute local path (a saved feed or
	// page, or a directory of them, for backfill). Empty for kind query.
	URL           string
	Kind          Kind
	Schedule      string // cron spec; the default schedule when not written
	FetchArticles FetchArticles
	Tags          []string
	Weight        float64
	Enabled       bool
	Page          *Page  // set for kind page only
	Query         *Query // set for kind query only

	// File and Line say where the source was defined, for messages.
	File string
	Line int
}

// Page holds the CSS selectors that read a listing page. Its fields match
// scrape.Selectors, so scrape.Selectors(*src.Page) converts it.
type Page struct {
	Links string // anchors (or elements holding one) leading to articles
	Title string // optional: title within each link's element
	Date  string // optional: date within each link's element
}

// Query says how a query source builds search-feed URLs from claims.
type Query struct {
	// Template is google-news, gdelt, gdelt-json, or an http(s) URL
	// containing {query}.
	Template string
	// Claims lists claim ids to watch; empty means every claim.
	Claims []string
}

// Built-in query templates (see package query).
var queryTemplates = []string{"google-news", "gdelt", "gdelt-json"}

// Load reads and validates the file at path. Problems in the file come back
// as Problems, every one of them.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	return Parse(data, path)
}

// Path picks the config file: the flag value when set, else $CLAIMWATCH_CONFIG,
// else "" (run on the defaults).
func Path(flag string, getenv func(string) string) string {
	if flag != "" {
		return flag
	}
	return getenv(EnvConfig)
}

// ListenAddr is the address to bind, by the rule the daemon applies to
// --listen as well (health.ListenAddr): a value with no host (":9090")
// binds the loopback interface 127.0.0.1, so metrics are never exposed by
// accident; write "0.0.0.0:9090" to listen on every interface. Empty means
// do not listen.
func (c *Config) ListenAddr() string {
	if c.Listen == "" {
		return ""
	}
	return health.ListenAddr(c.Listen)
}

// EnabledSources returns the sources that are switched on.
func (c *Config) EnabledSources() []Source {
	var out []Source
	for _, s := range c.Sources {
		if s.Enabled {
			out = append(out, s)
		}
	}
	return out
}

// Source returns the source of that name (compared case-insensitively).
func (c *Config) Source(name string) (Source, bool) {
	for _, s := range c.Sources {
		if sameName(s.Name, name) {
			return s, true
		}
	}
	return Source{}, false
}

// IsLocal reports whether the source reads local files (backfill) rather
// than the network.
func (s Source) IsLocal() bool {
	return strings.HasPrefix(s.URL, "file://") || strings.HasPrefix(s.URL, "/")
}

// Merge combines the sources of the config file with those added at run time
// (`claimwatch sources add`). When both define the same name (compared
// case-insensitively), the config file wins: the file is what an operator
// reviews and versions, so it is the authority; the added source is dropped.
// File sources keep their order, and added sources follow in theirs.
func Merge(fileSources, added []Source) []Source {
	out := make([]Source, 0, len(fileSources)+len(added))
	out = append(out, fileSources...)
	for _, a := range added {
		if !containsName(out, a.Name) {
			out = append(out, a)
		}
	}
	return out
}

// Shadowed returns the names of added sources that Merge drops because the
// config file defines the same name, so the caller can warn about them.
func Shadowed(fileSources, added []Source) []string {
	var names []string
	for _, a := range added {
		if containsName(fileSources, a.Name) {
			names = append(names, a.Name)
		}
	}
	return names
}

func containsName(sources []Source, name string) bool {
	for _, s := range sources {
		if sameName(s.Name, name) {
			return true
		}
	}
	return false
}

func sameName(a, b string) bool {
	return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}

// Problem is one thing wrong in a config file, at a place.
type Problem struct {
	File         string
	Line, Column int
	Msg          string
}

func (p Problem) String() string {
	if p.Line == 0 {
		return fmt.Sprintf("%s: %s", p.File, p.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", p.File, p.Line, p.Column, p.Msg)
}

// Problems lists everything wrong in a config file, in file order.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// AsProblems unwraps err into Problems, if it holds any.
func AsProblems(err error) (Problems, bool) {
	var ps Problems
	ok := errors.As(err, &ps)
	return ps, ok
}
