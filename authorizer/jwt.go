package authorizer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// ErrInvalidConfig is wrapped by the errors of JWTConfig.Validate and NewJWT.
var ErrInvalidConfig = errors.New("authorizer: invalid JWT configuration")

const (
	// fetchTimeout bounds each discovery and JWKS request (API Gateway
	// quotas: 1500 ms each).
	fetchTimeout = 1500 * time.Millisecond
	// keyMaxAge is how long a fetched JWKS is used before it is fetched
	// again (API Gateway caches keys "up to 1 hour").
	keyMaxAge = time.Hour
	// minRefetchInterval is the least time between two fetches by one
	// authorizer, whatever triggers them: tokens with unknown key IDs or an
	// unreachable issuer cannot make it fetch more often than this.
	minRefetchInterval = 10 * time.Second
	// clockSkew is how far in the future nbf and iat may be, for issuers
	// whose clock runs a little ahead. exp gets no leeway.
	clockSkew = 5 * time.Second
	// maxDocumentBytes caps a discovery or JWKS document.
	maxDocumentBytes = 1 << 20
)

// rsaAlgorithms are the signing algorithms accepted: RSASSA-PKCS1-v1_5 only
// (see the package documentation on PS256).
var rsaAlgorithms = []string{"RS256", "RS384", "RS512"}

// The error_description of each 401, the one table of what a client is told
// (the package documentation says where each comes from).
const (
	descMalformed      = "the token is malformed"
	descSigningMethod  = "signing method %s is invalid"
	descNoMethod       = "the token does not have a valid signing method"
	descKeyID          = "the token does not have a valid key id"
	descKeysUnreadable = "the issuer's signing keys could not be retrieved"
	descSignature      = "the token signature is invalid"
	descIssuer         = "the token does not have a valid issuer"
	descAudience       = "the token does not have a valid audience"
	descNoExpiry       = "the token does not have a valid expiration time"
	descExpired        = "the token has expired"
	descNotBefore      = "the token does not have a valid not-before time"
	descNotYetValid    = "the token is not valid yet"
	descIssuedAt       = "the token does not have a valid issued-at time"
	descIssuedLater    = "the token was issued in the future"
)

// JWTConfig is an authorizer's jwtConfiguration.
type JWTConfig struct {
	// Issuer is the exact value the tokens' iss claim must have, and the
	// base of OIDC discovery ({Issuer}/.well-known/openid-configuration).
	// Required; https:// as on AWS, or http:// for a local issuer.
	Issuer string
	// Audience lists the accepted audiences: a token's aud must contain one
	// of them or, only when the token has no aud, its client_id must equal
	// one. At least one entry is required.
	Audience []string
	// HTTPClient fetches the discovery and JWKS documents. Nil means a
	// client with a 1.5 s timeout. Whatever the client, each of the two
	// requests is also bounded by 1.5 s, API Gateway's limit.
	HTTPClient *http.Client
	// Now is the clock used for exp, nbf, iat and the key cache. Nil means
	// time.Now.
	Now func() time.Time
}

// Validate reports whether c can build an authorizer: an absolute http or
// https Issuer without query or fragment, and at least one non-empty
// Audience entry. Its errors wrap ErrInvalidConfig.
func (c JWTConfig) Validate() error {
	if c.Issuer == "" {
		return fmt.Errorf("%w: issuer is required", ErrInvalidConfig)
	}
	u, err := url.Parse(c.Issuer)
	if err != nil {
		return fmt.Errorf("%w: issuer %q: %w", ErrInvalidConfig, c.Issuer, err)
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("%w: issuer %q is not an absolute http or https URL", ErrInvalidConfig, c.Issuer)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		return fmt.Errorf("%w: issuer %q has a query or fragment", ErrInvalidConfig, c.Issuer)
	}
	if len(c.Audience) == 0 {
		return fmt.Errorf("%w: audience needs at least one entry", ErrInvalidConfig)
	}
	if slices.Contains(c.Audience, "") {
		return fmt.Errorf("%w: audience has an empty entry", ErrInvalidConfig)
	}
	return nil
}

// JWT is an HTTP API JWT authorizer. It is safe for concurrent use and owns
// no goroutine, so it needs no closing.
type JWT struct {
	issuer   string
	audience []string // nil: any audience (Cognito user pool authorizers)
	now      func() time.Time
	keys     *keySet
	verified tokenCache
	// verifications counts signature checks (tests tell the cache's hits
	// from them).
	verifications atomic.Int64
}

