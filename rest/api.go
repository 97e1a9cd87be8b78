package rest

import (
	"bytes"
	"cmp"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/portico-gw/portico/authorizer"
	"github.com/portico-gw/portico/config"
	"github.com/portico-gw/portico/expr"
	"github.com/portico-gw/portico/integration"
	"github.com/portico-gw/portico/internal/accesslog"
	"github.com/portico-gw/portico/internal/ids"
	"github.com/portico-gw/portico/internal/sigv4"
	"github.com/portico-gw/portico/internal/statusrec"
	"github.com/portico-gw/portico/metrics"
	"github.com/portico-gw/portico/routing"
	"github.com/portico-gw/portico/usage"
)

// MaxBodyBytes is API Gateway's payload limit: 10 MB.
const MaxBodyBytes = 10 << 20

// Config configures an API. It is the REST counterpart of httpapi.Config.
type Config struct {
	// API is the REST API's configuration, validated by config.Load.
	// Required; New keeps no reference to it.
	API *config.RestAPI
	// AccountID appears in events and ARNs. Zero means "000000000000".
	AccountID string
	// Region appears in ARNs. Zero means us-east-1.
	Region string
	// Credentials are the SigV4 keys AWS_IAM methods accept.
	Credentials map[string]string
	// Env is what integrations share.
	Env integration.Env
	// Logger receives integration failures. Nil means discard.
	Logger *slog.Logger
	// AccessLogs holds the access logger of each stage that has one, by
	// stage name. Nil means none.
	AccessLogs map[string]*accesslog.Logger
	// Metrics receives request counts per stage and route. Nil means none.
	Metrics *metrics.Metrics
	// Usage is the API keys and usage plans that methods with
	// apiKeyRequired check. Nil means none: those methods answer 403.
	Usage *usage.Plans
	// Meter holds the usage plans' buckets and quota counts across
	// reloads (and, once joined, across the cluster). Nil means one of
	// the API's own, so that counts start over when the API is rebuilt.
	Meter *usage.Meter
}

// API serves one REST API. It is immutable after New and safe for
// concurrent use: a reload builds a new API (a stage serves "the API as
// loaded", an implicit deployment per load).
type API struct {
	id, accountID, region string
	routes                *routing.RESTRoutes
	methods               map[string]*method // by "RESOURCE_PATH METHOD"
	stages                map[string]*stage
	gateway               *GatewayResponses
	binaryMediaTypes      []string
	verifier              *sigv4.Verifier
	apiKeySource          string // HEADER or AUTHORIZER
	grants                *usage.Grants
	meterStore            *usage.Meter
	log                   *slog.Logger
	metrics               *metrics.Metrics // nil without metrics
}

type stage struct {
	name      string
	vars      map[string]string
	accessLog *accesslog.Logger
	throttles map[string]*rate.Limiter // methodSettings buckets, by "RESOURCE_PATH METHOD"
	metrics   *metrics.Stage           // nil without metrics
}

// method is one resource method, ready to serve.
type method struct {
	resourcePath, resourceID, httpMethod string
	routeKey                             string                     // "RESOURCE_PATH METHOD", the key of API.methods
	authType                             string                     // NONE, AWS_IAM, CUSTOM or COGNITO_USER_POOLS
	authorizer                           *authorizer.RESTAuthorizer // CUSTOM and COGNITO_USER_POOLS
	scopes                               []string                   // COGNITO_USER_POOLS: authorizationScopes
	apiKeyRequired                       bool
	kind                                 string                        // the integration's type
	inv                                  perStage[integration.Invoker] // AWS_PROXY and NATS
	uri                                  uriTemplate                   // HTTP_PROXY: the URI with {name} and ${stageVariables.x}
	params                               []requestParam                // HTTP_PROXY: the integration's requestParameters
	paramsReadBody                       bool                          // a requestParameters source is method.request.body
	fwd                                  integration.Forwarder         // HTTP_PROXY
	nonProxy                             *nonProxy                     // AWS, HTTP and MOCK
	validator                            *validator                    // nil: the method validates nothing (validate.go)
}

