package portico_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	v2types "github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
)

// calcLambda is the AWS docs' Calc function (simple-calc-nodejs-lambda-function)
// behind a Lambda Invoke endpoint: {a, b, op} → {a, b, op, c}.
func calcLambda(t testing.TB) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "function:Calc/invocations") {
			http.Error(w, "no such function "+r.URL.Path, 404)
			return
		}
		var in struct {
			A, B float64
			Op   string
		}
		raw, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(raw, &in); err != nil {
			w.Header().Set("X-Amz-Function-Error", "Unhandled")
			fmt.Fprintf(w, `{"errorMessage":%q}`, "400 Invalid input: "+string(raw))
			return
		}
		var c float64
		switch in.Op {
		case "+", "add":
			c = in.A + in.B
		case "-", "sub":
			c = in.A - in.B
		case "*", "mul":
			c = in.A * in.B
		case "/", "div":
			c = in.A / in.B
		}
		fmt.Fprintf(w, `{"a":%v,"b":%v,"op":%q,"c":%v}`, in.A, in.B, in.Op, c)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// importYAML is controlYAML with a Lambda endpoint, so that the docs'
// documents run with their own function ARNs.
func importYAML(lambdaURL string) string {
	return controlYAML + `lambda:
  endpoint: ` + lambdaURL + `
  region: us-west-2
  accessKeyId: AKID
  secretAccessKey: secret
`
}

