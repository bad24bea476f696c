package canonurl

import (
	"errors"
	"strings"
	"testing"
)

func TestCanonicalize(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"lower-case scheme and host", "HTTPS://WWW.Example.COM/Path/To", "https://www.example.com/Path/To"},
		{"http default port dropped", "http://example.com:80/a", "http://example.com/a"},
		{"https default port dropped", "https://example.com:443/a", "https://example.com/a"},
		{"non-default port kept", "http://example.com:8080/a", "http://example.com:8080/a"},
		{"https port 80 kept", "https://example.com:80/a", "https://example.com:80/a"},
		{"empty port dropped", "http://example.com:/a", "http://example.com/a"},
		{"ipv6 default port", "http://[::1]:80/", "http://[::1]/"},
		{"fragment dropped", "https://example.com/a#section-2", "https://example.com/a"},
		{"utm parameters dropped", "https://example.com/a?utm_source=rss&utm_medium=feed&UTM_Campaign=x", "https://example.com/a"},
		{"click ids dropped", "https://example.com/a?fbclid=1&gclid=2&dclid=3&msclkid=4&yclid=5&igshid=6", "https://example.com/a"},
		{"mailchimp and ga dropped", "https://example.com/a?mc_cid=1&mc_eid=2&_ga=3&ref_src=twsrc&cmpid=rss", "https://example.com/a"},
		{"tracking name compared case-insensitively", "https://example.com/a?FBCLID=1&id=7", "https://example.com/a?id=7"},
		{"real parameters kept and sorted", "https://example.com/a?z=1&utm_source=x&b=2&a=3", "https://example.com/a?a=3&b=2&z=1"},
		{"equal names keep their order", "https://example.com/a?tag=b&id=1&tag=a", "https://example.com/a?id=1&tag=b&tag=a"},
		{"empty query dropped", "https://example.com/a?", "https://example.com/a"},
		{"query of only tracking dropped", "https://example.com/?utm_source=x", "https://example.com/"},
		{"empty parameters dropped", "https://example.com/a?&&b=1&", "https://example.com/a?b=1"},
		{"empty path becomes slash", "https://example.com", "https://example.com/"},
		{"empty path with query", "https://example.com?b=1", "https://example.com/?b=1"},
		{"hex upper-cased", "https://example.com/a%2fb?q=%c3%a9", "https://example.com/a%2Fb?q=%C3%A9"},
		{"unreserved decoded in path", "https://example.com/%7Euser/%41%62c%2D%2E%5F", "https://example.com/~user/Abc-._"},
		{"unreserved decoded in query", "https://example.com/?q=%61%62", "https://example.com/?q=ab"},
		{"reserved stays escaped", "https://example.com/a%3Fb?x=%26", "https://example.com/a%3Fb?x=%26"},
		{"space escaped", "https://example.com/a b", "https://example.com/a%20b"},
		{"plus in query kept distinct from %2B", "https://example.com/?q=a+b&r=a%2Bb", "https://example.com/?q=a+b&r=a%2Bb"},
		{"stray percent in query escaped", "https://example.com/?q=100%", "https://example.com/?q=100%25"},
		{"non-ascii path escaped", "https://example.com/café", "https://example.com/caf%C3%A9"},
		{"dot segments removed", "https://example.com/a/./b/../c", "https://example.com/a/c"},
		{"dot segments past root", "https://example.com/../../a", "https://example.com/a"},
		{"escaped dots removed", "https://example.com/a/%2E%2e/b", "https://example.com/b"},
		{"idn host kept, lower-cased", "https://BÜCHER.de/x", "https://bücher.de/x"},
		{"punycode host kept", "https://XN--BCHER-KVA.de/x", "https://xn--bcher-kva.de/x"},
		{"surrounding space trimmed", "  https://example.com/a \n", "https://example.com/a"},
		{"trailing slash kept", "https://example.com/a/", "https://example.com/a/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Canonicalize(tt.in)
			if err != nil {
				t.Fatalf("Canonicalize(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("Canonicalize(%q) = %q, want %q", tt.in, got, tt.want)
			}
			again, err := Canonicalize(got)
			if err != nil || again != got {
				t.Errorf("not idempotent: Canonicalize(%q) = %q, %v", got, again, err)
			}
		})
	}
}

