package integration

import (
	"context"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/portico-gw/portico/expr"
	"github.com/portico-gw/portico/vtl"
)

// Invoker calls one integration. Implementations are safe for concurrent use.
type Invoker interface {
	Invoke(ctx context.Context, req *Request) (*Response, error)
}

// Forwarder is implemented by HTTP_PROXY invokers: it sends a whole HTTP
// request to the backend and streams the answer. Find it with a type
// assertion on the Invoker that New returns.
type Forwarder interface {
	// Forward sends req and returns the backend's answer once its header has
	// arrived; any HTTP status, redirects included, is a result. The caller
	// must close the response Body, which stays readable until the
	// integration's timeout, counted from the call, expires. Errors follow
	// Invoke's rules: ErrTimeout (wrapped) when the timeout expires, the
	// caller's ctx.Err() as is when ctx ends first, and transport failures
	// wrapped with the method and URL (without its password). Reading the
	// Body reports failures the same way.
	Forward(ctx context.Context, req *ForwardRequest) (*http.Response, error)
}

// ForwardRequest is one request for Forwarder.Forward.
type ForwardRequest struct {
	// URL is the final backend URL: the mode has already substituted path
	// parameters and stage variables and applied parameter mappings. Empty
	// means the Spec's URI, which then must hold no {placeholder}.
	URL string
	// Method is the client's method. An integrationMethod that names a method
	// is sent whatever Method says; ANY (or no integrationMethod) sends
	// Method, and POST when Method is empty too.
	Method string
	// Header is the client's header after parameter mapping. Forward removes
	// the hop-by-hop fields (Connection and the names it lists, Keep-Alive,
	// Proxy-*, TE, Trailer, Transfer-Encoding, Upgrade) and adds only HTTP's
	// framing: no X-Forwarded-*, no User-Agent, no Accept-Encoding. A Host
	// field becomes the request's Host; without one the backend's host is
	// sent.
	Header http.Header
	// Set are fields that replace Header's fields of the same name, as
	// http.Header.Set on a copy of Header would, in order; Header itself is
	// not modified. Their names are canonical. The mode's X-Forwarded-*
	// fields go here, so that the client's header is copied once.
	Set []Field
	// Body is streamed to the backend; nil means no body. Forward closes it
	// when it is an io.Closer.
	Body io.Reader
	// ContentLength is Body's length; -1 means unknown (the body is sent
	// chunked). It is ignored when Body is nil.
	ContentLength int64
}

// Field is one header field: a canonical name and its value.
type Field struct{ Name, Value string }

// Request is one invocation.
type Request struct {
	// Event is the Lambda proxy event (JSON), sent to AWS_PROXY integrations.
	Event []byte
	// Body is the raw client payload (the WebSocket message; empty for
	// $connect and $disconnect), sent to HTTP, HTTP_PROXY and used by MOCK.
	Body []byte
	// Params resolves requestParameters source expressions such as
	// "context.connectionId", "route.request.body.a.b", "stageVariables.x",
	// "route.request.header.Name". Nil means no source resolves.
	Params ParamSource
	// Template gives mapping templates (VTL) what they read besides the
	// body: $context, $stageVariables and $input.params(). Nil means they
	// read the body only.
	Template TemplateSource
}

// TemplateSource is what a mode gives the mapping templates of one
// request.
type TemplateSource interface {
	// TemplateData returns the data of a template whose $input.body is
	// body, with a fresh Context (templates may #set into it).
	TemplateData(body []byte) *vtl.Data
}

// templateData returns the vtl.Data of a template of req that reads body.
func (req *Request) templateData(body []byte) *vtl.Data {
	if req.Template == nil {
		return &vtl.Data{Body: body}
	}
	return req.Template.TemplateData(body)
}

// ParamSource resolves a mapping source reference (an expr.Scope: body
// references resolve with Ref.Select). ok is false when the source does not
// exist in this request.
type ParamSource interface {
	Value(ref *expr.Ref) (value string, ok bool)
}

// Response is what the integration answered, after proxy-response parsing
// (AWS_PROXY) or integration-response mapping (HTTP, MOCK).
type Response struct {
	StatusCode int
	Header     http.Header
	Body       []byte
	// Base64Encoded reports that Body is still the base64 text a function
	// returned with isBase64Encoded true (ProxyResponseREST only): a REST
	// API decodes it or not by the request's Accept header
	// (DecodeForREST).
	Base64Encoded bool
}

// ErrTimeout is returned (wrapped; test with errors.Is) by Invoke when the
// integration did not answer within its own timeout. A cancelled or expired
// caller context is not ErrTimeout: Invoke returns that context's Err().
// Modes map it to "Endpoint request timed out".
var ErrTimeout = errors.New("integration: endpoint request timed out")

// Spec describes one integration. SpecFromConfig converts a
// config.Integration.
type Spec struct {
	Type string // AWS_PROXY, HTTP_PROXY, HTTP, MOCK, NATS
	URI  string
	// Method is the integrationMethod. Zero means ANY, which Invoke sends as
	// POST (a WebSocket message has no method) and Forward as the client's
	// method.
	Method  string
	Timeout time.Duration // zero means 29s
	// ProxyResponse picks the rules an AWS_PROXY function's result is read
	// by. Zero is the strict reading of WebSocket APIs; REST APIs use
	// ProxyResponseREST.
	ProxyResponse ProxyResponseRules
	// ModeMapsRequest marks an HTTP_PROXY integration whose request the
	// mode builds (HTTP APIs): the mode fills {proxy}, {name+} and
	// ${stageVariables.name} in URI and applies the parameter mappings, so
	// New checks only the URI's shape and ignores RequestParameters, and
	// Invoke sends through Forward.
	ModeMapsRequest             bool
	RequestParameters           map[string]string
	RequestTemplates            map[string]string
	TemplateSelectionExpression string
	PassthroughBehavior         string
	Responses                   []ResponseSpec
}

// ResponseSpec is one integration response of a non-proxy integration.
type ResponseSpec struct {
	Key                         string // $default or /regex/
	TemplateSelectionExpression string
	Templates                   map[string]string
}
