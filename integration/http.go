package integration

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/portico-gw/portico/vtl"
)

// maxResponseBytes bounds what is read from an HTTP backend: API Gateway's
// 10 MB payload limit.
const maxResponseBytes = 10 << 20

// roundTrip sends req and reads the whole answer.
func roundTrip(client *http.Client, req *http.Request) (status int, header http.Header, body []byte, err error) {
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	body, err = io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	if err != nil {
		return 0, nil, nil, fmt.Errorf("reading the response: %w", err)
	}
	if len(body) > maxResponseBytes {
		return 0, nil, nil, fmt.Errorf("response larger than %d bytes", maxResponseBytes)
	}
	return resp.StatusCode, resp.Header, body, nil
}

// httpBackend is the request side shared by HTTP and HTTP_PROXY: method,
// URI with {NAME} placeholders, and requestParameters.
type httpBackend struct {
	client   *http.Client
	method   string
	uri      uriTemplate
	display  string // the URI without a password, for errors
	params   paramPlan
	deadline deadline
}

func newHTTPBackend(spec Spec, client *http.Client, d deadline) (*httpBackend, error) {
	params, err := newParamPlan(spec.RequestParameters)
	if err != nil {
		return nil, err
	}
	uri := parseURITemplate(spec.URI)
	names := uri.placeholders()
	sample := make(map[string]string, len(names))
	for _, name := range names {
		if !slices.ContainsFunc(params.path, func(m paramMapping) bool { return m.name == name }) {
			return nil, fmt.Errorf("integrationUri %q: {%s} has no integration.request.path.%s parameter", spec.URI, name, name)
		}
		sample[name] = "x"
	}
	for _, m := range params.path {
		if !slices.Contains(names, m.name) {
			return nil, fmt.Errorf("requestParameters integration.request.path.%s: integrationUri %q has no {%s}", m.name, spec.URI, m.name)
		}
	}
	u, err := url.Parse(uri.expand(sample))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("integrationUri %q is not an http(s) URL", spec.URI)
	}
	method := strings.ToUpper(spec.Method)
	switch method {
	case "", "ANY": // a WebSocket message has no method of its own
		method = http.MethodPost
	}
	if !validHeaderName(method) { // a method is a token too
		return nil, fmt.Errorf("integrationMethod %q is not an HTTP method", spec.Method)
	}
	return &httpBackend{client: client, method: method, uri: uri, display: u.Redacted(), params: params, deadline: d}, nil
}

// send makes one request with body and the mapped parameters, and returns
// the backend's answer. A parent cancellation gives ctx.Err() unwrapped.
func (b *httpBackend) send(ctx context.Context, req *Request, body []byte) (status int, header http.Header, respBody []byte, err error) {
	if err := ctx.Err(); err != nil {
		return 0, nil, nil, err
	}
	var pathValues map[string]string
	if len(b.params.path) > 0 {
		pathValues = make(map[string]string, len(b.params.path))
		for _, m := range b.params.path {
			if v, ok := m.value.resolve(req.Params); ok {
				pathValues[m.name] = v
			}
		}
	}
	target := b.uri.expand(pathValues)
	var query strings.Builder
	for _, m := range b.params.query {
		if v, ok := m.value.resolve(req.Params); ok {
			query.WriteByte('&')
			query.WriteString(url.QueryEscape(m.name))
			query.WriteByte('=')
			query.WriteString(url.QueryEscape(v))
		}
	}
	if query.Len() > 0 {
		target = appendQuery(target, query.String()[1:])
	}

	tctx, cancel := b.deadline.start(ctx)
	defer cancel()
	hreq, err := http.NewRequestWithContext(tctx, b.method, target, bytes.NewReader(body))
	if err != nil {
		return 0, nil, nil, fmt.Errorf("%s %s: %w", b.method, b.display, err)
	}
	for _, m := range b.params.headers {
		v, ok := m.value.resolve(req.Params)
		switch {
		case !ok:
		case strings.EqualFold(m.name, "Host"):
			hreq.Host = v
		default:
			hreq.Header.Set(m.name, sanitizeHeaderValue(v))
		}
	}
	if len(body) > 0 && hreq.Header.Get("Content-Type") == "" {
		hreq.Header.Set("Content-Type", "application/json")
	}
	status, header, respBody, err = roundTrip(b.client, hreq)
	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return 0, nil, nil, cerr
		}
		return 0, nil, nil, fmt.Errorf("%s %s: %w", b.method, b.display, b.deadline.check(tctx, err))
	}
	return status, header, respBody, nil
}

