package portico_test

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/golang-jwt/jwt/v5"
)

// restAuthorizerConfig is a REST API whose methods use a TOKEN authorizer
// (GET /pets/{petId}), a REQUEST authorizer reading the query string
// (GET /things) and a Cognito user pool authorizer with a local issuer
// (GET /me); every method goes to the AWS_PROXY backend, and DEFAULT_4XX
// adds a CORS header to the gateway's errors.
func restAuthorizerConfig(backendURL, authorizerURL, issuer string) string {
	integration := `{type: AWS_PROXY, httpMethod: POST, uri: "` + backendURL + `"}`
	return `restApis:
  - restApiId: auth000001
    name: authz
    resources:
      /pets/{petId}:
        resourceMethods:
          GET: {authorizationType: CUSTOM, authorizerId: tok, methodIntegration: ` + integration + `}
      /things:
        resourceMethods:
          GET: {authorizationType: CUSTOM, authorizerId: req, methodIntegration: ` + integration + `}
      /me:
        resourceMethods:
          GET: {authorizationType: COGNITO_USER_POOLS, authorizerId: pool, methodIntegration: ` + integration + `}
    authorizers:
      - name: tok
        type: TOKEN
        authorizerUri: "` + authorizerURL + `"
        identitySource: method.request.header.Authorization
        identityValidationExpression: '(allow|deny)-[a-z0-9]+'
      - name: req
        type: REQUEST
        authorizerUri: "` + authorizerURL + `"
        identitySource: method.request.querystring.key
        authorizerResultTtlInSeconds: 0
      - name: pool
        type: COGNITO_USER_POOLS
        providerARNs: [arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Test1]
        jwtIssuer: "` + issuer + `"
    gatewayResponses:
      DEFAULT_4XX:
        responseParameters:
          gatewayresponse.header.Access-Control-Allow-Origin: "'*'"
    stages:
      - stageName: prod
        variables: {color: blue}
`
}

// restAuthorizerFunction is a Lambda authorizer over HTTP: a TOKEN event's
// token, or a REQUEST event's query parameter key, starting with "allow"
// gets an Allow policy for the methodArn with a context, anything else an
// explicit Deny. It counts its invocations and hands on the events.
type restAuthorizerFunction struct {
	calls    atomic.Int32
	tokens   chan events.APIGatewayCustomAuthorizerRequest
	requests chan events.APIGatewayCustomAuthorizerRequestTypeRequest
}

func newRESTAuthorizerFunction(t *testing.T) (*restAuthorizerFunction, string) {
	t.Helper()
	f := &restAuthorizerFunction{
		tokens:   make(chan events.APIGatewayCustomAuthorizerRequest, 8),
		requests: make(chan events.APIGatewayCustomAuthorizerRequestTypeRequest, 8),
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.calls.Add(1)
		raw, _ := io.ReadAll(r.Body)
		var kind struct{ Type string }
		_ = json.Unmarshal(raw, &kind)
		var identity, arn string
		switch kind.Type {
		case "TOKEN":
			var ev events.APIGatewayCustomAuthorizerRequest
			if err := json.Unmarshal(raw, &ev); err != nil {
				t.Errorf("TOKEN event: %v", err)
			}
			identity, arn = ev.AuthorizationToken, ev.MethodArn
			f.tokens <- ev
		case "REQUEST":
			var ev events.APIGatewayCustomAuthorizerRequestTypeRequest
			if err := json.Unmarshal(raw, &ev); err != nil {
				t.Errorf("REQUEST event: %v", err)
			}
			identity, arn = ev.QueryStringParameters["key"], ev.MethodArn
			f.requests <- ev
		default:
			t.Errorf("event of type %q: %s", kind.Type, raw)
		}
		effect := "Deny"
		if strings.HasPrefix(identity, "allow") {
			effect = "Allow"
		}
		_ = json.NewEncoder(w).Encode(events.APIGatewayCustomAuthorizerResponse{
			PrincipalID: "user-" + identity,
			PolicyDocument: events.APIGatewayCustomAuthorizerPolicy{Version: "2012-10-17", Statement: []events.IAMPolicyStatement{
				{Action: []string{"execute-api:Invoke"}, Effect: effect, Resource: []string{arn}},
			}},
			Context: map[string]any{"user": "ann", "n": 42, "admin": true},
		})
	}))
	t.Cleanup(srv.Close)
	return f, srv.URL
}

