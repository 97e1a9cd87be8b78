package openapi

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/portico-gw/portico/config"
)

var expUpdate = flag.Bool("update-export", false, "rewrite the golden files of testdata/export")

func expIntPtr(n int) *int { return &n }

// expPetStore is the PetStore API of AWS's docs (api-gateway-create-api-from-example),
// as the control plane holds it: an HTTP and a MOCK integration, a model,
// parameters, a validator, an authorizer and an API key.
func expPetStore() config.RestAPI {
	return config.RestAPI{
		RestAPIID: "abc123defg", Name: "PetStore", Description: "Your first API with Amazon API Gateway.",
		APIKeySource: "AUTHORIZER", BinaryMediaTypes: []string{"image/png"},
		Resources: []config.RestResource{
			{ID: "root000001", Path: "/", ResourceMethods: map[string]config.RestMethod{
				"GET": {HTTPMethod: "GET", AuthorizationType: "NONE",
					MethodResponses: map[string]config.MethodResponse{"200": {StatusCode: "200",
						ResponseParameters: map[string]bool{"method.response.header.Content-Type": false}}},
					MethodIntegration: &config.RestIntegration{Type: "MOCK", PassthroughBehavior: "WHEN_NO_MATCH",
						RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`},
						TimeoutInMillis:  29000,
						IntegrationResponses: map[string]config.RestIntegrationResponse{"200": {StatusCode: "200",
							ResponseParameters: map[string]string{"method.response.header.Content-Type": "'text/html'"},
							ResponseTemplates:  map[string]string{"text/html": "<html><body>Welcome</body></html>"}}}}},
			}},
			{ID: "pets000001", ParentID: "root000001", PathPart: "pets", Path: "/pets", ResourceMethods: map[string]config.RestMethod{
				"GET": {HTTPMethod: "GET", AuthorizationType: "NONE",
					RequestParameters: map[string]bool{"method.request.querystring.type": false, "method.request.querystring.page": false},
					MethodResponses: map[string]config.MethodResponse{"200": {StatusCode: "200",
						ResponseParameters: map[string]bool{"method.response.header.Access-Control-Allow-Origin": false},
						ResponseModels:     map[string]string{"application/json": "Pets"}}},
					MethodIntegration: &config.RestIntegration{Type: "HTTP", HTTPMethod: "GET",
						URI:                 "http://petstore-demo-endpoint.execute-api.com/petstore/pets",
						PassthroughBehavior: "WHEN_NO_MATCH", TimeoutInMillis: 29000,
						RequestParameters: map[string]string{"integration.request.querystring.page": "method.request.querystring.page",
							"integration.request.querystring.type": "method.request.querystring.type"},
						IntegrationResponses: map[string]config.RestIntegrationResponse{"200": {StatusCode: "200",
							ResponseParameters: map[string]string{"method.response.header.Access-Control-Allow-Origin": "'*'"}}}}},
				"POST": {HTTPMethod: "POST", AuthorizationType: "CUSTOM", AuthorizerID: "auth01", APIKeyRequired: true,
					RequestModels: map[string]string{"application/json": "NewPet"}, RequestValidatorID: "val01",
					MethodResponses: map[string]config.MethodResponse{"200": {StatusCode: "200",
						ResponseModels: map[string]string{"application/json": "NewPetResponse"}}, "400": {StatusCode: "400"}},
					MethodIntegration: &config.RestIntegration{Type: "HTTP", HTTPMethod: "POST",
						URI:                 "http://petstore-demo-endpoint.execute-api.com/petstore/pets",
						PassthroughBehavior: "WHEN_NO_MATCH", TimeoutInMillis: 29000,
						IntegrationResponses: map[string]config.RestIntegrationResponse{
							"200": {StatusCode: "200"},
							"400": {StatusCode: "400", SelectionPattern: `4\d{2}`}}}},
			}},
			{ID: "petid00001", ParentID: "pets000001", PathPart: "{petId}", Path: "/pets/{petId}", ResourceMethods: map[string]config.RestMethod{
				"ANY": {HTTPMethod: "ANY", AuthorizationType: "AWS_IAM",
					RequestParameters: map[string]bool{"method.request.path.petId": true, "method.request.header.X-Trace": true},
					MethodResponses:   map[string]config.MethodResponse{},
					MethodIntegration: &config.RestIntegration{Type: "AWS_PROXY", HTTPMethod: "POST",
						URI:                 "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:Pet/invocations",
						PassthroughBehavior: "WHEN_NO_MATCH", ContentHandling: "CONVERT_TO_TEXT",
						CacheNamespace: "petid00001", CacheKeyParameters: []string{"method.request.path.petId"}}},
			}},
		},
		Authorizers: []config.RestAuthorizer{{ID: "auth01", Name: "PetAuth", Type: "TOKEN",
			AuthorizerURI:                "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:Auth/invocations",
			IdentitySource:               config.StringList{"method.request.header.X-Token"},
			IdentityValidationExpression: "^x-[a-z]+", AuthorizerResultTTLInSeconds: expIntPtr(60)}},
		Models: []config.RestModel{
			{Name: "Pets", ContentType: "application/json",
				Schema: `{"$schema":"http://json-schema.org/draft-04/schema#","title":"Pets","type":"array","items":{"$ref":"https://apigateway.amazonaws.com/restapis/abc123defg/models/Pet"}}`},
			{Name: "Pet", ContentType: "application/json", Schema: `{"type":"object","properties":{"id":{"type":"integer"},"type":{"type":"string"},"price":{"type":"number"}}}`},
			{Name: "PetList", ContentType: "application/json", Schema: `{"type":"object","properties":{"first":{"$ref":"Pet"},"second":{"$ref":"#/definitions/Pet"},
				"third":{"$ref":"#/components/schemas/Pet"},"other":{"$ref":"https://example.com/schema.json"},"unknown":{"$ref":"Cat"}}}`},
			{Name: "NewPet", ContentType: "application/json", Schema: `{"type":"object","required":["type"],"properties":{"type":{"type":"string","enum":["dog","cat","fish"]},"price":{"type":"number","minimum":25,"maximum":500}}}`},
			{Name: "NewPetResponse", ContentType: "application/json", Schema: `{"type":"object","properties":{"pet":{"$ref":"https://apigateway.amazonaws.com/restapis/abc123defg/models/Pet"},"message":{"type":"string"}}}`},
		},
		RequestValidators: []config.RequestValidator{{ID: "val01", Name: "body-only", ValidateRequestBody: true}},
		GatewayResponses: []config.GatewayResponse{{ResponseType: "MISSING_AUTHENTICATION_TOKEN", StatusCode: "404",
			ResponseTemplates: map[string]string{"application/json": `{"message": $context.error.messageString}`}}},
		Stages: []config.RestStage{{StageName: "test"}},
	}
}

// expDecode reads a JSON or YAML document into plain values (JSON's
// shapes: map[string]any, []any, float64).
func expDecode(t testing.TB, b []byte, asYAML bool) map[string]any {
	t.Helper()
	var v any
	if asYAML {
		if err := yaml.Unmarshal(b, &v); err != nil {
			t.Fatalf("the YAML does not parse: %v\n%s", err, b)
		}
		// through JSON, for JSON's number and map shapes
		j, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		v = nil
		if err := json.Unmarshal(j, &v); err != nil {
			t.Fatal(err)
		}
	} else if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("the JSON does not parse: %v\n%s", err, b)
	}
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("the document is a %T", v)
	}
	return m
}

// expAt returns the value at a path of keys and list indexes ("paths", "/pets", "get").
func expAt(t testing.TB, doc any, keys ...any) any {
	t.Helper()
	v := doc
	for i, k := range keys {
		switch k := k.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				t.Fatalf("at %v: %T is not an object", keys[:i], v)
			}
			if v, ok = m[k]; !ok {
				t.Fatalf("at %v: no key %q (have %v)", keys[:i], k, expKeys(m))
			}
		case int:
			l, ok := v.([]any)
			if !ok || k >= len(l) {
				t.Fatalf("at %v: %v has no element %d", keys[:i], v, k)
			}
			v = l[k]
		}
	}
	return v
}

func expKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func expJSON(t testing.TB, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func expEqual(t testing.TB, what string, got any, want string) {
	t.Helper()
	if w := expJSON(t, want); !reflect.DeepEqual(got, w) {
		g, _ := json.Marshal(got)
		t.Errorf("%s:\n got %s\nwant %s", what, g, want)
	}
}

func TestExportRESTFormats(t *testing.T) {
	api := expPetStore()
	for _, tc := range []struct {
		name          string
		spec          string
		yaml          bool
		ref, paramKey string
	}{
		{"oas30 json", "oas30", false, "#/components/schemas/", "schema"},
		{"oas30 yaml", "oas30", true, "#/components/schemas/", "schema"},
		{"swagger json", "swagger", false, "#/definitions/", "type"},
		{"swagger yaml", "swagger", true, "#/definitions/", "type"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := ExportREST(api, ExportOptions{Spec: tc.spec, YAML: tc.yaml, Extensions: []string{"apigateway"}, Stage: "test",
				ServerURL: "http://127.0.0.1:8080/_aws/execute-api/abc123defg", Version: "2016-09-20T18:11:30Z"})
			if err != nil {
				t.Fatal(err)
			}
			doc := expDecode(t, b, tc.yaml)
			swagger := tc.spec == "swagger"
			if swagger {
				expEqual(t, "swagger", doc["swagger"], `"2.0"`)
				expEqual(t, "host", doc["host"], `"127.0.0.1:8080"`)
				expEqual(t, "basePath", doc["basePath"], `"/_aws/execute-api/abc123defg/test"`)
				expEqual(t, "schemes", doc["schemes"], `["http"]`)
			} else {
				expEqual(t, "openapi", doc["openapi"], `"3.0.1"`)
				expEqual(t, "servers", doc["servers"],
					`[{"url":"http://127.0.0.1:8080/_aws/execute-api/abc123defg/{basePath}","variables":{"basePath":{"default":"/test"}}}]`)
			}
			expEqual(t, "info", doc["info"], `{"title":"PetStore","version":"2016-09-20T18:11:30Z","description":"Your first API with Amazon API Gateway."}`)
			if got := expKeys(expAt(t, doc, "paths").(map[string]any)); len(got) != 3 {
				t.Errorf("paths %v, want /, /pets, /pets/{petId}", got)
			}

			get := expAt(t, doc, "paths", "/pets", "get")
			params := expAt(t, get, "parameters").([]any)
			if len(params) != 2 || expAt(t, params[0], "name") != "page" || expAt(t, params[1], "in") != "query" {
				t.Errorf("GET /pets parameters %v", params)
			}
			if _, ok := params[0].(map[string]any)[tc.paramKey]; !ok {
				t.Errorf("a parameter without %s: %v", tc.paramKey, params[0])
			}
			ok200 := expAt(t, get, "responses", "200")
			if swagger {
				expEqual(t, "GET /pets 200", ok200, `{"description":"200 response","schema":{"$ref":"#/definitions/Pets"},"headers":{"Access-Control-Allow-Origin":{"type":"string"}}}`)
				expEqual(t, "produces", expAt(t, get, "produces"), `["application/json"]`)
			} else {
				expEqual(t, "GET /pets 200", ok200, `{"description":"200 response","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Pets"}}},"headers":{"Access-Control-Allow-Origin":{"schema":{"type":"string"}}}}`)
			}
			expEqual(t, "GET /pets integration", expAt(t, get, "x-amazon-apigateway-integration"), `{
				"type":"http","httpMethod":"GET","uri":"http://petstore-demo-endpoint.execute-api.com/petstore/pets",
				"passthroughBehavior":"when_no_match","timeoutInMillis":29000,
				"requestParameters":{"integration.request.querystring.page":"method.request.querystring.page","integration.request.querystring.type":"method.request.querystring.type"},
				"responses":{"default":{"statusCode":"200","responseParameters":{"method.response.header.Access-Control-Allow-Origin":"'*'"}}}}`)

			post := expAt(t, doc, "paths", "/pets", "post")
			if swagger {
				expEqual(t, "POST /pets body", expAt(t, post, "parameters"), `[{"in":"body","name":"NewPet","required":true,"schema":{"$ref":"#/definitions/NewPet"}}]`)
				expEqual(t, "consumes", expAt(t, post, "consumes"), `["application/json"]`)
			} else {
				expEqual(t, "POST /pets body", expAt(t, post, "requestBody"), `{"content":{"application/json":{"schema":{"$ref":"#/components/schemas/NewPet"}}},"required":true}`)
			}
			expEqual(t, "POST /pets security", expAt(t, post, "security"), `[{"PetAuth":[],"api_key":[]}]`)
			expEqual(t, "POST /pets validator", expAt(t, post, "x-amazon-apigateway-request-validator"), `"body-only"`)
			expEqual(t, "POST /pets responses", expAt(t, post, "x-amazon-apigateway-integration", "responses"),
				`{"default":{"statusCode":"200"},"4\\d{2}":{"statusCode":"400"}}`)

			anyM := expAt(t, doc, "paths", "/pets/{petId}", "x-amazon-apigateway-any-method")
			expEqual(t, "ANY security", expAt(t, anyM, "security"), `[{"sigv4":[]}]`)
			ps := expAt(t, anyM, "parameters").([]any)
			if len(ps) != 2 || expAt(t, ps[0], "name") != "petId" || expAt(t, ps[0], "in") != "path" || expAt(t, ps[0], "required") != true ||
				expAt(t, ps[1], "name") != "X-Trace" || expAt(t, ps[1], "in") != "header" || expAt(t, ps[1], "required") != true {
				t.Errorf("ANY /pets/{petId} parameters %v", ps)
			}
			expEqual(t, "ANY integration", expAt(t, anyM, "x-amazon-apigateway-integration"), `{
				"type":"aws_proxy","httpMethod":"POST","passthroughBehavior":"when_no_match","contentHandling":"CONVERT_TO_TEXT",
				"uri":"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:Pet/invocations",
				"cacheNamespace":"petid00001","cacheKeyParameters":["method.request.path.petId"]}`)

			expEqual(t, "GET / integration", expAt(t, doc, "paths", "/", "get", "x-amazon-apigateway-integration"), `{
				"type":"mock","passthroughBehavior":"when_no_match","timeoutInMillis":29000,
				"requestTemplates":{"application/json":"{\"statusCode\": 200}"},
				"responses":{"default":{"statusCode":"200","responseParameters":{"method.response.header.Content-Type":"'text/html'"},
					"responseTemplates":{"text/html":"<html><body>Welcome</body></html>"}}}}`)

			schemas, securities := "definitions", "securityDefinitions"
			if !swagger {
				schemas, securities = "components/schemas", "components/securitySchemes"
			}
			at := func(p string, more ...any) any {
				keys := []any{}
				for _, k := range strings.Split(p, "/") {
					keys = append(keys, k)
				}
				return expAt(t, doc, append(keys, more...)...)
			}
			expEqual(t, "Pets", at(schemas, "Pets"), `{"title":"Pets","type":"array","items":{"$ref":"`+tc.ref+`Pet"}}`)
			expEqual(t, "NewPetResponse.pet", at(schemas, "NewPetResponse", "properties", "pet"), `{"$ref":"`+tc.ref+`Pet"}`)
			expEqual(t, "NewPet.price", at(schemas, "NewPet", "properties", "price"), `{"type":"number","minimum":25,"maximum":500}`)
			expEqual(t, "PetList", at(schemas, "PetList", "properties"), `{"first":{"$ref":"`+tc.ref+`Pet"},"second":{"$ref":"`+tc.ref+`Pet"},
				"third":{"$ref":"`+tc.ref+`Pet"},"other":{"$ref":"https://example.com/schema.json"},"unknown":{"$ref":"Cat"}}`)
			expEqual(t, "PetAuth", at(securities, "PetAuth"), `{"type":"apiKey","name":"X-Token","in":"header","x-amazon-apigateway-authtype":"custom",
				"x-amazon-apigateway-authorizer":{"type":"token","authorizerUri":"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:Auth/invocations",
				"identityValidationExpression":"^x-[a-z]+","authorizerResultTtlInSeconds":60}}`)
			expEqual(t, "api_key", at(securities, "api_key"), `{"type":"apiKey","name":"x-api-key","in":"header"}`)
			expEqual(t, "sigv4", at(securities, "sigv4"), `{"type":"apiKey","name":"Authorization","in":"header","x-amazon-apigateway-authtype":"awsSigv4"}`)

			expEqual(t, "validators", doc["x-amazon-apigateway-request-validators"], `{"body-only":{"validateRequestBody":true,"validateRequestParameters":false}}`)
			expEqual(t, "gateway responses", doc["x-amazon-apigateway-gateway-responses"],
				`{"MISSING_AUTHENTICATION_TOKEN":{"statusCode":"404","responseTemplates":{"application/json":"{\"message\": $context.error.messageString}"}}}`)
			expEqual(t, "binary media types", doc["x-amazon-apigateway-binary-media-types"], `["image/png"]`)
			expEqual(t, "api key source", doc["x-amazon-apigateway-api-key-source"], `"AUTHORIZER"`)
		})
	}
}

// TestExportRESTExtensions checks that each ?extensions= value adds its
// extensions and no others.
func TestExportRESTExtensions(t *testing.T) {
	api := expPetStore()
	for _, tc := range []struct {
		ext                                                  []string
		integration, authorizer, validator, gatewayResponses bool
	}{
		{nil, false, false, false, false},
		{[]string{"postman"}, false, false, false, false},
		{[]string{"integrations"}, true, false, false, false},
		{[]string{"authorizers"}, false, true, false, false},
		{[]string{"validators"}, false, false, true, false},
		{[]string{"integrations", "authorizers"}, true, true, false, false},
		{[]string{"apigateway"}, true, true, true, true},
	} {
		t.Run(strings.Join(tc.ext, ","), func(t *testing.T) {
			b, err := ExportREST(api, ExportOptions{Spec: "oas30", Extensions: tc.ext, Stage: "test"})
			if err != nil {
				t.Fatal(err)
			}
			doc := expDecode(t, b, false)
			post := expAt(t, doc, "paths", "/pets", "post").(map[string]any)
			auth := expAt(t, doc, "components", "securitySchemes", "PetAuth").(map[string]any)
			for what, c := range map[string]struct {
				m    map[string]any
				key  string
				want bool
			}{
				"integration":       {post, "x-amazon-apigateway-integration", tc.integration},
				"authorizer":        {auth, "x-amazon-apigateway-authorizer", tc.authorizer},
				"validator":         {post, "x-amazon-apigateway-request-validator", tc.validator},
				"validators":        {doc, "x-amazon-apigateway-request-validators", tc.validator},
				"gateway responses": {doc, "x-amazon-apigateway-gateway-responses", tc.gatewayResponses},
			} {
				if _, ok := c.m[c.key]; ok != c.want {
					t.Errorf("%s: %s present %v, want %v", what, c.key, ok, c.want)
				}
			}
			expEqual(t, "security without extensions", post["security"], `[{"PetAuth":[],"api_key":[]}]`)
		})
	}
}

func TestExportRESTDefaultsAndErrors(t *testing.T) {
	api := expPetStore()
	b, err := ExportREST(api, ExportOptions{Spec: "swagger", Stage: "prod"})
	if err != nil {
		t.Fatal(err)
	}
	doc := expDecode(t, b, false)
	expEqual(t, "host", doc["host"], `"abc123defg.execute-api.us-east-1.amazonaws.com"`)
	expEqual(t, "basePath", doc["basePath"], `"/prod"`)
	expEqual(t, "schemes", doc["schemes"], `["https"]`)

	if _, err := ExportREST(api, ExportOptions{Spec: "raml"}); err == nil {
		t.Error("export type raml: no error")
	}
	xml := expPetStore()
	pets := xml.Resources[1].ResourceMethods["POST"]
	pets.RequestModels = map[string]string{"application/xml": "NewPet"}
	xml.Resources[1].ResourceMethods["POST"] = pets
	if _, err := ExportREST(xml, ExportOptions{}); err == nil || err.Error() != "openapi: Only found non-JSON body models for POST /pets" {
		t.Errorf("a request body model for XML only: %v", err)
	}
	api.Models = append(api.Models, config.RestModel{Name: "Bad", Schema: "{not json"})
	if _, err := ExportREST(api, ExportOptions{}); err == nil || !strings.Contains(err.Error(), "Bad") {
		t.Errorf("a model that is not JSON: %v", err)
	}

	b, err = ExportREST(expPetStore(), ExportOptions{Extensions: []string{"apigateway"}, Policy: `{"Version":"2012-10-17","Statement":[]}`,
		MinimumCompressionSize: expIntPtr(1024), VPCEndpointIDs: []string{"vpce-0212a4ababd5b8c3e"}, DisableExecuteAPIEndpoint: true})
	if err != nil {
		t.Fatal(err)
	}
	doc = expDecode(t, b, false)
	expEqual(t, "policy", doc["x-amazon-apigateway-policy"], `{"Version":"2012-10-17","Statement":[]}`)
	expEqual(t, "minimum compression size", doc["x-amazon-apigateway-minimum-compression-size"], `1024`)
	expEqual(t, "endpoint configuration", doc["x-amazon-apigateway-endpoint-configuration"], `{"vpcEndpointIds":["vpce-0212a4ababd5b8c3e"],"disableExecuteApiEndpoint":true}`)
}

// TestExportGolden compares whole exports with testdata/export (run with
// -update-export to rewrite them after a reviewed change), so that the
// output stays byte-for-byte deterministic.
func TestExportGolden(t *testing.T) {
	opt := ExportOptions{Extensions: []string{"apigateway"}, Stage: "test", Version: "2016-09-20T18:11:30Z"}
	for _, tc := range []struct {
		file string
		spec string
		yaml bool
		http bool
	}{
		{"petstore-oas30.json", "oas30", false, false},
		{"petstore-swagger.yaml", "swagger", true, false},
		{"http-oas30.yaml", "oas30", true, true},
	} {
		t.Run(tc.file, func(t *testing.T) {
			o := opt
			o.Spec, o.YAML = tc.spec, tc.yaml
			var b []byte
			var err error
			for range 3 { // the same bytes every time
				var again []byte
				if tc.http {
					again, err = ExportHTTP(expHTTPAPI(), o)
				} else {
					again, err = ExportREST(expPetStore(), o)
				}
				if err != nil {
					t.Fatal(err)
				}
				if b != nil && string(again) != string(b) {
					t.Fatal("two exports of the same API differ")
				}
				b = again
			}
			path := filepath.Join("testdata", "export", tc.file)
			if *expUpdate {
				if err := os.WriteFile(path, b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != string(want) {
				t.Errorf("%s differs:\n%s", path, b)
			}
		})
	}
}

// A REST authorizer's scheme names where its identity is, as AWS's docs
// write it.
func TestExportRESTAuthorizerSchemes(t *testing.T) {
	for _, tc := range []struct {
		au   config.RestAuthorizer
		want string
	}{
		{config.RestAuthorizer{Name: "tok", Type: "TOKEN", IdentitySource: config.StringList{"method.request.header.Authorization"}},
			`{"type":"apiKey","name":"Authorization","in":"header","x-amazon-apigateway-authtype":"custom","x-amazon-apigateway-authorizer":{"type":"token"}}`},
		{config.RestAuthorizer{Name: "one-header", Type: "REQUEST", IdentitySource: config.StringList{"method.request.header.auth"}},
			`{"type":"apiKey","name":"auth","in":"header","x-amazon-apigateway-authtype":"custom",
				"x-amazon-apigateway-authorizer":{"type":"request","identitySource":"method.request.header.auth"}}`},
		{config.RestAuthorizer{Name: "one-query", Type: "REQUEST", IdentitySource: config.StringList{"method.request.querystring.key"}},
			`{"type":"apiKey","name":"key","in":"query","x-amazon-apigateway-authtype":"custom",
				"x-amazon-apigateway-authorizer":{"type":"request","identitySource":"method.request.querystring.key"}}`},
		{config.RestAuthorizer{Name: "two", Type: "REQUEST", IdentitySource: config.StringList{"method.request.header.HeaderAuth1", "method.request.querystring.QueryString1"}},
			`{"type":"apiKey","name":"Unused","in":"header","x-amazon-apigateway-authtype":"custom",
				"x-amazon-apigateway-authorizer":{"type":"request","identitySource":"method.request.header.HeaderAuth1, method.request.querystring.QueryString1"}}`},
		{config.RestAuthorizer{Name: "stagevar", Type: "REQUEST", IdentitySource: config.StringList{"stageVariables.stage"}},
			`{"type":"apiKey","name":"Unused","in":"header","x-amazon-apigateway-authtype":"custom",
				"x-amazon-apigateway-authorizer":{"type":"request","identitySource":"stageVariables.stage"}}`},
		{config.RestAuthorizer{Name: "pool", Type: "COGNITO_USER_POOLS", ProviderARNs: []string{"arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc"}},
			`{"type":"apiKey","name":"Authorization","in":"header","x-amazon-apigateway-authtype":"cognito_user_pools",
				"x-amazon-apigateway-authorizer":{"type":"cognito_user_pools","providerARNs":["arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc"]}}`},
	} {
		t.Run(tc.au.Name, func(t *testing.T) {
			api := config.RestAPI{RestAPIID: "a", Name: "a", Authorizers: []config.RestAuthorizer{tc.au}}
			b, err := ExportREST(api, ExportOptions{Extensions: []string{"authorizers"}})
			if err != nil {
				t.Fatal(err)
			}
			expEqual(t, tc.au.Name, expAt(t, expDecode(t, b, false), "components", "securitySchemes", tc.au.Name), tc.want)
		})
	}
}

// FuzzExportREST feeds arbitrary path parts, parameter names, model
// schemas and templates to ExportREST: it returns an error or a document
// that parses, in both specs and both encodings, and never panics.
func FuzzExportREST(f *testing.F) {
	f.Add("pets", "method.request.querystring.type", `{"type":"object"}`, "application/json", `{"a": "$input.params('x')"}`)
	f.Add("{proxy+}", "method.request.path.proxy", `{"$ref":"https://apigateway.amazonaws.com/restapis/x/models/M"}`, "text/plain", "#set($x = 1)\n$x")
	f.Add("{id}", "method.request.header.", `[1, 2`, "", "")
	f.Add("a: b", "method.request.multivalueheader.x-y", `"just a string"`, "application/problem+json", "- list\n- item")
	f.Fuzz(func(t *testing.T, part, param, schema, contentType, template string) {
		api := config.RestAPI{RestAPIID: "fuzz", Name: part,
			Resources: []config.RestResource{{Path: "/" + part, ResourceMethods: map[string]config.RestMethod{
				"POST": {RequestParameters: map[string]bool{param: true}, RequestModels: map[string]string{contentType: "M"},
					MethodResponses: map[string]config.MethodResponse{"200": {ResponseModels: map[string]string{contentType: "M"},
						ResponseParameters: map[string]bool{"method.response.header." + part: false}}},
					MethodIntegration: &config.RestIntegration{Type: "MOCK", RequestTemplates: map[string]string{contentType: template},
						IntegrationResponses: map[string]config.RestIntegrationResponse{"200": {SelectionPattern: template}}}},
			}}},
			Models: []config.RestModel{{Name: "M", Schema: schema, ContentType: contentType}},
		}
		for _, spec := range []string{"oas30", "swagger"} {
			var docs []map[string]any
			for _, asYAML := range []bool{false, true} {
				b, err := ExportREST(api, ExportOptions{Spec: spec, YAML: asYAML, Extensions: []string{"apigateway"}, Stage: part})
				if err != nil {
					continue
				}
				docs = append(docs, expDecode(t, b, asYAML))
			}
			if len(docs) == 2 && !reflect.DeepEqual(docs[0], docs[1]) {
				t.Errorf("%s: the JSON and the YAML say different things:\n%v\n%v", spec, docs[0], docs[1])
			}
		}
	})
}