// New builds the API from its configuration. Parts of the REST model that
// this version does not serve (AWS service integrations other than
// Lambda) are refused with an error naming them, never served wrongly.
func New(cfg Config) (*API, error) {
	c := cfg.API
	if c == nil {
		return nil, errors.New("rest: Config.API is nil")
	}
	fail := func(format string, args ...any) (*API, error) {
		return nil, fmt.Errorf("rest: REST API %s: "+format, append([]any{c.RestAPIID}, args...)...)
	}
	a := &API{
		id:               c.RestAPIID,
		accountID:        cmp.Or(cfg.AccountID, "000000000000"),
		region:           cmp.Or(cfg.Region, "us-east-1"),
		methods:          make(map[string]*method),
		stages:           make(map[string]*stage, len(c.Stages)),
		binaryMediaTypes: c.BinaryMediaTypes,
		verifier:         authorizer.NewIAMVerifier(cfg.Credentials),
		apiKeySource:     cmp.Or(c.APIKeySource, "HEADER"),
		meterStore:       cfg.Meter,
		log:              cfg.Logger,
		metrics:          cfg.Metrics,
	}
	if a.meterStore == nil {
		a.meterStore = usage.NewMeter(usage.MeterConfig{})
	}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	a.log = a.log.With("api_id", c.RestAPIID)
	specs := make([]GatewayResponseSpec, 0, len(c.GatewayResponses))
	for _, g := range c.GatewayResponses {
		specs = append(specs, GatewayResponseSpec{Type: ResponseType(g.ResponseType), StatusCode: g.StatusCode,
			ResponseParameters: g.ResponseParameters, ResponseTemplates: g.ResponseTemplates})
	}
	var err error
	if a.gateway, err = NewGatewayResponses(specs); err != nil {
		return fail("gatewayResponses: %w", err)
	}
	auths, err := authorizer.RESTFromConfig(c, cfg.Env)
	if err != nil {
		return fail("%w", err)
	}
	models, err := compileModels(c.RestAPIID, c.Models)
	if err != nil {
		return fail("%w", err)
	}
	validators := make(map[string]config.RequestValidator, len(c.RequestValidators))
	for _, v := range c.RequestValidators {
		validators[cmp.Or(v.ID, v.Name)] = v
	}
	resources := make([]routing.RESTResource, 0, len(c.Resources))
	for _, res := range c.Resources {
		rr := routing.RESTResource{Path: res.Path}
		for verb, m := range res.ResourceMethods {
			rr.Methods = append(rr.Methods, verb)
			built, err := newMethod(&res, verb, &m, auths, cfg.Env, c.Stages)
			if err == nil {
				built.validator, err = newValidator(&m, validators, models)
			}
			if err != nil {
				return fail("%s %s: %w", verb, res.Path, err)
			}
			a.methods[res.Path+" "+verb] = built
		}
		resources = append(resources, rr)
	}
	if a.routes, err = routing.NewRESTRoutes(resources); err != nil {
		return fail("%w", err)
	}
	a.grants = usage.NewGrants(c.RestAPIID, cfg.Usage, nil)
	for _, st := range c.Stages {
		a.stages[st.StageName] = &stage{name: st.StageName, vars: st.Variables, accessLog: cfg.AccessLogs[st.StageName],
			throttles: newStageThrottles(st.MethodSettings, a.methods),
			metrics:   cfg.Metrics.Stage(c.RestAPIID, st.StageName)}
	}
	return a, nil
}

