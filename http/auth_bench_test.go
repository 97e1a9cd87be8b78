package httpapi_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// BenchmarkJWTRoute is `portico bench http-jwt` in one process: GET through
// an AWS_PROXY (payload 2.0) route with a JWT authorizer, and the same route
// without one. The token is verified once and then served from the token
// cache, as in the bench; the difference in allocs/op between the two is
// the authorizer's cost per request:
//
//	go test -run '^$' -bench JWTRoute -benchmem ./http/
func BenchmarkJWTRoute(b *testing.B) {
	iss := newIssuer(b)
	fn := newFunction(b, answer(`"in"`))
	base := startGateway(b, httpAPI(fnIntegration(fn.URL, "2.0"), `
- {routeKey: "GET /jwt", target: integrations/fn, authorizationType: JWT, authorizerId: jwt}
- {routeKey: "GET /none", target: integrations/fn}`,
		"- stageName: $default", jwtAuthorizer(iss.URL)))
	now := time.Now()
	token := "Bearer " + iss.token(b, jwt.MapClaims{"iss": iss.URL, "aud": "app", "sub": "u1",
		"exp": now.Add(time.Hour).Unix(), "iat": now.Unix(), "scope": "read write",
		"email": "u1@example.com", "groups": []string{"g1", "g2"}})
	for _, path := range []string{"/jwt", "/none"} {
		b.Run(path[1:], func(b *testing.B) {
			req, err := http.NewRequest("GET", base+path, nil)
			if err != nil {
				b.Fatal(err)
			}
			req.Header.Set("Authorization", token)
			b.ReportAllocs()
			for b.Loop() {
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				_ = resp.Body.Close()
				if resp.StatusCode != 200 {
					b.Fatalf("status %d", resp.StatusCode)
				}
			}
		})
	}
}
