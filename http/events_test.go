package httpapi_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

const proxyIntegration = `
- integrationId: fn
  integrationType: AWS_PROXY
  integrationUri: %s
  payloadFormatVersion: "%s"`

func fnIntegration(url, version string) string {
	return strings.Replace(strings.Replace(proxyIntegration, "%s", url, 1), "%s", version, 1)
}

func TestEventV2(t *testing.T) {
	fn := newFunction(t, answer(`{"statusCode":200,"body":"ok"}`))
	base := startGateway(t, httpAPI(fnIntegration(fn.URL, "2.0"),
		"- {routeKey: \"POST /items/{id}\", target: integrations/fn}",
		"- {stageName: dev, stageVariables: {color: blue}}", ""))

	resp, body := do(t, "POST", base+"/dev/items/a%20b?x=1&x=2&y=%2B", strings.NewReader(`{"n":1}`), map[string]string{
		"Content-Type": "application/json",
		"X-Multi":      "one",
		"Cookie":       "a=1; b=2",
		"User-Agent":   "test-agent",
	})
	if resp.StatusCode != 200 || body != "ok" {
		t.Fatalf("status %d body %q", resp.StatusCode, body)
	}
	raw := fn.last(t)
	var ev events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatal(err)
	}
	wantKeys := []string{"body", "cookies", "headers", "isBase64Encoded", "pathParameters", "queryStringParameters",
		"rawPath", "rawQueryString", "requestContext", "routeKey", "stageVariables", "version"}
	if got := sortedKeys(keys(t, raw)); !reflect.DeepEqual(got, wantKeys) {
		t.Errorf("keys %v\nwant %v", got, wantKeys)
	}
	checks := []struct{ name, got, want string }{
		{"version", ev.Version, "2.0"},
		{"routeKey", ev.RouteKey, "POST /items/{id}"},
		{"rawPath", ev.RawPath, "/dev/items/a%20b"},
		{"rawQueryString", ev.RawQueryString, "x=1&x=2&y=%2B"},
		{"query x", ev.QueryStringParameters["x"], "1,2"},
		{"query y", ev.QueryStringParameters["y"], "+"},
		{"path id", ev.PathParameters["id"], "a b"},
		{"stage variable", ev.StageVariables["color"], "blue"},
		{"header", ev.Headers["x-multi"], "one"},
		{"content-type", ev.Headers["content-type"], "application/json"},
		{"body", ev.Body, `{"n":1}`},
		{"rc.routeKey", ev.RequestContext.RouteKey, "POST /items/{id}"},
		{"rc.stage", ev.RequestContext.Stage, "dev"},
		{"rc.apiId", ev.RequestContext.APIID, "httpapi001"},
		{"rc.accountId", ev.RequestContext.AccountID, "123456789012"},
		{"rc.http.method", ev.RequestContext.HTTP.Method, "POST"},
		{"rc.http.path", ev.RequestContext.HTTP.Path, "/dev/items/a%20b"},
		{"rc.http.protocol", ev.RequestContext.HTTP.Protocol, "HTTP/1.1"},
		{"rc.http.sourceIp", ev.RequestContext.HTTP.SourceIP, "127.0.0.1"},
		{"rc.http.userAgent", ev.RequestContext.HTTP.UserAgent, "test-agent"},
		{"rc.domainPrefix", ev.RequestContext.DomainPrefix, "127"},
		{"apigw-requestid", resp.Header.Get("apigw-requestid"), ev.RequestContext.RequestID},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if tr := ev.Headers["x-amzn-trace-id"]; !regexp.MustCompile(`^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$`).MatchString(tr) {
		t.Errorf("x-amzn-trace-id %q", tr)
	}
	if !reflect.DeepEqual(ev.Cookies, []string{"a=1", "b=2"}) {
		t.Errorf("cookies %q", ev.Cookies)
	}
	if _, ok := ev.Headers["cookie"]; ok {
		t.Error("the cookie header stayed in headers")
	}
	if ev.IsBase64Encoded {
		t.Error("a JSON body was base64-encoded")
	}
	if len(ev.RequestContext.RequestID) != 16 || ev.RequestContext.TimeEpoch == 0 || !strings.HasSuffix(ev.RequestContext.Time, " +0000") {
		t.Errorf("requestId %q time %q epoch %d", ev.RequestContext.RequestID, ev.RequestContext.Time, ev.RequestContext.TimeEpoch)
	}
	var rc map[string]json.RawMessage
	_ = json.Unmarshal(keysOf(t, raw, "requestContext"), &rc)
	if _, ok := rc["authorizer"]; ok {
		t.Error("requestContext.authorizer present although no authorizer ran")
	}
}

func keysOf(t testing.TB, raw []byte, key string) []byte {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m[key]
}

