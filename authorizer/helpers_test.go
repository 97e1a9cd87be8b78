package authorizer

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// testKeys are RSA keys shared by all tests: generating 2048-bit keys is
// slow, under -race even more.
var testKeys = sync.OnceValue(func() []*rsa.PrivateKey {
	keys := make([]*rsa.PrivateKey, 3)
	for i := range keys {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		keys[i] = k
	}
	return keys
})

// publishedKey is a key an issuer publishes in its JWKS.
type publishedKey struct {
	kid string
	key *rsa.PrivateKey
	alg string // the JWK's alg member, empty for none
}

// issuer is a local OIDC identity provider: discovery and JWKS over real
// HTTP, and tokens signed with its keys.
type issuer struct {
	srv  *httptest.Server
	path string // the issuer URL's path, "" or e.g. "/realms/demo"

	mu   sync.Mutex
	keys []publishedKey // guarded by mu

	hold          chan struct{} // guarded by mu; when not nil, discovery waits for it to close
	status        atomic.Int32  // when not 0, both documents answer it
	discoveryHits atomic.Int32
	jwksHits      atomic.Int32
	arrived       chan struct{} // gets a value as each discovery request arrives
}

// newIssuer starts an issuer whose URL has path path, publishing keys, and
// closes it at cleanup.
func newIssuer(t testing.TB, path string, keys ...publishedKey) *issuer {
	t.Helper()
	iss := &issuer{path: path, keys: keys, arrived: make(chan struct{}, 100)}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+strings.TrimSuffix(path, "/")+"/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		iss.discoveryHits.Add(1)
		select {
		case iss.arrived <- struct{}{}:
		default:
		}
		iss.mu.Lock()
		hold := iss.hold
		iss.mu.Unlock()
		if hold != nil {
			select {
			case <-hold:
			case <-r.Context().Done():
				return
			}
		}
		if s := iss.status.Load(); s != 0 {
			w.WriteHeader(int(s))
			return
		}
		writeJSON(w, map[string]any{
			"issuer":   iss.URL(),
			"jwks_uri": iss.srv.URL + "/keys/jwks.json",
		})
	})
	mux.HandleFunc("GET /keys/jwks.json", func(w http.ResponseWriter, r *http.Request) {
		iss.jwksHits.Add(1)
		if s := iss.status.Load(); s != 0 {
			w.WriteHeader(int(s))
			return
		}
		writeJSON(w, iss.jwks(t))
	})
	iss.srv = httptest.NewServer(mux)
	t.Cleanup(iss.srv.Close)
	return iss
}

// URL is the issuer identifier: what tokens' iss and JWTConfig.Issuer hold.
func (iss *issuer) URL() string { return iss.srv.URL + iss.path }

// holdDiscovery makes discovery requests wait until release is closed (or
// the client gives up).
func (iss *issuer) holdDiscovery(release chan struct{}) {
	iss.mu.Lock()
	defer iss.mu.Unlock()
	iss.hold = release
}

// newTestServer starts an httptest server and closes it at cleanup.
func newTestServer(t testing.TB, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// publish replaces the published keys (key rotation).
func (iss *issuer) publish(keys ...publishedKey) {
	iss.mu.Lock()
	defer iss.mu.Unlock()
	iss.keys = keys
}

// jwks is the JWKS document: the published RSA keys, plus an EC key and an
// RSA encryption key that the authorizer must skip.
func (iss *issuer) jwks(t testing.TB) map[string]any {
	iss.mu.Lock()
	defer iss.mu.Unlock()
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Error(err)
	}
	keys := []any{map[string]any{
		"kty": "EC", "kid": "ec-key", "crv": "P-256", "use": "sig",
		"x": b64(ec.X.Bytes()), "y": b64(ec.Y.Bytes()),
	}}
	for _, k := range iss.keys {
		jwk := map[string]any{
			"kty": "RSA", "kid": k.kid, "use": "sig",
			"n": b64(k.key.N.Bytes()), "e": b64(big.NewInt(int64(k.key.E)).Bytes()),
		}
		if k.alg != "" {
			jwk["alg"] = k.alg
		}
		keys = append(keys, jwk)
		keys = append(keys, map[string]any{
			"kty": "RSA", "kid": k.kid + "-enc", "use": "enc",
			"n": b64(k.key.N.Bytes()), "e": b64(big.NewInt(int64(k.key.E)).Bytes()),
		})
	}
	return map[string]any{"keys": keys}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// sign mints a token with claims, signed by key with method, with header kid
// (none when kid is empty).
func sign(t testing.TB, method jwt.SigningMethod, kid string, key any, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, claims)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatalf("signing: %v", err)
	}
	return s
}

// signRaw mints a token whose payload is exactly payload (for numbers Go
// would not write, such as 1.5e3).
func signRaw(t testing.TB, method jwt.SigningMethod, kid string, key any, payload string) string {
	t.Helper()
	header, err := json.Marshal(map[string]string{"alg": method.Alg(), "kid": kid, "typ": "JWT"})
	if err != nil {
		t.Fatal(err)
	}
	signing := b64(header) + "." + b64([]byte(payload))
	sig, err := method.Sign(signing, key)
	if err != nil {
		t.Fatalf("signing: %v", err)
	}
	return signing + "." + b64(sig)
}

// clock is a settable JWTConfig.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(t time.Time) *clock { return &clock{t: t} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// mustNewJWT builds an authorizer or fails the test.
func mustNewJWT(t testing.TB, cfg JWTConfig) *JWT {
	t.Helper()
	a, err := NewJWT(cfg)
	if err != nil {
		t.Fatalf("NewJWT(%+v): %v", cfg, err)
	}
	return a
}

// asDeny returns err as a *Deny, failing the test when it is not one.
func asDeny(t testing.TB, err error) *Deny {
	t.Helper()
	var d *Deny
	if !errors.As(err, &d) {
		t.Fatalf("error %v (%T) is not a *Deny", err, err)
	}
	return d
}

// invalidToken is the www-authenticate value of a 401 with description.
func invalidToken(description string) string {
	return `Bearer scope="" error="invalid_token" error_description="` + description + `"`
}