// NewJWT validates cfg and returns an authorizer. It fetches nothing: the
// issuer's discovery and JWKS documents are fetched by the first Authorize
// that needs a key.
func NewJWT(cfg JWTConfig) (*JWT, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return newJWT(cfg), nil
}

// newJWT builds the authorizer of a valid cfg; a nil Audience accepts any.
func newJWT(cfg JWTConfig) *JWT {
	client := cfg.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: fetchTimeout}
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return &JWT{
		issuer:   cfg.Issuer,
		audience: slices.Clone(cfg.Audience),
		now:      now,
		keys: &keySet{
			discoveryURL: strings.TrimSuffix(cfg.Issuer, "/") + "/.well-known/openid-configuration",
			client:       client,
			now:          now,
		},
	}
}

// JWTResult is what an allowed request carries to its integration
// (requestContext.authorizer.jwt).
type JWTResult struct {
	// Claims holds every claim of the token, stringified as API Gateway
	// does (see the package documentation).
	Claims map[string]string
	// ClaimsJSON is Claims encoded as a JSON object (keys sorted, as
	// encoding/json writes a map), made once per verified token so that
	// each request splices it instead of encoding the map again. Shared
	// by every result for the token: read-only.
	ClaimsJSON json.RawMessage
	// Scopes are the token's scopes when the route has scopes configured,
	// else nil.
	Scopes []string
}

// Deny is a rejection: Status 401 with WWWAuthenticate set for a missing or
// invalid token, or 403 for a valid token without any of the route's
// scopes. The mode answers 401 {"message":"Unauthorized"} or
// 403 {"message":"Forbidden"} and sends WWWAuthenticate, when set, as the
// www-authenticate header.
type Deny struct {
	// Status is 401 or 403.
	Status int
	// WWWAuthenticate is the www-authenticate header value of a 401, empty
	// for a 403.
	WWWAuthenticate string
	// Reason says why, for logs; it may say more than the client is told.
	Reason string
	// Explicit is set on the 403 of a Lambda authorizer's policy with an
	// applicable Deny statement: REST APIs tell the client "... with an
	// explicit deny" then, and a shorter message for an implicit deny.
	Explicit bool
}

// Error describes the rejection.
func (d *Deny) Error() string {
	return fmt.Sprintf("authorizer: %d: %s", d.Status, d.Reason)
}

// denyMissing is the rejection of a request without a token.
func denyMissing() *Deny {
	return &Deny{Status: http.StatusUnauthorized, WWWAuthenticate: "Bearer", Reason: "no token"}
}

// denyInvalid is a 401 telling the client description; reason, when not
// empty, is what the logs get instead.
func denyInvalid(description, reason string) *Deny {
	if reason == "" {
		reason = description
	}
	return &Deny{
		Status:          http.StatusUnauthorized,
		WWWAuthenticate: `Bearer scope="" error="invalid_token" error_description="` + description + `"`,
		Reason:          reason,
	}
}

// Authorize checks token, raw or with a case-insensitive "Bearer " prefix,
// for a route that needs one of scopes (nil or empty: none).
//
// On success it returns the token's claims and, when scopes is not empty,
// its scopes. Every rejection is a *Deny returned as the error (find it
// with errors.As). Any other error means no decision was made: only when
// ctx ends while Authorize waits for another call's fetch of the issuer's
// keys, and it wraps ctx.Err(). An issuer that cannot be reached is a 401
// *Deny, as on AWS, not an error.
func (j *JWT) Authorize(ctx context.Context, token string, scopes []string) (*JWTResult, error) {
	raw := bearerToken(token)
	if raw == "" {
		return nil, denyMissing()
	}
	v := j.verified.get(raw, j.now(), j.keys.current())
	if v == nil {
		var err error
		if v, err = j.verify(ctx, raw); err != nil {
			return nil, err
		}
	}
	result := &JWTResult{Claims: v.claims, ClaimsJSON: v.claimsJSON}
	if len(scopes) > 0 {
		if !slices.ContainsFunc(v.scopes, func(s string) bool { return slices.Contains(scopes, s) }) {
			return nil, &Deny{
				Status: http.StatusForbidden,
				Reason: fmt.Sprintf("the token has none of the route's scopes %q", scopes),
			}
		}
		result.Scopes = slices.Clone(v.scopes)
	}
	return result, nil
}

