package config

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// restMinimal is the smallest REST API. Tests edit it; its line numbers
// are part of their expectations:
//
//	1 restApis:   3 resources:   5 resourceMethods:   7 methodIntegration:   9 stages:
//	2 name        4 /pets:       6 GET:               8 type: MOCK          10 stageName
const restMinimal = `restApis:
  - name: pets
    resources:
      /pets:
        resourceMethods:
          GET:
            methodIntegration:
              type: MOCK
    stages:
      - stageName: prod
`

// restResources returns the normalised resources of the first REST API
// as path → (id, parentId, pathPart, methods), for comparing shapes.
func restResources(t testing.TB, doc string) string {
	t.Helper()
	f := mustParse(t, doc, nil)
	b, err := json.Marshal(f.RestAPIs[0].Resources)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestRestResourceShapes(t *testing.T) {
	api := func(resources string) string {
		return "restApis:\n  - name: pets\n    stages: [{stageName: prod}]\n    resources:\n" + resources
	}
	byPath := api(`      /pets:
        resourceMethods: {GET: {methodIntegration: {type: MOCK}}}
      /pets/{petId}:
        resourceMethods: {GET: {methodIntegration: {type: MOCK}}, DELETE: {}}
      /pets/{petId}/toys/{proxy+}:
        resourceMethods: {ANY: {}}
`)
	want := restResources(t, byPath)
	for name, doc := range map[string]string{
		"list (get-resources)": api(`      - {path: /pets, resourceMethods: {GET: {methodIntegration: {type: MOCK}}}}
      - {path: "/pets/{petId}", resourceMethods: {GET: {methodIntegration: {type: MOCK}}, DELETE: {}}}
      - {path: "/pets/{petId}/toys/{proxy+}", resourceMethods: {ANY: {}}}
`),
		"list as items": api(`        items:
          - {path: /pets, pathPart: pets, resourceMethods: {GET: {methodIntegration: {type: MOCK}}}}
          - {path: "/pets/{petId}/toys/{proxy+}", resourceMethods: {ANY: {}}}
          - {path: "/pets/{petId}", resourceMethods: {GET: {methodIntegration: {type: MOCK}}, DELETE: {}}}
          - {path: /}
`),
		"tree": api(`      - pathPart: pets
        resourceMethods: {GET: {methodIntegration: {type: MOCK}}}
        resources:
          - pathPart: "{petId}"
            resourceMethods: {GET: {methodIntegration: {type: MOCK}}, DELETE: {}}
            resources:
              - path: "toys/{proxy+}"
                resourceMethods: {ANY: {}}
`),
		"tree keyed by relative path": api(`      pets:
        resourceMethods: {GET: {methodIntegration: {type: MOCK}}}
        resources:
          "{petId}":
            resourceMethods: {GET: {methodIntegration: {type: MOCK}}, DELETE: {}}
            resources:
              "/pets/{petId}/toys/{proxy+}": {resourceMethods: {ANY: {}}}
`),
	} {
		t.Run(name, func(t *testing.T) {
			if got := restResources(t, doc); got != want {
				t.Errorf("resources:\n%s\nwant:\n%s", got, want)
			}
		})
	}
	f := mustParse(t, byPath, nil)
	var paths []string
	for _, r := range f.RestAPIs[0].Resources {
		paths = append(paths, r.Path+"<"+r.PathPart+">")
		if len(r.ID) != 10 || strings.Trim(r.ID, "abcdefghijklmnopqrstuvwxyz0123456789") != "" {
			t.Errorf("%s: id %q is not 10 lowercase alphanumerics", r.Path, r.ID)
		}
	}
	if got := strings.Join(paths, " "); got != "/<> /pets<pets> /pets/{petId}<{petId}> /pets/{petId}/toys<toys> /pets/{petId}/toys/{proxy+}<{proxy+}>" {
		t.Errorf("paths: %s", got)
	}
	rs := f.RestAPIs[0].Resources
	if rs[0].ParentID != "" || rs[1].ParentID != rs[0].ID || rs[4].ParentID != rs[3].ID {
		t.Errorf("parents: %+v", rs)
	}
	if again := mustParse(t, byPath, nil); !reflect.DeepEqual(again.RestAPIs[0].Resources, rs) {
		t.Error("resource ids differ between two loads")
	}
}

func TestRestErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		doc  string
		want []string
	}{
		{"bad path part", with(restMinimal, "/pets:", "/pe ts:"),
			[]string{`f.yaml:4:7: restApis[0].resources["/pe ts"]: "/pe ts": path part pe ts: only a-zA-Z0-9._- and {} around a variable (with an optional + before the closing brace) are allowed`}},
		{"unclosed brace", with(restMinimal, "/pets:", "/{pets:"),
			[]string{`f.yaml:4:7: restApis[0].resources["/{pets"]: "/{pets": path part {pets: braces go around a whole part, {name} or {name+}`}},
		{"brace in the middle", with(restMinimal, "/pets:", "/pe{t}s:"),
			[]string{`f.yaml:4:7: restApis[0].resources["/pe{t}s"]: "/pe{t}s": path part pe{t}s: only a-zA-Z0-9._- and {} around a variable (with an optional + before the closing brace) are allowed`}},
		{"greedy not last", with(restMinimal, "/pets:", "/{proxy+}/x:"),
			[]string{`f.yaml:4:7: restApis[0].resources["/{proxy+}/x"]: "/{proxy+}/x": the greedy path variable {proxy+} must be the last part`}},
		{"duplicate path", with(restMinimal, "    stages:", "      - {path: /pets}\n    stages:", "      /pets:\n", "      - path: /pets\n"),
			[]string{`f.yaml:9:10: restApis[0].resources[1].path: duplicate resource "/pets" (also restApis[0].resources[0], line 4)`}},
		{"sibling variables", with(restMinimal, "    stages:", "      /pets/{id}: {}\n      /pets/{name}: {}\n    stages:"),
			[]string{`f.yaml:10:7: restApis[0].resources["/pets/{name}"]: "/pets/{name}": resource "/pets" already has the variable child {id} (also restApis[0].resources["/pets/{id}"], line 9); API Gateway allows one variable path part per resource`}},
		{"lower-case method", with(restMinimal, "GET:", "get:"),
			[]string{`f.yaml:6:11: restApis[0].resources["/pets"].resourceMethods.get: write the method in upper case: GET`}},
		{"path parameter not in path", with(restMinimal, "            methodIntegration:", "            requestParameters: {method.request.path.id: true}\n            methodIntegration:"),
			[]string{`f.yaml:7:33: restApis[0].resources["/pets"].resourceMethods.GET.requestParameters["method.request.path.id"]: the path "/pets" has no variable {id}`}},
		{"bad request parameter", with(restMinimal, "            methodIntegration:", "            requestParameters: {method.request.body: true}\n            methodIntegration:"),
			[]string{`f.yaml:7:33: restApis[0].resources["/pets"].resourceMethods.GET.requestParameters["method.request.body"]: want method.request.{header,querystring,path,multivalueheader,multivaluequerystring}.NAME`}},
		{"integration type", with(restMinimal, "type: MOCK", "type: LAMBDA"),
			[]string{`f.yaml:8:21: restApis[0].resources["/pets"].resourceMethods.GET.methodIntegration.type: "LAMBDA": want AWS, AWS_PROXY, HTTP, HTTP_PROXY, MOCK or NATS`}},
		{"timeout", with(restMinimal, "type: MOCK", "type: MOCK\n              timeoutInMillis: 30000"),
			[]string{`f.yaml:9:32: restApis[0].resources["/pets"].resourceMethods.GET.methodIntegration.timeoutInMillis: 30000: must be between 50 and 29000 (0 means the default, 29000)`}},
		{"integration request parameter", with(restMinimal, "type: MOCK", "type: MOCK\n              requestParameters: {integration.request.header.x: method.request.foo}"),
			[]string{`f.yaml:9:65: restApis[0].resources["/pets"].resourceMethods.GET.methodIntegration.requestParameters["integration.request.header.x"]: "method.request.foo": want 'static', context.X, stageVariables.X, method.request.body[.PATH] or method.request.{header,querystring,multivalueheader,multivaluequerystring,path}.NAME`}},
		{"unknown authorizer", with(restMinimal, "            methodIntegration:", "            authorizationType: CUSTOM\n            authorizerId: nope\n            methodIntegration:"),
			[]string{`f.yaml:8:27: restApis[0].resources["/pets"].resourceMethods.GET.authorizerId: authorizer "nope" not found`}},
		{"bad identity validation regex", with(restMinimal, "    stages:", "    authorizers:\n      - {name: a, type: TOKEN, authorizerUri: http://x, identitySource: method.request.header.Auth, identityValidationExpression: '(['}\n    stages:"),
			[]string{"f.yaml:10:131: restApis[0].authorizers[0].identityValidationExpression: \"([\": error parsing regexp: missing closing ]: `[`"}},
		{"identity validation on a REQUEST authorizer", with(restMinimal, "    stages:", "    authorizers:\n      - {name: a, type: REQUEST, authorizerUri: http://x, identitySource: method.request.header.Auth, identityValidationExpression: 'x'}\n    stages:"),
			[]string{"f.yaml:10:133: restApis[0].authorizers[0].identityValidationExpression: REQUEST authorizers validate nothing with it: TOKEN authorizers match the token, COGNITO_USER_POOLS ones the token's audience (app client ID)"}},
		{"token identity source", with(restMinimal, "    stages:", "    authorizers:\n      - {name: a, type: TOKEN, authorizerUri: http://x, identitySource: 'method.request.header.A, method.request.querystring.b'}\n    stages:"),
			[]string{"f.yaml:10:73: restApis[0].authorizers[0].identitySource: a TOKEN authorizer reads exactly one header: method.request.header.NAME"}},
		{"cognito ARN", with(restMinimal, "    stages:", "    authorizers:\n      - {name: a, type: COGNITO_USER_POOLS, providerARNs: [arn:aws:cognito-idp:eu-west-1:123:userpool/x]}\n    stages:"),
			[]string{`f.yaml:10:60: restApis[0].authorizers[0].providerARNs[0]: "arn:aws:cognito-idp:eu-west-1:123:userpool/x": want arn:aws:cognito-idp:REGION:ACCOUNT:userpool/POOL_ID`}},
		{"gateway response type", with(restMinimal, "    stages:", "    gatewayResponses:\n      DEFAULT_4xx: {statusCode: \"418\"}\n    stages:"),
			[]string{`f.yaml:10:7: restApis[0].gatewayResponses.DEFAULT_4xx: "DEFAULT_4xx": not a gateway response type; want one of ` + strings.Join(GatewayResponseTypes, ", ")}},
		{"gateway response header", with(restMinimal, "    stages:", "    gatewayResponses:\n      - responseType: DEFAULT_4XX\n        responseParameters: {header.x: \"'*'\"}\n    stages:"),
			[]string{`f.yaml:11:30: restApis[0].gatewayResponses[0].responseParameters["header.x"]: want gatewayresponse.header.NAME`}},
		{"model not a schema", with(restMinimal, "  - name: pets", "  - name: pets\n    restApiId: pets01\n    models:\n      - {name: Pet, schema: '{\"$ref\":\"https://apigateway.amazonaws.com/restapis/pets01/models/Price\"}'}\n      - {name: Price, schema: '{\"type\":5}'}"),
			[]string{`f.yaml:6:31: restApis[0].models[1].schema: is not a valid JSON Schema (draft 4): [at '/type': value must be one of 'array', 'boolean', 'integer', 'null', 'number', 'object', 'string'; at '/type': got number, want array]`}},
		{"stage variable value", with(restMinimal, "- stageName: prod", "- stageName: prod\n        variables: {url: "+strings.Repeat("x", 513)+"}"),
			[]string{"f.yaml:11:26: restApis[0].stages[0].variables.url: a stage variable value is at most 512 characters (this one has 513)"}},
		{"method setting", with(restMinimal, "- stageName: prod", "- stageName: prod\n        methodSettings: {~1pets/POST: {throttlingRateLimit: 1}}"),
			[]string{"f.yaml:11:26: restApis[0].stages[0].methodSettings[\"~1pets/POST\"]: the resource /pets has no method POST"}},
		{"both id and restApiId", with(restMinimal, "  - name: pets", "  - name: pets\n    id: a\n    restApiId: b"),
			[]string{"f.yaml:4:5: restApis[0].restApiId: id is also set, on line 3: write the key once"}},
		{"rest and v2 ids collide", minimal + with(restMinimal, "restApis:\n  - name: pets", "restApis:\n  - name: pets\n    id: chat"),
			[]string{`f.yaml:16:9: restApis[0].id: duplicate API id "chat" (also apis[0], line 2)`}},
		{"short key and dangling plan references", restMinimal + `apiKeys:
  - {name: k, value: short}
usagePlans:
  - name: p
    apiStages: [{apiId: pets, stage: dev, throttle: {/pets/POST: {rateLimit: 1}}}]
    quota: {limit: 10, period: YEAR}
usagePlanKeys:
  - {usagePlanId: p, keyId: nokey}
`, []string{
			"f.yaml:12:22: apiKeys[0].value: an API key value is 20 to 128 characters (this one has 5)",
			`f.yaml:15:38: usagePlans[0].apiStages[0].stage: REST API "pets" has no stage "dev"`,
			`f.yaml:15:54: usagePlans[0].apiStages[0].throttle["/pets/POST"]: the resource /pets has no method POST`,
			`f.yaml:16:32: usagePlans[0].quota.period: "YEAR": want DAY, WEEK or MONTH`,
			`f.yaml:18:29: usagePlanKeys[0].keyId: API key "nokey" not found`,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) { wantErrors(t, tc.doc, nil, tc.want...) })
	}
}

