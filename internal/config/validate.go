package config

import (
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/andybalholm/cascadia"
	"github.com/robfig/cron/v3"
)

// Limits that keep a configuration polite and sane.
const (
	MinScheduleInterval = time.Minute // no source is polled more often
	// MinLocalScheduleInterval is the floor for sources that read local
	// files or a loopback address (a local mirror, a test rig): no outlet's
	// server is at stake there, so they may be polled every second.
	MinLocalScheduleInterval = time.Second
	MaxWeight                = 10.0
	maxRedirectsLimit        = 20
)

// fieldErr is a problem with one field, named by its dotted key path
// ("fetch.timeout", "page.links"); the parser turns the path into the
// file position of that value.
type fieldErr struct {
	field string
	msg   string
}

func errf(field, format string, args ...any) fieldErr {
	return fieldErr{field: field, msg: fmt.Sprintf(format, args...)}
}

// Validate checks a Config however it was built (Parse calls it too), loads
// its time zone when needed, and reports every problem. Problems of values
// built in Go carry the file and line of their source, when known.
func (c *Config) Validate() error {
	var ps Problems
	file := c.File
	for _, fe := range c.check() {
		ps = append(ps, Problem{File: file, Msg: fe.field + ": " + fe.msg})
	}
	for i := range c.Sources {
		s := &c.Sources[i]
		for _, fe := range checkSource(s) {
			ps = append(ps, sourceProblem(s, fe))
		}
	}
	for _, dup := range duplicateNames(c.Sources) {
		ps = append(ps, sourceProblem(&c.Sources[dup.index], errf("name", "%s", dup.msg)))
	}
	if len(ps) > 0 {
		return ps
	}
	return nil
}

func sourceProblem(s *Source, fe fieldErr) Problem {
	return Problem{File: s.File, Line: s.Line, Column: 1,
		Msg: fmt.Sprintf("source %q: %s: %s", s.Name, fe.field, fe.msg)}
}

// check validates the settings outside sources and loads the time zone.
func (c *Config) check() []fieldErr {
	var errs []fieldErr
	if c.Timezone == "" {
		c.Timezone = "UTC"
	}
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil {
		errs = append(errs, errf("timezone", "unknown time zone %q (want an IANA name like Europe/Berlin)", c.Timezone))
	} else {
		c.Location = loc
	}
	if err := CheckSchedule(c.DefaultSchedule); err != nil {
		errs = append(errs, errf("default_schedule", "%v", err))
	}
	f := c.Fetch
	if f.UserAgentContact != "" {
		if err := checkContact(f.UserAgentContact); err != nil {
			errs = append(errs, errf("fetch.user_agent_contact", "%v", err))
		}
	}
	positive := []struct {
		field string
		d     time.Duration
	}{
		{"fetch.timeout", f.Timeout},
		{"fetch.connect_timeout", f.ConnectTimeout},
		{"shutdown_timeout", c.ShutdownTimeout},
	}
	for _, p := range positive {
		if p.d <= 0 {
			errs = append(errs, errf(p.field, "must be positive, got %v", p.d))
		}
	}
	if f.ConnectTimeout > f.Timeout && f.Timeout > 0 {
		errs = append(errs, errf("fetch.connect_timeout", "%v is longer than fetch.timeout %v", f.ConnectTimeout, f.Timeout))
	}
	if f.PerHostDelay < 0 {
		errs = append(errs, errf("fetch.per_host_delay", "must not be negative, got %v", f.PerHostDelay))
	}
	if f.MaxBytes < 1024 {
		errs = append(errs, errf("fetch.max_bytes", "must be at least 1KiB, got %d bytes", f.MaxBytes))
	}
	if f.MaxRedirects < 0 || f.MaxRedirects > maxRedirectsLimit {
		errs = append(errs, errf("fetch.max_redirects", "must be between 0 and %d, got %d", maxRedirectsLimit, f.MaxRedirects))
	}
	if f.PerHostConcurrency < 1 {
		errs = append(errs, errf("fetch.per_host_concurrency", "must be at least 1, got %d", f.PerHostConcurrency))
	}
	if f.Concurrency < 1 {
		errs = append(errs, errf("fetch.concurrency", "must be at least 1, got %d", f.Concurrency))
	}
	if c.Listen != "" {
		if err := checkListen(c.Listen); err != nil {
			errs = append(errs, errf("listen", "%v", err))
		}
	}
	if c.RetentionDays < 0 {
		errs = append(errs, errf("retention_days", "must not be negative (0 keeps text forever), got %d", c.RetentionDays))
	}
	return errs
}

