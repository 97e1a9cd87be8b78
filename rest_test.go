package portico_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// restConfig is a pets REST API: an AWS_PROXY GET to a Lambda-over-HTTP
// backend, an HTTP_PROXY GET, a MOCK OPTIONS for CORS, and a DEFAULT_4XX
// gateway response that adds the CORS header to gateway errors.
func restConfig(lambdaURL, proxyURL string) string {
	return `restApis:
  - restApiId: pets000001
    name: pets
    resources:
      /pets:
        resourceMethods:
          GET:
            methodIntegration: {type: AWS_PROXY, httpMethod: POST, uri: "` + lambdaURL + `"}
          OPTIONS:
            methodResponses:
              "200":
                responseParameters:
                  method.response.header.Access-Control-Allow-Origin: true
                  method.response.header.Access-Control-Allow-Methods: true
            methodIntegration:
              type: MOCK
              requestTemplates: {application/json: '{"statusCode": 200}'}
              integrationResponses:
                "200":
                  responseParameters:
                    method.response.header.Access-Control-Allow-Origin: "'*'"
                    method.response.header.Access-Control-Allow-Methods: "'GET,OPTIONS'"
      /pets/{petId}:
        resourceMethods:
          GET:
            methodIntegration: {type: AWS_PROXY, httpMethod: POST, uri: "` + lambdaURL + `"}
      /files/{proxy+}:
        resourceMethods:
          ANY:
            methodIntegration:
              type: HTTP_PROXY
              httpMethod: ANY
              uri: "` + proxyURL + `/store/{proxy}"
              requestParameters:
                integration.request.header.X-Color: stageVariables.color
                integration.request.querystring.src: "'portico'"
    gatewayResponses:
      DEFAULT_4XX:
        responseParameters:
          gatewayresponse.header.Access-Control-Allow-Origin: "'*'"
    stages:
      - stageName: prod
        variables: {color: blue}
`
}

