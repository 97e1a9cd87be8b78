package authorizer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/portico-gw/portico/integration"
)

// arnCats is a request to another resource of the API of arnPets1.
const arnCats = "arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod/GET/cats"

// authRequest is a REST request for arn whose Auth header is token (none
// when token is "-").
func authRequest(arn, token string) *LambdaRequest {
	req := &LambdaRequest{Header: http.Header{}, ARN: arn}
	if token != "-" {
		req.Header.Set("Auth", token)
	}
	return req
}

// newTokenAuthorizer is a TOKEN authorizer reading the Auth header.
func newTokenAuthorizer(t testing.TB, f *authorizerFunction, expr string, ttl time.Duration, clk *manualClock) *Lambda {
	t.Helper()
	cfg := LambdaConfig{
		Type: TypeToken, Invoke: f.Invoke, IdentitySources: []string{"method.request.header.Auth"},
		IdentityValidationExpression: expr, TTL: ttl,
	}
	if clk != nil {
		cfg.Now = clk.Now
	}
	return mustNewLambda(t, cfg)
}

// TestLambdaTokenEvent checks that a TOKEN authorizer sends exactly the
// event aws-lambda-go's APIGatewayCustomAuthorizerRequest describes.
func TestLambdaTokenEvent(t *testing.T) {
	f := answering(policyAnswer(statementJSON("Allow", arnPets1)))
	l := newTokenAuthorizer(t, f, "", 0, nil)
	req := authRequest(arnPets1, "Bearer a<b")
	req.Event = map[string]any{"headers": map[string]any{"Auth": "Bearer a<b"}} // ignored by TOKEN
	req.BuildEvent = func() map[string]any { t.Error("a TOKEN authorizer built the request event"); return nil }
	if _, err := l.Authorize(context.Background(), req); err != nil {
		t.Fatalf("Authorize: %v", err)
	}
	raw := f.lastEvent(t)
	var keys map[string]any
	if err := json.Unmarshal(raw, &keys); err != nil {
		t.Fatal(err)
	}
	if len(keys) != 3 {
		t.Errorf("the TOKEN event has keys %v, want type, authorizationToken and methodArn only", keys)
	}
	var ev events.APIGatewayCustomAuthorizerRequest
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatal(err)
	}
	want := events.APIGatewayCustomAuthorizerRequest{Type: "TOKEN", AuthorizationToken: "Bearer a<b", MethodArn: arnPets1}
	if ev != want {
		t.Errorf("event %+v, want %+v", ev, want)
	}
	if strings.Contains(string(raw), `\u003c`) {
		t.Errorf("the event escapes HTML: %s", raw)
	}
}

