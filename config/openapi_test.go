package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeImporter stands in for package openapi (which imports config): the
// REST document "pets" gives /pets with a MOCK GET; "broken" fails at 3:4.
var fakeImporter = OpenAPIImporter{
	REST: func(file string, doc []byte) (RestAPI, []string, error) {
		if strings.TrimSpace(string(doc)) == "broken" {
			return RestAPI{}, nil, ErrorList{{File: file, Line: 3, Column: 4, Msg: "Invalid integration type"}}
		}
		return RestAPI{Name: "from-doc", Description: "doc", Resources: []RestResource{{Path: "/pets", ResourceMethods: map[string]RestMethod{
			"GET": {MethodIntegration: &RestIntegration{Type: "MOCK"}}}}},
			GatewayResponses: []GatewayResponse{{ResponseType: "DEFAULT_4XX", StatusCode: "418"}}}, []string{file + ":2:1: Unsupported extension x ignored"}, nil
	},
	HTTP: func(file string, doc []byte) (API, []string, error) {
		return API{Name: "web", ProtocolType: "HTTP", Integrations: []Integration{{IntegrationID: "i1", IntegrationType: "HTTP_PROXY",
			IntegrationURI: "http://127.0.0.1:1/", IntegrationMethod: "ANY", PayloadFormatVersion: "1.0"}},
			Routes: []Route{{RouteKey: "GET /x", Target: "integrations/i1"}}}, nil, nil
	},
}

func TestOpenAPIEntries(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{"pets.yaml": "pets", "broken.yaml": "broken", "web.yaml": "web"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	load := func(t *testing.T, cfg string, imp OpenAPIImporter) (*File, error) {
		t.Helper()
		path := filepath.Join(dir, "portico.yaml")
		if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
			t.Fatal(err)
		}
		return LoadWith(path, LoadOptions{OpenAPI: imp})
	}
	t.Run("the entry completes the document", func(t *testing.T) {
		f, err := load(t, "restApis:\n  - openapi: pets.yaml\n    name: mine\n    gatewayResponses: {DEFAULT_4XX: {statusCode: '400'}}\n    stages: [{stageName: dev}]\napis:\n  - openapi: web.yaml\n    stages: [{stageName: $default}]\n", fakeImporter)
		if err != nil {
			t.Fatal(err)
		}
		a := f.RestAPIs[0]
		if a.Name != "mine" || a.Description != "doc" || len(a.Stages) != 1 || a.RestAPIID == "" || len(a.Resources) != 2 || a.Resources[1].ID == "" ||
			len(a.GatewayResponses) != 1 || a.GatewayResponses[0].StatusCode != "400" {
			t.Fatalf("rest API %+v", a)
		}
		if len(f.Warnings) != 1 || !strings.HasSuffix(f.Warnings[0].Error(), "pets.yaml:2:1: Unsupported extension x ignored") {
			t.Errorf("warnings %v", f.Warnings)
		}
		if h := f.APIs[0]; h.Name != "web" || h.ProtocolType != "HTTP" || len(h.Routes) != 1 || h.APIID == "" {
			t.Errorf("http API %+v", h)
		}
	})
	for _, tc := range []struct {
		name, cfg string
		imp       OpenAPIImporter
		want      string
	}{
		{"the document's error", "restApis:\n  - openapi: broken.yaml\n    stages: [{stageName: dev}]\n", fakeImporter, filepath.Join(dir, "broken.yaml") + ":3:4: Invalid integration type"},
		{"no such document", "restApis:\n  - openapi: nope.yaml\n    stages: [{stageName: dev}]\n", fakeImporter, "portico.yaml:2:14: restApis[0].openapi: open " + filepath.Join(dir, "nope.yaml") + ": no such file or directory"},
		{"no importer", "restApis:\n  - openapi: pets.yaml\n", OpenAPIImporter{}, "restApis[0].openapi: naming an OpenAPI document needs the OpenAPI importer"},
		{"resources beside openapi", "restApis:\n  - openapi: pets.yaml\n    resources: {/a: {}}\n", fakeImporter, "portico.yaml:3:16: restApis[0].resources: resources come from the OpenAPI document pets.yaml; write them there"},
		{"routes beside openapi", "apis:\n  - openapi: web.yaml\n    routes: [{routeKey: GET /y}]\n", fakeImporter, "apis[0].routes: routes come from the OpenAPI document web.yaml"},
		{"a WebSocket API", "apis:\n  - openapi: web.yaml\n    protocolType: WEBSOCKET\n", fakeImporter, "apis[0].openapi: an OpenAPI document describes an HTTP API; protocolType is WEBSOCKET"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := load(t, tc.cfg, tc.imp)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
			if !errors.As(err, new(ErrorList)) {
				t.Errorf("not an ErrorList: %T", err)
			}
		})
	}
}