// appendQuery adds an encoded query to a URL that may have one, before its
// fragment.
func appendQuery(target, query string) string {
	frag := ""
	if i := strings.IndexByte(target, '#'); i >= 0 {
		target, frag = target[:i], target[i:]
	}
	switch {
	case strings.HasSuffix(target, "?"):
		target += query
	case strings.Contains(target, "?"):
		target += "&" + query
	default:
		target += "?" + query
	}
	return target + frag
}

// sanitizeHeaderValue replaces the bytes a header value cannot carry.
func sanitizeHeaderValue(v string) string {
	return strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' || r == 0 {
			return ' '
		}
		return r
	}, v)
}

// hopHeaders are connection-level header fields that are not passed on.
var hopHeaders = []string{
	"Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate",
	"Proxy-Authorization", "Te", "Trailer", "Transfer-Encoding", "Upgrade",
}

// endToEndHeader returns a copy of h without hop-by-hop fields.
func endToEndHeader(h http.Header) http.Header {
	out := h.Clone()
	if out == nil {
		return http.Header{}
	}
	for _, v := range out.Values("Connection") {
		for f := range strings.SplitSeq(v, ",") {
			out.Del(strings.TrimSpace(f))
		}
	}
	for _, name := range hopHeaders {
		out.Del(name)
	}
	return out
}

// requestTemplates selects and renders the request template of a
// non-proxy integration (VTL, parsed in New).
type requestTemplates struct {
	selection   selector
	templates   map[string]*vtl.Template
	passthrough string // WHEN_NO_MATCH, WHEN_NO_TEMPLATES or NEVER
}

func newRequestTemplates(spec Spec) (requestTemplates, error) {
	sel, err := parseSelector(spec.TemplateSelectionExpression)
	if err != nil {
		return requestTemplates{}, fmt.Errorf("templateSelectionExpression: %w", err)
	}
	pass := spec.PassthroughBehavior
	switch pass {
	case "":
		pass = "WHEN_NO_MATCH"
	case "WHEN_NO_MATCH", "WHEN_NO_TEMPLATES", "NEVER":
	default:
		return requestTemplates{}, fmt.Errorf("passthroughBehavior %q; want WHEN_NO_MATCH, WHEN_NO_TEMPLATES or NEVER", pass)
	}
	templates, err := parseTemplates(spec.RequestTemplates, "requestTemplates")
	if err != nil {
		return requestTemplates{}, err
	}
	return requestTemplates{selection: sel, templates: templates, passthrough: pass}, nil
}

// parseTemplates parses mapping templates by key.
func parseTemplates(src map[string]string, what string) (map[string]*vtl.Template, error) {
	if len(src) == 0 {
		return nil, nil
	}
	out := make(map[string]*vtl.Template, len(src))
	for key, s := range src {
		t, err := vtl.Parse(s)
		if err != nil {
			return nil, fmt.Errorf("%s[%q]: %w", what, key, err)
		}
		out[key] = t
	}
	return out, nil
}

// lookup returns the key of the template for this request: the one the
// selection expression evaluates to, else "$default".
func (t requestTemplates) lookup(body []byte) (key string, ok bool) {
	if len(t.templates) == 0 {
		return "", false
	}
	return pickTemplate(t.templates, t.selection.eval(selectionScope{body: body}))
}

// pickTemplate returns key when templates has it, else "$default" when
// templates has that.
func pickTemplate(templates map[string]*vtl.Template, key string) (string, bool) {
	if _, ok := templates[key]; ok {
		return key, true
	}
	_, ok := templates["$default"]
	return "$default", ok
}

// body returns what an integration sends: the selected template rendered
// or, as passthroughBehavior allows, the client's payload.
func (t requestTemplates) body(req *Request) ([]byte, error) {
	if key, ok := t.lookup(req.Body); ok {
		out, err := t.templates[key].Render(req.templateData(req.Body))
		if err != nil {
			return nil, &TemplateError{Err: err}
		}
		return []byte(out), nil
	}
	switch {
	case t.passthrough == "NEVER", t.passthrough == "WHEN_NO_TEMPLATES" && len(t.templates) > 0:
		return nil, ErrUnsupportedMediaType
	}
	return req.Body, nil
}

// TemplateError is a mapping template that failed to render: a
// configuration error, never the client's.
type TemplateError struct{ Err error }

func (e *TemplateError) Error() string { return "integration: mapping template: " + e.Err.Error() }
func (e *TemplateError) Unwrap() error { return e.Err }

// integrationResponses are the integration responses of a non-proxy
// integration.
type integrationResponses struct {
	keyed []keyedResponse // in configuration order
	def   *responseTemplates
}

