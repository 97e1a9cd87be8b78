package authorizer

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// t0 is the tests' now: 2026-08-29T10:00:00Z.
var t0 = time.Unix(1787997600, 0)

// setup starts an issuer publishing key "k1" (and "k2" with alg RS256) and an
// authorizer for it with audience "api" and "web", on a clock at t0.
func setup(t testing.TB) (*issuer, *JWT, *clock) {
	t.Helper()
	keys := testKeys()
	iss := newIssuer(t, "", publishedKey{kid: "k1", key: keys[0]}, publishedKey{kid: "k2", key: keys[1], alg: "RS256"})
	clk := newClock(t0)
	a := mustNewJWT(t, JWTConfig{Issuer: iss.URL(), Audience: []string{"api", "web"}, Now: clk.Now})
	return iss, a, clk
}

// validClaims are the claims of a token the setup authorizer accepts.
func validClaims(iss *issuer) jwt.MapClaims {
	return jwt.MapClaims{
		"iss":   iss.URL(),
		"aud":   "api",
		"sub":   "user-1",
		"exp":   t0.Add(time.Hour).Unix(),
		"nbf":   t0.Unix(),
		"iat":   t0.Unix(),
		"scope": "orders/read orders/write",
	}
}

// with returns a copy of c with set applied; a nil value deletes the claim.
func with(c jwt.MapClaims, set jwt.MapClaims) jwt.MapClaims {
	out := maps.Clone(c)
	for k, v := range set {
		if v == nil {
			delete(out, k)
		} else {
			out[k] = v
		}
	}
	return out
}

func TestJWTConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  JWTConfig
		ok   bool
	}{
		{"https", JWTConfig{Issuer: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc", Audience: []string{"client"}}, true},
		{"http local", JWTConfig{Issuer: "http://127.0.0.1:8080/realms/demo/", Audience: []string{"a", "b"}}, true},
		{"no issuer", JWTConfig{Audience: []string{"a"}}, false},
		{"relative issuer", JWTConfig{Issuer: "issuer.example.com", Audience: []string{"a"}}, false},
		{"ftp issuer", JWTConfig{Issuer: "ftp://issuer.example.com", Audience: []string{"a"}}, false},
		{"issuer with query", JWTConfig{Issuer: "https://issuer.example.com/?x=1", Audience: []string{"a"}}, false},
		{"issuer with fragment", JWTConfig{Issuer: "https://issuer.example.com/#x", Audience: []string{"a"}}, false},
		{"no audience", JWTConfig{Issuer: "https://issuer.example.com"}, false},
		{"empty audience entry", JWTConfig{Issuer: "https://issuer.example.com", Audience: []string{"a", ""}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if (err == nil) != tt.ok {
				t.Fatalf("Validate() = %v, want ok %v", err, tt.ok)
			}
			if err != nil && !errors.Is(err, ErrInvalidConfig) {
				t.Errorf("error %v does not wrap ErrInvalidConfig", err)
			}
			if _, nerr := NewJWT(tt.cfg); (nerr == nil) != tt.ok {
				t.Errorf("NewJWT error = %v, want ok %v", nerr, tt.ok)
			}
		})
	}
}

func TestAuthorize(t *testing.T) {
	iss, a, _ := setup(t)
	keys := testKeys()
	base := validClaims(iss)
	rs256 := func(c jwt.MapClaims) string { return sign(t, jwt.SigningMethodRS256, "k1", keys[0], c) }
	valid := rs256(base)

	tests := []struct {
		name   string
		token  string
		scopes []string
		// want401 is the error_description of a 401; "-" means a 401 with
		// just "Bearer"; "" means no 401.
		want401    string
		want403    bool
		wantScopes []string
	}{
		{name: "valid raw", token: valid},
		{name: "valid Bearer prefix", token: "Bearer " + valid},
		{name: "valid lowercase bearer, extra blanks", token: "  bearer   " + valid + " "},
		{name: "valid RS384", token: sign(t, jwt.SigningMethodRS384, "k1", keys[0], base)},
		{name: "valid RS512", token: sign(t, jwt.SigningMethodRS512, "k1", keys[0], base)},
		{name: "missing token", token: "", want401: "-"},
		{name: "Bearer without token", token: "Bearer ", want401: "-"},

		{name: "expired", token: rs256(with(base, jwt.MapClaims{"exp": t0.Add(-time.Minute).Unix()})), want401: descExpired},
		{name: "exp is now", token: rs256(with(base, jwt.MapClaims{"exp": t0.Unix()})), want401: descExpired},
		{name: "exp fractional, future", token: rs256(with(base, jwt.MapClaims{"exp": float64(t0.Unix()) + 0.5}))},
		{name: "no exp", token: rs256(with(base, jwt.MapClaims{"exp": nil})), want401: descNoExpiry},
		{name: "exp a string", token: rs256(with(base, jwt.MapClaims{"exp": "tomorrow"})), want401: descNoExpiry},
		{name: "nbf in future", token: rs256(with(base, jwt.MapClaims{"nbf": t0.Add(time.Minute).Unix()})), want401: descNotYetValid},
		{name: "nbf within skew", token: rs256(with(base, jwt.MapClaims{"nbf": t0.Add(4 * time.Second).Unix()}))},
		{name: "nbf just past skew", token: rs256(with(base, jwt.MapClaims{"nbf": t0.Add(6 * time.Second).Unix()})), want401: descNotYetValid},
		{name: "nbf not a number", token: rs256(with(base, jwt.MapClaims{"nbf": true})), want401: descNotBefore},
		{name: "iat in future", token: rs256(with(base, jwt.MapClaims{"iat": t0.Add(time.Hour).Unix()})), want401: descIssuedLater},
		{name: "iat not a number", token: rs256(with(base, jwt.MapClaims{"iat": "now"})), want401: descIssuedAt},
		{name: "no nbf, no iat", token: rs256(with(base, jwt.MapClaims{"nbf": nil, "iat": nil}))},

		{name: "wrong issuer", token: rs256(with(base, jwt.MapClaims{"iss": "https://evil.example.com"})), want401: descIssuer},
		{name: "issuer with trailing slash", token: rs256(with(base, jwt.MapClaims{"iss": iss.URL() + "/"})), want401: descIssuer},
		{name: "no issuer", token: rs256(with(base, jwt.MapClaims{"iss": nil})), want401: descIssuer},

		{name: "wrong audience", token: rs256(with(base, jwt.MapClaims{"aud": "other"})), want401: descAudience},
		{name: "audience array, one matches", token: rs256(with(base, jwt.MapClaims{"aud": []string{"other", "web"}}))},
		{name: "audience array, none matches", token: rs256(with(base, jwt.MapClaims{"aud": []string{"other", "more"}})), want401: descAudience},
		{name: "audience a number", token: rs256(with(base, jwt.MapClaims{"aud": 7})), want401: descAudience},
		{name: "no aud, client_id matches", token: rs256(with(base, jwt.MapClaims{"aud": nil, "client_id": "web"}))},
		{name: "no aud, client_id wrong", token: rs256(with(base, jwt.MapClaims{"aud": nil, "client_id": "other"})), want401: descAudience},
		{name: "no aud, no client_id", token: rs256(with(base, jwt.MapClaims{"aud": nil})), want401: descAudience},
		{name: "wrong aud, client_id ignored", token: rs256(with(base, jwt.MapClaims{"aud": "other", "client_id": "api"})), want401: descAudience},

		{name: "scope matches", token: valid, scopes: []string{"admin", "orders/write"}, wantScopes: []string{"orders/read", "orders/write"}},
		{name: "scope missing", token: valid, scopes: []string{"admin"}, want403: true},
		{name: "no scope claims, route has scopes", token: rs256(with(base, jwt.MapClaims{"scope": nil})), scopes: []string{"admin"}, want403: true},
		{name: "scp array", token: rs256(with(base, jwt.MapClaims{"scope": nil, "scp": []string{"admin", "ops"}})), scopes: []string{"ops"}, wantScopes: []string{"admin", "ops"}},
		{name: "scp string", token: rs256(with(base, jwt.MapClaims{"scope": nil, "scp": "admin ops"})), scopes: []string{"admin"}, wantScopes: []string{"admin", "ops"}},
		{name: "scope and scp merged", token: rs256(with(base, jwt.MapClaims{"scp": []string{"orders/read", "ops"}})), scopes: []string{"ops"}, wantScopes: []string{"orders/read", "orders/write", "ops"}},
		{name: "scope matching is exact", token: valid, scopes: []string{"orders/READ", "orders"}, want403: true},
		{name: "an invalid token is 401 before scopes", token: rs256(with(base, jwt.MapClaims{"aud": "other"})), scopes: []string{"admin"}, want401: descAudience},

		{name: "HS256", token: sign(t, jwt.SigningMethodHS256, "k1", []byte("secret"), base), want401: "signing method HS256 is invalid"},
		{name: "HS256 keyed with the RSA public key", token: sign(t, jwt.SigningMethodHS256, "k1", keys[0].PublicKey.N.Bytes(), base), want401: "signing method HS256 is invalid"},
		{name: "alg none", token: sign(t, jwt.SigningMethodNone, "k1", jwt.UnsafeAllowNoneSignatureType, base), want401: "signing method none is invalid"},
		{name: "PS256", token: sign(t, jwt.SigningMethodPS256, "k1", keys[0], base), want401: "signing method PS256 is invalid"},
		{name: "unknown alg", token: b64([]byte(`{"alg":"XX999","kid":"k1"}`)) + "." + b64([]byte(`{}`)) + ".c2ln", want401: "signing method XX999 is invalid"},
		{name: "alg with quotes", token: b64([]byte(`{"alg":"R\"S","kid":"k1"}`)) + "." + b64([]byte(`{}`)) + ".c2ln", want401: descNoMethod},
		{name: "no alg", token: b64([]byte(`{"kid":"k1"}`)) + "." + b64([]byte(`{}`)) + ".c2ln", want401: descNoMethod},

		{name: "one segment", token: "abc", want401: descMalformed},
		{name: "two segments", token: "abc.def", want401: descMalformed},
		{name: "four segments", token: valid + ".x", want401: descMalformed},
		{name: "bad base64", token: "!!!.???.###", want401: descMalformed},
		{name: "payload not JSON", token: strings.Split(valid, ".")[0] + "." + b64([]byte("not json")) + "." + strings.Split(valid, ".")[2], want401: descMalformed},
		{name: "tampered payload", token: strings.Split(valid, ".")[0] + "." + b64([]byte(`{"iss":"`+iss.URL()+`","aud":"api","exp":9999999999}`)) + "." + strings.Split(valid, ".")[2], want401: descSignature},
		{name: "truncated signature", token: valid[:len(valid)-10], want401: descSignature},

		{name: "no kid", token: sign(t, jwt.SigningMethodRS256, "", keys[0], base), want401: descKeyID},
		{name: "unknown kid", token: sign(t, jwt.SigningMethodRS256, "nope", keys[0], base), want401: descKeyID},
		{name: "kid of an EC key", token: sign(t, jwt.SigningMethodRS256, "ec-key", keys[0], base), want401: descKeyID},
		{name: "kid of an encryption key", token: sign(t, jwt.SigningMethodRS256, "k1-enc", keys[0], base), want401: descKeyID},
		{name: "published kid, other key", token: sign(t, jwt.SigningMethodRS256, "k1", keys[2], base), want401: descSignature},
		{name: "key alg RS256, token RS512", token: sign(t, jwt.SigningMethodRS512, "k2", keys[1], base), want401: descSignature},
		{name: "key alg RS256, token RS256", token: sign(t, jwt.SigningMethodRS256, "k2", keys[1], base)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := a.Authorize(context.Background(), tt.token, tt.scopes)
			switch {
			case tt.want401 != "":
				d := asDeny(t, err)
				want := invalidToken(tt.want401)
				if tt.want401 == "-" {
					want = "Bearer"
				}
				if d.Status != http.StatusUnauthorized || d.WWWAuthenticate != want {
					t.Fatalf("deny = %d %q (%s), want 401 %q", d.Status, d.WWWAuthenticate, d.Reason, want)
				}
				if res != nil {
					t.Errorf("result %+v with a deny", res)
				}
			case tt.want403:
				d := asDeny(t, err)
				if d.Status != http.StatusForbidden || d.WWWAuthenticate != "" {
					t.Fatalf("deny = %d %q (%s), want 403 without www-authenticate", d.Status, d.WWWAuthenticate, d.Reason)
				}
			default:
				if err != nil {
					t.Fatalf("Authorize: %v", err)
				}
				if !slices.Equal(res.Scopes, tt.wantScopes) {
					t.Errorf("Scopes = %q, want %q", res.Scopes, tt.wantScopes)
				}
				if tt.scopes == nil && res.Scopes != nil {
					t.Errorf("Scopes = %q for a route without scopes, want nil", res.Scopes)
				}
				if res.Claims["sub"] != "user-1" {
					t.Errorf("Claims[sub] = %q", res.Claims["sub"])
				}
			}
		})
	}
	if n := iss.discoveryHits.Load(); n != 1 {
		t.Errorf("discovery fetched %d times, want 1 (cached; unknown kids rate-limited)", n)
	}
}

