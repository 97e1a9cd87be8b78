package authorizer

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// ErrInvalidCognitoConfig is wrapped by the errors of CognitoConfig.Validate,
// NewCognito and CognitoIssuer.
var ErrInvalidCognitoConfig = errors.New("authorizer: invalid Cognito user pool authorizer configuration")

// CognitoConfig configures a REST API COGNITO_USER_POOLS authorizer.
type CognitoConfig struct {
	// Issuers are the accepted token issuers, one per user pool of the
	// authorizer's providerARNs (see CognitoIssuer), or a local OIDC issuer
	// standing in for a pool, since Portico has no Cognito. A token's iss
	// must equal one exactly; its keys are that issuer's. At least one is
	// required; each is an absolute http or https URL.
	Issuers []string
	// AudienceExpression is the authorizer's identityValidationExpression:
	// when set, a regular expression (Go RE2 syntax) that the token's aud
	// (or, without aud, its client_id) must match whole. Empty means the
	// audience is not checked: any app client of the pool is accepted.
	AudienceExpression string
	// HTTPClient fetches the issuers' discovery and JWKS documents. Nil
	// means a client with a 1.5 s timeout.
	HTTPClient *http.Client
	// Now is the clock for exp, nbf, iat and the key cache. Nil means
	// time.Now.
	Now func() time.Time
}

// Validate reports whether c can build an authorizer: at least one issuer,
// each an absolute http or https URL without query or fragment and none
// repeated, and an AudienceExpression that compiles. Its errors wrap
// ErrInvalidCognitoConfig.
func (c CognitoConfig) Validate() error {
	_, err := c.audiencePattern()
	return err
}

// audiencePattern validates c and compiles AudienceExpression (nil when
// empty).
func (c CognitoConfig) audiencePattern() (*regexp.Regexp, error) {
	if len(c.Issuers) == 0 {
		return nil, fmt.Errorf("%w: at least one issuer (provider ARN) is required", ErrInvalidCognitoConfig)
	}
	for i, iss := range c.Issuers {
		// Audience is a placeholder: JWTConfig checks the issuer here.
		if err := (JWTConfig{Issuer: iss, Audience: []string{"-"}}).Validate(); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalidCognitoConfig, err)
		}
		if slices.Contains(c.Issuers[:i], iss) {
			return nil, fmt.Errorf("%w: issuer %q is listed twice", ErrInvalidCognitoConfig, iss)
		}
	}
	if c.AudienceExpression == "" {
		return nil, nil
	}
	re, err := regexp.Compile(`^(?:` + c.AudienceExpression + `)$`)
	if err != nil {
		return nil, fmt.Errorf("%w: identity validation expression %q: %w", ErrInvalidCognitoConfig, c.AudienceExpression, err)
	}
	return re, nil
}

// CognitoIssuer returns the token issuer of a Cognito user pool from its
// ARN, arn:aws:cognito-idp:{region}:{account}:userpool/{poolId}:
// https://cognito-idp.{region}.amazonaws.com/{poolId}. Its errors wrap
// ErrInvalidCognitoConfig.
func CognitoIssuer(providerARN string) (string, error) {
	m := userPoolARN.FindStringSubmatch(providerARN)
	if m == nil {
		return "", fmt.Errorf("%w: %q is not a user pool ARN (arn:aws:cognito-idp:REGION:ACCOUNT:userpool/POOL_ID)", ErrInvalidCognitoConfig, providerARN)
	}
	return "https://cognito-idp." + m[1] + ".amazonaws.com/" + m[2], nil
}

// userPoolARN matches a user pool ARN, capturing the region and the pool
// ID (REGION_ID, letters and digits).
var userPoolARN = regexp.MustCompile(`^arn:aws[a-z-]*:cognito-idp:([a-z0-9-]+):[0-9]*:userpool/([A-Za-z0-9_-]+)$`)

// Cognito is a REST API COGNITO_USER_POOLS authorizer. It is safe for
// concurrent use and owns no goroutine, so it needs no closing.
type Cognito struct {
	issuers  map[string]*JWT // by issuer; each checks signature, iss and times, not aud
	audience *regexp.Regexp  // nil: any audience
}