// TestRestValidate checks that Validate, for a File built in code, runs
// the same checks.
func TestRestValidate(t *testing.T) {
	f := &File{RestAPIs: []RestAPI{{
		Name:      "pets",
		Resources: []RestResource{{Path: "/{a+}/b", ResourceMethods: map[string]RestMethod{"GET": {}}}},
		Stages:    []RestStage{{StageName: "prod"}},
	}}}
	err := Validate(f, "code")
	if err == nil || err.Error() != `code: restApis[0].resources[0].path: "/{a+}/b": the greedy path variable {a+} must be the last part` {
		t.Errorf("Validate: %v", err)
	}
	f.RestAPIs[0].Resources[0].Path = "/{a+}"
	if err := Validate(f, "code"); err != nil {
		t.Errorf("Validate: %v", err)
	}
	if f.RestAPIs[0].Resources[0].ID != "" || f.RestAPIs[0].RestAPIID != "" {
		t.Error("Validate changed the File")
	}
}

func TestRestGolden(t *testing.T) {
	f, err := Load("testdata/rest.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Warnings) > 0 {
		t.Errorf("warnings: %v", f.Warnings)
	}
	b, err := json.MarshalIndent(struct {
		RestAPIs      []RestAPI
		APIKeys       []APIKey
		UsagePlans    []UsagePlan
		UsagePlanKeys []UsagePlanKey
	}{f.RestAPIs, f.APIKeys, f.UsagePlans, f.UsagePlanKeys}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "testdata/rest.golden.json", string(b)+"\n")
	a := f.RestAPIs[0]
	if a.RestAPIID != StableAPIID("pets", nil) || f.UsagePlans[0].APIStages[0].APIID != a.RestAPIID {
		t.Errorf("ids: api %q, plan stage %q", a.RestAPIID, f.UsagePlans[0].APIStages[0].APIID)
	}
	if got := a.Authorizers[0].IdentitySource; !reflect.DeepEqual(got, StringList{"method.request.header.Authorization"}) {
		t.Errorf("identitySource %q", got)
	}
}

