package httpapi_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/golang-jwt/jwt/v5"
)

// oidcIssuer is a local OpenID provider: discovery and JWKS for one RSA key.
type oidcIssuer struct {
	*httptest.Server
	key *rsa.PrivateKey
}

func newIssuer(t testing.TB) *oidcIssuer {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	iss := &oidcIssuer{key: key}
	iss.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/.well-known/openid-configuration":
			_ = json.NewEncoder(w).Encode(map[string]string{"issuer": iss.URL, "jwks_uri": iss.URL + "/jwks"})
		case "/jwks":
			_ = json.NewEncoder(w).Encode(map[string]any{"keys": []map[string]string{{
				"kty": "RSA", "kid": "k1", "alg": "RS256", "use": "sig",
				"n": base64.RawURLEncoding.EncodeToString(key.N.Bytes()),
				"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(key.E)).Bytes()),
			}}})
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(iss.Close)
	return iss
}

func (iss *oidcIssuer) token(t testing.TB, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	tok.Header["kid"] = "k1"
	s, err := tok.SignedString(iss.key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// jwtAuthorizer is the authorizers block of an HTTP API with one JWT
// authorizer, jwt, for issuer and the audience app.
func jwtAuthorizer(issuer string) string {
	return `
authorizers:
  - authorizerId: jwt
    authorizerType: JWT
    identitySource: [$request.header.Authorization]
    jwtConfiguration: {issuer: "` + issuer + `", audience: [app]}`
}

func TestJWTAuthorizer(t *testing.T) {
	iss := newIssuer(t)
	fn := newFunction(t, answer(`"in"`))
	base := startGateway(t, httpAPI(fnIntegration(fn.URL, "2.0"), `
- {routeKey: "GET /open", target: integrations/fn, authorizationType: JWT, authorizerId: jwt}
- {routeKey: "GET /admin", target: integrations/fn, authorizationType: JWT, authorizerId: jwt, authorizationScopes: [admin]}`,
		"- stageName: $default", jwtAuthorizer(iss.URL)))
	now := time.Now()
	valid := iss.token(t, jwt.MapClaims{"iss": iss.URL, "aud": "app", "sub": "u1", "exp": now.Add(time.Hour).Unix(), "iat": now.Unix(), "scope": "read write", "groups": []string{"g1", "g2"}})

	resp, body := do(t, "GET", base+"/open", nil, map[string]string{"Authorization": "Bearer " + valid})
	if resp.StatusCode != 200 || body != "in" {
		t.Fatalf("valid token: %d %q", resp.StatusCode, body)
	}
	var ev events.APIGatewayV2HTTPRequest
	_ = json.Unmarshal(fn.last(t), &ev)
	jwtCtx := ev.RequestContext.Authorizer.JWT
	if jwtCtx == nil || jwtCtx.Claims["sub"] != "u1" || jwtCtx.Claims["groups"] != "[g1 g2]" || jwtCtx.Claims["iss"] != iss.URL {
		t.Fatalf("requestContext.authorizer.jwt = %+v", jwtCtx)
	}
	if !strings.Contains(string(fn.last(t)), `"scopes":null`) {
		t.Errorf("a route without scopes must send scopes null: %s", fn.last(t))
	}
	invoked := fn.count()

	for _, tc := range []struct {
		name, path, token string
		status            int
		body, www         string
	}{
		{"missing token", "/open", "", 401, `{"message":"Unauthorized"}`, "Bearer"},
		{"expired", "/open", iss.token(t, jwt.MapClaims{"iss": iss.URL, "aud": "app", "exp": now.Add(-time.Minute).Unix()}), 401, `{"message":"Unauthorized"}`, `error="invalid_token"`},
		{"wrong audience", "/open", iss.token(t, jwt.MapClaims{"iss": iss.URL, "aud": "other", "exp": now.Add(time.Hour).Unix()}), 401, `{"message":"Unauthorized"}`, "the token does not have a valid audience"},
		{"missing scope", "/admin", valid, 403, `{"message":"Forbidden"}`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := map[string]string{}
			if tc.token != "" {
				h["Authorization"] = tc.token
			}
			resp, body := do(t, "GET", base+tc.path, nil, h)
			if resp.StatusCode != tc.status || body != tc.body {
				t.Fatalf("got %d %q", resp.StatusCode, body)
			}
			if www := resp.Header.Get("Www-Authenticate"); !strings.Contains(www, tc.www) || (tc.www == "") != (www == "") {
				t.Errorf("www-authenticate %q, want it to contain %q", www, tc.www)
			}
		})
	}
	if fn.count() != invoked {
		t.Error("a rejected request reached the integration")
	}
	admin := iss.token(t, jwt.MapClaims{"iss": iss.URL, "aud": "app", "exp": now.Add(time.Hour).Unix(), "scope": "admin"})
	if resp, _ := do(t, "GET", base+"/admin", nil, map[string]string{"Authorization": admin}); resp.StatusCode != 200 {
		t.Fatalf("scoped token: %d", resp.StatusCode)
	}
	_ = json.Unmarshal(fn.last(t), &ev)
	if s := ev.RequestContext.Authorizer.JWT.Scopes; len(s) != 1 || s[0] != "admin" {
		t.Errorf("scopes %q", s)
	}
}

func TestLambdaAuthorizer(t *testing.T) {
	var calls atomic.Int32
	auth := newFunction(t, func(ev []byte) (int, http.Header, string) {
		calls.Add(1)
		var e map[string]any
		_ = json.Unmarshal(ev, &e)
		switch {
		case e["version"] == "2.0":
			qs, _ := e["queryStringParameters"].(map[string]any)
			return 200, nil, `{"isAuthorized":` + map[bool]string{true: "true", false: "false"}[qs["token"] == "good"] + `,"context":{"user":"ann","n":1}}`
		default: // 1.0: an IAM policy
			h, _ := e["headers"].(map[string]any)
			if h["x-token"] == "boom" {
				return 200, nil, `not json`
			}
			effect := "Deny"
			if h["x-token"] == "good" {
				effect = "Allow"
			}
			return 200, nil, `{"principalId":"p1","policyDocument":{"Version":"2012-10-17","Statement":[{"Action":"execute-api:Invoke","Effect":"` + effect + `","Resource":"` + e["methodArn"].(string) + `"}]},"context":{"role":"admin"}}`
		}
	})
	fn := newFunction(t, answer(`"in"`))
	fnV1 := newFunction(t, answer(`{"statusCode":200,"body":"in"}`))
	base := startGateway(t, httpAPI(fnIntegration(fn.URL, "2.0")+"\n"+strings.Replace(fnIntegration(fnV1.URL, "1.0"), "integrationId: fn", "integrationId: v1", 1), `
- {routeKey: "GET /simple", target: integrations/fn, authorizationType: CUSTOM, authorizerId: simple}
- {routeKey: "GET /policy", target: integrations/v1, authorizationType: CUSTOM, authorizerId: policy}`,
		"- stageName: $default", `
authorizers:
  - authorizerId: simple
    authorizerType: REQUEST
    authorizerUri: `+auth.URL+`
    authorizerPayloadFormatVersion: "2.0"
    enableSimpleResponses: true
    identitySource: [$request.querystring.token]
    authorizerResultTtlInSeconds: 300
  - authorizerId: policy
    authorizerType: REQUEST
    authorizerUri: `+auth.URL+`
    authorizerPayloadFormatVersion: "1.0"
    identitySource: [$request.header.X-Token]
    authorizerResultTtlInSeconds: 0`))

	// Simple responses, 2.0, with caching.
	if resp, body := do(t, "GET", base+"/simple?token=good", nil, nil); resp.StatusCode != 200 || body != "in" {
		t.Fatalf("allowed: %d %q", resp.StatusCode, body)
	}
	var ev events.APIGatewayV2HTTPRequest
	_ = json.Unmarshal(fn.last(t), &ev)
	if l := ev.RequestContext.Authorizer.Lambda; l["user"] != "ann" || l["n"] != float64(1) {
		t.Errorf("requestContext.authorizer.lambda = %v", l)
	}
	do(t, "GET", base+"/simple?token=good", nil, nil)
	if n := calls.Load(); n != 1 {
		t.Errorf("the authorizer ran %d times; the second call is a cache hit", n)
	}
	if resp, body := do(t, "GET", base+"/simple?token=bad", nil, nil); resp.StatusCode != 403 || body != `{"message":"Forbidden"}` {
		t.Errorf("denied: %d %q", resp.StatusCode, body)
	}
	before := calls.Load()
	if resp, body := do(t, "GET", base+"/simple", nil, nil); resp.StatusCode != 401 || body != `{"message":"Unauthorized"}` || calls.Load() != before {
		t.Errorf("missing identity source: %d %q, invoked %v", resp.StatusCode, body, calls.Load() != before)
	}

	// IAM policy responses, 1.0, no cache: context flattened.
	if resp, body := do(t, "GET", base+"/policy", nil, map[string]string{"X-Token": "good"}); resp.StatusCode != 200 || body != "in" {
		t.Fatalf("policy allow: %d %q", resp.StatusCode, body)
	}
	var ev1 events.APIGatewayProxyRequest
	_ = json.Unmarshal(fnV1.last(t), &ev1)
	if a := ev1.RequestContext.Authorizer; a["principalId"] != "p1" || a["role"] != "admin" {
		t.Errorf("1.0 requestContext.authorizer = %v", a)
	}
	if resp, _ := do(t, "GET", base+"/policy", nil, map[string]string{"X-Token": "bad"}); resp.StatusCode != 403 {
		t.Errorf("policy deny: %d", resp.StatusCode)
	}
	if resp, body := do(t, "GET", base+"/policy", nil, map[string]string{"X-Token": "boom"}); resp.StatusCode != 500 || body != `{"message":"Internal Server Error"}` {
		t.Errorf("garbage from the authorizer: %d %q", resp.StatusCode, body)
	}
}

func TestIAMAuthorization(t *testing.T) {
	fn := newFunction(t, answer(`"signed"`))
	base := startGateway(t, `
credentials:
  - {accessKeyId: AKIDHTTP, secretAccessKey: http-secret}
`+httpAPI(fnIntegration(fn.URL, "2.0"), `- {routeKey: "POST /iam", target: integrations/fn, authorizationType: AWS_IAM}`, "- stageName: $default", ""))
	sign := func(body, secret string) *http.Request {
		req, _ := http.NewRequest("POST", base+"/iam?x=1", strings.NewReader(body))
		sum := sha256.Sum256([]byte(body))
		creds := aws.Credentials{AccessKeyID: "AKIDHTTP", SecretAccessKey: secret}
		if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "execute-api", "us-east-1", time.Now()); err != nil {
			t.Fatal(err)
		}
		return req
	}
	resp, err := http.DefaultClient.Do(sign(`{"a":1}`, "http-secret"))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("signed request: %v %v", resp, err)
	}
	resp.Body.Close()
	var ev events.APIGatewayV2HTTPRequest
	_ = json.Unmarshal(fn.last(t), &ev)
	if iam := ev.RequestContext.Authorizer.IAM; iam == nil || iam.AccessKey != "AKIDHTTP" || iam.AccountID != "123456789012" || iam.UserARN == "" {
		t.Fatalf("requestContext.authorizer.iam = %+v", iam)
	}
	// Tampered body, wrong secret, unsigned: 403, function not invoked.
	n := fn.count()
	tampered := sign(`{"a":1}`, "http-secret")
	tampered.Body = http.NoBody
	tampered.ContentLength = 0
	for name, req := range map[string]*http.Request{
		"tampered":     tampered,
		"wrong secret": sign(`{}`, "nope"),
	} {
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 403 {
			t.Errorf("%s: %v %v", name, resp, err)
			continue
		}
		resp.Body.Close()
	}
	if resp, body := do(t, "POST", base+"/iam", nil, nil); resp.StatusCode != 403 || !strings.Contains(body, "Missing Authentication Token") {
		t.Errorf("unsigned: %d %q", resp.StatusCode, body)
	}
	if fn.count() != n {
		t.Error("a refused request reached the function")
	}
}

