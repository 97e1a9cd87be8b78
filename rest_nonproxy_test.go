package portico_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/nats-io/nats.go"

	"github.com/portico-gw/portico"
	"github.com/portico-gw/portico/config"
)

// restDo sends one request to a gateway and reads the answer.
func restDo(t *testing.T, method, url, contentType, body string, header http.Header) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// An HTTP (non-proxy) integration sends only what is mapped, plus the
// headers AWS adds; its answer is selected by status code, mapped by
// responseParameters and templates, and the backend's own headers stay
// behind.
func TestRESTHTTPIntegration(t *testing.T) {
	type seen struct {
		method, uri, body string
		header            http.Header
	}
	got := make(chan seen, 4)
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- seen{r.Method, r.URL.RequestURI(), string(b), r.Header.Clone()}
		w.Header().Set("X-Backend", "b1")
		w.Header().Set("Content-Type", "text/plain")
		if strings.Contains(r.URL.Path, "missing") {
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"error":"no such pet","id":"missing"}`)
			return
		}
		_, _ = io.WriteString(w, `{"pet":{"name":"rex"}}`)
	}))
	defer backend.Close()
	gw := startGateway(t, `restApis:
  - restApiId: nonproxy01
    name: nonproxy
    resources:
      /pets/{petId}:
        resourceMethods:
          POST:
            requestParameters: {method.request.path.petId: true, method.request.header.X-Tenant: false}
            methodResponses:
              "200": {responseParameters: {method.response.header.X-Pet: false, method.response.header.X-From: false}}
              "404": {}
            methodIntegration:
              type: HTTP
              httpMethod: PUT
              uri: "`+backend.URL+`/v1/{id}"
              requestParameters:
                integration.request.path.id: method.request.path.petId
                integration.request.querystring.tenant: method.request.header.X-Tenant
                integration.request.header.X-Stage: context.stage
              requestTemplates:
                application/json: '{"stage":"$context.stage","color":"$stageVariables.color"}'
              integrationResponses:
                "200":
                  responseParameters:
                    method.response.header.X-Pet: integration.response.body.pet.name
                    method.response.header.X-From: integration.response.header.X-Backend
                "404":
                  selectionPattern: '4\d{2}'
                  responseTemplates: {application/json: '{"message":"not here"}'}
    stages:
      - stageName: prod
        variables: {color: blue}
`)
	resp, body := restDo(t, "POST", gw.URL+"/prod/pets/7?ignored=1", "", `{"client":"body"}`, http.Header{"X-Tenant": {"acme"}, "X-Other": {"x"}})
	s := <-got
	if s.method != "PUT" || s.uri != "/v1/7?tenant=acme" || s.body != `{"stage":"prod","color":"blue"}` {
		t.Errorf("backend saw %s %s %q", s.method, s.uri, s.body)
	}
	for k, want := range map[string]string{"X-Stage": "prod", "Accept": "application/json", "User-Agent": "AmazonAPIGateway_nonproxy01",
		"X-Amzn-Apigateway-Api-Id": "nonproxy01", "Content-Type": "application/json", "X-Other": ""} {
		if v := s.header.Get(k); v != want {
			t.Errorf("backend header %s = %q, want %q", k, v, want)
		}
	}
	if s.header.Get("X-Amzn-Trace-Id") == "" {
		t.Error("no X-Amzn-Trace-Id on the integration request")
	}
	if resp.StatusCode != 200 || body != `{"pet":{"name":"rex"}}` || resp.Header.Get("Content-Type") != "application/json" ||
		resp.Header.Get("X-Pet") != "rex" || resp.Header.Get("X-From") != "b1" || resp.Header.Get("X-Backend") != "" {
		t.Errorf("200: %d %q %v", resp.StatusCode, body, resp.Header)
	}

	resp, body = restDo(t, "POST", gw.URL+"/prod/pets/missing", "application/json", `{}`, nil)
	<-got
	if resp.StatusCode != 404 || body != `{"message":"not here"}` || resp.Header.Get("Content-Type") != "application/json" {
		t.Errorf("404 mapping: %d %q %v", resp.StatusCode, body, resp.Header)
	}
}

// A non-proxy Lambda integration: a success is the default response; an
// error without a mapping comes back as 200 with the error JSON; a
// selectionPattern matches the errorMessage as a whole-string regex.
func TestRESTLambdaNonProxy(t *testing.T) {
	lambda := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in map[string]string
		raw, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(raw, &in); err != nil {
			t.Errorf("payload %q is not a JSON object: %v", raw, err)
		}
		if msg := in["fail"]; msg != "" {
			w.Header().Set("X-Amz-Function-Error", "Unhandled")
			_, _ = fmt.Fprintf(w, `{"errorMessage":%q,"errorType":"Error","stackTrace":[]}`, msg)
			return
		}
		_, _ = fmt.Fprintf(w, `{"echo":%q}`, in["name"])
	}))
	defer lambda.Close()
	gw := startGateway(t, `restApis:
  - restApiId: lambdanp01
    name: lambda-non-proxy
    resources:
      /greet:
        resourceMethods:
          POST:
            methodResponses: {"200": {}, "400": {}, "500": {}}
            methodIntegration:
              type: AWS
              httpMethod: POST
              uri: "`+lambda.URL+`"
              integrationResponses:
                "200": {}
                "400":
                  selectionPattern: 'Invalid.*'
                  responseTemplates: {application/json: '{"error":"bad input"}'}
                "500":
                  selectionPattern: 'Crash.+'
    stages: [{stageName: prod}]
`)
	cases := []struct {
		name, body string
		status     int
		want       string
	}{
		{"success", `{"name":"ada"}`, 200, `{"echo":"ada"}`},
		{"an empty body is {}", ``, 200, `{"echo":""}`},
		{"Invalid.* matches", `{"fail":"Invalid input"}`, 400, `{"error":"bad input"}`},
		{"no mapping: 200 with the error", `{"fail":"Oops"}`, 200, `{"errorMessage":"Oops","errorType":"Error","stackTrace":[]}`},
		{". does not match a newline", `{"fail":"Crash\nat line 2"}`, 200, `{"errorMessage":"Crash\nat line 2","errorType":"Error","stackTrace":[]}`},
		{"Crash.+ matches one line", `{"fail":"Crash now"}`, 500, `{"errorMessage":"Crash now","errorType":"Error","stackTrace":[]}`},
	}
	for _, tc := range cases {
		resp, body := restDo(t, "POST", gw.URL+"/prod/greet", "application/json", tc.body, nil)
		if resp.StatusCode != tc.status || body != tc.want || resp.Header.Get("Content-Type") != "application/json" {
			t.Errorf("%s: %d %q, want %d %q", tc.name, resp.StatusCode, body, tc.status, tc.want)
		}
		if tr := resp.Header.Get("X-Amzn-Trace-Id"); !traceHeaderRE.MatchString(tr) {
			t.Errorf("%s: X-Amzn-Trace-Id %q", tc.name, tr)
		}
	}

	// "Invalid*" is a whole-string pattern: it does not match "Invalid input".
	gw2 := startGateway(t, `restApis:
  - restApiId: lambdanp02
    name: star
    resources:
      /greet:
        resourceMethods:
          POST:
            methodResponses: {"400": {}}
            methodIntegration:
              type: AWS
              uri: "`+lambda.URL+`"
              integrationResponses:
                "400": {selectionPattern: 'Invalid*'}
    stages: [{stageName: prod}]
`)
	resp, body := restDo(t, "POST", gw2.URL+"/prod/greet", "", `{"fail":"Invalid input"}`, nil)
	if resp.StatusCode != 500 || body != `{"message": "Internal server error"}` || resp.Header.Get("x-amzn-ErrorType") != "InternalServerErrorException" {
		t.Errorf("no match and no default: %d %q %v", resp.StatusCode, body, resp.Header)
	}
}

// traceHeaderRE is the X-Amzn-Trace-Id API Gateway answers Lambda
// integrations with.
var traceHeaderRE = regexp.MustCompile(`^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Sampled=0$`)

// passthroughBehavior, AWS's table: with only an application/json
// template, an application/xml request passes under WHEN_NO_MATCH and is
// 415 under WHEN_NO_TEMPLATES and NEVER; with no template at all,
// WHEN_NO_TEMPLATES passes and NEVER is 415; a request without
// Content-Type counts as application/json.
func TestRESTPassthroughBehavior(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		_, _ = w.Write(b)
	}))
	defer backend.Close()
	var yaml strings.Builder
	yaml.WriteString("restApis:\n  - restApiId: passthru01\n    name: passthrough\n    resources:\n")
	for _, b := range []string{"WHEN_NO_MATCH", "WHEN_NO_TEMPLATES", "NEVER"} {
		for _, templated := range []bool{true, false} {
			path := strings.ToLower(strings.ReplaceAll(b, "_", "-"))
			tmpl := ""
			if templated {
				path += "-t"
				tmpl = "\n              requestTemplates: {application/json: 'templated'}"
			}
			fmt.Fprintf(&yaml, `      /%s:
        resourceMethods:
          POST:
            methodResponses: {"200": {}}
            methodIntegration:
              type: HTTP
              httpMethod: POST
              uri: %s
              passthroughBehavior: %s%s
              integrationResponses: {"200": {}}
`, path, backend.URL, b, tmpl)
		}
	}
	yaml.WriteString("    stages: [{stageName: prod}]\n")
	gw := startGateway(t, yaml.String())
	cases := []struct {
		path, contentType string
		status            int
		body              string
	}{
		{"when-no-match-t", "application/xml", 200, "<a/>"},
		{"when-no-templates-t", "application/xml", 415, `{"message":"Unsupported Media Type"}`},
		{"never-t", "application/xml", 415, `{"message":"Unsupported Media Type"}`},
		{"when-no-match-t", "application/json", 200, "templated"},
		{"when-no-match-t", "", 200, "templated"},
		{"never-t", "", 200, "templated"},
		{"when-no-match", "application/xml", 200, "<a/>"},
		{"when-no-templates", "application/xml", 200, "<a/>"},
		{"never", "application/xml", 415, `{"message":"Unsupported Media Type"}`},
	}
	for _, tc := range cases {
		resp, body := restDo(t, "POST", gw.URL+"/prod/"+tc.path, tc.contentType, "<a/>", nil)
		if resp.StatusCode != tc.status || body != tc.body {
			t.Errorf("%s with %q: %d %q, want %d %q", tc.path, tc.contentType, resp.StatusCode, body, tc.status, tc.body)
		}
	}
}

// MOCK: the request template's statusCode selects the integration
// response; no template is the default response.
func TestRESTMockSelectsByStatusCode(t *testing.T) {
	gw := startGateway(t, `restApis:
  - restApiId: mocksel001
    name: mock
    resources:
      /fail:
        resourceMethods:
          GET:
            methodResponses: {"200": {}, "500": {}}
            methodIntegration:
              type: MOCK
              requestTemplates: {application/json: '{"statusCode": 500}'}
              integrationResponses:
                "200": {responseTemplates: {application/json: '{"ok":true}'}}
                "500": {selectionPattern: '5\d\d', responseTemplates: {application/json: '{"ok":false}'}}
      /none:
        resourceMethods:
          GET:
            methodResponses: {"204": {}}
            methodIntegration:
              type: MOCK
              integrationResponses:
                "204": {}
    stages: [{stageName: prod}]
`)
	resp, body := restDo(t, "GET", gw.URL+"/prod/fail", "", "", nil)
	if resp.StatusCode != 500 || body != `{"ok":false}` {
		t.Errorf("statusCode 500: %d %q", resp.StatusCode, body)
	}
	resp, body = restDo(t, "GET", gw.URL+"/prod/none", "", "", nil)
	if resp.StatusCode != 204 || body != "" {
		t.Errorf("no template: %d %q", resp.StatusCode, body)
	}
}

// contentHandling, rows of AWS's tables: a binary request is base64 text
// for CONVERT_TO_TEXT; a text answer is base64-decoded for a client that
// accepts a binary media type.
func TestRESTContentHandling(t *testing.T) {
	got := make(chan string, 2)
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- string(b)
		_, _ = io.WriteString(w, "aGVsbG8=") // base64 of "hello"
	}))
	defer backend.Close()
	gw := startGateway(t, `restApis:
  - restApiId: binary0001
    name: binary
    binaryMediaTypes: [image/png]
    resources:
      /img:
        resourceMethods:
          POST:
            methodResponses: {"200": {}}
            methodIntegration:
              type: HTTP
              httpMethod: POST
              uri: "`+backend.URL+`"
              contentHandling: CONVERT_TO_TEXT
              integrationResponses: {"200": {}}
    stages: [{stageName: prod}]
`)
	resp, body := restDo(t, "POST", gw.URL+"/prod/img", "image/png", "\x89PNG", http.Header{"Accept": {"image/png"}})
	if sent := <-got; sent != "iVBORw==" {
		t.Errorf("CONVERT_TO_TEXT sent %q", sent)
	}
	if resp.StatusCode != 200 || body != "hello" {
		t.Errorf("binary Accept: %d %q", resp.StatusCode, body)
	}
	resp, body = restDo(t, "POST", gw.URL+"/prod/img", "image/png", "\x89PNG", nil)
	<-got
	if resp.StatusCode != 200 || body != "aGVsbG8=" {
		t.Errorf("text Accept: %d %q", resp.StatusCode, body)
	}
}

// NATS (Portico's) on a REST method: the REST proxy event goes to the
// subject and the reply is read as a Lambda proxy answer.
func TestRESTNATSIntegration(t *testing.T) {
	natsPort := freePort(t)
	gw := startGateway(t, fmt.Sprintf(`nats:
  listen: 127.0.0.1:%d
restApis:
  - restApiId: natsrest01
    name: nats
    resources:
      /orders/{id}:
        resourceMethods:
          GET:
            methodIntegration: {type: NATS, uri: "nats:orders.get"}
    stages: [{stageName: prod}]
`, natsPort))
	nc := natsClient(t, fmt.Sprintf("nats://127.0.0.1:%d", natsPort))
	sub, err := nc.Subscribe("orders.get", func(m *nats.Msg) {
		var ev events.APIGatewayProxyRequest
		if err := json.Unmarshal(m.Data, &ev); err != nil {
			t.Errorf("event: %v", err)
		}
		_ = m.Respond([]byte(fmt.Sprintf(`{"statusCode":200,"body":"order %s at %s"}`, ev.PathParameters["id"], ev.RequestContext.ResourcePath)))
	})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()
	_ = nc.Flush()
	resp, body := restDo(t, "GET", gw.URL+"/prod/orders/42", "", "", nil)
	if resp.StatusCode != 200 || body != "order 42 at /orders/{id}" {
		t.Errorf("NATS: %d %q", resp.StatusCode, body)
	}
}

// Load-time errors of non-proxy integrations name the method and the key.
func TestRESTNonProxyLoadErrors(t *testing.T) {
	cases := map[string]struct{ method, want string }{
		"undeclared status": {`methodResponses: {"200": {}}
            methodIntegration:
              type: MOCK
              integrationResponses: {"404": {selectionPattern: "404"}}`, "no method response has the status code 404"},
		"undeclared header": {`methodResponses: {"200": {}}
            methodIntegration:
              type: MOCK
              integrationResponses: {"200": {responseParameters: {method.response.header.X-A: "'a'"}}}`, `methodResponses["200"] does not declare method.response.header.X-A`},
		"forbidden header": {`methodIntegration:
              type: HTTP
              httpMethod: GET
              uri: http://127.0.0.1:1/x
              requestParameters: {integration.request.header.Content-Length: "'1'"}`, "Content-Length may not be mapped"},
		"AWS service": {`methodIntegration:
              type: AWS
              uri: arn:aws:apigateway:us-east-1:s3:path/bucket/key`, "AWS service integrations other than Lambda are not served"},
		"bad passthrough": {`methodIntegration: {type: MOCK, passthroughBehavior: SOMETIMES}`, `passthroughBehavior: "SOMETIMES": want WHEN_NO_MATCH`},
	}
	for name, tc := range cases {
		yaml := `restApis:
  - restApiId: loaderr001
    name: e
    resources:
      /x:
        resourceMethods:
          GET:
            ` + tc.method + `
    stages: [{stageName: prod}]
`
		err := tryStart(t, yaml)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error with %q", name, err, tc.want)
		}
	}
}

// tryStart builds a gateway from yaml and reports the config or build
// error, stopping the gateway if it started.
func tryStart(t *testing.T, yaml string) error {
	t.Helper()
	f, err := config.Parse("test.yaml", []byte(yaml))
	if err != nil {
		return err
	}
	srv, err := portico.New(portico.Config{File: f, Listen: "127.0.0.1:0"})
	if err == nil {
		_ = srv.Shutdown(context.Background())
	}
	return err
}

// Stage variables in Lambda URIs: function:${stageVariables.alias} calls
// each stage's alias through the Lambda API, for AWS_PROXY and AWS
// integrations alike; a stage without the variable answers 500.
func TestRESTStageVariableInLambdaARN(t *testing.T) {
	invoked := make(chan string, 8)
	fn := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		invoked <- r.URL.Path
		_, _ = io.WriteString(w, `{"statusCode":200,"body":"ok"}`)
	}))
	defer fn.Close()
	arn := "arn:aws:lambda:us-east-1:123456789012:function:pets:${stageVariables.alias}"
	gw := startGateway(t, `lambda:
  endpoint: `+fn.URL+`
  region: us-east-1
  accessKeyId: AKID
  secretAccessKey: secret
restApis:
  - restApiId: stagevar01
    name: stagevars
    resources:
      /proxy:
        resourceMethods:
          GET:
            methodIntegration: {type: AWS_PROXY, httpMethod: POST, uri: "`+arn+`"}
      /plain:
        resourceMethods:
          GET:
            methodResponses: {"200": {}}
            methodIntegration:
              type: AWS
              httpMethod: POST
              uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/`+arn+`/invocations"
              integrationResponses: {"200": {}}
    stages:
      - {stageName: prod, variables: {alias: live}}
      - {stageName: beta, variables: {alias: next}}
      - {stageName: bare}
`)
	for _, tc := range []struct{ path, alias string }{{"/prod/proxy", "live"}, {"/beta/proxy", "next"}, {"/prod/plain", "live"}, {"/beta/plain", "next"}} {
		resp, _ := restDo(t, "GET", gw.URL+tc.path, "", "", nil)
		if resp.StatusCode != 200 {
			t.Errorf("%s: %d", tc.path, resp.StatusCode)
			continue
		}
		want := "/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:pets:" + tc.alias + "/invocations"
		if got := <-invoked; got != want {
			t.Errorf("%s invoked %s", tc.path, got)
		}
	}
	resp, body := restDo(t, "GET", gw.URL+"/bare/proxy", "", "", nil)
	if resp.StatusCode != 500 || body != `{"message": "Internal server error"}` {
		t.Errorf("a stage without the variable: %d %q", resp.StatusCode, body)
	}
}
