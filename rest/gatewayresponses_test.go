package rest

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

// write runs Write and returns the recorded answer.
func write(t testing.TB, g *GatewayResponses, typ ResponseType, in *ErrorContext) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	g.Write(rec, typ, in)
	return rec
}

func mustCompile(t testing.TB, specs ...GatewayResponseSpec) *GatewayResponses {
	t.Helper()
	g, err := NewGatewayResponses(specs)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestDefaults(t *testing.T) {
	tests := []struct {
		typ       ResponseType
		status    int
		body      string
		errorType string
	}{
		{AccessDenied, 403, `{"Message":"User is not authorized to access this resource with an explicit deny"}`, "AccessDeniedException"},
		{APIConfigurationError, 500, `{"message":"Internal server error"}`, "InternalServerErrorException"},
		{AuthorizerConfigurationError, 500, `{"message":null}`, "AuthorizerConfigurationException"},
		{AuthorizerFailure, 500, `{"message":null}`, "AuthorizerFailureException"},
		{BadRequestParameters, 400, `{"message": "Invalid request parameters"}`, "BadRequestException"},
		{BadRequestBody, 400, `{"message": "Invalid request body"}`, "BadRequestException"},
		{Default4XX, 400, `{"message":"Bad Request"}`, "BadRequestException"},
		{Default5XX, 500, `{"message":"Internal server error"}`, "InternalServerErrorException"},
		{ExpiredToken, 403, `{"message":"The security token included in the request is expired"}`, "ExpiredTokenException"},
		{IntegrationFailure, 504, `{"message":"Internal server error"}`, "InternalServerErrorException"},
		{IntegrationTimeout, 504, `{"message":"Endpoint request timed out"}`, "InternalServerErrorException"},
		{InvalidAPIKey, 403, `{"message":"Forbidden"}`, "ForbiddenException"},
		{InvalidSignature, 403, `{"message":"The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."}`, "InvalidSignatureException"},
		{MissingAuthenticationToken, 403, `{"message":"Missing Authentication Token"}`, "MissingAuthenticationTokenException"},
		{QuotaExceeded, 429, `{"message":"Limit Exceeded"}`, "LimitExceededException"},
		{RequestTooLarge, 413, `{"message":"Request Too Long"}`, "RequestTooLongException"},
		{ResourceNotFound, 404, `{"message":"Not Found"}`, "NotFoundException"},
		{Throttled, 429, `{"message":"Too Many Requests"}`, "TooManyRequestsException"},
		{Unauthorized, 401, `{"message":"Unauthorized"}`, "UnauthorizedException"},
		{UnsupportedMediaType, 415, `{"message":"Unsupported Media Type"}`, "BadRequestException"},
		{WAFFiltered, 403, `{"message":"Forbidden"}`, "ForbiddenException"},
	}
	if len(tests) != 21 || len(ResponseTypes()) != 21 {
		t.Fatalf("%d cases, %d types; want 21", len(tests), len(ResponseTypes()))
	}
	for _, g := range []*GatewayResponses{nil, mustCompile(t)} {
		for _, tt := range tests {
			t.Run(string(tt.typ), func(t *testing.T) {
				rec := write(t, g, tt.typ, &ErrorContext{Context: map[string]string{
					"requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef", "extendedRequestId": "TXzPWFkkjoEF92g=",
				}})
				if rec.Code != tt.status || rec.Body.String() != tt.body {
					t.Errorf("got %d %s, want %d %s", rec.Code, rec.Body, tt.status, tt.body)
				}
				want := map[string]string{
					"Content-Type":     "application/json",
					"Content-Length":   strconv.Itoa(len(tt.body)),
					"X-Amzn-Requestid": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
					"X-Amzn-Errortype": tt.errorType,
					"X-Amz-Apigw-Id":   "TXzPWFkkjoEF92g=",
				}
				for k, v := range want {
					if got := rec.Header().Values(k); len(got) != 1 || got[0] != v {
						t.Errorf("%s = %q, want %q", k, got, v)
					}
				}
				if len(rec.Header()) != len(want) {
					t.Errorf("header %v has extra fields", rec.Header())
				}
				if tt.typ.DefaultStatus() != tt.status || tt.typ.ErrorType() != tt.errorType {
					t.Errorf("DefaultStatus/ErrorType = %d %s", tt.typ.DefaultStatus(), tt.typ.ErrorType())
				}
			})
		}
	}
}

func TestMadeUpIDs(t *testing.T) {
	rec := write(t, nil, MissingAuthenticationToken, nil)
	if id := rec.Header().Get("x-amzn-RequestId"); len(id) != 36 {
		t.Errorf("x-amzn-RequestId %q is not a UUID", id)
	}
	if id := rec.Header().Get("x-amz-apigw-id"); len(id) != 16 || !strings.HasSuffix(id, "=") {
		t.Errorf("x-amz-apigw-id %q is not 16 characters ending in =", id)
	}
}

func TestMessageAndStatus(t *testing.T) {
	rec := write(t, nil, AccessDenied, &ErrorContext{Message: MessageImplicitDeny})
	if want := `{"Message":"User is not authorized to access this resource"}`; rec.Body.String() != want {
		t.Errorf("body %s, want %s", rec.Body, want)
	}
	rec = write(t, nil, BadRequestParameters, &ErrorContext{Message: `Missing required request parameters: [x-header-param, "q"]`})
	if want := `{"message": "Missing required request parameters: [x-header-param, \"q\"]"}`; rec.Body.String() != want {
		t.Errorf("body %s, want %s", rec.Body, want)
	}
	rec = write(t, nil, Default5XX, &ErrorContext{StatusCode: http.StatusBadGateway})
	if rec.Code != 502 || rec.Body.String() != `{"message":"Internal server error"}` {
		t.Errorf("got %d %s", rec.Code, rec.Body)
	}
	rec = write(t, nil, "NO_SUCH_TYPE", nil)
	if rec.Code != 500 || rec.Header().Get("x-amzn-ErrorType") != "InternalServerErrorException" {
		t.Errorf("unknown type: got %d %v", rec.Code, rec.Header())
	}
}

func TestOverrides(t *testing.T) {
	req := httptest.NewRequest("GET", "/pets/7?q=1&q=2&lang=fr", nil)
	req.Header.Set("Origin", "https://example.com")
	req.Header.Set("Accept", "text/html; q=0.9, application/json")
	in := &ErrorContext{
		Request:        req,
		PathParameters: map[string]string{"id": "7"},
		StageVariables: map[string]string{"env": "prod"},
		Context: map[string]string{
			"requestId": "req-1", "extendedRequestId": "TXzPWFkkjoEF92g=",
			"apiId": "a1b2c3", "stage": "prod", "resourcePath": "/pets/{id}",
		},
	}
	tests := []struct {
		name   string
		specs  []GatewayResponseSpec
		typ    ResponseType
		in     *ErrorContext
		status int
		body   string
		header map[string]string // "" means absent
	}{
		{
			name:   "status",
			specs:  []GatewayResponseSpec{{Type: MissingAuthenticationToken, StatusCode: "404"}},
			typ:    MissingAuthenticationToken,
			status: 404, body: `{"message":"Missing Authentication Token"}`,
			header: map[string]string{"x-amzn-ErrorType": "MissingAuthenticationTokenException"},
		},
		{
			name: "header sources",
			specs: []GatewayResponseSpec{{Type: AccessDenied, ResponseParameters: map[string]string{
				"gatewayresponse.header.X-Static":  "'hello world'",
				"gatewayresponse.header.X-Origin":  "method.request.header.origin",
				"gatewayresponse.header.X-Q":       "method.request.querystring.q",
				"gatewayresponse.header.X-Id":      "method.request.path.id",
				"gatewayresponse.header.X-Env":     "stageVariables.env",
				"gatewayresponse.header.X-Api":     "context.apiId",
				"gatewayresponse.header.X-Req":     "context.requestId",
				"gatewayresponse.header.X-Type":    "context.error.responseType",
				"gatewayresponse.header.X-Missing": "method.request.header.X-None",
			}}},
			typ:    AccessDenied,
			status: 403, body: `{"Message":"User is not authorized to access this resource with an explicit deny"}`,
			header: map[string]string{
				"X-Static": "hello world", "X-Origin": "https://example.com", "X-Q": "2", "X-Id": "7",
				"X-Env": "prod", "X-Api": "a1b2c3", "X-Req": "req-1", "X-Type": "ACCESS_DENIED", "X-Missing": "",
				"Content-Type": "application/json",
			},
		},
		{
			name: "templates by Accept",
			specs: []GatewayResponseSpec{{Type: ResourceNotFound, ResponseTemplates: map[string]string{
				"application/json": `{"error":$context.error.messageString,"type":"$context.error.responseType","id":"${context.requestId}"}`,
				"text/html":        `<p>$context.error.message in $stageVariables.env/$context.stage ($context.nothing)</p>`,
			}}},
			typ:    ResourceNotFound,
			status: 404, body: `<p>Not Found in prod/prod ()</p>`,
			header: map[string]string{"Content-Type": "text/html"},
		},
		{
			name: "template application/json when Accept matches none",
			specs: []GatewayResponseSpec{{Type: ResourceNotFound, ResponseTemplates: map[string]string{
				"application/json": `{"error":$context.error.messageString,"type":"$context.error.responseType","id":"${context.requestId}"}`,
				"application/xml":  `<e/>`,
			}}},
			typ:    ResourceNotFound,
			status: 404, body: `{"error":"Not Found","type":"RESOURCE_NOT_FOUND","id":"req-1"}`,
			header: map[string]string{"Content-Type": "application/json"},
		},
		{
			name: "first template otherwise",
			specs: []GatewayResponseSpec{{Type: ResourceNotFound, ResponseTemplates: map[string]string{
				"text/plain": `nope`, "application/xml": `<e/>`,
			}}},
			typ:    ResourceNotFound,
			status: 404, body: `<e/>`,
			header: map[string]string{"Content-Type": "application/xml"},
		},
		{
			name: "content type parameter wins",
			specs: []GatewayResponseSpec{{Type: Throttled,
				ResponseParameters: map[string]string{"gatewayresponse.header.Content-Type": "'application/problem+json'"},
				ResponseTemplates:  map[string]string{"application/json": `{"title":$context.error.messageString}`},
			}},
			typ:    Throttled,
			status: 429, body: `{"title":"Too Many Requests"}`,
			header: map[string]string{"Content-Type": "application/problem+json", "x-amzn-ErrorType": "TooManyRequestsException"},
		},
		{
			name: "gateway headers cannot be replaced",
			specs: []GatewayResponseSpec{{Type: Throttled, ResponseParameters: map[string]string{
				"gatewayresponse.header.x-amzn-ErrorType": "'Mine'",
				"gatewayresponse.header.x-amzn-RequestId": "'mine'",
			}}},
			typ:    Throttled,
			status: 429, body: `{"message":"Too Many Requests"}`,
			header: map[string]string{"x-amzn-ErrorType": "TooManyRequestsException", "x-amzn-RequestId": "req-1"},
		},
		{
			name: "CORS fix through DEFAULT_4XX",
			specs: []GatewayResponseSpec{{Type: Default4XX, ResponseParameters: map[string]string{
				"gatewayresponse.header.Access-Control-Allow-Origin": "'*'",
			}}},
			typ:    MissingAuthenticationToken,
			status: 403, body: `{"message":"Missing Authentication Token"}`,
			header: map[string]string{"Access-Control-Allow-Origin": "*", "x-amzn-ErrorType": "MissingAuthenticationTokenException"},
		},
		{
			name:   "DEFAULT_4XX status reaches every 4xx without its own",
			specs:  []GatewayResponseSpec{{Type: Default4XX, StatusCode: "418"}},
			typ:    InvalidAPIKey,
			status: 418, body: `{"message":"Forbidden"}`,
		},
		{
			name:   "DEFAULT_4XX reaches UNAUTHORIZED",
			specs:  []GatewayResponseSpec{{Type: Default4XX, StatusCode: "418"}},
			typ:    Unauthorized,
			status: 418, body: `{"message":"Unauthorized"}`,
		},
		{
			name:   "DEFAULT_4XX does not reach 5xx",
			specs:  []GatewayResponseSpec{{Type: Default4XX, StatusCode: "418"}},
			typ:    IntegrationTimeout,
			status: 504, body: `{"message":"Endpoint request timed out"}`,
		},
		{
			name: "DEFAULT_5XX reaches 5xx, with the 502 of a proxy failure",
			specs: []GatewayResponseSpec{{Type: Default5XX,
				ResponseParameters: map[string]string{"gatewayresponse.header.X-Err": "context.error.responseType"},
				ResponseTemplates:  map[string]string{"application/json": `{"oops":$context.error.messageString}`},
			}},
			typ:    Default5XX,
			in:     &ErrorContext{Request: req, StatusCode: 502},
			status: 502, body: `{"oops":"Internal server error"}`,
			header: map[string]string{"X-Err": "DEFAULT_5XX"},
		},
		{
			name:   "DEFAULT_5XX status over the 502",
			specs:  []GatewayResponseSpec{{Type: Default5XX, StatusCode: "503"}},
			typ:    Default5XX,
			in:     &ErrorContext{StatusCode: 502},
			status: 503, body: `{"message":"Internal server error"}`,
		},
		{
			name: "DEFAULT_5XX keeps the type's message and error type",
			specs: []GatewayResponseSpec{{Type: Default5XX,
				ResponseTemplates: map[string]string{"application/json": `{"m":$context.error.messageString,"t":"$context.error.responseType"}`},
			}},
			typ:    AuthorizerConfigurationError,
			status: 500, body: `{"m":null,"t":"AUTHORIZER_CONFIGURATION_ERROR"}`,
			header: map[string]string{"x-amzn-ErrorType": "AuthorizerConfigurationException"},
		},
		{
			name: "own override wins whole over DEFAULT_4XX",
			specs: []GatewayResponseSpec{
				{Type: Default4XX, StatusCode: "418", ResponseParameters: map[string]string{"gatewayresponse.header.Access-Control-Allow-Origin": "'*'"}},
				{Type: MissingAuthenticationToken, ResponseParameters: map[string]string{"gatewayresponse.header.X-Own": "'yes'"}},
			},
			typ:    MissingAuthenticationToken,
			status: 403, body: `{"message":"Missing Authentication Token"}`,
			header: map[string]string{"X-Own": "yes", "Access-Control-Allow-Origin": ""},
		},
		{
			name: "other types still inherit",
			specs: []GatewayResponseSpec{
				{Type: Default4XX, StatusCode: "418", ResponseParameters: map[string]string{"gatewayresponse.header.Access-Control-Allow-Origin": "'*'"}},
				{Type: MissingAuthenticationToken, ResponseParameters: map[string]string{"gatewayresponse.header.X-Own": "'yes'"}},
			},
			typ:    Throttled,
			status: 418, body: `{"message":"Too Many Requests"}`,
			header: map[string]string{"X-Own": "", "Access-Control-Allow-Origin": "*"},
		},
		{
			name: "message override in a template",
			specs: []GatewayResponseSpec{{Type: AccessDenied,
				ResponseTemplates: map[string]string{"application/json": `{"message":$context.error.messageString}`},
			}},
			typ:    AccessDenied,
			in:     &ErrorContext{Request: req, Message: MessageImplicitDeny},
			status: 403, body: `{"message":"User is not authorized to access this resource"}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := mustCompile(t, tt.specs...)
			ctx := in
			if tt.in != nil {
				ctx = tt.in
			}
			rec := write(t, g, tt.typ, ctx)
			if rec.Code != tt.status || rec.Body.String() != tt.body {
				t.Errorf("got %d %s, want %d %s", rec.Code, rec.Body, tt.status, tt.body)
			}
			for k, v := range tt.header {
				if got := rec.Header().Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
		})
	}
}

func TestNewGatewayResponsesErrors(t *testing.T) {
	tests := []struct {
		name string
		spec GatewayResponseSpec
	}{
		{"unknown type", GatewayResponseSpec{Type: "NOPE"}},
		{"status text", GatewayResponseSpec{Type: Throttled, StatusCode: "abc"}},
		{"status range", GatewayResponseSpec{Type: Throttled, StatusCode: "600"}},
		{"status digits", GatewayResponseSpec{Type: Throttled, StatusCode: "0429"}},
		{"key", GatewayResponseSpec{Type: Throttled, ResponseParameters: map[string]string{"method.response.header.X": "'a'"}}},
		{"key name", GatewayResponseSpec{Type: Throttled, ResponseParameters: map[string]string{"gatewayresponse.header.X Y": "'a'"}}},
		{"querystring key", GatewayResponseSpec{Type: Throttled, ResponseParameters: map[string]string{"gatewayresponse.querystring.x": "'a'"}}},
		{"unknown source", GatewayResponseSpec{Type: Throttled, ResponseParameters: map[string]string{"gatewayresponse.header.X": "integration.response.header.y"}}},
		{"body source", GatewayResponseSpec{Type: Throttled, ResponseParameters: map[string]string{"gatewayresponse.header.X": "method.request.body.a"}}},
		{"multivalue source", GatewayResponseSpec{Type: Throttled, ResponseParameters: map[string]string{"gatewayresponse.header.X": "method.request.multivalueheader.a"}}},
		{"whole path", GatewayResponseSpec{Type: Throttled, ResponseParameters: map[string]string{"gatewayresponse.header.X": "method.request.path"}}},
		{"unquoted", GatewayResponseSpec{Type: Throttled, ResponseParameters: map[string]string{"gatewayresponse.header.X": "*"}}},
		{"media type", GatewayResponseSpec{Type: Throttled, ResponseTemplates: map[string]string{"json": "{}"}}},
		{"media type twice", GatewayResponseSpec{Type: Throttled, ResponseTemplates: map[string]string{"application/json": "{}", "Application/JSON": "{}"}}},
		{"template syntax", GatewayResponseSpec{Type: Throttled, ResponseTemplates: map[string]string{"application/json": "#if($context.stage == 'prod') x"}}},
		{"template regex", GatewayResponseSpec{Type: Throttled, ResponseTemplates: map[string]string{"application/json": `$context.stage.matches("(?=p)")`}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := NewGatewayResponses([]GatewayResponseSpec{tt.spec}); err == nil {
				t.Fatal("no error")
			}
		})
	}
	t.Run("twice", func(t *testing.T) {
		_, err := NewGatewayResponses([]GatewayResponseSpec{{Type: Throttled}, {Type: Throttled}})
		if err == nil {
			t.Fatal("no error")
		}
	})
}

func TestConcurrentWrite(t *testing.T) {
	g := mustCompile(t, GatewayResponseSpec{Type: Default4XX, ResponseParameters: map[string]string{
		"gatewayresponse.header.Access-Control-Allow-Origin": "method.request.header.Origin",
	}})
	done := make(chan struct{})
	for range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			req := httptest.NewRequest("GET", "/", nil)
			req.Header.Set("Origin", "o")
			for range 100 {
				rec := write(t, g, MissingAuthenticationToken, &ErrorContext{Request: req})
				if rec.Header().Get("Access-Control-Allow-Origin") != "o" {
					t.Error("missing header")
					return
				}
			}
		}()
	}
	for range 4 {
		<-done
	}
}

// An override's body template is VTL: directives, $context.error.* and
// the method request's parameters, and a responseOverride status.
func TestGatewayResponseTemplateVTL(t *testing.T) {
	g, err := NewGatewayResponses([]GatewayResponseSpec{{Type: Default4XX, ResponseTemplates: map[string]string{"application/json": `#set($t = $context.error.responseType)
{"error":$context.error.messageString,"type":"$t.toLowerCase()"#if($input.params('debug') == '1'),"stage":"$context.stage"#end}
#if($t == "UNAUTHORIZED")#set($context.responseOverride.status = 418)#end`}}})
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest("GET", "/prod/x?debug=1", nil)
	w := httptest.NewRecorder()
	g.Write(w, MissingAuthenticationToken, &ErrorContext{Request: r, Context: map[string]string{"stage": "prod"}})
	if w.Code != 403 || w.Body.String() != `{"error":"Missing Authentication Token","type":"missing_authentication_token","stage":"prod"}`+"\n" {
		t.Errorf("403: %d %q", w.Code, w.Body.String())
	}
	w = httptest.NewRecorder()
	g.Write(w, Unauthorized, &ErrorContext{Request: httptest.NewRequest("GET", "/prod/x", nil)})
	if w.Code != 418 || w.Body.String() != `{"error":"Unauthorized","type":"unauthorized"}`+"\n" {
		t.Errorf("responseOverride: %d %q", w.Code, w.Body.String())
	}
}
