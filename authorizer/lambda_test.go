package authorizer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/portico-gw/portico/integration"
)

const (
	// arnPets1 and arnPets2 are the ARNs of two requests to one route.
	arnPets1 = "arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod/GET/pets/1"
	arnPets2 = "arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod/GET/pets/2"
)

// lambdaEpoch is the start of the authorizer tests' clocks.
var lambdaEpoch = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// authorizerFunction stands for the authorizer's Lambda function: it
// counts its invocations, records their events and answers with answer.
type authorizerFunction struct {
	calls  atomic.Int32
	answer func(ctx context.Context, event map[string]any) ([]byte, error)

	mu  sync.Mutex
	raw [][]byte // guarded by mu: the events received, as sent
}

// newFunction returns a function that answers with answer.
func newFunction(answer func(ctx context.Context, event map[string]any) ([]byte, error)) *authorizerFunction {
	return &authorizerFunction{answer: answer}
}

// answering returns a function that always answers payload.
func answering(payload string) *authorizerFunction {
	return newFunction(func(context.Context, map[string]any) ([]byte, error) { return []byte(payload), nil })
}

// failing returns a function whose invocations fail with err.
func failing(err error) *authorizerFunction {
	return newFunction(func(context.Context, map[string]any) ([]byte, error) { return nil, err })
}

// Invoke is the LambdaConfig.Invoke of the function.
func (f *authorizerFunction) Invoke(ctx context.Context, event []byte) ([]byte, error) {
	f.calls.Add(1)
	var ev map[string]any
	if err := json.Unmarshal(event, &ev); err != nil {
		return nil, fmt.Errorf("test function: the event is not a JSON object: %w", err)
	}
	f.mu.Lock()
	f.raw = append(f.raw, bytes.Clone(event))
	f.mu.Unlock()
	return f.answer(ctx, ev)
}

// lastEvent returns the last event received, as sent.
func (f *authorizerFunction) lastEvent(t testing.TB) []byte {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.raw) == 0 {
		t.Fatal("the function was not invoked")
	}
	return f.raw[len(f.raw)-1]
}

// manualClock is a LambdaConfig.Now that moves only when told.
type manualClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *manualClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// statementJSON is a policy statement for execute-api:Invoke.
func statementJSON(effect, resource string) string {
	return fmt.Sprintf(`{"Effect":%q,"Action":"execute-api:Invoke","Resource":%q}`, effect, resource)
}

// policyAnswer is a policy response of principal "user-1" with statements.
func policyAnswer(statements ...string) string {
	return `{"principalId":"user-1","policyDocument":{"Version":"2012-10-17","Statement":[` +
		strings.Join(statements, ",") + `]}}`
}

// mustNewLambda builds an authorizer or fails the test.
func mustNewLambda(t testing.TB, cfg LambdaConfig) *Lambda {
	t.Helper()
	l, err := NewLambda(cfg)
	if err != nil {
		t.Fatalf("NewLambda: %v", err)
	}
	return l
}

// tokenRequest is a request for arn whose Authorization header is token.
func tokenRequest(arn, token string) *LambdaRequest {
	return &LambdaRequest{Header: http.Header{"Authorization": {token}}, ARN: arn}
}

// requireDeny returns err as a *Deny with status, failing the test when it
// is not one.
func requireDeny(t testing.TB, err error, status int) *Deny {
	t.Helper()
	var d *Deny
	if !errors.As(err, &d) {
		t.Fatalf("error %v (%T) is not a *Deny", err, err)
	}
	if d.Status != status {
		t.Fatalf("deny status %d (%s), want %d", d.Status, d.Reason, status)
	}
	if d.WWWAuthenticate != "" {
		t.Errorf("a Lambda authorizer deny has www-authenticate %q", d.WWWAuthenticate)
	}
	return d
}

// requireFailure checks that err is a failure (500), not a *Deny.
func requireFailure(t testing.TB, err error) {
	t.Helper()
	var d *Deny
	switch {
	case err == nil:
		t.Fatal("no error, want a failure")
	case errors.As(err, &d):
		t.Fatalf("error is a *Deny (%d %s), want a failure", d.Status, d.Reason)
	case !errors.Is(err, ErrLambdaFailure):
		t.Fatalf("error %v does not wrap ErrLambdaFailure", err)
	}
}

// denyStatus returns the status of err when it is a *Deny, 0 for no
// error, -1 for any other error.
func denyStatus(err error) int {
	var d *Deny
	switch {
	case err == nil:
		return 0
	case errors.As(err, &d):
		return d.Status
	}
	return -1
}

// writeAnswer writes v as the JSON answer of a function host.
func writeAnswer(t testing.TB, w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	if err := json.NewEncoder(w).Encode(v); err != nil {
		t.Errorf("writing the answer: %v", err)
	}
}

// len returns the number of cache entries.
func (c *resultCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}

// waitersOf returns how many calls joined the invocation under way for key.
func (c *resultCache) waitersOf(key string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[key]; ok && e.elem == nil {
		return e.waiters
	}
	return 0
}