// oidcIssuer is a local OpenID Connect issuer standing in for a Cognito
// user pool: it serves its discovery document and JWKS and signs tokens.
type oidcIssuer struct {
	URL string
	key *rsa.PrivateKey
}

func newOIDCIssuer(t *testing.T) *oidcIssuer {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	iss := &oidcIssuer{key: key}
	b64 := base64.RawURLEncoding.EncodeToString
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]string{"issuer": iss.URL, "jwks_uri": iss.URL + "/jwks.json"})
	})
	mux.HandleFunc("/jwks.json", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]any{"keys": []map[string]string{{
			"kty": "RSA", "kid": "k1", "alg": "RS256", "use": "sig",
			"n": b64(key.N.Bytes()), "e": b64(big.NewInt(int64(key.E)).Bytes()),
		}}})
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	iss.URL = srv.URL
	return iss
}

// sign returns a token with claims (iss, iat and exp added) signed by key
// under kid k1.
func (iss *oidcIssuer) sign(t *testing.T, key *rsa.PrivateKey, claims jwt.MapClaims) string {
	t.Helper()
	claims["iss"] = iss.URL
	claims["iat"] = time.Now().Add(-time.Minute).Unix()
	claims["exp"] = time.Now().Add(time.Hour).Unix()
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	tok.Header["kid"] = "k1"
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestRESTAuthorizers drives REST API authorizers through the whole node:
// a TOKEN authorizer's allow reaches the function with principalId and
// the context as strings, its deny is AWS's 403 explicit deny, a missing
// or malformed token a 401 without invoking the function, results are
// cached; a REQUEST authorizer reads the query string and gets the REST
// REQUEST event; a Cognito user pool authorizer passes an ID token's
// claims on and answers a bad token 401.
func TestRESTAuthorizers(t *testing.T) {
	got := make(chan events.APIGatewayProxyRequest, 8)
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var ev events.APIGatewayProxyRequest
		if err := json.NewDecoder(r.Body).Decode(&ev); err != nil {
			t.Errorf("the event does not decode: %v", err)
		}
		got <- ev
		_, _ = io.WriteString(w, `{"statusCode":200,"body":"ok"}`)
	}))
	defer backend.Close()
	fn, fnURL := newRESTAuthorizerFunction(t)
	issuer := newOIDCIssuer(t)
	gw := startGateway(t, restAuthorizerConfig(backend.URL, fnURL, issuer.URL))

	do := func(t *testing.T, path string, header http.Header) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", gw.URL+path, nil)
		for k, v := range header {
			req.Header[k] = v
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp, string(body)
	}
	rejected := func(t *testing.T, resp *http.Response, body string, status int, errorType, want string) {
		t.Helper()
		if resp.StatusCode != status || body != want || resp.Header.Get("x-amzn-ErrorType") != errorType ||
			resp.Header.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("got %d %q %v; want %d %q %s with the DEFAULT_4XX header", resp.StatusCode, body, resp.Header, status, want, errorType)
		}
	}
	const unauthorized = `{"message":"Unauthorized"}`

	t.Run("token allow", func(t *testing.T) {
		resp, body := do(t, "/prod/pets/7", http.Header{"Authorization": {"allow-1"}})
		if resp.StatusCode != 200 || body != "ok" {
			t.Fatalf("got %d %q", resp.StatusCode, body)
		}
		tok := <-fn.tokens
		if tok.Type != "TOKEN" || tok.AuthorizationToken != "allow-1" ||
			!strings.HasPrefix(tok.MethodArn, "arn:aws:execute-api:") || !strings.HasSuffix(tok.MethodArn, ":auth000001/prod/GET/pets/7") {
			t.Errorf("TOKEN event %+v", tok)
		}
		ev := <-got
		a := ev.RequestContext.Authorizer
		if a["principalId"] != "user-allow-1" || a["user"] != "ann" || a["n"] != "42" || a["admin"] != "true" {
			t.Errorf("requestContext.authorizer %v; want principalId and the context as strings", a)
		}
		if _, ok := a["integrationLatency"].(float64); !ok {
			t.Errorf("integrationLatency %v; want a number", a["integrationLatency"])
		}
	})
	t.Run("token cached", func(t *testing.T) {
		before := fn.calls.Load()
		resp, _ := do(t, "/prod/pets/7", http.Header{"Authorization": {"allow-1"}})
		if resp.StatusCode != 200 || fn.calls.Load() != before {
			t.Fatalf("got %d after %d invocations; want 200 from the cache", resp.StatusCode, fn.calls.Load()-before)
		}
		<-got
		// The cached policy allows only the first request's methodArn: AWS
		// re-evaluates it for another path, an implicit deny here.
		resp, body := do(t, "/prod/pets/8", http.Header{"Authorization": {"allow-1"}})
		rejected(t, resp, body, 403, "AccessDeniedException", `{"Message":"User is not authorized to access this resource"}`)
		if fn.calls.Load() != before {
			t.Errorf("the function was invoked for a cached token")
		}
	})
	t.Run("token deny", func(t *testing.T) {
		resp, body := do(t, "/prod/pets/7", http.Header{"Authorization": {"deny-1"}})
		<-fn.tokens
		rejected(t, resp, body, 403, "AccessDeniedException", `{"Message":"User is not authorized to access this resource with an explicit deny"}`)
	})
	for name, h := range map[string]http.Header{"token missing": nil, "token not matching the expression": {"Authorization": {"bogus"}}} {
		t.Run(name, func(t *testing.T) {
			before := fn.calls.Load()
			resp, body := do(t, "/prod/pets/7", h)
			rejected(t, resp, body, 401, "UnauthorizedException", unauthorized)
			if n := fn.calls.Load() - before; n != 0 {
				t.Errorf("the function was invoked %d times", n)
			}
		})
	}

	t.Run("request allow", func(t *testing.T) {
		resp, body := do(t, "/prod/things?key=allow-q&x=1", http.Header{"X-Custom": {"a"}})
		if resp.StatusCode != 200 || body != "ok" {
			t.Fatalf("got %d %q", resp.StatusCode, body)
		}
		req := <-fn.requests
		if req.Type != "REQUEST" || !strings.HasSuffix(req.MethodArn, ":auth000001/prod/GET/things") || req.Resource != "/things" ||
			req.Path != "/things" || req.HTTPMethod != "GET" || req.Headers["X-Custom"] != "a" || req.QueryStringParameters["x"] != "1" ||
			req.MultiValueQueryStringParameters["key"][0] != "allow-q" || req.StageVariables["color"] != "blue" ||
			req.RequestContext.Stage != "prod" || req.RequestContext.APIID != "auth000001" || req.RequestContext.ResourcePath != "/things" {
			t.Errorf("REQUEST event %+v", req)
		}
		if a := (<-got).RequestContext.Authorizer; a["principalId"] != "user-allow-q" || a["n"] != "42" {
			t.Errorf("requestContext.authorizer %v", a)
		}
	})
	t.Run("request deny", func(t *testing.T) {
		resp, body := do(t, "/prod/things?key=nope", nil)
		<-fn.requests
		rejected(t, resp, body, 403, "AccessDeniedException", `{"Message":"User is not authorized to access this resource with an explicit deny"}`)
	})
	t.Run("request without identity source", func(t *testing.T) {
		before := fn.calls.Load()
		resp, body := do(t, "/prod/things", nil)
		rejected(t, resp, body, 401, "UnauthorizedException", unauthorized)
		if n := fn.calls.Load() - before; n != 0 {
			t.Errorf("the function was invoked %d times", n)
		}
	})

	t.Run("cognito id token", func(t *testing.T) {
		token := issuer.sign(t, issuer.key, jwt.MapClaims{"sub": "u-1", "token_use": "id", "email": "ann@example.com", "aud": "client1"})
		resp, body := do(t, "/prod/me", http.Header{"Authorization": {token}})
		if resp.StatusCode != 200 || body != "ok" {
			t.Fatalf("got %d %q", resp.StatusCode, body)
		}
		claims, _ := (<-got).RequestContext.Authorizer["claims"].(map[string]any)
		if claims["sub"] != "u-1" || claims["email"] != "ann@example.com" || claims["token_use"] != "id" || claims["iss"] != issuer.URL {
			t.Errorf("requestContext.authorizer.claims %v", claims)
		}
	})
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	for name, token := range map[string]string{
		"cognito missing":      "",
		"cognito bad token":    "not-a-jwt",
		"cognito foreign key":  issuer.sign(t, other, jwt.MapClaims{"sub": "u-1", "token_use": "id"}),
		"cognito access token": issuer.sign(t, issuer.key, jwt.MapClaims{"sub": "u-1", "token_use": "access", "scope": "a/b"}),
	} {
		t.Run(name, func(t *testing.T) {
			h := http.Header{}
			if token != "" {
				h.Set("Authorization", "Bearer "+token)
			}
			resp, body := do(t, "/prod/me", h)
			rejected(t, resp, body, 401, "UnauthorizedException", unauthorized)
		})
	}
	// Every decision is counted, as for the other modes' authorizers.
	results := map[string]float64{}
	mfs, err := gw.Metrics().Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "portico_authorizer_results_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			results[labels["type"]+" "+labels["result"]] += m.GetCounter().GetValue()
		}
	}
	for _, k := range []string{"TOKEN allow", "TOKEN deny", "REQUEST allow", "COGNITO_USER_POOLS allow", "COGNITO_USER_POOLS deny"} {
		if results[k] == 0 {
			t.Errorf("no %q in portico_authorizer_results_total: %v", k, results)
		}
	}
}