// NewCognito validates cfg and returns an authorizer. It fetches nothing:
// an issuer's keys are fetched by the first Authorize that needs them.
func NewCognito(cfg CognitoConfig) (*Cognito, error) {
	audience, err := cfg.audiencePattern()
	if err != nil {
		return nil, err
	}
	c := &Cognito{issuers: make(map[string]*JWT, len(cfg.Issuers)), audience: audience}
	for _, iss := range cfg.Issuers {
		c.issuers[iss] = newJWT(JWTConfig{Issuer: iss, HTTPClient: cfg.HTTPClient, Now: cfg.Now})
	}
	return c, nil
}

// CognitoResult is what an allowed request carries to its integration.
type CognitoResult struct {
	// Claims holds every claim of the token as a string
	// (requestContext.authorizer.claims), rendered as JWTResult.Claims.
	Claims map[string]string
}

// ContextREST is the result as a REST API event carries it in
// requestContext.authorizer: {"claims": {...}}.
func (r *CognitoResult) ContextREST() map[string]any {
	return map[string]any{"claims": r.Claims}
}

// Authorize checks token, the identity source's value (raw, or after a
// "Bearer " prefix), for a method whose authorizationScopes are scopes
// (nil or empty: none).
//
// The token must be signed by a key of one of the issuers, have that
// issuer as iss, not be expired (nbf and iat are checked as by JWT), have
// an aud matching the AudienceExpression when there is one, and then:
// without scopes, be an ID token (token_use "id"); with scopes, be an
// access token (token_use "access") whose scope claim has one of them.
//
// Every rejection is a 401 *Deny without WWWAuthenticate: REST APIs answer
// 401 {"message":"Unauthorized"} whatever is wrong with the token. The only
// other error is ctx ending while Authorize waits for another call's fetch
// of the keys; it wraps ctx.Err().
func (c *Cognito) Authorize(ctx context.Context, token string, scopes []string) (*CognitoResult, error) {
	raw := bearerToken(token)
	if raw == "" {
		return nil, cognitoDeny("no token")
	}
	var unverified jwt.MapClaims
	if _, _, err := jwt.NewParser().ParseUnverified(raw, &unverified); err != nil {
		return nil, cognitoDeny("the token is malformed: " + err.Error())
	}
	iss, _ := unverified["iss"].(string)
	issuer, ok := c.issuers[iss]
	if !ok {
		return nil, cognitoDeny(fmt.Sprintf("iss %q is none of the user pools", stringifyClaim(unverified["iss"])))
	}
	res, err := issuer.Authorize(ctx, raw, nil)
	if err != nil {
		var d *Deny
		if errors.As(err, &d) {
			return nil, cognitoDeny(d.Reason)
		}
		return nil, err
	}
	if c.audience != nil {
		aud, ok := res.Claims["aud"]
		if !ok {
			aud = res.Claims["client_id"]
		}
		if !c.audience.MatchString(aud) {
			return nil, cognitoDeny(fmt.Sprintf("aud %q does not match the identity validation expression", aud))
		}
	}
	use := res.Claims["token_use"]
	if len(scopes) == 0 {
		if use != "id" {
			return nil, cognitoDeny(fmt.Sprintf("token_use %q: a method without authorization scopes takes ID tokens", use))
		}
		return &CognitoResult{Claims: res.Claims}, nil
	}
	if use != "access" {
		return nil, cognitoDeny(fmt.Sprintf("token_use %q: a method with authorization scopes takes access tokens", use))
	}
	if !slices.ContainsFunc(strings.Fields(res.Claims["scope"]), func(s string) bool { return slices.Contains(scopes, s) }) {
		return nil, cognitoDeny(fmt.Sprintf("the token has none of the method's scopes %q", scopes))
	}
	return &CognitoResult{Claims: res.Claims}, nil
}

// cognitoDeny is a Cognito authorizer's rejection: always 401.
func cognitoDeny(reason string) *Deny {
	return &Deny{Status: http.StatusUnauthorized, Reason: reason}
}
