package httpapi_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

// Parameter mapping through the gateway: requestParameters reshape what
// reaches an HTTP_PROXY backend or a Lambda function; responseParameters
// reshape the answer by status code.
func TestParameterMapping(t *testing.T) {
	type seen struct {
		path, query, requestID, secret, user string
	}
	got := make(chan seen, 4)
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- seen{r.URL.EscapedPath(), r.URL.RawQuery, r.Header.Get("X-Request-Id"), r.Header.Get("X-Secret"), r.Header.Get("X-User")}
		w.Header().Set("X-Internal", "drop me")
		if r.URL.Query().Get("fail") == "1" {
			w.WriteHeader(500)
			_, _ = io.WriteString(w, `{"error":"db down"}`)
			return
		}
		_, _ = io.WriteString(w, "ok")
	}))
	defer backend.Close()
	fn := newFunction(t, answer(`"ok"`))
	base := startGateway(t, httpAPI(`
- integrationId: web
  integrationType: HTTP_PROXY
  integrationUri: `+backend.URL+`/backend
  requestParameters:
    append:header.x-request-id: $context.requestId
    overwrite:header.x-user: ${request.querystring.user}
    remove:header.x-secret: ""
    overwrite:querystring.page: "1"
    overwrite:path: /v2$request.path
  responseParameters:
    "500":
      overwrite:statuscode: "503"
      append:header.x-error: $response.body.error
    "200":
      remove:header.x-internal: ""
- integrationId: fn
  integrationType: AWS_PROXY
  payloadFormatVersion: "2.0"
  integrationUri: `+fn.URL+`
  requestParameters:
    overwrite:header.x-tenant: $stageVariables.tenant`,
		"- {routeKey: \"GET /items/{id}\", target: integrations/web}\n- {routeKey: \"GET /fn\", target: integrations/fn}",
		"- {stageName: $default, stageVariables: {tenant: acme}}", ""))

	resp, body := do(t, "GET", base+"/items/7?user=ann&page=9", nil, map[string]string{"X-Secret": "s3cr3t"})
	if resp.StatusCode != 200 || body != "ok" || resp.Header.Get("X-Internal") != "" {
		t.Fatalf("status %d body %q X-Internal %q", resp.StatusCode, body, resp.Header.Get("X-Internal"))
	}
	s := <-got
	want := seen{path: "/v2/items/7", query: "page=1&user=ann", requestID: resp.Header.Get("apigw-requestid"), user: "ann"}
	if s != want {
		t.Errorf("backend saw %+v\nwant %+v", s, want)
	}
	resp, _ = do(t, "GET", base+"/items/7?fail=1", nil, nil)
	if resp.StatusCode != 503 || resp.Header.Get("X-Error") != "db down" {
		t.Errorf("response mapping: %d, x-error %q", resp.StatusCode, resp.Header.Get("X-Error"))
	}
	<-got

	do(t, "GET", base+"/fn", nil, nil)
	var ev events.APIGatewayV2HTTPRequest
	_ = json.Unmarshal(fn.last(t), &ev)
	if ev.Headers["x-tenant"] != "acme" {
		t.Errorf("mapped header in the Lambda event: %v", ev.Headers)
	}
}
