package authorizer_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/portico-gw/portico/authorizer"
)

// A local OIDC issuer serves discovery and its JWKS; the authorizer fetches
// them on first use, then checks tokens the way an HTTP API's JWT authorizer
// does.
func ExampleJWT_Authorize() {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	defer srv.Close()
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]string{"issuer": srv.URL, "jwks_uri": srv.URL + "/jwks"})
	})
	mux.HandleFunc("/jwks", func(w http.ResponseWriter, r *http.Request) {
		b64 := base64.RawURLEncoding.EncodeToString
		json.NewEncoder(w).Encode(map[string]any{"keys": []any{map[string]string{
			"kty": "RSA", "kid": "key-1", "use": "sig",
			"n": b64(key.N.Bytes()), "e": b64(big.NewInt(int64(key.E)).Bytes()),
		}}})
	})

	a, err := authorizer.NewJWT(authorizer.JWTConfig{Issuer: srv.URL, Audience: []string{"my-client"}})
	if err != nil {
		panic(err)
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{
		"iss": srv.URL, "client_id": "my-client", "sub": "alice",
		"exp": time.Now().Add(time.Hour).Unix(), "scope": "orders/read",
		"groups": []string{"admin", "dev"},
	})
	tok.Header["kid"] = "key-1"
	token, err := tok.SignedString(key)
	if err != nil {
		panic(err)
	}

	res, err := a.Authorize(context.Background(), "Bearer "+token, []string{"orders/read"})
	fmt.Println(res.Claims["sub"], res.Claims["groups"], res.Scopes, err)

	var deny *authorizer.Deny
	_, err = a.Authorize(context.Background(), token, []string{"orders/write"})
	if errors.As(err, &deny) {
		fmt.Println(deny.Status)
	}
	_, err = a.Authorize(context.Background(), token+"x", nil)
	if errors.As(err, &deny) {
		fmt.Println(deny.Status, deny.WWWAuthenticate)
	}
	// Output:
	// alice [admin dev] [orders/read] <nil>
	// 403
	// 401 Bearer scope="" error="invalid_token" error_description="the token signature is invalid"
}
