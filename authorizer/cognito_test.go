package authorizer

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/golang-jwt/jwt/v5"
)

// cognitoClaims are the claims of an ID token of the pool iss stands for.
func cognitoClaims(iss *issuer, use string) jwt.MapClaims {
	c := jwt.MapClaims{
		"iss":       iss.URL(),
		"sub":       "0b1c-user",
		"token_use": use,
		"auth_time": t0.Unix(),
		"exp":       t0.Add(time.Hour).Unix(),
		"iat":       t0.Unix(),
	}
	if use == "id" {
		c["aud"] = "app-client-1"
		c["email"] = "user@example.com"
		c["cognito:groups"] = []any{"admins", "users"}
	} else {
		c["client_id"] = "app-client-1"
		c["scope"] = "pets/read pets/write"
	}
	return c
}

func TestCognitoIssuer(t *testing.T) {
	tests := []struct {
		arn, want string
	}{
		{"arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_AbC123", "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123"},
		{"arn:aws-cn:cognito-idp:cn-north-1:123456789012:userpool/cn-north-1_x", "https://cognito-idp.cn-north-1.amazonaws.com/cn-north-1_x"},
		{"arn:aws:cognito-idp:us-east-1:123456789012:identitypool/x", ""},
		{"arn:aws:lambda:us-east-1:123456789012:userpool/x", ""},
		{"arn:aws:cognito-idp::123456789012:userpool/x", ""},
		{"arn:aws:cognito-idp:us-east-1:123456789012:userpool/", ""},
		{"userpool/x", ""},
		{"arn:aws:cognito-idp:evil@host:1:userpool/x", ""},
		{"arn:aws:cognito-idp:us-east-1:1:userpool/a/b", ""},
	}
	for _, tt := range tests {
		got, err := CognitoIssuer(tt.arn)
		if tt.want == "" {
			if !errors.Is(err, ErrInvalidCognitoConfig) {
				t.Errorf("CognitoIssuer(%q) = %q, %v; want ErrInvalidCognitoConfig", tt.arn, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("CognitoIssuer(%q) = %q, %v; want %q", tt.arn, got, err, tt.want)
		}
	}
}

func TestCognitoConfigValidate(t *testing.T) {
	tests := []struct {
		name    string
		cfg     CognitoConfig
		wantErr string
	}{
		{"one pool", CognitoConfig{Issuers: []string{"https://cognito-idp.us-east-1.amazonaws.com/us-east-1_a"}}, ""},
		{"local issuer and expression", CognitoConfig{Issuers: []string{"http://127.0.0.1:9000/pool"}, AudienceExpression: "app-.*"}, ""},
		{"none", CognitoConfig{}, "at least one issuer"},
		{"relative", CognitoConfig{Issuers: []string{"cognito-idp/pool"}}, "not an absolute"},
		{"twice", CognitoConfig{Issuers: []string{"https://a.example/p", "https://a.example/p"}}, "listed twice"},
		{"bad expression", CognitoConfig{Issuers: []string{"https://a.example/p"}, AudienceExpression: "("}, "identity validation expression"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if _, newErr := NewCognito(tt.cfg); (err == nil) != (newErr == nil) {
				t.Fatalf("Validate: %v, NewCognito: %v", err, newErr)
			}
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrInvalidCognitoConfig) || err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Validate: %v, want ErrInvalidCognitoConfig and %q", err, tt.wantErr)
			}
		})
	}
}

