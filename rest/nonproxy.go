package rest

import (
	"bytes"
	"cmp"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/portico-gw/portico/config"
	"github.com/portico-gw/portico/expr"
	"github.com/portico-gw/portico/integration"
	"github.com/portico-gw/portico/vtl"
)

// Non-proxy integrations (AWS Lambda, HTTP, MOCK) run API Gateway's
// mapping pipeline (reference rest-apis.md §1.3, §1.8):
//
//  1. Integration request. The request body is converted by the
//     integration's contentHandling (a binary request, one whose
//     Content-Type is a binaryMediaType, is base64-encoded by
//     CONVERT_TO_TEXT; a text one base64-decoded by CONVERT_TO_BINARY). A
//     text body is mapped by the request template of its Content-Type
//     (absent: application/json); with no such template,
//     passthroughBehavior decides: WHEN_NO_MATCH (the default) passes the
//     body on, WHEN_NO_TEMPLATES passes it only when the integration has
//     no template at all, NEVER never does; otherwise 415
//     UNSUPPORTED_MEDIA_TYPE. A binary body is passed on as it is.
//  2. The backend. HTTP: the integration's httpMethod (ANY or empty: the
//     client's), its URI with {name} filled from integration.request.path
//     parameters (else the method's path parameter of that name) and
//     ${stageVariables.x}, only the mapped query string and headers plus
//     the headers AWS adds (Accept: application/json, User-Agent:
//     AmazonAPIGateway_{apiId}, X-Amzn-Trace-Id, X-Amzn-Apigateway-Api-Id;
//     Content-Type on methods other than GET, HEAD and OPTIONS). AWS
//     (Lambda): the mapped body is the invocation payload ({} when empty).
//     MOCK: the rendered request template's statusCode.
//  3. Integration response selection: each integration response's
//     selectionPattern is matched, as a whole string, against the HTTP
//     backend's status code, the MOCK statusCode, or a Lambda function
//     error's errorMessage ("" when the function succeeded), patterned
//     responses in status-code order; then the response without a
//     pattern. None: 500 API_CONFIGURATION_ERROR. A Lambda error with no
//     mapping is therefore the default response (200) with the error JSON
//     as its body, as AWS documents.
//  4. Method response. responseParameters set method.response.header.X
//     from integration.response.header|multivalueheader.X,
//     integration.response.body[.PATH], method.request.*, stageVariables.X,
//     context.X or 'static'; the response template chosen by Accept (then
//     application/json, then the first) gives the body and Content-Type,
//     else the integration's body passes through as application/json; the
//     integration response's contentHandling converts it (AWS's response
//     table, row by row). The backend's own headers are not passed on.
type nonProxy struct {
	kind            string // AWS, HTTP or MOCK
	params          []requestParam
	templates       map[string]mappingTemplate // request templates by lower-case media type
	passthrough     string                     // WHEN_NO_MATCH, WHEN_NO_TEMPLATES or NEVER
	contentHandling string                     // CONVERT_TO_TEXT, CONVERT_TO_BINARY or ""
	// HTTP
	uri        uriTemplate // with {name} and ${stageVariables.x}
	httpMethod string      // "" means the client's
	fwd        integration.Forwarder
	// AWS
	fn perStage[integration.Function]
	// responses are the integration responses, patterned ones in status
	// order, the default last.
	responses []integrationResponse
}

// integrationResponse is one integration response, ready to apply.
type integrationResponse struct {
	status          int
	pattern         *regexp.Regexp // nil for the default response
	headers         map[string]*expr.Template
	templates       map[string]mappingTemplate
	templateKeys    []string // the templates' media types, sorted (pickTemplate)
	contentHandling string
}

