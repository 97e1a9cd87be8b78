package portico_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// validationConfig is two REST APIs with request validators: valid01
// answers validation failures with AWS's default bodies, valid02 with a
// BAD_REQUEST_BODY override that shows $context.error.validationErrorString.
// Pet's price refers to the Price model by its apigateway URL.
func validationConfig(backendURL string) string {
	mock := `
            methodResponses: {"200": {}}
            methodIntegration:
              type: MOCK
              integrationResponses:
                "200": {responseTemplates: {application/json: '{"ok":true}'}}`
	models := `
    models:
      - name: Pet
        contentType: application/json
        schema: '{"type":"object","required":["name","type","price"],"properties":{"name":{"type":"string","pattern":"^[A-Z]"},"type":{"type":"string","enum":["dog","cat","fish"]},"price":{"$ref":"https://apigateway.amazonaws.com/restapis/API/models/Price"}}}'
      - name: Price
        schema: '{"type":"number","minimum":25,"maximum":500}'`
	return `restApis:
  - restApiId: valid01
    name: validation` + strings.ReplaceAll(models, "API", "valid01") + `
    requestValidators:
      - {id: all, validateRequestBody: true, validateRequestParameters: true}
      - {id: params, validateRequestParameters: true}
      - {id: body, validateRequestBody: true}
    resources:
      /validation:
        resourceMethods:
          GET:
            requestValidatorId: params
            requestParameters: {method.request.querystring.q1: true, method.request.querystring.optional: false}` + mock + `
          POST:
            requestValidatorId: all
            requestParameters: {method.request.querystring.q2: true, method.request.header.h1: true}
            requestModels: {application/json: Pet}
            methodIntegration:
              type: HTTP_PROXY
              httpMethod: POST
              uri: ` + backendURL + `/pets
      /bodyonly:
        resourceMethods:
          POST:
            requestValidatorId: body
            requestParameters: {method.request.querystring.q1: true}
            requestModels: {application/json: Pet}` + mock + `
      /keyed:
        resourceMethods:
          GET:
            apiKeyRequired: true
            requestValidatorId: params
            requestParameters: {method.request.querystring.q1: true}` + mock + `
      /none:
        resourceMethods:
          POST:
            requestParameters: {method.request.querystring.q1: true}
            requestModels: {application/json: Pet}` + mock + `
    stages: [{stageName: prod}]
  - restApiId: valid02
    name: override` + strings.ReplaceAll(models, "API", "valid02") + `
    requestValidators: [{id: all, validateRequestBody: true, validateRequestParameters: true}]
    gatewayResponses:
      - responseType: BAD_REQUEST_BODY
        statusCode: "422"
        responseTemplates:
          application/json: '{"message":$context.error.messageString,"detail":"$context.error.validationErrorString"}'
    resources:
      /pets:
        resourceMethods:
          POST:
            requestValidatorId: all
            requestModels: {application/json: Pet}` + mock + `
    stages: [{stageName: prod}]
`
}

// Request validators, AWS's cases (rest-apis.md §1.5): required parameters
// missing or blank, listed in AWS's order and checked before the body;
// bodies checked against draft-4 models that refer to each other; a
// validator checks only what it is asked to; a method without one checks
// nothing; validation runs before the integration.
func TestRESTRequestValidation(t *testing.T) {
	hits := make(chan string, 8)
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		hits <- string(b)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"created":true}`)
	}))
	defer backend.Close()
	gw := startGateway(t, validationConfig(backend.URL))
	base := gw.URL + "/_aws/execute-api/valid01/prod"
	const (
		valid    = `{"name":"Marco","type":"dog","price":260}`
		badEnum  = `{"name":"Molly","type":"bird","price":269}`
		badPrice = `{"name":"Molly","type":"dog","price":501}`
		badType  = `{"name":"Molly","type":"dog","price":"cheap"}`
		invalid  = `{"message": "Invalid request body"}`
	)
	h1 := http.Header{"H1": {"v1"}}
	tests := []struct {
		name, method, path, contentType, body string
		header                                http.Header
		status                                int
		want                                  string // exact body; "" for the integration's answer
	}{
		{"query present", "GET", "/validation?q1=cat", "", "", nil, 200, `{"ok":true}`},
		{"query missing", "GET", "/validation", "", "", nil, 400, `{"message": "Missing required request parameters: [q1]"}`},
		{"query blank", "GET", "/validation?q1=", "", "", nil, 400, `{"message": "Missing required request parameters: [q1]"}`},
		{"query white space", "GET", "/validation?q1=%20", "", "", nil, 400, `{"message": "Missing required request parameters: [q1]"}`},
		{"valid body", "POST", "/validation?q2=x", "application/json", valid, h1, 200, `{"created":true}`},
		{"no Content-Type is JSON", "POST", "/validation?q2=x", "", valid, h1, 200, `{"created":true}`},
		{"header blank", "POST", "/validation?q2=x", "application/json", valid, http.Header{"H1": {""}}, 400, `{"message": "Missing required request parameters: [h1]"}`},
		{"both missing, AWS's order", "POST", "/validation", "application/json", valid, nil, 400, `{"message": "Missing required request parameters: [h1, q2]"}`},
		{"parameters before body", "POST", "/validation", "application/json", `not json`, nil, 400, `{"message": "Missing required request parameters: [h1, q2]"}`},
		{"enum", "POST", "/validation?q2=x", "application/json", badEnum, h1, 400, invalid},
		{"maximum through $ref", "POST", "/validation?q2=x", "application/json", badPrice, h1, 400, invalid},
		{"wrong type", "POST", "/validation?q2=x", "application/json", badType, h1, 400, invalid},
		{"not JSON", "POST", "/validation?q2=x", "application/json", `{"name":`, h1, 400, invalid},
		{"empty body is {}", "POST", "/validation?q2=x", "application/json", ``, h1, 400, invalid},
		{"no model for the type", "POST", "/validation?q2=x", "text/plain", `hello`, h1, 200, `{"created":true}`},
		{"body-only validator ignores parameters", "POST", "/bodyonly", "application/json", valid, nil, 200, `{"ok":true}`},
		{"body-only validator checks the body", "POST", "/bodyonly", "application/json", badEnum, nil, 400, invalid},
		{"no validator", "POST", "/none", "application/json", `not json`, nil, 200, `{"ok":true}`},
		{"API key before validation", "GET", "/keyed", "", "", nil, 403, `{"message":"Forbidden"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := restDo(t, tt.method, base+tt.path, tt.contentType, tt.body, tt.header)
			if resp.StatusCode != tt.status || body != tt.want {
				t.Errorf("%d %s, want %d %s", resp.StatusCode, body, tt.status, tt.want)
			}
			if tt.status == 400 && resp.Header.Get("x-amzn-ErrorType") != "BadRequestException" {
				t.Errorf("x-amzn-ErrorType %q", resp.Header.Get("x-amzn-ErrorType"))
			}
			if body == `{"created":true}` {
				if got := <-hits; got != tt.body {
					t.Errorf("the backend got %q, want %q", got, tt.body)
				}
			}
		})
	}
	select {
	case got := <-hits:
		t.Errorf("a request that failed validation reached the backend: %q", got)
	default:
	}
}

