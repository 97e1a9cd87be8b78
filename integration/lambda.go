package integration

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// LambdaInvoker is the subset of *lambda.Client used here.
type LambdaInvoker interface {
	Invoke(ctx context.Context, in *lambda.InvokeInput, optFns ...func(*lambda.Options)) (*lambda.InvokeOutput, error)
}

var _ LambdaInvoker = (*lambda.Client)(nil)

// LambdaOptions configures NewLambdaClient. The zero value means the AWS
// regional endpoint, with region and credentials from the default chain.
type LambdaOptions struct {
	// Endpoint overrides the Lambda endpoint, for example LocalStack's
	// http://localhost:4566 or `sam local start-lambda`'s
	// http://127.0.0.1:3001. Empty means the AWS regional endpoint.
	Endpoint string
	// Region signs the requests and picks the regional endpoint. Empty means
	// the default chain's region (AWS_REGION, the shared config), and
	// us-east-1 when Endpoint is set and the chain has none.
	Region string
	// AccessKeyID and SecretAccessKey, when both are set, are static
	// credentials. Empty means the default credential chain.
	AccessKeyID     string
	SecretAccessKey string
}

// localEndpointCredentials are what a local Lambda endpoint gets when no
// credentials are found anywhere (LocalStack's convention).
var localEndpointCredentials = aws.Credentials{
	AccessKeyID:     "test",
	SecretAccessKey: "test",
	Source:          "portico: no credentials found for a custom Lambda endpoint",
}

// NewLambdaClient builds the aws-sdk-go-v2 Lambda client the gateway invokes
// functions with.
//
// Endpoint, when set, becomes the client's BaseEndpoint. Credentials are the
// static pair when given, else the default chain (environment, shared files,
// SSO, container and instance roles). When Endpoint is set and the chain
// finds nothing, the client signs with the dummy pair "test"/"test" instead
// of failing, so that LocalStack, `sam local start-lambda` and similar local
// endpoints work on a machine without AWS credentials; the fallback is
// decided on the first invocation and kept.
//
// The client makes exactly one attempt per invocation: a gateway must not
// invoke a function twice for one request. Its connection pool keeps up to
// 256 idle connections per host.
func NewLambdaClient(ctx context.Context, o LambdaOptions) (*lambda.Client, error) {
	var opts []func(*config.LoadOptions) error
	if o.Region != "" {
		opts = append(opts, config.WithRegion(o.Region))
	}
	static := o.AccessKeyID != "" || o.SecretAccessKey != ""
	if static {
		if o.AccessKeyID == "" || o.SecretAccessKey == "" {
			return nil, errors.New("lambda credentials need both an access key ID and a secret access key")
		}
		opts = append(opts, config.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(o.AccessKeyID, o.SecretAccessKey, "")))
	}
	if o.Endpoint != "" {
		u, err := url.Parse(o.Endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("lambda endpoint %q is not an http(s) URL", o.Endpoint)
		}
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("loading the AWS config: %w", err)
	}
	if cfg.Region == "" {
		if o.Endpoint == "" {
			return nil, errors.New("no AWS region for Lambda: set one in the config or AWS_REGION")
		}
		cfg.Region = "us-east-1"
	}
	if o.Endpoint != "" && !static {
		cfg.Credentials = aws.NewCredentialsCache(fallbackCredentials{chain: cfg.Credentials})
	}
	return lambda.NewFromConfig(cfg, func(lo *lambda.Options) {
		if o.Endpoint != "" {
			lo.BaseEndpoint = aws.String(o.Endpoint)
		}
		lo.Retryer = aws.NopRetryer{}
		lo.RetryMaxAttempts = 1
		lo.HTTPClient = awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
			tr.MaxIdleConns = 0
			tr.MaxIdleConnsPerHost = 256
		})
	}), nil
}

// fallbackCredentials asks chain first and answers localEndpointCredentials
// when it finds nothing. Wrapped in an aws.CredentialsCache, the fallback
// (which never expires) is kept for the life of the client.
type fallbackCredentials struct {
	chain aws.CredentialsProvider
}