func TestAuthorizeClaimsStringified(t *testing.T) {
	iss, a, _ := setup(t)
	payload := fmt.Sprintf(`{
		"iss": %q, "aud": ["api", "other"], "sub": "user-1",
		"exp": 1787999999, "iat": 1.7879976e9, "auth_time": 1787996002,
		"big": 123456789012345678901234567890, "ratio": 0.25, "neg": -3,
		"verified": true, "disabled": false, "nothing": null,
		"cognito:groups": ["admin", "dev"], "empty": [], "nested": [1, [true, "x"], {"k": "v"}],
		"address": {"street": "1 <Main> & Co", "zip": 12345, "geo": {"lat": 1.5e1}},
		"scope": "orders/read"
	}`, iss.URL())
	token := signRaw(t, jwt.SigningMethodRS256, "k1", testKeys()[0], payload)

	res, err := a.Authorize(context.Background(), token, []string{"orders/read"})
	if err != nil {
		t.Fatalf("Authorize: %v", err)
	}
	want := map[string]string{
		"iss":            iss.URL(),
		"aud":            "[api other]",
		"sub":            "user-1",
		"exp":            "1787999999",
		"iat":            "1787997600",
		"auth_time":      "1787996002",
		"big":            "123456789012345678901234567890",
		"ratio":          "0.25",
		"neg":            "-3",
		"verified":       "true",
		"disabled":       "false",
		"nothing":        "null",
		"cognito:groups": "[admin dev]",
		"empty":          "[]",
		"nested":         `[1 [true x] {"k":"v"}]`,
		"address":        `{"geo":{"lat":1.5e1},"street":"1 <Main> & Co","zip":12345}`,
		"scope":          "orders/read",
	}
	if !maps.Equal(res.Claims, want) {
		for k := range maps.Keys(want) {
			if res.Claims[k] != want[k] {
				t.Errorf("Claims[%q] = %q, want %q", k, res.Claims[k], want[k])
			}
		}
		t.Fatalf("Claims = %q", res.Claims)
	}
	if !slices.Equal(res.Scopes, []string{"orders/read"}) {
		t.Errorf("Scopes = %q", res.Scopes)
	}
}

