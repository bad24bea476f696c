// Package canonurl turns article URLs into one canonical spelling, so the
// same article reached through a feed link, a share link with tracking
// parameters or a <link rel=canonical> is stored and deduplicated once.
//
// It owns URL normalisation only; it does not fetch anything or follow
// redirects.
package canonurl

import (
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
)

// TrackingParams lists the query parameters Canonicalize removes, compared
// case-insensitively. They identify a campaign, a click or a sharer rather
// than the resource. Every parameter whose name starts with TrackingPrefix
// is removed too.
var TrackingParams = []string{
	"fbclid", "fb_action_ids", "fb_action_types", "fb_ref", "fb_source", "mibextid", // Facebook
	"gclid", "gclsrc", "dclid", "gbraid", "wbraid", "_ga", "_gl", // Google Ads / Analytics
	"msclkid", "cvid", "ocid", // Microsoft
	"mc_cid", "mc_eid", // Mailchimp
	"yclid",                        // Yandex
	"igshid",                       // Instagram
	"ref_src", "ref_url", "twclid", // Twitter/X
	"ttclid",           // TikTok
	"li_fat_id", "trk", // LinkedIn
	"cmpid", "icid", "ncid", "ito", "smid", // publisher campaign ids (CNN, BBC, NYT, ...)
	"mkt_tok",         // Marketo
	"_hsenc", "_hsmi", // HubSpot
	"oly_anon_id", "oly_enc_id", // Omeda
	"vero_id", "wickedid", "rb_clickid", "irclickid", "epik", "tblci", "dicbo",
	"s_cid", "s_kwcid", "ef_id", // Adobe
	"xtor", "at_medium", "at_campaign", // AT Internet (Le Monde, ...)
	"soc_src", "soc_trk", "guccounter", "guce_referrer", "guce_referrer_sig", // Yahoo
	"ns_mchannel", "ns_source", "ns_campaign", "ns_linkname", "ns_fee", // comScore
	"pk_campaign", "pk_kwd", "pk_source", "pk_medium", "pk_content", // Matomo/Piwik
	"mtm_campaign", "mtm_kwd", "mtm_source", "mtm_medium", "mtm_content", "mtm_cid",
	"sr_share", "__twitter_impression", "echobox", "wt.mc_id", "wt_mc_id",
}

// TrackingPrefix starts the names of the Google Analytics campaign
// parameters (utm_source, utm_medium, utm_campaign, ...).
const TrackingPrefix = "utm_"

var tracking = func() map[string]bool {
	m := make(map[string]bool, len(TrackingParams))
	for _, p := range TrackingParams {
		m[p] = true
	}
	return m
}()

// ErrScheme is wrapped by Canonicalize for URLs that are not http or https.
var ErrScheme = errors.New("not an http or https URL")

// Canonicalize returns the canonical spelling of an absolute http(s) URL:
// scheme and host lower-cased (an IDN host stays as given, lower-cased),
// default ports dropped, the fragment dropped, tracking parameters removed,
// the remaining query parameters sorted by name (keeping the order of equal
// names), an empty query dropped, an empty path made "/", dot segments
// removed, and percent-encoding normalised (upper-case hex, unreserved
// characters decoded, bytes that must be escaped escaped).
func Canonicalize(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return "", fmt.Errorf("canonicalize %q: %w", raw, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("canonicalize %q: %w", raw, ErrScheme)
	}
	if u.Opaque != "" || u.Hostname() == "" {
		return "", fmt.Errorf("canonicalize %q: no host", raw)
	}
	return build(u), nil
}

// Resolve resolves ref (possibly relative) against the page URL base and
// canonicalises the result.
func Resolve(base, ref string) (string, error) {
	b, err := url.Parse(strings.TrimSpace(base))
	if err != nil {
		return "", fmt.Errorf("resolve %q against %q: base: %w", ref, base, err)
	}
	r, err := url.Parse(strings.TrimSpace(ref))
	if err != nil {
		return "", fmt.Errorf("resolve %q against %q: %w", ref, base, err)
	}
	out, err := Canonicalize(b.ResolveReference(r).String())
	if err != nil {
		return "", fmt.Errorf("resolve %q against %q: %w", ref, base, err)
	}
	return out, nil
}