// Validate checks one source's values, for `sources add` before it stores
// a source. A source without a schedule is valid (the default schedule
// applies).
func (s Source) Validate() error {
	errs := checkSource(&s)
	if len(errs) == 0 {
		return nil
	}
	msgs := make([]string, len(errs))
	for i, fe := range errs {
		msgs[i] = fe.field + ": " + fe.msg
	}
	return fmt.Errorf("source %q: %s", s.Name, strings.Join(msgs, "; "))
}

// checkSource reports every problem with one source's values.
func checkSource(s *Source) []fieldErr {
	var errs []fieldErr
	add := func(field, format string, args ...any) { errs = append(errs, errf(field, format, args...)) }

	if strings.TrimSpace(s.Name) == "" {
		add("name", "must not be empty")
	} else if strings.IndexFunc(s.Name, unicode.IsControl) >= 0 {
		add("name", "must not contain control characters")
	}
	switch s.Kind {
	case KindFeed, KindPage:
		if s.URL == "" {
			add("url", "missing: a %s source needs a url", s.Kind)
		} else if err := CheckSourceURL(s.URL); err != nil {
			add("url", "%v", err)
		} else if s.Kind == KindPage && s.IsLocal() {
			// A page source scrapes a live listing page; local files are
			// read (feeds and saved pages alike) only by kind feed.
			add("kind", "a page source needs an http(s) listing page; a local file or directory of saved pages or feeds takes kind: feed (the default), which reads each file as a feed or a page")
		}
	case KindQuery:
		if s.URL != "" {
			add("url", "a query source takes no url: its URLs come from query.template")
		}
	case KindSitemap:
		if s.URL == "" {
			add("url", "missing: a sitemap source needs the site's address (its robots.txt names the sitemaps) or a sitemap's URL")
		} else if !strings.HasPrefix(s.URL, "http://") && !strings.HasPrefix(s.URL, "https://") {
			add("url", "a sitemap source needs an http(s) URL, got %q", s.URL)
		} else if err := CheckSourceURL(s.URL); err != nil {
			add("url", "%v", err)
		}
	default:
		add("kind", "unknown kind %q (want feed, page, query or sitemap)", s.Kind)
	}
	if s.Schedule != "" {
		floor := MinScheduleInterval
		if s.isLoopbackOrLocal() {
			floor = MinLocalScheduleInterval
		}
		if err := checkSchedule(s.Schedule, floor); err != nil {
			add("schedule", "%v", err)
		}
	}
	switch s.FetchArticles {
	case FetchAuto, FetchAlways, FetchNever:
	default:
		add("fetch_articles", "unknown value %q (want auto, always or never)", s.FetchArticles)
	}
	if d := firstDuplicate(s.Tags); d != "" {
		add("tags", "tag %q is listed twice", d)
	}
	for _, t := range s.Tags {
		if strings.TrimSpace(t) == "" {
			add("tags", "empty tag")
		}
	}
	if !(s.Weight > 0 && s.Weight <= MaxWeight) {
		add("weight", "must be greater than 0 and at most %g, got %g", MaxWeight, s.Weight)
	}

	switch {
	case s.Kind == KindPage && s.Page == nil:
		add("page", "missing: a page source needs page: {links: SELECTOR}")
	case s.Kind != KindPage && s.Page != nil:
		add("page", "only a page source takes page selectors (kind is %s)", s.Kind)
	case s.Page != nil:
		if s.Page.Links == "" {
			add("page.links", "missing: the CSS selector of the article links")
		}
		for _, sel := range []struct{ field, css string }{
			{"page.links", s.Page.Links}, {"page.title", s.Page.Title}, {"page.date", s.Page.Date},
		} {
			if sel.css == "" {
				continue
			}
			if _, err := cascadia.Compile(sel.css); err != nil {
				add(sel.field, "bad CSS selector %q: %v", sel.css, err)
			}
		}
	}

	switch {
	case s.Kind == KindQuery && s.Query == nil:
		add("query", "missing: a query source needs query: {template: google-news|gdelt|gdelt-json|URL}")
	case s.Kind != KindQuery && s.Query != nil:
		add("query", "only a query source takes query settings (kind is %s)", s.Kind)
	case s.Query != nil:
		if err := CheckTemplate(s.Query.Template); err != nil {
			add("query.template", "%v", err)
		}
		if d := firstDuplicate(s.Query.Claims); d != "" {
			add("query.claims", "claim %q is listed twice", d)
		}
		for _, id := range s.Query.Claims {
			if strings.TrimSpace(id) == "" {
				add("query.claims", "empty claim id")
			}
		}
	}
	return errs
}