func newNonProxy(in *config.RestIntegration, env integration.Env, stages []config.RestStage) (*nonProxy, error) {
	np := &nonProxy{kind: in.Type, passthrough: cmp.Or(in.PassthroughBehavior, "WHEN_NO_MATCH"), contentHandling: in.ContentHandling,
		templates: make(map[string]mappingTemplate, len(in.RequestTemplates))}
	switch np.passthrough {
	case "WHEN_NO_MATCH", "WHEN_NO_TEMPLATES", "NEVER":
	default:
		return nil, fmt.Errorf("passthroughBehavior %q: want WHEN_NO_MATCH, WHEN_NO_TEMPLATES or NEVER", np.passthrough)
	}
	if err := checkContentHandling(in.ContentHandling); err != nil {
		return nil, err
	}
	for mt, src := range in.RequestTemplates {
		t, err := compileMappingTemplate(src)
		if err != nil {
			return nil, fmt.Errorf("requestTemplates[%q]: %w", mt, err)
		}
		np.templates[strings.ToLower(mt)] = t
	}
	var err error
	if np.params, err = newRequestParams(in.RequestParameters); err != nil {
		return nil, err
	}
	timeout := time.Duration(in.TimeoutInMillis) * time.Millisecond
	switch in.Type {
	case "HTTP":
		np.uri = parseURITemplate(in.URI)
		if method := strings.ToUpper(in.HTTPMethod); method != "ANY" {
			np.httpMethod = method
		}
		if np.fwd, err = newForwarder(in, timeout, env); err != nil {
			return nil, err
		}
	case "AWS":
		if !isLambdaURI(in.URI) {
			return nil, fmt.Errorf("uri %q: AWS integrations other than Lambda (arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/ARN/invocations) are not served: there is no AWS service here to call", in.URI)
		}
		np.fn, err = buildPerStage(in.URI, stages, func(uri string) (integration.Function, error) {
			return integration.NewFunction(uri, timeout, env)
		})
		if err != nil {
			return nil, err
		}
	case "MOCK":
	default:
		return nil, fmt.Errorf("integration type %s is not a non-proxy integration", in.Type)
	}
	if np.responses, err = newIntegrationResponses(in.IntegrationResponses); err != nil {
		return nil, err
	}
	return np, nil
}

// isLambdaURI reports whether an AWS integration's URI names a Lambda
// function: API Gateway's invocation ARN, a function ARN, or (Portico) an
// http(s) URL that takes the payload as a function would.
func isLambdaURI(uri string) bool {
	return strings.Contains(uri, ":lambda:path/") || strings.HasPrefix(uri, "arn:aws:lambda:") ||
		strings.HasPrefix(uri, "http://") || strings.HasPrefix(uri, "https://")
}

func checkContentHandling(s string) error {
	switch s {
	case "", "CONVERT_TO_TEXT", "CONVERT_TO_BINARY":
		return nil
	}
	return fmt.Errorf("contentHandling %q: want CONVERT_TO_TEXT or CONVERT_TO_BINARY", s)
}

// newIntegrationResponses compiles a method's integration responses
// (config.Validate has checked that the method declares their statuses
// and headers, as AWS checks when they are put).
func newIntegrationResponses(in map[string]config.RestIntegrationResponse) ([]integrationResponse, error) {
	var out []integrationResponse
	var def *integrationResponse
	for _, k := range slices.Sorted(maps.Keys(in)) {
		ir := in[k]
		code := cmp.Or(ir.StatusCode, k)
		status, err := strconv.Atoi(code)
		if err != nil || status < 100 || status > 599 {
			return nil, fmt.Errorf("integrationResponses[%q]: statusCode %q is not an HTTP status", k, code)
		}
		if err := checkContentHandling(ir.ContentHandling); err != nil {
			return nil, fmt.Errorf("integrationResponses[%q]: %w", k, err)
		}
		resp := integrationResponse{status: status, contentHandling: ir.ContentHandling,
			headers:      make(map[string]*expr.Template, len(ir.ResponseParameters)),
			templates:    make(map[string]mappingTemplate, len(ir.ResponseTemplates)),
			templateKeys: slices.Sorted(maps.Keys(ir.ResponseTemplates))}
		for key, src := range ir.ResponseParameters {
			name, ok := strings.CutPrefix(key, "method.response.header.")
			if !ok || !expr.ValidHeaderName(name) {
				return nil, fmt.Errorf("integrationResponses[%q].responseParameters: %q: want method.response.header.NAME", k, key)
			}
			t, err := expr.ParseParam(src, expr.MethodRequest|expr.IntegrationResponse)
			if err != nil {
				return nil, fmt.Errorf("integrationResponses[%q].responseParameters[%q]: %w", k, key, err)
			}
			resp.headers[name] = t
		}
		for mt, src := range ir.ResponseTemplates {
			t, err := compileMappingTemplate(src)
			if err != nil {
				return nil, fmt.Errorf("integrationResponses[%q].responseTemplates[%q]: %w", k, mt, err)
			}
			resp.templates[mt] = t
		}
		if ir.SelectionPattern == "" {
			if def != nil {
				return nil, fmt.Errorf("integrationResponses: %d and %s both have no selectionPattern", def.status, k)
			}
			r := resp
			def = &r
			continue
		}
		if resp.pattern, err = compileSelectionPattern(ir.SelectionPattern); err != nil {
			return nil, fmt.Errorf("integrationResponses[%q].selectionPattern: %w", k, err)
		}
		out = append(out, resp)
	}
	if def != nil {
		out = append(out, *def)
	}
	return out, nil
}