// TestLambdaToken checks a TOKEN authorizer's decisions and what a REST
// API answers for each.
func TestLambdaToken(t *testing.T) {
	allowPets := policyAnswer(statementJSON("Allow", "arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod/GET/pets/*"))
	tests := []struct {
		name      string
		f         *authorizerFunction
		expr      string
		token     string // "-": no header
		arn       string
		wantCalls int32
		want      RESTError // zero: allowed
	}{
		{"allowed by a wildcard", answering(allowPets), "", "tok", arnPets1, 1, RESTError{}},
		{"implicit deny elsewhere", answering(allowPets), "", "tok", arnCats, 1, restImplicitDeny},
		{"explicit deny", answering(policyAnswer(statementJSON("Allow", "*"), statementJSON("Deny", "arn:aws:execute-api:*/prod/GET/pets/?"))),
			"", "tok", arnPets1, 1, restExplicitDeny},
		{"missing header", answering(allowPets), "", "-", arnPets1, 0, restUnauthorized},
		{"empty header", answering(allowPets), "", "", arnPets1, 0, restUnauthorized},
		{"expression matches", answering(allowPets), `Bearer [-0-9a-zA-Z._]+`, "Bearer abc.def", arnPets1, 1, RESTError{}},
		{"expression does not match", answering(allowPets), `Bearer [-0-9a-zA-Z._]+`, "Basic abc", arnPets1, 0, restUnauthorized},
		{"expression matches only a part", answering(allowPets), `[a-z]+`, "abc!", arnPets1, 0, restUnauthorized},
		{"alternation is anchored whole", answering(allowPets), `a|b`, "ab", arnPets1, 0, restUnauthorized},
		{"function fails Unauthorized", failing(errors.New("Unauthorized")), "", "tok", arnPets1, 1, restUnauthorized},
		{"function fails Unauthorized over Lambda", failing(&integration.FunctionError{Payload: []byte(`{"errorMessage":"Unauthorized","errorType":"Error"}`)}),
			"", "tok", arnPets1, 1, restUnauthorized},
		{"function fails", failing(errors.New("boom")), "", "tok", arnPets1, 1, restAuthorizerError},
		{"garbage", answering(`not json`), "", "tok", arnPets1, 1, restAuthorizerError},
		{"no policy", answering(`{"principalId":"u"}`), "", "tok", arnPets1, 1, restAuthorizerError},
		{"object in context", answering(`{"principalId":"u","policyDocument":{"Statement":[]},"context":{"a":{}}}`),
			"", "tok", arnPets1, 1, restAuthorizerError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newTokenAuthorizer(t, tt.f, tt.expr, 0, nil)
			res, err := l.Authorize(context.Background(), authRequest(tt.arn, tt.token))
			if got := tt.f.calls.Load(); got != tt.wantCalls {
				t.Errorf("%d invocations, want %d", got, tt.wantCalls)
			}
			if tt.want == (RESTError{}) {
				if err != nil || res == nil {
					t.Fatalf("Authorize: %v, want allowed", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Authorize allowed, want %s", tt.want.ResponseType)
			}
			if got := RESTErrorFor(err); got != tt.want {
				t.Errorf("RESTErrorFor(%v) = %+v, want %+v", err, got, tt.want)
			}
		})
	}
}

// TestLambdaTokenCache checks that answers are cached per token for the
// TTL, re-evaluated against each method ARN, and not cached with TTL 0.
func TestLambdaTokenCache(t *testing.T) {
	allowPets := policyAnswer(statementJSON("Allow", "arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod/GET/pets/*"))
	clk := &manualClock{t: lambdaEpoch}
	f := answering(allowPets)
	l := newTokenAuthorizer(t, f, "", DefaultLambdaTTL, clk)
	ctx := context.Background()

	if _, err := l.Authorize(ctx, authRequest(arnPets1, "tok-1")); err != nil {
		t.Fatal(err)
	}
	res, err := l.Authorize(ctx, authRequest(arnPets2, "tok-1"))
	if err != nil || !res.Cached {
		t.Fatalf("second request: %+v, %v; want a cached allow", res, err)
	}
	if err := func() error { _, err := l.Authorize(ctx, authRequest(arnCats, "tok-1")); return err }(); RESTErrorFor(err) != restImplicitDeny {
		t.Errorf("cached policy for another resource: %v, want an implicit deny", err)
	}
	if got := f.calls.Load(); got != 1 {
		t.Errorf("%d invocations for one token, want 1", got)
	}
	if _, err := l.Authorize(ctx, authRequest(arnPets1, "tok-2")); err != nil {
		t.Fatal(err)
	}
	if got := f.calls.Load(); got != 2 {
		t.Errorf("%d invocations for two tokens, want 2", got)
	}
	clk.Advance(DefaultLambdaTTL)
	if _, err := l.Authorize(ctx, authRequest(arnPets1, "tok-1")); err != nil {
		t.Fatal(err)
	}
	if got := f.calls.Load(); got != 3 {
		t.Errorf("%d invocations after the TTL, want 3", got)
	}

	uncached := answering(allowPets)
	l = newTokenAuthorizer(t, uncached, "", 0, clk)
	for range 3 {
		if _, err := l.Authorize(ctx, authRequest(arnPets1, "tok-1")); err != nil {
			t.Fatal(err)
		}
	}
	if got := uncached.calls.Load(); got != 3 {
		t.Errorf("TTL 0: %d invocations for 3 requests, want 3", got)
	}
}

// TestLambdaTokenResult checks principalId, usageIdentifierKey and the
// context as a REST event carries it: every value a string.
func TestLambdaTokenResult(t *testing.T) {
	f := answering(`{"principalId":"user-9","usageIdentifierKey":"key-0123456789abcdefghij",
		"policyDocument":{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"execute-api:*","Resource":"*"}},
		"context":{"s":"x","n":123,"big":12345678901234567890,"f":1.5,"e":1e3,"b":true,"no":false}}`)
	l := newTokenAuthorizer(t, f, "", 0, nil)
	res, err := l.Authorize(context.Background(), authRequest(arnPets1, "tok"))
	if err != nil {
		t.Fatal(err)
	}
	if res.PrincipalID != "user-9" || res.UsageIdentifierKey != "key-0123456789abcdefghij" {
		t.Errorf("result %+v", res)
	}
	got := res.ContextREST(42 * time.Millisecond)
	want := map[string]any{
		"principalId": "user-9", "integrationLatency": int64(42),
		"s": "x", "n": "123", "big": "12345678901234567890", "f": "1.5", "e": "1000", "b": "true", "no": "false",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ContextREST = %#v, want %#v", got, want)
	}
	// As the integration's event carries it, decoded by aws-lambda-go.
	raw, err := json.Marshal(map[string]any{"requestContext": map[string]any{"authorizer": got}})
	if err != nil {
		t.Fatal(err)
	}
	var proxy events.APIGatewayProxyRequest
	if err := json.Unmarshal(raw, &proxy); err != nil {
		t.Fatal(err)
	}
	if proxy.RequestContext.Authorizer["n"] != "123" || proxy.RequestContext.Authorizer["principalId"] != "user-9" {
		t.Errorf("requestContext.authorizer = %v", proxy.RequestContext.Authorizer)
	}
}

// TestLambdaRESTRequest checks a REST REQUEST authorizer: the v1 identity
// sources, the event decoded as aws-lambda-go's
// APIGatewayCustomAuthorizerRequestTypeRequest, and the 401 of a missing
// source.
func TestLambdaRESTRequest(t *testing.T) {
	sources, err := ParseV1IdentitySource("method.request.header.Auth, method.request.querystring.name,stageVariables.env , context.stage")
	if err != nil {
		t.Fatal(err)
	}
	f := answering(policyAnswer(statementJSON("Allow", arnPets1)))
	l := mustNewLambda(t, LambdaConfig{Type: TypeRequest, Invoke: f.Invoke, IdentitySources: sources, TTL: DefaultLambdaTTL})
	modeEvent := map[string]any{
		"resource":                        "/pets/{id}",
		"path":                            "/pets/1",
		"httpMethod":                      "GET",
		"headers":                         map[string]any{"auth": "tok"},
		"multiValueHeaders":               map[string]any{"auth": []any{"tok"}},
		"queryStringParameters":           map[string]any{"name": "n1"},
		"multiValueQueryStringParameters": map[string]any{"name": []any{"n1"}},
		"pathParameters":                  map[string]any{"id": "1"},
		"stageVariables":                  map[string]any{"env": "prod"},
		"requestContext": map[string]any{"path": "/prod/pets/1", "accountId": "123456789012", "resourceId": "r1",
			"stage": "prod", "requestId": "req-1", "resourcePath": "/pets/{id}", "httpMethod": "GET", "apiId": "abcdef1234",
			"identity": map[string]any{"sourceIp": "192.0.2.1", "apiKey": ""}},
	}
	req := func(query url.Values) *LambdaRequest {
		return &LambdaRequest{
			Header: http.Header{"Auth": {"tok"}}, Query: query,
			Context: map[string]string{"stage": "prod"}, StageVariables: map[string]string{"env": "prod"},
			ARN: arnPets1, BuildEvent: func() map[string]any { return modeEvent },
		}
	}
	if _, err := l.Authorize(context.Background(), req(url.Values{"name": {"n1"}})); err != nil {
		t.Fatalf("Authorize: %v", err)
	}
	var ev events.APIGatewayCustomAuthorizerRequestTypeRequest
	if err := json.Unmarshal(f.lastEvent(t), &ev); err != nil {
		t.Fatal(err)
	}
	want := events.APIGatewayCustomAuthorizerRequestTypeRequest{
		Type: "REQUEST", MethodArn: arnPets1, Resource: "/pets/{id}", Path: "/pets/1", HTTPMethod: "GET",
		Headers: map[string]string{"auth": "tok"}, MultiValueHeaders: map[string][]string{"auth": {"tok"}},
		QueryStringParameters: map[string]string{"name": "n1"}, MultiValueQueryStringParameters: map[string][]string{"name": {"n1"}},
		PathParameters: map[string]string{"id": "1"}, StageVariables: map[string]string{"env": "prod"},
		RequestContext: events.APIGatewayCustomAuthorizerRequestTypeRequestContext{
			Path: "/prod/pets/1", AccountID: "123456789012", ResourceID: "r1", Stage: "prod", RequestID: "req-1",
			ResourcePath: "/pets/{id}", HTTPMethod: "GET", APIID: "abcdef1234",
			Identity: events.APIGatewayCustomAuthorizerRequestTypeRequestIdentity{SourceIP: "192.0.2.1"},
		},
	}
	if !reflect.DeepEqual(ev, want) {
		t.Errorf("event\n%+v\nwant\n%+v", ev, want)
	}

	_, err = l.Authorize(context.Background(), req(url.Values{"other": {"x"}}))
	if got := RESTErrorFor(err); got != restUnauthorized {
		t.Errorf("missing query parameter: %v → %+v, want UNAUTHORIZED", err, got)
	}
	if got := f.calls.Load(); got != 1 {
		t.Errorf("%d invocations, want 1", got)
	}
}

func TestParseV1IdentitySource(t *testing.T) {
	tests := []struct {
		in      string
		want    []string
		wantErr string
	}{
		{"", nil, ""},
		{"  ", nil, ""},
		{"method.request.header.Authorization", []string{"method.request.header.Authorization"}, ""},
		{"method.request.header.Auth, method.request.querystring.Name", []string{"method.request.header.Auth", "method.request.querystring.Name"}, ""},
		{" stageVariables.env,context.identity.sourceIp ", []string{"stageVariables.env", "context.identity.sourceIp"}, ""},
		{"method.request.header.Auth,", nil, "empty element"},
		{"method.request.path.id", nil, "is not method.request.header.X"},
		{"$request.header.Auth", nil, "is not method.request.header.X"},
		{"route.request.header.Auth", nil, "is not method.request.header.X"},
		{"method.request.header.", nil, "not a header name"},
		{"method.request.header.A B", nil, "not a header name"},
		{"stageVariables.a-b", nil, "stage variable name"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseV1IdentitySource(tt.in)
			if tt.wantErr != "" {
				if !errors.Is(err, ErrInvalidLambdaConfig) || !strings.Contains(fmt.Sprint(err), tt.wantErr) {
					t.Fatalf("ParseV1IdentitySource(%q) = %q, %v; want ErrInvalidLambdaConfig and %q", tt.in, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("ParseV1IdentitySource(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestRESTErrorFor(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want RESTError
	}{
		{"401", &Deny{Status: 401}, restUnauthorized},
		{"explicit deny", fmt.Errorf("wrapped: %w", &Deny{Status: 403, Explicit: true}), restExplicitDeny},
		{"implicit deny", &Deny{Status: 403}, restImplicitDeny},
		{"failure", fmt.Errorf("%w: boom", ErrLambdaFailure), restAuthorizerError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := RESTErrorFor(tt.err)
			if got != tt.want {
				t.Fatalf("RESTErrorFor = %+v, want %+v", got, tt.want)
			}
			var body map[string]any
			if err := json.Unmarshal([]byte(got.Body), &body); err != nil {
				t.Fatalf("body %s: %v", got.Body, err)
			}
		})
	}
	if b := restExplicitDeny.Body; b != `{"Message":"User is not authorized to access this resource with an explicit deny"}` {
		t.Errorf("explicit deny body %s", b)
	}
	if b := restAuthorizerError.Body; b != `{"message":null}` {
		t.Errorf("authorizer error body %s", b)
	}
}