func TestCanonicalizeTrackingListIsRemoved(t *testing.T) {
	for _, p := range TrackingParams {
		in := "https://example.com/a?" + p + "=1&keep=2"
		got, err := Canonicalize(in)
		if err != nil {
			t.Fatalf("Canonicalize(%q): %v", in, err)
		}
		if got != "https://example.com/a?keep=2" {
			t.Errorf("Canonicalize(%q) = %q: %s not removed", in, got, p)
		}
	}
}

func TestCanonicalizeErrors(t *testing.T) {
	tests := []struct {
		in      string
		errIs   error
		mention string
	}{
		{"ftp://example.com/file", ErrScheme, "ftp://example.com/file"},
		{"mailto:someone@example.com", ErrScheme, "mailto:someone@example.com"},
		{"javascript:alert(1)", ErrScheme, "javascript:alert(1)"},
		{"/relative/path", ErrScheme, "/relative/path"},
		{"", ErrScheme, `""`},
		{"http:///nohost", nil, "http:///nohost"},
		{"http:opaque", nil, "http:opaque"},
		{"http://:80/", nil, "http://:80/"},
		{"http://example.com/%zz", nil, "%zz"},
		{"http://exa mple.com/", nil, "exa mple.com"},
	}
	for _, tt := range tests {
		_, err := Canonicalize(tt.in)
		if err == nil {
			t.Errorf("Canonicalize(%q): no error", tt.in)
			continue
		}
		if tt.errIs != nil && !errors.Is(err, tt.errIs) {
			t.Errorf("Canonicalize(%q) = %v, want %v", tt.in, err, tt.errIs)
		}
		if !strings.Contains(err.Error(), tt.mention) {
			t.Errorf("Canonicalize(%q) error %q does not name the URL", tt.in, err)
		}
	}
}

func TestResolve(t *testing.T) {
	const base = "https://News.example.com/world/2020/01/story.html?utm_source=rss#top"
	tests := []struct{ ref, want string }{
		{"other.html", "https://news.example.com/world/2020/01/other.html"},
		{"../02/next.html?b=2&a=1", "https://news.example.com/world/2020/02/next.html?a=1&b=2"},
		{"/about", "https://news.example.com/about"},
		{"//cdn.example.com/x?fbclid=9", "https://cdn.example.com/x"},
		{"http://Other.example:80/", "http://other.example/"},
		{"#comments", "https://news.example.com/world/2020/01/story.html"},
		{"", "https://news.example.com/world/2020/01/story.html"},
		{"?page=2", "https://news.example.com/world/2020/01/story.html?page=2"},
	}
	for _, tt := range tests {
		got, err := Resolve(base, tt.ref)
		if err != nil {
			t.Fatalf("Resolve(%q): %v", tt.ref, err)
		}
		if got != tt.want {
			t.Errorf("Resolve(base, %q) = %q, want %q", tt.ref, got, tt.want)
		}
	}
}

func TestResolveErrors(t *testing.T) {
	for _, tt := range []struct{ base, ref string }{
		{"https://example.com/", "mailto:x@example.com"},
		{"https://example.com/", "%zz:"},
		{"::bad", "a.html"},
		{"ftp://example.com/dir/", "file.txt"},
	} {
		_, err := Resolve(tt.base, tt.ref)
		if err == nil {
			t.Errorf("Resolve(%q, %q): no error", tt.base, tt.ref)
			continue
		}
		if !strings.Contains(err.Error(), tt.ref) || !strings.Contains(err.Error(), tt.base) {
			t.Errorf("Resolve(%q, %q) error %q does not name both URLs", tt.base, tt.ref, err)
		}
	}
}

func FuzzCanonicalize(f *testing.F) {
	for _, s := range []string{
		"https://Example.com:443/a/../b/%7e?utm_source=x&b=2&a=1#f",
		"http://[::1]:80/?q=a+b%2b",
		"https://bücher.de/caf%c3%a9?x=100%",
		"http://user:pa%20ss@example.com/./",
		"https://example.com?&&",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		once, err := Canonicalize(raw)
		if err != nil {
			return
		}
		twice, err := Canonicalize(once)
		if err != nil {
			t.Fatalf("Canonicalize(%q) = %q, which fails: %v", raw, once, err)
		}
		if twice != once {
			t.Fatalf("not idempotent: %q -> %q -> %q", raw, once, twice)
		}
	})
}

func BenchmarkCanonicalize(b *testing.B) {
	const in = "HTTPS://www.Example.com:443/world/2020/01/%7eeditor/story.html?utm_source=rss&utm_medium=feed&id=42&fbclid=abc#top"
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Canonicalize(in); err != nil {
			b.Fatal(err)
		}
	}
}