// compileSelectionPattern compiles a selectionPattern for a whole-string
// match, as API Gateway's Java regexes match ("Invalid*" does not match
// "Invalid input"; "." does not match "\n").
func compileSelectionPattern(p string) (*regexp.Regexp, error) {
	return vtl.CompileJavaRegexpWhole(p)
}

// find returns the integration response selected by key (a status code or
// a Lambda errorMessage), or nil.
func findIntegrationResponse(responses []integrationResponse, key string) *integrationResponse {
	for i := range responses {
		r := &responses[i]
		if r.pattern == nil || r.pattern.MatchString(key) {
			return r
		}
	}
	return nil
}

// backendResult is what a non-proxy backend answered.
type backendResult struct {
	selector string // what selectionPatterns match: the status code or the errorMessage
	header   http.Header
	body     []byte
	binary   bool // the payload is binary (an HTTP backend's Content-Type is a binaryMediaType)
	none     bool // MOCK without a template: the default response, no selection
}

// serve runs the pipeline for q.
func (np *nonProxy) serve(a *API, w http.ResponseWriter, q *request) {
	body, over, typ, ok := np.requestBody(a, q)
	if !ok {
		a.fail(w, q, typ, "")
		return
	}
	start := time.Now()
	res, err := np.call(a, q, body, over)
	q.integrationLatency = time.Since(start)
	if err != nil {
		var cfgErr *mappingError
		if errors.As(err, &cfgErr) {
			a.log.Warn("integration request mapping failed", "request_id", q.requestID, "resource", q.match.ResourcePath, "error", err)
			a.fail(w, q, APIConfigurationError, "")
			return
		}
		a.integrationFailed(w, q, err)
		return
	}
	var chosen *integrationResponse
	switch {
	case !res.none:
		chosen = findIntegrationResponse(np.responses, res.selector)
	case len(np.responses) > 0 && np.responses[len(np.responses)-1].pattern == nil:
		chosen = &np.responses[len(np.responses)-1] // MOCK without a template: the default response
	}
	if chosen == nil {
		a.log.Warn("no integration response matches and there is no default", "request_id", q.requestID, "resource", q.match.ResourcePath, "selector", res.selector)
		a.fail(w, q, APIConfigurationError, "")
		return
	}
	np.respond(a, w, q, chosen, res)
}

// mappingError is a template or parameter that cannot be applied to this
// request: a configuration error, 500.
type mappingError struct{ err error }

func (e *mappingError) Error() string { return e.err.Error() }
func (e *mappingError) Unwrap() error { return e.err }

// requestBody applies contentHandling, the request template and the
// passthrough behaviour, and returns the body and what the template set
// under $context.requestOverride; on failure it returns the gateway
// response type.
func (np *nonProxy) requestBody(a *API, q *request) ([]byte, overrides, ResponseType, bool) {
	ct := q.r.Header.Get("Content-Type")
	binary := len(a.binaryMediaTypes) > 0 && integration.AcceptsBinary(ct, a.binaryMediaTypes)
	body, binary, err := convertRequest(q.body, binary, np.contentHandling)
	if err != nil {
		return nil, overrides{}, BadRequestBody, false
	}
	if binary {
		return body, overrides{}, "", true
	}
	t, ok := np.templates[requestMediaType(q.r)]
	if !ok {
		if np.passthrough == "NEVER" || (np.passthrough == "WHEN_NO_TEMPLATES" && len(np.templates) > 0) {
			return nil, overrides{}, UnsupportedMediaType, false
		}
		return body, overrides{}, "", true
	}
	data := a.templateData(q, body)
	out, err := t.Render(data)
	if err != nil {
		a.log.Warn("rendering the request template", "request_id", q.requestID, "resource", q.match.ResourcePath, "error", err)
		return nil, overrides{}, APIConfigurationError, false
	}
	return []byte(out), readOverrides(data.Context, "requestOverride"), "", true
}