// TestRestPastedFromCLI loads a REST API pasted from aws apigateway
// get-rest-api, get-resources and get-stages; its warnings are golden.
func TestRestPastedFromCLI(t *testing.T) {
	f, err := Load("testdata/rest-cli.yaml")
	if err != nil {
		t.Fatal(err)
	}
	a := f.RestAPIs[0]
	if a.RestAPIID != "gy415nuibc" || len(a.Resources) != 3 || a.Resources[0].ID != "krznpq9xpg" ||
		a.Resources[2].ParentID != "roq9wj" || a.Resources[1].ResourceMethods["GET"].MethodIntegration.TimeoutInMillis != 29000 ||
		a.Stages[0].Variables["backend"] != "pets.internal" {
		t.Errorf("decoded %+v", a)
	}
	var b strings.Builder
	for _, w := range f.Warnings {
		b.WriteString(w.Error() + "\n")
	}
	golden(t, "testdata/rest-cli.warnings", b.String())
}

func TestRestPascalCase(t *testing.T) {
	f := mustParse(t, `RestApis:
  - Id: abc
    Name: pets
    Resources:
      - Path: /pets
        ResourceMethods:
          GET: {MethodIntegration: {Type: MOCK}}
    Stages: [{StageName: prod}]
`, nil)
	if a := f.RestAPIs[0]; a.RestAPIID != "abc" || a.Resources[1].ResourceMethods["GET"].MethodIntegration.Type != "MOCK" {
		t.Errorf("decoded %+v", a)
	}
}

