package control_test

import (
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/portico-gw/portico/config"
	"github.com/portico-gw/portico/control"
)

// FuzzServeHTTP sends arbitrary requests to a control plane: it never
// panics, a success is JSON or empty, and every failure names its
// exception and carries a JSON message.
func FuzzServeHTTP(f *testing.F) {
	for _, seed := range []struct{ method, path, body string }{
		{"POST", "/v2/apis", `{"name":"a","protocolType":"HTTP","target":"http://127.0.0.1:9/"}`},
		{"POST", "/v2/apis", `{"name":"w","protocolType":"WEBSOCKET","routeSelectionExpression":"$request.body.action"}`},
		{"PATCH", "/v2/apis/x", `{"name":null,"corsConfiguration":{"maxAge":"x"}}`},
		{"POST", "/v2/apis/x/routes", `{"routeKey":"$default","target":"integrations/y"}`},
		{"POST", "/v2/tags/arn%3Aaws%3Aapigateway%3Aus-east-1%3A%3A%2Fapis%2Fx", `{"tags":{"a":"b"}}`},
		{"DELETE", "/v2/apis/x/stages/%24default", ``},
		{"GET", "/v2/apis?maxResults=0&nextToken=%%", ``},
		{"GET", "/restapis/x/resources", ``},
		{"POST", "/restapis", `{"name":"pets","endpointConfiguration":{"types":["REGIONAL"]}}`},
		{"GET", "/restapis?limit=0&position=%%", ``},
		{"PUT", "/restapis/x/resources/y/methods/GET", `{"authorizationType":"NONE"}`},
		{"PUT", "/restapis/x/resources/y/methods/GET/integration", `{"type":"MOCK","requestTemplates":{"application/json":"{}"}}`},
		{"PATCH", "/restapis/x/stages/prod", `{"patchOperations":[{"op":"replace","path":"/variables/a~1b","value":"1"}]}`},
		{"PATCH", "/restapis/x/resources/y/methods/GET", `{"patchOperations":[{"op":"move","from":"/requestParameters/a","path":"/requestModels/-"}]}`},
		{"POST", "/restapis/x/deployments", `{"stageName":"prod","variables":{"a":"b"}}`},
		{"PUT", "/v2//apis", `[`},
	} {
		f.Add(seed.method, seed.path, seed.body)
	}
	c, err := control.New(control.Config{
		File:          &config.File{Admin: "127.0.0.1:9090"},
		Apply:         func(f *config.File) error { return config.Validate(f, "control plane") },
		AllowUnsigned: true,
	})
	if err != nil {
		f.Fatal(err)
	}
	methods := []string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}
	f.Fuzz(func(t *testing.T, method, path, body string) {
		u, err := url.ParseRequestURI(path)
		if err != nil || !strings.HasPrefix(path, "/") || !slices.Contains(methods, method) {
			return
		}
		req := httptest.NewRequest(method, "http://admin/", strings.NewReader(body))
		req.URL, req.RequestURI = u, path
		req.RemoteAddr = "127.0.0.1:1"
		res := httptest.NewRecorder()
		c.ServeHTTP(res, req)
		out := res.Body.Bytes()
		if res.Code < 300 {
			if len(out) > 0 && !json.Valid(out) {
				t.Fatalf("%s %s: %d with a body that is not JSON: %q", method, path, res.Code, out)
			}
			return
		}
		var e struct{ Message string }
		if res.Header().Get("x-amzn-ErrorType") == "" || json.Unmarshal(out, &e) != nil || e.Message == "" {
			t.Fatalf("%s %s: %d %q %q", method, path, res.Code, res.Header().Get("x-amzn-ErrorType"), out)
		}
	})
}
