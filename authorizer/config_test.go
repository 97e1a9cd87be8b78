package authorizer

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/portico-gw/portico/config"
	"github.com/portico-gw/portico/integration"
)

// allowAll is an authorizer function over HTTP (the Lambda event POSTed to
// a URL) that allows everything and counts its invocations.
func allowAll(t *testing.T) (uri string, calls *atomic.Int32) {
	t.Helper()
	calls = new(atomic.Int32)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		_, _ = io.Copy(io.Discard, r.Body)
		_, _ = io.WriteString(w, `{"principalId":"me","usageIdentifierKey":"k1","context":{"n":1},"policyDocument":{"Version":"2012-10-17","Statement":[{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"*"}]}}`)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, calls
}

func TestFromConfig(t *testing.T) {
	t.Parallel()
	uri, calls := allowAll(t)
	ttl0 := 0
	api := &config.API{ProtocolType: "WEBSOCKET", Authorizers: []config.Authorizer{
		{AuthorizerID: "cached", AuthorizerType: "REQUEST", AuthorizerURI: uri, IdentitySource: []string{"route.request.header.Auth"}},
		{AuthorizerID: "nosource", AuthorizerType: "REQUEST", AuthorizerURI: uri},
		{AuthorizerID: "ttl0", AuthorizerType: "REQUEST", AuthorizerURI: uri, IdentitySource: []string{"route.request.header.Auth"}, AuthorizerResultTTLInSeconds: &ttl0},
	}}
	built, err := FromConfig(api, integration.Env{})
	if err != nil {
		t.Fatal(err)
	}
	for id, au := range built {
		if au.PayloadFormatVersion != "1.0" || au.Lambda == nil || au.Type != "REQUEST" || au.ID != id {
			t.Errorf("%s: %+v; want a 1.0 REQUEST authorizer", id, au)
		}
	}
	h := http.Header{"Auth": {"token"}}
	invocations := func(id string) int32 {
		t.Helper()
		before := calls.Load()
		for range 2 {
			if _, err := built[id].Lambda.Authorize(context.Background(), &LambdaRequest{Header: h, ARN: "arn:x"}); err != nil {
				t.Fatalf("%s: %v", id, err)
			}
		}
		return calls.Load() - before
	}
	// The default TTL (300 s) caches; without an identity source, or with
	// a TTL of 0, every request invokes the function.
	if n := invocations("cached"); n != 1 {
		t.Errorf("cached: %d invocations for two requests, want 1", n)
	}
	if n := invocations("nosource"); n != 2 {
		t.Errorf("nosource: %d invocations, want 2", n)
	}
	if n := invocations("ttl0"); n != 2 {
		t.Errorf("ttl0: %d invocations, want 2", n)
	}
}

func TestFromConfigHTTPAPI(t *testing.T) {
	t.Parallel()
	uri, _ := allowAll(t)
	api := &config.API{ProtocolType: "HTTP", Authorizers: []config.Authorizer{
		{AuthorizerID: "v2", AuthorizerType: "REQUEST", AuthorizerURI: uri, AuthorizerPayloadFormatVersion: "2.0", EnableSimpleResponses: true},
		{AuthorizerID: "jwt", AuthorizerType: "JWT", IdentitySource: []string{"$request.header.Authorization"},
			JWTConfiguration: &config.JWTConfiguration{Issuer: "https://issuer.example.com", Audience: []string{"a"}}},
	}}
	built, err := FromConfig(api, integration.Env{})
	if err != nil {
		t.Fatal(err)
	}
	if v2 := built["v2"]; v2.PayloadFormatVersion != "2.0" || v2.Lambda == nil {
		t.Errorf("v2: %+v", v2)
	}
	if j := built["jwt"]; j.JWT == nil || j.TokenSource != "$request.header.Authorization" {
		t.Errorf("jwt: %+v", j)
	}
	// A function that cannot be reached through env is an error at build.
	api.Authorizers = []config.Authorizer{{AuthorizerID: "arn", AuthorizerType: "REQUEST",
		AuthorizerURI: "arn:aws:lambda:us-east-1:000000000000:function:auth"}}
	if _, err := FromConfig(api, integration.Env{}); err == nil {
		t.Error("a Lambda ARN without a Lambda client was accepted")
	}
}

func TestContextV1(t *testing.T) {
	t.Parallel()
	r := &LambdaResult{PrincipalID: "user", Context: map[string]any{"a": "b", "n": 2}}
	m := r.ContextV1(1500 * time.Microsecond)
	if m["principalId"] != "user" || m["a"] != "b" || m["n"] != 2 || m["integrationLatency"] != int64(1) || len(m) != 4 {
		t.Errorf("ContextV1 = %v", m)
	}
	if m := (&LambdaResult{}).ContextV1(0); len(m) != 1 || m["integrationLatency"] != int64(0) {
		t.Errorf("empty result: %v; want only integrationLatency", m)
	}
}

func TestRESTFromConfig(t *testing.T) {
	t.Parallel()
	uri, calls := allowAll(t)
	ttl0 := 0
	api := &config.RestAPI{Authorizers: []config.RestAuthorizer{
		{ID: "token", Type: "TOKEN", AuthorizerURI: uri, IdentitySource: config.StringList{"method.request.header.Auth"}},
		{ID: "ttl0", Type: "TOKEN", AuthorizerURI: uri, IdentitySource: config.StringList{"method.request.header.Auth"}, AuthorizerResultTTLInSeconds: &ttl0},
		{ID: "nosource", Type: "REQUEST", AuthorizerURI: uri},
		{ID: "pool", Type: "COGNITO_USER_POOLS", ProviderARNs: []string{"arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbC123"}},
		{ID: "local", Type: "COGNITO_USER_POOLS", ProviderARNs: []string{"arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbC123"},
			JWTIssuer: "http://127.0.0.1:9/issuer", IdentitySource: config.StringList{"method.request.header.X-Token"}},
	}}
	built, err := RESTFromConfig(api, integration.Env{})
	if err != nil {
		t.Fatal(err)
	}
	invocations := func(id string) int32 {
		t.Helper()
		before := calls.Load()
		for range 2 {
			if _, err := built[id].Lambda.Authorize(context.Background(), &LambdaRequest{Header: http.Header{"Auth": {"t"}}, ARN: "arn:x"}); err != nil {
				t.Fatalf("%s: %v", id, err)
			}
		}
		return calls.Load() - before
	}
	for id, want := range map[string]int32{"token": 1, "ttl0": 2, "nosource": 2} {
		if got := invocations(id); got != want {
			t.Errorf("%s: %d invocations for 2 requests; want %d", id, got, want)
		}
	}
	if p := built["pool"]; p.Cognito == nil || p.TokenHeader != "Authorization" || p.Cognito.issuers["https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123"] == nil {
		t.Errorf("pool: %+v", p)
	}
	if l := built["local"]; l.Cognito == nil || l.TokenHeader != "X-Token" || len(l.Cognito.issuers) != 1 || l.Cognito.issuers["http://127.0.0.1:9/issuer"] == nil {
		t.Errorf("local: %+v", l)
	}
	if _, err := RESTFromConfig(&config.RestAPI{Authorizers: []config.RestAuthorizer{{ID: "x", Type: "TOKEN", AuthorizerURI: uri}}}, integration.Env{}); err == nil {
		t.Error("a TOKEN authorizer without identity source was built")
	}
}
