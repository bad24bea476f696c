package fetch

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"syscall"
)

// nonPublic lists ranges that IsPrivate/IsLoopback and friends do not cover
// but that must never be reached from a fetch of a public news site.
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, incl. broadcast
	netip.MustParsePrefix("64:ff9b:1::/48"),  // local-use NAT64
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("fec0::/10"),       // deprecated site-local
	netip.MustParsePrefix("100::/64"),        // discard-only
	netip.MustParsePrefix("192.88.99.0/24"),  // 6to4 relay anycast
	netip.MustParsePrefix("198.51.100.0/24"), // documentation
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation
}

// IsPublicAddr reports whether ip is a globally routable unicast address, the
// only kind a fetch may connect to unless Options.AllowPrivate is set.
func IsPublicAddr(ip netip.Addr) bool {
	ip = ip.Unmap() // ::ffff:127.0.0.1 is loopback too
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsUnspecified() ||
		ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast() ||
		ip.IsMulticast() {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

// dialControl runs after DNS resolution, for every address the dialer is about
// to connect to, so neither a redirect nor a DNS answer can reach a private
// address behind the check's back.
func (c *Client) dialControl(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: cannot parse dial address %q", ErrPrivateAddress, address)
	}
	if !c.allowAddr(ap) {
		return fmt.Errorf("%w: %s", ErrPrivateAddress, ap.Addr())
	}
	return nil
}

// PrivateHost reports whether the host of u is one the guard refuses: an
// address it would not dial, or a name that resolves only to such
// addresses. The host of a URL the operator named is reachable anyway (a
// Request.Named fetch); PrivateHost lets a caller extend that to other URLs
// on the same host only when the operator can have meant a private host —
// never for a public one, whose links must keep passing the guard (its name
// could later resolve to a private address). A failed lookup is false.
func (c *Client) PrivateHost(ctx context.Context, u *url.URL) bool {
	if c.opts.AllowPrivate || u == nil {
		return false // every address is allowed: nothing to extend
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	pn, err := strconv.ParseUint(port, 10, 16)
	if err != nil || u.Hostname() == "" {
		return false
	}
	var addrs []netip.Addr
	if ip, err := netip.ParseAddr(u.Hostname()); err == nil {
		addrs = []netip.Addr{ip}
	} else if addrs, err = net.DefaultResolver.LookupNetIP(ctx, "ip", u.Hostname()); err != nil {
		return false
	}
	for _, ip := range addrs {
		if c.allowAddr(netip.AddrPortFrom(ip.Unmap(), uint16(pn))) {
			return false
		}
	}
	return len(addrs) > 0
}
