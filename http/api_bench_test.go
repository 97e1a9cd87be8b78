package httpapi_test

import (
	"fmt"
	"net/http"
	"os"
	"testing"

	"github.com/portico-gw/portico/config"
	httpapi "github.com/portico-gw/portico/http"
	"github.com/portico-gw/portico/integration"
	"github.com/portico-gw/portico/internal/ids"
	"github.com/portico-gw/portico/internal/proxybench"
	"github.com/portico-gw/portico/internal/proxybench/proxybenchtest"
	"github.com/portico-gw/portico/metrics"
)

// The proxy benchmarks reproduce `portico bench http-proxy` in one process:
// a 100-byte POST /echo through an HTTP API whose `ANY /{proxy+}` route is
// an HTTP_PROXY to an echo backend, against a bare httputil.ReverseProxy in
// front of the same backend, each over loopback and in memory
// (proxybenchtest). Compare allocs/op and B/op, which the machine's load
// does not move:
//
//	go test -run '^$' -bench 'Proxy' -benchmem ./http/

// TestMain turns on ids.EnableFastRandom, as cmd/portico does for serve and
// bench alike, so that the benchmarks count what a node allocates.
func TestMain(m *testing.M) {
	ids.EnableFastRandom()
	os.Exit(m.Run())
}

// BenchmarkServeHTTPProxy is the gateway side of http-proxy:
// (*API).ServeHTTP for POST /echo on the $default stage, an HTTP_PROXY to
// the echo backend.
func BenchmarkServeHTTPProxy(b *testing.B) {
	proxybenchtest.Backends(b, func(b *testing.B, host string, rt http.RoundTripper) {
		f, err := config.Parse("bench.yaml", []byte(fmt.Sprintf(proxybench.HTTPAPIConfig, host)))
		if err != nil {
			b.Fatal(err)
		}
		var env integration.Env
		if rt != nil {
			env.HTTPClient = &http.Client{Transport: rt}
		}
		// Metrics as a node has them (the bench's gateway is a node).
		api, err := httpapi.New(httpapi.Config{API: &f.APIs[0], Env: env, Metrics: metrics.New()})
		if err != nil {
			b.Fatal(err)
		}
		proxybenchtest.Run(b, "http://gateway.invalid/echo", func(w http.ResponseWriter, r *http.Request) {
			api.ServeHTTP(w, r, "$default", r.URL.EscapedPath())
		})
	})
}

// BenchmarkReverseProxy is http-proxy's baseline.
func BenchmarkReverseProxy(b *testing.B) {
	proxybenchtest.ReverseProxy(b, "http://gateway.invalid/echo")
}