// TestJWTClaimsSpliced checks that the claims the token cache encodes once
// reach the function exactly as encoding the claims map per request wrote
// them, for the request that verified the token and for the next one,
// served from the cache, in both payload formats.
func TestJWTClaimsSpliced(t *testing.T) {
	iss := newIssuer(t)
	for _, format := range []string{"2.0", "1.0"} {
		t.Run(format, func(t *testing.T) {
			fn := newFunction(t, answer(`{"statusCode":200,"body":"in"}`))
			base := startGateway(t, httpAPI(fnIntegration(fn.URL, format), `
- {routeKey: "GET /open", target: integrations/fn, authorizationType: JWT, authorizerId: jwt}`,
				"- stageName: $default", jwtAuthorizer(iss.URL)))
			now := time.Now()
			token := iss.token(t, jwt.MapClaims{"iss": iss.URL, "aud": "app", "exp": now.Add(time.Hour).Unix(),
				"name": "<A & B>\u2028\"q\"", "groups": []string{"g1", "g2"}, "n": 12.5, "ok": true, "obj": map[string]any{"k": "v"}})
			var got []string
			for range 2 {
				if resp, body := do(t, "GET", base+"/open", nil, map[string]string{"Authorization": token}); resp.StatusCode != 200 {
					t.Fatalf("%d %s", resp.StatusCode, body)
				}
				var ev struct {
					RequestContext struct {
						Authorizer json.RawMessage `json:"authorizer"`
					} `json:"requestContext"`
				}
				if err := json.Unmarshal(fn.last(t), &ev); err != nil {
					t.Fatal(err)
				}
				got = append(got, string(ev.RequestContext.Authorizer))
			}
			// The reference: the claims decoded, then encoded as a map the
			// way every request used to.
			var claims map[string]string
			var m map[string]json.RawMessage
			_ = json.Unmarshal([]byte(got[0]), &m)
			if format == "2.0" {
				_ = json.Unmarshal(m["jwt"], &m)
			}
			if err := json.Unmarshal(m["claims"], &claims); err != nil || claims["name"] != "<A & B>\u2028\"q\"" {
				t.Fatalf("claims %v (%v) in %s", claims, err, got[0])
			}
			var ref any = map[string]any{"claims": claims, "scopes": nil}
			if format == "2.0" {
				ref = map[string]any{"jwt": ref}
			}
			want, _ := json.Marshal(ref)
			for i, g := range got {
				if g != string(want) {
					t.Errorf("request %d: authorizer\n%s\nwant\n%s", i, g, want)
				}
			}
		})
	}
}
