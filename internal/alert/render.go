package alert

import (
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"
)

var funcs = map[string]any{"counts": stanceCounts, "date": func(p Payload) string { return p.Published.Format("2006-01-02 15:04 MST") }}

var textTmpl = texttemplate.Must(texttemplate.New("").Funcs(funcs).Parse(`
{{- define "item"}}{{.Stance}} ({{printf "%.2f" .Confidence}}) {{.Title}}
  {{.Outlet}}, {{date .}}
  {{.URL}}
  "{{.Snippet}}"
{{end}}
{{- define "one"}}Claim {{.Claim}}: {{.Statement}}

{{template "item" .}}{{end}}
{{- define "digest"}}{{.Total}} new evidence since {{.Since.Format "2006-01-02 15:04 MST"}}
{{range .Claims}}
== {{.Claim}}: {{.Statement}}
   {{counts .Counts}}
{{range .Evidence}}
- {{template "item" .}}{{end}}{{end}}{{end}}`))

var htmlTmpl = htmltemplate.Must(htmltemplate.New("").Funcs(funcs).Parse(`
{{- define "item"}}<li><b>{{.Stance}}</b> ({{printf "%.2f" .Confidence}}) <a href="{{.URL}}">{{.Title}}</a><br>
<small>{{.Outlet}}, {{date .}}</small><blockquote>{{.Snippet}}</blockquote></li>{{end}}
{{- define "one"}}<html><body><h3>{{.Claim}}: {{.Statement}}</h3><ul>{{template "item" .}}</ul></body></html>{{end}}
{{- define "digest"}}<html><body><p>{{.Total}} new evidence since {{.Since.Format "2006-01-02 15:04 MST"}}</p>
{{range .Claims}}<h3>{{.Claim}}: {{.Statement}}</h3><p>{{counts .Counts}}</p><ul>{{range .Evidence}}{{template "item" .}}{{end}}</ul>
{{end}}</body></html>{{end}}`))

// render returns the plain-text and HTML forms of a Payload or Digest.
func render(v any) (text, html string, err error) {
	name := "one"
	if _, ok := v.(Digest); ok {
		name = "digest"
	}
	var t, h strings.Builder
	if err := textTmpl.ExecuteTemplate(&t, name, v); err != nil {
		return "", "", err
	}
	if err := htmlTmpl.ExecuteTemplate(&h, name, v); err != nil {
		return "", "", err
	}
	return t.String(), h.String(), nil
}