// Retrieve implements aws.CredentialsProvider.
func (p fallbackCredentials) Retrieve(ctx context.Context) (aws.Credentials, error) {
	if p.chain != nil {
		c, err := p.chain.Retrieve(ctx)
		if err == nil {
			return c, nil
		}
		if ctx.Err() != nil {
			return aws.Credentials{}, err
		}
	}
	return localEndpointCredentials, nil
}

// newAWSProxy builds an AWS_PROXY integration: a Lambda function named by
// ARN, or the Lambda event POSTed to an http(s) URL.
// Function calls a Lambda function (by ARN, or an http(s) URL that takes
// the event) and returns its raw result: what authorizers need, since their
// answers are not proxy responses. A function error is a *FunctionError.
type Function interface {
	Call(ctx context.Context, event []byte) ([]byte, error)
}

var (
	_ Function = (*lambdaFunction)(nil)
	_ Function = (*lambdaOverHTTP)(nil)
)

// NewFunction returns the Function that uri names (a Lambda ARN, API
// Gateway's Lambda invocation ARN, or an http(s) URL), called with
// timeout (zero means DefaultTimeout).
func NewFunction(uri string, timeout time.Duration, env Env) (Function, error) {
	d, err := newDeadline(timeout)
	if err != nil {
		return nil, err
	}
	client := env.HTTPClient
	if client == nil {
		client = defaultHTTPClient()
	}
	inv, err := newAWSProxy(Spec{Type: "AWS_PROXY", URI: uri}, env.Lambda, client, d)
	if err != nil {
		return nil, err
	}
	return inv.(Function), nil
}

func newAWSProxy(spec Spec, fn LambdaInvoker, client *http.Client, d deadline) (Invoker, error) {
	parse, err := newResponseParser(spec.ProxyResponse)
	if err != nil {
		return nil, err
	}
	if strings.HasPrefix(spec.URI, "http://") || strings.HasPrefix(spec.URI, "https://") {
		u, err := url.Parse(spec.URI)
		if err != nil || u.Host == "" {
			return nil, fmt.Errorf("integrationUri %q is not a valid URL", spec.URI)
		}
		return &lambdaOverHTTP{client: client, url: u.String(), display: u.Redacted(), deadline: d, parse: parse}, nil
	}
	functionARN, name, err := lambdaFunctionARN(spec.URI)
	if err != nil {
		return nil, err
	}
	if fn == nil {
		return nil, fmt.Errorf("integrationUri %s names a Lambda function but no Lambda client is configured", spec.URI)
	}
	return &lambdaFunction{client: fn, arn: functionARN, name: name, deadline: d, parse: parse}, nil
}

// lambdaFunctionARN returns the function ARN and the function name (with its
// qualifier, if any) that uri names: either a Lambda function ARN
// (arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]) or API Gateway's
// arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/ARN/invocations.
func lambdaFunctionARN(uri string) (functionARN, name string, err error) {
	bad := func(why string) (string, string, error) {
		return "", "", fmt.Errorf("integrationUri %q: %s; want a Lambda function ARN, an API Gateway Lambda invocation ARN or an http(s) URL", uri, why)
	}
	a, err := arn.Parse(uri)
	if err != nil {
		return bad("not an ARN")
	}
	if a.Service == "apigateway" {
		// arn.Parse reads "lambda" as the account ID.
		inner, ok := strings.CutPrefix(a.Resource, "path/2015-03-31/functions/")
		if a.AccountID != "lambda" || !ok {
			return bad("not a Lambda invocation path")
		}
		inner, ok = strings.CutSuffix(inner, "/invocations")
		if !ok {
			return bad("the path does not end in /invocations")
		}
		if a, err = arn.Parse(inner); err != nil {
			return bad("the function ARN inside it is not an ARN")
		}
	}
	if a.Service != "lambda" {
		return bad("service " + a.Service + " is not lambda")
	}
	fn, ok := strings.CutPrefix(a.Resource, "function:")
	if !ok || a.Region == "" || a.AccountID == "" {
		return bad("not a Lambda function ARN")
	}
	parts := strings.Split(fn, ":")
	if len(parts) > 2 || !validLambdaName(parts[0], false) || (len(parts) == 2 && !validLambdaName(parts[1], true)) {
		return bad("invalid function name")
	}
	return a.String(), fn, nil
}