func TestRestAuthorizerIssuers(t *testing.T) {
	a := RestAuthorizer{Type: "COGNITO_USER_POOLS", ProviderARNs: []string{"arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbC123"}}
	if got := a.Issuers(); !reflect.DeepEqual(got, []string{"https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123"}) {
		t.Errorf("Issuers() = %q", got)
	}
	a.JWTIssuer = "http://127.0.0.1:9999/pool"
	if got := a.Issuers(); !reflect.DeepEqual(got, []string{"http://127.0.0.1:9999/pool"}) {
		t.Errorf("Issuers() with jwtIssuer = %q", got)
	}
}

// restModelFields are the wire names of the apigateway (v1) models'
// fields, as the aws-sdk-go-v2 apigateway deserializers read them. Every
// one must be accepted where its model is written.
var restModelFields = []struct {
	model  string
	schema reflect.Type
	keys   string
}{
	{"RestApi", reflect.TypeFor[RestAPI](), "id name description createdDate version warnings binaryMediaTypes minimumCompressionSize apiKeySource endpointConfiguration policy tags disableExecuteApiEndpoint rootResourceId apiStatus apiStatusMessage endpointAccessMode securityPolicy"},
	{"Resource", reflect.TypeFor[RestResource](), "id parentId pathPart path resourceMethods"},
	{"Method", reflect.TypeFor[RestMethod](), "httpMethod authorizationType authorizerId apiKeyRequired requestValidatorId operationName requestParameters requestModels methodResponses methodIntegration authorizationScopes"},
	{"Integration", reflect.TypeFor[RestIntegration](), "type httpMethod uri connectionType connectionId credentials requestParameters requestTemplates passthroughBehavior contentHandling timeoutInMillis cacheNamespace cacheKeyParameters integrationResponses tlsConfig"},
	{"IntegrationResponse", reflect.TypeFor[RestIntegrationResponse](), "statusCode selectionPattern responseParameters responseTemplates contentHandling"},
	{"MethodResponse", reflect.TypeFor[MethodResponse](), "statusCode responseParameters responseModels"},
	{"Authorizer", reflect.TypeFor[RestAuthorizer](), "id name type providerARNs authType authorizerUri authorizerCredentials identitySource identityValidationExpression authorizerResultTtlInSeconds"},
	{"GatewayResponse", reflect.TypeFor[GatewayResponse](), "responseType statusCode responseParameters responseTemplates defaultResponse"},
	{"Stage", reflect.TypeFor[RestStage](), "deploymentId clientCertificateId stageName description cacheClusterEnabled cacheClusterSize cacheClusterStatus methodSettings variables documentationVersion accessLogSettings canarySettings tracingEnabled webAclArn tags createdDate lastUpdatedDate"},
	{"MethodSetting", reflect.TypeFor[MethodSetting](), "metricsEnabled loggingLevel dataTraceEnabled throttlingBurstLimit throttlingRateLimit cachingEnabled cacheTtlInSeconds cacheDataEncrypted requireAuthorizationForCacheControl unauthorizedCacheControlHeaderStrategy"},
	{"CanarySettings", reflect.TypeFor[awsCanarySettings](), "percentTraffic deploymentId stageVariableOverrides useStageCache"},
	{"EndpointConfiguration", reflect.TypeFor[awsEndpointConfiguration](), "types vpcEndpointIds ipAddressType"},
	{"TlsConfig", reflect.TypeFor[RestTLSConfig](), "insecureSkipVerification"},
	{"Model", reflect.TypeFor[RestModel](), "id name description schema contentType"},
	{"RequestValidator", reflect.TypeFor[RequestValidator](), "id name validateRequestBody validateRequestParameters"},
	{"ApiKey", reflect.TypeFor[APIKey](), "id value name customerId description enabled createdDate lastUpdatedDate stageKeys tags"},
	{"UsagePlan", reflect.TypeFor[UsagePlan](), "id name description apiStages throttle quota productCode tags"},
	{"ApiStage", reflect.TypeFor[UsagePlanStage](), "apiId stage throttle"},
	{"ThrottleSettings", reflect.TypeFor[ThrottleSettings](), "burstLimit rateLimit"},
	{"QuotaSettings", reflect.TypeFor[QuotaSettings](), "limit offset period"},
	{"UsagePlanKey", reflect.TypeFor[UsagePlanKey](), "id type value name"},
}