func TestLambdaConfigValidate(t *testing.T) {
	invoke := answering(`{}`).Invoke
	tests := []struct {
		name    string
		cfg     LambdaConfig
		wantErr string // "" for valid
	}{
		{"minimal", LambdaConfig{Invoke: invoke}, ""},
		{"2.0 simple cached", LambdaConfig{Invoke: invoke, PayloadFormatVersion: "2.0", EnableSimpleResponses: true,
			IdentitySources: []string{"$request.header.Authorization"}, TTL: 5 * time.Minute}, ""},
		{"every HTTP API form", LambdaConfig{Invoke: invoke, PayloadFormatVersion: "2.0", IdentitySources: []string{
			"$request.header.X-Api-Key", "$request.querystring.token", "$context.routeKey", "$context.identity.sourceIp", "$stageVariables.env_1"}}, ""},
		{"every WebSocket form", LambdaConfig{Invoke: invoke, PayloadFormatVersion: "1.0", IdentitySources: []string{
			"route.request.header.Auth", " route.request.querystring.token ", "context.connectionId", "stageVariables.env"}}, ""},
		{"max TTL", LambdaConfig{Invoke: invoke, IdentitySources: []string{"context.routeKey"}, TTL: time.Hour}, ""},

		{"no Invoke", LambdaConfig{}, "Invoke is required"},
		{"unknown version", LambdaConfig{Invoke: invoke, PayloadFormatVersion: "3.0"}, `"3.0" is not 1.0 or 2.0`},
		{"simple with 1.0", LambdaConfig{Invoke: invoke, PayloadFormatVersion: "1.0", EnableSimpleResponses: true}, "simple responses"},
		{"simple with default version", LambdaConfig{Invoke: invoke, EnableSimpleResponses: true}, "simple responses"},
		{"unknown source", LambdaConfig{Invoke: invoke, IdentitySources: []string{"$request.path.id"}}, "is not $request.header.X"},
		{"every REST form", LambdaConfig{Invoke: invoke, Type: TypeRequest, IdentitySources: []string{
			"method.request.header.Auth", "method.request.querystring.name", "stageVariables.env", "context.stage"}}, ""},
		{"TOKEN", LambdaConfig{Invoke: invoke, Type: TypeToken, IdentitySources: []string{"method.request.header.Auth"},
			IdentityValidationExpression: `Bearer [-0-9a-zA-Z\._]*`, TTL: 5 * time.Minute}, ""},
		{"unknown type", LambdaConfig{Invoke: invoke, Type: "COGNITO_USER_POOLS"}, `type "COGNITO_USER_POOLS" is not REQUEST or TOKEN`},
		{"TOKEN without source", LambdaConfig{Invoke: invoke, Type: TypeToken}, "exactly one identity source, a header"},
		{"TOKEN with two sources", LambdaConfig{Invoke: invoke, Type: TypeToken, IdentitySources: []string{
			"method.request.header.A", "method.request.header.B"}}, "exactly one identity source, a header"},
		{"TOKEN from the query", LambdaConfig{Invoke: invoke, Type: TypeToken, IdentitySources: []string{
			"method.request.querystring.token"}}, "exactly one identity source, a header"},
		{"TOKEN 2.0", LambdaConfig{Invoke: invoke, Type: TypeToken, PayloadFormatVersion: "2.0", IdentitySources: []string{
			"method.request.header.Auth"}}, "payload format version 1.0"},
		{"TOKEN bad expression", LambdaConfig{Invoke: invoke, Type: TypeToken, IdentitySources: []string{
			"method.request.header.Auth"}, IdentityValidationExpression: "(a"}, "identity validation expression"},
		{"REQUEST with expression", LambdaConfig{Invoke: invoke, IdentitySources: []string{
			"method.request.header.Auth"}, IdentityValidationExpression: ".*"}, "needs a TOKEN authorizer"},
		{"empty source", LambdaConfig{Invoke: invoke, IdentitySources: []string{""}}, "is not $request.header.X"},
		{"empty header name", LambdaConfig{Invoke: invoke, IdentitySources: []string{"$request.header."}}, "not a header name"},
		{"bad header name", LambdaConfig{Invoke: invoke, IdentitySources: []string{"$request.header.X Y"}}, "not a header name"},
		{"empty query name", LambdaConfig{Invoke: invoke, IdentitySources: []string{"route.request.querystring."}}, "name is empty"},
		{"comma in name", LambdaConfig{Invoke: invoke, IdentitySources: []string{"$context.a,b"}}, "commas"},
		{"bad stage variable", LambdaConfig{Invoke: invoke, IdentitySources: []string{"$stageVariables.a-b"}}, "stage variable name"},
		{"negative TTL", LambdaConfig{Invoke: invoke, IdentitySources: []string{"context.x"}, TTL: -time.Second}, "negative"},
		{"TTL over an hour", LambdaConfig{Invoke: invoke, IdentitySources: []string{"context.x"}, TTL: time.Hour + time.Second}, "more than 1h0m0s"},
		{"TTL without sources", LambdaConfig{Invoke: invoke, TTL: time.Minute}, "needs at least one identity source"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			_, newErr := NewLambda(tt.cfg)
			if (err == nil) != (newErr == nil) {
				t.Fatalf("Validate: %v, NewLambda: %v", err, newErr)
			}
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate accepted %+v", tt.cfg)
			}
			if !errors.Is(err, ErrInvalidLambdaConfig) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Validate: %v, want ErrInvalidLambdaConfig and %q", err, tt.wantErr)
			}
		})
	}
}

