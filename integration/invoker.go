package integration

import (
	"context"
	"errors"
	"net/http"
	"time"
)

// Invoker calls one integration. Implementations are safe for concurrent use.
type Invoker interface {
	Invoke(ctx context.Context, req *Request) (*Response, error)
}

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
}

// ParamSource resolves a mapping source expression. ok is false when the
// source does not exist in this request.
type ParamSource interface {
	Lookup(expr string) (value string, ok bool)
}

// Response is what the integration answered, after proxy-response parsing
// (AWS_PROXY) or integration-response mapping (HTTP, MOCK).
type Response struct {
	StatusCode int
	Header     http.Header
	Body       []byte
}

// ErrTimeout is returned (wrapped; test with errors.Is) by Invoke when the
// integration did not answer within its own timeout. A cancelled or expired
// caller context is not ErrTimeout: Invoke returns that context's Err().
// Modes map it to "Endpoint request timed out".
var ErrTimeout = errors.New("integration: endpoint request timed out")

// Spec describes one integration (converted from config.Integration).
type Spec struct {
	Type                        string // AWS_PROXY, HTTP_PROXY, HTTP, MOCK
	URI                         string
	Method                      string        // integrationMethod; zero means POST
	Timeout                     time.Duration // zero means 29s
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