func newMethod(res *config.RestResource, verb string, m *config.RestMethod, auths map[string]*authorizer.RESTAuthorizer, env integration.Env, stages []config.RestStage) (*method, error) {
	out := &method{resourcePath: res.Path, resourceID: res.ID, httpMethod: verb, routeKey: res.Path + " " + verb,
		authType: cmp.Or(m.AuthorizationType, "NONE")}
	switch out.authType {
	case "NONE", "AWS_IAM":
	case "CUSTOM", "COGNITO_USER_POOLS":
		out.authorizer = auths[m.AuthorizerID]
		switch {
		case out.authorizer == nil:
			return nil, fmt.Errorf("authorizer %q not found", m.AuthorizerID)
		case (out.authType == "CUSTOM") != (out.authorizer.Lambda != nil):
			return nil, fmt.Errorf("authorizer %q is %s, which authorizationType %s cannot use", m.AuthorizerID, out.authorizer.Type, out.authType)
		}
		out.scopes = m.AuthorizationScopes
	default:
		return nil, fmt.Errorf("authorizationType %s: want NONE, AWS_IAM, CUSTOM or COGNITO_USER_POOLS", out.authType)
	}
	out.apiKeyRequired = m.APIKeyRequired
	in := m.MethodIntegration
	if in == nil {
		return nil, errors.New("the method has no methodIntegration")
	}
	out.kind = in.Type
	timeout := time.Duration(in.TimeoutInMillis) * time.Millisecond
	var err error
	switch in.Type {
	case "AWS_PROXY":
		out.inv, err = buildPerStage(in.URI, stages, func(uri string) (integration.Invoker, error) {
			return integration.New(integration.Spec{Type: "AWS_PROXY", URI: uri, Timeout: timeout,
				ProxyResponse: integration.ProxyResponseREST}, env)
		})
	case "HTTP_PROXY":
		out.uri = parseURITemplate(in.URI)
		if out.params, err = newRequestParams(in.RequestParameters); err != nil {
			return nil, err
		}
		for _, p := range out.params {
			out.paramsReadBody = out.paramsReadBody || p.src.Reads(expr.RequestBody)
		}
		out.fwd, err = newForwarder(in, timeout, env)
	case "NATS": // Portico's: the REST proxy event over NATS, answered as a Lambda proxy function would
		out.inv.all, err = integration.New(integration.Spec{Type: "NATS", URI: in.URI, Timeout: timeout,
			ProxyResponse: integration.ProxyResponseREST}, env)
	case "AWS", "HTTP", "MOCK":
		out.nonProxy, err = newNonProxy(in, env, stages)
	default:
		return nil, fmt.Errorf("integration type %q: want AWS, AWS_PROXY, HTTP, HTTP_PROXY, MOCK or NATS", in.Type)
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// request is one request as the pipeline sees it.
type request struct {
	r         *http.Request
	sw        statusrec.Writer // the ResponseWriter the pipeline writes to
	stage     *stage
	rest      string            // the path after the stage, escaped
	match     routing.RESTMatch // from MatchDeferred: read the parameters with pathParams or match.Param
	m         *method
	body      []byte
	requestID string
	apigwID   string
	idValues  [2]string // the answer's x-amzn-RequestId and x-amz-apigw-id values
	now       time.Time
	iam       *integration.IAMCaller
	forward   integration.ForwardRequest // HTTP_PROXY's, kept here to save an allocation
	// integrationLatency is how long the integration took; zero when none
	// ran.
	integrationLatency time.Duration
	// usageIdentifierKey is the API key a Lambda authorizer returned, for
	// apiKeySource AUTHORIZER; the authorizer step fills it in.
	usageIdentifierKey string
	// apiKey and apiKeyID are the key that the usage step accepted
	// ($context.identity.apiKey, apiKeyId); empty on methods without one.
	apiKey, apiKeyID string
	// authorizer is requestContext.authorizer of a CUSTOM or
	// COGNITO_USER_POOLS method's allowed request; nil before or without.
	authorizer map[string]any
	// trace is the X-Amzn-Trace-Id passed to integrations: the client's,
	// else a new one (traceID); empty until one is needed.
	trace string
}

// ServeHTTP serves one request addressed to stageName; rest is the escaped
// path after the stage ("/pets/1"). The pipeline runs in AWS's order:
// route (resource, method) → authorization → API key, usage plan and
// stage throttling → request validation → integration → response; every
// failure is a gateway response.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request, stageName, rest string) {
	q := &request{r: r, sw: statusrec.Writer{ResponseWriter: w}, rest: cmp.Or(rest, "/"), now: time.Now()}
	q.requestID, q.apigwID = ids.NewRequestIDs()
	q.stage = a.stages[stageName]
	if q.stage == nil { // the resolver found the stage: a stage always exists here
		q.stage = &stage{name: stageName}
	}
	w = &q.sw
	defer a.finish(q)
	// Header().Set("x-amzn-RequestId", …) and ("x-amz-apigw-id", …), with
	// the names canonical already and the values kept in q.
	h := w.Header()
	q.idValues = [2]string{q.requestID, q.apigwID}
	h["X-Amzn-Requestid"], h["X-Amz-Apigw-Id"] = q.idValues[0:1:1], q.idValues[1:2:2]
	match, result := a.routes.MatchDeferred(r.Method, q.rest)
	if result != routing.RESTMatched {
		a.log.Debug("no resource method for the request", "stage", stageName, "method", r.Method, "path", q.rest, "result", result.String())
		a.fail(w, q, MissingAuthenticationToken, "")
		return
	}
	q.match = match
	q.m = a.methods[match.ResourcePath+" "+match.Method]
	if r.ContentLength > MaxBodyBytes {
		a.fail(w, q, RequestTooLarge, "")
		return
	}
	// HTTP_PROXY streams the body to the backend, unless SigV4 must hash it,
	// a request parameter reads it first or a model validates it; every
	// other integration reads it whole.
	if q.m.kind != "HTTP_PROXY" || q.m.authType == "AWS_IAM" || q.m.paramsReadBody || q.m.validator.readsBody() {
		body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, MaxBodyBytes))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				a.fail(w, q, RequestTooLarge, "")
				return
			}
			a.log.Debug("reading the request body", "request_id", q.requestID, "error", err)
			a.fail(w, q, BadRequestBody, "")
			return
		}
		q.body = body
	}
	switch q.m.authType {
	case "AWS_IAM":
		if !a.authorizeIAM(w, q) {
			return
		}
	case "CUSTOM", "COGNITO_USER_POOLS":
		if !a.authorize(w, q) {
			return
		}
	}
	// After authorization: API keys, usage plans, stage throttling (usage.go).
	if !a.meter(w, q) {
		return
	}
	// Then the request validator: parameters, then body (validate.go).
	if !a.validate(w, q) {
		return
	}
	switch q.m.kind {
	case "AWS_PROXY", "NATS":
		a.lambdaProxy(w, q)
	case "HTTP_PROXY":
		a.httpProxy(w, q)
	default:
		q.m.nonProxy.serve(a, w, q)
	}
}

