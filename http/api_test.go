package httpapi_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// Payload 2.0 response rules (reference §1.2), and the gateway's own errors
// (§3.2) with their headers.
func TestResponsesV2(t *testing.T) {
	for _, tc := range []struct {
		name       string
		status     int    // the function host's HTTP status
		fnErr      string // X-Amz-Function-Error
		result     string
		wantStatus int
		wantBody   string
		wantHeader map[string]string
		wantCookie []string
	}{
		{name: "bare string", result: `"Hello from Lambda!"`, wantStatus: 200, wantBody: "Hello from Lambda!",
			wantHeader: map[string]string{"Content-Type": "application/json"}},
		{name: "object without statusCode", result: `{"message":"x"}`, wantStatus: 200, wantBody: `{"message":"x"}`,
			wantHeader: map[string]string{"Content-Type": "application/json"}},
		{name: "structured", result: `{"statusCode":418,"headers":{"X-Tea":"yes","Content-Type":"text/plain"},"body":"short and stout"}`,
			wantStatus: 418, wantBody: "short and stout", wantHeader: map[string]string{"X-Tea": "yes", "Content-Type": "text/plain"}},
		{name: "cookies", result: `{"statusCode":200,"cookies":["a=1; Path=/","b=2"],"body":""}`, wantStatus: 200,
			wantCookie: []string{"a=1; Path=/", "b=2"}},
		{name: "base64 body", result: `{"statusCode":200,"isBase64Encoded":true,"body":"aGVsbG8="}`, wantStatus: 200, wantBody: "hello"},
		{name: "unknown keys ignored", result: `{"statusCode":202,"extra":1,"body":"ok"}`, wantStatus: 202, wantBody: "ok"},
		{name: "not JSON", result: `<html>`, wantStatus: 500, wantBody: `{"message":"Internal Server Error"}`},
		{name: "function error", fnErr: "Unhandled", result: `{"errorMessage":"boom","errorType":"Error"}`,
			wantStatus: 500, wantBody: `{"message":"Internal Server Error"}`},
		{name: "function host fails", status: 502, result: `bad gateway`, wantStatus: 500, wantBody: `{"message":"Internal Server Error"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fn := newFunction(t, func([]byte) (int, http.Header, string) {
				h := http.Header{}
				if tc.fnErr != "" {
					h.Set("X-Amz-Function-Error", tc.fnErr)
				}
				return cmp(tc.status, 200), h, tc.result
			})
			base := startGateway(t, httpAPI(fnIntegration(fn.URL, "2.0"), "- {routeKey: \"GET /r\", target: integrations/fn}", "- stageName: $default", ""))
			resp, body := do(t, "GET", base+"/r", nil, nil)
			if resp.StatusCode != tc.wantStatus || body != tc.wantBody {
				t.Fatalf("got %d %q, want %d %q", resp.StatusCode, body, tc.wantStatus, tc.wantBody)
			}
			for k, v := range tc.wantHeader {
				if got := resp.Header.Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			if tc.wantCookie != nil && strings.Join(resp.Header.Values("Set-Cookie"), "|") != strings.Join(tc.wantCookie, "|") {
				t.Errorf("Set-Cookie %q", resp.Header.Values("Set-Cookie"))
			}
			if len(resp.Header.Get("apigw-requestid")) != 16 {
				t.Errorf("apigw-requestid %q", resp.Header.Get("apigw-requestid"))
			}
			if tc.wantStatus == 500 && resp.Header.Get("Content-Type") != "application/json" {
				t.Errorf("error Content-Type %q", resp.Header.Get("Content-Type"))
			}
		})
	}
}

func cmp(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

// Payload 1.0 on an HTTP API requires statusCode (reference §1.2).
func TestResponseV1RequiresStatusCode(t *testing.T) {
	fn := newFunction(t, answer(`{"body":"no status"}`))
	base := startGateway(t, httpAPI(fnIntegration(fn.URL, "1.0"), "- {routeKey: $default, target: integrations/fn}", "- stageName: $default", ""))
	if resp, body := do(t, "GET", base+"/", nil, nil); resp.StatusCode != 500 || body != `{"message":"Internal Server Error"}` {
		t.Fatalf("got %d %q", resp.StatusCode, body)
	}
}

func TestIntegrationTimeoutIs503(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	fn := newFunction(t, func([]byte) (int, http.Header, string) {
		select {
		case <-release:
		case <-time.After(5 * time.Second):
		}
		return 200, nil, `"late"`
	})
	integ := fnIntegration(fn.URL, "2.0") + "\n  timeoutInMillis: 100"
	base := startGateway(t, httpAPI(integ, "- {routeKey: $default, target: integrations/fn}", "- stageName: $default", ""))
	resp, body := do(t, "GET", base+"/slow", nil, nil)
	if resp.StatusCode != 503 || body != `{"message":"Service Unavailable"}` || resp.Header.Get("apigw-requestid") == "" {
		t.Fatalf("got %d %q %v", resp.StatusCode, body, resp.Header)
	}
}

// Stages: $default at the root, named stages under /{stage}; no stage or no
// route → 404 {"message":"Not Found"}.
func TestStagesAndNotFound(t *testing.T) {
	fn := newFunction(t, answer(`"hi"`))
	named := startGateway(t, httpAPI(fnIntegration(fn.URL, "2.0"), "- {routeKey: \"GET /items\", target: integrations/fn}", "- stageName: dev", ""))
	both := startGateway(t, httpAPI(fnIntegration(fn.URL, "2.0"), "- {routeKey: \"GET /items\", target: integrations/fn}", "- stageName: dev\n- stageName: $default", ""))
	for _, tc := range []struct {
		name, url string
		want      int
	}{
		{"named stage", named + "/dev/items", 200},
		{"named stage, no route", named + "/dev/nothing", 404},
		{"unknown stage", named + "/qa/items", 404},
		{"no stage", named + "/", 404},
		{"with a query", named + "/dev/items?x", 200},
		{"$default at root", both + "/items", 200},
		{"named next to $default", both + "/dev/items", 200},
		{"$default, no route", both + "/qa/items", 404},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := do(t, "GET", tc.url, nil, nil)
			if resp.StatusCode != tc.want {
				t.Fatalf("status %d %q", resp.StatusCode, body)
			}
			if tc.want == 404 && (body != `{"message":"Not Found"}` || resp.Header.Get("Content-Type") != "application/json") {
				t.Errorf("404 body %q type %q", body, resp.Header.Get("Content-Type"))
			}
		})
	}
	if resp, _ := do(t, "POST", named+"/dev/items", nil, nil); resp.StatusCode != 404 {
		t.Errorf("POST to a GET route: %d", resp.StatusCode)
	}
}

func TestThrottling(t *testing.T) {
	fn := newFunction(t, answer(`"ok"`))
	base := startGateway(t, httpAPI(fnIntegration(fn.URL, "2.0"),
		"- {routeKey: \"GET /closed\", target: integrations/fn}\n- {routeKey: \"GET /burst\", target: integrations/fn}\n- {routeKey: \"GET /open\", target: integrations/fn}",
		`- stageName: $default
  defaultRouteSettings: {throttlingBurstLimit: 2, throttlingRateLimit: 0.001}
  routeSettings:
    "GET /closed": {throttlingBurstLimit: 0, throttlingRateLimit: 0}
    "GET /open": {throttlingBurstLimit: 1000, throttlingRateLimit: 1000}`, ""))
	for i := 0; i < 3; i++ {
		resp, body := do(t, "GET", base+"/closed", nil, nil)
		if resp.StatusCode != 429 || body != `{"message":"Too Many Requests"}` {
			t.Fatalf("rate 0: %d %q", resp.StatusCode, body)
		}
	}
	var codes []int
	for i := 0; i < 4; i++ {
		resp, _ := do(t, "GET", base+"/burst", nil, nil)
		codes = append(codes, resp.StatusCode)
	}
	if codes[0] != 200 || codes[1] != 200 || codes[2] != 429 || codes[3] != 429 {
		t.Errorf("burst 2: %v", codes)
	}
	if resp, _ := do(t, "GET", base+"/open", nil, nil); resp.StatusCode != 200 {
		t.Errorf("route setting overrides the default: %d", resp.StatusCode)
	}
	if n := fn.count(); n != 3 {
		t.Errorf("the function ran %d times; throttled requests must not reach it", n)
	}
}

func TestCORS(t *testing.T) {
	fn := newFunction(t, func([]byte) (int, http.Header, string) {
		return 200, http.Header{"Access-Control-Allow-Origin": {"https://evil.example"}, "X-Total": {"3"}}, `"ok"`
	})
	base := startGateway(t, httpAPI(fnIntegration(fn.URL, "2.0"), "- {routeKey: \"GET /items\", target: integrations/fn}", "- stageName: $default", `
corsConfiguration:
  allowOrigins: ["https://app.example", "http://*"]
  allowMethods: [GET, POST]
  allowHeaders: [content-type, x-api-key]
  exposeHeaders: [x-total]
  allowCredentials: true
  maxAge: 600`))
	// Preflight: answered by the gateway, with no OPTIONS route.
	resp, _ := do(t, "OPTIONS", base+"/items", nil, map[string]string{
		"Origin": "https://app.example", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type",
	})
	want := map[string]string{
		"Access-Control-Allow-Origin":      "https://app.example",
		"Access-Control-Allow-Methods":     "GET,POST",
		"Access-Control-Allow-Headers":     "content-type,x-api-key",
		"Access-Control-Allow-Credentials": "true",
		"Access-Control-Max-Age":           "600",
	}
	if resp.StatusCode != 204 {
		t.Fatalf("preflight status %d", resp.StatusCode)
	}
	for k, v := range want {
		if got := resp.Header.Get(k); got != v {
			t.Errorf("preflight %s = %q, want %q", k, got, v)
		}
	}
	if fn.count() != 0 {
		t.Error("the preflight reached the function")
	}
	// A scheme wildcard matches any http origin.
	resp, _ = do(t, "OPTIONS", base+"/items", nil, map[string]string{"Origin": "http://localhost:3000", "Access-Control-Request-Method": "GET"})
	if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "http://localhost:3000" {
		t.Errorf("http://* origin: %q", got)
	}
	// A foreign origin gets no CORS headers.
	resp, _ = do(t, "OPTIONS", base+"/items", nil, map[string]string{"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"})
	if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "" {
		t.Errorf("foreign origin allowed: %q", got)
	}
	// Actual request: the configuration's headers replace the backend's.
	resp, body := do(t, "GET", base+"/items", nil, map[string]string{"Origin": "https://app.example"})
	if body != "ok" || resp.Header.Get("Access-Control-Allow-Origin") != "https://app.example" ||
		resp.Header.Get("Access-Control-Expose-Headers") != "x-total" || resp.Header.Get("Access-Control-Allow-Credentials") != "true" {
		t.Errorf("response CORS headers: %v", resp.Header)
	}
	resp, _ = do(t, "GET", base+"/items", nil, map[string]string{"Origin": "https://evil.example"})
	if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "" {
		t.Errorf("the backend's CORS header passed through: %q", got)
	}
	// The gateway's own answers carry them too, so a browser can read a 404.
	resp, _ = do(t, "GET", base+"/nowhere", nil, map[string]string{"Origin": "https://app.example"})
	if resp.StatusCode != 404 || resp.Header.Get("Access-Control-Allow-Origin") != "https://app.example" || len(resp.Header.Values("Vary")) != 1 {
		t.Errorf("404 CORS headers: %d %v", resp.StatusCode, resp.Header)
	}
}

// HTTP_PROXY: method, path, query, headers and bodies go through; the
// $default route appends the full path; {proxy} takes the greedy parameter.
func TestHTTPProxy(t *testing.T) {
	type seen struct {
		method, path, query, header, body, xff string
	}
	got := make(chan seen, 10)
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- seen{r.Method, r.URL.EscapedPath(), r.URL.RawQuery, r.Header.Get("X-Custom"), string(b), r.Header.Get("X-Forwarded-For")}
		w.Header().Set("X-Backend", "yes")
		w.WriteHeader(201)
		_, _ = w.Write(bytes.Repeat([]byte("z"), 1<<20))
	}))
	defer backend.Close()
	base := startGateway(t, httpAPI(`
- integrationId: all
  integrationType: HTTP_PROXY
  integrationMethod: ANY
  integrationUri: `+backend.URL+`/base
- integrationId: pets
  integrationType: HTTP_PROXY
  integrationMethod: ANY
  integrationUri: `+backend.URL+`/animals/{proxy}
- integrationId: sv
  integrationType: HTTP_PROXY
  integrationUri: `+backend.URL+`/${stageVariables.prefix}/{id}`,
		"- {routeKey: $default, target: integrations/all}\n- {routeKey: \"ANY /pets/{proxy+}\", target: integrations/pets}\n- {routeKey: \"POST /sv/{id}\", target: integrations/sv}",
		"- {stageName: $default, stageVariables: {prefix: v9}}", ""))
	for _, tc := range []struct {
		name, method, path string
		want               seen
	}{
		{"$default appends the path", "PUT", "/a/b%20c?x=1&y=2", seen{"PUT", "/base/a/b%20c", "x=1&y=2", "v", "payload", "127.0.0.1"}},
		{"greedy parameter", "DELETE", "/pets/dog/7?q=z", seen{"DELETE", "/animals/dog/7", "q=z", "v", "payload", "127.0.0.1"}},
		{"stage variable and parameter in the URI", "POST", "/sv/42", seen{"POST", "/v9/42", "", "v", "payload", "127.0.0.1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := do(t, tc.method, base+tc.path, strings.NewReader("payload"), map[string]string{"X-Custom": "v"})
			if resp.StatusCode != 201 || len(body) != 1<<20 || resp.Header.Get("X-Backend") != "yes" || resp.Header.Get("apigw-requestid") == "" {
				t.Fatalf("status %d, %d bytes, headers %v", resp.StatusCode, len(body), resp.Header)
			}
			if s := <-got; s != tc.want {
				t.Errorf("backend saw %+v, want %+v", s, tc.want)
			}
		})
	}
}

func TestHTTPProxyBackendDown(t *testing.T) {
	backend := httptest.NewServer(http.NotFoundHandler())
	url := backend.URL
	backend.Close()
	base := startGateway(t, httpAPI("- {integrationId: x, integrationType: HTTP_PROXY, integrationUri: "+url+"}",
		"- {routeKey: $default, target: integrations/x}", "- stageName: $default", ""))
	if resp, body := do(t, "GET", base+"/", nil, nil); resp.StatusCode != 500 || body != `{"message":"Internal Server Error"}` {
		t.Fatalf("got %d %q", resp.StatusCode, body)
	}
}