func TestEveryRestModelFieldIsAccepted(t *testing.T) {
	for _, m := range restModelFields {
		t.Run(m.model, func(t *testing.T) {
			sf := fieldsOf(m.schema)
			for _, k := range strings.Fields(m.keys) {
				c, ok := sf.canonicalName(k)
				if !ok {
					t.Errorf("%s: %s is not accepted", m.schema, k)
					continue
				}
				if c2, ok := sf.canonicalName(strings.ToUpper(k[:1]) + k[1:]); !ok || c2 != c {
					t.Errorf("%s: %s is not accepted in PascalCase", m.schema, k)
				}
			}
		})
	}
}

func TestRestWarnings(t *testing.T) {
	wantWarnings(t, with(restMinimal,
		"  - name: pets", "  - name: pets\n    tags: {team: a}",
		"type: MOCK", "type: MOCK\n              credentials: arn:aws:iam::123456789012:role/x",
		"- stageName: prod", "- stageName: prod\n        tracingEnabled: true\n        methodSettings: {'*/*': {loggingLevel: INFO, throttlingRateLimit: 5}}"),
		"f.yaml:3:5: restApis[0].tags: accepted but not acted on by Portico",
		"f.yaml:10:15: restApis[0].resources[\"/pets\"].resourceMethods.GET.methodIntegration.credentials: accepted but not acted on by Portico",
		"f.yaml:13:9: restApis[0].stages[0].tracingEnabled: accepted but not acted on by Portico",
		"f.yaml:14:34: restApis[0].stages[0].methodSettings[\"*/*\"].loggingLevel: accepted but not acted on by Portico",
	)
}