// TestRESTAPI drives a REST API through the whole node: the REST proxy
// event decodes into aws-lambda-go's APIGatewayProxyRequest with AWS's
// path/resource split, the function's answer reaches the client, a MOCK
// OPTIONS answers CORS preflights, HTTP_PROXY forwards greedy paths, and
// gateway responses are AWS's (403 Missing Authentication Token with the
// DEFAULT_4XX CORS header, 403 Forbidden for an unknown stage, 502 for a
// malformed Lambda answer).
func TestRESTAPI(t *testing.T) {
	got := make(chan events.APIGatewayProxyRequest, 8)
	answer := make(chan string, 8)
	lambda := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		var ev events.APIGatewayProxyRequest
		if err := json.Unmarshal(raw, &ev); err != nil {
			t.Errorf("the event does not decode: %v", err)
		}
		var m map[string]any
		_ = json.Unmarshal(raw, &m)
		if _, ok := m["version"]; ok {
			t.Errorf("the REST event has a version key: %s", raw)
		}
		got <- ev
		_, _ = io.WriteString(w, <-answer)
	}))
	defer lambda.Close()
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Seen", r.Method+" "+r.URL.RequestURI()+" "+r.Header.Get("X-Color"))
		w.WriteHeader(http.StatusAccepted)
		_, _ = io.WriteString(w, "stored")
	}))
	defer proxy.Close()
	gw := startGateway(t, restConfig(lambda.URL, proxy.URL))

	do := func(method, path string, header http.Header) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest(method, gw.URL+path, nil)
		for k, v := range header {
			req.Header[k] = v
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp, string(body)
	}

	answer <- `{"statusCode":201,"headers":{"X-Pet":"rex"},"body":"{\"id\":\"7\"}"}`
	resp, body := do("GET", "/prod/pets/7?kind=dog&kind=cat", http.Header{"X-Custom": {"a"}})
	ev := <-got
	if resp.StatusCode != 201 || resp.Header.Get("X-Pet") != "rex" || body != `{"id":"7"}` {
		t.Errorf("function answer: %d %v %q", resp.StatusCode, resp.Header, body)
	}
	if ev.Resource != "/pets/{petId}" || ev.Path != "/pets/7" || ev.RequestContext.Path != "/prod/pets/7" ||
		ev.RequestContext.ResourcePath != "/pets/{petId}" || ev.PathParameters["petId"] != "7" || ev.HTTPMethod != "GET" ||
		ev.RequestContext.Stage != "prod" || ev.RequestContext.APIID != "pets000001" || ev.StageVariables["color"] != "blue" {
		t.Errorf("event: resource %q path %q context path %q params %v stage %q vars %v",
			ev.Resource, ev.Path, ev.RequestContext.Path, ev.PathParameters, ev.RequestContext.Stage, ev.StageVariables)
	}
	if ev.QueryStringParameters["kind"] != "cat" || strings.Join(ev.MultiValueQueryStringParameters["kind"], ",") != "dog,cat" ||
		ev.Headers["X-Custom"] != "a" || ev.RequestContext.Identity.SourceIP != "127.0.0.1" || ev.RequestContext.RequestID == "" {
		t.Errorf("event: query %v %v headers %v identity %+v", ev.QueryStringParameters, ev.MultiValueQueryStringParameters, ev.Headers, ev.RequestContext.Identity)
	}
	if tr := resp.Header.Get("X-Amzn-Trace-Id"); tr != ev.Headers["X-Amzn-Trace-Id"]+";Sampled=0" || !traceHeaderRE.MatchString(tr) {
		t.Errorf("X-Amzn-Trace-Id %q, the function got %q", tr, ev.Headers["X-Amzn-Trace-Id"])
	}
	if resp.Header.Get("x-amzn-RequestId") != ev.RequestContext.RequestID || resp.Header.Get("x-amz-apigw-id") == "" {
		t.Errorf("request ID headers %v, event %q", resp.Header, ev.RequestContext.RequestID)
	}

	// A malformed answer (an unknown key) is 502, AWS's body.
	answer <- `{"statusCode":200,"bogus":1}`
	resp, body = do("GET", "/prod/pets", nil)
	<-got
	if resp.StatusCode != 502 || body != `{"message": "Internal server error"}` {
		t.Errorf("malformed answer: %d %q", resp.StatusCode, body)
	}

	// MOCK OPTIONS: the CORS preflight.
	resp, _ = do("OPTIONS", "/prod/pets", http.Header{"Origin": {"https://app.example"}})
	if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != "*" || resp.Header.Get("Access-Control-Allow-Methods") != "GET,OPTIONS" {
		t.Errorf("MOCK OPTIONS: %d %v", resp.StatusCode, resp.Header)
	}

	// HTTP_PROXY with a greedy path, the query passed on, and the
	// integration's requestParameters (a header from a stage variable, a
	// static query parameter).
	resp, body = do("PUT", "/prod/files/a/b.txt?v=1", nil)
	if resp.StatusCode != 202 || body != "stored" || resp.Header.Get("X-Seen") != "PUT /store/a/b.txt?src=portico&v=1 blue" {
		t.Errorf("HTTP_PROXY: %d %q %q", resp.StatusCode, body, resp.Header.Get("X-Seen"))
	}

	// No resource, and no method on a resource: 403 Missing Authentication
	// Token, with DEFAULT_4XX's CORS header.
	for _, tc := range []struct{ method, path string }{{"GET", "/prod/nope"}, {"DELETE", "/prod/pets"}} {
		resp, body = do(tc.method, tc.path, nil)
		if resp.StatusCode != 403 || body != `{"message":"Missing Authentication Token"}` ||
			resp.Header.Get("x-amzn-ErrorType") != "MissingAuthenticationTokenException" || resp.Header.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("%s %s: %d %q %v", tc.method, tc.path, resp.StatusCode, body, resp.Header)
		}
	}
	// An unknown stage: 403 Forbidden.
	resp, body = do("GET", "/dev/pets", nil)
	if resp.StatusCode != 403 || body != `{"message":"Forbidden"}` || len(resp.Header.Get("x-amzn-RequestId")) != 36 ||
		resp.Header.Get("x-amz-apigw-id") == "" || resp.Header.Get("x-amzn-ErrorType") != "ForbiddenException" {
		t.Errorf("unknown stage: %d %q %v", resp.StatusCode, body, resp.Header)
	}
}