// A Lambda authorizer's principalId and context reach parameter mappings
// as $context.authorizer.*: an HTTP_PROXY request header and a MOCK
// response header.
func TestRESTAuthorizerContextInMappings(t *testing.T) {
	_, authURL := newRESTAuthorizerFunction(t)
	seen := make(chan http.Header, 1)
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { seen <- r.Header.Clone() }))
	defer backend.Close()
	gw := startGateway(t, `restApis:
  - restApiId: authctx001
    name: authctx
    resources:
      /proxy:
        resourceMethods:
          GET:
            authorizationType: CUSTOM
            authorizerId: tok
            methodIntegration:
              type: HTTP_PROXY
              httpMethod: GET
              uri: "`+backend.URL+`"
              requestParameters:
                integration.request.header.X-User: context.authorizer.user
                integration.request.header.X-Principal: context.authorizer.principalId
      /mock:
        resourceMethods:
          GET:
            authorizationType: CUSTOM
            authorizerId: tok
            methodResponses: {"200": {responseParameters: {method.response.header.X-N: false}}}
            methodIntegration:
              type: MOCK
              requestTemplates: {application/json: '{"statusCode": 200}'}
              integrationResponses:
                "200": {responseParameters: {method.response.header.X-N: context.authorizer.n}}
    authorizers:
      - {name: tok, type: TOKEN, authorizerUri: "`+authURL+`", identitySource: method.request.header.Authorization}
    stages: [{stageName: prod}]
`)
	auth := http.Header{"Authorization": {"allow-1"}}
	resp, _ := restDo(t, "GET", gw.URL+"/prod/proxy", "", "", auth)
	if resp.StatusCode != 200 {
		t.Fatalf("HTTP_PROXY: %d", resp.StatusCode)
	}
	if h := <-seen; h.Get("X-User") != "ann" || h.Get("X-Principal") != "user-allow-1" {
		t.Errorf("backend headers X-User %q X-Principal %q", h.Get("X-User"), h.Get("X-Principal"))
	}
	// Another token: the cached policy of allow-1 names /proxy only.
	resp, _ = restDo(t, "GET", gw.URL+"/prod/mock", "", "", http.Header{"Authorization": {"allow-2"}})
	if resp.StatusCode != 200 || resp.Header.Get("X-N") != "42" {
		t.Errorf("MOCK: %d X-N %q", resp.StatusCode, resp.Header.Get("X-N"))
	}
}
