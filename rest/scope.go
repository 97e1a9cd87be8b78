package rest

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/portico-gw/portico/expr"
	"github.com/portico-gw/portico/integration"
)

// methodScope resolves method.request.*, stageVariables.* and context.*
// references against a request.
type methodScope struct {
	q     *request
	apiID string
}

var _ expr.Scope = (*methodScope)(nil)

// Value implements expr.Scope.
func (s *methodScope) Value(ref *expr.Ref) (string, bool) {
	q := s.q
	if ref.Root != expr.Context {
		return requestValue(q.r, q.pathParams(), q.stage.vars, q.body, ref)
	}
	return contextValue(q, s.apiID, ref.Name)
}

// contextValue returns the $context variable name of a request, as
// parameter mappings and templates read it: authorizer values
// (authorizer.principalId, authorizer.KEY, authorizer.claims.KEY) as
// strings.
func contextValue(q *request, apiID, name string) (string, bool) {
	switch name {
	case "requestId":
		return q.requestID, true
	case "extendedRequestId":
		return q.apigwID, true
	case "apiId":
		return apiID, true
	case "stage":
		return q.stage.name, true
	case "resourcePath":
		return q.match.ResourcePath, true
	case "resourceId":
		if q.m == nil {
			return "", false
		}
		return q.m.resourceID, true
	case "httpMethod":
		return q.r.Method, true
	case "path":
		return "/" + q.stage.name + q.rest, true
	case "protocol":
		return q.r.Proto, true
	case "domainName":
		return q.r.Host, true
	case "requestTimeEpoch":
		return strconv.FormatInt(q.now.UnixMilli(), 10), true
	case "requestTime":
		return q.now.UTC().Format(integration.RequestTimeLayout), true
	case "identity.sourceIp":
		return sourceIPOf(q), true
	case "identity.userAgent":
		return q.r.UserAgent(), true
	case "identity.apiKey":
		return q.apiKey, q.apiKey != ""
	case "identity.apiKeyId":
		return q.apiKeyID, q.apiKeyID != ""
	}
	if key, ok := strings.CutPrefix(name, "authorizer."); ok && q.authorizer != nil {
		var v any = q.authorizer
		for part := range strings.SplitSeq(key, ".") {
			m, ok := v.(map[string]any)
			if !ok {
				return "", false
			}
			if v, ok = m[part]; !ok {
				return "", false
			}
		}
		switch v := v.(type) {
		case string:
			return v, true
		case nil:
			return "", false
		default:
			return fmt.Sprint(v), true
		}
	}
	return "", false
}

// requestValue resolves a method request reference (method.request.header,
// multivalueheader, querystring, multivaluequerystring, path, body) or a
// stage variable: single-value forms give the last value, as AWS's
// single-value maps hold; multi-value forms join with ",". r may be nil
// (no request: nothing resolves from it).
func requestValue(r *http.Request, pathParams, stageVars map[string]string, body []byte, ref *expr.Ref) (string, bool) {
	switch ref.Root {
	case expr.StageVariable:
		v, ok := stageVars[ref.Name]
		return v, ok
	case expr.RequestPath:
		v, ok := pathParams[ref.Name]
		return v, ok
	}
	if r == nil {
		return "", false
	}
	switch ref.Root {
	case expr.RequestHeader, expr.RequestMultiValueHeader:
		v := r.Header.Values(ref.Name)
		if len(v) == 0 {
			return "", false
		}
		if ref.Root == expr.RequestMultiValueHeader {
			return strings.Join(v, ","), true
		}
		return v[len(v)-1], true
	case expr.RequestQueryString, expr.RequestMultiValueQueryString:
		v := r.URL.Query()[ref.Name]
		if len(v) == 0 {
			return "", false
		}
		if ref.Root == expr.RequestMultiValueQueryString {
			return strings.Join(v, ","), true
		}
		return v[len(v)-1], true
	case expr.RequestBody:
		if ref.Path == nil {
			return string(body), true
		}
		return ref.Select(body)
	}
	return "", false
}

// contextMap returns $context for a mapping template (reference
// rest-apis.md §2.2): nested maps, authorizer values as strings, absent
// values left out (they render as ""). requestOverride and
// responseOverride are left for templates to set.
func contextMap(q *request, apiID, accountID string) map[string]any {
	identity := map[string]any{"sourceIp": sourceIPOf(q), "userAgent": q.r.UserAgent()}
	if q.apiKey != "" {
		identity["apiKey"], identity["apiKeyId"] = q.apiKey, q.apiKeyID
	}
	if q.iam != nil {
		identity["accessKey"], identity["user"], identity["userArn"], identity["caller"] = q.iam.AccessKeyID, q.iam.AccessKeyID, q.iam.UserARN, q.iam.AccessKeyID
		identity["accountId"] = accountID
	}
	domain := q.r.Host
	prefix, _, _ := strings.Cut(domain, ".")
	m := map[string]any{
		"accountId": accountID, "apiId": apiID, "domainName": domain, "domainPrefix": prefix,
		"extendedRequestId": q.apigwID, "httpMethod": q.r.Method, "identity": identity,
		"path": "/" + q.stage.name + q.rest, "protocol": q.r.Proto, "requestId": q.requestID,
		"requestTime": q.now.UTC().Format(integration.RequestTimeLayout), "requestTimeEpoch": q.now.UnixMilli(),
		"resourcePath": q.match.ResourcePath, "stage": q.stage.name,
	}
	if q.m != nil {
		m["resourceId"] = q.m.resourceID
	}
	if q.trace != "" {
		m["xrayTraceId"] = q.trace
	}
	if q.authorizer != nil {
		m["authorizer"] = stringified(q.authorizer)
	}
	return m
}

// stringified copies an authorizer context with its scalar values as
// strings ($context.authorizer.n is "42"); nested maps (Cognito claims)
// are copied the same way.
func stringified(in map[string]any) map[string]any {
	out := make(map[string]any, len(in))
	for k, v := range in {
		switch v := v.(type) {
		case map[string]any:
			out[k] = stringified(v)
		case string:
			out[k] = v
		case nil:
		default:
			out[k] = fmt.Sprint(v)
		}
	}
	return out
}