// validLambdaName checks a function name or, with qualifier set, a version
// or alias.
func validLambdaName(s string, qualifier bool) bool {
	if s == "" || len(s) > 128 {
		return false
	}
	for _, c := range s {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_':
		case qualifier && c == '$':
		default:
			return false
		}
	}
	return true
}

// lambdaFunction invokes a function through the Lambda Invoke API.
type lambdaFunction struct {
	client   LambdaInvoker
	arn      string
	name     string
	deadline deadline
	parse    responseParser
}

var _ Invoker = (*lambdaFunction)(nil)

// Invoke implements Invoker.
func (f *lambdaFunction) Invoke(ctx context.Context, req *Request) (*Response, error) {
	result, err := f.Call(ctx, req.Event)
	if err != nil {
		return nil, err
	}
	resp, err := f.parse(result)
	if err != nil {
		return nil, fmt.Errorf("invoking lambda %s: %w", f.name, err)
	}
	return resp, nil
}

// Call implements Function.
func (f *lambdaFunction) Call(ctx context.Context, event []byte) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	tctx, cancel := f.deadline.start(ctx)
	defer cancel()
	out, err := f.client.Invoke(tctx, &lambda.InvokeInput{
		FunctionName:   aws.String(f.arn),
		InvocationType: types.InvocationTypeRequestResponse,
		Payload:        event,
	})
	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return nil, cerr
		}
		return nil, fmt.Errorf("invoking lambda %s: %w", f.name, f.deadline.check(tctx, err))
	}
	if out.FunctionError != nil {
		return nil, fmt.Errorf("invoking lambda %s: %w", f.name, &FunctionError{Type: *out.FunctionError, Payload: out.Payload})
	}
	return out.Payload, nil
}

// lambdaOverHTTP POSTs the Lambda event to a URL and reads the answer as
// the function's result.
type lambdaOverHTTP struct {
	client   *http.Client
	url      string
	display  string // url without a password, for errors
	deadline deadline
	parse    responseParser
}

var _ Invoker = (*lambdaOverHTTP)(nil)

// Invoke implements Invoker.
func (l *lambdaOverHTTP) Invoke(ctx context.Context, req *Request) (*Response, error) {
	result, err := l.Call(ctx, req.Event)
	if err != nil {
		return nil, err
	}
	resp, err := l.parse(result)
	if err != nil {
		return nil, fmt.Errorf("posting the event to %s: %w", l.display, err)
	}
	return resp, nil
}

// Call implements Function.
func (l *lambdaOverHTTP) Call(ctx context.Context, event []byte) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	tctx, cancel := l.deadline.start(ctx)
	defer cancel()
	hreq, err := http.NewRequestWithContext(tctx, http.MethodPost, l.url, bytes.NewReader(event))
	if err != nil {
		return nil, fmt.Errorf("posting the event to %s: %w", l.display, err)
	}
	hreq.Header.Set("Content-Type", "application/json")
	status, header, body, err := roundTrip(l.client, hreq)
	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return nil, cerr
		}
		return nil, fmt.Errorf("posting the event to %s: %w", l.display, l.deadline.check(tctx, err))
	}
	fe := header.Get("X-Amz-Function-Error")
	if status < 200 || status > 299 {
		if fe == "" {
			fe = fmt.Sprintf("HTTP %d", status)
		}
		return nil, fmt.Errorf("posting the event to %s: %w", l.display, &FunctionError{Type: fe, Payload: body})
	}
	if fe != "" {
		return nil, fmt.Errorf("posting the event to %s: %w", l.display, &FunctionError{Type: fe, Payload: body})
	}
	return body, nil
}
