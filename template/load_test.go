package template

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/portico-gw/portico/config"
)

// writeTemplate writes a template and a code directory into a temporary
// directory and returns the template's path.
func writeTemplate(t testing.TB, name, text string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "code"), 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

const fn = `
  Fn:
    Type: AWS::Serverless::Function
    Properties: {Runtime: nodejs20.x, Handler: index.handler, CodeUri: code}
`

func TestLoadErrors(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		opts       Options
		want       []string // each is in the error, positions relative to the template's directory
	}{
		{"yaml syntax", "Resources:\n  A: [\n", Options{}, []string{"t.yaml:2: did not find expected node content"}},
		{"empty", "", Options{}, []string{"t.yaml: the template is empty"}},
		{"not a mapping", "- a\n", Options{}, []string{"t.yaml:1:1: the top level must be a mapping"}},
		{"unknown section", "Resource: {}\nResources:" + fn, Options{}, []string{"t.yaml:1:1: Resource: unknown top-level section"}},
		{"no resources", "Description: x\n", Options{}, []string{"t.yaml:1:1: Resources: required"}},
		{"resource without type", "Resources:\n  A:\n    Properties: {}\n", Options{}, []string{"t.yaml:3:5: Resources.A.Type: required"}},
		{"parameter without default", "Parameters:\n  Name: {Type: String}\nResources:" + fn, Options{},
			[]string{"t.yaml:2:3: Parameters.Name: has no Default: give it with --parameter-overrides Name=VALUE"}},
		{"override of an undeclared parameter", "Resources:" + fn, Options{Parameters: map[string]string{"Nope": "1"}},
			[]string{"t.yaml: Parameters: --parameter-overrides Nope: the template declares no parameter Nope"}},
		{"allowed values", "Parameters:\n  Env: {Type: String, Default: qa, AllowedValues: [dev, prod]}\nResources:" + fn, Options{},
			[]string{`t.yaml:2:32: Parameters.Env: "qa" is not one of the AllowedValues dev, prod`}},
		{"import value", "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: nodejs20.x\n      Handler: !ImportValue shared-handler\n", Options{},
			[]string{"t.yaml:6:16: Resources.Fn.Properties.Handler.Fn::ImportValue: Portico runs one template"}},
		{"openapi body", "Resources:\n  Api:\n    Type: AWS::Serverless::Api\n    Properties:\n      StageName: prod\n      DefinitionBody: {openapi: 3.0.1, paths: {/a: {get: {x-amazon-apigateway-integration: {type: lambda}}}}}\n", Options{},
			[]string{`t.yaml:6:99: Resources.Api.Properties.DefinitionBody.paths["/a"].get.x-amazon-apigateway-integration.type: Invalid integration type "LAMBDA"`}},
		{"openapi in S3", "Resources:\n  Api:\n    Type: AWS::Serverless::Api\n    Properties:\n      StageName: prod\n      DefinitionUri: s3://bucket/api.yaml\n", Options{},
			[]string{"t.yaml:6:22: Resources.Api.Properties.DefinitionUri: s3://bucket/api.yaml is in S3, which Portico does not read"}},
		{"openapi body in S3", "Resources:\n  Api:\n    Type: AWS::ApiGateway::RestApi\n    Properties:\n      BodyS3Location: {Bucket: b, Key: nope/api.yaml}\n", Options{},
			[]string{"t.yaml:5:23: Resources.Api.Properties.BodyS3Location: s3://b/nope/api.yaml is in S3, which Portico does not read"}},
		{"zip file", "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: python3.12\n      Handler: index.handler\n      Code:\n        ZipFile: |\n          def handler(e, c): pass\n", Options{},
			[]string{"t.yaml:8:18: Resources.Fn.Properties.Code.ZipFile: inline code (ZipFile) is not supported"}},
		{"s3 code", "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties: {Runtime: nodejs20.x, Handler: a.b, CodeUri: s3://bucket/code.zip}\n", Options{},
			[]string{`t.yaml:4:62: Resources.Fn.Properties.CodeUri: "s3://bucket/code.zip": code in S3 is not supported`}},
		{"a wrong route target, reported at the route", "Resources:" + fn + `  Ws:
    Type: AWS::ApiGatewayV2::Api
    Properties: {Name: ws, ProtocolType: WEBSOCKET, RouteSelectionExpression: $request.body.action}
  Route:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Ws, RouteKey: $default, Target: integrations/nope}
`, Options{}, []string{`t.yaml:10:62: Resources.Route.Properties.Target: AWS::ApiGatewayV2::Route, built as apis[0].routes[0].target: integration "nope" not found`, "t.yaml:5:3: Resources.Ws: AWS::ApiGatewayV2::Api, built as apis[0].stages: at least one stage is required"}},
		{"an old runtime, reported at the function", "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties: {Runtime: nodejs12.x, Handler: a.b, CodeUri: code}\n", Options{},
			[]string{`t.yaml:4:27: Resources.Fn.Properties.Runtime: AWS::Serverless::Function, built as functions[0].runtime: "nodejs12.x": want one of`}},
		{"a missing code directory", "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties: {Runtime: nodejs20.x, Handler: a.b, CodeUri: nowhere}\n", Options{},
			[]string{`t.yaml:4:62: Resources.Fn.Properties.CodeUri: AWS::Serverless::Function, built as functions[0].codeUri:`, "no such file or directory"}},
		{"an api id that names nothing", "Resources:" + fn + "  Route:\n    Type: AWS::ApiGatewayV2::Route\n    Properties: {ApiId: abc, RouteKey: $default}\n", Options{},
			[]string{`t.yaml:7:25: Resources.Route.Properties.ApiId: "abc" is not an API of this template`}},
		{"a rest api id that names nothing", `Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs20.x
      Handler: index.handler
      CodeUri: code
      Events:
        Get: {Type: Api, Properties: {RestApiId: nope, Path: /, Method: get}}
`, Options{}, []string{`t.yaml:9:50: Resources.Fn.Properties.Events.Get.Properties.RestApiId: "nope" is not a REST API of this template`}},
		{"a method twice", `Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs20.x
      Handler: index.handler
      CodeUri: code
      Events:
        A: {Type: Api, Properties: {Path: /x, Method: get}}
        B: {Type: Api, Properties: {Path: /x/, Method: GET}}
`, Options{}, []string{`t.yaml:10:9: Resources.Fn.Properties.Events.B: GET /x is already defined by Fn (line 9)`}},
		{"an unknown authorizer", `Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs20.x
      Handler: index.handler
      CodeUri: code
      Events:
        A: {Type: HttpApi, Properties: {Path: /x, Method: get, Auth: {Authorizer: Nope}}}
`, Options{}, []string{`t.yaml:9:83: Resources.Fn.Properties.Events.A.Properties.Auth.Authorizer: "Nope" is not one of the API's Auth.Authorizers`}},
		{"a usage plan of no kind", "Resources:\n  Api:\n    Type: AWS::Serverless::Api\n    Properties: {StageName: Prod, Auth: {UsagePlan: {CreateUsagePlan: PER_STAGE}}}\n", Options{},
			[]string{`t.yaml:4:71: Resources.Api.Properties.Auth.UsagePlan.CreateUsagePlan: want PER_API, SHARED or NONE, got "PER_STAGE"`}},
		{"a cycle", "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties: {FunctionName: !Ref Fn, Runtime: nodejs20.x, Handler: a.b, CodeUri: code}\n", Options{},
			[]string{"Fn refers to itself"}},
		{"a resource's condition", "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Condition: Nope\n", Options{},
			[]string{"t.yaml:4:16: Resources.Fn.Condition: no condition Nope in Conditions"}},
		{"another transform", "Transform: AWS::Include\nResources:" + fn, Options{},
			[]string{`t.yaml:1:12: Transform: "AWS::Include": Portico runs AWS::Serverless-2016-10-31`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeTemplate(t, "t.yaml", tc.text)
			_, err := Load(path, tc.opts)
			if err == nil {
				t.Fatalf("loaded; want an error")
			}
			var list config.ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("error %T, want a config.ErrorList", err)
			}
			msg := strings.ReplaceAll(err.Error(), filepath.Dir(path)+string(filepath.Separator), "")
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error:\n%s\nwant it to contain:\n%s", msg, w)
				}
			}
		})
	}
}

