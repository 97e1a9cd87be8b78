package authorizer

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// FuzzJWTParse feeds arbitrary identity source values to Authorize against a
// real issuer. None of them can be a valid token (every signed seed is
// expired or for another audience, and the signature covers those claims),
// so each must come back as a 401 *Deny whose header is safe to send, and
// nothing may panic.
func FuzzJWTParse(f *testing.F) {
	keys := testKeys()
	iss := newIssuer(f, "", publishedKey{kid: "k1", key: keys[0]})
	a := mustNewJWT(f, JWTConfig{Issuer: iss.URL(), Audience: []string{"api"}, Now: newClock(t0).Now})

	expired := jwt.MapClaims{"iss": iss.URL(), "aud": "api", "exp": t0.Add(-time.Second).Unix(), "scope": "a b"}
	otherAud := jwt.MapClaims{"iss": iss.URL(), "aud": "web", "exp": t0.Add(time.Hour).Unix(), "scp": []string{"a"}}
	seeds := []string{
		"",
		"Bearer",
		"Bearer ",
		"bearer x.y.z",
		"...",
		"a.b.c",
		"eyJ.eyJ.sig",
		"e30.e30.",
		"e30.e30.e30",
		b64([]byte(`{"alg":"RS256","kid":"k1"}`)) + "." + b64([]byte(`{"exp":1e999}`)) + ".AAAA",
		b64([]byte(`{"alg":"RS256","kid":"k1"}`)) + "." + b64([]byte(`null`)) + ".AAAA",
		b64([]byte(`{"alg":"RS256","kid":["k1"]}`)) + "." + b64([]byte(`{}`)) + ".AAAA",
		b64([]byte(`{"alg":"RS256","kid":"other"}`)) + "." + b64([]byte(`{}`)) + ".AAAA",
		b64([]byte(`{"alg":"none"}`)) + "." + b64([]byte(`{}`)) + ".",
		b64([]byte(`{"alg":"a\"b\r\nX: y"}`)) + "." + b64([]byte(`{}`)) + ".",
		sign(f, jwt.SigningMethodRS256, "k1", keys[0], expired),
		"Bearer " + sign(f, jwt.SigningMethodRS512, "k1", keys[0], otherAud),
		sign(f, jwt.SigningMethodHS256, "k1", []byte("secret"), otherAud),
		sign(f, jwt.SigningMethodPS256, "k1", keys[0], otherAud),
		sign(f, jwt.SigningMethodRS256, "k2", keys[1], otherAud),
	}
	for _, s := range seeds {
		f.Add(s)
	}

	f.Fuzz(func(t *testing.T, token string) {
		res, err := a.Authorize(context.Background(), token, nil)
		if res != nil {
			t.Fatalf("accepted %q: %+v", token, res)
		}
		var d *Deny
		if !errors.As(err, &d) {
			t.Fatalf("%q: error %v (%T) is not a *Deny", token, err, err)
		}
		if d.Status != http.StatusUnauthorized || !strings.HasPrefix(d.WWWAuthenticate, "Bearer") {
			t.Fatalf("%q: deny %d %q", token, d.Status, d.WWWAuthenticate)
		}
		if strings.ContainsAny(d.WWWAuthenticate, "\r\n") || strings.Count(d.WWWAuthenticate, `"`)%2 != 0 {
			t.Fatalf("%q: unsafe header %q", token, d.WWWAuthenticate)
		}
		if d.WWWAuthenticate != "Bearer" && strings.Count(d.WWWAuthenticate, `"`) != 6 {
			t.Fatalf("%q: header %q has quotes inside its description", token, d.WWWAuthenticate)
		}
	})
}
