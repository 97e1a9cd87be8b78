package template

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// OpenAPI definitions (inline with intrinsics, a local DefinitionUri, a
// BodyS3Location whose Key is a local file, a v2 Body) build their APIs,
// and the functions' events are added to them as SAM merges them.
func TestOpenAPIDefinitions(t *testing.T) {
	path := writeTemplate(t, "t.yaml", `Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs20.x
      Handler: index.handler
      CodeUri: code
      Events:
        Get: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /extra, Method: get}}
        Http: {Type: HttpApi, Properties: {ApiId: !Ref Web, Path: /fromfn, Method: GET}}
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      DefinitionBody:
        openapi: 3.0.1
        info: {title: pets}
        x-amazon-apigateway-binary-media-types: [image/png]
        components:
          securitySchemes:
            tok:
              type: apiKey
              name: Authorization
              in: header
              x-amazon-apigateway-authorizer: {type: token, authorizerUri: !Sub "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations"}
        paths:
          /pets:
            get:
              security: [{tok: []}]
              x-amazon-apigateway-integration:
                type: aws_proxy
                httpMethod: POST
                uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations
  Web:
    Type: AWS::Serverless::HttpApi
    Properties:
      DefinitionUri: web.yaml
  Raw:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Name: raw
      BodyS3Location: {Bucket: my-bucket, Key: rest.json}
  RawStage:
    Type: AWS::ApiGateway::Deployment
    Properties: {RestApiId: !Ref Raw, StageName: live}
  V2:
    Type: AWS::ApiGatewayV2::Api
    Properties:
      Body: {openapi: 3.0.1, info: {title: v2}, paths: {/v: {get: {x-amazon-apigateway-integration: {type: http_proxy, httpMethod: GET, uri: 'http://127.0.0.1:1/'}}}}}
  V2Stage:
    Type: AWS::ApiGatewayV2::Stage
    Properties: {ApiId: !Ref V2, StageName: $default, AutoDeploy: true}
`)
	dir := filepath.Dir(path)
	for name, body := range map[string]string{
		"web.yaml":  "openapi: 3.0.1\ninfo: {title: web}\nx-amazon-apigateway-cors: {allowOrigins: ['*']}\npaths:\n  /items:\n    get:\n      x-amazon-apigateway-integration: {type: http_proxy, httpMethod: GET, uri: 'http://127.0.0.1:1/items', payloadFormatVersion: '1.0'}\n",
		"rest.json": `{"swagger": "2.0", "info": {"title": "from-s3"}, "paths": {"/r": {"get": {"x-amazon-apigateway-integration": {"type": "mock"}}}}}`,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	f, err := Load(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var pets, raw *[]string
	for _, a := range f.RestAPIs {
		var paths []string
		for _, r := range a.Resources {
			for m := range r.ResourceMethods {
				paths = append(paths, m+" "+r.Path)
			}
		}
		slices.Sort(paths)
		switch a.Name {
		case "pets":
			pets = &paths
			if len(a.Authorizers) != 1 || !strings.Contains(a.Authorizers[0].AuthorizerURI, "function:") || !slices.Equal(a.BinaryMediaTypes, []string{"image/png"}) {
				t.Errorf("pets: %+v", a)
			}
			for _, r := range a.Resources {
				if m, ok := r.ResourceMethods["GET"]; ok && r.Path == "/pets" {
					if m.AuthorizerID != "tok" || !strings.Contains(m.MethodIntegration.URI, "arn:aws:lambda:us-east-1:") {
						t.Errorf("GET /pets %+v %+v", m, m.MethodIntegration)
					}
				}
			}
		case "raw":
			raw = &paths
		}
	}
	if pets == nil || !slices.Equal(*pets, []string{"GET /extra", "GET /pets"}) {
		t.Errorf("the SAM API's methods: %v (the definition's and the event's)", pets)
	}
	if raw == nil || !slices.Equal(*raw, []string{"GET /r"}) {
		t.Errorf("the RestApi's methods: %v", raw)
	}
	keys := map[string][]string{}
	for _, a := range f.APIs {
		for _, r := range a.Routes {
			keys[a.Name] = append(keys[a.Name], r.RouteKey)
		}
		if a.Name == "web" && (a.CorsConfiguration == nil || a.CorsConfiguration.AllowOrigins[0] != "*") {
			t.Errorf("web's CORS: %+v", a.CorsConfiguration)
		}
	}
	if !slices.Equal(keys["web"], []string{"GET /items", "GET /fromfn"}) || !slices.Equal(keys["v2"], []string{"GET /v"}) {
		t.Errorf("routes %v", keys)
	}
}