func sortedKeys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Bodies are text only for a few media types; everything else is base64
// (measured on AWS, reference §1.2). Empty optional keys are omitted.
func TestEventV2BodyEncodingAndOmittedKeys(t *testing.T) {
	fn := newFunction(t, answer(`{"statusCode":204}`))
	base := startGateway(t, httpAPI(fnIntegration(fn.URL, "2.0"), "- {routeKey: $default, target: integrations/fn}", "- stageName: $default", ""))
	for _, tc := range []struct {
		contentType string
		base64      bool
	}{
		{"text/plain; charset=utf-8", false},
		{"application/json", false},
		{"application/xml", false},
		{"application/javascript", false},
		{"application/x-www-form-urlencoded", true},
		{"application/octet-stream", true},
		{"multipart/form-data; boundary=x", true},
		{"", true},
	} {
		t.Run(tc.contentType, func(t *testing.T) {
			h := map[string]string{}
			if tc.contentType != "" {
				h["Content-Type"] = tc.contentType
			}
			resp, _ := do(t, "PUT", base+"/some/where", strings.NewReader("a=1&b=\x00"), h)
			if resp.StatusCode != 204 {
				t.Fatalf("status %d", resp.StatusCode)
			}
			var ev events.APIGatewayV2HTTPRequest
			_ = json.Unmarshal(fn.last(t), &ev)
			if ev.IsBase64Encoded != tc.base64 {
				t.Fatalf("isBase64Encoded = %v", ev.IsBase64Encoded)
			}
			body := ev.Body
			if tc.base64 {
				b, _ := base64.StdEncoding.DecodeString(ev.Body)
				body = string(b)
			}
			if body != "a=1&b=\x00" {
				t.Errorf("body %q", body)
			}
			if ev.RawPath != "/some/where" || ev.RouteKey != "$default" || ev.RequestContext.Stage != "$default" {
				t.Errorf("rawPath %q routeKey %q stage %q", ev.RawPath, ev.RouteKey, ev.RequestContext.Stage)
			}
		})
	}
	do(t, "GET", base+"/", nil, nil)
	got := keys(t, fn.last(t))
	for _, k := range []string{"cookies", "queryStringParameters", "pathParameters", "stageVariables", "body"} {
		if got[k] {
			t.Errorf("%s present in an event without one", k)
		}
	}
	for _, k := range []string{"version", "routeKey", "rawPath", "rawQueryString", "headers", "requestContext", "isBase64Encoded"} {
		if !got[k] {
			t.Errorf("%s missing", k)
		}
	}
}

func TestEventV1(t *testing.T) {
	fn := newFunction(t, answer(`{"statusCode":201,"body":"made","headers":{"X-A":"1"},"multiValueHeaders":{"X-B":["2","3"]}}`))
	base := startGateway(t, httpAPI(fnIntegration(fn.URL, "1.0"),
		"- {routeKey: \"GET /pets/{proxy+}\", target: integrations/fn}", "- stageName: prod", ""))
	resp, body := do(t, "GET", base+"/prod/pets/dog/1?q=a&q=b", nil, map[string]string{"X-Two": "x", "Cookie": "c=1"})
	if resp.StatusCode != 201 || body != "made" || resp.Header.Get("X-A") != "1" || strings.Join(resp.Header.Values("X-B"), ",") != "2,3" {
		t.Fatalf("status %d body %q header %v", resp.StatusCode, body, resp.Header)
	}
	raw := fn.last(t)
	var ev events.APIGatewayProxyRequest
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatal(err)
	}
	wantKeys := []string{"body", "headers", "httpMethod", "isBase64Encoded", "multiValueHeaders", "multiValueQueryStringParameters",
		"path", "pathParameters", "queryStringParameters", "requestContext", "resource", "stageVariables", "version"}
	if got := sortedKeys(keys(t, raw)); !reflect.DeepEqual(got, wantKeys) {
		t.Errorf("keys %v\nwant %v", got, wantKeys)
	}
	checks := []struct{ name, got, want string }{
		{"resource", ev.Resource, "/pets/{proxy+}"},
		{"path", ev.Path, "/prod/pets/dog/1"},
		{"httpMethod", ev.HTTPMethod, "GET"},
		{"query (last value)", ev.QueryStringParameters["q"], "b"},
		{"multi query", strings.Join(ev.MultiValueQueryStringParameters["q"], ","), "a,b"},
		{"proxy", ev.PathParameters["proxy"], "dog/1"},
		{"header", ev.Headers["x-two"], "x"},
		{"cookie header", ev.Headers["cookie"], "c=1"},
		{"rc.stage", ev.RequestContext.Stage, "prod"},
		{"rc.path", ev.RequestContext.Path, "/prod/pets/dog/1"},
		{"rc.resourcePath", ev.RequestContext.ResourcePath, "/pets/{proxy+}"},
		{"rc.identity.sourceIp", ev.RequestContext.Identity.SourceIP, "127.0.0.1"},
		{"rc.requestId", ev.RequestContext.RequestID, resp.Header.Get("apigw-requestid")},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	// Absent values are JSON null, as AWS sends them.
	if !strings.Contains(string(raw), `"stageVariables":null`) || !strings.Contains(string(raw), `"body":null`) {
		t.Errorf("absent values not null: %s", raw)
	}
}

var _ = http.MethodGet
