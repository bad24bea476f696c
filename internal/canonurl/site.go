package canonurl

import (
	"net"
	"net/url"
	"strings"

	"golang.org/x/net/publicsuffix"
)

// SameSite reports whether two absolute URLs are on the same site: the same
// registrable domain (eTLD+1 from the Public Suffix List, so
// www.bbc.co.uk and news.bbc.co.uk are one site, and a.github.io and
// b.github.io are two), whatever the scheme, port or subdomain. Hosts the
// list cannot place (IP addresses, single-label names such as localhost)
// must match exactly. A URL without a host is on no site.
func SameSite(a, b string) bool {
	ha, hb := siteOf(a), siteOf(b)
	return ha != "" && ha == hb
}

// siteOf is the registrable domain of an absolute URL's host, the host
// itself where there is none, or "" without a host.
func siteOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if host == "" || net.ParseIP(host) != nil || !strings.Contains(host, ".") {
		return host
	}
	site, err := publicsuffix.EffectiveTLDPlusOne(host)
	if err != nil {
		return host // the host is itself a public suffix
	}
	return site
}
