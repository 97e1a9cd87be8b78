package integration

import (
	"context"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"
)

// seen is what a test backend saw of one request.
type seen struct {
	method        string
	requestURI    string // as sent, escapes included
	host          string
	header        http.Header
	body          string
	contentLength int64 // -1 when sent chunked
}

// backend is an HTTP backend that records requests and answers with answer.
type backend struct {
	mu       sync.Mutex
	requests []seen
	url      string
}

func newBackend(t testing.TB, answer http.HandlerFunc) *backend {
	t.Helper()
	b := &backend{}
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("reading the request body: %v", err)
		}
		b.mu.Lock()
		b.requests = append(b.requests, seen{method: r.Method, requestURI: r.RequestURI, host: r.Host, header: r.Header.Clone(),
			body: string(body), contentLength: r.ContentLength})
		b.mu.Unlock()
		answer(w, r)
	}))
	b.url = srv.URL
	return b
}

// only returns the one request the backend saw, or fails.
func (b *backend) only(t testing.TB) seen {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.requests) != 1 {
		t.Fatalf("backend saw %d requests, want 1", len(b.requests))
	}
	return b.requests[0]
}

func (b *backend) count() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.requests)
}

// answer replies with status, a header and body.
func answer(status int, header http.Header, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for k, vs := range header {
			w.Header()[k] = vs
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

// testParams are the sources a WebSocket MESSAGE would resolve.
var testParams = paramMap{
	"context.connectionId":    "R1kmxc2VNjMCFIA=",
	"route.request.body.user": "ann",
	"route.request.body.room": "lobby/1",
	"stageVariables.backend":  "blue",
}

func TestHTTPProxy(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		path    string // appended to the backend URL
		method  string
		params  map[string]string
		body    string
		answer  http.HandlerFunc
		timeout time.Duration

		wantMethod string
		wantURI    string
		wantHeader http.Header // "" means absent
		wantHost   string

		status int
		header http.Header
		resp   string
		err    errKind
	}{
		{
			name: "request parameters", path: "/rooms/{room}/messages?x=1", method: "PUT",
			params: map[string]string{
				"integration.request.header.connectionId": "context.connectionId",
				"integration.request.header.X-Static":     "'static value'",
				"integration.request.header.X-Stage":      "stageVariables.backend",
				"integration.request.header.X-Missing":    "context.authorizer.nothing",
				"integration.request.querystring.user":    "route.request.body.user",
				"integration.request.querystring.q":       "'a b&c'",
				"integration.request.querystring.absent":  "route.request.body.absent",
				"integration.request.path.room":           "route.request.body.room",
			},
			body:       `{"action":"send","user":"ann"}`,
			answer:     answer(418, http.Header{"X-Backend": {"yes"}}, "teapot"),
			wantMethod: "PUT", wantURI: "/rooms/lobby%2F1/messages?x=1&q=a+b%26c&user=ann",
			wantHeader: http.Header{"Connectionid": {"R1kmxc2VNjMCFIA="}, "X-Static": {"static value"}, "X-Stage": {"blue"},
				"X-Missing": {""}, "Content-Type": {"application/json"}},
			status: 418, header: http.Header{"X-Backend": {"yes"}}, resp: "teapot",
		},
		{
			name: "defaults", body: "",
			answer:     answer(200, http.Header{"Content-Type": {"text/plain"}}, "ok"),
			wantMethod: "POST", wantURI: "/", wantHeader: http.Header{"Content-Type": {""}},
			status: 200, header: http.Header{"Content-Type": {"text/plain"}}, resp: "ok",
		},
		{
			name: "mapped Content-Type and Host", path: "/x", method: "patch",
			params: map[string]string{
				"integration.request.header.Content-Type": "'text/plain'",
				"integration.request.header.Host":         "'backend.internal'",
			},
			body:       "hello",
			answer:     answer(202, nil, ""),
			wantMethod: "PATCH", wantURI: "/x", wantHeader: http.Header{"Content-Type": {"text/plain"}}, wantHost: "backend.internal",
			status: 202,
		},
		{
			name: "ANY is POST", path: "/any", method: "ANY", body: "{}",
			answer:     answer(200, nil, "{}"),
			wantMethod: "POST", wantURI: "/any",
			status: 200, resp: "{}",
		},
		{
			name: "server error is a result", path: "/fail", body: "{}",
			answer:     answer(503, http.Header{"Retry-After": {"1"}}, "busy"),
			wantMethod: "POST", wantURI: "/fail",
			status: 503, header: http.Header{"Retry-After": {"1"}}, resp: "busy",
		},
		{
			name: "redirect is a result", path: "/old", body: "{}",
			answer:     answer(302, http.Header{"Location": {"/new"}}, ""),
			wantMethod: "POST", wantURI: "/old",
			status: 302, header: http.Header{"Location": {"/new"}},
		},
		{name: "slow", path: "/slow", body: "{}", answer: slow, timeout: 100 * time.Millisecond, wantMethod: "POST", wantURI: "/slow", err: timeoutErr},
		{name: "garbage", path: "/g", body: "{}", answer: garbage(t), wantMethod: "POST", wantURI: "/g", err: anyErr},
		{name: "hang up", path: "/h", body: "{}", answer: hangUp(t), wantMethod: "POST", wantURI: "/h", err: anyErr},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := newBackend(t, tc.answer)
			inv := mustNew(t, Spec{
				Type: "HTTP_PROXY", URI: b.url + tc.path, Method: tc.method,
				RequestParameters: tc.params, Timeout: tc.timeout,
			}, Env{})
			resp, err := inv.Invoke(context.Background(), &Request{Body: []byte(tc.body), Event: []byte(`{"not":"sent"}`), Params: testParams})
			checkErr(t, err, tc.err)
			if tc.err == noErr {
				checkResponse(t, resp, tc.status, tc.resp, tc.header)
			}
			got := b.only(t)
			if got.method != tc.wantMethod || got.requestURI != tc.wantURI {
				t.Errorf("request = %s %s, want %s %s", got.method, got.requestURI, tc.wantMethod, tc.wantURI)
			}
			if got.body != tc.body {
				t.Errorf("backend body = %q, want %q", got.body, tc.body)
			}
			if tc.wantHost != "" && got.host != tc.wantHost {
				t.Errorf("Host = %q, want %q", got.host, tc.wantHost)
			}
			for name, want := range tc.wantHeader {
				if v := got.header.Get(name); v != want[0] {
					t.Errorf("backend header %s = %q, want %q", name, v, want[0])
				}
			}
		})
	}
}

