package httpapi

import (
	"encoding/base64"
	"mime"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/portico-gw/portico/integration"
	"github.com/portico-gw/portico/internal/clientaddr"
	"github.com/portico-gw/portico/internal/ids"
	"github.com/portico-gw/portico/routing"
)

// The Lambda proxy events of HTTP APIs (reference http-and-rest-apis.md
// §1.2): payload format 2.0 (APIGatewayV2HTTPRequest in aws-lambda-go) and
// 1.0 (APIGatewayProxyRequest). Keys that AWS omits when empty are omitted;
// keys AWS always sends are always sent.

type eventV2 struct {
	Version               string            `json:"version"`
	RouteKey              string            `json:"routeKey"`
	RawPath               string            `json:"rawPath"`
	RawQueryString        string            `json:"rawQueryString"`
	Cookies               []string          `json:"cookies,omitempty"`
	Headers               map[string]string `json:"headers"`
	QueryStringParameters map[string]string `json:"queryStringParameters,omitempty"`
	PathParameters        map[string]string `json:"pathParameters,omitempty"`
	StageVariables        map[string]string `json:"stageVariables,omitempty"`
	RequestContext        contextV2         `json:"requestContext"`
	Body                  *string           `json:"body,omitempty"`
	IsBase64Encoded       bool              `json:"isBase64Encoded"`
}

type contextV2 struct {
	AccountID    string `json:"accountId"`
	APIID        string `json:"apiId"`
	Authorizer   any    `json:"authorizer,omitempty"` // nil, a map or *jwtContext
	DomainName   string `json:"domainName"`
	DomainPrefix string `json:"domainPrefix"`
	HTTP         httpV2 `json:"http"`
	RequestID    string `json:"requestId"`
	RouteKey     string `json:"routeKey"`
	Stage        string `json:"stage"`
	Time         string `json:"time"`
	TimeEpoch    int64  `json:"timeEpoch"`
}

type httpV2 struct {
	Method    string `json:"method"`
	Path      string `json:"path"`
	Protocol  string `json:"protocol"`
	SourceIP  string `json:"sourceIp"`
	UserAgent string `json:"userAgent"`
}

// request is what both payload formats are built from.
type request struct {
	r         *http.Request
	apiID     string
	accountID string
	stage     string // "$default" or a name
	stageVars map[string]string
	routeKey  string
	rest      string            // the path after the stage, escaped, "/" at least
	params    map[string]string // nil until pathParams makes it from match
	match     routing.HTTPMatch // MatchDeferred's
	body      []byte
	requestID string
	now       time.Time
	auth      map[string]any // requestContext.authorizer, nil when none ran or jwt holds it
	jwt       jwtContext     // a JWT authorizer's answer on a 2.0 route
	format    string         // the payload format the authorizer context is shaped for
	iam       *iamIdentity   // the SigV4 signer, on AWS_IAM routes
	trace     string
	// fields and forward are an HTTP_PROXY request's forwarding fields and
	// Forward's request, held here so that they cost no allocation of their
	// own.
	fields  [5]integration.Field
	forward integration.ForwardRequest
	// idHeader is the apigw-requestid field's values, [requestID].
	idHeader [1]string
}

// pathParams returns the route's path parameters, made from the match on
// first use (nil when the route has none).
func (q *request) pathParams() map[string]string {
	if q.params == nil {
		q.match.LoadParams()
		q.params = q.match.PathParams
	}
	return q.params
}

// param returns one path parameter without making the map.
func (q *request) param(name string) (string, bool) {
	if q.params != nil {
		v, ok := q.params[name]
		return v, ok
	}
	return q.match.Param(name)
}

// rawPath is the path as AWS reports it: with the stage prefix for named
// stages, without it for $default (reference §1.2).
func (q *request) rawPath() string {
	if q.stage == "$default" {
		return q.rest
	}
	return "/" + q.stage + q.rest
}

// traceID is the X-Amzn-Trace-Id API Gateway adds, one per request.
func (q *request) traceID() string {
	if q.trace == "" {
		q.trace = ids.NewTraceID(q.now)
	}
	return q.trace
}

func (q *request) sourceIP() string { return integration.SourceIP(q.r) }

func (q *request) domain() (name, prefix string) { return integration.DomainName(q.r) }

// textBody reports whether a request body reaches the function as text:
// only for text/*, application/json, application/xml and
// application/javascript; anything else, a missing Content-Type included,
// is base64 (measured on AWS, reference §1.2).
func textBody(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	return strings.HasPrefix(mt, "text/") || mt == "application/json" || mt == "application/xml" || mt == "application/javascript"
}

func (q *request) encodedBody() (*string, bool) {
	if len(q.body) == 0 {
		return nil, false
	}
	if textBody(q.r.Header.Get("Content-Type")) {
		s := string(q.body)
		return &s, false
	}
	s := base64.StdEncoding.EncodeToString(q.body)
	return &s, true
}