// finish records the request in the stage's metrics and access log once it
// is answered. The route key is "RESOURCE_PATH METHOD" ("/pets/{id} GET"),
// "-" when no resource method matched.
func (a *API) finish(q *request) {
	sw := &q.sw
	status := cmp.Or(sw.Status, http.StatusOK)
	routeKey := "-"
	if q.m != nil {
		routeKey = q.m.routeKey
	}
	q.stage.metrics.HTTPRequest(routeKey, status)
	if q.stage.accessLog == nil {
		return
	}
	q.stage.accessLog.Log(&accesslog.Record{
		APIID: a.id, Stage: q.stage.name, RequestID: q.requestID, RouteKey: routeKey, DomainName: q.r.Host,
		SourceIP: integration.SourceIP(q.r), UserAgent: q.r.UserAgent(), HTTPMethod: q.r.Method, Path: q.r.URL.Path,
		Protocol: q.r.Proto, Status: status, ResponseLength: sw.Written, IntegrationLatency: q.integrationLatency,
		ResponseLatency: time.Since(q.now), RequestTime: q.now,
	})
}

// authorizeIAM checks the SigV4 signature of an AWS_IAM method: no
// signature is MISSING_AUTHENTICATION_TOKEN, a bad one INVALID_SIGNATURE
// with the verifier's message (AWS's SigV4 wording).
func (a *API) authorizeIAM(w http.ResponseWriter, q *request) bool {
	if !sigv4.Signed(q.r) {
		a.fail(w, q, MissingAuthenticationToken, "")
		return false
	}
	id, err := a.verifier.Verify(q.r, q.body)
	if err != nil {
		a.fail(w, q, InvalidSignature, err.Error())
		return false
	}
	q.iam = &integration.IAMCaller{AccessKeyID: id.AccessKeyID, UserARN: "arn:aws:iam::" + a.accountID + ":user/" + id.AccessKeyID}
	return true
}

// fail writes a gateway response.
func (a *API) fail(w http.ResponseWriter, q *request, typ ResponseType, message string) {
	a.failStatus(w, q, typ, message, 0)
}