// The AWS docs' SimpleCalc API, imported with the SDK as the docs print
// it: its Lambda calls reach the Calc function, its MOCK methods answer
// 404, nothing is served before create-deployment, and put-rest-api
// --mode overwrite replaces the tree.
func TestImportRestAPISimpleCalcSDK(t *testing.T) {
	ctx := context.Background()
	gw := startGateway(t, importYAML(calcLambda(t).URL))
	client := v1Client(gw)
	doc, err := os.ReadFile("openapi/testdata/simplecalc.json")
	if err != nil {
		t.Fatal(err)
	}
	api, err := client.ImportRestApi(ctx, &apigateway.ImportRestApiInput{Body: doc})
	if err != nil {
		t.Fatal(err)
	}
	id := *api.Id
	if *api.Name != "SimpleCalc" || *api.Version != "2016-09-29T20:27:30Z" || api.CreatedDate == nil || len(api.Warnings) != 0 ||
		api.EndpointConfiguration == nil || api.EndpointConfiguration.Types[0] != types.EndpointTypeEdge {
		t.Fatalf("import-rest-api: %+v", api)
	}
	res, err := client.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: &id, Embed: []string{"methods"}})
	if err != nil {
		t.Fatal(err)
	}
	paths := map[string]types.Resource{}
	for _, r := range res.Items {
		paths[*r.Path] = r
	}
	if len(paths) != 4 || paths["/{a}/{b}"].ParentId == nil || *paths["/{a}/{b}"].ParentId != *paths["/{a}"].Id || *paths["/"].Id != *api.RootResourceId {
		t.Fatalf("resources %+v", res.Items)
	}
	m, err := client.GetMethod(ctx, &apigateway.GetMethodInput{RestApiId: &id, ResourceId: paths["/{a}/{b}"].Id, HttpMethod: aws.String("ANY")})
	if err != nil || m.MethodIntegration.Type != types.IntegrationTypeMock || !m.RequestParameters["method.request.path.b"] {
		t.Fatalf("get-method ANY: %+v %v", m, err)
	}
	models, err := client.GetModels(ctx, &apigateway.GetModelsInput{RestApiId: &id})
	if err != nil || len(models.Items) != 3 {
		t.Fatalf("get-models: %+v %v", models, err)
	}
	base := gw.URL + "/_aws/execute-api/" + id + "/demo"
	if status, _ := getStatus(t, base+"/1/2/add"); status == 200 {
		t.Fatal("served before create-deployment")
	}
	if _, err := client.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: &id, StageName: aws.String("demo")}); err != nil {
		t.Fatal(err)
	}
	want := `{"input":{"a":1,"b":2,"op":"add"},"output":{"c":3}}`
	compact := func(s string) string {
		var v any
		if json.Unmarshal([]byte(s), &v) != nil {
			return s
		}
		b, _ := json.Marshal(v)
		return string(b)
	}
	if status, body := getStatus(t, base+"/1/2/add"); status != 200 || compact(body) != want {
		t.Fatalf("GET /1/2/add: %d %s", status, body)
	}
	if status, body := getStatus(t, base+"/?a=6&b=3&op=div"); status != 200 || compact(body) != `{"input":{"a":6,"b":3,"op":"div"},"output":{"c":2}}` {
		t.Fatalf("GET /?a=6&b=3&op=div: %d %s", status, body)
	}
	resp, body := restDo(t, "POST", base+"/", "application/json", `{"a":5,"b":4,"op":"mul"}`, nil)
	if resp.StatusCode != 200 || compact(body) != `{"input":{"a":5,"b":4,"op":"mul"},"output":{"c":20}}` {
		t.Fatalf("POST /: %d %s", resp.StatusCode, body)
	}
	if status, body := getStatus(t, base+"/1/2"); status != 404 || compact(body) != `{"Message":"Can't GET /{a}/{b}"}` {
		t.Fatalf("GET /1/2 (MOCK): %d %s", status, body)
	}

	// put-rest-api --mode overwrite: the new tree is served after the
	// next deployment; the API keeps its ID and its stage.
	over := []byte(`{"swagger": "2.0", "info": {"title": "SimpleCalc", "version": "2"}, "paths": {"/ping": {"get": {
	  "responses": {"200": {"description": "ok"}},
	  "x-amazon-apigateway-integration": {"type": "mock", "requestTemplates": {"application/json": "{\"statusCode\": 200}"},
	    "responses": {"default": {"statusCode": "200", "responseTemplates": {"application/json": "{\"pong\": true}"}}}}}}}}`)
	put, err := client.PutRestApi(ctx, &apigateway.PutRestApiInput{RestApiId: &id, Mode: types.PutModeOverwrite, Body: over})
	if err != nil {
		t.Fatal(err)
	}
	if *put.Id != id || *put.Version != "2" || *put.RootResourceId != *api.RootResourceId {
		t.Fatalf("put-rest-api: %+v", put)
	}
	res, _ = client.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: &id})
	if len(res.Items) != 2 {
		t.Fatalf("after overwrite: %+v", res.Items)
	}
	if status, _ := getStatus(t, base+"/1/2/add"); status != 200 {
		t.Fatalf("the old deployment stopped serving: %d", status)
	}
	if _, err := client.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: &id, StageName: aws.String("demo")}); err != nil {
		t.Fatal(err)
	}
	if status, body := getStatus(t, base+"/ping"); status != 200 || body != `{"pong": true}` {
		t.Fatalf("GET /ping: %d %s", status, body)
	}
	if status, _ := getStatus(t, base+"/1/2/add"); status == 200 {
		t.Fatal("overwrite kept /{a}/{b}/{op}")
	}
	// merge (the default) adds to the tree.
	merge := []byte(`{"swagger": "2.0", "info": {"title": "SimpleCalc"}, "paths": {"/pong": {"get": {"x-amazon-apigateway-integration": {"type": "mock"}}}}}`)
	if _, err := client.PutRestApi(ctx, &apigateway.PutRestApiInput{RestApiId: &id, Body: merge}); err != nil {
		t.Fatal(err)
	}
	res, _ = client.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: &id})
	if len(res.Items) != 3 {
		t.Fatalf("after merge: %+v", res.Items)
	}

	// Errors: the document's problems with line and column; a file API.
	_, err = client.ImportRestApi(ctx, &apigateway.ImportRestApiInput{Body: []byte("{\"swagger\": \"2.0\",\n \"info\": {\"title\": \"x\"},\n \"paths\": {\"/a\": {\"get\": {\"x-amazon-apigateway-integration\": {\"type\": \"lambda\"}}}}}")})
	wantV2Error(t, err, 400, "BadRequestException", "Errors found during import:\n\tbody:3:71: paths[\"/a\"].get.x-amazon-apigateway-integration.type: Invalid integration type \"LAMBDA\": want aws, aws_proxy, http, http_proxy or mock")
	_, err = client.ImportRestApi(ctx, &apigateway.ImportRestApiInput{Body: []byte("swagger: '2.0'\ninfo: {title: x}\nx-amazon-apigateway-foo: 1\npaths: {}"), FailOnWarnings: true})
	wantV2Error(t, err, 400, "BadRequestException", "Warnings found during import:\n\tbody:3:1: Unsupported extension x-amazon-apigateway-foo ignored")
	_, err = client.ImportRestApi(ctx, &apigateway.ImportRestApiInput{Body: []byte("swagger: '2.0'\ninfo: {version: '1'}\npaths: {}")})
	wantV2Error(t, err, 400, "BadRequestException", "Errors found during import:\n\tbody: info.title: the API's name is required")
	_, err = client.PutRestApi(ctx, &apigateway.PutRestApiInput{RestApiId: aws.String("nope"), Body: merge})
	wantV2Error(t, err, 404, "NotFoundException", "Invalid Rest API Id specified")
}