// TestLambdaEvent checks the keys Authorize adds in both payload formats,
// that the mode's keys reach the function as they were, and that the
// mode's map is not modified. The events are decoded with aws-lambda-go's
// types, as a Go function would.
func TestLambdaEvent(t *testing.T) {
	t.Run("1.0", func(t *testing.T) {
		f := answering(policyAnswer(statementJSON("Allow", arnPets1)))
		l := mustNewLambda(t, LambdaConfig{Invoke: f.Invoke, PayloadFormatVersion: "1.0", IdentitySources: []string{
			"$request.header.authorization", "$request.querystring.user", "$context.routeKey", "$stageVariables.env",
		}})
		modeEvent := map[string]any{
			"version":               "1.0",
			"resource":              "/pets/{id}",
			"path":                  "/pets/1",
			"httpMethod":            "GET",
			"headers":               map[string]any{"Authorization": "tok", "X-Note": "a<b&c>"},
			"multiValueHeaders":     map[string]any{"Authorization": []any{"tok"}, "X-Note": []any{"a<b&c>"}},
			"queryStringParameters": map[string]any{"user": "u1"},
			"pathParameters":        map[string]any{"id": "1"},
			"stageVariables":        map[string]any{"env": "prod"},
			"requestContext":        map[string]any{"stage": "prod", "requestId": "req-1", "httpMethod": "GET", "apiId": "abcdef1234"},
		}
		req := &LambdaRequest{
			Header:         http.Header{"Authorization": {"tok"}, "X-Note": {"a<b&c>"}},
			Query:          url.Values{"user": {"u1"}},
			Context:        map[string]string{"routeKey": "GET /pets/{id}"},
			StageVariables: map[string]string{"env": "prod"},
			ARN:            arnPets1,
			Event:          modeEvent,
		}
		if _, err := l.Authorize(context.Background(), req); err != nil {
			t.Fatalf("Authorize: %v", err)
		}
		raw := f.lastEvent(t)
		if !bytes.Contains(raw, []byte(`"a<b&c>"`)) {
			t.Errorf("the event escapes HTML: %s", raw)
		}
		var got map[string]any
		if err := json.Unmarshal(raw, &got); err != nil {
			t.Fatal(err)
		}
		wantAdded := map[string]any{
			"type":               "REQUEST",
			"methodArn":          arnPets1,
			"identitySource":     "tok,u1,GET /pets/{id},prod",
			"authorizationToken": "tok,u1,GET /pets/{id},prod",
		}
		checkEvent(t, got, modeEvent, wantAdded)
		if _, ok := got["routeArn"]; ok {
			t.Error("a 1.0 event has routeArn")
		}

		var ev events.APIGatewayV2CustomAuthorizerV1Request
		if err := json.Unmarshal(raw, &ev); err != nil {
			t.Fatalf("decoding as APIGatewayV2CustomAuthorizerV1Request: %v", err)
		}
		if ev.Version != "1.0" || ev.Type != "REQUEST" || ev.MethodArn != arnPets1 || ev.IdentitySource != "tok,u1,GET /pets/{id},prod" ||
			ev.AuthorizationToken != ev.IdentitySource || ev.Resource != "/pets/{id}" || ev.Path != "/pets/1" || ev.HTTPMethod != "GET" ||
			ev.Headers["Authorization"] != "tok" || ev.RequestContext.RequestID != "req-1" || ev.PathParameters["id"] != "1" {
			t.Errorf("decoded event %+v", ev)
		}
		if len(modeEvent) != 10 || modeEvent["type"] != nil || modeEvent["methodArn"] != nil {
			t.Errorf("Authorize modified the mode's event: %v", modeEvent)
		}
	})

	t.Run("2.0", func(t *testing.T) {
		f := answering(`{"isAuthorized":true}`)
		l := mustNewLambda(t, LambdaConfig{Invoke: f.Invoke, PayloadFormatVersion: "2.0", EnableSimpleResponses: true,
			IdentitySources: []string{"$request.header.Authorization", "$request.querystring.id"}})
		modeEvent := map[string]any{
			"version":               "2.0",
			"routeKey":              "GET /pets",
			"rawPath":               "/pets",
			"rawQueryString":        "id=7&id=8",
			"cookies":               []any{"c=1"},
			"headers":               map[string]any{"authorization": "tok"},
			"queryStringParameters": map[string]any{"id": "7,8"},
			"requestContext": map[string]any{"routeKey": "GET /pets", "stage": "$default", "requestId": "req-2",
				"http": map[string]any{"method": "GET", "path": "/pets"}},
		}
		req := &LambdaRequest{
			Header: http.Header{"Authorization": {"tok"}},
			Query:  url.Values{"id": {"7", "8"}},
			ARN:    arnPets1,
			Event:  modeEvent,
		}
		if _, err := l.Authorize(context.Background(), req); err != nil {
			t.Fatalf("Authorize: %v", err)
		}
		raw := f.lastEvent(t)
		var got map[string]any
		if err := json.Unmarshal(raw, &got); err != nil {
			t.Fatal(err)
		}
		checkEvent(t, got, modeEvent, map[string]any{
			"type":           "REQUEST",
			"routeArn":       arnPets1,
			"identitySource": []any{"tok", "7,8"},
		})
		for _, k := range []string{"methodArn", "authorizationToken"} {
			if _, ok := got[k]; ok {
				t.Errorf("a 2.0 event has %s", k)
			}
		}

		var ev events.APIGatewayV2CustomAuthorizerV2Request
		if err := json.Unmarshal(raw, &ev); err != nil {
			t.Fatalf("decoding as APIGatewayV2CustomAuthorizerV2Request: %v", err)
		}
		if ev.Version != "2.0" || ev.Type != "REQUEST" || ev.RouteArn != arnPets1 || !reflect.DeepEqual(ev.IdentitySource, []string{"tok", "7,8"}) ||
			ev.RouteKey != "GET /pets" || ev.RawQueryString != "id=7&id=8" || ev.RequestContext.HTTP.Method != "GET" || ev.RequestContext.RequestID != "req-2" {
			t.Errorf("decoded event %+v", ev)
		}
	})

	for _, version := range []string{"1.0", "2.0"} {
		t.Run(version+" without identity sources", func(t *testing.T) {
			f := answering(policyAnswer(statementJSON("Allow", "*")))
			l := mustNewLambda(t, LambdaConfig{Invoke: f.Invoke, PayloadFormatVersion: version})
			if _, err := l.Authorize(context.Background(), &LambdaRequest{ARN: arnPets1}); err != nil {
				t.Fatalf("Authorize: %v", err)
			}
			var got map[string]any
			if err := json.Unmarshal(f.lastEvent(t), &got); err != nil {
				t.Fatal(err)
			}
			want := map[string]any{"type": "REQUEST", "identitySource": nil}
			if version == "1.0" {
				want["methodArn"], want["authorizationToken"] = arnPets1, nil
			} else {
				want["routeArn"] = arnPets1
			}
			checkEvent(t, got, nil, want)
		})
	}
}

// checkEvent checks that got holds exactly the mode's keys, as they were,
// plus added.
func checkEvent(t *testing.T, got, mode, added map[string]any) {
	t.Helper()
	if len(got) != len(mode)+len(added) {
		t.Errorf("the event has %d keys, want %d mode's + %d added: %v", len(got), len(mode), len(added), got)
	}
	for k, want := range mode {
		if !jsonEqual(t, got[k], want) {
			t.Errorf("the mode's %s changed: got %v, want %v", k, got[k], want)
		}
	}
	for k, want := range added {
		v, ok := got[k]
		if !ok || !jsonEqual(t, v, want) {
			t.Errorf("%s = %#v (present %v), want %#v", k, v, ok, want)
		}
	}
}

// jsonEqual compares two values by their JSON encoding.
func jsonEqual(t *testing.T, a, b any) bool {
	t.Helper()
	ja, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	jb, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Equal(ja, jb)
}

func TestLambdaIdentitySources(t *testing.T) {
	sources := []string{"$request.header.X-Token", "$request.querystring.user", "$context.routeKey", "$stageVariables.tenant"}
	full := func() *LambdaRequest {
		return &LambdaRequest{
			Header:         http.Header{"X-Token": {"tok"}},
			Query:          url.Values{"user": {"u1"}},
			Context:        map[string]string{"routeKey": "GET /pets"},
			StageVariables: map[string]string{"tenant": "t1"},
			ARN:            arnPets1,
		}
	}
	tests := []struct {
		name   string
		change func(r *LambdaRequest)
		want   string // the event's identitySource; "" means a 401 without invocation
	}{
		{"all present", func(*LambdaRequest) {}, "tok,u1,GET /pets,t1"},
		{"header name in another case", func(r *LambdaRequest) {
			r.Header = http.Header{"x-token": {"tok"}}
		}, "tok,u1,GET /pets,t1"},
		{"header values joined", func(r *LambdaRequest) {
			r.Header = http.Header{"X-Token": {"a", "", "b"}}
		}, "a,b,u1,GET /pets,t1"},
		{"query values joined", func(r *LambdaRequest) { r.Query = url.Values{"user": {"u1", "u2"}} }, "tok,u1,u2,GET /pets,t1"},
		{"header missing", func(r *LambdaRequest) { r.Header = nil }, ""},
		{"header empty", func(r *LambdaRequest) { r.Header.Set("X-Token", "") }, ""},
		{"header values all empty", func(r *LambdaRequest) { r.Header["X-Token"] = []string{"", ""} }, ""},
		{"query missing", func(r *LambdaRequest) { r.Query = url.Values{} }, ""},
		{"query name is case-sensitive", func(r *LambdaRequest) { r.Query = url.Values{"User": {"u1"}} }, ""},
		{"query empty", func(r *LambdaRequest) { r.Query = url.Values{"user": {""}} }, ""},
		{"context variable missing", func(r *LambdaRequest) { r.Context = nil }, ""},
		{"stage variable empty", func(r *LambdaRequest) { r.StageVariables["tenant"] = "" }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := answering(policyAnswer(statementJSON("Allow", "*")))
			l := mustNewLambda(t, LambdaConfig{Invoke: f.Invoke, IdentitySources: sources, TTL: time.Minute})
			req := full()
			tt.change(req)
			res, err := l.Authorize(context.Background(), req)
			if tt.want == "" {
				d := requireDeny(t, err, http.StatusUnauthorized)
				if !strings.Contains(d.Reason, "is missing or empty") {
					t.Errorf("reason %q", d.Reason)
				}
				if n := f.calls.Load(); n != 0 {
					t.Errorf("the function was invoked %d times", n)
				}
				return
			}
			if err != nil || res == nil {
				t.Fatalf("Authorize: %v", err)
			}
			var ev map[string]any
			if err := json.Unmarshal(f.lastEvent(t), &ev); err != nil {
				t.Fatal(err)
			}
			if ev["identitySource"] != tt.want {
				t.Errorf("identitySource %q, want %q", ev["identitySource"], tt.want)
			}
		})
	}
}