func TestStringifyClaim(t *testing.T) {
	tests := []struct {
		in   any
		want string
	}{
		{"a b", "a b"},
		{float64(1787996002), "1787996002"},
		{float64(1.5), "1.5"},
		{[]any{"g1", "g2"}, "[g1 g2]"},
		{[]any{}, "[]"},
		{[]any{nil}, "[null]"},
		{map[string]any{}, "{}"},
	}
	for _, tt := range tests {
		if got := stringifyClaim(tt.in); got != tt.want {
			t.Errorf("stringifyClaim(%#v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestAuthorizeIssuerWithPath(t *testing.T) {
	for _, issuerPath := range []string{"/realms/demo", "/realms/demo/"} {
		t.Run(issuerPath, func(t *testing.T) {
			iss := newIssuer(t, issuerPath, publishedKey{kid: "k1", key: testKeys()[0]})
			a := mustNewJWT(t, JWTConfig{Issuer: iss.URL(), Audience: []string{"api"}, Now: newClock(t0).Now})
			token := sign(t, jwt.SigningMethodRS256, "k1", testKeys()[0], validClaims(iss))
			if _, err := a.Authorize(context.Background(), token, nil); err != nil {
				t.Fatalf("Authorize: %v", err)
			}
			if n := iss.discoveryHits.Load(); n != 1 {
				t.Errorf("discovery hits = %d, want 1", n)
			}
		})
	}
}

// TestKeyRotation: the issuer replaces its keys; a token with the new kid is
// accepted after one refetch, and refetches are rate-limited.
func TestKeyRotation(t *testing.T) {
	iss, a, clk := setup(t)
	keys := testKeys()
	claims := validClaims(iss)
	claims["exp"] = t0.Add(2 * time.Hour).Unix()
	oldToken := sign(t, jwt.SigningMethodRS256, "k1", keys[0], claims)
	newToken := sign(t, jwt.SigningMethodRS256, "k3", keys[2], claims)
	ctx := context.Background()

	if _, err := a.Authorize(ctx, oldToken, nil); err != nil {
		t.Fatalf("old key before rotation: %v", err)
	}
	iss.publish(publishedKey{kid: "k3", key: keys[2]})

	// Within 10 s of the first fetch an unknown kid is refused without a fetch.
	clk.Advance(3 * time.Second)
	if _, err := a.Authorize(ctx, newToken, nil); asDeny(t, err).WWWAuthenticate != invalidToken(descKeyID) {
		t.Fatalf("new kid within 10 s: %v", err)
	}
	if n := iss.jwksHits.Load(); n != 1 {
		t.Fatalf("JWKS hits = %d, want 1", n)
	}
	// The old key is still cached: rotation is seen only on a refetch.
	if _, err := a.Authorize(ctx, oldToken, nil); err != nil {
		t.Fatalf("old key, cached: %v", err)
	}

	clk.Advance(8 * time.Second)
	if _, err := a.Authorize(ctx, newToken, nil); err != nil {
		t.Fatalf("new kid after 11 s: %v", err)
	}
	if n := iss.jwksHits.Load(); n != 2 {
		t.Fatalf("JWKS hits = %d, want 2", n)
	}
	// The refetched JWKS no longer has k1, and the next refetch is 10 s away.
	if _, err := a.Authorize(ctx, oldToken, nil); asDeny(t, err).WWWAuthenticate != invalidToken(descKeyID) {
		t.Fatalf("old kid after rotation: %v", err)
	}
	for range 20 {
		_, _ = a.Authorize(ctx, sign(t, jwt.SigningMethodRS256, "bogus", keys[2], claims), nil)
	}
	if n := iss.jwksHits.Load(); n != 2 {
		t.Errorf("JWKS hits after bogus kids = %d, want 2", n)
	}
}

// TestKeyCacheExpiry: keys are fetched again after an hour; when that fetch
// fails the old keys stay in use.
func TestKeyCacheExpiry(t *testing.T) {
	iss, a, clk := setup(t)
	claims := validClaims(iss)
	claims["exp"] = t0.Add(24 * time.Hour).Unix()
	token := sign(t, jwt.SigningMethodRS256, "k1", testKeys()[0], claims)
	ctx := context.Background()

	if _, err := a.Authorize(ctx, token, nil); err != nil {
		t.Fatal(err)
	}
	clk.Advance(59 * time.Minute)
	if _, err := a.Authorize(ctx, token, nil); err != nil {
		t.Fatal(err)
	}
	if n := iss.jwksHits.Load(); n != 1 {
		t.Fatalf("JWKS hits within the hour = %d, want 1", n)
	}
	clk.Advance(2 * time.Minute)
	if _, err := a.Authorize(ctx, token, nil); err != nil {
		t.Fatal(err)
	}
	if n := iss.jwksHits.Load(); n != 2 {
		t.Fatalf("JWKS hits after the hour = %d, want 2", n)
	}

	iss.status.Store(http.StatusServiceUnavailable)
	clk.Advance(61 * time.Minute)
	if _, err := a.Authorize(ctx, token, nil); err != nil {
		t.Fatalf("issuer down, stale keys: %v", err)
	}
	if n := iss.discoveryHits.Load(); n != 3 {
		t.Fatalf("discovery hits = %d, want 3", n)
	}
}

// TestIssuerDown: with no keys fetched yet, an issuer that cannot be reached
// gives a 401 (as on AWS), retried no more than once per 10 s.
func TestIssuerDown(t *testing.T) {
	t.Run("503", func(t *testing.T) {
		iss, a, clk := setup(t)
		iss.status.Store(http.StatusServiceUnavailable)
		token := sign(t, jwt.SigningMethodRS256, "k1", testKeys()[0], validClaims(iss))
		ctx := context.Background()
		for range 5 {
			_, err := a.Authorize(ctx, token, nil)
			d := asDeny(t, err)
			if d.Status != http.StatusUnauthorized || d.WWWAuthenticate != invalidToken(descKeysUnreadable) {
				t.Fatalf("deny = %d %q", d.Status, d.WWWAuthenticate)
			}
			if !strings.Contains(d.Reason, "503") {
				t.Errorf("Reason %q does not give the status", d.Reason)
			}
		}
		if n := iss.discoveryHits.Load(); n != 1 {
			t.Fatalf("discovery hits = %d, want 1", n)
		}
		iss.status.Store(0)
		clk.Advance(10 * time.Second)
		if _, err := a.Authorize(ctx, token, nil); err != nil {
			t.Fatalf("issuer back: %v", err)
		}
	})
	t.Run("connection refused", func(t *testing.T) {
		iss, a, _ := setup(t)
		token := sign(t, jwt.SigningMethodRS256, "k1", testKeys()[0], validClaims(iss))
		iss.srv.Close()
		_, err := a.Authorize(context.Background(), token, nil)
		if d := asDeny(t, err); d.WWWAuthenticate != invalidToken(descKeysUnreadable) {
			t.Fatalf("deny = %d %q", d.Status, d.WWWAuthenticate)
		}
	})
	t.Run("slower than 1.5 s", func(t *testing.T) {
		iss, a, _ := setup(t)
		iss.holdDiscovery(make(chan struct{})) // never closed: discovery hangs
		token := sign(t, jwt.SigningMethodRS256, "k1", testKeys()[0], validClaims(iss))
		start := time.Now()
		_, err := a.Authorize(context.Background(), token, nil)
		if d := asDeny(t, err); d.WWWAuthenticate != invalidToken(descKeysUnreadable) {
			t.Fatalf("deny = %d %q", d.Status, d.WWWAuthenticate)
		}
		if took := time.Since(start); took > 10*time.Second {
			t.Errorf("took %v", took)
		}
	})
	t.Run("bad jwks_uri", func(t *testing.T) {
		mux := http.NewServeMux()
		mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, map[string]any{"jwks_uri": "/keys"})
		})
		srv := newTestServer(t, mux)
		a := mustNewJWT(t, JWTConfig{Issuer: srv.URL, Audience: []string{"api"}, Now: newClock(t0).Now})
		claims := jwt.MapClaims{"iss": srv.URL, "aud": "api", "exp": t0.Add(time.Hour).Unix()}
		_, err := a.Authorize(context.Background(), sign(t, jwt.SigningMethodRS256, "k1", testKeys()[0], claims), nil)
		d := asDeny(t, err)
		if d.WWWAuthenticate != invalidToken(descKeysUnreadable) || !strings.Contains(d.Reason, "jwks_uri") {
			t.Fatalf("deny = %q (%s)", d.WWWAuthenticate, d.Reason)
		}
	})
}

