package rest

import (
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/portico-gw/portico/expr"
	"github.com/portico-gw/portico/internal/ids"
	"github.com/portico-gw/portico/internal/jsonstr"
	"github.com/portico-gw/portico/vtl"
)

// This file is the only place that writes gateway-generated responses for
// REST APIs: the table of the 21 gateway response types with AWS's defaults
// (reference http-and-rest-apis.md §3.1, rest-apis.md §1.4), and the
// per-API overrides compiled from GatewayResponseSpecs.

// ResponseType is a gateway response type, spelt as AWS spells it
// (GatewayResponseType).
type ResponseType string

// The gateway response types.
const (
	AccessDenied                 ResponseType = "ACCESS_DENIED"
	APIConfigurationError        ResponseType = "API_CONFIGURATION_ERROR"
	AuthorizerConfigurationError ResponseType = "AUTHORIZER_CONFIGURATION_ERROR"
	AuthorizerFailure            ResponseType = "AUTHORIZER_FAILURE"
	BadRequestParameters         ResponseType = "BAD_REQUEST_PARAMETERS"
	BadRequestBody               ResponseType = "BAD_REQUEST_BODY"
	Default4XX                   ResponseType = "DEFAULT_4XX"
	Default5XX                   ResponseType = "DEFAULT_5XX"
	ExpiredToken                 ResponseType = "EXPIRED_TOKEN"
	IntegrationFailure           ResponseType = "INTEGRATION_FAILURE"
	IntegrationTimeout           ResponseType = "INTEGRATION_TIMEOUT"
	InvalidAPIKey                ResponseType = "INVALID_API_KEY"
	InvalidSignature             ResponseType = "INVALID_SIGNATURE"
	MissingAuthenticationToken   ResponseType = "MISSING_AUTHENTICATION_TOKEN"
	QuotaExceeded                ResponseType = "QUOTA_EXCEEDED"
	RequestTooLarge              ResponseType = "REQUEST_TOO_LARGE"
	ResourceNotFound             ResponseType = "RESOURCE_NOT_FOUND"
	Throttled                    ResponseType = "THROTTLED"
	Unauthorized                 ResponseType = "UNAUTHORIZED"
	UnsupportedMediaType         ResponseType = "UNSUPPORTED_MEDIA_TYPE"
	WAFFiltered                  ResponseType = "WAF_FILTERED"
)

// defaultTemplate is the body template of every default gateway response
// but ACCESS_DENIED's.
const defaultTemplate = `{"message":$context.error.messageString}`

// validationTemplate is the default body template of the request
// validator's two types: AWS answers them with a space after the colon,
// {"message": "Missing required request parameters: [key]"} (measured
// against AWS by pulumi-awsx's API test), unlike its other gateway
// responses.
const validationTemplate = `{"message": $context.error.messageString}`

// builtin is one row of the default table.
type builtin struct {
	status    int
	message   string
	null      bool   // the message is JSON null ($context.error.messageString is null)
	errorType string // x-amzn-ErrorType
	template  string // "" means defaultTemplate
}

// Messages of the default table that callers may also pass as
// ErrorContext.Message.
const (
	// MessageExplicitDeny is ACCESS_DENIED's default: a Deny statement
	// matched.
	MessageExplicitDeny = "User is not authorized to access this resource with an explicit deny"
	// MessageImplicitDeny is ACCESS_DENIED's message when no statement
	// allowed the call.
	MessageImplicitDeny = "User is not authorized to access this resource"
	// MessageInternalError is the message of a failed Lambda proxy
	// integration (502) and of DEFAULT_5XX.
	MessageInternalError = "Internal server error"
)