// verify checks raw's signature and claims, and caches what it learnt
// when the token passes (see tokenCache).
func (j *JWT) verify(ctx context.Context, raw string) (*verifiedToken, error) {
	j.verifications.Add(1)
	var keysAt time.Time
	// A parser per call: jwt.Parser does not document itself as safe for
	// concurrent use. Claims validation is ours (AWS's rules and wording).
	parser := jwt.NewParser(
		jwt.WithValidMethods(rsaAlgorithms),
		jwt.WithJSONNumber(),
		jwt.WithoutClaimsValidation(),
	)
	claims := jwt.MapClaims{}
	parsed, err := parser.ParseWithClaims(raw, claims, func(t *jwt.Token) (any, error) {
		key, at, err := j.verificationKey(ctx, t)
		keysAt = at
		return key, err
	})
	if err != nil {
		return nil, parseFailure(ctx, parsed, err)
	}
	now := j.now()
	if d := j.checkClaims(claims, now); d != nil {
		return nil, d
	}
	exp, _, _ := numericDate(claims, "exp") // checkClaims made sure it is there
	until := now.Add(tokenCacheMaxAge)
	if exp.Before(until) {
		until = exp
	}
	strs := stringifyClaims(claims)
	strsJSON, _ := json.Marshal(strs) // a map of strings always encodes
	v := &verifiedToken{claims: strs, claimsJSON: strsJSON, scopes: tokenScopes(claims), until: until, keysAt: keysAt}
	j.verified.put(raw, v, now)
	return v, nil
}

// bearerToken strips surrounding blanks and a case-insensitive "Bearer "
// prefix from an identity source value.
func bearerToken(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > len("bearer ") && strings.EqualFold(s[:len("bearer ")], "bearer ") {
		s = strings.TrimSpace(s[len("bearer "):])
	} else if strings.EqualFold(s, "bearer") {
		return ""
	}
	return s
}

// verificationKey is the jwt.Keyfunc: it finds the RSA key named by the
// token's kid, fetching the issuer's keys when needed, and says which fetch
// it comes from (keySet.lookup). Its errors are a *Deny, or ctx.Err() when
// ctx ended while waiting for a fetch.
func (j *JWT) verificationKey(ctx context.Context, t *jwt.Token) (any, time.Time, error) {
	kid, _ := t.Header["kid"].(string)
	if kid == "" {
		return nil, time.Time{}, denyInvalid(descKeyID, "the token has no kid header")
	}
	key, at, err := j.keys.lookup(ctx, kid)
	if err != nil {
		return nil, time.Time{}, err
	}
	if key.alg != "" && key.alg != t.Method.Alg() {
		return nil, time.Time{}, denyInvalid(descSignature,
			fmt.Sprintf("key %q is for %s, the token is signed with %s", kid, key.alg, t.Method.Alg()))
	}
	return key.public, at, nil
}

// parseFailure turns an error of jwt.Parser.ParseWithClaims into the *Deny
// Authorize returns, or into the error for a ctx that ended.
func parseFailure(ctx context.Context, t *jwt.Token, err error) error {
	var d *Deny
	if errors.As(err, &d) {
		return d
	}
	if ctxErr := ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
		return fmt.Errorf("authorizer: waiting for the issuer's keys: %w", ctxErr)
	}
	if errors.Is(err, jwt.ErrTokenMalformed) {
		return denyInvalid(descMalformed, err.Error())
	}
	if t != nil {
		alg, _ := t.Header["alg"].(string)
		if !slices.Contains(rsaAlgorithms, alg) {
			if !isPrintableToken(alg) {
				return denyInvalid(descNoMethod, err.Error())
			}
			return denyInvalid(fmt.Sprintf(descSigningMethod, alg), err.Error())
		}
	}
	return denyInvalid(descSignature, err.Error())
}

// isPrintableToken reports whether s may be quoted in a header: a short,
// non-empty run of letters, digits, '-', '_' and '+'.
func isPrintableToken(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for _, c := range []byte(s) {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '+'
		if !ok {
			return false
		}
	}
	return true
}