// convertRequest applies an integration's contentHandling to the request
// payload, as AWS's request table does: a binary payload (its Content-Type
// is a binary media type) becomes base64 text for CONVERT_TO_TEXT; a text
// payload is base64-decoded for CONVERT_TO_BINARY (text that is not base64
// is a bad request body); otherwise the payload passes as it is. It
// reports whether the result is binary (mapping templates apply to text
// only).
func convertRequest(body []byte, binary bool, handling string) ([]byte, bool, error) {
	switch {
	case binary && handling == "CONVERT_TO_TEXT":
		return []byte(base64.StdEncoding.EncodeToString(body)), false, nil
	case !binary && handling == "CONVERT_TO_BINARY":
		out, err := base64.StdEncoding.DecodeString(string(body))
		return out, true, err
	}
	return body, binary, nil
}

// call sends the mapped request to the backend; over is what the request
// template set under $context.requestOverride (HTTP only).
func (np *nonProxy) call(a *API, q *request, body []byte, over overrides) (*backendResult, error) {
	switch np.kind {
	case "MOCK":
		if _, ok := np.templates[requestMediaType(q.r)]; !ok {
			return &backendResult{none: true}, nil
		}
		var v struct {
			StatusCode json.Number `json:"statusCode"`
		}
		if err := json.Unmarshal(body, &v); err != nil || v.StatusCode == "" {
			return nil, &mappingError{fmt.Errorf("the MOCK request template gave no integer statusCode: %.100q", body)}
		}
		if _, err := strconv.Atoi(string(v.StatusCode)); err != nil {
			return nil, &mappingError{fmt.Errorf("the MOCK request template's statusCode %s is not an integer", v.StatusCode)}
		}
		return &backendResult{selector: string(v.StatusCode)}, nil
	case "AWS":
		if len(bytes.TrimSpace(body)) == 0 {
			body = []byte("{}")
		}
		fn, err := np.fn.get(q.stage.name)
		if err != nil {
			return nil, &mappingError{err}
		}
		out, err := fn.Call(q.r.Context(), body)
		var fnErr *integration.FunctionError
		switch {
		case errors.As(err, &fnErr):
			var e struct {
				ErrorMessage string `json:"errorMessage"`
			}
			_ = json.Unmarshal(fnErr.Payload, &e)
			return &backendResult{selector: e.ErrorMessage, body: fnErr.Payload}, nil
		case err != nil:
			return nil, err
		}
		return &backendResult{body: out}, nil
	}
	return np.callHTTP(a, q, body, over)
}

// requestMediaType is the media type that chooses a request's template and
// model: its Content-Type's, lower-case; application/json when it has
// none. An unparsable Content-Type is taken as written, trimmed and
// lower-cased (so it matches no template or model of another type).
func requestMediaType(r *http.Request) string {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return "application/json"
	}
	if mt, _, err := mime.ParseMediaType(ct); err == nil {
		return mt
	}
	return strings.ToLower(strings.TrimSpace(ct))
}

// callHTTP calls an HTTP integration's backend and reads its answer whole.
func (np *nonProxy) callHTTP(a *API, q *request, body []byte, over overrides) (*backendResult, error) {
	header := http.Header{}
	header.Set("Accept", "application/json")
	header.Set("User-Agent", "AmazonAPIGateway_"+a.id)
	header.Set("X-Amzn-Apigateway-Api-Id", a.id)
	header.Set("X-Amzn-Trace-Id", traceID(q))
	method := cmp.Or(np.httpMethod, q.r.Method)
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
	default:
		header.Set("Content-Type", cmp.Or(q.r.Header.Get("Content-Type"), "application/json"))
	}
	// A {name} no parameter maps takes the method's path parameter.
	pathParams := maps.Clone(q.pathParams())
	if pathParams == nil {
		pathParams = map[string]string{}
	}
	values := url.Values{}
	applyRequestParams(np.params, &methodScope{q: q, apiID: a.id}, pathParams, values, header)
	// $context.requestOverride wins over the parameter mappings.
	for k, v := range over.path {
		pathParams[k] = v
	}
	for k, v := range over.querystring {
		values.Set(k, v)
	}
	for k, v := range over.header {
		if expr.ValidHeaderName(k) {
			header.Set(k, v)
		}
	}
	u := expandURI(np.uri, q.stage.vars, pathParams)
	if query := values.Encode(); query != "" {
		sep := "?"
		if strings.Contains(u, "?") {
			sep = "&"
		}
		u += sep + query
	}
	resp, err := np.fwd.Forward(q.r.Context(), &integration.ForwardRequest{URL: u, Method: method, Header: header,
		Body: bytes.NewReader(body), ContentLength: int64(len(body))})
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(io.LimitReader(resp.Body, MaxBodyBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading the integration response: %w", err)
	}
	if len(out) > MaxBodyBytes {
		return nil, fmt.Errorf("the integration response is larger than %d bytes", MaxBodyBytes)
	}
	binary := len(a.binaryMediaTypes) > 0 && integration.AcceptsBinary(resp.Header.Get("Content-Type"), a.binaryMediaTypes)
	return &backendResult{selector: strconv.Itoa(resp.StatusCode), header: resp.Header, body: out, binary: binary}, nil
}