// builtins is the default table (doc.go says which rows are Portico's
// choices).
var builtins = map[ResponseType]builtin{
	AccessDenied:                 {http.StatusForbidden, MessageExplicitDeny, false, "AccessDeniedException", `{"Message":$context.error.messageString}`},
	APIConfigurationError:        {http.StatusInternalServerError, MessageInternalError, false, "InternalServerErrorException", ""},
	AuthorizerConfigurationError: {http.StatusInternalServerError, "", true, "AuthorizerConfigurationException", ""},
	AuthorizerFailure:            {http.StatusInternalServerError, "", true, "AuthorizerFailureException", ""},
	BadRequestParameters:         {http.StatusBadRequest, "Invalid request parameters", false, "BadRequestException", validationTemplate},
	BadRequestBody:               {http.StatusBadRequest, "Invalid request body", false, "BadRequestException", validationTemplate},
	Default4XX:                   {http.StatusBadRequest, "Bad Request", false, "BadRequestException", ""},
	Default5XX:                   {http.StatusInternalServerError, MessageInternalError, false, "InternalServerErrorException", ""},
	ExpiredToken:                 {http.StatusForbidden, "The security token included in the request is expired", false, "ExpiredTokenException", ""},
	IntegrationFailure:           {http.StatusGatewayTimeout, MessageInternalError, false, "InternalServerErrorException", ""},
	IntegrationTimeout:           {http.StatusGatewayTimeout, "Endpoint request timed out", false, "InternalServerErrorException", ""},
	InvalidAPIKey:                {http.StatusForbidden, "Forbidden", false, "ForbiddenException", ""},
	InvalidSignature:             {http.StatusForbidden, "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.", false, "InvalidSignatureException", ""},
	MissingAuthenticationToken:   {http.StatusForbidden, "Missing Authentication Token", false, "MissingAuthenticationTokenException", ""},
	QuotaExceeded:                {http.StatusTooManyRequests, "Limit Exceeded", false, "LimitExceededException", ""},
	RequestTooLarge:              {http.StatusRequestEntityTooLarge, "Request Too Long", false, "RequestTooLongException", ""},
	ResourceNotFound:             {http.StatusNotFound, "Not Found", false, "NotFoundException", ""},
	Throttled:                    {http.StatusTooManyRequests, "Too Many Requests", false, "TooManyRequestsException", ""},
	Unauthorized:                 {http.StatusUnauthorized, "Unauthorized", false, "UnauthorizedException", ""},
	UnsupportedMediaType:         {http.StatusUnsupportedMediaType, "Unsupported Media Type", false, "BadRequestException", ""},
	WAFFiltered:                  {http.StatusForbidden, "Forbidden", false, "ForbiddenException", ""},
}

// ResponseTypes returns the 21 gateway response types in AWS's (sorted)
// order.
func ResponseTypes() []ResponseType { return slices.Sorted(maps.Keys(builtins)) }

// Valid reports whether t is one of the 21 gateway response types.
func (t ResponseType) Valid() bool {
	_, ok := builtins[t]
	return ok
}

// DefaultStatus returns the status code t has without an override; 0 for
// an unknown type. DEFAULT_4XX and DEFAULT_5XX, which AWS lists with a null
// status, give 400 and 500, the status they answer with when written
// themselves.
func (t ResponseType) DefaultStatus() int { return builtins[t].status }

// DefaultMessage returns the message t has when the caller passes none;
// null is true for the types whose message is JSON null.
func (t ResponseType) DefaultMessage() (message string, null bool) {
	b := builtins[t]
	return b.message, b.null
}

// ErrorType returns t's x-amzn-ErrorType value.
func (t ResponseType) ErrorType() string { return builtins[t].errorType }

// fallback returns the DEFAULT_* type whose override t inherits, or "" for
// the DEFAULT_* types themselves.
func (t ResponseType) fallback() ResponseType {
	switch {
	case t == Default4XX || t == Default5XX:
		return ""
	case builtins[t].status >= 500:
		return Default5XX
	default:
		return Default4XX
	}
}

// GatewayResponseSpec is one customised gateway response of an API (AWS's
// GatewayResponse, put-gateway-response). config converts its own shape to
// this one.
type GatewayResponseSpec struct {
	Type ResponseType
	// StatusCode is the status to answer with, a three-digit code. Empty
	// keeps the type's own status.
	StatusCode string
	// ResponseParameters maps gatewayresponse.header.NAME to 'static',
	// method.request.header|querystring|path.NAME, stageVariables.NAME or
	// context.NAME.
	ResponseParameters map[string]string
	// ResponseTemplates maps a media type to a body template. Empty keeps
	// the default body.
	ResponseTemplates map[string]string
}

// GatewayResponses is an API's table of gateway responses: AWS's defaults
// with the API's overrides compiled in. It is immutable and safe for
// concurrent use. A nil *GatewayResponses answers with the defaults.
type GatewayResponses struct {
	overrides map[ResponseType]*override
}