func TestHTTPProxyParentCancel(t *testing.T) {
	t.Parallel()
	b := newBackend(t, slow)
	inv := mustNew(t, Spec{Type: "HTTP_PROXY", URI: b.url}, Env{})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	if _, err := inv.Invoke(ctx, &Request{Body: []byte(`{}`)}); err != context.Canceled {
		t.Fatalf("error = %v, want context.Canceled", err)
	}
}

func TestHTTPProxyOwnClient(t *testing.T) {
	t.Parallel()
	b := newBackend(t, answer(200, nil, "ok"))
	var used bool
	client := &http.Client{Transport: roundTripperFunc(func(r *http.Request) (*http.Response, error) {
		used = true
		return http.DefaultTransport.RoundTrip(r)
	})}
	inv := mustNew(t, Spec{Type: "HTTP_PROXY", URI: b.url}, Env{HTTPClient: client})
	resp, err := inv.Invoke(context.Background(), &Request{})
	if err != nil || !used {
		t.Fatalf("Invoke: %v; client used: %v", err, used)
	}
	checkResponse(t, resp, 200, "ok", nil)
}

type roundTripperFunc func(*http.Request) (*http.Response, error)

func (f roundTripperFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestEndToEndHeader(t *testing.T) {
	t.Parallel()
	h := endToEndHeader(http.Header{
		"Connection":        {"X-Hop, keep-alive"},
		"X-Hop":             {"1"},
		"Keep-Alive":        {"timeout=5"},
		"Transfer-Encoding": {"chunked"},
		"X-Kept":            {"2"},
	})
	if len(h) != 1 || h.Get("X-Kept") != "2" {
		t.Fatalf("endToEndHeader = %v, want only X-Kept", h)
	}
	if h := endToEndHeader(nil); h == nil {
		t.Fatal("endToEndHeader(nil) = nil")
	}
}