// respond writes the method response of the chosen integration response.
func (np *nonProxy) respond(a *API, w http.ResponseWriter, q *request, ir *integrationResponse, res *backendResult) {
	body := res.body
	binary := res.binary
	contentType := "application/json"
	status := ir.status
	var over overrides
	if key := pickTemplate(ir.templateKeys, q.r.Header.Get("Accept")); key != "" {
		in := body
		if binary {
			in = []byte(base64.StdEncoding.EncodeToString(body))
		}
		data := a.templateData(q, in)
		out, err := ir.templates[key].Render(data)
		if err != nil {
			a.log.Warn("rendering the response template", "request_id", q.requestID, "resource", q.match.ResourcePath, "error", err)
			a.fail(w, q, APIConfigurationError, "")
			return
		}
		body, binary, contentType = []byte(out), false, key
		over = readOverrides(data.Context, "responseOverride")
		status = cmp.Or(over.status, status)
	}
	body, err := convertResponse(body, binary, integration.AcceptsBinary(q.r.Header.Get("Accept"), a.binaryMediaTypes), ir.contentHandling)
	if err != nil {
		a.log.Warn("converting the integration response", "request_id", q.requestID, "resource", q.match.ResourcePath, "error", err)
		a.fail(w, q, APIConfigurationError, "")
		return
	}
	h := w.Header()
	scope := &responseScope{methodScope: methodScope{q: q, apiID: a.id}, header: res.header, body: res.body}
	for name, t := range ir.headers {
		if v, ok := t.Eval(scope); ok {
			h.Set(name, v)
		}
	}
	for k, v := range over.header { // $context.responseOverride wins
		if expr.ValidHeaderName(k) {
			h.Set(k, v)
		}
	}
	if h.Get("Content-Type") == "" {
		h.Set("Content-Type", contentType)
	}
	if np.kind == "AWS" {
		setTraceHeader(h, q)
	}
	writeResponse(w, status, nil, body)
}

// convertResponse applies an integration response's contentHandling to a
// payload, as AWS's response table does: text is base64-decoded for
// CONVERT_TO_BINARY, or with no contentHandling when the client accepts a
// binary media type; binary is base64-encoded for CONVERT_TO_TEXT, or
// with no contentHandling when the client does not accept a binary type.
func convertResponse(body []byte, binary, acceptBinary bool, handling string) ([]byte, error) {
	decode := !binary && (handling == "CONVERT_TO_BINARY" || (handling == "" && acceptBinary))
	encode := binary && (handling == "CONVERT_TO_TEXT" || (handling == "" && !acceptBinary))
	switch {
	case decode:
		out, err := base64.StdEncoding.DecodeString(string(body))
		if err != nil {
			return nil, fmt.Errorf("the payload is not base64 for a binary answer: %w", err)
		}
		return out, nil
	case encode:
		return []byte(base64.StdEncoding.EncodeToString(body)), nil
	}
	return body, nil
}

// responseScope resolves responseParameters sources: the method request's
// and the integration response's.
type responseScope struct {
	methodScope
	header http.Header
	body   []byte
}

// Value implements expr.Scope.
func (s *responseScope) Value(ref *expr.Ref) (string, bool) {
	switch ref.Root {
	case expr.IntegrationResponseHeader:
		v := s.header.Values(ref.Name)
		if len(v) == 0 {
			return "", false
		}
		return v[len(v)-1], true
	case expr.IntegrationResponseMultiValueHeader:
		v := s.header.Values(ref.Name)
		if len(v) == 0 {
			return "", false
		}
		return strings.Join(v, ","), true
	case expr.ResponseBody:
		return ref.Select(s.body)
	}
	return s.methodScope.Value(ref)
}