type keyedResponse struct {
	key     string
	pattern *regexp.Regexp
	responseTemplates
}

type responseTemplates struct {
	selection selector
	templates map[string]*vtl.Template
}

func newIntegrationResponses(specs []ResponseSpec) (integrationResponses, error) {
	var r integrationResponses
	seen := make(map[string]bool, len(specs))
	for _, s := range specs {
		if seen[s.Key] {
			return integrationResponses{}, fmt.Errorf("integration response key %q appears twice", s.Key)
		}
		seen[s.Key] = true
		sel, err := parseSelector(s.TemplateSelectionExpression)
		if err != nil {
			return integrationResponses{}, fmt.Errorf("integration response %s: templateSelectionExpression: %w", s.Key, err)
		}
		templates, err := parseTemplates(s.Templates, "integration response "+s.Key+" responseTemplates")
		if err != nil {
			return integrationResponses{}, err
		}
		rt := responseTemplates{selection: sel, templates: templates}
		if s.Key == "$default" {
			r.def = &rt
			continue
		}
		if len(s.Key) < 3 || s.Key[0] != '/' || s.Key[len(s.Key)-1] != '/' {
			return integrationResponses{}, fmt.Errorf("integration response key %q: want $default or a /regex/", s.Key)
		}
		re, err := vtl.CompileJavaRegexpWhole(s.Key[1 : len(s.Key)-1])
		if err != nil {
			return integrationResponses{}, fmt.Errorf("integration response key %q: %w", s.Key, err)
		}
		r.keyed = append(r.keyed, keyedResponse{key: s.Key, pattern: re, responseTemplates: rt})
	}
	return r, nil
}

// find returns the integration response for key (the status code, or a
// Lambda function's errorMessage): the first regex key that matches it
// whole, else $default, else nil.
func (r integrationResponses) find(key string) *responseTemplates {
	for i := range r.keyed {
		if r.keyed[i].pattern.MatchString(key) {
			return &r.keyed[i].responseTemplates
		}
	}
	return r.def
}

// apply maps a backend answer through the integration responses, selected
// by key (the status code; a Lambda function's errorMessage). Without a
// matching integration response or template the backend's body passes
// through, with its Content-Type; a template's rendering replaces it
// ($input.body is the backend's body) and no header is kept.
func (r integrationResponses) apply(key string, status int, header http.Header, body []byte, req *Request) (*Response, error) {
	resp := &Response{StatusCode: status, Header: http.Header{}, Body: body}
	if ct := header.Get("Content-Type"); ct != "" {
		resp.Header.Set("Content-Type", ct)
	}
	ir := r.find(key)
	if ir == nil || len(ir.templates) == 0 {
		return resp, nil
	}
	tkey := ir.selection.eval(selectionScope{body: req.Body, status: status, header: header})
	if key, ok := pickTemplate(ir.templates, tkey); ok {
		out, err := ir.templates[key].Render(req.templateData(body))
		if err != nil {
			return nil, &TemplateError{Err: err}
		}
		resp.Header = http.Header{}
		resp.Body = []byte(out)
	}
	return resp, nil
}

// httpIntegration is an HTTP (non-proxy) integration.
type httpIntegration struct {
	backend *httpBackend
	mapping
}

var _ Invoker = (*httpIntegration)(nil)

// mapping is the request and response side of a non-proxy integration
// (AWS, HTTP, MOCK).
type mapping struct {
	request   requestTemplates
	responses integrationResponses
}

func newMapping(spec Spec) (mapping, error) {
	request, err := newRequestTemplates(spec)
	if err != nil {
		return mapping{}, err
	}
	responses, err := newIntegrationResponses(spec.Responses)
	if err != nil {
		return mapping{}, err
	}
	return mapping{request: request, responses: responses}, nil
}

func newHTTP(spec Spec, client *http.Client, d deadline) (*httpIntegration, error) {
	backend, err := newHTTPBackend(spec, client, d)
	if err != nil {
		return nil, err
	}
	m, err := newMapping(spec)
	if err != nil {
		return nil, err
	}
	return &httpIntegration{backend: backend, mapping: m}, nil
}

// Invoke implements Invoker.
func (h *httpIntegration) Invoke(ctx context.Context, req *Request) (*Response, error) {
	body, err := h.request.body(req)
	if err != nil {
		return nil, err
	}
	status, header, respBody, err := h.backend.send(ctx, req, body)
	if err != nil {
		return nil, err
	}
	return h.responses.apply(strconv.Itoa(status), status, header, respBody, req)
}
