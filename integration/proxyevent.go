package integration

import (
	"cmp"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/portico-gw/portico/internal/clientaddr"
)

// The Lambda proxy event of payload format 1.0 (aws-lambda-go's
// APIGatewayProxyRequest): the event REST APIs send to AWS_PROXY
// integrations and HTTP APIs send with payloadFormatVersion 1.0 (reference
// http-and-rest-apis.md §1.2). The two differ only in what the mode
// decides, which ProxyRequestV1 carries: the version key (HTTP APIs only),
// resource and path (HTTP APIs report the route key's path and the stage
// prefix of named stages; REST APIs the resource and the path without the
// stage), the headers' shape and the body's encoding.

// RequestTimeLayout is API Gateway's requestTime: Common Log Format, UTC.
const RequestTimeLayout = "02/Jan/2006:15:04:05 -0700"

// ProxyEventV1 is the payload format 1.0 event. Absent maps are JSON null,
// as AWS sends them.
type ProxyEventV1 struct {
	Version                         string              `json:"version,omitempty"`
	Resource                        string              `json:"resource"`
	Path                            string              `json:"path"`
	HTTPMethod                      string              `json:"httpMethod"`
	Headers                         map[string]string   `json:"headers"`
	MultiValueHeaders               map[string][]string `json:"multiValueHeaders"`
	QueryStringParameters           map[string]string   `json:"queryStringParameters"`
	MultiValueQueryStringParameters map[string][]string `json:"multiValueQueryStringParameters"`
	RequestContext                  ProxyContextV1      `json:"requestContext"`
	PathParameters                  map[string]string   `json:"pathParameters"`
	StageVariables                  map[string]string   `json:"stageVariables"`
	Body                            *string             `json:"body"`
	IsBase64Encoded                 bool                `json:"isBase64Encoded"`
}

// ProxyContextV1 is a 1.0 event's requestContext.
type ProxyContextV1 struct {
	AccountID         string          `json:"accountId"`
	APIID             string          `json:"apiId"`
	Authorizer        map[string]any  `json:"authorizer,omitempty"`
	DomainName        string          `json:"domainName"`
	DomainPrefix      string          `json:"domainPrefix"`
	ExtendedRequestID string          `json:"extendedRequestId"`
	HTTPMethod        string          `json:"httpMethod"`
	Identity          ProxyIdentityV1 `json:"identity"`
	Path              string          `json:"path"`
	Protocol          string          `json:"protocol"`
	RequestID         string          `json:"requestId"`
	RequestTime       string          `json:"requestTime"`
	RequestTimeEpoch  int64           `json:"requestTimeEpoch"`
	ResourceID        string          `json:"resourceId"`
	ResourcePath      string          `json:"resourcePath"`
	Stage             string          `json:"stage"`
}

// ProxyIdentityV1 holds every key AWS sends in requestContext.identity;
// those the gateway cannot know are null.
type ProxyIdentityV1 struct {
	AccessKey                     *string `json:"accessKey"`
	AccountID                     *string `json:"accountId"`
	Caller                        *string `json:"caller"`
	CognitoAuthenticationProvider *string `json:"cognitoAuthenticationProvider"`
	CognitoAuthenticationType     *string `json:"cognitoAuthenticationType"`
	CognitoIdentityID             *string `json:"cognitoIdentityId"`
	CognitoIdentityPoolID         *string `json:"cognitoIdentityPoolId"`
	PrincipalOrgID                *string `json:"principalOrgId"`
	SourceIP                      string  `json:"sourceIp"`
	User                          *string `json:"user"`
	UserAgent                     string  `json:"userAgent"`
	UserArn                       *string `json:"userArn"`
	// APIKey and APIKeyID are the API key a REST method required, as
	// AWS sends them only on such methods.
	APIKey   string `json:"apiKey,omitempty"`
	APIKeyID string `json:"apiKeyId,omitempty"`
}

// IAMCaller is the signer of a request that AWS_IAM authorization let
// through. Portico has no IAM users: the user is the access key ID, and
// the ARN is the mode's choice.
type IAMCaller struct {
	AccessKeyID, UserARN string
}