func TestLoadWarnings(t *testing.T) {
	path := writeTemplate(t, "t.yaml", `Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs20.x
      Handler: index.handler
      CodeUri: code
      Policies: [AWSLambdaBasicExecutionRole]
      Layers: [arn:aws:lambda:us-east-1:000000000000:layer:x:1]
      Colour: blue
  Bucket:
    Type: AWS::S3::Bucket
`)
	f, err := Load(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, w := range f.Warnings {
		got = append(got, strings.ReplaceAll(w.Error(), filepath.Dir(path)+string(filepath.Separator), ""))
	}
	want := []string{
		"t.yaml:9:15: Resources.Fn.Properties.Layers: Layers is not supported for local functions; ignored",
		"t.yaml:10:7: Resources.Fn.Properties.Colour: AWS::Serverless::Function: Portico does not act on Colour; ignored",
		"t.yaml:11:3: Resources.Bucket: AWS::S3::Bucket skipped: Portico does not serve this type",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestLoadJSON reads a CloudFormation template written in JSON.
func TestLoadJSON(t *testing.T) {
	path := writeTemplate(t, "t.json", `{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Parameters": {"Name": {"Type": "String", "Default": "hello"}},
  "Resources": {
    "Fn": {
      "Type": "AWS::Lambda::Function",
      "Properties": {"FunctionName": {"Fn::Sub": "${Name}-fn"}, "Runtime": "python3.12", "Handler": "app.handler", "Code": "code"}
    },
    "Api": {"Type": "AWS::ApiGatewayV2::Api", "Properties": {"Name": "http", "ProtocolType": "HTTP",
      "Target": {"Fn::GetAtt": ["Fn", "Arn"]}}}
  }
}`)
	f, err := Load(path, Options{Parameters: map[string]string{"Name": "bye"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Functions) != 1 || f.Functions[0].FunctionName != "bye-fn" {
		t.Fatalf("functions %+v", f.Functions)
	}
	if len(f.APIs) != 1 || f.APIs[0].Integrations[0].IntegrationURI != "arn:aws:lambda:us-east-1:000000000000:function:bye-fn" {
		t.Fatalf("apis %+v", f.APIs)
	}
	if name, ok := f.LocalFunction(f.APIs[0].Integrations[0].IntegrationURI); !ok || name != "bye-fn" {
		t.Errorf("the integration's ARN names no local function")
	}
}

func TestMerge(t *testing.T) {
	base := &config.File{Listen: "127.0.0.1:9000", Credentials: []config.Credential{{AccessKeyID: "AKID", SecretAccessKey: "s"}},
		Functions: []config.Function{{FunctionName: "own"}}}
	tmpl := &config.File{APIs: []config.API{{Name: "a"}}, Functions: []config.Function{{FunctionName: "t"}},
		Warnings: config.ErrorList{{Msg: "w"}}}
	got := Merge(base, tmpl)
	if got.Listen != "127.0.0.1:9000" || len(got.Credentials) != 1 || len(got.APIs) != 1 || len(got.Functions) != 2 || len(got.Warnings) != 1 {
		t.Errorf("merged %+v", got)
	}
	if len(base.Functions) != 1 {
		t.Errorf("Merge changed base")
	}
	if got := Merge(nil, tmpl); len(got.APIs) != 1 || got.Listen != "" {
		t.Errorf("merged with nil: %+v", got)
	}
}

// TestFunctionARNs: every way a template writes a function's ARN names
// the local function, as the runtime matches them (by name).
func TestFunctionARNs(t *testing.T) {
	path := writeTemplate(t, "t.yaml", `Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties: {FunctionName: orders, Runtime: nodejs20.x, Handler: index.handler, CodeUri: code}
  Ws:
    Type: AWS::ApiGatewayV2::Api
    Properties: {Name: ws, ProtocolType: WEBSOCKET, RouteSelectionExpression: $request.body.action}
  A:
    Type: AWS::ApiGatewayV2::Integration
    Properties: {ApiId: !Ref Ws, IntegrationType: AWS_PROXY, IntegrationUri: !GetAtt Fn.Arn}
  B:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref Ws
      IntegrationType: AWS_PROXY
      IntegrationUri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:function:${Fn}/invocations
  C:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref Ws
      IntegrationType: AWS_PROXY
      IntegrationUri: !Join ['', ['arn:', !Ref 'AWS::Partition', ':apigateway:', !Ref 'AWS::Region', ':lambda:path/2015-03-31/functions/', !GetAtt Fn.Arn, '/invocations']]
  Route:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Ws, RouteKey: $default, Target: !Sub 'integrations/${A}'}
  Stage:
    Type: AWS::ApiGatewayV2::Stage
    Properties: {ApiId: !Ref Ws, StageName: dev}
`)
	f, err := Load(path, Options{Region: "ap-south-1", AccountID: "111122223333"})
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range f.APIs[0].Integrations {
		if name, ok := f.LocalFunction(in.IntegrationURI); !ok || name != "orders" {
			t.Errorf("%s: %q names no local function", in.IntegrationID, in.IntegrationURI)
		}
		if !strings.Contains(in.IntegrationURI, "ap-south-1") {
			t.Errorf("%s: %q is not in the region", in.IntegrationID, in.IntegrationURI)
		}
	}
}
