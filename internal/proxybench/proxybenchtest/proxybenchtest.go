// Package proxybenchtest runs the proxy benchmarks of rest/ and http/: each
// proxy serves 100-byte POSTs to the echo backend of proxybench, over
// loopback (what `portico bench` does) and in memory (no sockets: the
// proxy's own allocations).
package proxybenchtest

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"

	"github.com/portico-gw/portico/internal/proxybench"
)

// Payload is the body of every benchmarked request.
var Payload = bytes.Repeat([]byte("x"), 100)

// Backends runs fn with each backend: the host:port the URLs name and the
// transport that reaches it (nil: the proxy's default).
func Backends(b *testing.B, fn func(b *testing.B, host string, rt http.RoundTripper)) {
	b.Run("loopback", func(b *testing.B) {
		srv := httptest.NewServer(http.HandlerFunc(proxybench.Echo))
		defer srv.Close()
		fn(b, strings.TrimPrefix(srv.URL, "http://"), nil)
	})
	b.Run("memory", func(b *testing.B) {
		fn(b, "backend.invalid", proxybench.MemoryEcho{})
	})
}

// Run serves b.N POSTs of Payload to target through serve and checks each
// answer.
func Run(b *testing.B, target string, serve func(w http.ResponseWriter, r *http.Request)) {
	b.Helper()
	do := func() {
		r := httptest.NewRequest(http.MethodPost, target, bytes.NewReader(Payload))
		r.Header.Set("Content-Type", "application/octet-stream")
		w := httptest.NewRecorder()
		serve(w, r)
		if w.Code != http.StatusOK || !bytes.Equal(w.Body.Bytes(), Payload) {
			b.Fatalf("answer %d %q; want 200 and the payload", w.Code, w.Body.Bytes())
		}
	}
	do() // opens the backend connection
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		do()
	}
}

// ReverseProxy is the proxy scenarios' baseline: a bare
// httputil.ReverseProxy (MaxIdleConnsPerHost 1024, as the bench's) in
// front of each backend, serving POSTs to target.
func ReverseProxy(b *testing.B, target string) {
	Backends(b, func(b *testing.B, host string, rt http.RoundTripper) {
		rp := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: "http", Host: host})
		rp.Transport = rt
		if rt == nil {
			rp.Transport = &http.Transport{MaxIdleConnsPerHost: 1024}
		}
		Run(b, target, rp.ServeHTTP)
	})
}