// TestCognito checks a Cognito user pool authorizer against two local
// issuers standing in for two pools.
func TestCognito(t *testing.T) {
	keys := testKeys()
	pool1 := newIssuer(t, "/us-east-1_pool1", publishedKey{kid: "k1", key: keys[0]})
	pool2 := newIssuer(t, "/us-east-1_pool2", publishedKey{kid: "k2", key: keys[1]})
	other := newIssuer(t, "/us-east-1_other", publishedKey{kid: "k3", key: keys[2]})
	clk := newClock(t0)
	c, err := NewCognito(CognitoConfig{Issuers: []string{pool1.URL(), pool2.URL()}, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	strict, err := NewCognito(CognitoConfig{Issuers: []string{pool1.URL()}, AudienceExpression: "app-client-[0-9]", Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	s := func(iss *issuer, kid string, key any, claims jwt.MapClaims) string {
		return sign(t, jwt.SigningMethodRS256, kid, key, claims)
	}
	idToken := s(pool1, "k1", keys[0], cognitoClaims(pool1, "id"))
	accessToken := s(pool1, "k1", keys[0], cognitoClaims(pool1, "access"))

	tests := []struct {
		name   string
		a      *Cognito
		header string
		scopes []string
		allow  bool
	}{
		{"ID token", c, idToken, nil, true},
		{"ID token after Bearer", c, "Bearer " + idToken, nil, true},
		{"ID token of the second pool", c, s(pool2, "k2", keys[1], cognitoClaims(pool2, "id")), nil, true},
		{"access token with a scope", c, accessToken, []string{"pets/write", "other"}, true},
		{"access token without the scope", c, accessToken, []string{"pets/delete"}, false},
		{"access token, method without scopes", c, accessToken, nil, false},
		{"ID token, method with scopes", c, idToken, []string{"pets/read"}, false},
		{"missing header", c, "", nil, false},
		{"not a JWT", c, "abc", nil, false},
		{"wrong issuer", c, s(other, "k3", keys[2], cognitoClaims(other, "id")), nil, false},
		{"pool's iss, another's key", c, s(pool1, "k3", keys[2], cognitoClaims(pool1, "id")), nil, false},
		{"pool's kid, wrong signature", c, s(pool1, "k1", keys[1], cognitoClaims(pool1, "id")), nil, false},
		{"expired", c, s(pool1, "k1", keys[0], with(cognitoClaims(pool1, "id"), jwt.MapClaims{"exp": t0.Unix()})), nil, false},
		{"no token_use", c, s(pool1, "k1", keys[0], with(cognitoClaims(pool1, "id"), jwt.MapClaims{"token_use": nil})), nil, false},
		{"any audience by default", c, s(pool1, "k1", keys[0], with(cognitoClaims(pool1, "id"), jwt.MapClaims{"aud": "elsewhere"})), nil, true},
		{"audience matches the expression", strict, idToken, nil, true},
		{"client_id matches the expression", strict, accessToken, []string{"pets/read"}, true},
		{"audience does not match", strict, s(pool1, "k1", keys[0], with(cognitoClaims(pool1, "id"), jwt.MapClaims{"aud": "app-client-10"})), nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := tt.a.Authorize(context.Background(), tt.header, tt.scopes)
			if tt.allow {
				if err != nil {
					t.Fatalf("Authorize: %v", err)
				}
				if res.Claims["sub"] != "0b1c-user" {
					t.Errorf("claims %v", res.Claims)
				}
				return
			}
			if err == nil {
				t.Fatal("Authorize allowed")
			}
			d := asDeny(t, err)
			if d.Status != http.StatusUnauthorized || d.WWWAuthenticate != "" {
				t.Errorf("deny %+v, want a 401 without www-authenticate", d)
			}
			if got := RESTErrorFor(err); got != restUnauthorized {
				t.Errorf("RESTErrorFor = %+v, want UNAUTHORIZED", got)
			}
		})
	}

	t.Run("claims reach the integration", func(t *testing.T) {
		res, err := c.Authorize(context.Background(), idToken, nil)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := json.Marshal(map[string]any{"requestContext": map[string]any{"authorizer": res.ContextREST()}})
		if err != nil {
			t.Fatal(err)
		}
		var ev events.APIGatewayProxyRequest
		if err := json.Unmarshal(raw, &ev); err != nil {
			t.Fatal(err)
		}
		claims, _ := ev.RequestContext.Authorizer["claims"].(map[string]any)
		want := map[string]any{
			"email": "user@example.com", "token_use": "id", "aud": "app-client-1",
			"exp": "1788001200", "cognito:groups": "[admins users]", "iss": pool1.URL(),
		}
		for k, v := range want {
			if claims[k] != v {
				t.Errorf("claims[%q] = %v, want %v", k, claims[k], v)
			}
		}
	})
}
