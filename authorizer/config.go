package authorizer

import (
	"fmt"
	"strings"
	"time"

	"github.com/portico-gw/portico/config"
	"github.com/portico-gw/portico/integration"
	"github.com/portico-gw/portico/internal/sigv4"
)

// AWS's fixed settings of Lambda authorizers.
const (
	// LambdaTimeout bounds one invocation of an authorizer function.
	LambdaTimeout = 10 * time.Second
	// DefaultLambdaTTL is the cache time when authorizerResultTtlInSeconds
	// is absent.
	DefaultLambdaTTL = 300 * time.Second
)

// Configured is one authorizer of an API, built from its configuration.
// Exactly one of JWT and Lambda is set.
type Configured struct {
	ID   string
	Type string // JWT or REQUEST
	// JWT checks the tokens of a JWT authorizer.
	JWT *JWT
	// TokenSource is a JWT authorizer's identity source, the token's place
	// ($request.header.Authorization); empty when it has none.
	TokenSource string
	// Lambda is a REQUEST authorizer.
	Lambda *Lambda
	// PayloadFormatVersion is the format of a REQUEST authorizer's event
	// and of the context it hands on: "1.0" or "2.0". WebSocket APIs
	// always use 1.0.
	PayloadFormatVersion string
}

// FromConfig builds every authorizer of api, by ID, with AWS's fixed
// settings: REQUEST functions get LambdaTimeout; results are cached for
// authorizerResultTtlInSeconds, DefaultLambdaTTL when absent, and never
// without an identity source (nothing to key the cache by). Functions are
// reached through env. It invokes nothing and owns no goroutine.
func FromConfig(api *config.API, env integration.Env) (map[string]*Configured, error) {
	out := make(map[string]*Configured, len(api.Authorizers))
	for _, au := range api.Authorizers {
		c := &Configured{ID: au.AuthorizerID, Type: au.AuthorizerType}
		switch au.AuthorizerType {
		case "JWT":
			var jc JWTConfig
			if au.JWTConfiguration != nil {
				jc = JWTConfig{Issuer: au.JWTConfiguration.Issuer, Audience: au.JWTConfiguration.Audience}
			}
			j, err := NewJWT(jc)
			if err != nil {
				return nil, fmt.Errorf("authorizer %s: %w", au.AuthorizerID, err)
			}
			c.JWT = j
			if len(au.IdentitySource) > 0 {
				c.TokenSource = au.IdentitySource[0]
			}
		case "REQUEST":
			fn, err := integration.NewFunction(au.AuthorizerURI, LambdaTimeout, env)
			if err != nil {
				return nil, fmt.Errorf("authorizer %s: %w", au.AuthorizerID, err)
			}
			ttl := DefaultLambdaTTL
			if au.AuthorizerResultTTLInSeconds != nil {
				ttl = time.Duration(*au.AuthorizerResultTTLInSeconds) * time.Second
			}
			if len(au.IdentitySource) == 0 {
				ttl = 0
			}
			c.PayloadFormatVersion = au.AuthorizerPayloadFormatVersion
			if api.ProtocolType == "WEBSOCKET" || c.PayloadFormatVersion == "" {
				c.PayloadFormatVersion = "1.0"
			}
			c.Lambda, err = NewLambda(LambdaConfig{
				Invoke:                fn.Call,
				PayloadFormatVersion:  c.PayloadFormatVersion,
				EnableSimpleResponses: au.EnableSimpleResponses,
				IdentitySources:       au.IdentitySource,
				TTL:                   ttl,
			})
			if err != nil {
				return nil, fmt.Errorf("authorizer %s: %w", au.AuthorizerID, err)
			}
		default:
			return nil, fmt.Errorf("authorizer %s: authorizerType %q; want JWT or REQUEST", au.AuthorizerID, au.AuthorizerType)
		}
		out[au.AuthorizerID] = c
	}
	return out, nil
}

// NewIAMVerifier returns the SigV4 verifier of AWS_IAM authorization
// (service execute-api) against creds, access key ID → secret.
func NewIAMVerifier(creds map[string]string) *sigv4.Verifier {
	return sigv4.NewVerifier(creds)
}