// ProxyRequestV1 is what a 1.0 event is built from: the request as it
// arrived, which the builder only reads, and what the mode decided.
type ProxyRequestV1 struct {
	Request *http.Request
	// Version is "1.0" for HTTP APIs; empty for REST APIs, whose event has
	// no version key.
	Version string
	// Resource is the resource path ("/items/{id}"), also the context's
	// resourcePath; ResourceID is the context's resourceId.
	Resource, ResourceID string
	// Path is the request path as the API reports it in the event's path
	// key; ContextPath is requestContext.path, empty meaning Path. REST
	// APIs report the path without the stage there and with it here; HTTP
	// APIs the same path in both.
	Path, ContextPath string
	// Headers and MultiValueHeaders are the request's headers as the mode
	// shapes them (HTTP APIs lower-case the names; both add the
	// X-Forwarded-* fields).
	Headers           map[string]string
	MultiValueHeaders map[string][]string
	// Body is the body as the function receives it (nil when empty), and
	// Base64 whether it is base64-encoded.
	Body   *string
	Base64 bool

	APIID, AccountID, Stage, RequestID string
	Now                                time.Time
	PathParameters, StageVariables     map[string]string
	// Authorizer is requestContext.authorizer; nil when none ran.
	Authorizer map[string]any
	// IAM is the signer on AWS_IAM routes; nil elsewhere.
	IAM *IAMCaller
	// APIKey and APIKeyID are the API key a REST method required
	// (identity.apiKey, apiKeyId); empty elsewhere.
	APIKey, APIKeyID string
}

// NewProxyEventV1 builds the 1.0 event of q. The query is decoded as
// API Gateway does: queryStringParameters holds each key's last value,
// multiValueQueryStringParameters all of them, and a malformed query keeps
// what can be read of it.
func NewProxyEventV1(q *ProxyRequestV1) *ProxyEventV1 {
	r := q.Request
	var single map[string]string
	var multi map[string][]string
	if vals := ParseQuery(r.URL.RawQuery); len(vals) > 0 {
		single = make(map[string]string, len(vals))
		multi = make(map[string][]string, len(vals))
		for k, v := range vals {
			single[k] = v[len(v)-1]
			multi[k] = v
		}
	}
	name, prefix := DomainName(r)
	id := ProxyIdentityV1{SourceIP: SourceIP(r), UserAgent: r.UserAgent(), APIKey: q.APIKey, APIKeyID: q.APIKeyID}
	if q.IAM != nil {
		ak, arn, account := q.IAM.AccessKeyID, q.IAM.UserARN, q.AccountID
		id.AccessKey, id.AccountID, id.Caller, id.User, id.UserArn = &ak, &account, &ak, &ak, &arn
	}
	return &ProxyEventV1{
		Version:                         q.Version,
		Resource:                        q.Resource,
		Path:                            q.Path,
		HTTPMethod:                      r.Method,
		Headers:                         q.Headers,
		MultiValueHeaders:               q.MultiValueHeaders,
		QueryStringParameters:           single,
		MultiValueQueryStringParameters: multi,
		RequestContext: ProxyContextV1{
			AccountID:         q.AccountID,
			APIID:             q.APIID,
			Authorizer:        q.Authorizer,
			DomainName:        name,
			DomainPrefix:      prefix,
			ExtendedRequestID: q.RequestID,
			HTTPMethod:        r.Method,
			Identity:          id,
			Path:              cmp.Or(q.ContextPath, q.Path),
			Protocol:          r.Proto,
			RequestID:         q.RequestID,
			RequestTime:       q.Now.UTC().Format(RequestTimeLayout),
			RequestTimeEpoch:  q.Now.UnixMilli(),
			ResourceID:        q.ResourceID,
			ResourcePath:      q.Resource,
			Stage:             q.Stage,
		},
		PathParameters:  q.PathParameters,
		StageVariables:  nonEmpty(q.StageVariables),
		Body:            q.Body,
		IsBase64Encoded: q.Base64,
	}
}

// ParseQuery is url.ParseQuery that keeps what it can of a malformed query
// (API Gateway does not reject one). It returns nil for an empty query.
func ParseQuery(raw string) url.Values {
	if raw == "" {
		return nil
	}
	v, _ := url.ParseQuery(raw)
	return v
}

// SourceIP is the client's address as events report it: the remote
// address without its port or, from a trusted proxy, the client that
// X-Forwarded-For names (package clientaddr).
func SourceIP(r *http.Request) string { return clientaddr.From(r).IP }

// DomainName returns requestContext.domainName, the Host header as the
// client sent it (port included), and domainPrefix, its first label.
func DomainName(r *http.Request) (name, prefix string) {
	name = r.Host
	host := name
	if h, _, err := net.SplitHostPort(name); err == nil {
		host = h
	}
	prefix, _, _ = strings.Cut(host, ".")
	return name, prefix
}

func nonEmpty(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	return m
}