func TestLambdaSimpleResponses(t *testing.T) {
	tests := []struct {
		name        string
		answer      string
		wantStatus  int // 0: allowed; -1: failure
		wantContext map[string]any
	}{
		{"authorized", `{"isAuthorized":true}`, 0, nil},
		{"authorized with context", `{"isAuthorized":true,"context":{"user":"u1","n":7,"admin":false,"groups":["a","b"],"org":{"id":"o1"}}}`, 0,
			map[string]any{"user": "u1", "n": json.Number("7"), "admin": false, "groups": []any{"a", "b"}, "org": map[string]any{"id": "o1"}}},
		{"null context", `{"isAuthorized":true,"context":null}`, 0, nil},
		{"not authorized", `{"isAuthorized":false,"context":{"why":"no"}}`, http.StatusForbidden, nil},
		{"isAuthorized missing", `{"context":{}}`, -1, nil},
		{"isAuthorized a string", `{"isAuthorized":"true"}`, -1, nil},
		{"isAuthorized null", `{"isAuthorized":null}`, -1, nil},
		{"a policy instead", policyAnswer(statementJSON("Allow", "*")), -1, nil},
		{"context an array", `{"isAuthorized":true,"context":[1]}`, -1, nil},
		{"null", `null`, -1, nil},
		{"empty", ``, -1, nil},
		{"not JSON", `allow`, -1, nil},
		{"a bare boolean", `true`, -1, nil},
		{"trailing data", `{"isAuthorized":true} {}`, -1, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := answering(tt.answer)
			l := mustNewLambda(t, LambdaConfig{Invoke: f.Invoke, PayloadFormatVersion: "2.0", EnableSimpleResponses: true})
			res, err := l.Authorize(context.Background(), &LambdaRequest{ARN: arnPets1})
			switch tt.wantStatus {
			case 0:
				if err != nil {
					t.Fatalf("Authorize: %v", err)
				}
				if res.PrincipalID != "" || res.Cached || !reflect.DeepEqual(res.Context, tt.wantContext) {
					t.Errorf("result %+v, want context %v", res, tt.wantContext)
				}
			case -1:
				requireFailure(t, err)
			default:
				d := requireDeny(t, err, tt.wantStatus)
				if d.Reason != "the authorizer answered isAuthorized false" {
					t.Errorf("reason %q", d.Reason)
				}
			}
		})
	}
}

func TestLambdaPolicyResponses(t *testing.T) {
	tests := []struct {
		name       string
		version    string
		answer     string
		wantStatus int    // 0: allowed; -1: failure
		wantReason string // part of Deny.Reason
	}{
		{"allow exact", "1.0", policyAnswer(statementJSON("Allow", arnPets1)), 0, ""},
		{"allow wildcard", "2.0", policyAnswer(statementJSON("Allow", "arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod/GET/*")), 0, ""},
		{"deny", "1.0", policyAnswer(statementJSON("Deny", arnPets1)), http.StatusForbidden, "explicitly denies"},
		{"allow another resource", "1.0", policyAnswer(statementJSON("Allow", arnPets2)), http.StatusForbidden, "implicit deny"},
		{"deny overrides allow", "2.0", policyAnswer(statementJSON("Allow", "*"), statementJSON("Deny", "*/GET/pets/*")), http.StatusForbidden, "explicitly denies"},
		{"deny of another resource", "1.0", policyAnswer(statementJSON("Allow", "*"), statementJSON("Deny", arnPets2)), 0, ""},
		{"no statements", "1.0", policyAnswer(), http.StatusForbidden, "implicit deny"},
		{"statement object", "1.0", `{"principalId":"user-1","policyDocument":{"Statement":` + statementJSON("Allow", arnPets1) + `}}`, 0, ""},
		{"no principalId", "1.0", `{"policyDocument":{"Statement":[]}}`, -1, ""},
		{"principalId a number", "1.0", `{"principalId":1,"policyDocument":{"Statement":[]}}`, -1, ""},
		{"no policyDocument", "1.0", `{"principalId":"user-1"}`, -1, ""},
		{"a simple response instead", "2.0", `{"isAuthorized":true}`, -1, ""},
		{"lower-case effect", "1.0", `{"principalId":"u","policyDocument":{"Statement":[{"Effect":"allow","Action":"*","Resource":"*"}]}}`, -1, ""},
		{"not an object", "1.0", `"Allow"`, -1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := answering(tt.answer)
			l := mustNewLambda(t, LambdaConfig{Invoke: f.Invoke, PayloadFormatVersion: tt.version})
			res, err := l.Authorize(context.Background(), &LambdaRequest{ARN: arnPets1})
			switch tt.wantStatus {
			case 0:
				if err != nil {
					t.Fatalf("Authorize: %v", err)
				}
				if res.PrincipalID != "user-1" {
					t.Errorf("principal %q", res.PrincipalID)
				}
			case -1:
				requireFailure(t, err)
			default:
				d := requireDeny(t, err, tt.wantStatus)
				if !strings.Contains(d.Reason, tt.wantReason) || !strings.Contains(d.Reason, arnPets1) {
					t.Errorf("reason %q, want %q and the ARN", d.Reason, tt.wantReason)
				}
			}
		})
	}
}

func TestLambdaContext(t *testing.T) {
	tests := []struct {
		name    string
		version string
		context string
		want    map[string]any // nil: failure
	}{
		{"1.0 scalars", "1.0", `{"user":"u1","n":12345678901234567890,"f":1.5,"admin":true}`,
			map[string]any{"user": "u1", "n": json.Number("12345678901234567890"), "f": json.Number("1.5"), "admin": true}},
		{"1.0 empty", "1.0", `{}`, map[string]any{}},
		{"1.0 object", "1.0", `{"org":{"id":"o1"}}`, nil},
		{"1.0 array", "1.0", `{"groups":["a"]}`, nil},
		{"1.0 null value", "1.0", `{"user":null}`, nil},
		{"2.0 any JSON", "2.0", `{"org":{"id":"o1"},"groups":["a",1],"none":null}`,
			map[string]any{"org": map[string]any{"id": "o1"}, "groups": []any{"a", json.Number("1")}, "none": nil}},
		{"2.0 not an object", "2.0", `"ctx"`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			answer := `{"principalId":"user-1","policyDocument":{"Statement":[` + statementJSON("Allow", "*") + `]},"context":` + tt.context + `}`
			f := answering(answer)
			l := mustNewLambda(t, LambdaConfig{Invoke: f.Invoke, PayloadFormatVersion: tt.version})
			res, err := l.Authorize(context.Background(), &LambdaRequest{ARN: arnPets1})
			if tt.want == nil {
				requireFailure(t, err)
				return
			}
			if err != nil {
				t.Fatalf("Authorize: %v", err)
			}
			if !reflect.DeepEqual(res.Context, tt.want) {
				t.Errorf("context %#v, want %#v", res.Context, tt.want)
			}
		})
	}
}