func build(u *url.URL) string {
	var sb strings.Builder
	sb.WriteString(u.Scheme)
	sb.WriteString("://")
	if u.User != nil {
		sb.WriteString(u.User.String())
		sb.WriteByte('@')
	}
	sb.WriteString(host(u))
	path := removeDotSegments(normalizeEscapes(u.EscapedPath(), pathChar))
	if path == "" {
		path = "/"
	}
	sb.WriteString(path)
	if q := query(u.RawQuery); q != "" {
		sb.WriteByte('?')
		sb.WriteString(q)
	}
	return sb.String()
}

// host lower-cases the host and drops the scheme's default port. An IDN host
// is kept in the form it was given (Unicode or punycode), since both name the
// same site and converting would need the IDNA tables for no gain here.
func host(u *url.URL) string {
	h := strings.ToLower(u.Host)
	port := u.Port()
	if port == "" {
		return strings.TrimSuffix(h, ":") // "example.com:" has an empty port
	}
	if (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		return strings.TrimSuffix(h, ":"+port)
	}
	return h
}

// query drops tracking and empty parameters and sorts the rest by name.
// Parameters are compared and kept in their escaped form so that "+" and
// "%2B" keep their different meanings.
func query(raw string) string {
	if raw == "" {
		return ""
	}
	type param struct{ name, pair string }
	var params []param
	for _, pair := range strings.Split(raw, "&") {
		if pair == "" {
			continue
		}
		pair = normalizeEscapes(pair, queryChar)
		name, _, _ := strings.Cut(pair, "=")
		if isTracking(name) {
			continue
		}
		params = append(params, param{name, pair})
	}
	sort.SliceStable(params, func(i, j int) bool { return params[i].name < params[j].name })
	parts := make([]string, len(params))
	for i, p := range params {
		parts[i] = p.pair
	}
	return strings.Join(parts, "&")
}

func isTracking(escapedName string) bool {
	name, err := url.QueryUnescape(escapedName)
	if err != nil {
		name = escapedName
	}
	name = strings.ToLower(name)
	return tracking[name] || strings.HasPrefix(name, TrackingPrefix)
}

const upperHex = "0123456789ABCDEF"

// normalizeEscapes rewrites s so that every %XY escape uses upper-case hex,
// escapes of unreserved characters are decoded, a '%' that starts no valid
// escape becomes %25, and bytes that keep(b) rejects are escaped.
func normalizeEscapes(s string, keep func(byte) bool) string {
	var sb strings.Builder
	sb.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '%' {
			if i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
				b := unhex(s[i+1])<<4 | unhex(s[i+2])
				if unreserved(b) {
					sb.WriteByte(b)
				} else {
					sb.WriteByte('%')
					sb.WriteByte(upperHex[b>>4])
					sb.WriteByte(upperHex[b&15])
				}
				i += 2
				continue
			}
			sb.WriteString("%25")
			continue
		}
		if keep(c) {
			sb.WriteByte(c)
			continue
		}
		sb.WriteByte('%')
		sb.WriteByte(upperHex[c>>4])
		sb.WriteByte(upperHex[c&15])
	}
	return sb.String()
}

// removeDotSegments applies RFC 3986 section 5.2.4 to an absolute path.
func removeDotSegments(p string) string {
	if !strings.Contains(p, ".") {
		return p
	}
	segs := strings.Split(p, "/")
	out := make([]string, 0, len(segs))
	for i, s := range segs {
		last := i == len(segs)-1
		switch s {
		case ".":
			if last {
				out = append(out, "")
			}
		case "..":
			if len(out) > 1 {
				out = out[:len(out)-1]
			}
			if last {
				out = append(out, "")
			}
		default:
			out = append(out, s)
		}
	}
	r := strings.Join(out, "/")
	if !strings.HasPrefix(r, "/") {
		r = "/" + r
	}
	return r
}

func unreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

func subDelim(c byte) bool { return strings.IndexByte("!$&'()*+,;=", c) >= 0 }

func pathChar(c byte) bool { return unreserved(c) || subDelim(c) || c == ':' || c == '@' || c == '/' }

// queryChar keeps '&' and '=' literal: the caller splits on them.
func queryChar(c byte) bool { return pathChar(c) || c == '?' }

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}
