package control_test

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	v2types "github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"gopkg.in/yaml.v3"

	"github.com/portico-gw/portico/config"
	"github.com/portico-gw/portico/control"
)

// exportDoc decodes an exported document, JSON or YAML, into JSON's shapes.
func exportDoc(t testing.TB, b []byte, asYAML bool) map[string]any {
	t.Helper()
	var v any
	if asYAML {
		if err := yaml.Unmarshal(b, &v); err != nil {
			t.Fatalf("the YAML does not parse: %v\n%s", err, b)
		}
		j, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		b = j
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("the JSON does not parse: %v\n%s", err, b)
	}
	return m
}

// at walks doc by keys.
func at(t testing.TB, doc any, keys ...string) any {
	t.Helper()
	v := doc
	for i, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("at %v: %T is not an object", keys[:i], v)
		}
		if v, ok = m[k]; !ok {
			t.Fatalf("at %v: no %q in %v", keys[:i], k, m)
		}
	}
	return v
}

func wantJSON(t testing.TB, what string, got any, want string) {
	t.Helper()
	var w any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, w) {
		g, _ := json.Marshal(got)
		t.Errorf("%s:\n got %s\nwant %s", what, g, want)
	}
}

// buildExportedRest makes, through the SDK, a REST API with two methods, a
// model, a TOKEN authorizer, a validator, method and integration
// responses, and deploys it to prod; then adds a method prod does not
// serve.
func buildExportedRest(t testing.TB, c *apigateway.Client) (id string) {
	t.Helper()
	ctx := context.Background()
	api, err := c.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("pets"), Description: aws.String("export me"),
		BinaryMediaTypes: []string{"image/png"}, ApiKeySource: types.ApiKeySourceTypeAuthorizer,
		DisableExecuteApiEndpoint: true})
	if err != nil {
		t.Fatal(err)
	}
	id = *api.Id
	pets, err := c.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: &id, ParentId: api.RootResourceId, PathPart: aws.String("pets")})
	if err != nil {
		t.Fatal(err)
	}
	pet, err := c.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: &id, ParentId: pets.Id, PathPart: aws.String("{petId}")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateModel(ctx, &apigateway.CreateModelInput{RestApiId: &id, Name: aws.String("NewPet"), ContentType: aws.String("application/json"),
		Schema: aws.String(`{"$schema":"http://json-schema.org/draft-04/schema#","type":"object","required":["type"],"properties":{"type":{"type":"string"}}}`)}); err != nil {
		t.Fatal(err)
	}
	au, err := c.CreateAuthorizer(ctx, &apigateway.CreateAuthorizerInput{RestApiId: &id, Name: aws.String("tok"), Type: types.AuthorizerTypeToken,
		AuthorizerUri:  aws.String("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:auth/invocations"),
		IdentitySource: aws.String("method.request.header.Authorization")})
	if err != nil {
		t.Fatal(err)
	}
	val, err := c.CreateRequestValidator(ctx, &apigateway.CreateRequestValidatorInput{RestApiId: &id, Name: aws.String("all"),
		ValidateRequestBody: true, ValidateRequestParameters: true})
	if err != nil {
		t.Fatal(err)
	}
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(c.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: &id, ResourceId: pets.Id, HttpMethod: aws.String("GET"),
		AuthorizationType: aws.String("NONE"), RequestParameters: map[string]bool{"method.request.querystring.type": false}}))
	must(c.PutMethodResponse(ctx, &apigateway.PutMethodResponseInput{RestApiId: &id, ResourceId: pets.Id, HttpMethod: aws.String("GET"),
		StatusCode: aws.String("200"), ResponseParameters: map[string]bool{"method.response.header.X-Count": false},
		ResponseModels: map[string]string{"application/json": "NewPet"}}))
	must(c.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: &id, ResourceId: pets.Id, HttpMethod: aws.String("GET"),
		Type: types.IntegrationTypeHttp, IntegrationHttpMethod: aws.String("GET"), Uri: aws.String("http://backend.example/pets"),
		RequestParameters: map[string]string{"integration.request.querystring.kind": "method.request.querystring.type"}}))
	must(c.PutIntegrationResponse(ctx, &apigateway.PutIntegrationResponseInput{RestApiId: &id, ResourceId: pets.Id, HttpMethod: aws.String("GET"),
		StatusCode: aws.String("200"), ResponseParameters: map[string]string{"method.response.header.X-Count": "'3'"}}))
	must(c.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: &id, ResourceId: pet.Id, HttpMethod: aws.String("POST"),
		AuthorizationType: aws.String("CUSTOM"), AuthorizerId: au.Id, ApiKeyRequired: true, RequestValidatorId: val.Id,
		RequestModels: map[string]string{"application/json": "NewPet"}}))
	must(c.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: &id, ResourceId: pet.Id, HttpMethod: aws.String("POST"),
		Type: types.IntegrationTypeMock, RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`}}))
	must(c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: &id, StageName: aws.String("prod")}))
	must(c.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: &id, ResourceId: pets.Id, HttpMethod: aws.String("DELETE"),
		AuthorizationType: aws.String("NONE")}))
	return id
}

// withAccept sends accept as the Accept header. aws-sdk-go-v2's apigateway
// client writes GetExportInput.Accepts and then overwrites every Accept
// header with application/json (its AcceptHeader build step), so without
// this a Go program cannot ask for YAML; the AWS CLI sends --accepts.
func withAccept(accept string) func(*apigateway.Options) {
	return apigateway.WithAPIOptions(func(stack *middleware.Stack) error {
		return stack.Build.Add(middleware.BuildMiddlewareFunc("PorticoTestAccept", func(ctx context.Context, in middleware.BuildInput,
			next middleware.BuildHandler) (middleware.BuildOutput, middleware.Metadata, error) {
			if req, ok := in.Request.(*smithyhttp.Request); ok {
				req.Header.Set("Accept", accept)
			}
			return next.HandleBuild(ctx, in)
		}), middleware.After)
	})
}

// get-export in the four formats: the document parses and carries what
// was deployed to the stage (not what changed since).
func TestGetExportFormats(t *testing.T) {
	ctx := context.Background()
	n := newNode(t, nil)
	c := newV1Client(n.URL)
	id := buildExportedRest(t, c)
	for _, tc := range []struct {
		typ, accept string
	}{
		{"oas30", "application/json"}, {"oas30", "application/yaml"},
		{"swagger", "application/json"}, {"swagger", "application/yaml"},
	} {
		t.Run(tc.typ+" "+tc.accept, func(t *testing.T) {
			out, err := c.GetExport(ctx, &apigateway.GetExportInput{RestApiId: &id, StageName: aws.String("prod"), ExportType: &tc.typ,
				Accepts: &tc.accept, Parameters: map[string]string{"extensions": "integrations,authorizers,validators"}}, withAccept(tc.accept))
			if err != nil {
				t.Fatal(err)
			}
			if *out.ContentType != tc.accept || out.ContentDisposition == nil || *out.ContentDisposition == "" {
				t.Errorf("Content-Type %v, Content-Disposition %v", aws.ToString(out.ContentType), aws.ToString(out.ContentDisposition))
			}
			doc := exportDoc(t, out.Body, tc.accept == "application/yaml")
			swagger := tc.typ == "swagger"
			ref := "#/components/schemas/NewPet"
			if swagger {
				ref = "#/definitions/NewPet"
				wantJSON(t, "swagger", doc["swagger"], `"2.0"`)
				wantJSON(t, "basePath", doc["basePath"], `"/prod"`)
				wantJSON(t, "host", doc["host"], `"`+id+`.execute-api.us-east-1.amazonaws.com"`)
			} else {
				wantJSON(t, "openapi", doc["openapi"], `"3.0.1"`)
				wantJSON(t, "servers", doc["servers"], `[{"url":"https://`+id+`.execute-api.us-east-1.amazonaws.com/{basePath}","variables":{"basePath":{"default":"/prod"}}}]`)
			}
			wantJSON(t, "title", at(t, doc, "info", "title"), `"pets"`)
			if _, ok := at(t, doc, "paths", "/pets").(map[string]any)["delete"]; ok {
				t.Error("DELETE /pets was added after the deployment and is exported")
			}
			get := at(t, doc, "paths", "/pets", "get")
			if swagger {
				wantJSON(t, "GET parameters", at(t, get, "parameters"), `[{"name":"type","in":"query","required":false,"type":"string"}]`)
				wantJSON(t, "GET 200", at(t, get, "responses", "200"), `{"description":"200 response","headers":{"X-Count":{"type":"string"}},"schema":{"$ref":"`+ref+`"}}`)
			} else {
				wantJSON(t, "GET parameters", at(t, get, "parameters"), `[{"name":"type","in":"query","schema":{"type":"string"}}]`)
				wantJSON(t, "GET 200", at(t, get, "responses", "200"), `{"description":"200 response","headers":{"X-Count":{"schema":{"type":"string"}}},
					"content":{"application/json":{"schema":{"$ref":"`+ref+`"}}}}`)
			}
			integ := at(t, get, "x-amazon-apigateway-integration").(map[string]any)
			if integ["type"] != "http" || integ["uri"] != "http://backend.example/pets" || integ["httpMethod"] != "GET" {
				t.Errorf("GET integration %v", integ)
			}
			wantJSON(t, "GET integration requestParameters", integ["requestParameters"], `{"integration.request.querystring.kind":"method.request.querystring.type"}`)
			wantJSON(t, "GET integration responses", integ["responses"], `{"default":{"statusCode":"200","responseParameters":{"method.response.header.X-Count":"'3'"}}}`)

			post := at(t, doc, "paths", "/pets/{petId}", "post")
			wantJSON(t, "POST security", at(t, post, "security"), `[{"tok":[],"api_key":[]}]`)
			wantJSON(t, "POST validator", at(t, post, "x-amazon-apigateway-request-validator"), `"all"`)
			wantJSON(t, "validators", doc["x-amazon-apigateway-request-validators"], `{"all":{"validateRequestBody":true,"validateRequestParameters":true}}`)
			if swagger {
				wantJSON(t, "POST parameters", at(t, post, "parameters"), `[{"name":"petId","in":"path","required":true,"type":"string"},
					{"in":"body","name":"NewPet","required":true,"schema":{"$ref":"`+ref+`"}}]`)
			} else {
				wantJSON(t, "POST parameters", at(t, post, "parameters"), `[{"name":"petId","in":"path","required":true,"schema":{"type":"string"}}]`)
				wantJSON(t, "POST body", at(t, post, "requestBody"), `{"content":{"application/json":{"schema":{"$ref":"`+ref+`"}}},"required":true}`)
			}
			schemas, schemes := []string{"definitions"}, []string{"securityDefinitions"}
			if !swagger {
				schemas, schemes = []string{"components", "schemas"}, []string{"components", "securitySchemes"}
			}
			wantJSON(t, "NewPet", at(t, doc, append(schemas, "NewPet")...), `{"type":"object","required":["type"],"properties":{"type":{"type":"string"}}}`)
			wantJSON(t, "tok", at(t, doc, append(schemes, "tok")...), `{"type":"apiKey","name":"Authorization","in":"header",
				"x-amazon-apigateway-authtype":"custom","x-amazon-apigateway-authorizer":{"type":"token",
				"authorizerUri":"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:auth/invocations",
				"authorizerResultTtlInSeconds":300}}`)
			if _, ok := doc["x-amazon-apigateway-binary-media-types"]; ok {
				t.Error("binary media types without extensions=apigateway")
			}
		})
	}

	out, err := c.GetExport(ctx, &apigateway.GetExportInput{RestApiId: &id, StageName: aws.String("prod"), ExportType: aws.String("oas30"),
		Parameters: map[string]string{"extensions": "apigateway"}})
	if err != nil {
		t.Fatal(err)
	}
	doc := exportDoc(t, out.Body, false)
	wantJSON(t, "binary media types", doc["x-amazon-apigateway-binary-media-types"], `["image/png"]`)
	wantJSON(t, "endpoint configuration", doc["x-amazon-apigateway-endpoint-configuration"], `{"disableExecuteApiEndpoint":true}`)
	wantJSON(t, "api key source", doc["x-amazon-apigateway-api-key-source"], `"AUTHORIZER"`)
}

func TestGetExportErrors(t *testing.T) {
	ctx := context.Background()
	n := newNode(t, nil)
	c := newV1Client(n.URL)
	id := buildExportedRest(t, c)
	_, err := c.GetExport(ctx, &apigateway.GetExportInput{RestApiId: &id, StageName: aws.String("nope"), ExportType: aws.String("oas30")})
	wantV1Error(t, err, "NotFoundException", "Invalid stage identifier specified")
	_, err = c.GetExport(ctx, &apigateway.GetExportInput{RestApiId: aws.String("nope000000"), StageName: aws.String("prod"), ExportType: aws.String("oas30")})
	wantV1Error(t, err, "NotFoundException", "Invalid Rest API Id specified")
	_, err = c.GetExport(ctx, &apigateway.GetExportInput{RestApiId: &id, StageName: aws.String("prod"), ExportType: aws.String("raml")})
	wantV1Error(t, err, "BadRequestException", "Invalid export type specified: raml")
	_, err = c.GetExport(ctx, &apigateway.GetExportInput{RestApiId: &id, StageName: aws.String("prod"), ExportType: aws.String("oas30"),
		Accepts: aws.String("text/csv")}, withAccept("text/csv"))
	wantV1Error(t, err, "BadRequestException", "Unsupported content type specified: text/csv")

	res, err := c.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: &id})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res.Items {
		if *r.Path == "/pets" {
			if _, err := c.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: &id, ResourceId: r.Id, HttpMethod: aws.String("PUT"),
				AuthorizationType: aws.String("NONE"), RequestModels: map[string]string{"application/xml": "NewPet"}}); err != nil {
				t.Fatal(err)
			}
			if _, err := c.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: &id, ResourceId: r.Id, HttpMethod: aws.String("PUT"),
				Type: types.IntegrationTypeMock}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: &id, StageName: aws.String("xml")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetExport(ctx, &apigateway.GetExportInput{RestApiId: &id, StageName: aws.String("xml"), ExportType: aws.String("swagger")})
	wantV1Error(t, err, "BadRequestException", "Only found non-JSON body models for PUT /pets")
	if _, err := c.GetExport(ctx, &apigateway.GetExportInput{RestApiId: &id, StageName: aws.String("prod"), ExportType: aws.String("swagger")}); err != nil {
		t.Fatalf("prod, deployed before the XML method: %v", err)
	}
}

// buildExportedHTTP makes an HTTP API with a JWT-guarded route and CORS,
// deployed to prod, then adds a route prod does not serve.
func buildExportedHTTP(t testing.TB, c *apigatewayv2.Client) string {
	t.Helper()
	ctx := context.Background()
	api, err := c.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("items"), ProtocolType: v2types.ProtocolTypeHttp,
		CorsConfiguration: &v2types.Cors{AllowOrigins: []string{"https://example.com"}, AllowMethods: []string{"GET"}}})
	if err != nil {
		t.Fatal(err)
	}
	id := api.ApiId
	in, err := c.CreateIntegration(ctx, &apigatewayv2.CreateIntegrationInput{ApiId: id, IntegrationType: v2types.IntegrationTypeHttpProxy,
		IntegrationUri: aws.String("http://backend.example/items"), IntegrationMethod: aws.String("GET"), PayloadFormatVersion: aws.String("1.0")})
	if err != nil {
		t.Fatal(err)
	}
	au, err := c.CreateAuthorizer(ctx, &apigatewayv2.CreateAuthorizerInput{ApiId: id, Name: aws.String("jwt"), AuthorizerType: v2types.AuthorizerTypeJwt,
		IdentitySource:   []string{"$request.header.Authorization"},
		JwtConfiguration: &v2types.JWTConfiguration{Issuer: aws.String("https://issuer.example"), Audience: []string{"aud1"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: id, RouteKey: aws.String("GET /items/{id}"),
		Target: aws.String("integrations/" + *in.IntegrationId), AuthorizationType: v2types.AuthorizationTypeJwt, AuthorizerId: au.AuthorizerId,
		AuthorizationScopes: []string{"read"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateStage(ctx, &apigatewayv2.CreateStageInput{ApiId: id, StageName: aws.String("prod")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateDeployment(ctx, &apigatewayv2.CreateDeploymentInput{ApiId: id, StageName: aws.String("prod")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: id, RouteKey: aws.String("POST /items"),
		Target: aws.String("integrations/" + *in.IntegrationId)}); err != nil {
		t.Fatal(err)
	}
	return *id
}

// export-api: the stage's deployment with stageName, the current routes
// without; JSON and YAML; extensions or not.
func TestExportAPI(t *testing.T) {
	ctx := context.Background()
	n := newNode(t, nil)
	id := buildExportedHTTP(t, n.client)
	for _, tc := range []struct {
		name, stage string
		out         string
		ext         *bool
		routes      int
	}{
		{"stage json", "prod", "JSON", nil, 1},
		{"stage yaml", "prod", "YAML", nil, 1},
		{"current yaml", "", "YAML", nil, 2},
		{"current json without extensions", "", "JSON", aws.Bool(false), 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := &apigatewayv2.ExportApiInput{ApiId: &id, Specification: aws.String("OAS30"), OutputType: &tc.out, IncludeExtensions: tc.ext}
			if tc.stage != "" {
				in.StageName = &tc.stage
			}
			out, err := n.client.ExportApi(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			doc := exportDoc(t, out.Body, tc.out == "YAML")
			wantJSON(t, "openapi", doc["openapi"], `"3.0.1"`)
			wantJSON(t, "title", at(t, doc, "info", "title"), `"items"`)
			if got := len(at(t, doc, "paths").(map[string]any)); got != tc.routes {
				t.Errorf("%d paths, want %d", got, tc.routes)
			}
			get := at(t, doc, "paths", "/items/{id}", "get").(map[string]any)
			wantJSON(t, "security", get["security"], `[{"jwt":["read"]}]`)
			wantJSON(t, "parameters", get["parameters"], `[{"name":"id","in":"path","required":true,"schema":{"type":"string"}}]`)
			if tc.ext != nil {
				for _, k := range []string{"x-amazon-apigateway-cors", "x-amazon-apigateway-importexport-version"} {
					if _, ok := doc[k]; ok {
						t.Errorf("%s with includeExtensions=false", k)
					}
				}
				return
			}
			wantJSON(t, "integration", get["x-amazon-apigateway-integration"], `{"type":"http_proxy","uri":"http://backend.example/items",
				"httpMethod":"GET","payloadFormatVersion":"1.0","connectionType":"INTERNET"}`)
			wantJSON(t, "cors", doc["x-amazon-apigateway-cors"], `{"allowOrigins":["https://example.com"],"allowMethods":["GET"],"allowCredentials":false}`)
			wantJSON(t, "jwt", at(t, doc, "components", "securitySchemes", "jwt"), `{"type":"oauth2","flows":{},"x-amazon-apigateway-authorizer":{
				"type":"jwt","identitySource":"$request.header.Authorization","jwtConfiguration":{"issuer":"https://issuer.example","audience":["aud1"]}}}`)
			wantJSON(t, "importexport version", doc["x-amazon-apigateway-importexport-version"], `"1.0"`)
		})
	}
}

func TestExportAPIErrors(t *testing.T) {
	ctx := context.Background()
	n := newNode(t, nil)
	id := buildExportedHTTP(t, n.client)
	_, err := n.client.ExportApi(ctx, &apigatewayv2.ExportApiInput{ApiId: &id, Specification: aws.String("OAS30"), OutputType: aws.String("JSON"), StageName: aws.String("nope")})
	wantAPIError[*v2types.NotFoundException](t, err, "NotFoundException", "Invalid stage identifier specified nope")
	_, err = n.client.ExportApi(ctx, &apigatewayv2.ExportApiInput{ApiId: &id, Specification: aws.String("OAS30"), OutputType: aws.String("XML")})
	wantAPIError[*v2types.BadRequestException](t, err, "BadRequestException", "")
	_, err = n.client.ExportApi(ctx, &apigatewayv2.ExportApiInput{ApiId: &id, Specification: aws.String("RAML"), OutputType: aws.String("JSON")})
	wantAPIError[*v2types.BadRequestException](t, err, "BadRequestException", "")
	ws, err := n.client.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("ws"), ProtocolType: v2types.ProtocolTypeWebsocket,
		RouteSelectionExpression: aws.String("$request.body.action")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = n.client.ExportApi(ctx, &apigatewayv2.ExportApiInput{ApiId: ws.ApiId, Specification: aws.String("OAS30"), OutputType: aws.String("JSON")})
	wantAPIError[*v2types.BadRequestException](t, err, "BadRequestException", "")
}

// A file-managed HTTP API exports its configuration.
func TestExportAPIFromTheFile(t *testing.T) {
	n := newNode(t, nil)
	out, err := n.client.ExportApi(context.Background(), &apigatewayv2.ExportApiInput{ApiId: aws.String("fromfile01"), Specification: aws.String("OAS30"),
		OutputType: aws.String("JSON"), StageName: aws.String("$default")})
	if err != nil {
		t.Fatal(err)
	}
	doc := exportDoc(t, out.Body, false)
	wantJSON(t, "$default route", at(t, doc, "paths", "/$default", "x-amazon-apigateway-any-method", "x-amazon-apigateway-integration"),
		`{"type":"http_proxy","uri":"http://127.0.0.1:9/","payloadFormatVersion":"1.0","connectionType":"INTERNET"}`)
	wantJSON(t, "servers", doc["servers"], `[{"url":"https://fromfile01.execute-api.us-east-1.amazonaws.com/{basePath}","variables":{"basePath":{"default":""}}}]`)
}

// A REST API of the configuration file exports what the file says.
func TestGetExportFromTheFile(t *testing.T) {
	const restFile = `
admin: 127.0.0.1:0
credentials: [{accessKeyId: AKIDEXAMPLE, secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}]
restApis:
  - restApiId: filerest01
    name: hello
    resources:
      /hello:
        resourceMethods:
          GET:
            requestParameters: {method.request.querystring.who: true}
            methodIntegration:
              type: MOCK
              requestTemplates: {application/json: '{"statusCode": 200}'}
              integrationResponses: {"200": {responseTemplates: {application/json: '{"hi": true}'}}}
            methodResponses: {"200": {}}
    stages: [{stageName: v1}]
`
	f, err := config.Parse("rest.yaml", []byte(restFile))
	if err != nil {
		t.Fatal(err)
	}
	n := newNode(t, nil, func(c *control.Config) { c.File = f })
	c := newV1Client(n.URL)
	ctx := context.Background()
	out, err := c.GetExport(ctx, &apigateway.GetExportInput{RestApiId: aws.String("filerest01"), StageName: aws.String("v1"),
		ExportType: aws.String("oas30"), Parameters: map[string]string{"extensions": "integrations"}})
	if err != nil {
		t.Fatal(err)
	}
	doc := exportDoc(t, out.Body, false)
	wantJSON(t, "GET /hello", at(t, doc, "paths", "/hello", "get"), `{
		"parameters":[{"name":"who","in":"query","required":true,"schema":{"type":"string"}}],
		"responses":{"200":{"description":"200 response","content":{}}},
		"x-amazon-apigateway-integration":{"type":"mock","requestTemplates":{"application/json":"{\"statusCode\": 200}"},
			"responses":{"default":{"statusCode":"200","responseTemplates":{"application/json":"{\"hi\": true}"}}}}}`)
	wantJSON(t, "servers", doc["servers"], `[{"url":"https://filerest01.execute-api.us-east-1.amazonaws.com/{basePath}","variables":{"basePath":{"default":"/v1"}}}]`)
	_, err = c.GetExport(ctx, &apigateway.GetExportInput{RestApiId: aws.String("filerest01"), StageName: aws.String("v2"), ExportType: aws.String("oas30")})
	wantV1Error(t, err, "NotFoundException", "Invalid stage identifier specified")
}
