package openapi

import (
	"encoding/json"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/portico-gw/portico/config"
)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func resourcePaths(api config.RestAPI) []string {
	var out []string
	for _, r := range api.Resources {
		out = append(out, r.Path)
	}
	return out
}

func findMethod(t testing.TB, api config.RestAPI, path, method string) config.RestMethod {
	t.Helper()
	for _, r := range api.Resources {
		if r.Path == path {
			m, ok := r.ResourceMethods[method]
			if !ok {
				t.Fatalf("%s has no %s method: %v", path, method, r.ResourceMethods)
			}
			return m
		}
	}
	t.Fatalf("no resource %s in %v", path, resourcePaths(api))
	return config.RestMethod{}
}

// validRest checks that the imported API passes the config's validation
// once it has an ID, as the control plane and the config file give it.
func validRest(t testing.TB, api config.RestAPI) {
	t.Helper()
	api.RestAPIID = "abcdefghij"
	api.Stages = []config.RestStage{{StageName: "test"}}
	if err := config.Validate(&config.File{RestAPIs: []config.RestAPI{api}}, "import"); err != nil {
		t.Fatalf("the imported API does not validate: %v", err)
	}
}

func TestImportRESTRequestValidatorsSample(t *testing.T) {
	api, warnings, err := ImportREST("reqvalidators.json", readTestdata(t, "reqvalidators.json"), ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	validRest(t, api)
	if api.Name != "ReqValidators Sample" {
		t.Errorf("name %q", api.Name)
	}
	if got := resourcePaths(api); !slices.Equal(got, []string{"/", "/validation"}) {
		t.Errorf("resources %v (basepath ignore: /v1 left out)", got)
	}
	post := findMethod(t, api, "/validation", "POST")
	if post.RequestValidatorID != "all" || !post.RequestParameters["method.request.header.h1"] ||
		post.RequestModels["application/json"] != "RequestBodyModel" || post.AuthorizationType != "NONE" || post.APIKeyRequired {
		t.Errorf("POST: %+v", post)
	}
	in := post.MethodIntegration
	if in == nil || in.Type != "HTTP" || in.HTTPMethod != "POST" || in.RequestParameters["integration.request.header.custom_h1"] != "method.request.header.h1" {
		t.Fatalf("POST integration: %+v", in)
	}
	if r := in.IntegrationResponses["200"]; r.SelectionPattern != `2\d{2}` {
		t.Errorf("200 response: %+v", r)
	}
	if r := in.IntegrationResponses["400"]; r.SelectionPattern != "" || r.ResponseTemplates["application/xml"] != "xml 400 response template" ||
		r.ResponseParameters["method.response.header.test-method-response-header"] != "'static value'" {
		t.Errorf("default response: %+v", r)
	}
	if mr := post.MethodResponses["200"]; !slices.Equal(slices.Collect(mapKeys(mr.ResponseParameters)), []string{"method.response.header.test-method-response-header"}) {
		t.Errorf("method response: %+v", mr)
	}
	get := findMethod(t, api, "/validation", "GET")
	if get.RequestValidatorID != "params-only" || !get.RequestParameters["method.request.querystring.q1"] {
		t.Errorf("GET (inherits the API's validator): %+v", get)
	}
	if len(api.RequestValidators) != 2 || len(api.Models) != 2 {
		t.Errorf("validators %v models %v", api.RequestValidators, api.Models)
	}
	if len(warnings) != 2 || !strings.Contains(warnings[0], "api_key not found") || !strings.HasPrefix(warnings[0], "reqvalidators.json:") {
		t.Errorf("warnings %q", warnings)
	}
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func TestImportRESTSimpleCalcSample(t *testing.T) {
	api, warnings, err := ImportREST("simplecalc.json", readTestdata(t, "simplecalc.json"), ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	validRest(t, api)
	if len(warnings) != 0 {
		t.Errorf("warnings %q", warnings)
	}
	if got := resourcePaths(api); !slices.Equal(got, []string{"/", "/{a}", "/{a}/{b}", "/{a}/{b}/{op}"}) {
		t.Errorf("resources %v", got)
	}
	anyM := findMethod(t, api, "/{a}/{b}", "ANY")
	if anyM.MethodIntegration.Type != "MOCK" || !anyM.RequestParameters["method.request.path.b"] {
		t.Errorf("ANY: %+v", anyM)
	}
	get := findMethod(t, api, "/{a}/{b}/{op}", "GET")
	if in := get.MethodIntegration; in.Type != "AWS" || in.PassthroughBehavior != "WHEN_NO_TEMPLATES" || in.IntegrationResponses["200"].SelectionPattern != "" {
		t.Errorf("GET integration %+v", in)
	}
	post := findMethod(t, api, "/", "POST")
	if post.RequestModels["application/json"] != "Input" || post.MethodResponses["200"].ResponseModels["application/json"] != "Result" {
		t.Errorf("POST / %+v", post)
	}
	var result map[string]any
	for _, m := range api.Models {
		if m.Name == "Result" {
			if err := json.Unmarshal([]byte(m.Schema), &result); err != nil {
				t.Fatal(err)
			}
		}
	}
	if ref := result["properties"].(map[string]any)["input"].(map[string]any)["$ref"]; ref != "Input" {
		t.Errorf("Result's $ref to Input: %v", ref)
	}
}

func TestImportRESTBasePath(t *testing.T) {
	for _, tc := range []struct {
		doc, mode string
		want      []string
	}{
		{"swagger: '2.0'\ninfo: {title: t}\nbasePath: /a/b/c\npaths: {/e: {get: {}}, /f: {get: {}}}", "", []string{"/", "/e", "/f"}},
		{"swagger: '2.0'\ninfo: {title: t}\nbasePath: /a/b/c\npaths: {/e: {get: {}}, /f: {get: {}}}", "prepend", []string{"/", "/a", "/a/b", "/a/b/c", "/a/b/c/e", "/a/b/c/f"}},
		{"swagger: '2.0'\ninfo: {title: t}\nbasePath: /a/b/c\npaths: {/e: {get: {}}, /f: {get: {}}}", "split", []string{"/", "/b", "/b/c", "/b/c/e", "/b/c/f"}},
		{"openapi: 3.0.1\ninfo: {title: t}\nservers: [{url: 'https://x.example.com/{basePath}', variables: {basePath: {default: /v1}}}]\npaths: {/e: {get: {}}}", "prepend", []string{"/", "/v1", "/v1/e"}},
		{"openapi: 3.0.1\ninfo: {title: t}\nservers: [{url: 'https://x.example.com/v2/x'}]\npaths: {/e: {get: {}}}", "split", []string{"/", "/x", "/x/e"}},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			api, _, err := ImportREST("doc.yaml", []byte(tc.doc), ImportOptions{BasePath: tc.mode})
			if err != nil {
				t.Fatal(err)
			}
			if got := resourcePaths(api); !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

const petsOAS3 = `openapi: 3.0.1
info: {title: pets, description: the pets}
x-amazon-apigateway-api-key-source: authorizer
x-amazon-apigateway-binary-media-types: [image~1png, "*/*"]
x-amazon-apigateway-minimum-compression-size: 1024
x-amazon-apigateway-policy: {Version: "2012-10-17", Statement: []}
x-amazon-apigateway-gateway-responses:
  missing_authentication_token:
    statusCode: 404
    responseTemplates: {application/json: '{"message":"no such route"}'}
components:
  schemas:
    Pet:
      type: object
      required: [name]
      properties: {name: {type: string}, owner: {$ref: '#/components/schemas/Owner'}}
    Owner: {type: object}
  securitySchemes:
    api_key: {type: apiKey, name: x-api-key, in: header}
    tok:
      type: apiKey
      name: Authorization
      in: header
      x-amazon-apigateway-authtype: custom
      x-amazon-apigateway-authorizer:
        type: token
        authorizerUri: http://127.0.0.1:1/auth
        authorizerResultTtlInSeconds: 0
        identityValidationExpression: '^Bearer .+'
    req:
      type: apiKey
      name: Unused
      in: header
      x-amazon-apigateway-authorizer:
        type: request
        identitySource: method.request.header.X-User, method.request.querystring.user
        authorizerUri: http://127.0.0.1:1/auth
    pool:
      type: apiKey
      name: Authorization
      in: header
      x-amazon-apigateway-authorizer:
        type: cognito_user_pools
        providerARNs: [arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc]
    sigv4: {type: apiKey, name: Authorization, in: header, x-amazon-apigateway-authtype: awsSigv4}
paths:
  /pets:
    post:
      operationId: createPet
      security: [{tok: []}, {api_key: []}]
      requestBody:
        content:
          application/json: {schema: {$ref: '#/components/schemas/Pet'}}
      responses:
        "201":
          description: created
          headers: {Location: {schema: {type: string}}}
          content: {application/json: {schema: {$ref: '#/components/schemas/Pet'}}}
        default: {description: error}
      x-amazon-apigateway-integration:
        type: aws_proxy
        httpMethod: GET
        uri: http://127.0.0.1:1/fn
        timeoutInMillis: 5000
        contentHandling: convert_to_text
    get:
      security: [{req: []}]
      parameters:
        - {name: limit, in: query, required: false, schema: {type: integer}}
        - {name: X-Trace, in: header, required: true, schema: {type: string}}
      x-amazon-apigateway-integration:
        type: http
        httpMethod: get
        uri: http://127.0.0.1:1/pets
        passthroughBehavior: when_no_match
        requestParameters:
          integration.request.querystring.max: method.request.querystring.limit
          integration.request.header.bad: 5
        requestTemplates: {application/json: '{}'}
        cacheKeyParameters: [method.request.querystring.limit]
        tlsConfig: {insecureSkipVerification: true}
        responses:
          "4\\d{2}": {statusCode: "400", responseParameters: {method.response.header.X-Err: integration.response.header.X-Err}}
          default: {statusCode: "200", contentHandling: convert_to_text}
  /pets/{petId}:
    parameters: [{name: petId, in: path, required: true, schema: {type: string}}]
    delete:
      security: [{pool: [pets/write]}]
      x-amazon-apigateway-integration: {$ref: '#/components/x-amazon-apigateway-integrations/mock'}
    put:
      security: [{sigv4: []}]
      requestBody:
        content:
          application/json: {schema: {type: object, required: [n]}}
      x-amazon-apigateway-integration: {type: mock, requestTemplates: {application/json: '{"statusCode": 200}'}}
  /{proxy+}:
    x-amazon-apigateway-any-method:
      x-amazon-apigateway-integration: {type: http_proxy, httpMethod: ANY, uri: 'http://127.0.0.1:1/{proxy}', requestParameters: {integration.request.path.proxy: method.request.path.proxy}}
  /tricks:
    trace: {}
    get:
      x-amazon-apigateway-request-validator: none
      x-amazon-apigateway-integration: {type: mock}
x-amazon-apigateway-request-validators:
  none: {validateRequestBody: false, validateRequestParameters: false}
`

func TestImportRESTOpenAPI3(t *testing.T) {
	src := strings.Replace(petsOAS3, "components:\n", "components:\n  x-amazon-apigateway-integrations:\n    mock: {type: mock, requestTemplates: {application/json: '{\"statusCode\": 204}'}, responses: {default: {statusCode: \"204\"}}}\n", 1)
	api, warnings, err := ImportREST("pets.yaml", []byte(src), ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	validRest(t, api)
	if api.APIKeySource != "AUTHORIZER" || !slices.Equal(api.BinaryMediaTypes, []string{"image/png", "*/*"}) || api.Description != "the pets" {
		t.Errorf("api %+v", api)
	}
	if len(api.GatewayResponses) != 1 || api.GatewayResponses[0].ResponseType != "MISSING_AUTHENTICATION_TOKEN" || api.GatewayResponses[0].StatusCode != "404" {
		t.Errorf("gateway responses %+v", api.GatewayResponses)
	}
	if got := resourcePaths(api); !slices.Equal(got, []string{"/", "/pets", "/pets/{petId}", "/tricks", "/{proxy+}"}) {
		t.Errorf("resources %v", got)
	}
	post := findMethod(t, api, "/pets", "POST")
	if post.AuthorizationType != "CUSTOM" || post.AuthorizerID != "tok" || !post.APIKeyRequired || post.OperationName != "createPet" ||
		post.RequestModels["application/json"] != "Pet" {
		t.Errorf("POST /pets %+v", post)
	}
	if in := post.MethodIntegration; in.Type != "AWS_PROXY" || in.HTTPMethod != "POST" || in.TimeoutInMillis != 5000 || in.ContentHandling != "CONVERT_TO_TEXT" {
		t.Errorf("POST /pets integration %+v (AWS_PROXY forces POST)", in)
	}
	if mr := post.MethodResponses["201"]; !mr.ResponseParameters["method.response.header.Location"] == true || mr.ResponseModels["application/json"] != "Pet" {
		if _, ok := mr.ResponseParameters["method.response.header.Location"]; !ok || mr.ResponseModels["application/json"] != "Pet" {
			t.Errorf("201 %+v", mr)
		}
	}
	if _, ok := post.MethodResponses["default"]; ok {
		t.Error("the default response became a method response")
	}
	get := findMethod(t, api, "/pets", "GET")
	if get.AuthorizerID != "req" || get.RequestParameters["method.request.querystring.limit"] || !get.RequestParameters["method.request.header.X-Trace"] {
		t.Errorf("GET /pets %+v", get)
	}
	gi := get.MethodIntegration
	if gi.HTTPMethod != "GET" || gi.PassthroughBehavior != "WHEN_NO_MATCH" || gi.TLSConfig == nil || !gi.TLSConfig.InsecureSkipVerification ||
		len(gi.RequestParameters) != 1 || gi.IntegrationResponses["400"].SelectionPattern != `4\d{2}` || gi.IntegrationResponses["200"].ContentHandling != "CONVERT_TO_TEXT" ||
		!slices.Equal(gi.CacheKeyParameters, []string{"method.request.querystring.limit"}) {
		t.Errorf("GET /pets integration %+v", gi)
	}
	del := findMethod(t, api, "/pets/{petId}", "DELETE")
	if del.AuthorizationType != "COGNITO_USER_POOLS" || !slices.Equal(del.AuthorizationScopes, []string{"pets/write"}) ||
		!del.RequestParameters["method.request.path.petId"] || del.MethodIntegration.Type != "MOCK" || del.MethodIntegration.IntegrationResponses["204"].StatusCode != "204" {
		t.Errorf("DELETE %+v", del)
	}
	put := findMethod(t, api, "/pets/{petId}", "PUT")
	if put.AuthorizationType != "AWS_IAM" || put.RequestModels["application/json"] != "PutPetsPetIdModel" {
		t.Errorf("PUT %+v", put)
	}
	if m := findMethod(t, api, "/{proxy+}", "ANY"); !m.RequestParameters["method.request.path.proxy"] || m.MethodIntegration.Type != "HTTP_PROXY" {
		t.Errorf("ANY /{proxy+} %+v", m)
	}
	if m := findMethod(t, api, "/tricks", "GET"); m.RequestValidatorID != "none" {
		t.Errorf("GET /tricks %+v", m)
	}
	auth := map[string]config.RestAuthorizer{}
	for _, a := range api.Authorizers {
		auth[a.Name] = a
	}
	if a := auth["tok"]; a.Type != "TOKEN" || a.IdentitySource.String() != "method.request.header.Authorization" || *a.AuthorizerResultTTLInSeconds != 0 || a.AuthType != "custom" {
		t.Errorf("tok %+v", a)
	}
	if a := auth["req"]; a.Type != "REQUEST" || a.IdentitySource.String() != "method.request.header.X-User, method.request.querystring.user" {
		t.Errorf("req %+v", a)
	}
	if a := auth["pool"]; a.Type != "COGNITO_USER_POOLS" || len(a.ProviderARNs) != 1 {
		t.Errorf("pool %+v", a)
	}
	var names []string
	for _, m := range api.Models {
		names = append(names, m.Name)
	}
	if !slices.Equal(names, []string{"Owner", "Pet", "PutPetsPetIdModel"}) {
		t.Errorf("models %v", names)
	}
	joined := strings.Join(warnings, "\n")
	for _, w := range []string{"policy", "Unsupported method trace", "integration.request.header.bad", `Unsupported response "default"`} {
		if !strings.Contains(joined, w) {
			t.Errorf("no warning about %s in\n%s", w, joined)
		}
	}
	if _, _, err := ImportREST("pets.yaml", []byte(src), ImportOptions{FailOnWarnings: true}); !errors.As(err, new(*WarningsError)) {
		t.Errorf("failOnWarnings: %v", err)
	}
}

func TestImportErrors(t *testing.T) {
	for _, tc := range []struct {
		name, doc, want string
	}{
		{"syntax", "openapi: 3.0.1\ninfo: {title: t\n", "doc.yaml:1: Invalid OpenAPI input: did not find expected"},
		{"json syntax", "{\"openapi\": \"3.0.1\",\n \"info\": }", "doc.yaml:2:10: Invalid OpenAPI input: invalid character '}'"},
		{"empty", "", "the document is empty"},
		{"not a mapping", "[1, 2]", "doc.yaml:1:1: Invalid OpenAPI input"},
		{"no version", "info: {title: t}\npaths: {}", "doc.yaml:1:1: Invalid OpenAPI input: neither"},
		{"old swagger", "swagger: '1.2'\n", `doc.yaml:1:10: swagger: Invalid OpenAPI input: unsupported swagger version "1.2"`},
		{"bad integration type", "openapi: 3.0.1\ninfo: {title: t}\npaths:\n  /a:\n    get:\n      x-amazon-apigateway-integration: {type: lambda}\n",
			`doc.yaml:6:47: paths["/a"].get.x-amazon-apigateway-integration.type: Invalid integration type "LAMBDA"`},
		{"path without slash", "openapi: 3.0.1\ninfo: {title: t}\npaths:\n  a: {get: {}}\n", `doc.yaml:4:3: paths["a"]: a path must start with "/"`},
		{"dangling ref", "openapi: 3.0.1\ninfo: {title: t}\npaths:\n  /a:\n    post:\n      requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/Nope'}}}}\n",
			`no such definition`},
		{"external ref", "openapi: 3.0.1\ninfo: {title: t}\npaths:\n  /a: {$ref: 'other.yaml#/a'}\n", `only references inside the document`},
		{"ref cycle", "openapi: 3.0.1\ninfo: {title: t}\npaths:\n  /a: {$ref: '#/paths/~1a'}\n", `reference cycle`},
		{"bad validator", "swagger: '2.0'\ninfo: {title: t}\npaths:\n  /a: {get: {x-amazon-apigateway-request-validator: nope}}\n", `Invalid request validator "nope"`},
		{"bad gateway response", "swagger: '2.0'\ninfo: {title: t}\nx-amazon-apigateway-gateway-responses: {NOPE: {}}\npaths: {}\n", `Invalid gateway response type "NOPE"`},
		{"bad key source", "swagger: '2.0'\ninfo: {title: t}\nx-amazon-apigateway-api-key-source: BODY\npaths: {}\n", `Invalid API Key source specified: BODY`},
		{"alias", "swagger: '2.0'\ninfo: &i {title: t}\nx: *i\npaths: {}\n", `aliases`},
		{"response without status", "swagger: '2.0'\ninfo: {title: t}\npaths:\n  /a:\n    get:\n      x-amazon-apigateway-integration: {type: mock, responses: {default: {}}}\n", `statusCode is required`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := ImportREST("doc.yaml", []byte(tc.doc), ImportOptions{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
	if _, _, err := ImportREST("d", []byte("swagger: '2.0'\ninfo: {title: t}\npaths: {}"), ImportOptions{BasePath: "sideways"}); err == nil || !strings.Contains(err.Error(), "basepath") {
		t.Errorf("bad basepath: %v", err)
	}
}

const httpDoc = `openapi: 3.0.1
info: {title: web, version: "1"}
x-amazon-apigateway-cors:
  allowOrigins: [https://example.com]
  allowMethods: [GET, POST]
  maxAge: 600
  allowCredentials: true
components:
  x-amazon-apigateway-integrations:
    backend: {type: http_proxy, httpMethod: ANY, uri: 'http://127.0.0.1:1/', payloadFormatVersion: "1.0"}
  securitySchemes:
    jwt:
      type: oauth2
      flows: {}
      x-amazon-apigateway-authorizer:
        type: jwt
        identitySource: $request.header.Authorization
        jwtConfiguration: {issuer: 'https://issuer.example.com', audience: [aud1]}
    lam:
      type: apiKey
      name: Authorization
      in: header
      x-amazon-apigateway-authorizer:
        type: request
        identitySource: [$request.header.Authorization, $request.querystring.token]
        authorizerUri: http://127.0.0.1:1/auth
        authorizerPayloadFormatVersion: "2.0"
        enableSimpleResponses: true
        authorizerResultTtlInSeconds: 60
paths:
  /items:
    get:
      operationId: listItems
      security: [{jwt: [items/read]}]
      x-amazon-apigateway-integration: {$ref: '#/components/x-amazon-apigateway-integrations/backend'}
    post:
      security: [{lam: []}]
      x-amazon-apigateway-integration: {$ref: '#/components/x-amazon-apigateway-integrations/backend'}
  /items/{id}:
    delete:
      x-amazon-apigateway-integration:
        type: aws_proxy
        uri: http://127.0.0.1:1/fn
        payloadFormatVersion: "2.0"
        timeoutInMillis: 3000
        requestParameters: {append:header.x-from: import}
        responseParameters: {"200": {overwrite:statuscode: "204"}}
  /$default:
    x-amazon-apigateway-any-method:
      x-amazon-apigateway-integration: {type: http_proxy, httpMethod: ANY, uri: 'http://127.0.0.1:1/fallback'}
`

func TestImportHTTP(t *testing.T) {
	api, warnings, err := ImportHTTP("web.yaml", []byte(httpDoc), ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 0 {
		t.Errorf("warnings %q", warnings)
	}
	api.APIID = "abcdefghij"
	api.Stages = []config.Stage{{StageName: "$default", AutoDeploy: true}}
	if err := config.Validate(&config.File{APIs: []config.API{api}}, "import"); err != nil {
		t.Fatalf("validate: %v", err)
	}
	var keys []string
	routes := map[string]config.Route{}
	for _, r := range api.Routes {
		keys = append(keys, r.RouteKey)
		routes[r.RouteKey] = r
	}
	if !slices.Equal(keys, []string{"GET /items", "POST /items", "DELETE /items/{id}", "$default"}) {
		t.Errorf("routes %v", keys)
	}
	if len(api.Integrations) != 3 || routes["GET /items"].Target != routes["POST /items"].Target {
		t.Errorf("integrations %+v (the two /items routes share the components' one)", api.Integrations)
	}
	if r := routes["GET /items"]; r.AuthorizationType != "JWT" || !slices.Equal(r.AuthorizationScopes, []string{"items/read"}) || r.OperationName != "listItems" {
		t.Errorf("GET /items %+v", r)
	}
	if r := routes["POST /items"]; r.AuthorizationType != "CUSTOM" {
		t.Errorf("POST /items %+v", r)
	}
	for _, in := range api.Integrations {
		if "integrations/"+in.IntegrationID == routes["DELETE /items/{id}"].Target {
			if in.IntegrationType != "AWS_PROXY" || in.PayloadFormatVersion != "2.0" || in.TimeoutInMillis != 3000 ||
				in.ResponseParameters["200"]["overwrite:statuscode"] != "204" || in.RequestParameters["append:header.x-from"] != "import" {
				t.Errorf("DELETE integration %+v", in)
			}
		}
	}
	if c := api.CorsConfiguration; c == nil || *c.MaxAge != 600 || !c.AllowCredentials || !slices.Equal(c.AllowMethods, []string{"GET", "POST"}) {
		t.Errorf("cors %+v", c)
	}
	if len(api.Authorizers) != 2 || api.Authorizers[0].JWTConfiguration.Issuer != "https://issuer.example.com" ||
		!slices.Equal(api.Authorizers[1].IdentitySource, []string{"$request.header.Authorization", "$request.querystring.token"}) ||
		!api.Authorizers[1].EnableSimpleResponses || *api.Authorizers[1].AuthorizerResultTTLInSeconds != 60 {
		t.Errorf("authorizers %+v", api.Authorizers)
	}
	// The same document imports to the same IDs.
	again, _, _ := ImportHTTP("web.yaml", []byte(httpDoc), ImportOptions{})
	if again.Integrations[0].IntegrationID != api.Integrations[0].IntegrationID {
		t.Error("integration IDs differ between imports")
	}
}

func TestImportHTTPErrors(t *testing.T) {
	for _, tc := range []struct{ name, doc, want string }{
		{"swagger", "swagger: '2.0'\ninfo: {title: t}\npaths: {}", "OpenAPI 3.0 documents only"},
		{"aws type", "openapi: 3.0.1\ninfo: {title: t}\npaths:\n  /a: {get: {x-amazon-apigateway-integration: {type: aws, uri: x}}}\n", `Invalid integration type "AWS"`},
		{"no uri", "openapi: 3.0.1\ninfo: {title: t}\npaths:\n  /a: {get: {x-amazon-apigateway-integration: {type: http_proxy}}}\n", `uri is required`},
		{"default not any", "openapi: 3.0.1\ninfo: {title: t}\npaths:\n  /$default: {get: {}}\n", `x-amazon-apigateway-any-method`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := ImportHTTP("web.yaml", []byte(tc.doc), ImportOptions{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
		})
	}
}

func TestImportWarnsAboutWhatItLeavesOut(t *testing.T) {
	for _, tc := range []struct {
		name, doc string
		http      bool
		want      string
	}{
		{"rest integration property", "swagger: '2.0'\ninfo: {title: t}\npaths:\n  /a:\n    get:\n      x-amazon-apigateway-integration: {type: mock, flavour: x}\n", false,
			"doc.yaml:6:53: Unsupported integration property flavour ignored"},
		{"http integration templates", "openapi: 3.0.1\ninfo: {title: t}\npaths:\n  /a:\n    get:\n      x-amazon-apigateway-integration: {type: http_proxy, uri: 'http://x/', requestTemplates: {a: b}}\n", true,
			"doc.yaml:6:77: Unsupported integration property requestTemplates ignored"},
		{"http vpc link", "openapi: 3.0.1\ninfo: {title: t}\npaths:\n  /a:\n    get:\n      x-amazon-apigateway-integration: {type: http_proxy, uri: 'http://x/', connectionType: VPC_LINK}\n", true,
			"Unsupported integration property connectionType VPC_LINK ignored"},
		{"http extension", "openapi: 3.0.1\ninfo: {title: t}\nx-amazon-apigateway-gateway-responses: {}\npaths: {}\n", true,
			"doc.yaml:3:1: Unsupported extension x-amazon-apigateway-gateway-responses ignored (HTTP APIs)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var warnings []string
			var err error
			if tc.http {
				_, warnings, err = ImportHTTP("doc.yaml", []byte(tc.doc), ImportOptions{})
			} else {
				_, warnings, err = ImportREST("doc.yaml", []byte(tc.doc), ImportOptions{})
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.ContainsFunc(warnings, func(w string) bool { return strings.Contains(w, tc.want) }) {
				t.Errorf("warnings %q, want %q", warnings, tc.want)
			}
		})
	}
}