// An AWS_IAM method takes requests signed with the SDK's v4 signer, with
// the signer in the event's identity; unsigned is 403 Missing
// Authentication Token, a wrong secret 403 with AWS's SigV4 message.
func TestRESTAWSIAM(t *testing.T) {
	got := make(chan events.APIGatewayProxyRequest, 1)
	lambda := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var ev events.APIGatewayProxyRequest
		raw, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(raw, &ev)
		got <- ev
		_, _ = io.WriteString(w, `{"statusCode":200,"body":"ok"}`)
	}))
	defer lambda.Close()
	gw := startGateway(t, `credentials:
  - {accessKeyId: `+testAccessKey+`, secretAccessKey: "`+testSecret+`"}
restApis:
  - restApiId: iam0000001
    name: iam
    resources:
      /secret:
        resourceMethods:
          POST:
            authorizationType: AWS_IAM
            methodIntegration: {type: AWS_PROXY, httpMethod: POST, uri: "`+lambda.URL+`"}
    stages: [{stageName: prod}]
`)
	send := func(secret string, sign bool) (int, string) {
		t.Helper()
		body := `{"q":1}`
		req, _ := http.NewRequest("POST", gw.URL+"/prod/secret", strings.NewReader(body))
		if sign {
			sum := sha256hex([]byte(body))
			if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: testAccessKey, SecretAccessKey: secret},
				req, sum, "execute-api", "us-east-1", time.Now()); err != nil {
				t.Fatal(err)
			}
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if status, body := send(testSecret, true); status != 200 || body != "ok" {
		t.Fatalf("signed: %d %q", status, body)
	}
	if ev := <-got; ev.RequestContext.Identity.AccessKey != testAccessKey || ev.RequestContext.Identity.UserArn != "arn:aws:iam::000000000000:user/"+testAccessKey {
		t.Errorf("identity %+v", ev.RequestContext.Identity)
	}
	if status, body := send(testSecret, false); status != 403 || body != `{"message":"Missing Authentication Token"}` {
		t.Errorf("unsigned: %d %q", status, body)
	}
	if status, body := send("wrong-secret", true); status != 403 || !strings.Contains(body, "signature") {
		t.Errorf("wrong secret: %d %q", status, body)
	}
}

// A REST stage's access log gets a line per request with the resource
// method as route key, and its metrics count the requests.
func TestRESTAccessLog(t *testing.T) {
	logFile := filepath.Join(t.TempDir(), "access.log")
	cfg := strings.Replace(restConfig("http://127.0.0.1:1", "http://127.0.0.1:1"), "        variables: {color: blue}\n",
		"        variables: {color: blue}\n        accessLogSettings: {destination: \""+logFile+"\"}\n", 1)
	gw := startGateway(t, cfg)
	for _, path := range []string{"/prod/pets", "/prod/nope"} {
		req, _ := http.NewRequest("OPTIONS", gw.URL+path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	var lines []map[string]any
	deadline := time.Now().Add(5 * time.Second)
	for len(lines) < 2 && time.Now().Before(deadline) {
		raw, _ := os.ReadFile(logFile)
		lines = lines[:0]
		for _, l := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
			var m map[string]any
			if json.Unmarshal([]byte(l), &m) == nil {
				lines = append(lines, m)
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(lines) != 2 {
		t.Fatalf("access log lines: %v", lines)
	}
	if lines[0]["routeKey"] != "/pets OPTIONS" || lines[0]["status"] != "200" || lines[1]["status"] != "403" {
		t.Errorf("access log: %v", lines)
	}
	// And the stage's requests are counted, by route key and status.
	mfs, err := gw.Metrics().Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	counted := map[string]float64{}
	for _, mf := range mfs {
		if mf.GetName() == "portico_http_requests_total" {
			for _, m := range mf.GetMetric() {
				var route, status string
				for _, l := range m.GetLabel() {
					switch l.GetName() {
					case "route_key":
						route = l.GetValue()
					case "status":
						status = l.GetValue()
					}
				}
				counted[route+" "+status] += m.GetCounter().GetValue()
			}
		}
	}
	if len(counted) != 2 || counted["/pets OPTIONS 2xx"]+counted["/pets OPTIONS 200"] != 1 {
		t.Errorf("portico_http_requests_total: %v", counted)
	}
}