// The AWS docs' request-validation sample, imported with the AWS CLI
// (import-rest-api --body fileb://), deployed, and called: its validators
// answer 400 as AWS's walkthrough shows, valid requests reach the backend.
func TestImportRestAPIRequestValidationAWSCLI(t *testing.T) {
	got := make(chan string, 8)
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.Method + " " + r.URL.RequestURI() + " h1=" + r.Header.Get("custom_h1")
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `[{"id":1,"type":"dog"}]`)
	}))
	defer backend.Close()
	gw := startGateway(t, controlYAML)
	doc, err := os.ReadFile("openapi/testdata/reqvalidators.json")
	if err != nil {
		t.Fatal(err)
	}
	doc = []byte(strings.ReplaceAll(string(doc), "http://petstore-demo-endpoint.execute-api.com", backend.URL))
	file := filepath.Join(t.TempDir(), "validation.json")
	if err := os.WriteFile(file, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	apigw, apigwv2 := awsCLI(t, gw, "apigateway"), awsCLI(t, gw, "apigatewayv2")
	api := apigw("import-rest-api", "--body", "fileb://"+file)
	id := api["id"].(string)
	if api["name"] != "ReqValidators Sample" || len(api["warnings"].([]any)) != 2 {
		t.Fatalf("import-rest-api: %v", api)
	}
	validators := apigw("get-request-validators", "--rest-api-id", id)["items"].([]any)
	if len(validators) != 2 {
		t.Fatalf("get-request-validators: %v", validators)
	}
	apigw("create-deployment", "--rest-api-id", id, "--stage-name", "test")
	base := gw.URL + "/_aws/execute-api/" + id + "/test"
	h1 := http.Header{"h1": {"v"}}
	for _, tc := range []struct {
		name, method, path, body string
		header                   http.Header
		status                   int
		want                     string
	}{
		{"GET without q1", "GET", "/validation", "", nil, 400, `{"message": "Missing required request parameters: [q1]"}`},
		{"GET with q1", "GET", "/validation?q1=cat", "", nil, 200, `[{"id":1,"type":"dog"}]`},
		{"POST without h1", "POST", "/validation", `{"name":"Rex","type":"dog","price":260}`, nil, 400, `{"message": "Missing required request parameters: [h1]"}`},
		{"POST with a bad body", "POST", "/validation", `{"name":"Rex","type":"bird","price":260}`, h1, 400, `{"message": "Invalid request body"}`},
		{"POST too cheap", "POST", "/validation", `{"name":"Rex","type":"dog","price":2}`, h1, 400, `{"message": "Invalid request body"}`},
		{"POST valid", "POST", "/validation", `{"name":"Rex","type":"dog","price":260}`, h1, 200, `[{"id":1,"type":"dog"}]`},
	} {
		resp, body := restDo(t, tc.method, base+tc.path, "application/json", tc.body, tc.header)
		if resp.StatusCode != tc.status || body != tc.want {
			t.Errorf("%s: %d %s, want %d %s", tc.name, resp.StatusCode, body, tc.status, tc.want)
		}
	}
	var calls []string
	for len(got) > 0 {
		calls = append(calls, <-got)
	}
	if strings.Join(calls, "\n") != "GET /petstore/pets?type=cat h1=\nPOST /petstore/pets h1=v" {
		t.Errorf("backend calls:\n%s", strings.Join(calls, "\n"))
	}

	// put-rest-api --mode overwrite with the CLI; then the v2 import-api.
	over := filepath.Join(t.TempDir(), "over.json")
	os.WriteFile(over, []byte(`{"swagger":"2.0","info":{"title":"v2"},"paths":{"/x":{"get":{"x-amazon-apigateway-integration":{"type":"mock"}}}}}`), 0o600)
	put := apigw("put-rest-api", "--rest-api-id", id, "--mode", "overwrite", "--body", "fileb://"+over)
	if put["name"] != "v2" {
		t.Fatalf("put-rest-api: %v", put)
	}
	if items := apigw("get-resources", "--rest-api-id", id)["items"].([]any); len(items) != 2 {
		t.Fatalf("get-resources after overwrite: %v", items)
	}

	httpDoc := filepath.Join(t.TempDir(), "http.yaml")
	os.WriteFile(httpDoc, []byte(`openapi: 3.0.1
info: {title: web}
paths:
  /pets:
    get:
      x-amazon-apigateway-integration: {type: http_proxy, httpMethod: GET, uri: '`+backend.URL+`/petstore/pets', payloadFormatVersion: "1.0"}
`), 0o600)
	v2 := apigwv2("import-api", "--body", "file://"+httpDoc)
	apiID := v2["ApiId"].(string)
	if v2["ProtocolType"] != "HTTP" || v2["Name"] != "web" {
		t.Fatalf("import-api: %v", v2)
	}
	apigwv2("create-stage", "--api-id", apiID, "--stage-name", "$default", "--auto-deploy")
	if status, body := getStatus(t, gw.URL+"/_aws/execute-api/"+apiID+"/pets"); status != 200 || body != `[{"id":1,"type":"dog"}]` {
		t.Fatalf("GET /pets: %d %s", status, body)
	}
}

