// Package web serves the analyst's dashboard: the claims board, claim pages
// with timelines and evidence review, article, search and sources pages, and
// CSV/JSON downloads of what each page shows.
//
// Pages are rendered on the server with html/template from embedded
// templates and assets; every form posts and redirects back, so the
// dashboard works with JavaScript off, and a small embedded script reviews
// in place and adds keyboard shortcuts. Queries live in storage, counts and
// file formats in internal/report; this package only presents them.
//
// Safe to expose: Handler refuses every dashboard page unless the listener
// is loopback or sign-in (users with bcrypt hashes, or a bearer token) is
// configured; cross-origin POSTs are refused; every response carries a
// Content-Security-Policy without inline script.
package web

import (
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/claimwatch/claimwatch/storage"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Options configure a dashboard.
type Options struct {
	Store *storage.Store
	// Auth says who may sign in; the zero value lets everyone in.
	Auth Auth
	// Exposed is true when the listener is not loopback: the dashboard then
	// refuses to serve unless Auth is configured.
	Exposed bool
	// Now is the clock (time.Now when nil), for days left and trends.
	Now func() time.Time
	Log *slog.Logger
	// DefaultAuthor records reviews and verdicts when no one signed in
	// (open loopback); "web" when empty.
	DefaultAuthor string
}

// Server is the dashboard.
type Server struct {
	o      Options
	pages  map[string]*template.Template
	mux    *http.ServeMux
	status statusCache
}

// New builds the dashboard; it fails only if the embedded templates are
// broken.
func New(o Options) (*Server, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.DefaultAuthor == "" {
		o.DefaultAuthor = "web"
	}
	pages, err := parseTemplates()
	if err != nil {
		return nil, err
	}
	s := &Server{o: o, pages: pages, mux: http.NewServeMux()}
	s.routes()
	return s, nil
}

// Refused reports why the dashboard will not serve, or "" when it will.
func (s *Server) Refused() string {
	if s.o.Exposed && !s.o.Auth.Configured() {
		return "the dashboard is off: this address is not loopback and no sign-in is configured (set web.users in the config, or a token with " +
			"web.token_file or CLAIMWATCH_WEB_TOKEN; see 'claimwatch web hash-password')"
	}
	return ""
}

// ServeHTTP serves the dashboard, behind the security headers, the refusal
// for exposed addresses without sign-in, authentication and the CSRF check.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	setSecurityHeaders(w.Header())
	if why := s.Refused(); why != "" {
		http.Error(w, why, http.StatusForbidden)
		return
	}
	user, ok := s.o.Auth.authenticate(r)
	if !ok {
		w.Header().Set("WWW-Authenticate", `Basic realm="claimwatch", charset="UTF-8"`)
		http.Error(w, "sign in to see the claimwatch dashboard", http.StatusUnauthorized)
		return
	}
	if user == "" {
		user = s.o.DefaultAuthor
	}
	csrf.Handler(s.mux).ServeHTTP(w, r.WithContext(withUser(r.Context(), user)))
}

// csrf refuses cross-origin state-changing requests (Sec-Fetch-Site, else
// Origin against Host), for every POST of the dashboard.
var csrf = func() *http.CrossOriginProtection {
	c := http.NewCrossOriginProtection()
	c.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "cross-origin request refused: post the form from the dashboard itself", http.StatusForbidden)
	}))
	return c
}()

// contentSecurityPolicy allows nothing but this origin's own script, style
// and images: feed text that slips markup through cannot run or load.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

func setSecurityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
}

func (s *Server) routes() {
	static, _ := fs.Sub(staticFS, "static")
	s.mux.Handle("GET /static/", http.StripPrefix("/static/", cacheStatic(http.FileServerFS(static))))
	s.mux.HandleFunc("GET /{$}", s.board)
	s.mux.HandleFunc("GET /board/{format}", s.boardDownload)
	s.mux.HandleFunc("GET /claims/{id}", s.claim)
	s.mux.HandleFunc("GET /claims/{id}/evidence/{format}", s.evidenceDownload)
	s.mux.HandleFunc("GET /claims/{id}/timeline/{format}", s.timelineDownload)
	s.mux.HandleFunc("POST /claims/{id}/verdict", s.setVerdict)
	s.mux.HandleFunc("POST /evidence/{id}/review", s.review)
	s.mux.HandleFunc("GET /articles/{id}", s.article)
	s.mux.HandleFunc("GET /search", s.search)
	s.mux.HandleFunc("GET /sources", s.sources)
}

func cacheStatic(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		h.ServeHTTP(w, r)
	})
}

// fail answers an error: ErrNotFound is a 404 page, anything else a 500
// with the details in the log only.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, storage.ErrNotFound) {
		s.render(w, r, http.StatusNotFound, "error", errorPage{Title: "Not found", Message: "There is nothing here: " + err.Error() + "."})
		return
	}
	s.o.Log.Error("dashboard", "path", r.URL.Path, "err", err)
	s.render(w, r, http.StatusInternalServerError, "error", errorPage{Title: "Something went wrong", Message: "The page could not be built; the server log has the details."})
}

// badRequest answers bad input with a plain sentence.
func (s *Server) badRequest(w http.ResponseWriter, r *http.Request, msg string) {
	s.render(w, r, http.StatusBadRequest, "error", errorPage{Title: "Bad request", Message: msg})
}

type errorPage struct {
	Title, Message string
}

// IsLoopback reports whether a listen address (after the --listen
// convention, see health.ListenAddr) binds only the loopback interface.
func IsLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