// ContextV1 is the result as payload format 1.0 events carry it in
// requestContext.authorizer: the function's context keys flattened next to
// principalId and integrationLatency (the authorizer's run time in
// milliseconds), as REST APIs, HTTP APIs with 1.0 and WebSocket APIs send
// it.
func (r *LambdaResult) ContextV1(latency time.Duration) map[string]any {
	m := make(map[string]any, len(r.Context)+2)
	m["integrationLatency"] = latency.Milliseconds()
	if r.PrincipalID != "" {
		m["principalId"] = r.PrincipalID
	}
	for k, v := range r.Context {
		m[k] = v
	}
	return m
}

// RESTAuthorizer is one authorizer of a REST API, built from its
// configuration. Exactly one of Lambda and Cognito is set.
type RESTAuthorizer struct {
	ID string
	// Type is TOKEN, REQUEST or COGNITO_USER_POOLS.
	Type string
	// Lambda is a TOKEN or REQUEST authorizer.
	Lambda *Lambda
	// Cognito is a COGNITO_USER_POOLS authorizer.
	Cognito *Cognito
	// TokenHeader is the header a Cognito authorizer reads the token from
	// (its identitySource method.request.header.NAME); Authorization when
	// the configuration names none.
	TokenHeader string
}

// RESTFromConfig builds every authorizer of a REST API, by ID, with AWS's
// fixed settings: TOKEN and REQUEST functions get LambdaTimeout and are
// reached through env; results are cached for
// authorizerResultTtlInSeconds, DefaultLambdaTTL when absent, 0 disabling,
// and never for a REQUEST authorizer without identity source. A
// COGNITO_USER_POOLS authorizer accepts the issuer of each providerARN, or
// jwtIssuer when set (Portico's stand-in for a user pool). It invokes and
// fetches nothing and owns no goroutine.
func RESTFromConfig(api *config.RestAPI, env integration.Env) (map[string]*RESTAuthorizer, error) {
	out := make(map[string]*RESTAuthorizer, len(api.Authorizers))
	for _, au := range api.Authorizers {
		ra, err := restFromConfig(&au, env)
		if err != nil {
			return nil, fmt.Errorf("authorizer %s: %w", au.ID, err)
		}
		out[au.ID] = ra
	}
	return out, nil
}

func restFromConfig(au *config.RestAuthorizer, env integration.Env) (*RESTAuthorizer, error) {
	ra := &RESTAuthorizer{ID: au.ID, Type: au.Type}
	sources, err := ParseV1IdentitySource(au.IdentitySource.String())
	if err != nil {
		return nil, err
	}
	switch au.Type {
	case TypeToken, TypeRequest:
		fn, err := integration.NewFunction(au.AuthorizerURI, LambdaTimeout, env)
		if err != nil {
			return nil, err
		}
		ttl := DefaultLambdaTTL
		if au.AuthorizerResultTTLInSeconds != nil {
			ttl = time.Duration(*au.AuthorizerResultTTLInSeconds) * time.Second
		}
		if len(sources) == 0 {
			ttl = 0
		}
		ra.Lambda, err = NewLambda(LambdaConfig{
			Type:                         au.Type,
			Invoke:                       fn.Call,
			PayloadFormatVersion:         "1.0",
			IdentitySources:              sources,
			IdentityValidationExpression: au.IdentityValidationExpression,
			TTL:                          ttl,
		})
		if err != nil {
			return nil, err
		}
	case "COGNITO_USER_POOLS":
		issuers := []string{au.JWTIssuer}
		if au.JWTIssuer == "" {
			issuers = issuers[:0]
			for _, arn := range au.ProviderARNs {
				iss, err := CognitoIssuer(arn)
				if err != nil {
					return nil, err
				}
				issuers = append(issuers, iss)
			}
		}
		ra.TokenHeader = "Authorization"
		if len(sources) > 0 {
			name, ok := strings.CutPrefix(sources[0], "method.request.header.")
			if len(sources) > 1 || !ok {
				return nil, fmt.Errorf("%w: identity source %q: a Cognito authorizer reads one header, method.request.header.NAME",
					ErrInvalidCognitoConfig, au.IdentitySource.String())
			}
			ra.TokenHeader = name
		}
		ra.Cognito, err = NewCognito(CognitoConfig{Issuers: issuers, AudienceExpression: au.IdentityValidationExpression})
		if err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("type %q; want TOKEN, REQUEST or COGNITO_USER_POOLS", au.Type)
	}
	return ra, nil
}