func TestLambdaFunctionFailures(t *testing.T) {
	unauthorizedPayload := []byte(`{"errorMessage":"Unauthorized","errorType":"Error","trace":[]}`)
	boom := errors.New("boom")
	tests := []struct {
		name    string
		version string
		err     error
		want401 bool
	}{
		{"1.0 in-process Unauthorized", "1.0", errors.New("Unauthorized"), true},
		{"1.0 Lambda Unauthorized", "1.0", fmt.Errorf("invoking lambda auth: %w", &integration.FunctionError{Type: "Unhandled", Payload: unauthorizedPayload}), true},
		{"1.0 Lambda Handled Unauthorized", "1.0", &integration.FunctionError{Type: "Handled", Payload: []byte(`{"errorMessage":"Unauthorized"}`)}, true},
		{"1.0 other case", "1.0", errors.New("unauthorized"), false},
		{"1.0 longer message", "1.0", errors.New("Unauthorized: token expired"), false},
		{"1.0 Lambda other message", "1.0", &integration.FunctionError{Type: "Unhandled", Payload: []byte(`{"errorMessage":"Unauthorized!"}`)}, false},
		{"1.0 Lambda garbage payload", "1.0", &integration.FunctionError{Type: "Unhandled", Payload: []byte(`Unauthorized`)}, false},
		{"1.0 wrapped in-process Unauthorized", "1.0", fmt.Errorf("calling: %w", errors.New("Unauthorized")), false},
		{"2.0 Unauthorized", "2.0", errors.New("Unauthorized"), false},
		{"2.0 Lambda Unauthorized", "2.0", &integration.FunctionError{Type: "Unhandled", Payload: unauthorizedPayload}, false},
		{"timeout", "1.0", fmt.Errorf("invoking lambda auth: %w", integration.ErrTimeout), false},
		{"other error", "2.0", boom, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := failing(tt.err)
			l := mustNewLambda(t, LambdaConfig{Invoke: f.Invoke, PayloadFormatVersion: tt.version})
			res, err := l.Authorize(context.Background(), &LambdaRequest{ARN: arnPets1})
			if res != nil {
				t.Fatalf("result %+v", res)
			}
			if tt.want401 {
				requireDeny(t, err, http.StatusUnauthorized)
				return
			}
			requireFailure(t, err)
			if !errors.Is(err, tt.err) {
				t.Errorf("error %v does not wrap Invoke's error", err)
			}
		})
	}
}

func TestLambdaCache(t *testing.T) {
	const ttl = 5 * time.Minute
	allowPets1 := policyAnswer(statementJSON("Allow", arnPets1))

	setup := func(t *testing.T, cfg LambdaConfig, f *authorizerFunction) (*Lambda, *manualClock) {
		clk := &manualClock{t: lambdaEpoch}
		cfg.Invoke, cfg.Now = f.Invoke, clk.Now
		if cfg.IdentitySources == nil {
			cfg.IdentitySources = []string{"$request.header.Authorization"}
		}
		if cfg.TTL == 0 {
			cfg.TTL = ttl
		}
		return mustNewLambda(t, cfg), clk
	}
	authorize := func(t *testing.T, l *Lambda, req *LambdaRequest) (*LambdaResult, error) {
		t.Helper()
		return l.Authorize(context.Background(), req)
	}
	calls := func(t *testing.T, f *authorizerFunction, want int32) {
		t.Helper()
		if n := f.calls.Load(); n != want {
			t.Fatalf("the function was invoked %d times, want %d", n, want)
		}
	}

	t.Run("hit within TTL", func(t *testing.T) {
		f := answering(`{"principalId":"user-1","policyDocument":{"Statement":[` + statementJSON("Allow", "*") + `]},"context":{"k":"v"}}`)
		l, clk := setup(t, LambdaConfig{}, f)
		first, err := authorize(t, l, tokenRequest(arnPets1, "tok"))
		if err != nil || first.Cached {
			t.Fatalf("first: %+v, %v", first, err)
		}
		clk.Advance(ttl - time.Nanosecond)
		second, err := authorize(t, l, tokenRequest(arnPets1, "tok"))
		if err != nil || !second.Cached || second.PrincipalID != "user-1" || second.Context["k"] != "v" {
			t.Fatalf("second: %+v, %v", second, err)
		}
		calls(t, f, 1)
		second.Context["k"] = "changed"
		third, _ := authorize(t, l, tokenRequest(arnPets1, "tok"))
		if third.Context["k"] != "v" {
			t.Error("a result's context map is shared with the cache")
		}
	})

	t.Run("miss after TTL", func(t *testing.T) {
		f := answering(allowPets1)
		l, clk := setup(t, LambdaConfig{}, f)
		if _, err := authorize(t, l, tokenRequest(arnPets1, "tok")); err != nil {
			t.Fatal(err)
		}
		clk.Advance(ttl)
		res, err := authorize(t, l, tokenRequest(arnPets1, "tok"))
		if err != nil || res.Cached {
			t.Fatalf("after TTL: %+v, %v", res, err)
		}
		calls(t, f, 2)
		if n := l.cache.len(); n != 1 {
			t.Errorf("%d cache entries, want 1", n)
		}
	})

	t.Run("different identity values", func(t *testing.T) {
		f := answering(allowPets1)
		l, _ := setup(t, LambdaConfig{IdentitySources: []string{"$request.header.A", "$request.header.B"}}, f)
		req := func(a, b string) *LambdaRequest {
			return &LambdaRequest{Header: http.Header{"A": {a}, "B": {b}}, ARN: arnPets1}
		}
		// "x,y"+"z" and "x"+"y,z" join to the same string but are different values.
		for _, r := range []*LambdaRequest{req("x,y", "z"), req("x", "y,z"), req("x", "y,z"), req("1", "2"), req("x,y", "z")} {
			if _, err := authorize(t, l, r); err != nil {
				t.Fatal(err)
			}
		}
		calls(t, f, 3)
		if n := l.cache.len(); n != 3 {
			t.Errorf("%d cache entries, want 3", n)
		}
	})

	t.Run("cached policy evaluated again per ARN", func(t *testing.T) {
		f := answering(allowPets1)
		l, _ := setup(t, LambdaConfig{}, f)
		if _, err := authorize(t, l, tokenRequest(arnPets1, "tok")); err != nil {
			t.Fatal(err)
		}
		_, err := authorize(t, l, tokenRequest(arnPets2, "tok"))
		requireDeny(t, err, http.StatusForbidden)
		res, err := authorize(t, l, tokenRequest(arnPets1, "tok"))
		if err != nil || !res.Cached {
			t.Fatalf("back to pets/1: %+v, %v", res, err)
		}
		calls(t, f, 1)
	})

	t.Run("simple response applies to every route", func(t *testing.T) {
		f := newFunction(func(_ context.Context, ev map[string]any) ([]byte, error) {
			return fmt.Appendf(nil, `{"isAuthorized":%t}`, ev["routeArn"] == arnPets1), nil
		})
		l, _ := setup(t, LambdaConfig{PayloadFormatVersion: "2.0", EnableSimpleResponses: true}, f)
		if _, err := authorize(t, l, tokenRequest(arnPets1, "tok")); err != nil {
			t.Fatal(err)
		}
		res, err := authorize(t, l, tokenRequest(arnPets2, "tok"))
		if err != nil || !res.Cached {
			t.Fatalf("other route: %+v, %v (AWS serves the cached simple response)", res, err)
		}
		calls(t, f, 1)
	})

	t.Run("simple response per route with $context.routeKey", func(t *testing.T) {
		f := newFunction(func(_ context.Context, ev map[string]any) ([]byte, error) {
			return fmt.Appendf(nil, `{"isAuthorized":%t}`, ev["routeArn"] == arnPets1), nil
		})
		l, _ := setup(t, LambdaConfig{PayloadFormatVersion: "2.0", EnableSimpleResponses: true,
			IdentitySources: []string{"$request.header.Authorization", "$context.routeKey"}}, f)
		r1 := tokenRequest(arnPets1, "tok")
		r1.Context = map[string]string{"routeKey": "GET /pets/1"}
		r2 := tokenRequest(arnPets2, "tok")
		r2.Context = map[string]string{"routeKey": "GET /pets/2"}
		if _, err := authorize(t, l, r1); err != nil {
			t.Fatal(err)
		}
		_, err := authorize(t, l, r2)
		requireDeny(t, err, http.StatusForbidden)
		calls(t, f, 2)
	})

	t.Run("denies are cached", func(t *testing.T) {
		f := answering(`{"isAuthorized":false}`)
		l, _ := setup(t, LambdaConfig{PayloadFormatVersion: "2.0", EnableSimpleResponses: true}, f)
		for range 3 {
			_, err := authorize(t, l, tokenRequest(arnPets1, "tok"))
			requireDeny(t, err, http.StatusForbidden)
		}
		calls(t, f, 1)
	})

	t.Run("failures are not cached", func(t *testing.T) {
		for _, f := range []*authorizerFunction{failing(errors.New("Unauthorized")), failing(errors.New("boom")), answering(`garbage`)} {
			l, _ := setup(t, LambdaConfig{}, f)
			for range 3 {
				if _, err := authorize(t, l, tokenRequest(arnPets1, "tok")); err == nil {
					t.Fatal("no error")
				}
			}
			calls(t, f, 3)
			if n := l.cache.len(); n != 0 {
				t.Errorf("%d cache entries after failures", n)
			}
		}
	})

	t.Run("no TTL, no cache", func(t *testing.T) {
		f := answering(allowPets1)
		l := mustNewLambda(t, LambdaConfig{Invoke: f.Invoke, IdentitySources: []string{"$request.header.Authorization"}})
		for range 3 {
			res, err := authorize(t, l, tokenRequest(arnPets1, "tok"))
			if err != nil || res.Cached {
				t.Fatalf("%+v, %v", res, err)
			}
		}
		calls(t, f, 3)
	})
}

