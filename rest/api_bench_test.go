package rest_test

import (
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/portico-gw/portico/config"
	"github.com/portico-gw/portico/integration"
	"github.com/portico-gw/portico/internal/ids"
	"github.com/portico-gw/portico/internal/proxybench"
	"github.com/portico-gw/portico/internal/proxybench/proxybenchtest"
	"github.com/portico-gw/portico/metrics"
	"github.com/portico-gw/portico/rest"
)

// The proxy benchmarks reproduce `portico bench rest-proxy` in one process:
// a 100-byte POST /b/echo through a REST API whose `/{proxy+}` ANY method
// is an HTTP_PROXY to an echo backend, against a bare
// httputil.ReverseProxy in front of the same backend, each over loopback
// and in memory (proxybenchtest). Compare allocs/op and the gateway ÷
// reverseproxy ratio of one run:
//
//	go test -run '^$' -bench 'Proxy' -benchmem ./rest/

// TestMain turns on ids.EnableFastRandom, as cmd/portico does for serve and
// bench alike, so that the benchmarks count what a node allocates.
func TestMain(m *testing.M) {
	ids.EnableFastRandom()
	os.Exit(m.Run())
}

// BenchmarkServeHTTPProxy is the gateway side of rest-proxy: (*API).ServeHTTP
// for POST /b/echo, an HTTP_PROXY to the echo backend.
func BenchmarkServeHTTPProxy(b *testing.B) {
	proxybenchtest.Backends(b, func(b *testing.B, host string, rt http.RoundTripper) {
		f, err := config.Parse("bench.yaml", []byte(fmt.Sprintf(proxybench.RESTAPIConfig, host)))
		if err != nil {
			b.Fatal(err)
		}
		var env integration.Env
		if rt != nil {
			env.HTTPClient = &http.Client{Transport: rt}
		}
		// Metrics as a node has them (the bench's gateway is a node).
		api, err := rest.New(rest.Config{API: &f.RestAPIs[0], Env: env, Metrics: metrics.New()})
		if err != nil {
			b.Fatal(err)
		}
		proxybenchtest.Run(b, "http://gateway.invalid/b/echo", func(w http.ResponseWriter, r *http.Request) {
			api.ServeHTTP(w, r, "b", strings.TrimPrefix(r.URL.EscapedPath(), "/b"))
		})
	})
}

// BenchmarkReverseProxy is rest-proxy's baseline.
func BenchmarkReverseProxy(b *testing.B) {
	proxybenchtest.ReverseProxy(b, "http://gateway.invalid/echo")
}