// TestAuthorizeContextEnds: a call waiting for another call's fetch returns
// its ctx's error, not a deny; the fetching call still gets its answer.
func TestAuthorizeContextEnds(t *testing.T) {
	iss, a, _ := setup(t)
	release := make(chan struct{})
	iss.holdDiscovery(release)
	token := sign(t, jwt.SigningMethodRS256, "k1", testKeys()[0], validClaims(iss))

	first := make(chan error, 1)
	go func() {
		_, err := a.Authorize(context.Background(), token, nil)
		first <- err
	}()
	<-iss.arrived // the first call is fetching

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := a.Authorize(ctx, token, nil)
	var d *Deny
	if !errors.Is(err, context.Canceled) || errors.As(err, &d) {
		t.Fatalf("waiting call with cancelled ctx: %v, want context.Canceled", err)
	}

	close(release)
	if err := <-first; err != nil {
		t.Fatalf("fetching call: %v", err)
	}
}

// TestAuthorizeConcurrent runs valid, unknown-kid and expired tokens from
// many goroutines against a cold cache (meaningful under -race): one fetch
// serves them all.
func TestAuthorizeConcurrent(t *testing.T) {
	iss, a, _ := setup(t)
	keys := testKeys()
	valid := sign(t, jwt.SigningMethodRS256, "k1", keys[0], validClaims(iss))
	unknown := sign(t, jwt.SigningMethodRS256, "k9", keys[2], validClaims(iss))
	expired := sign(t, jwt.SigningMethodRS256, "k2", keys[1], with(validClaims(iss), jwt.MapClaims{"exp": t0.Unix() - 1}))

	var wg sync.WaitGroup
	errs := make(chan error, 16*30)
	for g := range 16 {
		wg.Go(func() {
			for i := range 30 {
				var err error
				switch (g + i) % 3 {
				case 0:
					var res *JWTResult
					res, err = a.Authorize(context.Background(), valid, []string{"orders/read"})
					if err == nil && res.Claims["sub"] != "user-1" {
						err = fmt.Errorf("claims %q", res.Claims)
					}
				case 1:
					_, err = a.Authorize(context.Background(), unknown, nil)
					if d := (*Deny)(nil); errors.As(err, &d) && d.WWWAuthenticate == invalidToken(descKeyID) {
						err = nil
					} else {
						err = fmt.Errorf("unknown kid: %v", err)
					}
				case 2:
					_, err = a.Authorize(context.Background(), expired, nil)
					if d := (*Deny)(nil); errors.As(err, &d) && d.WWWAuthenticate == invalidToken(descExpired) {
						err = nil
					} else {
						err = fmt.Errorf("expired: %v", err)
					}
				}
				if err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if d, j := iss.discoveryHits.Load(), iss.jwksHits.Load(); d != 1 || j != 1 {
		t.Errorf("discovery hits %d, JWKS hits %d; want 1 and 1", d, j)
	}
}

func TestDenyError(t *testing.T) {
	d := &Deny{Status: 403, Reason: "no scope"}
	if got := d.Error(); got != "authorizer: 403: no scope" {
		t.Errorf("Error() = %q", got)
	}
}