// override is a compiled GatewayResponseSpec.
type override struct {
	status    int // 0: the type's own
	headers   []headerParam
	templates map[string]*vtl.Template // by lower-case media type; empty: the default body
	keys      []string                 // the template keys, sorted
}

// headerParam is one gatewayresponse.header.NAME mapping.
type headerParam struct {
	name  string
	value *expr.Template // one static part or one reference
}

// NewGatewayResponses compiles an API's gateway response overrides. An
// unknown or repeated type, a status that is not a three-digit code from
// 100 to 599, a response parameter key other than gatewayresponse.header.NAME,
// a source other than those GatewayResponseSpec lists, an empty media type
// and a template that does not parse are errors.
func NewGatewayResponses(specs []GatewayResponseSpec) (*GatewayResponses, error) {
	g := &GatewayResponses{overrides: make(map[ResponseType]*override, len(specs))}
	for _, s := range specs {
		if !s.Type.Valid() {
			return nil, fmt.Errorf("rest: unknown gateway response type %q", s.Type)
		}
		if _, dup := g.overrides[s.Type]; dup {
			return nil, fmt.Errorf("rest: gateway response %s is given twice", s.Type)
		}
		o, err := compileOverride(s)
		if err != nil {
			return nil, fmt.Errorf("rest: gateway response %s: %w", s.Type, err)
		}
		g.overrides[s.Type] = o
	}
	return g, nil
}

func compileOverride(s GatewayResponseSpec) (*override, error) {
	o := &override{}
	if s.StatusCode != "" {
		n, err := strconv.Atoi(s.StatusCode)
		if err != nil || len(s.StatusCode) != 3 || n < 100 || n > 599 {
			return nil, fmt.Errorf("statusCode %q is not an HTTP status code", s.StatusCode)
		}
		o.status = n
	}
	for _, key := range slices.Sorted(maps.Keys(s.ResponseParameters)) {
		name, ok := strings.CutPrefix(key, "gatewayresponse.header.")
		if !ok || !expr.ValidHeaderName(name) {
			return nil, fmt.Errorf("responseParameters key %q: want gatewayresponse.header.NAME", key)
		}
		value := s.ResponseParameters[key]
		t, err := parseHeaderSource(value)
		if err != nil {
			return nil, fmt.Errorf("responseParameters %s: %w", key, err)
		}
		o.headers = append(o.headers, headerParam{name: name, value: t})
	}
	if len(s.ResponseTemplates) > 0 {
		o.templates = make(map[string]*vtl.Template, len(s.ResponseTemplates))
	}
	for mediaType, src := range s.ResponseTemplates {
		key := strings.ToLower(strings.TrimSpace(mediaType))
		if key == "" || !strings.Contains(key, "/") {
			return nil, fmt.Errorf("responseTemplates key %q is not a media type", mediaType)
		}
		if _, dup := o.templates[key]; dup {
			return nil, fmt.Errorf("responseTemplates key %q is given twice", mediaType)
		}
		t, err := vtl.Parse(src)
		if err != nil {
			return nil, fmt.Errorf("responseTemplates %s: %w", mediaType, err)
		}
		o.templates[key] = t
	}
	o.keys = slices.Sorted(maps.Keys(o.templates))
	return o, nil
}

// parseHeaderSource parses a gateway response parameter value: 'static',
// method.request.header|querystring|path.NAME, stageVariables.NAME or
// context.NAME.
func parseHeaderSource(value string) (*expr.Template, error) {
	const want = "want 'static', method.request.header|querystring|path.NAME, stageVariables.NAME or context.NAME"
	t, err := expr.ParseParam(value, expr.MethodRequest)
	if err != nil {
		return nil, err
	}
	if p := t.Parts()[0]; p.Ref != nil {
		switch p.Ref.Root {
		case expr.RequestHeader, expr.RequestQueryString, expr.StageVariable, expr.Context:
		case expr.RequestPath:
			if p.Ref.Name == "" {
				return nil, fmt.Errorf("%q: %s", value, want)
			}
		default:
			return nil, fmt.Errorf("%q: %s", value, want)
		}
	}
	return t, nil
}

