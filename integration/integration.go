package integration

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
)

// DefaultTimeout is the integration timeout used when Spec.Timeout is zero:
// Amazon API Gateway's 29 seconds.
const DefaultTimeout = 29 * time.Second

// Env is what integrations share.
type Env struct {
	// HTTPClient is used for http(s) integrations (HTTP, HTTP_PROXY, and
	// AWS_PROXY to a URL). Nil means pooled clients owned by the package:
	// keep-alive, MaxIdleConnsPerHost 256, no redirects followed, and no
	// overall client Timeout (the per-request context does it); the one
	// Forward uses also leaves compression to the client (it neither asks
	// for gzip nor decodes it). A client given here is used as is, redirect
	// policy included, except that Forward never follows redirects.
	HTTPClient *http.Client
	// Lambda invokes Lambda functions. Nil makes New fail for AWS_PROXY
	// integrations whose URI is a Lambda ARN.
	Lambda LambdaInvoker
	// NATS returns the connection NATS integrations (a Portico extension)
	// use; it is called on each invocation, so the connection may be made
	// after New. Nil makes New fail for NATS integrations.
	NATS func() *nats.Conn
}

// New builds the Invoker for spec. It validates the spec: an unknown type,
// a URI that does not fit the type, a malformed requestParameters key, a
// bad integration response key or template selection expression is an
// error. The Invoker of an HTTP_PROXY integration is also a Forwarder.
func New(spec Spec, env Env) (Invoker, error) {
	d, err := newDeadline(spec.Timeout)
	if err != nil {
		return nil, err
	}
	client := env.HTTPClient
	if client == nil {
		client = defaultHTTPClient()
	}
	switch spec.Type {
	case "AWS_PROXY":
		return newAWSProxy(spec, env.Lambda, client, d)
	case "HTTP_PROXY":
		return newHTTPProxy(spec, client, forwardClient(env.HTTPClient), d)
	case "HTTP":
		return newHTTP(spec, client, d)
	case "MOCK":
		return newMock(spec)
	case "NATS":
		return newNATS(spec, env.NATS, d)
	case "AWS":
		return newAWSLambda(spec, env, client, d)
	case "":
		return nil, fmt.Errorf("integrationType is missing")
	default:
		return nil, fmt.Errorf("unknown integrationType %q; want AWS, AWS_PROXY, HTTP_PROXY, HTTP, MOCK or NATS", spec.Type)
	}
}

// defaultHTTPClient is the package's pooled client, built on first use.
var defaultHTTPClient = sync.OnceValue(func() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = 0 // no overall limit; idle connections still expire
	tr.MaxIdleConnsPerHost = 256
	return &http.Client{
		Transport: tr,
		// API Gateway hands a backend's 3xx to the caller; it does not
		// follow it.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
})

// defaultForwardClient is the package's pooled client for Forward, built on
// first use: like defaultHTTPClient, but it leaves Accept-Encoding to the
// client and hands compressed bodies on as they are.
var defaultForwardClient = sync.OnceValue(func() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = 0
	tr.MaxIdleConnsPerHost = 256
	tr.DisableCompression = true
	return &http.Client{Transport: tr, CheckRedirect: noRedirects}
})

// forwardClient returns the client Forward uses: the package's, or a copy
// of the given one that does not follow redirects.
func forwardClient(given *http.Client) *http.Client {
	if given == nil {
		return defaultForwardClient()
	}
	c := *given
	c.CheckRedirect = noRedirects
	return &c
}

func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// deadline is an integration's own timeout.
type deadline time.Duration

func newDeadline(d time.Duration) (deadline, error) {
	switch {
	case d < 0:
		return 0, fmt.Errorf("negative timeout %v", d)
	case d == 0:
		d = DefaultTimeout
	}
	return deadline(d), nil
}

// start derives the context one invocation's I/O runs under.
func (d deadline) start(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, time.Duration(d))
}

// check classifies err, which came from I/O under tctx (made by start) while
// the parent context was still live: when tctx has expired, the integration
// timed out and check returns ErrTimeout (wrapped); else err unchanged (also
// when tctx was merely cancelled). Callers look at the parent first, since
// a cancelled parent's ctx.Err() is returned as is.
func (d deadline) check(tctx context.Context, err error) error {
	if err != nil && tctx.Err() == context.DeadlineExceeded {
		return fmt.Errorf("%w after %v", ErrTimeout, time.Duration(d))
	}
	return err
}
