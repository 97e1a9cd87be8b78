package authorizer

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// restSourcePrefixes are the identity source forms of REST API
// authorizers.
var restSourcePrefixes = []string{"method.request.header.", "method.request.querystring.", "stageVariables.", "context."}

// ParseV1IdentitySource splits a REST API authorizer's identitySource, one
// comma-separated string ("method.request.header.Auth,
// method.request.querystring.Name"), into LambdaConfig.IdentitySources,
// each trimmed of blanks. Every element must be
// method.request.header.NAME, method.request.querystring.NAME,
// stageVariables.NAME or context.NAME (path parameters cannot be identity
// sources). A blank s means none (nil); an empty element is an error. Its
// errors wrap ErrInvalidLambdaConfig.
func ParseV1IdentitySource(s string) ([]string, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var out []string
	for _, expr := range strings.Split(s, ",") {
		expr = strings.TrimSpace(expr)
		if expr == "" {
			return nil, fmt.Errorf("%w: identity source %q has an empty element", ErrInvalidLambdaConfig, s)
		}
		rest := false
		for _, p := range restSourcePrefixes {
			rest = rest || strings.HasPrefix(expr, p)
		}
		if !rest {
			return nil, fmt.Errorf("%w: identity source %q is not method.request.header.X, "+
				"method.request.querystring.X, stageVariables.X or context.X", ErrInvalidLambdaConfig, expr)
		}
		if _, err := parseIdentitySource(expr); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalidLambdaConfig, err)
		}
		out = append(out, expr)
	}
	return out, nil
}

// ContextREST is the result as REST API events carry it in
// requestContext.authorizer: principalId and integrationLatency (the
// authorizer's run time in milliseconds, a number) next to the function's
// context keys, whose values are all strings: numbers as written
// (without exponent, as claims are rendered) and booleans as "true" and
// "false", as API Gateway passes them on.
func (r *LambdaResult) ContextREST(latency time.Duration) map[string]any {
	m := make(map[string]any, len(r.Context)+2)
	m["integrationLatency"] = latency.Milliseconds()
	if r.PrincipalID != "" {
		m["principalId"] = r.PrincipalID
	}
	for k, v := range r.Context {
		m[k] = contextString(v)
	}
	return m
}

// contextString renders a payload format 1.0 context value as a string.
func contextString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case bool:
		return strconv.FormatBool(v)
	case json.Number:
		return plainNumber(v)
	}
	return stringifyClaim(v)
}

// RESTError is how a REST API answers an authorizer's rejection or failure
// by default: the gateway response type the mode looks up (its status,
// headers and template may be customised), and the default message.
type RESTError struct {
	// ResponseType is the gateway response type: UNAUTHORIZED,
	// ACCESS_DENIED or AUTHORIZER_CONFIGURATION_ERROR.
	ResponseType string
	// Status is the default status: 401, 403 or 500.
	Status int
	// ErrorType is the default x-amzn-ErrorType header.
	ErrorType string
	// Message is $context.error.message; empty for the 500, whose message
	// is null.
	Message string
	// Body is the default body, exactly.
	Body string
}

// The REST answers to authorizer outcomes (see the package documentation
// for their sources).
var (
	restUnauthorized = RESTError{
		ResponseType: "UNAUTHORIZED", Status: http.StatusUnauthorized, ErrorType: "UnauthorizedException",
		Message: "Unauthorized", Body: `{"message":"Unauthorized"}`,
	}
	restExplicitDeny = RESTError{
		ResponseType: "ACCESS_DENIED", Status: http.StatusForbidden, ErrorType: "AccessDeniedException",
		Message: "User is not authorized to access this resource with an explicit deny",
		Body:    `{"Message":"User is not authorized to access this resource with an explicit deny"}`,
	}
	restImplicitDeny = RESTError{
		ResponseType: "ACCESS_DENIED", Status: http.StatusForbidden, ErrorType: "AccessDeniedException",
		Message: "User is not authorized to access this resource",
		Body:    `{"Message":"User is not authorized to access this resource"}`,
	}
	restAuthorizerError = RESTError{
		ResponseType: "AUTHORIZER_CONFIGURATION_ERROR", Status: http.StatusInternalServerError,
		ErrorType: "AuthorizerConfigurationException", Body: `{"message":null}`,
	}
)

// RESTErrorFor returns how a REST API answers err, an error of
// Lambda.Authorize or Cognito.Authorize: a 401 *Deny is UNAUTHORIZED, a
// 403 *Deny ACCESS_DENIED (explicit or implicit), anything else
// (ErrLambdaFailure) AUTHORIZER_CONFIGURATION_ERROR. An err that wraps
// context.Canceled or context.DeadlineExceeded also maps to the 500; the
// mode may prefer not to answer a client that is gone.
func RESTErrorFor(err error) RESTError {
	var d *Deny
	if errors.As(err, &d) {
		switch {
		case d.Status == http.StatusUnauthorized:
			return restUnauthorized
		case d.Explicit:
			return restExplicitDeny
		default:
			return restImplicitDeny
		}
	}
	return restAuthorizerError
}
