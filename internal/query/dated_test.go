package query

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

func date(s string) time.Time {
	t, _ := time.Parse(time.DateOnly, s)
	return t
}

func TestMonths(t *testing.T) {
	ws := Months(date("2020-01-15"), date("2020-04-10"))
	var got []string
	for _, w := range ws {
		got = append(got, w.String())
	}
	want := "2020-01-15..2020-02-01 2020-02-01..2020-03-01 2020-03-01..2020-04-01 2020-04-01..2020-04-10"
	if strings.Join(got, " ") != want {
		t.Fatalf("Months = %q, want %q", got, want)
	}
	a, b, ok := ws[1].Halves()
	if !ok || a.String() != "2020-02-01..2020-02-15" || b.String() != "2020-02-15..2020-03-01" {
		t.Fatalf("Halves = %v %v %v", a, b, ok)
	}
	if _, _, ok := (Window{date("2020-02-01"), date("2020-02-02")}).Halves(); ok {
		t.Fatalf("a one-day window was split")
	}
}

func TestDated(t *testing.T) {
	w := Window{date("2020-02-01"), date("2020-03-01")}
	g, ok, err := Dated(GoogleNews, "https://news.google.com/rss/search?q=Iran+Russia&hl=en-US", w)
	if err != nil || !ok {
		t.Fatal(err)
	}
	u, _ := url.Parse(g)
	if q := u.Query().Get("q"); q != "Iran Russia after:2020-01-31 before:2020-03-01" || u.Query().Get("hl") != "en-US" {
		t.Fatalf("google news q = %q (%s)", q, g)
	}
	d, ok, err := Dated(GDELT, "https://api.gdeltproject.org/api/v2/doc/doc?query=x&timespan=1d&maxrecords=75", w)
	u, _ = url.Parse(d)
	v := u.Query()
	if err != nil || !ok || v.Get("startdatetime") != "20200201000000" || v.Get("enddatetime") != "20200229235959" || v.Has("timespan") || v.Get("maxrecords") != "250" {
		t.Fatalf("gdelt = %s (%v)", d, err)
	}
	if _, ok, _ := Dated(GDELT, d, Window{date("2015-01-01"), date("2015-02-01")}); ok {
		t.Fatalf("GDELT has nothing before 2017: the window should be skipped")
	}
	c, ok, err := Dated("https://s.example/?q={query}&from={from}&to={to}", "https://s.example/?q=x&from={from}&to={to}", w)
	if err != nil || !ok || c != "https://s.example/?q=x&from=2020-02-01&to=2020-03-01" {
		t.Fatalf("custom = %s %v", c, err)
	}
	if _, _, err := Dated("https://s.example/?q={query}", "https://s.example/?q=x", w); err != ErrNoDates {
		t.Fatalf("custom without dates: %v", err)
	}
}
