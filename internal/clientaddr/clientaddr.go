// Package clientaddr decides who a request came from: the client's
// address (events' sourceIp) and the scheme it used (the callback URL's
// https:// or http://), trusting X-Forwarded-For and X-Forwarded-Proto only
// from the proxies that the config names (trustedProxies).
//
// The rule, the one every check of a client address uses:
//   - a request whose peer (RemoteAddr) is not a trusted proxy comes from
//     the peer, over TLS when the connection is; its X-Forwarded-* change
//     nothing;
//   - from a trusted proxy, the client is the rightmost X-Forwarded-For
//     address that is not itself a trusted proxy (each proxy appends the
//     address it saw, so the entries to its left are the client's own
//     claims), and the scheme is the last X-Forwarded-Proto value.
//
// X-Forwarded-Host is never read: as on API Gateway, the domain name is the
// Host header, which proxies in front should pass through (publicUrl
// overrides the callback URL's host otherwise).
//
// The server resolves a request once (Trust.Resolve), stores the result in
// the request's context (NewContext) and every consumer asks From. A
// request without a stored Client (a test, an embedder's handler) resolves
// as from an untrusted peer.
//
// Concurrency: a Trust is immutable; share it freely.
package clientaddr

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Trust is the set of trusted proxies. The zero value and nil trust nobody.
type Trust struct {
	prefixes []netip.Prefix
}

// ParseTrust parses trustedProxies: IP addresses and CIDR prefixes.
func ParseTrust(list []string) (*Trust, error) {
	t := &Trust{}
	for _, s := range list {
		p, err := ParsePrefix(s)
		if err != nil {
			return nil, err
		}
		t.prefixes = append(t.prefixes, p)
	}
	return t, nil
}

// ParsePrefix parses one trustedProxies entry: an IP address (a /32 or
// /128) or a CIDR prefix.
func ParsePrefix(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("%q is not an IP address or CIDR prefix (e.g. 10.0.0.0/8)", s)
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("%q is not an IP address or CIDR prefix (e.g. 10.0.0.0/8)", s)
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// Empty reports whether t trusts nobody.
func (t *Trust) Empty() bool { return t == nil || len(t.prefixes) == 0 }

// Trusted reports whether ip is a trusted proxy.
func (t *Trust) Trusted(ip netip.Addr) bool {
	if t == nil || !ip.IsValid() {
		return false
	}
	ip = ip.Unmap()
	for _, p := range t.prefixes {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// Client is who a request came from.
type Client struct {
	// IP is the client's address without port: events' sourceIp.
	IP string
	// Scheme is "https" when the client used TLS (to this node, or to a
	// trusted proxy that said so), else "http".
	Scheme string
	// Proxied is true when IP came from a trusted proxy's X-Forwarded-For.
	Proxied bool
	// Prior are the X-Forwarded-For entries left of IP when Proxied (the
	// client's own claims), so that the X-Forwarded-For passed on to
	// backends ends with IP as API Gateway's does.
	Prior []string
}

// TLS reports whether the client used https.
func (c Client) TLS() bool { return c.Scheme == "https" }

// Resolve decides who r came from.
func (t *Trust) Resolve(r *http.Request) Client {
	c := Client{IP: peerHost(r.RemoteAddr), Scheme: "http"}
	if r.TLS != nil {
		c.Scheme = "https"
	}
	peer, err := netip.ParseAddr(c.IP)
	if err != nil || !t.Trusted(peer) {
		return c
	}
	if p := lastValue(r.Header.Values("X-Forwarded-Proto")); r.TLS == nil && (strings.EqualFold(p, "https") || strings.EqualFold(p, "wss")) {
		c.Scheme = "https"
	}
	var hops []string
	for _, v := range r.Header.Values("X-Forwarded-For") {
		for h := range strings.SplitSeq(v, ",") {
			hops = append(hops, strings.TrimSpace(h))
		}
	}
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := parseHop(hops[i])
		if err != nil {
			// Garbage left of trusted hops: the nearest trusted hop is
			// the best that is known.
			return c
		}
		c.IP, c.Proxied, c.Prior = a.String(), true, hops[:i]
		if !t.Trusted(a) {
			return c
		}
	}
	return c // every hop trusted: the leftmost is the client
}

// parseHop parses one X-Forwarded-For entry: an address, possibly with a
// port or in brackets.
func parseHop(s string) (netip.Addr, error) {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), nil
	}
	a, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(s, "["), "]"))
	return a.Unmap(), err
}

func lastValue(values []string) string {
	if len(values) == 0 {
		return ""
	}
	v := values[len(values)-1]
	if i := strings.LastIndexByte(v, ','); i >= 0 {
		v = v[i+1:]
	}
	return strings.TrimSpace(v)
}

func peerHost(remoteAddr string) string {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		return remoteAddr
	}
	return host
}

type ctxKey struct{}

// NewContext returns ctx carrying c.
func NewContext(ctx context.Context, c Client) context.Context {
	return context.WithValue(ctx, ctxKey{}, c)
}

// From returns who r came from: the Client the server stored, or else r
// resolved as from an untrusted peer.
func From(r *http.Request) Client {
	if c, ok := r.Context().Value(ctxKey{}).(Client); ok {
		return c
	}
	return (*Trust)(nil).Resolve(r)
}

// IsLoopback reports whether the client (not merely the peer, when the
// peer is a trusted proxy) is on a loopback address.
func IsLoopback(r *http.Request) bool {
	a, err := netip.ParseAddr(From(r).IP)
	return err == nil && a.Unmap().IsLoopback()
}
