package httpapi

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/portico-gw/portico/expr"
	"github.com/portico-gw/portico/integration"
)

// Mapping values: the template language (expr.ParseMapping), the sources
// references resolve against, and the escaping of overwrite:path values.

// allowedRoots are what request and response values may read.
var (
	requestRoots  = []expr.Root{expr.RequestHeader, expr.RequestQueryString, expr.RequestPath, expr.RequestBody, expr.Context, expr.StageVariable}
	responseRoots = []expr.Root{expr.ResponseHeader, expr.ResponseBody, expr.Context, expr.StageVariable}
)

// refOutside returns the first reference of t to none of roots.
func refOutside(t *expr.Template, roots []expr.Root) (*expr.Ref, bool) {
	for _, p := range t.Parts() {
		if p.Ref != nil && !slices.Contains(roots, p.Ref.Root) {
			return p.Ref, true
		}
	}
	return nil, false
}

// escapePathValue escapes a piece of an overwrite:path value: static text
// keeps what an escaped path may hold, $request.path is escaped already,
// and other values are escaped with their slashes kept.
func escapePathValue(ref *expr.Ref, v string) string {
	switch {
	case ref == nil:
		return escapePathText(v)
	case ref.Root == expr.RequestPath && ref.Name == "":
		return v
	}
	return (&url.URL{Path: v}).EscapedPath()
}

// escapePathText percent-encodes the bytes an escaped URL path cannot hold
// (RFC 3986 pchar and "/"), keeping valid %XX escapes.
func escapePathText(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', strings.IndexByte("-._~!$&'()*+,;=:@/", c) >= 0:
			b.WriteByte(c)
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// bodyValue selects what ref (a $request.body or $response.body reference)
// reads from body: the whole body, absent when empty; a path reads the
// first 100 KB as JSON and selects from it.
func bodyValue(body []byte, ref *expr.Ref) (string, bool) {
	if ref.Path != nil && len(body) > maxMappedBody {
		body = body[:maxMappedBody]
	}
	return ref.Select(body)
}

// requestSource resolves request references against q as it arrived:
// $request.* from the client's request (q.body must hold the body when the
// mapping reads it), $context.* from what the gateway knows,
// $stageVariables.* from the stage.
type requestSource struct{ q *request }

var _ expr.Scope = requestSource{}

// Value implements expr.Scope.
func (s requestSource) Value(ref *expr.Ref) (string, bool) {
	q := s.q
	if q == nil {
		return "", false
	}
	switch ref.Root {
	case expr.RequestHeader:
		if strings.EqualFold(ref.Name, "host") && q.r.Host != "" {
			return q.r.Host, true
		}
		return headerValues(q.r.Header, ref.Name)
	case expr.RequestQueryString:
		vals, ok := parseQuery(q.r.URL.RawQuery)[ref.Name]
		return strings.Join(vals, ","), ok
	case expr.RequestBody:
		return bodyValue(q.body, ref)
	case expr.RequestPath:
		if ref.Name == "" {
			return q.rest, true
		}
		return q.param(ref.Name)
	case expr.Context:
		v := q.contextValue(ref.Name)
		return v, v != ""
	case expr.StageVariable:
		v, ok := q.stageVars[ref.Name]
		return v, ok
	}
	return "", false
}

// contextValue returns $context.name, "" when the request has none. The
// names are those of AWS's HTTP API context variables
// (http-api-logging-variables) that the gateway knows.
func (q *request) contextValue(name string) string {
	switch name {
	case "accountId":
		return q.accountID
	case "apiId":
		return q.apiID
	case "domainName":
		n, _ := q.domain()
		return n
	case "domainPrefix":
		_, p := q.domain()
		return p
	case "extendedRequestId", "requestId":
		return q.requestID
	case "httpMethod":
		return q.r.Method
	case "path":
		return q.rawPath()
	case "protocol":
		return q.r.Proto
	case "requestTime":
		return q.now.UTC().Format(integration.RequestTimeLayout)
	case "requestTimeEpoch":
		return strconv.FormatInt(q.now.UnixMilli(), 10)
	case "routeKey":
		return q.routeKey
	case "stage":
		return q.stage
	case "identity.sourceIp":
		return q.sourceIP()
	case "identity.userAgent":
		return q.r.UserAgent()
	}
	if q.iam != nil {
		switch name {
		case "identity.accessKey", "identity.caller", "identity.user":
			return q.iam.accessKey
		case "identity.userArn":
			return q.iam.userArn
		case "identity.accountId":
			return q.accountID
		}
	}
	if key, ok := strings.CutPrefix(name, "authorizer."); ok {
		return q.authorizerValue(key)
	}
	return ""
}

// authorizerValue returns $context.authorizer.key: claims.NAME from a JWT
// authorizer, principalId and the context keys of a Lambda authorizer, in
// either payload format's shape of q.auth. Objects, arrays and null are
// absent.
func (q *request) authorizerValue(key string) string {
	if q.jwt.claims.m != nil { // 2.0: only claims are scalars
		claim, ok := strings.CutPrefix(key, "claims.")
		if !ok {
			return ""
		}
		return q.jwt.claims.m[claim]
	}
	a := q.auth
	if a == nil {
		return ""
	}
	if claim, ok := strings.CutPrefix(key, "claims."); ok {
		claims := a["claims"] // 1.0
		if j, ok := a["jwt"].(map[string]any); ok {
			claims = j["claims"]
		}
		switch c := claims.(type) {
		case *jwtClaims:
			return c.m[claim]
		case map[string]string:
			return c[claim]
		case map[string]any:
			return scalarString(c[claim])
		}
		return ""
	}
	if l, ok := a["lambda"].(map[string]any); ok { // 2.0
		return scalarString(l[key])
	}
	return scalarString(a[key]) // 1.0: flattened, with principalId
}

// scalarString renders a JSON scalar as text (expr.ScalarText); other
// values are "".
func scalarString(v any) string {
	s, _ := expr.ScalarText(v)
	return s
}

// responseSource resolves response references: $response.* from the
// integration's answer as it arrived (body must hold it when the mapping
// reads it), anything else through request.
type responseSource struct {
	request expr.Scope
	header  http.Header
	body    []byte
}

var _ expr.Scope = responseSource{}

// Value implements expr.Scope.
func (s responseSource) Value(ref *expr.Ref) (string, bool) {
	switch {
	case ref.Root == expr.ResponseHeader:
		return headerValues(s.header, ref.Name)
	case ref.Root == expr.ResponseBody:
		return bodyValue(s.body, ref)
	case s.request != nil:
		return s.request.Value(ref)
	}
	return "", false
}
