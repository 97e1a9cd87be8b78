// Package proxybench holds what the proxy benchmarks share: the APIs that
// `portico bench rest-proxy` and `http-proxy` put in front of an echo
// backend, the backend itself, and an in-memory one. The Go benchmarks of
// rest/ and http/ (through proxybenchtest) and cmd/portico/bench use the
// same pieces, so that a micro-benchmark measures what the scenario runs.
package proxybench

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
)

// RESTAPIConfig is one REST API (stage b) whose greedy resource proxies
// every method to the echo backend; %s is the backend's host:port.
const RESTAPIConfig = `
restApis:
  - restApiId: bench00001
    name: bench
    resources:
      /{proxy+}:
        resourceMethods:
          ANY:
            methodIntegration: {type: HTTP_PROXY, httpMethod: ANY, uri: "http://%s/{proxy}"}
    stages:
      - stageName: b
`

// HTTPAPIConfig is one HTTP API ($default stage) whose `ANY /{proxy+}`
// route proxies every method to the echo backend; %s is the backend's
// host:port.
const HTTPAPIConfig = `
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

// MaxBody bounds what the echo backends read.
const MaxBody = 1 << 20

// Echo answers a request with its body (at most MaxBody bytes) as
// application/json.
func Echo(w http.ResponseWriter, r *http.Request) {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(data)
}

// MemoryEcho is an http.RoundTripper that answers like Echo without a
// socket, so that a benchmark counts the proxy's own allocations.
type MemoryEcho struct{}

// RoundTrip implements http.RoundTripper.
func (MemoryEcho) RoundTrip(r *http.Request) (*http.Response, error) {
	var data []byte
	if r.Body != nil {
		var err error
		if data, err = io.ReadAll(io.LimitReader(r.Body, MaxBody)); err != nil {
			return nil, err
		}
		_ = r.Body.Close()
	}
	return &http.Response{
		Status: "200 OK", StatusCode: http.StatusOK, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {"application/json"}, "Content-Length": {strconv.Itoa(len(data))}},
		Body:          io.NopCloser(bytes.NewReader(data)),
		ContentLength: int64(len(data)), Request: r,
	}, nil
}
