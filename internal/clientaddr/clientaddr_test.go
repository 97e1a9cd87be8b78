package clientaddr

import (
	"crypto/tls"
	"net/http/httptest"
	"slices"
	"testing"
)

func TestResolve(t *testing.T) {
	trust, err := ParseTrust([]string{"10.0.0.0/8", "127.0.0.1", "::1"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		remote string
		tls    bool
		xff    []string
		proto  string
		want   Client
	}{
		{"untrusted peer", "203.0.113.9:5000", false, []string{"1.2.3.4"}, "https", Client{IP: "203.0.113.9", Scheme: "http"}},
		{"untrusted peer over TLS", "203.0.113.9:5000", true, nil, "http", Client{IP: "203.0.113.9", Scheme: "https"}},
		{"trusted peer, no header", "10.1.2.3:5000", false, nil, "", Client{IP: "10.1.2.3", Scheme: "http"}},
		{"trusted peer", "10.1.2.3:5000", false, []string{"198.51.100.7"}, "https", Client{IP: "198.51.100.7", Scheme: "https", Proxied: true, Prior: []string{}}},
		{"client-forged entries stay left", "127.0.0.1:5000", false, []string{"6.6.6.6, 198.51.100.7", "10.0.0.5"}, "http",
			Client{IP: "198.51.100.7", Scheme: "http", Proxied: true, Prior: []string{"6.6.6.6"}}},
		{"every hop trusted", "10.1.2.3:5000", false, []string{"10.9.9.9, 10.0.0.5"}, "", Client{IP: "10.9.9.9", Scheme: "http", Proxied: true, Prior: []string{}}},
		{"garbage hop", "10.1.2.3:5000", false, []string{"198.51.100.7, nonsense, 10.0.0.5"}, "", Client{IP: "10.0.0.5", Scheme: "http", Proxied: true, Prior: []string{"198.51.100.7", "nonsense"}}},
		{"hop with port", "[::1]:5000", false, []string{"198.51.100.7:4711"}, "wss", Client{IP: "198.51.100.7", Scheme: "https", Proxied: true, Prior: []string{}}},
		{"ipv6 hop", "[::1]:5000", false, []string{"[2001:db8::1]"}, "", Client{IP: "2001:db8::1", Scheme: "http", Proxied: true, Prior: []string{}}},
		{"mapped peer", "[::ffff:127.0.0.1]:5000", false, []string{"198.51.100.7"}, "", Client{IP: "198.51.100.7", Scheme: "http", Proxied: true, Prior: []string{}}},
		{"proto list, last wins", "10.1.2.3:5000", false, nil, "https, http", Client{IP: "10.1.2.3", Scheme: "http"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tc.remote
			if tc.tls {
				r.TLS = &tls.ConnectionState{}
			}
			for _, v := range tc.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if tc.proto != "" {
				r.Header.Set("X-Forwarded-Proto", tc.proto)
			}
			got := trust.Resolve(r)
			if got.IP != tc.want.IP || got.Scheme != tc.want.Scheme || got.Proxied != tc.want.Proxied || !slices.Equal(got.Prior, tc.want.Prior) {
				t.Errorf("Resolve = %+v, want %+v", got, tc.want)
			}
			// Stored and read back through the context.
			if c := From(r.WithContext(NewContext(r.Context(), got))); c.IP != got.IP {
				t.Errorf("From = %+v", c)
			}
		})
	}
}

func TestNoTrustIgnoresHeaders(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "127.0.0.1:1"
	r.Header.Set("X-Forwarded-For", "198.51.100.7")
	r.Header.Set("X-Forwarded-Proto", "https")
	if c := From(r); c.IP != "127.0.0.1" || c.Scheme != "http" || !IsLoopback(r) {
		t.Errorf("From = %+v", c)
	}
	// From a trusted loopback proxy, the client decides IsLoopback.
	trust, _ := ParseTrust([]string{"127.0.0.1"})
	r = r.WithContext(NewContext(r.Context(), trust.Resolve(r)))
	if IsLoopback(r) {
		t.Error("a remote client behind a loopback proxy counts as loopback")
	}
}

func TestParsePrefix(t *testing.T) {
	for s, ok := range map[string]bool{"10.0.0.0/8": true, "10.1.2.3/8": true, "::1": true, "fd00::/8": true, " 127.0.0.1 ": true,
		"": false, "nginx": false, "10.0.0.0/33": false, "10.0.0.1:80": false} {
		if _, err := ParsePrefix(s); (err == nil) != ok {
			t.Errorf("ParsePrefix(%q) err = %v, want ok=%v", s, err, ok)
		}
	}
}