func (a *API) failStatus(w http.ResponseWriter, q *request, typ ResponseType, message string, status int) {
	// The integration path's internal errors (a failed or malformed Lambda
	// proxy answer, 502; an invocation that could not be made, 500; a
	// configuration error such as no matching integration response, 500)
	// carry AWS's spaced body. The reference measured it for the 502 and
	// the seeds show it for the 500; for API_CONFIGURATION_ERROR it is
	// Portico's choice, by the same rule. Overrides still apply.
	body := ""
	if status == http.StatusBadGateway || status == http.StatusInternalServerError || typ == APIConfigurationError {
		body = lambdaProxyFailure
	}
	ec := a.errorContext(q, message, status)
	ec.Body = body
	a.gateway.Write(w, typ, ec)
}

// errorContext is what a gateway response for q reads.
func (a *API) errorContext(q *request, message string, status int) *ErrorContext {
	return &ErrorContext{
		Request: q.r, PathParameters: q.pathParams(), StageVariables: q.stage.vars,
		Context: map[string]string{"requestId": q.requestID, "extendedRequestId": q.apigwID, "apiId": a.id,
			"stage": q.stage.name, "resourcePath": q.match.ResourcePath, "httpMethod": q.r.Method},
		Message: message, StatusCode: status,
	}
}

// lambdaProxy invokes an AWS_PROXY integration with the REST proxy event
// and writes the function's answer, read by REST's rules
// (integration.ProxyResponseREST): a malformed answer or a function error
// is 502 {"message": "Internal server error"}, a timeout 504.
func (a *API) lambdaProxy(w http.ResponseWriter, q *request) {
	ev, err := json.Marshal(a.event(q))
	if err != nil {
		a.log.Error("encoding the event", "request_id", q.requestID, "error", err)
		a.fail(w, q, Default5XX, "")
		return
	}
	inv, err := q.m.inv.get(q.stage.name)
	if err != nil {
		a.log.Warn("no integration for the stage", "request_id", q.requestID, "resource", q.match.ResourcePath, "error", err)
		a.fail(w, q, APIConfigurationError, "")
		return
	}
	start := time.Now()
	resp, err := inv.Invoke(q.r.Context(), &integration.Request{Event: ev, Body: q.body})
	q.integrationLatency = time.Since(start)
	if err != nil {
		a.integrationFailed(w, q, err)
		return
	}
	if err := resp.DecodeForREST(q.r.Header.Get("Accept"), a.binaryMediaTypes); err != nil {
		a.log.Warn("function answered bad base64", "request_id", q.requestID, "error", err)
		a.failStatus(w, q, Default5XX, "Internal server error", http.StatusBadGateway)
		return
	}
	if q.m.kind == "AWS_PROXY" {
		setTraceHeader(w.Header(), q)
	}
	writeResponse(w, resp.StatusCode, resp.Header, resp.Body)
}

// lambdaProxyFailure is AWS's body for a Lambda proxy integration that
// failed or answered a malformed response (502), spaced as AWS spaces it.
const lambdaProxyFailure = `{"message": "Internal server error"}`

// integrationFailed maps an integration's error to its gateway response.
func (a *API) integrationFailed(w http.ResponseWriter, q *request, err error) {
	var malformed *integration.MalformedResponseError
	var fnErr *integration.FunctionError
	switch {
	case errors.Is(err, integration.ErrTimeout):
		a.fail(w, q, IntegrationTimeout, "")
	case q.r.Context().Err() != nil:
		// The client left; nothing to answer.
	case errors.As(err, &malformed), errors.As(err, &fnErr):
		a.log.Warn("integration answered badly", "request_id", q.requestID, "resource", q.match.ResourcePath, "error", err)
		a.failStatus(w, q, Default5XX, "Internal server error", http.StatusBadGateway)
	default:
		a.log.Warn("integration failed", "request_id", q.requestID, "resource", q.match.ResourcePath, "error", err)
		a.failStatus(w, q, Default5XX, "Internal server error", http.StatusInternalServerError)
	}
}

