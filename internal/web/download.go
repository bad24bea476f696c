package web

import (
	"fmt"
	"io"
	"net/http"

	"github.com/claimwatch/claimwatch/internal/report"
)

// downloadFormat reads {format} of a download path: csv or json.
func (s *Server) downloadFormat(w http.ResponseWriter, r *http.Request) (report.Format, bool) {
	switch f := r.PathValue("format"); f {
	case "csv":
		return report.CSV, true
	case "json":
		return report.JSON, true
	default:
		s.badRequest(w, r, fmt.Sprintf("Downloads come as csv or json, not %q.", f))
		return "", false
	}
}

// download sends what write produces as an attachment. The exports stream
// row by row, so a failure after the first bytes can only cut the download
// short; it is logged.
func (s *Server) download(w http.ResponseWriter, r *http.Request, name string, f report.Format, write func(io.Writer) error) {
	ct := "text/csv; charset=utf-8"
	if f == report.JSON {
		ct = "application/json; charset=utf-8"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.%s"`, name, f))
	w.Header().Set("Cache-Control", "no-store")
	if err := write(w); err != nil {
		s.o.Log.Error("dashboard: download", "path", r.URL.Path, "err", err)
	}
}
