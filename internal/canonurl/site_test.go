package canonurl

import "testing"

func TestSameSite(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"https://www.bbc.co.uk/news/1", "https://bbc.co.uk/news/1", true},
		{"https://www.bbc.co.uk/news/1", "http://news.bbc.co.uk:8080/x", true},
		{"https://WWW.Example.com./a", "https://example.com/b", true},
		{"https://tehrantimes.com/news/1", "https://www.tehrantimes.com/news/1", true},
		{"https://evil.example/a", "https://www.reuters.com/world/a", false},
		{"https://bbc.co.uk.evil.example/a", "https://www.bbc.co.uk/a", false},
		{"https://attacker.github.io/a", "https://victim.github.io/a", false}, // a public suffix
		{"https://attacker.co.uk/a", "https://victim.co.uk/a", false},
		{"http://127.0.0.1:8080/a", "http://127.0.0.1:9090/b", true},
		{"http://127.0.0.1/a", "http://localhost/a", false},
		{"http://localhost/a", "http://localhost:1/b", true},
		{"file:///tmp/a.html", "file:///tmp/b.html", false},
		{"not a url", "not a url", false},
	} {
		if got := SameSite(c.a, c.b); got != c.want {
			t.Errorf("SameSite(%q, %q) = %t, want %t", c.a, c.b, got, c.want)
		}
	}
}
