package openapi

import (
	"errors"
	"reflect"
	"testing"

	"github.com/portico-gw/portico/config"
)

// expHTTPAPI is an HTTP API with a Lambda proxy, an HTTP proxy, a JWT and a
// Lambda authorizer, CORS and the $default route.
func expHTTPAPI() config.API {
	return config.API{
		APIID: "a1b2c3d4e5", Name: "pets-http", ProtocolType: "HTTP",
		CorsConfiguration: &config.Cors{AllowOrigins: []string{"https://example.com"}, AllowMethods: []string{"GET", "POST"}, MaxAge: expIntPtr(300)},
		Integrations: []config.Integration{
			{IntegrationID: "lam0001", IntegrationType: "AWS_PROXY", PayloadFormatVersion: "2.0", IntegrationMethod: "POST",
				IntegrationURI: "arn:aws:lambda:us-east-1:123456789012:function:Pets", TimeoutInMillis: 30000},
			{IntegrationID: "http001", IntegrationType: "HTTP_PROXY", PayloadFormatVersion: "1.0", IntegrationMethod: "ANY",
				IntegrationURI:     "http://petstore.example.com/{proxy}",
				RequestParameters:  map[string]string{"append:header.x-from": "portico"},
				ResponseParameters: map[string]map[string]string{"404": {"overwrite:statuscode": "410"}}},
		},
		Routes: []config.Route{
			{RouteKey: "GET /pets", Target: "integrations/lam0001", AuthorizationType: "JWT", AuthorizerID: "jwt0001", AuthorizationScopes: []string{"pets:read"}},
			{RouteKey: "POST /pets/{petId}", Target: "integrations/lam0001", AuthorizationType: "CUSTOM", AuthorizerID: "lam-auth"},
			{RouteKey: "ANY /store/{proxy+}", Target: "integrations/http001", AuthorizationType: "AWS_IAM"},
			{RouteKey: "$default", Target: "integrations/http001"},
		},
		Authorizers: []config.Authorizer{
			{AuthorizerID: "jwt0001", Name: "cognito", AuthorizerType: "JWT", IdentitySource: []string{"$request.header.Authorization"},
				JWTConfiguration: &config.JWTConfiguration{Issuer: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc", Audience: []string{"client1"}}},
			{AuthorizerID: "lam-auth", Name: "lambda-auth", AuthorizerType: "REQUEST", IdentitySource: []string{"$request.header.X-Key"},
				AuthorizerURI:                  "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:Auth/invocations",
				AuthorizerPayloadFormatVersion: "2.0", EnableSimpleResponses: true, AuthorizerResultTTLInSeconds: expIntPtr(0)},
		},
	}
}

func TestExportHTTP(t *testing.T) {
	for _, asYAML := range []bool{false, true} {
		b, err := ExportHTTP(expHTTPAPI(), ExportOptions{Spec: "oas30", YAML: asYAML, Extensions: []string{"apigateway"}, Stage: "prod",
			ServerURL: "http://127.0.0.1:8080/_aws/execute-api/a1b2c3d4e5", Version: "2024-01-02T03:04:05Z"})
		if err != nil {
			t.Fatal(err)
		}
		doc := expDecode(t, b, asYAML)
		expEqual(t, "openapi", doc["openapi"], `"3.0.1"`)
		expEqual(t, "importexport version", doc["x-amazon-apigateway-importexport-version"], `"1.0"`)
		expEqual(t, "info", doc["info"], `{"title":"pets-http","version":"2024-01-02T03:04:05Z"}`)
		expEqual(t, "servers", doc["servers"], `[{"url":"http://127.0.0.1:8080/_aws/execute-api/a1b2c3d4e5/{basePath}","variables":{"basePath":{"default":"/prod"}}}]`)
		expEqual(t, "cors", doc["x-amazon-apigateway-cors"], `{"allowOrigins":["https://example.com"],"allowMethods":["GET","POST"],"maxAge":300,"allowCredentials":false}`)
		expEqual(t, "GET /pets", expAt(t, doc, "paths", "/pets", "get"), `{
			"responses":{"default":{"description":"Default response for GET /pets"}},
			"security":[{"cognito":["pets:read"]}],
			"x-amazon-apigateway-integration":{"type":"aws_proxy","payloadFormatVersion":"2.0","httpMethod":"POST",
				"uri":"arn:aws:lambda:us-east-1:123456789012:function:Pets","connectionType":"INTERNET","timeoutInMillis":30000}}`)
		expEqual(t, "POST /pets/{petId} parameters", expAt(t, doc, "paths", "/pets/{petId}", "post", "parameters"),
			`[{"name":"petId","in":"path","required":true,"schema":{"type":"string"}}]`)
		expEqual(t, "POST /pets/{petId} security", expAt(t, doc, "paths", "/pets/{petId}", "post", "security"), `[{"lambda-auth":[]}]`)
		anyM := expAt(t, doc, "paths", "/store/{proxy+}", "x-amazon-apigateway-any-method")
		expEqual(t, "ANY security", expAt(t, anyM, "security"), `[{"sigv4":[]}]`)
		expEqual(t, "ANY parameters", expAt(t, anyM, "parameters"), `[{"name":"proxy+","in":"path","required":true,"schema":{"type":"string"}}]`)
		expEqual(t, "ANY integration", expAt(t, anyM, "x-amazon-apigateway-integration"), `{"type":"http_proxy","payloadFormatVersion":"1.0",
			"httpMethod":"ANY","uri":"http://petstore.example.com/{proxy}","connectionType":"INTERNET",
			"requestParameters":{"append:header.x-from":"portico"},"responseParameters":{"404":{"overwrite:statuscode":"410"}}}`)
		expEqual(t, "$default", expAt(t, doc, "paths", "/$default", "x-amazon-apigateway-any-method", "isDefaultRoute"), `true`)
		expEqual(t, "JWT scheme", expAt(t, doc, "components", "securitySchemes", "cognito"), `{"type":"oauth2","flows":{},
			"x-amazon-apigateway-authorizer":{"type":"jwt","identitySource":"$request.header.Authorization",
				"jwtConfiguration":{"issuer":"https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc","audience":["client1"]}}}`)
		expEqual(t, "Lambda scheme", expAt(t, doc, "components", "securitySchemes", "lambda-auth"), `{"type":"apiKey","name":"X-Key","in":"header",
			"x-amazon-apigateway-authorizer":{"type":"request","identitySource":"$request.header.X-Key",
				"authorizerUri":"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:Auth/invocations",
				"authorizerPayloadFormatVersion":"2.0","enableSimpleResponses":true,"authorizerResultTtlInSeconds":0}}`)
	}
}

func TestExportHTTPWithoutExtensions(t *testing.T) {
	b, err := ExportHTTP(expHTTPAPI(), ExportOptions{Spec: "oas30"})
	if err != nil {
		t.Fatal(err)
	}
	doc := expDecode(t, b, false)
	for _, k := range []string{"x-amazon-apigateway-cors", "x-amazon-apigateway-importexport-version"} {
		if _, ok := doc[k]; ok {
			t.Errorf("%s without extensions", k)
		}
	}
	if _, ok := expAt(t, doc, "paths", "/pets", "get").(map[string]any)["x-amazon-apigateway-integration"]; ok {
		t.Error("an integration without extensions")
	}
	expEqual(t, "servers", doc["servers"], `[{"url":"https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/{basePath}","variables":{"basePath":{"default":""}}}]`)
}

func TestExportHTTPRefusesWebSocket(t *testing.T) {
	_, err := ExportHTTP(config.API{APIID: "ws", ProtocolType: "WEBSOCKET"}, ExportOptions{})
	if !errors.Is(err, errExpNotHTTP) {
		t.Errorf("a WebSocket API: %v", err)
	}
	if _, err := ExportHTTP(expHTTPAPI(), ExportOptions{Spec: "swagger"}); err == nil {
		t.Error("an HTTP API as Swagger 2: no error")
	}
}

// FuzzExportHTTP feeds arbitrary route keys, URIs and identity sources to
// ExportHTTP: a document that parses, the same in JSON and YAML, or an
// error; never a panic.
func FuzzExportHTTP(f *testing.F) {
	f.Add("GET /pets/{id}", "http://example.com/{id}", "$request.header.Authorization", "prod")
	f.Add("$default", "arn:aws:lambda:us-east-1:123456789012:function:f", "", "$default")
	f.Add("ANY /{proxy+}", "", "$request.querystring.q", "")
	f.Add("POST", "\n", "\xff", "a b")
	f.Fuzz(func(t *testing.T, routeKey, uri, identity, stage string) {
		api := config.API{APIID: "fuzz", Name: routeKey, ProtocolType: "HTTP",
			Integrations: []config.Integration{{IntegrationID: "i", IntegrationType: "HTTP_PROXY", IntegrationURI: uri}},
			Routes: []config.Route{{RouteKey: routeKey, Target: "integrations/i", AuthorizationType: "CUSTOM", AuthorizerID: "a"},
				{RouteKey: "GET /" + uri, AuthorizationType: "JWT", AuthorizerID: "j"}},
			Authorizers: []config.Authorizer{{AuthorizerID: "a", Name: identity, AuthorizerType: "REQUEST", IdentitySource: []string{identity}},
				{AuthorizerID: "j", Name: uri, AuthorizerType: "JWT", IdentitySource: []string{identity},
					JWTConfiguration: &config.JWTConfiguration{Issuer: uri, Audience: []string{stage}}}},
			CorsConfiguration: &config.Cors{AllowOrigins: []string{uri}},
		}
		var docs []map[string]any
		for _, asYAML := range []bool{false, true} {
			b, err := ExportHTTP(api, ExportOptions{YAML: asYAML, Extensions: []string{"apigateway"}, Stage: stage})
			if err != nil {
				t.Fatal(err)
			}
			docs = append(docs, expDecode(t, b, asYAML))
		}
		if !reflect.DeepEqual(docs[0], docs[1]) {
			t.Errorf("the JSON and the YAML say different things:\n%v\n%v", docs[0], docs[1])
		}
	})
}