func TestRestKeyInTwoPlansForOneStage(t *testing.T) {
	wantErrors(t, restMinimal+`apiKeys:
  - {name: k, value: 0123456789abcdefghij}
usagePlans:
  - {name: a, apiStages: [{apiId: pets, stage: prod}]}
  - {name: b, apiStages: [{apiId: pets, stage: prod}]}
usagePlanKeys:
  - {usagePlanId: a, keyId: k}
  - {usagePlanId: b, keyId: k}
`, nil, `f.yaml:18:5: usagePlanKeys[1]: API key "k" is already in usage plan "a" for stage prod of "pets": a key may be in one plan per stage`)
}

func TestRestLambdaCredentialsWarning(t *testing.T) {
	wantWarnings(t, with(restMinimal, "type: MOCK", "type: AWS_PROXY\n              uri: arn:aws:lambda:us-east-1:123456789012:function:pets"),
		`f.yaml:9:20: restApis[0].resources["/pets"].resourceMethods.GET.methodIntegration.uri: `+lambdaCredentialsWarning)
}

func TestRestResourcesByParentID(t *testing.T) {
	doc := `restApis:
  - name: pets
    stages: [{stageName: prod}]
    resources:
      - {id: child1, parentId: pets01, pathPart: "{petId}"}
      - {id: pets01, parentId: root01, pathPart: pets}
      - {id: root01, path: /}
`
	f := mustParse(t, doc, nil)
	var got []string
	for _, r := range f.RestAPIs[0].Resources {
		got = append(got, r.ID+":"+r.ParentID+":"+r.Path)
	}
	if s := strings.Join(got, " "); s != "root01::/ pets01:root01:/pets child1:pets01:/pets/{petId}" {
		t.Errorf("resources: %s", s)
	}
	wantErrors(t, with(doc, "{id: pets01, parentId: root01, pathPart: pets}", "{id: pets01, parentId: child1, path: /pets}"), nil,
		`f.yaml:6:32: restApis[0].resources[1].parentId: "child1" is not the id of the parent resource "/" ("root01")`)
	wantErrors(t, with(doc, "parentId: pets01", "parentId: nope"), nil,
		`f.yaml:5:32: restApis[0].resources[0].parentId: no resource has the id "nope"`)
}

