package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync/atomic"

	"github.com/portico-gw/portico/internal/proxybench"
)

// The REST scenarios drive a REST API (restApis) with plain HTTP clients:
// o.Conns keep-alive clients, each in a closed loop of requests.
//
// rest-proxy: POST /b/echo through a `/{proxy+}` ANY HTTP_PROXY method to
// the echo backend, against a bare httputil.ReverseProxy in front of the
// same kind of backend (StartProxyBaseline, proxy-hop's baseline).
//
// rest-lambda: GET /b/items through an AWS_PROXY method whose Lambda event
// is POSTed over HTTP to a tiny function server, with a TOKEN authorizer
// (another function server answering an Allow policy) whose result is
// cached (one token for every request, TTL 300), against the same API
// without the authorizer.

// StartRESTProxyGateway runs a node whose REST API proxies to the echo
// backend.
func StartRESTProxyGateway() (*Target, error) {
	return startProxyAPI(proxybench.RESTAPIConfig, "/b/echo")
}

// startProxyAPI runs a node with the config cfg, whose %s is the echo
// backend's address, and POSTs to path on it.
func startProxyAPI(cfg, path string) (*Target, error) {
	backend, stopBackend, err := echoBackend()
	if err != nil {
		return nil, err
	}
	srv, err := startNode(fmt.Sprintf(cfg, backend))
	if err != nil {
		stopBackend()
		return nil, err
	}
	t := httpTarget("gateway", http.MethodPost, "http://"+srv.Addr().String()+path, nil, nil)
	t.Close = func() { stop(srv); stopBackend() }
	return t, nil
}

// restLambdaConfig is one REST API with GET /items going to an AWS_PROXY
// function over HTTP; %s is the method's authorization, then the
// function's URL, then the authorizers.
const restLambdaConfig = `
restApis:
  - restApiId: bench00002
    name: bench
    resources:
      /items:
        resourceMethods:
          GET: {%smethodIntegration: {type: AWS_PROXY, httpMethod: POST, uri: "%s"}}
%s    stages:
      - stageName: b
`

const restLambdaAuthorizers = `    authorizers:
      - name: tok
        type: TOKEN
        authorizerUri: "%s"
        identitySource: method.request.header.Authorization
        authorizerResultTtlInSeconds: 300
`

// functionServer runs a tiny Lambda function over HTTP: it reads the event
// and writes answer. It counts its invocations.
func functionServer(answer func(event []byte) []byte) (url string, calls *atomic.Int64, closeFn func(), err error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, nil, err
	}
	calls = new(atomic.Int64)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		event, err := readAll(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(answer(event))
	})}
	go func() { _ = srv.Serve(l) }()
	return "http://" + l.Addr().String() + "/", calls, func() { _ = srv.Close() }, nil
}

var lambdaOK = []byte(`{"statusCode":200,"body":"ok"}`)

// allowPolicy answers a TOKEN event with an Allow policy for its methodArn.
func allowPolicy(event []byte) []byte {
	var ev struct {
		MethodArn string `json:"methodArn"`
	}
	_ = json.Unmarshal(event, &ev)
	out, _ := json.Marshal(map[string]any{
		"principalId": "bench",
		"policyDocument": map[string]any{
			"Version": "2012-10-17",
			"Statement": []map[string]any{
				{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": ev.MethodArn},
			},
		},
	})
	return out
}

// StartRESTLambdaPlain runs the REST API without an authorizer: the
// rest-lambda baseline.
func StartRESTLambdaPlain() (*Target, error) { return startRESTLambda(false) }

// StartRESTLambdaAuthorized runs the REST API with the cached TOKEN
// authorizer.
func StartRESTLambdaAuthorized() (*Target, error) { return startRESTLambda(true) }

func startRESTLambda(authorized bool) (*Target, error) {
	fnURL, _, stopFn, err := functionServer(func([]byte) []byte { return lambdaOK })
	if err != nil {
		return nil, err
	}
	name, auth, authorizers := "no-authorizer", "", ""
	authCalls := new(atomic.Int64) // stays 0 without an authorizer
	stopAuth := func() {}
	if authorized {
		var authURL string
		authURL, authCalls, stopAuth, err = functionServer(allowPolicy)
		if err != nil {
			stopFn()
			return nil, err
		}
		name, auth, authorizers = "authorizer-cached", "authorizationType: CUSTOM, authorizerId: tok, ", fmt.Sprintf(restLambdaAuthorizers, authURL)
	}
	srv, err := startNode(fmt.Sprintf(restLambdaConfig, auth, fnURL, authorizers))
	if err != nil {
		stopFn()
		stopAuth()
		return nil, err
	}
	header := http.Header{"Authorization": {"allow-bench"}}
	t := httpTarget(name, http.MethodGet, "http://"+srv.Addr().String()+"/b/items", header, []byte("ok"))
	t.AuthorizerCalls = authCalls
	t.Close = func() { stop(srv); stopFn(); stopAuth() }
	return t, nil
}

// httpTarget is a Target whose exchangers send method requests to url with
// header, over one shared keep-alive client. The answer must be 200 and
// want, or the body sent when want is nil.
func httpTarget(name, method, url string, header http.Header, want []byte) *Target {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1024}}
	return &Target{
		Name: name,
		NewExchanger: func() (Exchange, func(), error) {
			return func(ctx context.Context, data []byte) ([]byte, error) {
				var body io.Reader
				if method != http.MethodGet {
					body = bytes.NewReader(data)
				}
				req, err := http.NewRequestWithContext(ctx, method, url, body)
				if err != nil {
					return nil, err
				}
				for k, v := range header {
					req.Header[k] = v
				}
				resp, err := client.Do(req)
				if err != nil {
					return nil, err
				}
				defer resp.Body.Close()
				reply, err := io.ReadAll(resp.Body)
				if err != nil {
					return nil, err
				}
				if resp.StatusCode != http.StatusOK {
					return nil, &StatusError{Path: req.URL.Path, Code: resp.StatusCode}
				}
				expect := want
				if expect == nil {
					expect = data
				}
				if !bytes.Equal(reply, expect) {
					return nil, fmt.Errorf("reply %q; want %q", reply, expect)
				}
				return reply, nil
			}, func() {}, nil
		},
	}
}

// runREST runs o.Conns clients, each in a closed loop of requests, for
// o.Duration, and reports requests/s, latency, and allocations and CPU
// time per request (of the whole process: the side under test, its
// backends and the load generator). CPU time per request moves less than
// requests/s when other processes load the machine.
func runREST(ctx context.Context, t *Target, o Options) (map[string]float64, error) {
	authCalls0 := int64(0)
	if t.AuthorizerCalls != nil {
		authCalls0 = t.AuthorizerCalls.Load()
	}
	r, err := closedLoop(ctx, t, o, nil)
	if err != nil {
		return nil, err
	}
	m := r.metrics("requests_per_sec")
	m["allocs_per_request"] = float64(r.mallocs) / float64(max(1, r.done))
	m["cpu_us_per_request"] = float64(r.cpu.Microseconds()) / float64(max(1, r.done))
	if t.AuthorizerCalls != nil {
		m["authorizer_calls"] = float64(t.AuthorizerCalls.Load() - authCalls0)
	}
	return m, nil
}