// TestLambdaCacheBound checks that the cache keeps at most max answers,
// dropping the oldest, and drops expired answers when it makes room.
func TestLambdaCacheBound(t *testing.T) {
	f := answering(policyAnswer(statementJSON("Allow", "*")))
	clk := &manualClock{t: lambdaEpoch}
	l := mustNewLambda(t, LambdaConfig{Invoke: f.Invoke, Now: clk.Now, TTL: time.Minute,
		IdentitySources: []string{"$request.header.Authorization"}})
	if l.cache.max != maxCacheEntries {
		t.Fatalf("cache bound %d, want %d", l.cache.max, maxCacheEntries)
	}
	l.cache.max = 3
	authorize := func(token string) *LambdaResult {
		t.Helper()
		res, err := l.Authorize(context.Background(), tokenRequest(arnPets1, token))
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	for _, tok := range []string{"t1", "t2", "t3", "t4"} {
		authorize(tok)
		clk.Advance(time.Second)
	}
	if n := l.cache.len(); n != 3 {
		t.Fatalf("%d entries, want 3", n)
	}
	for _, tok := range []string{"t2", "t3", "t4"} {
		if !authorize(tok).Cached {
			t.Errorf("%s was dropped", tok)
		}
	}
	if authorize("t1").Cached {
		t.Error("t1, the oldest, was kept")
	}
	// t1 is back and t2 was dropped. Once t3 and t4 have expired, a new
	// answer drops them both rather than t1.
	clk.Advance(time.Minute - 500*time.Millisecond) // t3 and t4 expired at 62 s and 63 s, t1 expires at 64 s
	authorize("t5")
	if n := l.cache.len(); n != 2 {
		t.Errorf("%d entries after the expired ones were dropped, want 2 (t1, t5)", n)
	}
	if !authorize("t1").Cached {
		t.Error("t1 was dropped before the expired entries")
	}
}

// TestLambdaConcurrentIdentical checks that requests arriving while the
// function is being invoked for the same identity values wait for that
// invocation.
func TestLambdaConcurrentIdentical(t *testing.T) {
	const waiters = 20
	started := make(chan struct{})
	release := make(chan struct{})
	f := newFunction(func(context.Context, map[string]any) ([]byte, error) {
		close(started)
		<-release
		return []byte(policyAnswer(statementJSON("Allow", arnPets1))), nil
	})
	l := mustNewLambda(t, LambdaConfig{Invoke: f.Invoke, TTL: time.Minute, IdentitySources: []string{"$request.header.Authorization"}})

	type outcome struct {
		res *LambdaResult
		err error
	}
	leader := make(chan outcome, 1)
	go func() {
		res, err := l.Authorize(context.Background(), tokenRequest(arnPets1, "tok"))
		leader <- outcome{res, err}
	}()
	<-started

	results := make(chan outcome, waiters)
	for i := range waiters {
		arn := arnPets1
		if i%2 == 1 {
			arn = arnPets2 // waiters get the shared policy evaluated for their own ARN
		}
		go func() {
			res, err := l.Authorize(context.Background(), tokenRequest(arn, "tok"))
			results <- outcome{res, err}
		}()
	}
	key := cacheKey([]string{"tok"})
	for l.cache.waitersOf(key) < waiters {
		time.Sleep(time.Millisecond)
	}
	close(release)

	if o := <-leader; o.err != nil || o.res.Cached {
		t.Fatalf("leader: %+v, %v", o.res, o.err)
	}
	var allowed, denied int
	for range waiters {
		o := <-results
		if o.err != nil {
			requireDeny(t, o.err, http.StatusForbidden)
			denied++
			continue
		}
		if !o.res.Cached {
			t.Error("a waiter's result is not marked Cached")
		}
		allowed++
	}
	if allowed != waiters/2 || denied != waiters/2 {
		t.Errorf("%d allowed, %d denied", allowed, denied)
	}
	if n := f.calls.Load(); n != 1 {
		t.Errorf("the function was invoked %d times, want 1", n)
	}
}

// TestLambdaConcurrentLeaderGone checks that when the request invoking the
// function goes away, the requests waiting for it invoke again instead of
// failing, and that a waiter whose own ctx ends stops waiting.
func TestLambdaConcurrentLeaderGone(t *testing.T) {
	started := make(chan struct{}, 2)
	f := newFunction(func(ctx context.Context, _ map[string]any) ([]byte, error) {
		started <- struct{}{}
		if ev := ctx.Value(leaderKey{}); ev != nil {
			<-ctx.Done()
			return nil, ctx.Err()
		}
		return []byte(policyAnswer(statementJSON("Allow", "*"))), nil
	})
	l := mustNewLambda(t, LambdaConfig{Invoke: f.Invoke, TTL: time.Minute, IdentitySources: []string{"$request.header.Authorization"}})
	key := cacheKey([]string{"tok"})

	leaderCtx, cancelLeader := context.WithCancel(context.WithValue(context.Background(), leaderKey{}, true))
	leaderErr := make(chan error, 1)
	go func() {
		_, err := l.Authorize(leaderCtx, tokenRequest(arnPets1, "tok"))
		leaderErr <- err
	}()
	<-started

	impatientCtx, cancelImpatient := context.WithCancel(context.Background())
	impatientErr := make(chan error, 1)
	go func() {
		_, err := l.Authorize(impatientCtx, tokenRequest(arnPets1, "tok"))
		impatientErr <- err
	}()
	waiterErr := make(chan error, 1)
	go func() {
		_, err := l.Authorize(context.Background(), tokenRequest(arnPets1, "tok"))
		waiterErr <- err
	}()
	for l.cache.waitersOf(key) < 2 {
		time.Sleep(time.Millisecond)
	}

	cancelImpatient()
	if err := <-impatientErr; !errors.Is(err, context.Canceled) || errors.Is(err, ErrLambdaFailure) {
		t.Errorf("impatient waiter: %v, want context.Canceled", err)
	}
	cancelLeader()
	if err := <-leaderErr; !errors.Is(err, context.Canceled) || errors.Is(err, ErrLambdaFailure) {
		t.Errorf("leader: %v, want context.Canceled", err)
	}
	if err := <-waiterErr; err != nil {
		t.Errorf("waiter: %v, want it to invoke again and succeed", err)
	}
	if n := f.calls.Load(); n != 2 {
		t.Errorf("the function was invoked %d times, want 2", n)
	}
}

// leaderKey marks the ctx of the request whose invocation never answers.
type leaderKey struct{}

// TestLambdaConcurrentStress runs many requests with a few identities and
// ARNs while the clock moves, for the race detector, and checks every
// decision.
func TestLambdaConcurrentStress(t *testing.T) {
	f := newFunction(func(_ context.Context, ev map[string]any) ([]byte, error) {
		tok := ev["identitySource"].(string)
		if tok == "bad" {
			return nil, errors.New("Unauthorized")
		}
		// Each token may call pets/1 only.
		return []byte(policyAnswer(statementJSON("Allow", arnPets1))), nil
	})
	clk := &manualClock{t: lambdaEpoch}
	l := mustNewLambda(t, LambdaConfig{Invoke: f.Invoke, Now: clk.Now, TTL: time.Second,
		IdentitySources: []string{"$request.header.Authorization"}})
	l.cache.max = 4

	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				tok := fmt.Sprintf("t%d", (g+i)%6)
				if i%7 == 0 {
					tok = "bad"
				}
				arn := arnPets1
				if i%3 == 0 {
					arn = arnPets2
				}
				if i%50 == 0 {
					clk.Advance(300 * time.Millisecond)
				}
				_, err := l.Authorize(context.Background(), tokenRequest(arn, tok))
				want := 0
				switch {
				case tok == "bad":
					want = http.StatusUnauthorized
				case arn == arnPets2:
					want = http.StatusForbidden
				}
				if got := denyStatus(err); got != want {
					t.Errorf("%s on %s: %v, want status %d", tok, arn, err, want)
				}
			}
		})
	}
	wg.Wait()
	if n := l.cache.len(); n > 4 {
		t.Errorf("%d cache entries, bound 4", n)
	}
}

