package httpapi_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/portico-gw/portico/config"
	httpapi "github.com/portico-gw/portico/http"
	"github.com/portico-gw/portico/integration"
	"github.com/portico-gw/portico/internal/ids"
	"github.com/portico-gw/portico/metrics"
)

// The proxy benchmarks reproduce `portico bench http-proxy` in one process:
// a 100-byte POST /echo through an HTTP API whose `ANY /{proxy+}` route is
// an HTTP_PROXY to an echo backend, against a bare httputil.ReverseProxy in
// front of the same backend. Each runs against a loopback backend
// (httptest.NewServer, what the bench does) and against an in-memory
// RoundTripper (no sockets: the proxies' own allocations). Compare
// allocs/op and B/op, which the machine's load does not move:
//
//	go test -run '^$' -bench 'Proxy' -benchmem ./http/

// benchProxyConfig is the bench's http-proxy API; %s is the backend's
// host:port.
const benchProxyConfig = `
apis:
  - apiId: bench00003
    name: bench
    protocolType: HTTP
    integrations:
      - integrationId: echo
        integrationType: HTTP_PROXY
        integrationMethod: ANY
        integrationUri: "http://%s/{proxy}"
        payloadFormatVersion: "1.0"
    routes:
      - routeKey: ANY /{proxy+}
        target: integrations/echo
    stages:
      - stageName: $default
        autoDeploy: true
`

// TestMain turns on ids.EnableFastRandom, as cmd/portico does for serve and
// bench alike, so that the benchmarks count what a node allocates.
func TestMain(m *testing.M) {
	ids.EnableFastRandom()
	os.Exit(m.Run())
}

var benchPayload = bytes.Repeat([]byte("x"), 100)

// echo answers the request's body with Content-Type application/json, as
// the bench's echo backend does.
func echo(w http.ResponseWriter, r *http.Request) {
	data, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(data)
}

// memoryEcho is an http.RoundTripper that answers like echo without a
// socket.
type memoryEcho struct{}

func (memoryEcho) RoundTrip(r *http.Request) (*http.Response, error) {
	var data []byte
	if r.Body != nil {
		var err error
		if data, err = io.ReadAll(r.Body); err != nil {
			return nil, err
		}
		_ = r.Body.Close()
	}
	return &http.Response{
		Status: "200 OK", StatusCode: http.StatusOK, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {"application/json"}, "Content-Length": {fmt.Sprint(len(data))}},
		Body:          io.NopCloser(bytes.NewReader(data)),
		ContentLength: int64(len(data)), Request: r,
	}, nil
}

// benchBackends runs fn with each backend: the host:port the URLs name and
// the transport that reaches it (nil: the proxy's default).
func benchBackends(b *testing.B, fn func(b *testing.B, host string, rt http.RoundTripper)) {
	b.Run("loopback", func(b *testing.B) {
		srv := httptest.NewServer(http.HandlerFunc(echo))
		defer srv.Close()
		fn(b, strings.TrimPrefix(srv.URL, "http://"), nil)
	})
	b.Run("memory", func(b *testing.B) {
		fn(b, "backend.invalid", memoryEcho{})
	})
}

// runProxy serves b.N POSTs of benchPayload through serve and checks each
// answer.
func runProxy(b *testing.B, serve func(w http.ResponseWriter, r *http.Request)) {
	b.Helper()
	do := func() {
		r := httptest.NewRequest(http.MethodPost, "http://gateway.invalid/echo", bytes.NewReader(benchPayload))
		r.Header.Set("Content-Type", "application/octet-stream")
		w := httptest.NewRecorder()
		serve(w, r)
		if w.Code != http.StatusOK || !bytes.Equal(w.Body.Bytes(), benchPayload) {
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

// BenchmarkServeHTTPProxy is the gateway side of http-proxy:
// (*API).ServeHTTP for POST /echo on the $default stage, an HTTP_PROXY to
// the echo backend.
func BenchmarkServeHTTPProxy(b *testing.B) {
	benchBackends(b, func(b *testing.B, host string, rt http.RoundTripper) {
		f, err := config.Parse("bench.yaml", []byte(fmt.Sprintf(benchProxyConfig, host)))
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
		runProxy(b, func(w http.ResponseWriter, r *http.Request) {
			api.ServeHTTP(w, r, "$default", r.URL.EscapedPath())
		})
	})
}

// BenchmarkReverseProxy is http-proxy's baseline: a bare
// httputil.ReverseProxy (MaxIdleConnsPerHost 1024, as the bench's) in front
// of the same backend.
func BenchmarkReverseProxy(b *testing.B) {
	benchBackends(b, func(b *testing.B, host string, rt http.RoundTripper) {
		rp := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: "http", Host: host})
		rp.Transport = rt
		if rt == nil {
			rp.Transport = &http.Transport{MaxIdleConnsPerHost: 1024}
		}
		runProxy(b, rp.ServeHTTP)
	})
}