// event builds the REST proxy event (payload 1.0 without version): path
// without the stage, requestContext.path with it, resource the template,
// headers as sent, the body base64 when its type is a binary media type.
func (a *API) event(q *request) *integration.ProxyEventV1 {
	r := q.r
	headers := make(map[string]string, len(r.Header)+3)
	multi := make(map[string][]string, len(r.Header)+3)
	for name, vals := range r.Header {
		headers[name] = strings.Join(vals, ",")
		multi[name] = vals
	}
	if r.Host != "" {
		headers["Host"], multi["Host"] = r.Host, []string{r.Host}
	}
	ip := integration.SourceIP(r)
	fwd := ip
	if prev := r.Header.Get("X-Forwarded-For"); prev != "" {
		fwd = prev + ", " + ip
	}
	proto := "http"
	if r.TLS != nil {
		proto = "https"
	}
	for k, v := range map[string]string{"X-Forwarded-For": fwd, "X-Forwarded-Proto": proto} {
		headers[k], multi[k] = v, []string{v}
	}
	if headers["X-Amzn-Trace-Id"] == "" {
		t := traceID(q)
		headers["X-Amzn-Trace-Id"], multi["X-Amzn-Trace-Id"] = t, []string{t}
	}
	var body *string
	b64 := false
	if len(q.body) > 0 {
		s := string(q.body)
		if integration.AcceptsBinary(r.Header.Get("Content-Type"), a.binaryMediaTypes) { // the same media-type match as responses
			s, b64 = base64.StdEncoding.EncodeToString(q.body), true
		}
		body = &s
	}
	return integration.NewProxyEventV1(&integration.ProxyRequestV1{
		Request: r, Resource: q.match.ResourcePath, ResourceID: q.m.resourceID,
		Path: q.rest, ContextPath: "/" + q.stage.name + q.rest,
		Headers: headers, MultiValueHeaders: multi, Body: body, Base64: b64,
		APIID: a.id, AccountID: a.accountID, Stage: q.stage.name, RequestID: q.requestID, Now: q.now,
		PathParameters: nonEmpty(q.pathParams()), StageVariables: q.stage.vars, IAM: q.iam,
		APIKey: q.apiKey, APIKeyID: q.apiKeyID, Authorizer: q.authorizer,
	})
}

// requestParam is one integration requestParameters entry:
// integration.request.{path|querystring|header}.NAME from a method request
// source, a stage variable, a context variable or a 'static' value.
type requestParam struct {
	key expr.Key
	src *expr.Template
}

func newRequestParams(m map[string]string) ([]requestParam, error) {
	out := make([]requestParam, 0, len(m))
	for k, v := range m {
		key, err := expr.ParseParamKey(k)
		if err != nil {
			return nil, fmt.Errorf("requestParameters[%q]: %w", k, err)
		}
		src, err := expr.ParseParam(v, expr.MethodRequest)
		if err != nil {
			return nil, fmt.Errorf("requestParameters[%q]: %w", k, err)
		}
		out = append(out, requestParam{key, src})
	}
	return out, nil
}