// ErrorContext is what a gateway response reads about the request it
// answers. Every field is optional; Write does not modify it.
type ErrorContext struct {
	// Request is the method request as it arrived, for
	// method.request.header and method.request.querystring sources and the
	// Accept header that chooses a template.
	Request *http.Request
	// PathParameters are the matched resource's path parameters, for
	// method.request.path sources.
	PathParameters map[string]string
	// StageVariables are the stage's variables.
	StageVariables map[string]string
	// Context holds $context variables by name: requestId,
	// extendedRequestId, apiId, stage, resourcePath, httpMethod, ...
	// context.error.* are the gateway response's own and are not read
	// from here. A missing requestId is made up (a UUID), as is a missing
	// extendedRequestId (16 characters ending in "=").
	Context map[string]string
	// Message replaces the type's default message ($context.error.message);
	// empty keeps it. An authorizer's deny passes MessageImplicitDeny, a
	// request validator "Missing required request parameters: [q1]".
	Message string
	// StatusCode is the status when no override sets one; zero keeps the
	// type's. A failed Lambda proxy integration is DEFAULT_5XX with
	// StatusCode 502 (AWS answers 502, not INTEGRATION_FAILURE's 504).
	StatusCode int
	// ValidationErrorString is $context.error.validationErrorString: a
	// request validator's detail, already escaped as the inside of a JSON
	// string. Empty for other failures.
	ValidationErrorString string
	// Body replaces the default body when no override's template applies:
	// AWS's 502 for a failed Lambda proxy integration is
	// {"message": "Internal server error"}, with a space the default
	// template does not write. Empty keeps the template.
	Body string
}