// ImportApi and ReimportApi with the SDK: routes, a shared integration and
// a JWT authorizer; nothing served before a stage; reimport replaces the
// routes and a stage with autoDeploy serves them at once.
func TestImportAPIHTTPSDK(t *testing.T) {
	ctx := context.Background()
	backend := textServer(t, "hello")
	gw := startGateway(t, controlYAML)
	client := v2Client(gw)
	doc := `openapi: 3.0.1
info: {title: web, description: imported}
x-amazon-apigateway-cors: {allowOrigins: ["https://example.com"], allowMethods: [GET]}
components:
  x-amazon-apigateway-integrations:
    backend: {type: http_proxy, httpMethod: ANY, uri: '` + backend.URL + `/', payloadFormatVersion: "1.0"}
  securitySchemes:
    jwt:
      type: oauth2
      x-amazon-apigateway-authorizer:
        type: jwt
        identitySource: $request.header.Authorization
        jwtConfiguration: {issuer: 'https://issuer.example.com', audience: [aud]}
paths:
  /open:
    get:
      x-amazon-apigateway-integration: {$ref: '#/components/x-amazon-apigateway-integrations/backend'}
  /secret:
    get:
      security: [{jwt: []}]
      x-amazon-apigateway-integration: {$ref: '#/components/x-amazon-apigateway-integrations/backend'}
  /ignored:
    get:
      x-amazon-apigateway-integration: {$ref: '#/components/x-amazon-apigateway-integrations/backend'}
      x-amazon-apigateway-request-validator: all
`
	out, err := client.ImportApi(ctx, &apigatewayv2.ImportApiInput{Body: aws.String(doc)})
	if err != nil {
		t.Fatal(err)
	}
	id := *out.ApiId
	if out.ProtocolType != v2types.ProtocolTypeHttp || *out.Description != "imported" || out.CorsConfiguration == nil ||
		len(out.ImportInfo) != 1 || !strings.Contains(out.ImportInfo[0], "x-amazon-apigateway-request-validator") {
		t.Fatalf("import-api: %+v", out)
	}
	routes, err := client.GetRoutes(ctx, &apigatewayv2.GetRoutesInput{ApiId: &id})
	if err != nil || len(routes.Items) != 3 {
		t.Fatalf("get-routes: %+v %v", routes, err)
	}
	integ, _ := client.GetIntegrations(ctx, &apigatewayv2.GetIntegrationsInput{ApiId: &id})
	if len(integ.Items) != 1 {
		t.Fatalf("get-integrations: %+v (the routes share one)", integ.Items)
	}
	auth, _ := client.GetAuthorizers(ctx, &apigatewayv2.GetAuthorizersInput{ApiId: &id})
	if len(auth.Items) != 1 || auth.Items[0].AuthorizerType != v2types.AuthorizerTypeJwt {
		t.Fatalf("get-authorizers: %+v", auth.Items)
	}
	url := gw.URL + "/_aws/execute-api/" + id
	if status, _ := getStatus(t, url+"/open"); status == 200 {
		t.Fatal("served before a stage")
	}
	if _, err := client.CreateStage(ctx, &apigatewayv2.CreateStageInput{ApiId: &id, StageName: aws.String("$default"), AutoDeploy: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	if status, body := getStatus(t, url+"/open"); status != 200 || body != "hello" {
		t.Fatalf("GET /open: %d %q", status, body)
	}
	if status, _ := getStatus(t, url+"/secret"); status != 401 {
		t.Fatalf("GET /secret without a token: %d", status)
	}

	re, err := client.ReimportApi(ctx, &apigatewayv2.ReimportApiInput{ApiId: &id, Body: aws.String(`openapi: 3.0.1
info: {title: web2}
paths:
  /new:
    get:
      x-amazon-apigateway-integration: {type: http_proxy, httpMethod: GET, uri: '` + backend.URL + `/', payloadFormatVersion: "1.0"}
`)})
	if err != nil {
		t.Fatal(err)
	}
	if *re.Name != "web2" || *re.ApiId != id {
		t.Fatalf("reimport-api: %+v", re)
	}
	if status, body := getStatus(t, url+"/new"); status != 200 || body != "hello" {
		t.Fatalf("GET /new after reimport: %d %q", status, body)
	}
	if status, _ := getStatus(t, url+"/open"); status == 200 {
		t.Fatal("reimport kept /open")
	}

	_, err = client.ImportApi(ctx, &apigatewayv2.ImportApiInput{Body: aws.String("swagger: '2.0'\ninfo: {title: x}\npaths: {}")})
	wantV2Error(t, err, 400, "BadRequestException", "Errors found during import:\n\tbody:1:10: swagger: Invalid OpenAPI input: HTTP APIs import OpenAPI 3.0 documents only")
	_, err = client.ImportApi(ctx, &apigatewayv2.ImportApiInput{Body: aws.String(doc), FailOnWarnings: aws.Bool(true)})
	wantV2Error(t, err, 400, "BadRequestException", "Warnings found during import:\n\tbody:25:7: Unsupported extension x-amazon-apigateway-request-validator on route GET /ignored ignored")
	_, err = client.ReimportApi(ctx, &apigatewayv2.ReimportApiInput{ApiId: aws.String("nope123456"), Body: aws.String(doc)})
	wantV2Error(t, err, 404, "NotFoundException", "Invalid API identifier specified nope123456")
}

// The RestApi's own settings come from the document's extensions; a put
// to an API of the configuration file is refused.
func TestImportRestAPISettings(t *testing.T) {
	ctx := context.Background()
	gw := startGateway(t, controlYAML+`restApis:
  - restApiId: fileapi001
    name: from-the-file
    resources: {/a: {resourceMethods: {GET: {methodIntegration: {type: MOCK}}}}}
    stages: [{stageName: dev}]
`)
	client := v1Client(gw)
	doc := []byte(`openapi: 3.0.1
info: {title: settings, version: v7, description: all of them}
x-amazon-apigateway-api-key-source: AUTHORIZER
x-amazon-apigateway-binary-media-types: [image/png]
x-amazon-apigateway-minimum-compression-size: 1024
x-amazon-apigateway-endpoint-configuration: {types: [regional]}
x-amazon-apigateway-policy:
  Version: "2012-10-17"
  Statement: [{Effect: Allow, Principal: "*", Action: execute-api:Invoke, Resource: "*"}]
paths: {}
`)
	api, err := client.ImportRestApi(ctx, &apigateway.ImportRestApiInput{Body: doc})
	if err != nil {
		t.Fatal(err)
	}
	got, err := client.GetRestApi(ctx, &apigateway.GetRestApiInput{RestApiId: api.Id})
	if err != nil {
		t.Fatal(err)
	}
	if got.ApiKeySource != types.ApiKeySourceTypeAuthorizer || got.BinaryMediaTypes[0] != "image/png" || *got.MinimumCompressionSize != 1024 ||
		got.EndpointConfiguration.Types[0] != types.EndpointTypeRegional || *got.Version != "v7" || *got.Description != "all of them" ||
		!strings.Contains(*got.Policy, `"Action":"execute-api:Invoke"`) {
		t.Fatalf("get-rest-api: %+v", got)
	}
	if len(api.Warnings) != 1 || !strings.Contains(api.Warnings[0], "x-amazon-apigateway-policy") {
		t.Errorf("warnings %q", api.Warnings)
	}
	_, err = client.PutRestApi(ctx, &apigateway.PutRestApiInput{RestApiId: aws.String("fileapi001"), Body: doc})
	wantV2Error(t, err, 400, "BadRequestException", "REST API fileapi001 is managed by the configuration file; change it there (the control plane changes only the APIs it created)")
}