// TestLambdaOverHTTP posts the events, through integration.NewFunction as
// the modes do, to an HTTP server acting as the function host, which
// decodes them and answers with aws-lambda-go's types: events and answers
// round-trip through JSON, and a function error reaches Authorize as an
// *integration.FunctionError.
func TestLambdaOverHTTP(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v2", func(w http.ResponseWriter, r *http.Request) {
		var ev events.APIGatewayV2CustomAuthorizerV2Request
		if err := json.NewDecoder(r.Body).Decode(&ev); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		writeAnswer(t, w, events.APIGatewayV2CustomAuthorizerSimpleResponse{
			IsAuthorized: len(ev.IdentitySource) == 1 && ev.IdentitySource[0] == "secret" && ev.RouteArn == arnPets1,
			Context:      map[string]any{"route": ev.RouteKey, "tags": []string{"a", "b"}},
		})
	})
	mux.HandleFunc("POST /v1", func(w http.ResponseWriter, r *http.Request) {
		var ev events.APIGatewayV2CustomAuthorizerV1Request
		if err := json.NewDecoder(r.Body).Decode(&ev); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		switch ev.AuthorizationToken {
		case "secret":
		case "crash":
			// A failed invocation reported with a status.
			w.WriteHeader(http.StatusBadGateway)
			io.WriteString(w, `{"errorMessage":"boom","errorType":"Error"}`)
			return
		default:
			// A failed invocation reported the way Lambda does.
			w.Header().Set("X-Amz-Function-Error", "Unhandled")
			io.WriteString(w, `{"errorMessage":"Unauthorized","errorType":"Error"}`)
			return
		}
		writeAnswer(t, w, events.APIGatewayCustomAuthorizerResponse{
			PrincipalID: "user-" + ev.Headers["X-User"],
			PolicyDocument: events.APIGatewayCustomAuthorizerPolicy{
				Version: "2012-10-17",
				Statement: []events.IAMPolicyStatement{{
					Action:   []string{"execute-api:Invoke"},
					Effect:   "Allow",
					Resource: []string{strings.TrimSuffix(ev.MethodArn, "/pets/1") + "/pets/*"},
				}},
			},
			Context: map[string]any{"user": ev.Headers["X-User"], "level": 3, "admin": true},
		})
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	// The mode's wiring: integration.NewFunction calls the URL and returns
	// the raw answer, or an *integration.FunctionError.
	post := func(path string) func(ctx context.Context, event []byte) ([]byte, error) {
		fn, err := integration.NewFunction(srv.URL+path, 0, integration.Env{HTTPClient: srv.Client()})
		if err != nil {
			t.Fatalf("integration.NewFunction: %v", err)
		}
		return fn.Call
	}

	t.Run("2.0 simple", func(t *testing.T) {
		l := mustNewLambda(t, LambdaConfig{Invoke: post("/v2"), PayloadFormatVersion: "2.0", EnableSimpleResponses: true,
			IdentitySources: []string{"$request.header.Authorization"}})
		req := tokenRequest(arnPets1, "secret")
		req.Event = map[string]any{"version": "2.0", "routeKey": "GET /pets/{id}"}
		res, err := l.Authorize(context.Background(), req)
		if err != nil {
			t.Fatalf("Authorize: %v", err)
		}
		want := map[string]any{"route": "GET /pets/{id}", "tags": []any{"a", "b"}}
		if !reflect.DeepEqual(res.Context, want) {
			t.Errorf("context %#v, want %#v", res.Context, want)
		}
		_, err = l.Authorize(context.Background(), tokenRequest(arnPets1, "wrong"))
		requireDeny(t, err, http.StatusForbidden)
	})

	t.Run("1.0 policy", func(t *testing.T) {
		l := mustNewLambda(t, LambdaConfig{Invoke: post("/v1"), PayloadFormatVersion: "1.0", TTL: time.Minute,
			IdentitySources: []string{"$request.header.Authorization"}})
		req := tokenRequest(arnPets1, "secret")
		req.Header.Set("X-User", "ann")
		req.Event = map[string]any{"version": "1.0", "headers": map[string]any{"Authorization": "secret", "X-User": "ann"}}
		res, err := l.Authorize(context.Background(), req)
		if err != nil {
			t.Fatalf("Authorize: %v", err)
		}
		want := map[string]any{"user": "ann", "level": json.Number("3"), "admin": true}
		if res.PrincipalID != "user-ann" || !reflect.DeepEqual(res.Context, want) {
			t.Errorf("result %+v, want principal user-ann and context %v", res, want)
		}
		// The cached policy allows .../pets/* of the stage, not other paths.
		other := tokenRequest("arn:aws:execute-api:us-east-1:123456789012:abcdef1234/prod/GET/owners/1", "secret")
		_, err = l.Authorize(context.Background(), other)
		requireDeny(t, err, http.StatusForbidden)

		_, err = l.Authorize(context.Background(), tokenRequest(arnPets1, "wrong"))
		requireDeny(t, err, http.StatusUnauthorized)

		_, err = l.Authorize(context.Background(), tokenRequest(arnPets1, "crash"))
		requireFailure(t, err)
		var fe *integration.FunctionError
		if !errors.As(err, &fe) || !strings.Contains(string(fe.Payload), "boom") {
			t.Errorf("failure %v does not carry the function error", err)
		}
	})
}

// ExampleLambda_Authorize shows an HTTP API Lambda authorizer with simple
// responses; the function is a Go func standing in for the Lambda
// function.
func ExampleLambda_Authorize() {
	a, err := NewLambda(LambdaConfig{
		Invoke: func(ctx context.Context, event []byte) ([]byte, error) {
			var ev struct{ IdentitySource []string }
			if err := json.Unmarshal(event, &ev); err != nil {
				return nil, err
			}
			ok := ev.IdentitySource[0] == "Bearer open-sesame"
			return fmt.Appendf(nil, `{"isAuthorized":%t,"context":{"user":"ann"}}`, ok), nil
		},
		PayloadFormatVersion:  "2.0",
		EnableSimpleResponses: true,
		IdentitySources:       []string{"$request.header.Authorization"},
		TTL:                   5 * time.Minute,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, token := range []string{"Bearer open-sesame", "Bearer guess", ""} {
		res, err := a.Authorize(context.Background(), &LambdaRequest{
			Header: http.Header{"Authorization": {token}},
			ARN:    "arn:aws:execute-api:us-east-1:123456789012:abcdef1234/$default/GET/pets",
			Event:  map[string]any{"version": "2.0", "routeKey": "GET /pets"},
		})
		var deny *Deny
		switch {
		case errors.As(err, &deny):
			fmt.Println(deny.Status, deny.Reason)
		case err != nil:
			fmt.Println("500:", err)
		default:
			fmt.Println("allowed, user", res.Context["user"])
		}
	}
	// Output:
	// allowed, user ann
	// 403 the authorizer answered isAuthorized false
	// 401 identity source $request.header.Authorization is missing or empty
}

func TestUsageIdentifierKey(t *testing.T) {
	const arn = "arn:aws:execute-api:us-east-1:123456789012:api/dev/$connect"
	policy := `"policyDocument":{"Version":"2012-10-17","Statement":[` + statementJSON("Allow", arn) + `]}`
	withKey := `{"principalId":"p","usageIdentifierKey":"key-1",` + policy + `}`
	for _, tc := range []struct {
		name, answer, want string
		fails              bool
	}{
		{"present", withKey, "key-1", false},
		{"absent", policyAnswer(statementJSON("Allow", arn)), "", false},
		{"not a string", `{"principalId":"p","usageIdentifierKey":7,` + policy + `}`, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := mustNewLambda(t, LambdaConfig{Invoke: answering(tc.answer).Invoke, PayloadFormatVersion: "1.0"})
			res, err := l.Authorize(context.Background(), tokenRequest(arn, "t"))
			if tc.fails {
				requireFailure(t, err)
				return
			}
			if err != nil || res.UsageIdentifierKey != tc.want {
				t.Fatalf("Authorize = %+v, %v; want key %q", res, err, tc.want)
			}
		})
	}
}

// BuildEvent runs only when the function is invoked: a cache hit builds no
// event.
func TestBuildEventOnlyOnInvoke(t *testing.T) {
	const arn = "arn:aws:execute-api:us-east-1:123456789012:api/dev/GET/x"
	fn := answering(policyAnswer(statementJSON("Allow", arn)))
	l := mustNewLambda(t, LambdaConfig{Invoke: fn.Invoke, PayloadFormatVersion: "1.0",
		IdentitySources: []string{"$request.header.Authorization"}, TTL: time.Minute})
	builds := 0
	req := tokenRequest(arn, "t")
	req.BuildEvent = func() map[string]any { builds++; return map[string]any{"path": "/x"} }
	for i := 0; i < 3; i++ {
		if _, err := l.Authorize(context.Background(), req); err != nil {
			t.Fatal(err)
		}
	}
	if builds != 1 || !strings.Contains(string(fn.lastEvent(t)), `"path":"/x"`) {
		t.Fatalf("BuildEvent ran %d times; event %s", builds, fn.lastEvent(t))
	}
}
