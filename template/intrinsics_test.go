package template

import (
	"encoding/json"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// intrinsicsTemplate declares what the expressions below refer to.
const intrinsicsTemplate = `
Parameters:
  Env: {Type: String, Default: dev}
  Names: {Type: CommaDelimitedList, Default: "a, b,c"}
  Port: {Type: Number, Default: 8080}
Mappings:
  Sizes:
    dev: {Memory: 128}
    prod: {Memory: 1024}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Not [{Condition: IsProd}]
  Both: !And [{Condition: IsDev}, !Equals [a, a]]
  Either: !Or [{Condition: IsProd}, {Condition: Both}]
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties: {FunctionName: !Sub "${AWS::StackName}-fn", Runtime: nodejs20.x, Handler: index.handler}
  Plain:
    Type: AWS::Lambda::Function
    Properties: {Runtime: python3.12, Handler: app.handler, Code: .}
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties: {Name: api}
  Ws:
    Type: AWS::ApiGatewayV2::Api
    Properties: {Name: ws, ProtocolType: WEBSOCKET, RouteSelectionExpression: $request.body.action}
  Integ:
    Type: AWS::ApiGatewayV2::Integration
    Properties: {ApiId: !Ref Ws, IntegrationType: MOCK}
  Table:
    Type: AWS::DynamoDB::Table
    Properties: {TableName: orders}
`

// resolveExpr resolves expr (YAML) against intrinsicsTemplate.
func resolveExpr(t testing.TB, expr string) (string, error) {
	t.Helper()
	l := newLoader("t.yaml", Options{Region: "eu-west-1", AccountID: "123456789012", StackName: "shop"})
	root, err := parseYAML([]byte(intrinsicsTemplate))
	if err != nil {
		t.Fatal(err)
	}
	normaliseTags(root)
	if !l.prepare(root) {
		t.Fatalf("prepare: %v", l.errs)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte("v: "+expr), &doc); err != nil {
		t.Fatal(err)
	}
	n := doc.Content[0].Content[1]
	normaliseTags(n)
	v := l.resolve(n, "v")
	if len(l.errs) > 0 {
		return "", l.errs
	}
	if v == noValue {
		return "<NoValue>", nil
	}
	b, _ := json.Marshal(toValue(v))
	return string(b), nil
}

func TestIntrinsics(t *testing.T) {
	for _, tc := range []struct{ name, expr, want string }{
		{"ref parameter", "!Ref Env", `"dev"`},
		{"ref list parameter", "!Ref Names", `["a","b","c"]`},
		{"ref number parameter", "{Ref: Port}", `8080`},
		{"pseudo parameters", "!Join [',', [!Ref 'AWS::Region', !Ref 'AWS::AccountId', !Ref 'AWS::StackName', !Ref 'AWS::Partition', !Ref 'AWS::URLSuffix']]",
			`"eu-west-1,123456789012,shop,aws,amazonaws.com"`},
		{"NoValue", "!Ref AWS::NoValue", `<NoValue>`},
		{"NoValue in a list", "[a, !Ref AWS::NoValue, b]", `["a","b"]`},
		{"NoValue in a mapping", "{a: 1, b: !Ref AWS::NoValue}", `{"a":1}`},
		{"ref function", "!Ref Fn", `"shop-fn"`},
		{"ref function by logical ID", "!Ref Plain", `"Plain"`},
		{"ref api", "!Ref Api", `"onf29tigf2"`},
		{"ref integration", "!Ref Integ", `"Integ"`},
		{"getatt short", "!GetAtt Fn.Arn", `"arn:aws:lambda:eu-west-1:123456789012:function:shop-fn"`},
		{"getatt long", "{Fn::GetAtt: [Plain, Arn]}", `"arn:aws:lambda:eu-west-1:123456789012:function:Plain"`},
		{"getatt root resource", "!GetAtt Api.RootResourceId", `"pjxwbf2uqa"`},
		{"getatt websocket endpoint", "!GetAtt Ws.ApiEndpoint", `"wss://hh5nzx57mx.execute-api.eu-west-1.amazonaws.com"`},
		{"sub", "!Sub 'arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations'",
			`"arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:shop-fn/invocations"`},
		{"sub with variables", "!Sub ['${Greeting}, ${Env}', {Greeting: !Join ['', [he, llo]]}]", `"hello, dev"`},
		{"sub literal", "!Sub '${!Literal} ${Env}'", `"${Literal} dev"`},
		{"join", "!Join [-, [a, !Ref Env, c]]", `"a-dev-c"`},
		{"select", "!Select [1, !Ref Names]", `"b"`},
		{"split", "!Split [/, a/b/c]", `["a","b","c"]`},
		{"select split", "!Select [2, !Split [',', 'x,y,z']]", `"z"`},
		{"if", "!If [IsProd, big, small]", `"small"`},
		{"if nested condition", "!If [Either, yes, no]", `"yes"`},
		{"if NoValue", "!If [IsProd, x, !Ref AWS::NoValue]", `<NoValue>`},
		{"equals", "!Equals [!Ref Env, dev]", `true`},
		{"find in map", "!FindInMap [Sizes, !Ref Env, Memory]", `128`},
		{"find in map default", "!FindInMap [Sizes, test, Memory, {DefaultValue: 64}]", `64`},
		{"base64", "!Base64 hi", `"aGk="`},
		{"length", "!Length [a, b]", `2`},
		{"to json string", "!ToJsonString {a: [1, x]}", `"{\"a\":[1,\"x\"]}"`},
		{"get azs", "!Select [0, !GetAZs '']", `"eu-west-1a"`},
		{"ref of a skipped table", "!Ref Table", `"orders"`},
		{"arn of a skipped table", "!GetAtt Table.Arn", `"arn:aws:dynamodb:eu-west-1:123456789012:table/orders"`},
		{"long forms", "{Fn::Join: ['', [{Fn::Sub: '${AWS::Region}'}, {Fn::If: [IsDev, '-d', '-p']}]]}", `"eu-west-1-d"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := resolveExpr(t, tc.expr)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("%s = %s, want %s", tc.expr, got, tc.want)
			}
		})
	}
}

func TestIntrinsicErrors(t *testing.T) {
	for _, tc := range []struct{ name, expr, want string }{
		{"unknown ref", "!Ref Nope", "t.yaml:1:4: v.Ref: Ref Nope: no parameter or resource of that name"},
		{"unknown pseudo", "!Ref AWS::Nope", "AWS::Nope is not a pseudo parameter"},
		{"import value", "!ImportValue shared-vpc", "t.yaml:1:4: v.Fn::ImportValue: Portico runs one template, so there is no other stack's export to import"},
		{"unknown attribute", "!GetAtt Fn.Nope", "GetAtt Fn.Nope: Portico does not know the attribute Nope of a AWS::Serverless::Function"},
		{"getatt without dot", "!GetAtt Fn", `want Resource.Attribute, got "Fn"`},
		{"join of a string", "!Join [',', abc]", "want a list of values to join"},
		{"select out of range", "!Select [5, [a]]", `index "5" is not within the list's 1 values`},
		{"unknown condition", "!If [Nope, a, b]", "no condition Nope in Conditions"},
		{"unclosed sub", "!Sub 'x ${Env'", "an unclosed ${"},
		{"sub of a list", "!Sub '${Names}'", "${Names} is a list, not a string"},
		{"find in map missing", "!FindInMap [Sizes, test, Memory]", "Mappings has no Sizes.test.Memory"},
		{"unsupported function", "{Fn::Cidr: [10.0.0.0/16, 2, 8]}", "the intrinsic function Fn::Cidr is not supported"},
		{"unknown tag", "!Bogus x", "unknown tag !Bogus"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := resolveExpr(t, tc.expr)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s: error %v, want it to contain %q", tc.expr, err, tc.want)
			}
		})
	}
}