// Write answers with the gateway response of typ: the type's own override,
// else the override of DEFAULT_4XX or DEFAULT_5XX (by the type's default
// status), else AWS's default. An unknown typ is written as DEFAULT_5XX.
func (g *GatewayResponses) Write(w http.ResponseWriter, typ ResponseType, in *ErrorContext) {
	status, header, body := g.render(typ, in)
	h := w.Header()
	for k, v := range header {
		h[k] = v
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// render returns what Write writes.
func (g *GatewayResponses) render(typ ResponseType, in *ErrorContext) (int, http.Header, []byte) {
	if !typ.Valid() {
		typ = Default5XX
	}
	if in == nil {
		in = &ErrorContext{}
	}
	b := builtins[typ]
	s := &errorScope{in: in, typ: typ, message: b.message, null: b.null}
	if in.Message != "" {
		s.message, s.null = in.Message, false
	}
	s.requestID = in.Context["requestId"]
	if s.requestID == "" {
		s.requestID = uuid.NewString()
	}
	extendedID := in.Context["extendedRequestId"]
	if extendedID == "" {
		extendedID = ids.NewRequestID()
	}

	o := g.lookup(typ)
	status := b.status
	if in.StatusCode != 0 {
		status = in.StatusCode
	}
	if o != nil && o.status != 0 {
		status = o.status
	}

	header := http.Header{}
	if o != nil {
		for _, p := range o.headers {
			if v, ok := p.value.Eval(s); ok {
				header.Set(p.name, v)
			}
		}
	}
	var body []byte
	contentType := "application/json"
	if o != nil && len(o.templates) > 0 {
		key := o.choose(in.Request)
		contentType = key
		data := s.templateData()
		out, err := o.templates[key].Render(data)
		if err != nil { // a template that fails at run time: AWS's default body
			out = defaultTemplates[defaultTemplate].Render(s)
		}
		body = []byte(out)
		if over := readOverrides(data.Context, "responseOverride"); over.status != 0 {
			status = over.status
		}
	} else if in.Body != "" {
		body = []byte(in.Body)
	} else {
		src := b.template
		if src == "" {
			src = defaultTemplate
		}
		body = []byte(defaultTemplates[src].Render(s))
	}
	if header.Get("Content-Type") == "" {
		header.Set("Content-Type", contentType)
	}
	header.Set("x-amzn-RequestId", s.requestID)
	header.Set("x-amzn-ErrorType", b.errorType)
	header.Set("x-amz-apigw-id", extendedID)
	return status, header, body
}

// lookup returns the override that applies to typ: its own, else its
// DEFAULT_* type's; nil for none.
func (g *GatewayResponses) lookup(typ ResponseType) *override {
	if g == nil {
		return nil
	}
	if o := g.overrides[typ]; o != nil {
		return o
	}
	if f := typ.fallback(); f != "" {
		return g.overrides[f]
	}
	return nil
}

// choose returns the key of the template for r: the first media type of
// its Accept header, else application/json, else the first key in sorted
// order.
func (o *override) choose(r *http.Request) string {
	accept := ""
	if r != nil {
		accept = r.Header.Get("Accept")
	}
	return pickTemplate(o.keys, accept)
}

// pickTemplate chooses among templates keyed by media type (keys, sorted):
// the Accept header's first type when a template has it, else
// application/json, else the first key; "" when there is none. Gateway
// responses and MOCK integration responses choose alike.
func pickTemplate(keys []string, accept string) string {
	if len(keys) == 0 {
		return ""
	}
	first, _, _ := strings.Cut(accept, ",")
	if mt, _, err := mime.ParseMediaType(first); err == nil && slices.Contains(keys, mt) {
		return mt
	}
	if slices.Contains(keys, "application/json") {
		return "application/json"
	}
	return keys[0]
}

// errorScope resolves the references of gateway response headers and
// templates.
type errorScope struct {
	in        *ErrorContext
	typ       ResponseType
	message   string
	null      bool
	requestID string
}

var _ expr.Scope = (*errorScope)(nil)

// Value implements expr.Scope.
func (s *errorScope) Value(ref *expr.Ref) (string, bool) {
	if ref.Root != expr.Context {
		return requestValue(s.in.Request, s.in.PathParameters, s.in.StageVariables, nil, ref)
	}
	switch ref.Name {
	case "error.message":
		return s.message, true
	case "error.messageString":
		if s.null {
			return "null", true
		}
		return jsonstr.Quote(s.message), true
	case "error.responseType":
		return string(s.typ), true
	case "error.validationErrorString":
		return s.in.ValidationErrorString, true
	case "requestId":
		return s.requestID, true
	}
	v, ok := s.in.Context[ref.Name]
	return v, ok
}

// templateData is what an override's body template (VTL) reads: $context
// with error.message, error.messageString, error.responseType and
// error.validationErrorString, the method request's parameters, and the
// stage variables.
func (s *errorScope) templateData() *vtl.Data {
	ctx := make(map[string]any, len(s.in.Context)+2)
	for name, v := range s.in.Context {
		setDotted(ctx, name, v)
	}
	messageString := "null"
	if !s.null {
		messageString = jsonstr.Quote(s.message)
	}
	ctx["error"] = map[string]any{"message": s.message, "messageString": messageString,
		"responseType": string(s.typ), "validationErrorString": s.in.ValidationErrorString}
	ctx["requestId"] = s.requestID
	d := &vtl.Data{Context: ctx, StageVariables: s.in.StageVariables,
		Params: vtl.Params{Path: s.in.PathParameters, QueryString: map[string]string{}, Header: map[string]string{}}}
	if r := s.in.Request; r != nil {
		for k, v := range r.URL.Query() {
			d.Params.QueryString[k] = v[len(v)-1]
		}
		for k, v := range r.Header {
			d.Params.Header[k] = v[len(v)-1]
		}
	}
	return d
}

// setDotted sets m["a"]["b"] for the name "a.b".
func setDotted(m map[string]any, name string, v any) {
	for {
		head, rest, ok := strings.Cut(name, ".")
		if !ok {
			m[name] = v
			return
		}
		next, _ := m[head].(map[string]any)
		if next == nil {
			next = map[string]any{}
			m[head] = next
		}
		m, name = next, rest
	}
}

// WriteUnknownStage answers a request for a stage the API does not have:
// 403 {"message":"Forbidden"} (ForbiddenException), with a UUID
// x-amzn-RequestId and an x-amz-apigw-id as every REST answer has. No
// gateway response override applies: the request reached no stage.
func WriteUnknownStage(w http.ResponseWriter) {
	const body = `{"message":"Forbidden"}`
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("x-amzn-RequestId", uuid.NewString())
	h.Set("x-amzn-ErrorType", "ForbiddenException")
	h.Set("x-amz-apigw-id", ids.NewRequestID())
	w.WriteHeader(http.StatusForbidden)
	_, _ = io.WriteString(w, body)
}