// checkClaims applies API Gateway's claim rules to a token whose signature
// has been verified, in AWS's order: iss, aud (or client_id), exp, nbf, iat.
func (j *JWT) checkClaims(c jwt.MapClaims, now time.Time) *Deny {
	if iss, _ := c["iss"].(string); iss != j.issuer {
		return denyInvalid(descIssuer, fmt.Sprintf("iss %q is not %q", stringifyClaim(c["iss"]), j.issuer))
	}
	if j.audience != nil {
		if d := j.checkAudience(c); d != nil {
			return d
		}
	}

	exp, present, ok := numericDate(c, "exp")
	switch {
	case !present || !ok:
		return denyInvalid(descNoExpiry, "")
	case !now.Before(exp):
		return denyInvalid(descExpired, fmt.Sprintf("the token expired at %s", exp.UTC().Format(time.RFC3339)))
	}
	if nbf, present, ok := numericDate(c, "nbf"); present {
		switch {
		case !ok:
			return denyInvalid(descNotBefore, "")
		case nbf.After(now.Add(clockSkew)):
			return denyInvalid(descNotYetValid, fmt.Sprintf("the token is valid from %s", nbf.UTC().Format(time.RFC3339)))
		}
	}
	if iat, present, ok := numericDate(c, "iat"); present {
		switch {
		case !ok:
			return denyInvalid(descIssuedAt, "")
		case iat.After(now.Add(clockSkew)):
			return denyInvalid(descIssuedLater, fmt.Sprintf("the token was issued at %s", iat.UTC().Format(time.RFC3339)))
		}
	}
	return nil
}

// checkAudience applies the audience rule: aud (a string or an array of
// strings) must hold a configured audience; only when aud is absent (or
// null) does client_id stand in for it.
func (j *JWT) checkAudience(c jwt.MapClaims) *Deny {
	if aud, present := c["aud"]; present && aud != nil {
		var auds []string
		switch aud := aud.(type) {
		case string:
			auds = []string{aud}
		case []any:
			for _, a := range aud {
				if s, ok := a.(string); ok {
					auds = append(auds, s)
				}
			}
		}
		if !slices.ContainsFunc(auds, func(a string) bool { return slices.Contains(j.audience, a) }) {
			return denyInvalid(descAudience, fmt.Sprintf("aud %v is none of %q", stringifyClaim(aud), j.audience))
		}
		return nil
	}
	if clientID, ok := c["client_id"].(string); !ok || !slices.Contains(j.audience, clientID) {
		return denyInvalid(descAudience, fmt.Sprintf("no aud, and client_id %v is none of %q", stringifyClaim(c["client_id"]), j.audience))
	}
	return nil
}

// numericDate reads claim name as a JSON number of seconds since the epoch.
// present is false when the claim is absent; ok is false when it is not a
// finite number.
func numericDate(c jwt.MapClaims, name string) (t time.Time, present, ok bool) {
	v, present := c[name]
	if !present {
		return time.Time{}, false, false
	}
	n, isNumber := v.(json.Number)
	if !isNumber {
		return time.Time{}, true, false
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) || math.Abs(f) > 1e12 {
		return time.Time{}, true, false
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)), true, true
}

// tokenScopes returns the token's scopes: the space-separated scope string,
// then scp as a space-separated string or an array of strings, without
// repeats. Nil when there are none.
func tokenScopes(c jwt.MapClaims) []string {
	var scopes []string
	add := func(s string) {
		if s != "" && !slices.Contains(scopes, s) {
			scopes = append(scopes, s)
		}
	}
	if s, ok := c["scope"].(string); ok {
		for _, f := range strings.Fields(s) {
			add(f)
		}
	}
	switch scp := c["scp"].(type) {
	case string:
		for _, f := range strings.Fields(scp) {
			add(f)
		}
	case []any:
		for _, v := range scp {
			if s, ok := v.(string); ok {
				add(s)
			}
		}
	}
	return scopes
}

// stringifyClaims renders every claim as a string (see stringifyClaim).
func stringifyClaims(c jwt.MapClaims) map[string]string {
	out := make(map[string]string, len(c))
	for name, v := range c {
		out[name] = stringifyClaim(v)
	}
	return out
}

// stringifyClaim renders a claim value the way API Gateway does: strings as
// they are, numbers in plain decimal, booleans as true/false, arrays as
// "[a b]" with elements rendered the same way, objects as compact JSON text
// and null as "null".
func stringifyClaim(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		return v
	case bool:
		return strconv.FormatBool(v)
	case json.Number:
		return plainNumber(v)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case []any:
		parts := make([]string, len(v))
		for i, e := range v {
			parts[i] = stringifyClaim(e)
		}
		return "[" + strings.Join(parts, " ") + "]"
	default:
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			return fmt.Sprint(v)
		}
		return strings.TrimSuffix(buf.String(), "\n")
	}
}

// plainNumber writes a JSON number without an exponent: as written when it
// has none (so large integers keep every digit), else through float64.
func plainNumber(n json.Number) string {
	s := string(n)
	if !strings.ContainsAny(s, "eE") {
		return s
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return s
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}