// CheckSchedule accepts a standard 5-field cron spec or a descriptor
// (@hourly, @daily, @every 30m, ...) that fires at most once a minute.
func CheckSchedule(spec string) error {
	return checkSchedule(spec, MinScheduleInterval)
}

// checkSchedule is CheckSchedule with the shortest @every interval allowed.
func checkSchedule(spec string, floor time.Duration) error {
	if strings.TrimSpace(spec) == "" {
		return fmt.Errorf("empty schedule")
	}
	if strings.HasPrefix(spec, "TZ=") || strings.HasPrefix(spec, "CRON_TZ=") {
		return fmt.Errorf("schedule %q: set the time zone with the timezone key, not in the spec", spec)
	}
	sched, err := cron.ParseStandard(spec)
	if err != nil {
		return fmt.Errorf("bad schedule %q: %v (want 5 cron fields like \"*/30 * * * *\" or @hourly, @every 30m)", spec, err)
	}
	if every, ok := sched.(cron.ConstantDelaySchedule); ok && every.Delay < floor {
		if floor == MinScheduleInterval {
			return fmt.Errorf("schedule %q polls more often than every %v (only local files and loopback addresses may be polled more often)", spec, floor)
		}
		return fmt.Errorf("schedule %q polls more often than every %v", spec, floor)
	}
	return nil
}

// isLoopbackOrLocal reports whether the source reads local files or a
// loopback host (localhost, 127.0.0.0/8, ::1), where polling more than once
// a minute bothers nobody.
func (s *Source) isLoopbackOrLocal() bool {
	if s.Kind != KindQuery && s.IsLocal() {
		return true
	}
	u, err := url.Parse(s.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return false
	}
	host := u.Hostname()
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// CheckSourceURL accepts http(s) URLs with a host, file:// URLs and
// absolute local paths.
func CheckSourceURL(raw string) error {
	if filepath.IsAbs(raw) {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("bad url %q: %v", raw, err)
	}
	switch u.Scheme {
	case "http", "https":
		if u.Host == "" {
			return fmt.Errorf("url %q has no host", raw)
		}
	case "file":
		if u.Path == "" || !strings.HasPrefix(u.Path, "/") {
			return fmt.Errorf("url %q: a file url needs an absolute path (file:///dir/feed.xml)", raw)
		}
	default:
		return fmt.Errorf("url %q: want http, https, file:// or an absolute path", raw)
	}
	return nil
}

// CheckTemplate accepts a built-in query template name or an http(s) URL
// template containing {query}.
func CheckTemplate(t string) error {
	for _, known := range queryTemplates {
		if t == known {
			return nil
		}
	}
	if !strings.Contains(t, "{query}") {
		return fmt.Errorf("unknown template %q (want %s, or a URL containing {query})", t, strings.Join(queryTemplates, ", "))
	}
	u, err := url.Parse(strings.ReplaceAll(t, "{query}", "q"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("template %q is not an http(s) URL", t)
	}
	return nil
}

func checkContact(s string) error {
	u, err := url.Parse(s)
	if err == nil && ((u.Scheme == "http" || u.Scheme == "https") && u.Host != "" || u.Scheme == "mailto" && u.Opaque != "") {
		return nil
	}
	return fmt.Errorf("%q: want an http(s) URL or mailto: address where site owners can reach you", s)
}

func checkListen(addr string) error {
	port := addr // a port alone, as --listen 9090 takes it
	if strings.Trim(addr, "0123456789") != "" {
		var err error
		if _, port, err = net.SplitHostPort(addr); err != nil {
			return fmt.Errorf("bad address %q: want host:port, :port or a port", addr)
		}
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("bad port in %q", addr)
	}
	return nil
}

type dupName struct {
	index int
	msg   string
}

// duplicateNames reports each source whose name (case-insensitively)
// repeats an earlier one.
func duplicateNames(sources []Source) []dupName {
	var dups []dupName
	for i := range sources {
		for j := 0; j < i; j++ {
			if sameName(sources[i].Name, sources[j].Name) && strings.TrimSpace(sources[i].Name) != "" {
				where := ""
				if sources[j].Line > 0 {
					where = fmt.Sprintf(" (line %d)", sources[j].Line)
				}
				dups = append(dups, dupName{i, fmt.Sprintf("%q is already used by another source%s", sources[i].Name, where)})
				break
			}
		}
	}
	return dups
}

func firstDuplicate(list []string) string {
	seen := make(map[string]bool, len(list))
	for _, s := range list {
		k := strings.ToLower(s)
		if seen[k] {
			return s
		}
		seen[k] = true
	}
	return ""
}