// headersV2 lower-cases names and joins repeated fields with ","; cookies
// leave the headers for the cookies array.
func (q *request) headersV2() (map[string]string, []string) {
	h := make(map[string]string, len(q.r.Header)+1)
	var cookies []string
	for name, vals := range q.r.Header {
		lower := strings.ToLower(name)
		if lower == "cookie" {
			for _, v := range vals {
				for c := range strings.SplitSeq(v, ";") {
					if c = strings.TrimSpace(c); c != "" {
						cookies = append(cookies, c)
					}
				}
			}
			continue
		}
		h[lower] = strings.Join(vals, ",")
	}
	if q.r.Host != "" {
		h["host"] = q.r.Host
	}
	if h["x-amzn-trace-id"] == "" {
		h["x-amzn-trace-id"] = q.traceID()
	}
	addForwarded(h, q)
	return h, cookies
}

// addForwarded sets the x-forwarded-* fields API Gateway adds, appending
// the client's address to any X-Forwarded-For it sent (from a trusted
// proxy: to the entries left of the client's address).
func addForwarded(h map[string]string, q *request) {
	client := clientaddr.From(q.r)
	ip := client.IP
	if client.Proxied {
		h["x-forwarded-for"] = strings.Join(client.Prior, ", ")
	}
	if prev := h["x-forwarded-for"]; prev != "" {
		h["x-forwarded-for"] = prev + ", " + ip
	} else {
		h["x-forwarded-for"] = ip
	}
	proto, port := "http", "80"
	if client.TLS() {
		proto, port = "https", "443"
	}
	if _, p, err := net.SplitHostPort(q.r.Host); err == nil {
		port = p
	}
	h["x-forwarded-proto"] = proto
	h["x-forwarded-port"] = port
}

// queryV2 decodes the query; repeated keys are joined with ",".
func (q *request) queryV2() map[string]string {
	vals := parseQuery(q.r.URL.RawQuery)
	if len(vals) == 0 {
		return nil
	}
	m := make(map[string]string, len(vals))
	for k, v := range vals {
		m[k] = strings.Join(v, ",")
	}
	return m
}

func parseQuery(raw string) url.Values { return integration.ParseQuery(raw) }

// authorizerV2 is requestContext.authorizer in payload 2.0; an untyped nil,
// which omitempty omits, when no authorizer ran.
func (q *request) authorizerV2() any {
	switch {
	case q.jwt.claims.m != nil:
		return &q.jwt
	case q.auth != nil:
		return q.auth
	}
	return nil
}

func (q *request) eventV2() *eventV2 {
	headers, cookies := q.headersV2()
	body, b64 := q.encodedBody()
	name, prefix := q.domain()
	return &eventV2{
		Version:               "2.0",
		RouteKey:              q.routeKey,
		RawPath:               q.rawPath(),
		RawQueryString:        q.r.URL.RawQuery,
		Cookies:               cookies,
		Headers:               headers,
		QueryStringParameters: q.queryV2(),
		PathParameters:        q.pathParams(),
		StageVariables:        nonEmpty(q.stageVars),
		RequestContext: contextV2{
			AccountID:    q.accountID,
			APIID:        q.apiID,
			Authorizer:   q.authorizerV2(),
			DomainName:   name,
			DomainPrefix: prefix,
			HTTP: httpV2{
				Method:    q.r.Method,
				Path:      q.rawPath(),
				Protocol:  q.r.Proto,
				SourceIP:  q.sourceIP(),
				UserAgent: q.r.UserAgent(),
			},
			RequestID: q.requestID,
			RouteKey:  q.routeKey,
			Stage:     q.stage,
			Time:      q.now.UTC().Format(integration.RequestTimeLayout),
			TimeEpoch: q.now.UnixMilli(),
		},
		Body:            body,
		IsBase64Encoded: b64,
	}
}

// eventV1 is payload format 1.0 as HTTP APIs send it: the REST proxy
// event (integration.NewProxyEventV1) with version, the route key's path
// as resource, lower-cased headers, and the path with the stage prefix.
func (q *request) eventV1() *integration.ProxyEventV1 {
	headers, cookies := q.headersV2()
	if len(cookies) > 0 {
		headers["cookie"] = strings.Join(cookies, "; ")
	}
	multi := make(map[string][]string, len(headers))
	for k, v := range headers {
		multi[k] = []string{v}
	}
	for name, vals := range q.r.Header {
		if lower := strings.ToLower(name); lower != "cookie" && len(vals) > 1 {
			multi[lower] = vals
		}
	}
	body, b64 := q.encodedBody()
	resource := q.routeKey
	if _, path, ok := strings.Cut(q.routeKey, " "); ok {
		resource = path
	}
	var iam *integration.IAMCaller
	if q.iam != nil {
		iam = &integration.IAMCaller{AccessKeyID: q.iam.accessKey, UserARN: q.iam.userArn}
	}
	return integration.NewProxyEventV1(&integration.ProxyRequestV1{
		Request: q.r, Version: "1.0",
		Resource: resource, ResourceID: q.routeKey, Path: q.rawPath(),
		Headers: headers, MultiValueHeaders: multi, Body: body, Base64: b64,
		APIID: q.apiID, AccountID: q.accountID, Stage: q.stage, RequestID: q.requestID, Now: q.now,
		PathParameters: q.pathParams(), StageVariables: q.stageVars, Authorizer: q.auth, IAM: iam,
	})
}

func nonEmpty(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	return m
}

// sortedKeys is for deterministic iteration in tests and logs.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
