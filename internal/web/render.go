package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/claimwatch/claimwatch/internal/report"
)

// parseTemplates builds one template set per page: the layout plus the page.
func parseTemplates() (map[string]*template.Template, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	funcs := template.FuncMap{
		"day":   report.Day,
		"stamp": report.Stamp,
		"conf":  func(f float64) string { return fmt.Sprintf("%.2f", f) },
		"arrow": report.Arrow,
		"trendWord": func(recent, before int) string {
			return map[string]string{"up": "rising", "down": "falling", "flat": "steady"}[report.TrendWord(recent, before)]
		},
		"ago": ago,
		// Queries are built by url.Values, so they are safe as URL parts.
		"query": func(v url.Values) template.URL { return template.URL(v.Encode()) },
	}
	pages := map[string]*template.Template{}
	for _, name := range names {
		base := strings.TrimSuffix(path.Base(name), ".html")
		if base == "layout" {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", name)
		if err != nil {
			return nil, fmt.Errorf("web: template %s: %w", name, err)
		}
		pages[base] = t
	}
	return pages, nil
}

// page is what the layout needs besides the page's own data.
type page struct {
	Title string
	Nav   string // which menu entry is current
	User  string
	Data  any
}

// render executes a page into a buffer first, so a template error becomes a
// clean 500 rather than half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	t, ok := s.pages[name]
	if !ok {
		http.Error(w, "no template "+name, http.StatusInternalServerError)
		return
	}
	title, nav := name, name
	if tp, ok := data.(interface{ pageTitle() string }); ok {
		title = tp.pageTitle()
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, page{Title: title, Nav: nav, User: userOf(r), Data: data}); err != nil {
		s.o.Log.Error("dashboard: render", "page", name, "err", err)
		http.Error(w, "the page could not be rendered", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

func (e errorPage) pageTitle() string { return e.Title }

// ago says how long ago t was, roughly, for tables of recent events.
func ago(now, t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	d := now.Sub(t)
	future := d < 0
	if future {
		d = -d
	}
	var s string
	switch {
	case d < time.Minute:
		s = "seconds"
	case d < time.Hour:
		s = fmt.Sprintf("%d min", int(d.Minutes()))
	case d < 48*time.Hour:
		s = fmt.Sprintf("%d h", int(d.Hours()))
	default:
		s = fmt.Sprintf("%d days", int(d.Hours()/24))
	}
	if future {
		return "in " + s
	}
	return s + " ago"
}

// daysLeft describes a horizon: days left, due today, or days overdue.
func daysLeft(now time.Time, horizon *time.Time) (text string, overdue bool) {
	if horizon == nil {
		return "open-ended", false
	}
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	days := int(horizon.UTC().Sub(today).Hours() / 24)
	switch {
	case days > 0:
		return plural(days, "day") + " left", false
	case days == 0:
		return "due today", false
	}
	return plural(-days, "day") + " overdue", true
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// localReturn accepts a redirect target only when it is a path on this
// site, so a crafted form cannot send the analyst elsewhere.
func localReturn(ret, fallback string) string {
	if ret == "" || !strings.HasPrefix(ret, "/") || strings.HasPrefix(ret, "//") || strings.HasPrefix(ret, "/\\") {
		return fallback
	}
	u, err := url.Parse(ret)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return fallback
	}
	u.Fragment = ""
	return u.String()
}