// A BAD_REQUEST_BODY override renders $context.error.validationErrorString:
// each violation with the JSON Pointer of the value, escaped so that the
// quoted template stays JSON.
func TestRESTRequestValidationErrorString(t *testing.T) {
	gw := startGateway(t, validationConfig("http://127.0.0.1:1"))
	url := gw.URL + "/_aws/execute-api/valid02/prod/pets"
	tests := []struct{ name, body, detail string }{
		{"enum", `{"name":"Molly","type":"bird","price":269}`, `[at '/type': value must be one of 'dog', 'cat', 'fish']`},
		{"maximum", `{"name":"Molly","type":"dog","price":501}`, `[at '/price': maximum: got 501, want 500]`},
		{"two violations", `{"type":"dog","price":"x"}`, `[at '': missing property 'name'; at '/price': got string, want number]`},
		{"quotes stay JSON", `{"name":"x\"y","type":"dog","price":30}`, `[at '/name': 'x"y' does not match pattern '^[A-Z]']`},
		{"not JSON", `{"name":`, `[the request body is not JSON]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := restDo(t, "POST", url, "application/json", tt.body, nil)
			var got struct{ Message, Detail string }
			if err := json.Unmarshal([]byte(body), &got); err != nil {
				t.Fatalf("%d %s: %v", resp.StatusCode, body, err)
			}
			if resp.StatusCode != 422 || got.Message != "Invalid request body" || got.Detail != tt.detail {
				t.Errorf("%d %+v, want 422 detail %s", resp.StatusCode, got, tt.detail)
			}
		})
	}
}

// A model that is not a valid JSON Schema, or that refers to a model the
// API does not have or to anything else, stops the load with a config
// error at the model's schema (without a position for an API without
// restApiId, whose ID the model URLs hold: it is checked once the ID is
// assigned).
func TestRESTRequestValidationLoadErrors(t *testing.T) {
	const at = `test.yaml:4:34: restApis[0].models[0].schema: is not a valid JSON Schema (draft 4): `
	cases := map[string]struct{ id, schema, want string }{
		"bad keyword type": {"restApiId: loaderr002", `{"type":5}`, at + `[at '/type': value must be one of`},
		"unknown model":    {"restApiId: loaderr002", `{"$ref":"https://apigateway.amazonaws.com/restapis/loaderr002/models/Nope"}`, at + `failing loading`},
		"remote reference": {"restApiId: loaderr002", `{"$ref":"http://example.com/schema.json"}`, `only this API's models`},
		"no restApiId":     {"description: d", `{"type":5}`, `restApis[0].models[0].schema: is not a valid JSON Schema (draft 4): [at '/type'`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			yaml := `restApis:
  - ` + tc.id + `
    name: e
    models: [{name: Bad, schema: '` + tc.schema + `'}]
    resources:
      /x:
        resourceMethods:
          GET:
            methodIntegration: {type: MOCK}
    stages: [{stageName: prod}]
`
			err := tryStart(t, yaml)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%v, want an error with %q", err, tc.want)
			}
		})
	}
}