// A Cognito authorizer's identityValidationExpression (AWS matches the
// token's audience, the app client ID, against it) loads.
func TestRestCognitoAudienceExpression(t *testing.T) {
	src := with(restMinimal, "    stages:", "    authorizers:\n      - {name: a, type: COGNITO_USER_POOLS, providerARNs: [arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbC123], identityValidationExpression: '^client-[a-z]+$'}\n    stages:")
	f, err := Parse("f.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if got := f.RestAPIs[0].Authorizers[0].IdentityValidationExpression; got != "^client-[a-z]+$" {
		t.Errorf("identityValidationExpression = %q", got)
	}
}

// Usage plans may name WebSocket APIs' stages, by apiId or by name.
func TestUsagePlanWebSocketStages(t *testing.T) {
	ws := `apis:
  - name: chat
    protocolType: WEBSOCKET
    routeSelectionExpression: $request.body.action
    integrations:
      - {integrationId: backend, integrationType: AWS_PROXY, integrationUri: http://127.0.0.1:9000/events}
    routes:
      - {routeKey: $connect, target: integrations/backend, apiKeyRequired: true}
    stages:
      - stageName: dev
  - apiId: web
    protocolType: HTTP
    stages:
      - stageName: $default
apiKeys:
  - {name: k, value: 0123456789abcdefghij}
`
	f, err := Parse("f.yaml", []byte(ws+`usagePlans:
  - {name: p, apiStages: [{apiId: chat, stage: dev}], quota: {limit: 5, period: DAY}}
usagePlanKeys:
  - {usagePlanId: p, keyId: k}
`))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := f.UsagePlans[0].APIStages[0].APIID, f.APIs[0].APIID; got != want || got == "chat" {
		t.Errorf("apiStages[0].apiId = %q, want the WebSocket API's ID %q", got, want)
	}
	wantErrors(t, ws+`usagePlans:
  - name: p
    apiStages:
      - {apiId: chat, stage: prod}
      - {apiId: web, stage: $default}
      - {apiId: nothing, stage: dev}
      - {apiId: chat, stage: dev, throttle: {/GET: {rateLimit: 1}}}
`, nil,
		`f.yaml:20:30: usagePlans[0].apiStages[0].stage: WebSocket API "chat" has no stage "prod"`,
		`f.yaml:21:17: usagePlans[0].apiStages[1].apiId: "web" is an HTTP API: HTTP APIs have no API keys or usage plans`,
		`f.yaml:22:17: usagePlans[0].apiStages[2].apiId: no REST or WebSocket API has the id (or, without one, the name) "nothing"`,
		`f.yaml:23:45: usagePlans[0].apiStages[3].throttle: per-method throttles are for REST APIs; a WebSocket API's stage takes the plan's throttle`,
	)
}

func TestFlatAPIKeysWarning(t *testing.T) {
	wantWarnings(t, with(minimal, "    stages:", "    apiKeys: [k-1]\n    stages:"),
		"f.yaml:12:14: apis[0].apiKeys: "+flatAPIKeysWarning)
}
