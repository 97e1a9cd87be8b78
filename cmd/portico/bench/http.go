package bench

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/portico-gw/portico/internal/proxybench"
)

// The HTTP API scenarios drive an HTTP API (apis, protocolType HTTP) with
// the REST scenarios' clients and loop (runREST).
//
// http-proxy: POST /echo through an `ANY /{proxy+}` route whose
// HTTP_PROXY integration goes to the echo backend, against a bare
// httputil.ReverseProxy in front of the same kind of backend
// (StartProxyBaseline).
//
// http-jwt: GET /items through an AWS_PROXY integration whose Lambda event
// (payload format 2.0) is POSTed over HTTP to a tiny function server, with
// a JWT authorizer whose issuer (OIDC discovery and JWKS, RS256) runs
// locally; every request carries the same token. The baseline is the same
// route without the authorizer, sent the same token.

// StartHTTPProxyGateway runs a node whose HTTP API proxies to the echo
// backend.
func StartHTTPProxyGateway() (*Target, error) {
	return startProxyAPI(proxybench.HTTPAPIConfig, "/echo")
}

// httpJWTConfig is one HTTP API with GET /items going to an AWS_PROXY
// function over HTTP; %s is the route's authorization, then the function's
// URL, then the authorizers.
const httpJWTConfig = `
apis:
  - apiId: bench00004
    name: bench
    protocolType: HTTP
    integrations:
      - integrationId: fn
        integrationType: AWS_PROXY
        integrationUri: "%[2]s"
        payloadFormatVersion: "2.0"
    routes:
      - {routeKey: GET /items, target: integrations/fn%[1]s}
%[3]s    stages:
      - stageName: $default
        autoDeploy: true
`

const httpJWTAuthorizers = `    authorizers:
      - authorizerId: jwt
        name: jwt
        authorizerType: JWT
        identitySource: [$request.header.Authorization]
        jwtConfiguration: {issuer: "%s", audience: [bench]}
`

// StartHTTPLambdaPlain runs the HTTP API without an authorizer: the
// http-jwt baseline.
func StartHTTPLambdaPlain() (*Target, error) { return startHTTPLambda(false) }

// StartHTTPLambdaJWT runs the HTTP API with the JWT authorizer.
func StartHTTPLambdaJWT() (*Target, error) { return startHTTPLambda(true) }

func startHTTPLambda(authorized bool) (*Target, error) {
	fnURL, _, stopFn, err := functionServer(func([]byte) []byte { return lambdaOK })
	if err != nil {
		return nil, err
	}
	// Both sides send the same token, so that the ratio is the authorizer's
	// cost alone: the baseline's event carries the same Authorization
	// header; only its route has no authorizer to read it.
	iss, err := startJWTIssuer()
	if err != nil {
		stopFn()
		return nil, err
	}
	token, err := iss.token()
	if err != nil {
		stopFn()
		iss.close()
		return nil, err
	}
	header := http.Header{"Authorization": {"Bearer " + token}}
	name, auth, authorizers := "no-authorizer", "", ""
	fetches := new(atomic.Int64) // stays 0 without an authorizer
	if authorized {
		fetches = &iss.jwksFetches
		name, auth, authorizers = "jwt-authorizer", ", authorizationType: JWT, authorizerId: jwt", fmt.Sprintf(httpJWTAuthorizers, iss.url)
	}
	srv, err := startNode(fmt.Sprintf(httpJWTConfig, auth, fnURL, authorizers))
	if err != nil {
		stopFn()
		iss.close()
		return nil, err
	}
	t := httpTarget(name, http.MethodGet, "http://"+srv.Addr().String()+"/items", header, []byte("ok"))
	t.AuthorizerCalls = fetches
	t.Close = func() { stop(srv); stopFn(); iss.close() }
	return t, nil
}

// benchKey is the local issuer's RSA key, made once per process (2048-bit
// generation takes a while).
var benchKey = sync.OnceValues(func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) })

// jwtIssuer is a local OIDC identity provider: discovery, and a JWKS with
// one RS256 key, over HTTP. jwksFetches counts the JWKS requests (the
// authorizer fetches its keys once per hour).
type jwtIssuer struct {
	url         string
	key         *rsa.PrivateKey
	jwksFetches atomic.Int64
	close       func()
}

func startJWTIssuer() (*jwtIssuer, error) {
	key, err := benchKey()
	if err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	iss := &jwtIssuer{url: "http://" + l.Addr().String(), key: key}
	b64 := base64.RawURLEncoding.EncodeToString
	jwks, _ := json.Marshal(map[string]any{"keys": []any{map[string]any{
		"kty": "RSA", "kid": "bench", "use": "sig", "alg": "RS256",
		"n": b64(key.N.Bytes()), "e": b64(big.NewInt(int64(key.E)).Bytes()),
	}}})
	discovery, _ := json.Marshal(map[string]any{"issuer": iss.url, "jwks_uri": iss.url + "/jwks.json"})
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(discovery)
	})
	mux.HandleFunc("GET /jwks.json", func(w http.ResponseWriter, _ *http.Request) {
		iss.jwksFetches.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(jwks)
	})
	srv := &http.Server{Handler: mux}
	go func() { _ = srv.Serve(l) }()
	iss.close = func() { _ = srv.Close() }
	return iss, nil
}

// token is an RS256 token the bench authorizer accepts for an hour.
func (iss *jwtIssuer) token() (string, error) {
	now := time.Now()
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{
		"iss": iss.url, "aud": "bench", "sub": "bench-user", "scope": "items/read",
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
	})
	tok.Header["kid"] = "bench"
	return tok.SignedString(iss.key)
}