// httpProxy forwards the request to an HTTP_PROXY integration. The
// integration's requestParameters apply first: integration.request.path.X
// fills {X} in the URI, .querystring.X is added to the client's query
// string (replacing a client value of the same name), .header.X is set on
// the forwarded request. A {name} no parameter names takes the method's
// path parameter of the same name (as received, not re-escaped: AWS passes
// path parameters on undecoded), ${stageVariables.x} the stage's variable;
// the client's query string passes on.
func (a *API) httpProxy(w http.ResponseWriter, q *request) {
	// Forward copies the header it is given (without the hop-by-hop
	// fields) and makes a Host field the request's Host: the client's
	// header goes as is unless a parameter sets a field or it has a Host
	// field, which is not forwarded.
	header := q.r.Header
	if _, ok := header["Host"]; ok || len(q.m.params) > 0 {
		header = header.Clone()
		header.Del("Host")
	}
	param := q.match.Param // without parameters, no map of the path parameters
	query := q.r.URL.RawQuery
	if len(q.m.params) > 0 {
		pathParams := maps.Clone(q.pathParams())
		if pathParams == nil {
			pathParams = map[string]string{}
		}
		values := integration.ParseQuery(query)
		if values == nil {
			values = url.Values{}
		}
		applyRequestParams(q.m.params, &methodScope{q: q, apiID: a.id}, pathParams, values, header)
		query = values.Encode()
		param = func(name string) string { return pathParams[name] }
	}
	u := q.m.uri.fill(q.stage.vars, param, query)
	var body io.Reader = http.MaxBytesReader(nil, q.r.Body, MaxBodyBytes)
	length := q.r.ContentLength
	if q.body != nil { // read whole for SigV4 or a parameter
		body, length = bytes.NewReader(q.body), int64(len(q.body))
	}
	start := time.Now()
	q.forward = integration.ForwardRequest{URL: u, Method: q.r.Method, Header: header, Body: body, ContentLength: length}
	resp, err := q.m.fwd.Forward(q.r.Context(), &q.forward)
	q.integrationLatency = time.Since(start)
	if err != nil {
		a.integrationFailed(w, q, err)
		return
	}
	defer resp.Body.Close()
	h := w.Header()
	for k, v := range resp.Header {
		h[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	buf := copyBuffers.Get().(*[]byte)
	defer copyBuffers.Put(buf)
	if _, err := io.CopyBuffer(w, resp.Body, *buf); err != nil {
		a.log.Debug("streaming the integration response", "request_id", q.requestID, "error", err)
	}
}

// newForwarder builds the Forwarder of an HTTP_PROXY or HTTP integration;
// the mode builds the URL of each request (expandURI).
func newForwarder(in *config.RestIntegration, timeout time.Duration, env integration.Env) (integration.Forwarder, error) {
	inv, err := integration.New(integration.Spec{Type: "HTTP_PROXY", URI: in.URI, Method: in.HTTPMethod, Timeout: timeout,
		ModeMapsRequest: true}, env)
	if err != nil {
		return nil, err
	}
	return inv.(integration.Forwarder), nil
}

// expandURI fills an integration URI's ${stageVariables.x} from the stage
// and its {name} and {name+} from pathParams.
func expandURI(uri uriTemplate, stageVars, pathParams map[string]string) string {
	return uri.fill(stageVars, func(name string) string { return pathParams[name] }, "")
}

// traceID is the X-Amzn-Trace-Id passed to q's integration: the client's,
// else one made for q.
func traceID(q *request) string {
	if q.trace == "" {
		q.trace = cmp.Or(q.r.Header.Get("X-Amzn-Trace-Id"), ids.NewTraceID(q.now))
	}
	return q.trace
}

// setTraceHeader adds the X-Amzn-Trace-Id API Gateway answers a Lambda
// integration's response with: the trace the function got, not sampled.
func setTraceHeader(h http.Header, q *request) {
	h.Set("X-Amzn-Trace-Id", traceID(q)+";Sampled=0")
}

// applyRequestParams evaluates an integration's requestParameters into the
// integration request: integration.request.path.X into pathParams,
// .querystring.X into values (replacing the client's value of that name),
// .header.X into header. A source that does not resolve maps nothing.
func applyRequestParams(params []requestParam, scope expr.Scope, pathParams map[string]string, values url.Values, header http.Header) {
	for _, p := range params {
		v, ok := p.src.Eval(scope)
		if !ok {
			continue
		}
		switch p.key.Target {
		case expr.TargetPath:
			pathParams[p.key.Name] = v
		case expr.TargetQueryString:
			values.Set(p.key.Name, v)
		case expr.TargetHeader:
			header.Set(p.key.Name, v)
		}
	}
}

// copyBuffers are httpProxy's buffers for streaming answers, of io.Copy's
// size: the statusrec.Writer hides net/http's pooled ReadFrom, so io.Copy
// would allocate one per request.
var copyBuffers = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

// writeResponse writes an integration's answer.
func writeResponse(w http.ResponseWriter, status int, header http.Header, body []byte) {
	h := w.Header()
	for k, v := range header {
		h[k] = v
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func nonEmpty(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	return m
}

// pathParams returns the matched resource's path parameters, nil when it
// has none or nothing matched; the first call makes the map.
func (q *request) pathParams() map[string]string {
	q.match.LoadParams()
	return q.match.PathParams
}

// sourceIPOf is the client's address as events report it.
func sourceIPOf(q *request) string { return integration.SourceIP(q.r) }
